/** Every scenario, in the order of issue 12's table (and issue 13's loss scenario after the stack's own). */
import type { Scenario } from "../harness/scenario.js";
import { ticotsAlloc64 } from "./ticots-alloc64.js";
import { ticotsBulk64k } from "./ticots-bulk64k.js";
import { ticotsEndpoint64 } from "./ticots-endpoint64.js";
import { ticotsRr64 } from "./ticots-rr64.js";
import { ticotsTsdu64 } from "./ticots-tsdu64.js";
import { rawtcpBulk } from "./rawtcp-bulk.js";
import { stackFfi } from "./stack-ffi.js";
import { stackIdleCpu } from "./stack-idle-cpu.js";
import { stackIdleMemory } from "./stack-idle-memory.js";
import { stackLoss } from "./stack-loss.js";
import { stackVeth } from "./stack-veth.js";
import { tcpBulk64k } from "./tcp-bulk64k.js";
import { tcpRr64 } from "./tcp-rr64.js";

export const SCENARIOS: readonly Scenario[] = [ticotsTsdu64, ticotsEndpoint64, ticotsRr64, ticotsBulk64k, ticotsAlloc64, stackVeth, stackLoss, tcpBulk64k, tcpRr64, rawtcpBulk, stackIdleMemory, stackIdleCpu, stackFfi];
