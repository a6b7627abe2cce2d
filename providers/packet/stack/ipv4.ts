/**
 * The IPv4 layer of a host (RFC 791, RFC 1122 §3): validates and demultiplexes received packets to
 * the registered transports, reassembles fragments, and routes, fragments and sends transport
 * payloads through the ARP cache. It does not forward: packets for other hosts are counted and
 * dropped. Packets to our own address are looped back through the clock, never synchronously.
 */
import type { Clock, Timer } from "../clock.js";
import type { LinkDevice, LinkOffloads, TxOffload } from "../link/device.js";
import type { Random } from "../random.js";
import { ETHERNET_HEADER_LEN, ETHERTYPE_IPV4, writeEthernetHeader } from "../wire/ethernet.js";
import { ICMP_DEST_UNREACHABLE, ICMP_TIME_EXCEEDED, ICMP_TIME_EXCEEDED_REASSEMBLY, ICMP_UNREACH_PORT, ICMP_UNREACH_PROTOCOL } from "../wire/icmp.js";
import { IPV4_FLAG_DF, IPV4_FLAG_MF, IPV4_HEADER_LEN, IPV4_MAX_PACKET_LEN, Ipv4Header, parseIpv4, parseQuotedIpv4, writeIpv4Header } from "../wire/ipv4.js";
import { MAC_LEN } from "../wire/mac.js";
import type { ArpCache } from "./arp-cache.js";
import type { StackCounters } from "./counters.js";
import { DEFAULT_ICMP_CONFIG, IcmpProtocol, type IcmpConfig, type IcmpNetwork } from "./icmp.js";
import { DEFAULT_REASSEMBLY_CONFIG, Ipv4Reassembler, type ReassemblyConfig } from "./reassembly.js";
import { martianSource, type Ipv4Routes, type MartianReason } from "./route.js";
import { IPPROTO_ICMP, NO_OFFLOADS, type IpSendOptions, type Ipv4Address, type PacketWriter, type TransportOffload, type TransportOffloads, type TransportProtocol } from "./transport-host.js";

const BROADCAST_MAC = new Uint8Array(MAC_LEN).fill(0xff);

/** The counter each martian reason increments. */
const MARTIAN_COUNTER = {
  ownAddress: "martianOwnAddress",
  loopback: "martianLoopback",
  thisNetwork: "martianThisNetwork",
  broadcast: "martianBroadcast",
  multicast: "martianMulticast",
  reserved: "martianReserved",
} as const satisfies Record<MartianReason, keyof StackCounters["ip"]>;

export interface Ipv4Config {
  /** TTL of packets we originate (default 64, as Linux). */
  defaultTtl: number;
  reassembly: ReassemblyConfig;
  icmp: IcmpConfig;
}

export const DEFAULT_IPV4_CONFIG: Ipv4Config = { defaultTtl: 64, reassembly: DEFAULT_REASSEMBLY_CONFIG, icmp: DEFAULT_ICMP_CONFIG };

export class Ipv4Layer implements IcmpNetwork {
  readonly icmp: IcmpProtocol;
  private readonly protocols: Array<TransportProtocol | undefined> = new Array<TransportProtocol | undefined>(256).fill(undefined);
  /** The registered transports that hold work until the end of a receive burst. */
  private readonly burstTransports: TransportProtocol[] = [];
  private readonly reassembler: Ipv4Reassembler;
  /** Reused for every received packet: the receive path allocates only the payload view. */
  private readonly header = new Ipv4Header();
  /** The packet being delivered to a transport, so that it can be quoted in an ICMP error. */
  private current: Uint8Array | null = null;
  private currentOff = 0;
  private currentBroadcast = false;
  private identification: number;
  private loopback: Uint8Array[] = [];
  private loopbackTimer: Timer | null = null;
  /**
   * What the device offers outputWith, derived from `linkOffloadsOf` (the device's offloads can
   * shrink at run time and are then a new object: see currentOffloads()).
   */
  private linkOffloads: TransportOffloads;
  private linkOffloadsOf: LinkOffloads | undefined;
  /** Handed to the device with each offloaded frame; devices read it during send() only. */
  private readonly txOffload: TxOffload = { checksumStart: 0, checksumOffset: 0, headerLength: 0, segmentSize: 0 };

  constructor(
    readonly address: Ipv4Address,
    readonly routes: Ipv4Routes,
    private readonly device: LinkDevice,
    private readonly arp: ArpCache,
    private readonly clock: Clock,
    random: Random,
    private readonly counters: StackCounters,
    private readonly config: Ipv4Config = DEFAULT_IPV4_CONFIG,
  ) {
    this.identification = random.nextU32() & 0xffff;
    this.linkOffloadsOf = device.offloads;
    this.linkOffloads = transportOffloads(this.linkOffloadsOf);
    this.icmp = new IcmpProtocol(this, clock, counters.icmp, counters.wire, config.icmp);
    this.protocols[IPPROTO_ICMP] = this.icmp;
    this.reassembler = new Ipv4Reassembler(clock, counters.ip, (quote) => this.reassemblyTimedOut(quote), config.reassembly);
  }

