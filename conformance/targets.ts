/**
 * The targets the suite certifies. Built-in providers register theirs here; a provider that
 * registers a target joins the report without any change to the suite.
 */
import type { ConformanceTarget } from "./types.js";

const targets = new Map<string, ConformanceTarget>();

export function registerConformanceTarget(target: ConformanceTarget): void {
  targets.set(target.name, target);
}

export function conformanceTargets(): ConformanceTarget[] {
  return [...targets.values()];
}

export function findConformanceTarget(nameOrDevice: string): ConformanceTarget | undefined {
  return targets.get(nameOrDevice) ?? [...targets.values()].find((t) => t.device === nameOrDevice);
}

// The loopback providers: in process, no privileges, immediate indications.
const loopbackFeatures = { reportsUderr: true, boundedQueue: true, refusesUnknownAddress: true };
registerConformanceTarget({ name: "ticots", device: "/dev/ticots", description: "loopback, T_COTS (tl)", features: loopbackFeatures });
registerConformanceTarget({ name: "ticotsord", device: "/dev/ticotsord", description: "loopback, T_COTS_ORD (tl)", features: loopbackFeatures });
registerConformanceTarget({ name: "ticlts", device: "/dev/ticlts", description: "loopback, T_CLTS (tl)", features: loopbackFeatures });
