/**
 * The built-in transport providers, registered with t_open's device table when the package is
 * imported, and the conformance targets they declare for themselves.
 */
import { registerProvider, registerProviderFactory } from "../src/spi/index.js";
import type { ConformanceTarget } from "../conformance/types.js";
import { builtinInetProviders, inetConformanceTargets } from "./inet/index.js";
import { builtinLoopbackProviders, loopbackConformanceTargets } from "./loopback/index.js";

for (const p of builtinLoopbackProviders()) registerProvider(p);
// The kernel providers load koffi and start their poller on first use only.
for (const { name, create } of builtinInetProviders()) registerProviderFactory(name, create);

/** Every built-in provider's conformance targets, in report order. */
export function builtinConformanceTargets(): ConformanceTarget[] {
  return [...loopbackConformanceTargets(), ...inetConformanceTargets()];
}
