/**
 * The targets the suite certifies: the built-in providers' own (each provider declares its
 * targets), and any a third party registers, which joins the report without any change to the suite.
 */
import { builtinConformanceTargets } from "../providers/index.js";
import type { ConformanceTarget } from "./types.js";

const targets = new Map<string, ConformanceTarget>();

/** Add a target to the xti-conformance report (replacing one of the same name). */
export function registerConformanceTarget(target: ConformanceTarget): void {
  targets.set(target.name, target);
}

/** Every registered target. */
export function conformanceTargets(): ConformanceTarget[] {
  return [...targets.values()];
}

/** The target with this name or device. */
export function findConformanceTarget(nameOrDevice: string): ConformanceTarget | undefined {
  return targets.get(nameOrDevice) ?? [...targets.values()].find((t) => t.device === nameOrDevice);
}

// The built-in providers declare their own targets (providers/index.ts).
for (const target of builtinConformanceTargets()) registerConformanceTarget(target);
