/**
 * The contract between the network layer (stack/ipv4, ARP, routing) and the transport protocols
 * (stack/tcp, stack/udp). A transport sees IPv4 addresses and payloads; the network layer owns
 * Ethernet, ARP resolution, routing and fragmentation.
 */
import type { Clock } from "../clock.js";
import type { Random } from "../random.js";
import type { WireCounters } from "../wire/counters.js";

/** IPv4 address as an unsigned 32-bit integer in host order (198.18.0.1 = 0xc6120001). */
export type Ipv4Address = number;

/** One end of a transport association: an IPv4 address (0 = any local address) and a port. */
export interface AddressPort {
  address: Ipv4Address;
  port: number;
}

export const IPPROTO_ICMP = 1;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;

/** Per-packet IPv4 settings a transport may ask for (absent = the stack's defaults). */
export interface IpSendOptions {
  /** Type of service byte (default 0). */
  tos?: number;
  /** Time to live (default: the stack's, 64). */
  ttl?: number;
  dontFragment?: boolean;
}

/**
 * Builds a transport packet in place: its `length` bytes (as given to outputWith) at `buf[off]`.
 * `partialChecksum`: leave the pseudo-header sum in the checksum field for the link to complete.
 * `buf` may be the device's transmit memory: a writer sends nothing and only writes its bytes.
 */
export type PacketWriter = (buf: Uint8Array, off: number, partialChecksum: boolean) => void;

/** Where a transport packet's checksum is and how a super-packet is cut (outputWith). */
export interface TransportOffload {
  /** Offset of the checksum field in the transport header (TCP: 16). */
  checksumOffset: number;
  /** Transport header bytes, options included, repeated in front of every segment. */
  headerLength: number;
  /** Data bytes per segment of a TCP super-packet, or 0 for an ordinary packet. */
  segmentSize: number;
}

/** What the link would do for a transport's packets to one destination, now. */
export interface TransportOffloads {
  /** The link completes transport checksums. */
  checksum: boolean;
  /** Longest TCP packet (header + data) the link cuts into segments itself; 0: none. */
  maxSuperPacket: number;
}

export const NO_OFFLOADS: TransportOffloads = Object.freeze({ checksum: false, maxSuperPacket: 0 });

/** What the network layer offers a transport protocol. */
export interface TransportHost {
  readonly clock: Clock;
  readonly random: Random;
  /** Where a transport's decoder counts why it rejected input (bad checksum, short header...); absent = not counted. */
  readonly wireCounters?: WireCounters;
  /** The interface address used as source for `dst` (routing decides), or null if unroutable. */
  sourceFor(dst: Ipv4Address): Ipv4Address | null;
  /** True if `addr` is one of ours. */
  isLocal(addr: Ipv4Address): boolean;
  /** Largest transport payload that fits one unfragmented IPv4 packet towards `dst`. */
  maxPayload(dst: Ipv4Address): number;
  /**
   * Send a transport payload. ARP resolution happens underneath (frames wait in a bounded queue);
   * returns false if the packet was dropped at once (no route, queue full).
   */
  output(protocol: number, src: Ipv4Address, dst: Ipv4Address, payload: Uint8Array, options?: IpSendOptions): boolean;
  /**
   * Optional: output() for a packet of `length` bytes that `write` builds in place, behind link
   * and IP headers written once, in the device's own transmit memory when it has some: the data
   * is copied once. With `offload`, the checksum may be left partial (the writer is told) and a
   * super-packet, within offloads(dst), is cut into segments by the link.
   */
  outputWith?(protocol: number, src: Ipv4Address, dst: Ipv4Address, length: number, write: PacketWriter, options?: IpSendOptions, offload?: TransportOffload): boolean;
  /** Optional: the offloads outputWith can use for `dst` right now (none for loopback, an unresolved neighbour...). */
  offloads?(dst: Ipv4Address): TransportOffloads;
  /**
   * Optional: true while the link is delivering a burst of frames whose end the host will
   * announce (TransportProtocol.burstEnd), so that work per packet, an ACK say, may wait for it.
   */
  readonly inReceiveBurst?: boolean;
}

/**
 * Send a packet of `length` bytes that `write` builds: in place through the host's outputWith,
 * or, on a host without it, into a buffer of its own handed to output() (checksum complete).
 */
export function outputPacket(
  host: TransportHost,
  protocol: number,
  src: Ipv4Address,
  dst: Ipv4Address,
  length: number,
  write: PacketWriter,
  options?: IpSendOptions,
  offload?: TransportOffload,
): boolean {
  if (host.outputWith !== undefined) return host.outputWith(protocol, src, dst, length, write, options, offload);
  const packet = new Uint8Array(length);
  write(packet, 0, false);
  return host.output(protocol, src, dst, packet, options);
}

/** Kinds of ICMP errors passed up to transports. */
export type IcmpErrorKind = "net-unreachable" | "host-unreachable" | "protocol-unreachable" | "port-unreachable" | "fragmentation-needed" | "time-exceeded";

/** What a transport protocol offers the network layer. */
export interface TransportProtocol {
  /**
   * A packet for this protocol addressed to us; `payload` is the transport header plus data, lent
   * for the call as the link lends its frames: the transport copies what it keeps. `checksumTrusted`
   * is true when the link vouches for the transport checksum (FrameInfo.checksumTrusted: offloaded
   * or already verified), so it must not be checked.
   */
  input(src: Ipv4Address, dst: Ipv4Address, payload: Uint8Array, checksumTrusted?: boolean): void;
  /** Optional: the burst of frames announced by TransportHost.inReceiveBurst is over. */
  burstEnd?(): void;
  /**
   * An ICMP error quoting one of our packets: `quoted` is the start of our transport header as
   * quoted by the sender (at least 8 bytes), lent for the call like input()'s payload.
   * `nextHopMtu` is set for fragmentation-needed.
   */
  icmpError?(kind: IcmpErrorKind, src: Ipv4Address, dst: Ipv4Address, quoted: Uint8Array, nextHopMtu?: number): void;
  /** The stack is closing: end what is open (a last packet may still go out) and stop every timer. */
  close?(): void;
}
