/** The loopback providers: the three built-in devices and the factory for configured ones. */
import { T_CLTS, T_COTS, T_COTS_ORD } from "../../src/spi/index.js";
import { createLoopbackProvider, type LoopbackProvider } from "./provider.js";

export { LOOPBACK_FEATURES, loopbackConformanceTargets } from "./conformance.js";
export { createLoopbackProvider, LoopbackProvider, type LoopbackConfig, TL_MAXQLEN, TL_TIDUSZ } from "./provider.js";

/** The built-in loopback devices (fresh instances: each has its own address space). */
export function builtinLoopbackProviders(): LoopbackProvider[] {
  return [
    createLoopbackProvider({ name: "/dev/ticots", servtype: T_COTS }),
    createLoopbackProvider({ name: "/dev/ticotsord", servtype: T_COTS_ORD }),
    createLoopbackProvider({ name: "/dev/ticlts", servtype: T_CLTS }),
  ];
}