  /** Plug a transport in for a protocol number (one per number; ICMP is built in). */
  register(protocol: number, transport: TransportProtocol): void {
    if (!Number.isInteger(protocol) || protocol < 0 || protocol > 255) throw new RangeError(`protocol ${protocol} is not 0..255`);
    if (this.protocols[protocol] !== undefined) throw new Error(`protocol ${protocol} is already registered`);
    this.protocols[protocol] = transport;
    if (transport.burstEnd !== undefined) this.burstTransports.push(transport);
  }

  /** The link has delivered its burst of frames: tell the transports that wait for it. */
  burstEnd(): void {
    for (const t of this.burstTransports) t.burstEnd?.();
  }

  /** Close every registered transport that can be closed (ICMP and UDP are closed by the stack). */
  closeTransports(): void {
    for (const t of this.protocols) if (t !== undefined && t !== this.icmp) t.close?.();
  }

  transport(protocol: number): TransportProtocol | undefined {
    return this.protocols[protocol];
  }

  maxPayload(_dst: Ipv4Address): number {
    return this.device.mtu - IPV4_HEADER_LEN;
  }

  /**
   * An IPv4 packet at `frame[off]`. `checksumTrusted` comes from the device (FrameInfo);
   * `linkBroadcast` tells that the frame was sent to the Ethernet broadcast address; `looped`
   * that it is one of ours coming back through the loopback queue (its source is our address).
   */
  input(frame: Uint8Array, off: number, checksumTrusted: boolean, linkBroadcast: boolean, looped = false): void {
    const h = this.header;
    const ip = this.counters.ip;
    if (!parseIpv4(frame, off, frame.length - off, h, this.counters.wire)) return;
    ip.received++;
    if (h.dst !== this.address && !this.routes.isBroadcast(h.dst)) {
      ip.notForUs++;
      return;
    }
    const martian = looped ? null : martianSource(h.src, this.routes);
    if (martian !== null) {
      ip[MARTIAN_COUNTER[martian]]++;
      return;
    }
    if (h.isFragment) {
      const whole = this.reassembler.add(h, frame.subarray(off, off + h.totalLength));
      if (whole === null || !parseIpv4(whole, 0, whole.length, h, this.counters.wire)) return;
      // Each fragment's checksum state is unknown once merged: verify the transport checksum.
      this.deliver(whole, 0, false, linkBroadcast);
      return;
    }
    this.deliver(frame, off, checksumTrusted, linkBroadcast);
  }

  /** The IPv4 half of TransportHost.output. */
  output(protocol: number, src: Ipv4Address, dst: Ipv4Address, payload: Uint8Array, options?: IpSendOptions): boolean {
    const ip = this.counters.ip;
    if (src === 0) src = this.address;
    if (src !== this.address) {
      ip.outBadSource++;
      return false;
    }
    const broadcast = this.routes.isBroadcast(dst);
    const local = dst === this.address;
    const nextHop = broadcast || local ? dst : this.routes.nextHop(dst);
    if (nextHop === null) {
      ip.outNoRoute++;
      return false;
    }
    if (payload.length > IPV4_MAX_PACKET_LEN - IPV4_HEADER_LEN) {
      ip.outTooBig++;
      return false;
    }
    const dontFragment = options?.dontFragment === true;
    const ttl = options?.ttl ?? this.config.defaultTtl;
    const tos = options?.tos ?? 0;
    const id = this.identification;
    this.identification = (this.identification + 1) & 0xffff;
    const maxData = this.device.mtu - IPV4_HEADER_LEN;
    if (payload.length <= maxData || local) {
      const frame = this.frame(payload, 0, payload.length, tos, id, dontFragment ? IPV4_FLAG_DF : 0, ttl, protocol, src, dst);
      ip.sent++;
      return this.transmit(frame, nextHop, broadcast, local);
    }
    if (dontFragment) {
      ip.outNeedsFragmentation++;
      return false;
    }
    // Fragment data must come in multiples of 8 bytes, except in the last fragment.
    const chunk = maxData & ~7;
    let ok = true;
    for (let at = 0; at < payload.length; at += chunk) {
      const end = Math.min(payload.length, at + chunk);
      const field = (at >>> 3) | (end < payload.length ? IPV4_FLAG_MF : 0);
      ok = this.transmit(this.frame(payload, at, end, tos, id, field, ttl, protocol, src, dst), nextHop, broadcast, false) && ok;
      ip.fragmentsSent++;
    }
    ip.sent++;
    return ok;
  }

