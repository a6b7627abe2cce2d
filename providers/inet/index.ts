/**
 * The kernel Internet providers: /dev/tcp, /dev/udp, /dev/tcp6, /dev/udp6. They are registered as
 * factories, so nothing native loads until one is first opened.
 */
import type { TransportProvider } from "../../src/spi/index.js";
import { INET, INET6 } from "./address.js";
import { InetProvider } from "./provider.js";

export { inetConformanceTargets } from "./conformance.js";
export { InetProvider } from "./provider.js";

/** The four devices, each as a device name and a factory creating its provider. */
export function builtinInetProviders(): Array<{ name: string; create: () => TransportProvider }> {
  return [
    { name: "/dev/tcp", create: () => new InetProvider("/dev/tcp", "tcp", INET) },
    { name: "/dev/udp", create: () => new InetProvider("/dev/udp", "udp", INET) },
    { name: "/dev/tcp6", create: () => new InetProvider("/dev/tcp6", "tcp", INET6) },
    { name: "/dev/udp6", create: () => new InetProvider("/dev/udp6", "udp", INET6) },
  ];
}
