/**
 * The built-in transport providers, registered with t_open's device table when the package is
 * imported, and the conformance targets they declare for themselves.
 */
import { registerProvider } from "../src/spi/index.js";
import type { ConformanceTarget } from "../conformance/types.js";
import { builtinLoopbackProviders, loopbackConformanceTargets } from "./loopback/index.js";

for (const p of builtinLoopbackProviders()) registerProvider(p);

/** Every built-in provider's conformance targets, in report order. */
export function builtinConformanceTargets(): ConformanceTarget[] {
  return [...loopbackConformanceTargets()];
}
