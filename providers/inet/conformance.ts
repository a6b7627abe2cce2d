/**
 * How the conformance suite certifies the kernel providers: on the loopback interface (127.0.0.1,
 * and ::1 for the IPv6 pair), which every Linux machine has, with the kernel as the other end.
 */
import type { ConformanceTarget, TargetDeclaration } from "../../conformance/types.js";
import { errnoName, T_CLTS, T_COTS_ORD, T_INVALID, T_SENDZERO } from "../../src/spi/index.js";
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

/** The t_info of the XNS5 Internet appendix (xti-spec.md §7.1), with etsdu 1 for TCP urgent data. */
function declaration(family: InetFamily, tcp: boolean): TargetDeclaration {
  const addr = family === INET ? 16 : 28;
  if (tcp) return { protocol: "tcp", servtype: T_COTS_ORD, addr, tsdu: 0, etsdu: 1, connect: T_INVALID, discon: T_INVALID, flags: 0 };
  return { protocol: "udp", servtype: T_CLTS, addr, tsdu: family === INET ? 65507 : 65527, etsdu: T_INVALID, connect: T_INVALID, discon: T_INVALID, flags: T_SENDZERO };
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
    // Disconnect reasons are errno values (ECONNREFUSED, ECONNRESET).
    features: tcp ? { boundedQueue: true, callerBeyondQlen: "held", refusesUnknownAddress: true, errnoReasons: true } : { reportsUderr: true },
    declared: declaration(family, tcp),
    bindAddress: () => family.loopback(),
    eventTimeoutMs: 5000,
    available: () => loopbackUsable(family, tcp ? SOCK_STREAM : SOCK_DGRAM),
  };
}

export function inetConformanceTargets(): ConformanceTarget[] {
  return [target("tcp", INET, true), target("udp", INET, false), target("tcp6", INET6, true), target("udp6", INET6, false)];
}
