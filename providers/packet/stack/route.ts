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

/** Why a source address cannot be a real sender on the wire (RFC 1122 §3.2.1.3, RFC 1812 §5.3.7). */
export type MartianReason = "ownAddress" | "loopback" | "thisNetwork" | "multicast" | "broadcast" | "reserved";

/**
 * The reason `src` is a martian source for a host at `routes.address`, or null when it may be a
 * real sender. Our own address arriving from the wire is a spoof ("land" when the port is ours
 * too); 127/8 never leaves a host; 0/8 is "this network", valid only as a source while a host
 * learns its address (we never do); 224/4 and the broadcast addresses are destinations only;
 * 240/4 is reserved.
 */
export function martianSource(src: Ipv4Address, routes: Ipv4Routes): MartianReason | null {
  const top = src >>> 24;
  if (src === routes.address) return "ownAddress";
  if (top === 127) return "loopback";
  if (top === 0) return "thisNetwork";
  if (routes.isBroadcast(src)) return "broadcast";
  if (top >>> 4 === 0xe) return "multicast";
  if (top >>> 4 === 0xf) return "reserved";
  return null;
}
