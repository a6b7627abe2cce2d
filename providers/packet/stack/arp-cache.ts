/**
 * The ARP cache (RFC 826, with the RFC 1122 §2.3.2 rules): resolves next hops, queues the frames
 * that wait for a resolution, answers requests for our address and learns from what it hears.
 *
 * Entry life: INCOMPLETE (requests sent every retransmitMs, frames queued) → REACHABLE for
 * reachableMs after the last confirmation → STALE: still used, but the first use sends a unicast
 * request to the old MAC, and an entry that stays unanswered for maxRequests tries is removed. A
 * stale entry whose host moved is thus re-resolved without the sender ever stalling on a queue.
 * Only entries being resolved or probed hold a timer; expiry is computed on use.
 */
import type { Clock, Timer } from "../clock.js";
import type { LinkDevice, TxOffload } from "../link/device.js";
import { ARP_FRAME_LEN, ARP_REPLY, ARP_REQUEST, ArpPacket, parseArp, writeArpFrame } from "../wire/arp.js";
import type { WireCounters } from "../wire/counters.js";
import { ETHERNET_DESTINATION_OFFSET } from "../wire/ethernet.js";
import { MAC_LEN } from "../wire/mac.js";
import type { ArpCounters } from "./counters.js";
import type { Ipv4Address } from "./transport-host.js";

export interface ArpConfig {
  /** How long a confirmed entry is used without question (default 30 s). */
  reachableMs: number;
  /** Interval between requests for an unresolved or stale address (default 1 s). */
  retransmitMs: number;
  /** Requests sent before giving up on an address (default 3). */
  maxRequests: number;
  /** Frames that may wait for one address; more are refused (default 64). */
  queueLimit: number;
  /** Entries kept; the least recently confirmed idle entry goes first (default 512). */
  maxEntries: number;
}

export const DEFAULT_ARP_CONFIG: ArpConfig = { reachableMs: 30_000, retransmitMs: 1_000, maxRequests: 3, queueLimit: 64, maxEntries: 512 };

const BROADCAST_MAC = new Uint8Array(MAC_LEN).fill(0xff);
const ZERO_MAC = new Uint8Array(MAC_LEN);

interface ArpEntry {
  ip: Ipv4Address;
  /** Null while INCOMPLETE. */
  mac: Uint8Array | null;
  /** When the entry turns STALE. */
  staleAt: number;
  /** Requests sent in the current resolution or probe; 0 when none is running. */
  requests: number;
  timer: Timer | null;
  /** Frames waiting for the MAC (INCOMPLETE only), in send order. */
  queue: Uint8Array[];
}

export class ArpCache {
  private readonly entries = new Map<Ipv4Address, ArpEntry>();
  private readonly packet = new ArpPacket();
  /**
   * Told of each queued frame dropped because its next hop never answered, so that the sender can
   * learn the host is unreachable (Linux reports the link failure to the socket the same way).
   */
  onUnresolved: ((frame: Uint8Array) => void) | null = null;

  constructor(
    private readonly device: LinkDevice,
    private readonly clock: Clock,
    private readonly address: Ipv4Address,
    private readonly counters: ArpCounters,
    private readonly wire: WireCounters,
    private readonly config: ArpConfig = DEFAULT_ARP_CONFIG,
  ) {}

  /** The MAC currently cached for `ip` (reachable or stale), for diagnostics and tests. */
  lookup(ip: Ipv4Address): Uint8Array | null {
    return this.entries.get(ip)?.mac?.slice() ?? null;
  }

  /**
   * Send `frame` (Ethernet header written except the destination) to the neighbour `nextHop`,
   * queueing it until resolution if needed. False if it was dropped at once (queue full).
   */
  send(nextHop: Ipv4Address, frame: Uint8Array, offload?: TxOffload): boolean {
    let entry = this.entries.get(nextHop);
    if (entry === undefined) {
      entry = this.createEntry(nextHop, null);
      this.startRequests(entry, BROADCAST_MAC);
    }
    if (entry.mac === null) {
      if (entry.queue.length >= this.config.queueLimit) {
        this.counters.queueOverflows++;
        return false;
      }
      entry.queue.push(frame);
      this.counters.framesQueued++;
      return true;
    }
    const stale = entry.requests === 0 && this.clock.now() >= entry.staleAt;
    frame.set(entry.mac, ETHERNET_DESTINATION_OFFSET);
    this.device.send(frame, offload);
    // The probe goes after the frame: the frame may have been built in the device's transmit
    // memory (frameBuffer), where sending another frame first would overwrite it.
    if (stale) this.startRequests(entry, entry.mac);
    return true;
  }

