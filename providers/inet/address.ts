/**
 * The two address families of the Internet providers. A netbuf holds exactly the `struct sockaddr`
 * the kernel takes (sockaddr_in, 16 bytes, for /dev/tcp and /dev/udp; sockaddr_in6, 28 bytes, for
 * /dev/tcp6 and /dev/udp6), so converting is checking and copying.
 */
import {
  AF_INET,
  AF_INET6,
  IN6ADDR_ANY,
  INADDR_ANY,
  SOCKADDR_IN6_SIZE,
  SOCKADDR_IN_SIZE,
  parseSockaddrIn,
  parseSockaddrIn6,
  sockaddr_in,
  sockaddr_in6,
} from "../../src/spi/index.js";

export interface InetFamily {
  /** "inet" or "inet6", as netconfig names protocol families. */
  readonly name: "inet" | "inet6";
  /** AF_INET or AF_INET6. */
  readonly af: number;
  /** sizeof the sockaddr, t_info.addr. */
  readonly size: number;
  /** The wildcard address with `port` (0: let the kernel choose). */
  any(port?: number): Uint8Array;
  /** The loopback address with `port`. */
  loopback(port?: number): Uint8Array;
}

export const INET: InetFamily = {
  name: "inet",
  af: AF_INET,
  size: SOCKADDR_IN_SIZE,
  any: (port = 0) => sockaddr_in(INADDR_ANY, port),
  loopback: (port = 0) => sockaddr_in("127.0.0.1", port),
};

export const INET6: InetFamily = {
  name: "inet6",
  af: AF_INET6,
  size: SOCKADDR_IN6_SIZE,
  any: (port = 0) => sockaddr_in6(IN6ADDR_ANY, port),
  loopback: (port = 0) => sockaddr_in6("::1", port),
};

/**
 * A copy of `netbuf` if it is a sockaddr of `family` (its exact size and sa_family), else null:
 * the request then fails TBADADDR (or becomes a unit data error).
 */
export function socketAddress(family: InetFamily, netbuf: Uint8Array): Uint8Array | null {
  if (netbuf.length !== family.size) return null;
  const parsed = family.af === AF_INET ? parseSockaddrIn(netbuf) : parseSockaddrIn6(netbuf);
  return parsed === null ? null : netbuf.slice();
}

/** The port of a sockaddr_in or sockaddr_in6 (network order at offset 2 in both). */
export function portOf(addr: Uint8Array): number {
  return ((addr[2] ?? 0) << 8) | (addr[3] ?? 0);
}

/** A copy of `addr` with its port replaced. */
export function withPort(addr: Uint8Array, port: number): Uint8Array {
  const out = addr.slice();
  out[2] = port >> 8;
  out[3] = port & 0xff;
  return out;
}
