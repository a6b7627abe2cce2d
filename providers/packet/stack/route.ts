/** IPv4 routing for a host with one interface: one on-link prefix and an optional default gateway. */
import { prefixMask } from "../wire/ipv4-address.js";
import type { Ipv4Address } from "./transport-host.js";

export const LIMITED_BROADCAST = 0xffffffff;

export class Ipv4Routes {
  readonly mask: number;
  readonly network: number;
  /** The subnet's directed broadcast, or -1 for /31 and /32 prefixes that have none (RFC 3021). */
  readonly subnetBroadcast: number;

  constructor(
    readonly address: Ipv4Address,
    readonly prefixLength: number,
    readonly gateway: Ipv4Address | null,
  ) {
    if (!Number.isInteger(prefixLength) || prefixLength < 0 || prefixLength > 32) throw new RangeError(`prefix length ${prefixLength} is not 0..32`);
    this.mask = prefixMask(prefixLength);
    this.network = (address & this.mask) >>> 0;
    this.subnetBroadcast = prefixLength <= 30 ? (this.network | ~this.mask) >>> 0 : -1;
    if (gateway !== null && !this.isOnLink(gateway)) throw new RangeError("the gateway must be inside the on-link prefix");
  }

  isOnLink(dst: Ipv4Address): boolean {
    return ((dst & this.mask) >>> 0) === this.network;
  }

  isBroadcast(addr: Ipv4Address): boolean {
    return addr === LIMITED_BROADCAST || addr === this.subnetBroadcast;
  }

  /** The on-link neighbour to hand a packet for `dst` to, or null when there is no route. */
  nextHop(dst: Ipv4Address): Ipv4Address | null {
    if (this.isOnLink(dst)) return dst;
    return this.gateway;
  }
}

/** Class D (224/4) and class E (240/4) are never unicast host addresses. */
export function isMulticastOrReserved(addr: Ipv4Address): boolean {
  return addr >>> 28 >= 0xe;
}
