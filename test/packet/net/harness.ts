/** Shared set-up for stack tests: stacks on a memory hub, a raw port to inject and capture frames. */
import { ManualClock } from "../../../providers/packet/clock.js";
import { SeededRandom } from "../../../providers/packet/random.js";
import { UserHost, type HostConfig } from "../../../providers/packet/host.js";
import { MemoryHub, type MemoryLinkDevice, type MemoryLinkOptions } from "../../../providers/packet/link/memory.js";
import type { LinkDevice } from "../../../providers/packet/link/device.js";
import { Stack, type StackConfig } from "../../../providers/packet/stack/stack.js";
import { ETHERNET_HEADER_LEN, ETHERTYPE_IPV4, writeEthernetHeader } from "../../../providers/packet/wire/ethernet.js";
import { IPV4_HEADER_LEN, writeIpv4Header } from "../../../providers/packet/wire/ipv4.js";

export const NET = 0xc6120000; // 198.18.0.0/24 in these tests
export const ip = (host: number): number => (NET + host) >>> 0;
export const mac = (host: number): Uint8Array => Uint8Array.from([0x02, 0, 0, 0, 0, host]);

export class Net {
  readonly clock = new ManualClock();
  readonly hub: MemoryHub;
  readonly stacks: Stack[] = [];
  readonly hosts: UserHost<MemoryLinkDevice>[] = [];

  constructor(options: MemoryLinkOptions = {}) {
    this.hub = new MemoryHub(this.clock, options);
  }

  /** A stack for host number `host` (198.18.0.host/24, MAC 02:00:00:00:00:host). */
  stack(host: number, config: Partial<StackConfig> = {}, wrap?: (device: MemoryLinkDevice) => LinkDevice): Stack {
    const port = this.hub.attach(mac(host));
    const device = wrap === undefined ? port : wrap(port);
    const s = new Stack(device, this.clock, new SeededRandom(host), { address: ip(host), prefixLength: 24, ...config });
    this.stacks.push(s);
    return s;
  }

  /** A whole host (stack and TCP engine, through the shared composition) for host number `host`. */
  host(host: number, config: Partial<HostConfig> = {}): UserHost<MemoryLinkDevice> {
    const h = UserHost.over(this.hub.attach(mac(host)), { address: ip(host), prefixLength: 24, clock: this.clock, random: new SeededRandom(host), ...config });
    this.hosts.push(h);
    return h;
  }

  /** A raw port that records every frame it sees and can inject frames. */
  raw(host: number): RawPort {
    return new RawPort(this.hub.attach(mac(host)));
  }

  async close(): Promise<void> {
    for (const h of this.hosts) await h.close();
    for (const s of this.stacks) await s.close();
  }
}

export class RawPort {
  readonly frames: Uint8Array[] = [];
  constructor(readonly device: MemoryLinkDevice) {
    device.setReceiver((f) => this.frames.push(f.slice())); // frames are lent for the call
  }
  send(frame: Uint8Array): void {
    this.device.send(frame);
  }
  /** Frames seen with the given EtherType (and IPv4 protocol, if given). */
  seen(etherType: number, protocol?: number): Uint8Array[] {
    return this.frames.filter((f) => f.length >= 14 && ((f[12]! << 8) | f[13]!) === etherType && (protocol === undefined || f[23] === protocol));
  }
}

export interface RawIpv4 {
  id?: number;
  fragmentField?: number;
  ttl?: number;
  tos?: number;
}

/** An Ethernet frame carrying an IPv4 packet built with the wire emitters. */
export function ipv4Frame(dstMac: Uint8Array, srcMac: Uint8Array, src: number, dst: number, protocol: number, payload: Uint8Array, o: RawIpv4 = {}): Uint8Array {
  const frame = new Uint8Array(ETHERNET_HEADER_LEN + IPV4_HEADER_LEN + payload.length);
  writeEthernetHeader(frame, dstMac, srcMac, ETHERTYPE_IPV4);
  writeIpv4Header(frame, ETHERNET_HEADER_LEN, o.tos ?? 0, IPV4_HEADER_LEN + payload.length, o.id ?? 1, o.fragmentField ?? 0, o.ttl ?? 64, protocol, src, dst);
  frame.set(payload, ETHERNET_HEADER_LEN + IPV4_HEADER_LEN);
  return frame;
}

export function bytes(length: number, seed = 1): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 31 + seed * 7) & 0xff);
}
