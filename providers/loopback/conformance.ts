/** How the conformance suite certifies the loopback providers: in process, no privileges, immediate indications. */
import type { ConformanceTarget } from "../../conformance/types.js";

const features = { reportsUderr: true, boundedQueue: true, refusesUnknownAddress: true };

export function loopbackConformanceTargets(): ConformanceTarget[] {
  return [
    { name: "ticots", device: "/dev/ticots", description: "loopback, T_COTS (tl)", features },
    { name: "ticotsord", device: "/dev/ticotsord", description: "loopback, T_COTS_ORD (tl)", features },
    { name: "ticlts", device: "/dev/ticlts", description: "loopback, T_CLTS (tl)", features },
  ];
}
