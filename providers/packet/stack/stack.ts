/**
 * One user-space IPv4 host on one link: composes a LinkDevice, a Clock, a Random and the
 * configuration into Ethernet input, the ARP cache, IPv4 (with ICMP) and UDP, and offers the
 * TransportHost side to transports such as TCP, which plug in with registerProtocol(). Instances
 * share nothing, so several stacks (on one memory hub, say) run side by side in one process.
 */
import type { Clock } from "../clock.js";
import type { FrameInfo, LinkDevice } from "../link/device.js";
import type { Random } from "../random.js";
import { ETHERNET_HEADER_LEN, ETHERTYPE_ARP, ETHERTYPE_IPV4, parseEthernet } from "../wire/ethernet.js";
import { parseIpv4Address } from "../wire/ipv4-address.js";
import type { WireCounters } from "../wire/counters.js";
import { isBroadcastMac, macEquals } from "../wire/mac.js";
import { ArpCache, DEFAULT_ARP_CONFIG, type ArpConfig } from "./arp-cache.js";
import { StackCounters } from "./counters.js";
import { DEFAULT_ICMP_CONFIG, type IcmpConfig, type IcmpProtocol } from "./icmp.js";
import { DEFAULT_IPV4_CONFIG, Ipv4Layer } from "./ipv4.js";
import { DEFAULT_REASSEMBLY_CONFIG, type ReassemblyConfig } from "./reassembly.js";
import { Ipv4Routes } from "./route.js";
import { IPPROTO_UDP, NO_OFFLOADS, type IpSendOptions, type Ipv4Address, type PacketWriter, type TransportOffload, type TransportOffloads, type TransportProtocol } from "./transport-host.js";
import { Udp, type UdpNetwork } from "./udp.js";

export interface StackConfig {
  /** Our IPv4 address, as uint32 or dotted quad. */
  address: Ipv4Address | string;
  /** Length of the on-link prefix (198.18.0.0/15 → 15). */
  prefixLength: number;
  /** Default gateway inside the on-link prefix; without one, only on-link hosts are reachable. */
  gateway?: Ipv4Address | string;
  /** TTL of packets we originate (default 64). */
  defaultTtl?: number;
  arp?: Partial<ArpConfig>;
  reassembly?: Partial<ReassemblyConfig>;
  icmp?: Partial<IcmpConfig>;
}

function toAddress(value: Ipv4Address | string, what: string): Ipv4Address {
  const addr = typeof value === "string" ? parseIpv4Address(value) : value;
  if (addr === null || !Number.isInteger(addr) || addr < 0 || addr > 0xffffffff) throw new RangeError(`${what} ${String(value)} is not an IPv4 address`);
  return addr;
}

export class Stack implements UdpNetwork {
  readonly address: Ipv4Address;
  readonly routes: Ipv4Routes;
  readonly counters = new StackCounters();
  readonly arp: ArpCache;
  readonly udp: Udp;
  private readonly ip: Ipv4Layer;
  private closed = false;
  /** The device announces the end of each burst of frames (read once: it is the device's for life). */
  private readonly deviceBursts: boolean;
  /** Between a frame from a device that signals bursts and the burst's end. */
  private burst = false;

  constructor(
    private readonly device: LinkDevice,
    readonly clock: Clock,
    readonly random: Random,
    config: StackConfig,
  ) {
    this.address = toAddress(config.address, "address");
    const gateway = config.gateway === undefined ? null : toAddress(config.gateway, "gateway");
    this.routes = new Ipv4Routes(this.address, config.prefixLength, gateway);
    this.arp = new ArpCache(device, clock, this.address, this.counters.arp, this.counters.wire, { ...DEFAULT_ARP_CONFIG, ...config.arp });
    this.ip = new Ipv4Layer(this.address, this.routes, device, this.arp, clock, random, this.counters, {
      defaultTtl: config.defaultTtl ?? DEFAULT_IPV4_CONFIG.defaultTtl,
      reassembly: { ...DEFAULT_REASSEMBLY_CONFIG, ...config.reassembly },
      icmp: { ...DEFAULT_ICMP_CONFIG, ...config.icmp },
    });
    this.arp.onUnresolved = (frame) => this.ip.unresolved(frame);
    this.udp = new Udp(this, random, this.counters.udp, this.counters.wire);
    this.ip.register(IPPROTO_UDP, this.udp);
    this.deviceBursts = device.signalsBurstEnd === true;
    device.setReceiver(this.onFrame, this.onBurstEnd);
  }

