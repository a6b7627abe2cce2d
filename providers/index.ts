/**
 * The built-in transport providers, registered with t_open's device table when the package is
 * imported, and the conformance targets they declare for themselves.
 */
import { registerProvider, registerProviderFactory } from "../src/spi/index.js";
import type { ConformanceTarget } from "../conformance/types.js";
import { builtinInetProviders, inetConformanceTargets } from "./inet/index.js";
import { builtinLoopbackProviders, loopbackConformanceTargets } from "./loopback/index.js";
import { builtinRawProviders, rawConformanceHosts, rawConformanceTargets, registerRawHost } from "./packet/xti/index.js";

for (const p of builtinLoopbackProviders()) registerProvider(p);
// The kernel providers load koffi and start their poller on first use only.
for (const { name, create } of builtinInetProviders()) registerProviderFactory(name, create);
// The user-space stack opens its host (and, on an interface, loads koffi) at the first t_open only.
for (const { name, create } of builtinRawProviders()) registerProviderFactory(name, create);
for (const host of rawConformanceHosts()) registerRawHost(host);

export { registerRawHost, type RawHostDescription, type RawHostRegistration } from "./packet/xti/index.js";
// The types a raw host description refers to, for the package's documentation.
export type { FaultConfig, FaultInjectorConfig } from "./packet/link/faults.js";
export type { TcpConfig } from "./packet/stack/tcp/config.js";
export type { CongestionControlName } from "./packet/stack/tcp/congestion.js";

/** Every built-in provider's conformance targets, in report order. */
export function builtinConformanceTargets(): ConformanceTarget[] {
  return [...loopbackConformanceTargets(), ...inetConformanceTargets(), ...rawConformanceTargets()];
}
