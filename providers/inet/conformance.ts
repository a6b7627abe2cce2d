/**
 * How the conformance suite certifies the kernel providers: on the loopback interface (127.0.0.1,
 * and ::1 for the IPv6 pair), which every Linux machine has, with the kernel as the other end.
 */
import type { ConformanceTarget } from "../../conformance/types.js";
import { errnoName } from "../../src/spi/index.js";
import { SOCK_DGRAM, SOCK_STREAM } from "../native/ffi/linux.js";
import { KernelSocket } from "../native/socket.js";
import { INET, INET6, type InetFamily } from "./address.js";

/** Whether a socket of this kind can be bound to the family's loopback address here, or why not. */
async function loopbackUsable(family: InetFamily, type: number): Promise<true | string> {
  let s: KernelSocket | undefined;
  try {
    s = KernelSocket.create(family.af, type);
    const r = s.bind(family.loopback());
    return r === 0 ? true : `cannot bind the ${family.name} loopback address (${errnoName(-r)})`;
  } catch (err) {
    return `no ${family.name} sockets here: ${err instanceof Error ? err.message : String(err)}`;
  } finally {
    s?.close();
  }
}

function target(name: string, family: InetFamily, tcp: boolean): ConformanceTarget {
  const where = family === INET ? "127.0.0.1" : "::1";
  return {
    name,
    device: `/dev/${name}`,
    description: `kernel ${tcp ? "TCP" : "UDP"} over ${family === INET ? "IPv4" : "IPv6"}, on ${where}`,
    // A kernel TCP listener holds callers beyond qlen in its backlog without indicating them, and
    // a connect to a closed loopback port is refused at once (RST); kernel UDP reports an ICMP
    // port unreachable through IP_RECVERR.
    features: tcp ? { boundedQueue: true, refusesUnknownAddress: true } : { reportsUderr: true },
    bindAddress: () => family.loopback(),
    eventTimeoutMs: 5000,
    available: () => loopbackUsable(family, tcp ? SOCK_STREAM : SOCK_DGRAM),
  };
}

export function inetConformanceTargets(): ConformanceTarget[] {
  return [target("tcp", INET, true), target("udp", INET, false), target("tcp6", INET6, true), target("udp6", INET6, false)];
}