  /** TransportHost: a frame of a burst the device will announce the end of is being delivered. */
  get inReceiveBurst(): boolean {
    return this.burst;
  }

  /** TransportHost: the wire counters every decoder of this host reports to. */
  get wireCounters(): WireCounters {
    return this.counters.wire;
  }

  get mac(): Uint8Array {
    return this.device.mac;
  }

  /** ICMP: ping with icmp.sendEcho() and icmp.setEchoReplyHandler(). */
  get icmp(): IcmpProtocol {
    return this.ip.icmp;
  }

  /** Plug a transport in (TCP: IPPROTO_TCP). Throws if the number is taken (UDP and ICMP are built in). */
  registerProtocol(protocol: number, transport: TransportProtocol): void {
    this.ip.register(protocol, transport);
  }

  sourceFor(dst: Ipv4Address): Ipv4Address | null {
    if (dst === this.address || this.routes.isBroadcast(dst)) return this.address;
    return this.routes.nextHop(dst) === null ? null : this.address;
  }

  isLocal(addr: Ipv4Address): boolean {
    return addr === this.address;
  }

  maxPayload(dst: Ipv4Address): number {
    return this.ip.maxPayload(dst);
  }

  output(protocol: number, src: Ipv4Address, dst: Ipv4Address, payload: Uint8Array, options?: IpSendOptions): boolean {
    if (this.closed) return false;
    return this.ip.output(protocol, src, dst, payload, options);
  }

  outputWith(protocol: number, src: Ipv4Address, dst: Ipv4Address, length: number, write: PacketWriter, options?: IpSendOptions, offload?: TransportOffload): boolean {
    if (this.closed) return false;
    return this.ip.outputWith(protocol, src, dst, length, write, options, offload);
  }

  offloads(dst: Ipv4Address): TransportOffloads {
    return this.closed ? NO_OFFLOADS : this.ip.offloads(dst);
  }

  sendPortUnreachable(payload: Uint8Array): void {
    this.ip.sendPortUnreachable(payload);
  }

  /**
   * Stop: close the registered transports (TCP resets what is open), UDP sockets, cancel every
   * timer, drop queued packets, detach from and close the device.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.ip.closeTransports();
    this.closed = true;
    this.device.setReceiver(null);
    this.udp.closeAll();
    this.arp.close();
    this.ip.close();
    await this.device.close();
  }

  private readonly onBurstEnd = (): void => {
    this.burst = false;
    if (!this.closed) this.ip.burstEnd();
  };

  private readonly onFrame = (frame: Uint8Array, info?: FrameInfo): void => {
    if (this.deviceBursts) this.burst = true;
    const link = this.counters.link;
    link.rxFrames++;
    const type = parseEthernet(frame, this.counters.wire);
    if (type < 0) return;
    const broadcast = isBroadcastMac(frame, 0);
    if (!broadcast && !macEquals(frame, 0, this.device.mac)) {
      link.notOurMac++;
      return;
    }
    if (type === ETHERTYPE_IPV4) this.ip.input(frame, ETHERNET_HEADER_LEN, info?.checksumTrusted === true, broadcast);
    else if (type === ETHERTYPE_ARP) this.arp.input(frame, ETHERNET_HEADER_LEN, frame.length - ETHERNET_HEADER_LEN);
    else link.unknownEtherType++;
  };
}
