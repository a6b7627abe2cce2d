/**
 * Addresses of /dev/rawtcp and /dev/rawudp: the 16-byte sockaddr_in netbufs /dev/tcp and /dev/udp
 * use (made and read by the library's helpers), to and from the stack's AddressPort (a host-order
 * IPv4 number and a port).
 */
import { SOCKADDR_IN_SIZE, parseSockaddrIn, sockaddr_in } from "../../../src/spi/index.js";
import type { AddressPort } from "../stack/transport-host.js";
import { formatIpv4Address, parseIpv4Address } from "../wire/ipv4-address.js";

/** The sockaddr_in of an address and port. */
export function toSockaddr(ap: AddressPort): Uint8Array {
  return sockaddr_in(formatIpv4Address(ap.address), ap.port);
}

/** The address and port of a netbuf holding exactly a sockaddr_in (AF_INET), else null (TBADADDR). */
export function fromSockaddr(netbuf: Uint8Array): AddressPort | null {
  if (netbuf.length !== SOCKADDR_IN_SIZE) return null;
  const parsed = parseSockaddrIn(netbuf);
  if (parsed === null) return null;
  const address = parseIpv4Address(parsed.address);
  return address === null ? null : { address, port: parsed.port };
}