  /** TransportHost.offloads: the link's, for a unicast destination whose next hop is resolved. */
  offloads(dst: Ipv4Address): TransportOffloads {
    const link = this.currentOffloads();
    if (link === NO_OFFLOADS || dst === this.address || this.routes.isBroadcast(dst)) return NO_OFFLOADS;
    const nextHop = this.routes.nextHop(dst);
    return nextHop !== null && this.arp.resolved(nextHop) ? link : NO_OFFLOADS;
  }

  /**
   * The device's offloads as a transport sees them, re-derived when the device has replaced its
   * own (one property read and compare per call: TCP asks once per output pass, outputWith once
   * per packet).
   */
  private currentOffloads(): TransportOffloads {
    const link = this.device.offloads;
    if (link !== this.linkOffloadsOf) {
      this.linkOffloadsOf = link;
      this.linkOffloads = transportOffloads(link);
    }
    return this.linkOffloads;
  }

  /**
   * The IPv4 half of TransportHost.outputWith. Straight to a resolved neighbour (or broadcast) the
   * frame is built where the device transmits from; otherwise (loopback, an unresolved neighbour,
   * fragmentation) the packet takes output()'s path, complete, in a buffer of its own.
   */
  outputWith(protocol: number, src: Ipv4Address, dst: Ipv4Address, length: number, write: PacketWriter, options?: IpSendOptions, offload?: TransportOffload): boolean {
    const ip = this.counters.ip;
    const superPacket = offload !== undefined && offload.segmentSize > 0 && length > offload.headerLength + offload.segmentSize;
    const broadcast = this.routes.isBroadcast(dst);
    const nextHop = broadcast || dst === this.address ? null : this.routes.nextHop(dst);
    const direct = (src === 0 || src === this.address) && (broadcast || (nextHop !== null && this.arp.resolved(nextHop)));
    if (!direct || (length > this.device.mtu - IPV4_HEADER_LEN && !superPacket)) {
      if (superPacket) {
        ip.outTooBig++; // the caller asked for an offload offloads(dst) did not offer
        return false;
      }
      const payload = new Uint8Array(length);
      write(payload, 0, false);
      return this.output(protocol, src, dst, payload, options);
    }
    const frameLength = ETHERNET_HEADER_LEN + IPV4_HEADER_LEN + length;
    const link = this.currentOffloads();
    if (superPacket && (link.maxSuperPacket < length || broadcast)) {
      ip.outTooBig++; // also a super-packet built just before the device stopped segmenting
      return false;
    }
    const inPlace = this.device.frameBuffer?.(frameLength);
    if (inPlace === null && superPacket) {
      ip.outTooBig++; // the device stopped segmenting while making room for it
      return false;
    }
    const frame = inPlace ?? new Uint8Array(frameLength);
    const partial = offload !== undefined && link.checksum;
    const segments = superPacket ? Math.ceil((length - offload.headerLength) / offload.segmentSize) : 1;
    const id = this.identification;
    // The link numbers a super-packet's segments id, id + 1, ...
    this.identification = (id + segments) & 0xffff;
    writeEthernetHeader(frame, broadcast ? BROADCAST_MAC : null, this.device.mac, ETHERTYPE_IPV4);
    const fragmentField = options?.dontFragment === true ? IPV4_FLAG_DF : 0;
    writeIpv4Header(frame, ETHERNET_HEADER_LEN, options?.tos ?? 0, IPV4_HEADER_LEN + length, id, fragmentField, options?.ttl ?? this.config.defaultTtl, protocol, this.address, dst);
    write(frame, ETHERNET_HEADER_LEN + IPV4_HEADER_LEN, partial);
    ip.sent += segments; // the packets that reach the wire, as for any other send
    let tx: TxOffload | undefined;
    if (partial) {
      tx = this.txOffload;
      tx.checksumStart = ETHERNET_HEADER_LEN + IPV4_HEADER_LEN;
      tx.checksumOffset = offload.checksumOffset;
      tx.headerLength = ETHERNET_HEADER_LEN + IPV4_HEADER_LEN + offload.headerLength;
      tx.segmentSize = superPacket ? offload.segmentSize : 0;
    }
    if (nextHop === null) {
      this.device.send(frame, tx);
      return true;
    }
    return this.arp.send(nextHop, frame, tx);
  }

  /**
   * Answer the packet being delivered right now with ICMP port unreachable. `payload` must be the
   * view a transport received in input(); anything else is ignored.
   */
  sendPortUnreachable(payload: Uint8Array): void {
    this.sendErrorForCurrent(payload, ICMP_DEST_UNREACHABLE, ICMP_UNREACH_PORT);
  }

  sendIcmp(dst: Ipv4Address, length: number, write: PacketWriter): boolean {
    return this.outputWith(IPPROTO_ICMP, this.address, dst, length, write);
  }

