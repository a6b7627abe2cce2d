/**
 * IPv4 fragment reassembly (RFC 791 §3.2, RFC 815's hole idea simplified by rejecting overlaps).
 *
 * Choices: a datagram whose fragments overlap with different extents is dropped whole (as Linux
 * does since 2018; overlaps are an attack vector, not something honest senders produce), exact
 * duplicates are ignored; partial datagrams expire after timeoutMs; the bytes held are bounded by
 * maxBytes, the oldest partial datagrams being evicted first.
 */
import type { Clock, Timer } from "../clock.js";
import { readU16, writeU16 } from "../wire/bytes.js";
import { internetChecksum } from "../wire/checksum.js";
import { IPV4_MAX_PACKET_LEN, type Ipv4Header } from "../wire/ipv4.js";
import type { Ipv4Counters } from "./counters.js";

export interface ReassemblyConfig {
  /** How long a partial datagram waits for its missing fragments (default 30 s, as Linux). */
  timeoutMs: number;
  /** Fragment payload bytes held across all partial datagrams (default 256 KiB). */
  maxBytes: number;
}

export const DEFAULT_REASSEMBLY_CONFIG: ReassemblyConfig = { timeoutMs: 30_000, maxBytes: 256 * 1024 };

interface Fragment {
  offset: number;
  data: Uint8Array;
}

interface PartialDatagram {
  key: string;
  /** Header of the fragment at offset 0 (with its options), once it has arrived. */
  firstHeader: Uint8Array | null;
  /** Start of the first fragment's payload, quoted by an ICMP time-exceeded. */
  firstData: Uint8Array | null;
  fragments: Fragment[];
  /** Payload length, known once the last fragment (MF clear) has arrived; -1 before. */
  totalLength: number;
  received: number;
  timer: Timer;
}

/** Called when a datagram expires with its first fragment received: header + start of its data. */
export type ReassemblyTimeoutHandler = (firstFragment: Uint8Array) => void;

export class Ipv4Reassembler {
  /** Map order is insertion order: the first entry is the oldest. */
  private readonly partial = new Map<string, PartialDatagram>();
  private bytesHeld = 0;

  constructor(
    private readonly clock: Clock,
    private readonly counters: Ipv4Counters,
    private readonly onTimeout: ReassemblyTimeoutHandler,
    private readonly config: ReassemblyConfig = DEFAULT_REASSEMBLY_CONFIG,
  ) {}

  /**
   * Add the fragment in `packet` (a whole IPv4 packet, already validated into `h`). Returns the
   * reassembled packet (header of the first fragment, offset and MF cleared, checksum redone)
   * when this fragment completes its datagram, otherwise null.
   */
  add(h: Ipv4Header, packet: Uint8Array): Uint8Array | null {
    this.counters.fragmentsReceived++;
    const data = packet.subarray(h.headerLength, h.totalLength);
    const end = h.fragmentOffset + data.length;
    if ((h.moreFragments && (data.length === 0 || data.length % 8 !== 0)) || h.headerLength + end > IPV4_MAX_PACKET_LEN) {
      this.counters.reassemblyMalformed++;
      return null;
    }
    const key = `${h.src}:${h.dst}:${h.protocol}:${h.identification}`;
    let d = this.partial.get(key);
    if (d === undefined) {
      const created: PartialDatagram = { key, firstHeader: null, firstData: null, fragments: [], totalLength: -1, received: 0, timer: { cancel: () => undefined } };
      created.timer = this.clock.setTimer(this.config.timeoutMs, () => this.expire(created));
      this.partial.set(key, created);
      d = created;
    }
    for (const f of d.fragments) {
      const fEnd = f.offset + f.data.length;
      if (f.offset < end && h.fragmentOffset < fEnd) {
        if (f.offset === h.fragmentOffset && fEnd === end) {
          this.counters.reassemblyDuplicates++;
          return null;
        }
        this.counters.reassemblyOverlaps++;
        this.discard(d);
        return null;
      }
    }
    if (!h.moreFragments) {
      if (d.totalLength !== -1 || d.fragments.some((f) => f.offset + f.data.length > end)) {
        this.counters.reassemblyMalformed++;
        this.discard(d);
        return null;
      }
      d.totalLength = end;
    } else if (d.totalLength !== -1 && end > d.totalLength) {
      this.counters.reassemblyMalformed++;
      this.discard(d);
      return null;
    }
    if (!this.makeRoom(data.length, d)) {
      this.counters.reassemblyEvicted++;
      this.discard(d);
      return null;
    }
    // The frame is only lent (LinkDevice.setReceiver): the fragment's bytes are copied.
    d.fragments.push({ offset: h.fragmentOffset, data: data.slice() });
    d.received += data.length;
    this.bytesHeld += data.length;
    if (h.fragmentOffset === 0) {
      d.firstHeader = packet.slice(0, h.headerLength);
      d.firstData = data.slice(0, 8);
    }
    if (d.totalLength === -1 || d.received !== d.totalLength || d.firstHeader === null) return null;
    return this.complete(d, d.firstHeader);
  }

  /** Cancel every timer and forget every partial datagram. */
  close(): void {
    for (const d of this.partial.values()) d.timer.cancel();
    this.partial.clear();
    this.bytesHeld = 0;
  }

  private complete(d: PartialDatagram, header: Uint8Array): Uint8Array {
    this.discard(d);
    const out = new Uint8Array(header.length + d.totalLength);
    out.set(header);
    for (const f of d.fragments) out.set(f.data, header.length + f.offset);
    writeU16(out, 2, out.length);
    writeU16(out, 6, readU16(out, 6) & 0x4000); // keep DF, clear MF and the offset
    writeU16(out, 10, 0);
    writeU16(out, 10, internetChecksum(out, 0, header.length));
    this.counters.reassembled++;
    return out;
  }

  /** Evict the oldest other partial datagrams until `bytes` more fit; false if they never can. */
  private makeRoom(bytes: number, keep: PartialDatagram): boolean {
    if (bytes > this.config.maxBytes) return false;
    while (this.bytesHeld + bytes > this.config.maxBytes) {
      let oldest: PartialDatagram | undefined;
      for (const d of this.partial.values()) {
        if (d !== keep) {
          oldest = d;
          break;
        }
      }
      if (oldest === undefined) return false;
      this.counters.reassemblyEvicted++;
      this.discard(oldest);
    }
    return true;
  }

  private discard(d: PartialDatagram): void {
    d.timer.cancel();
    if (this.partial.get(d.key) === d) {
      this.partial.delete(d.key);
      this.bytesHeld -= d.received;
    }
  }

  private expire(d: PartialDatagram): void {
    this.counters.reassemblyTimeouts++;
    this.discard(d);
    if (d.firstHeader !== null && d.firstData !== null) {
      const quote = new Uint8Array(d.firstHeader.length + d.firstData.length);
      quote.set(d.firstHeader);
      quote.set(d.firstData, d.firstHeader.length);
      this.onTimeout(quote);
    }
  }
}
