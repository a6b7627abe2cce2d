/**
 * The example provider /dev/pipe as the mutation harness certifies it: its own module and target,
 * with a short event timeout (in process, indications are immediate).
 */
import { conformanceTarget as declared, provider } from "../../../examples/pipe-provider/index.js";

export { provider };
export const conformanceTarget = { ...declared, eventTimeoutMs: 1000 };
