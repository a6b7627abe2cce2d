/**
 * /dev/rawtcp and /dev/rawudp: the user-space TCP/IP stack as XTI providers (docs/rawtcp.md).
 * Nothing opens before a device does: the built-in devices are registered as factories, and a
 * host opens at the first t_open of a device it serves.
 */
export { HostConfigError, type RawHostDescription } from "./host-config.js";
export { RawProvider } from "./provider.js";
export { RawHost } from "./raw-host.js";
export { builtinRawProviders, netconfigHost, registerRawHost, type RawHostRegistration } from "./register.js";
export { RAW_CONFORMANCE_DEVICES, rawConformanceHosts, rawConformanceTargets } from "./conformance.js";