  /** Cancel every timer and drop looped-back and partially reassembled packets. */
  close(): void {
    this.reassembler.close();
    this.loopbackTimer?.cancel();
    this.loopbackTimer = null;
    this.loopback = [];
  }

  private deliver(buf: Uint8Array, off: number, checksumTrusted: boolean, linkBroadcast: boolean): void {
    const h = this.header;
    const transport = this.protocols[h.protocol];
    const payload = buf.subarray(off + h.headerLength, off + h.totalLength);
    this.current = buf;
    this.currentOff = off;
    this.currentBroadcast = linkBroadcast;
    try {
      if (transport === undefined) {
        this.counters.ip.unknownProtocol++;
        this.sendErrorForCurrent(payload, ICMP_DEST_UNREACHABLE, ICMP_UNREACH_PROTOCOL);
        return;
      }
      this.counters.ip.delivered++;
      transport.input(h.src, h.dst, payload, checksumTrusted);
    } finally {
      this.current = null;
    }
  }

  /**
   * A frame we sent was dropped because ARP could not resolve its next hop: tell the transport
   * that sent it, as an ICMP host unreachable about it would (without putting one on the wire).
   */
  unresolved(frame: Uint8Array): void {
    const h = new Ipv4Header();
    if (!parseQuotedIpv4(frame, ETHERNET_HEADER_LEN, frame.length - ETHERNET_HEADER_LEN, h) || h.fragmentOffset !== 0) return;
    const transport = this.protocols[h.protocol];
    if (transport?.icmpError === undefined || h.protocol === IPPROTO_ICMP) return;
    this.counters.ip.outUnresolvedReported++;
    transport.icmpError("host-unreachable", h.src, h.dst, frame.subarray(ETHERNET_HEADER_LEN + h.headerLength));
  }

  private sendErrorForCurrent(payload: Uint8Array, type: number, code: number): void {
    const buf = this.current;
    if (buf === null || payload.buffer !== buf.buffer) return;
    const h = this.header;
    this.icmp.sendError(type, code, 0, buf, this.currentOff, h.totalLength, h, this.currentBroadcast);
  }

  private reassemblyTimedOut(quote: Uint8Array): void {
    const h = new Ipv4Header();
    if (!parseQuotedIpv4(quote, 0, quote.length, h)) return;
    this.icmp.sendError(ICMP_TIME_EXCEEDED, ICMP_TIME_EXCEEDED_REASSEMBLY, 0, quote, 0, quote.length, h, false);
  }

  /** A frame carrying payload[start, end) with its Ethernet (destination left blank) and IPv4 headers. */
  private frame(payload: Uint8Array, start: number, end: number, tos: number, id: number, fragmentField: number, ttl: number, protocol: number, src: number, dst: number): Uint8Array {
    const length = end - start;
    const frame = new Uint8Array(ETHERNET_HEADER_LEN + IPV4_HEADER_LEN + length);
    writeEthernetHeader(frame, null, this.device.mac, ETHERTYPE_IPV4);
    writeIpv4Header(frame, ETHERNET_HEADER_LEN, tos, IPV4_HEADER_LEN + length, id, fragmentField, ttl, protocol, src, dst);
    frame.set(start === 0 && end === payload.length ? payload : payload.subarray(start, end), ETHERNET_HEADER_LEN + IPV4_HEADER_LEN);
    return frame;
  }

  private transmit(frame: Uint8Array, nextHop: Ipv4Address, broadcast: boolean, local: boolean): boolean {
    if (local) {
      this.counters.ip.loopedBack++;
      this.loopback.push(frame);
      if (this.loopbackTimer === null) this.loopbackTimer = this.clock.setTimer(0, this.drainLoopback);
      return true;
    }
    if (broadcast) {
      frame.set(BROADCAST_MAC, 0);
      this.device.send(frame);
      return true;
    }
    return this.arp.send(nextHop, frame);
  }

  private readonly drainLoopback = (): void => {
    this.loopbackTimer = null;
    const frames = this.loopback;
    this.loopback = [];
    // The packet never left this host, so its transport checksum is as good as the sender's.
    for (const frame of frames) this.input(frame, ETHERNET_HEADER_LEN, true, false, true);
  };
}

/** What a device's offloads give a transport: checksum offload, and super-packets within the IPv4 maximum. */
function transportOffloads(link: LinkOffloads | undefined): TransportOffloads {
  if (link === undefined || !link.checksum) return NO_OFFLOADS;
  const segmentation = Math.min(IPV4_MAX_PACKET_LEN, link.tcpSegmentation - ETHERNET_HEADER_LEN) - IPV4_HEADER_LEN;
  return Object.freeze({ checksum: true, maxSuperPacket: Math.max(0, segmentation) });
}
