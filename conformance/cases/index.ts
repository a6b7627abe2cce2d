/** Every case of the suite, in report order. */
import type { ConformanceCase } from "../types.js";
import { addressCases } from "./address.js";
import { bufovflwCases } from "./bufovflw.js";
import { cltsCases } from "./clts.js";
import { disconnectCases } from "./disconnect.js";
import { expeditedCases } from "./expedited.js";
import { infoCases } from "./info.js";
import { lookCases } from "./look.js";
import { optionCases } from "./options.js";
import { queueCases } from "./queue.js";
import { releaseCases } from "./release.js";
import { stateCases } from "./state.js";
import { tcpCases } from "./tcp.js";
import { tsduCases } from "./tsdu.js";
import { udpCases } from "./udp.js";

/** Every case, in report order. */
export const ALL_CASES: readonly ConformanceCase[] = [
  ...infoCases,
  ...tsduCases,
  ...expeditedCases,
  ...stateCases,
  ...lookCases,
  ...releaseCases,
  ...disconnectCases,
  ...queueCases,
  ...addressCases,
  ...cltsCases,
  ...bufovflwCases,
  ...optionCases,
  ...tcpCases,
  ...udpCases,
];