  /**
   * True when send() to `nextHop` would go straight to the device now: only then may a frame be
   * built in the device's own transmit memory, or ask for its offloads (a queued frame must
   * outlive the device's buffer and be complete).
   */
  resolved(nextHop: Ipv4Address): boolean {
    const entry = this.entries.get(nextHop);
    return entry !== undefined && entry.mac !== null;
  }

  /** An ARP packet at `frame[off]`, `len` bytes long. */
  input(frame: Uint8Array, off: number, len: number): void {
    const p = this.packet;
    if (!parseArp(frame, off, len, p, this.wire)) return;
    if (p.op === ARP_REQUEST) this.counters.requestsReceived++;
    else this.counters.repliesReceived++;
    if (p.senderIp === this.address) {
      // Our own frames do not come back here; anyone else using our address is a conflict.
      this.counters.addressConflicts++;
      return;
    }
    const forUs = p.targetIp === this.address;
    const entry = this.entries.get(p.senderIp);
    // RFC 826: update the sender's entry if we have one, whatever the packet (gratuitous ARP
    // included); create one only when the packet is addressed to us. Sender 0.0.0.0 is an RFC
    // 5227 probe and teaches nothing.
    if (entry !== undefined) {
      this.confirm(entry, p.senderMac);
      this.counters.entriesUpdated++;
    } else if (forUs && p.senderIp !== 0) {
      this.confirm(this.createEntry(p.senderIp, null), p.senderMac);
      this.counters.entriesLearned++;
    } else if (!forUs) {
      this.counters.ignored++;
    }
    if (forUs && p.op === ARP_REQUEST) {
      this.sendArp(p.senderMac, ARP_REPLY, p.senderMac, p.senderIp);
      this.counters.repliesSent++;
    }
  }

  /** Cancel every timer and drop every queued frame. */
  close(): void {
    for (const entry of this.entries.values()) {
      entry.timer?.cancel();
      entry.timer = null;
      entry.queue = [];
    }
    this.entries.clear();
  }

  /** Send an ARP packet from our address, built where the device sends it from when it can. */
  private sendArp(ethernetDestination: Uint8Array, op: number, targetMac: Uint8Array, targetIp: Ipv4Address): void {
    const frame = this.device.frameBuffer?.(ARP_FRAME_LEN) ?? new Uint8Array(ARP_FRAME_LEN);
    writeArpFrame(frame, ethernetDestination, op, this.device.mac, this.address, targetMac, targetIp);
    this.device.send(frame);
  }

  private createEntry(ip: Ipv4Address, mac: Uint8Array | null): ArpEntry {
    if (this.entries.size >= this.config.maxEntries) this.evictOne();
    const entry: ArpEntry = { ip, mac, staleAt: 0, requests: 0, timer: null, queue: [] };
    this.entries.set(ip, entry);
    return entry;
  }

  /** Drop the idle entry closest to going stale (Map order is creation order, so scan for it). */
  private evictOne(): void {
    let victim: ArpEntry | undefined;
    for (const entry of this.entries.values()) {
      if (entry.requests !== 0) continue;
      if (victim === undefined || entry.staleAt < victim.staleAt) victim = entry;
    }
    if (victim === undefined) victim = this.entries.values().next().value;
    if (victim === undefined) return;
    this.counters.unresolvedDropped += victim.queue.length;
    this.remove(victim);
    this.counters.evictions++;
  }

  private remove(entry: ArpEntry): void {
    entry.timer?.cancel();
    entry.timer = null;
    this.entries.delete(entry.ip);
  }

  private confirm(entry: ArpEntry, mac: Uint8Array): void {
    entry.mac = mac.slice();
    entry.staleAt = this.clock.now() + this.config.reachableMs;
    entry.requests = 0;
    entry.timer?.cancel();
    entry.timer = null;
    const queue = entry.queue;
    entry.queue = [];
    for (const frame of queue) {
      frame.set(entry.mac, ETHERNET_DESTINATION_OFFSET);
      this.device.send(frame);
    }
  }

  /** Begin resolving (broadcast) or probing a stale entry (unicast to its old MAC). */
  private startRequests(entry: ArpEntry, destination: Uint8Array): void {
    entry.requests = 0;
    const attempt = (): void => {
      entry.timer = null;
      if (entry.requests >= this.config.maxRequests) {
        this.fail(entry);
        return;
      }
      entry.requests++;
      this.sendArp(destination, ARP_REQUEST, ZERO_MAC, entry.ip);
      this.counters.requestsSent++;
      entry.timer = this.clock.setTimer(this.config.retransmitMs, attempt);
    };
    attempt();
  }

  private fail(entry: ArpEntry): void {
    this.counters.resolutionFailures++;
    this.counters.unresolvedDropped += entry.queue.length;
    const dropped = entry.queue;
    entry.queue = [];
    // Removed first: a handler that sends again starts a fresh resolution.
    this.remove(entry);
    for (const frame of dropped) this.onUnresolved?.(frame);
  }
}
