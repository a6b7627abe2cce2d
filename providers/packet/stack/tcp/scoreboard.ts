/**
 * The sender's scoreboard (RFC 6675 §3), kept per segment as sent: every segment between SND.UNA
 * and SND.NXT with when it last left, whether the receiver SACKed it, whether it is deemed lost,
 * and whether a retransmission of it is in the network. RACK (rack.ts) reads the transmit times;
 * RFC 6675's pipe and NextSeg() read the marks; the delivery rate estimator (delivery-rate.ts)
 * reads the delivery state each transmission was stamped with.
 *
 * Two orders are kept: by sequence number (an array, for SACK blocks and cumulative ACKs) and by
 * transmission (a linked list of the segments in flight, oldest first, for RACK, which walks it
 * only as far as the segments sent before the most recently delivered one).
 *
 * pipe = FlightSize − SACKed − lost + retransmitted-in-flight, in bytes, kept as running sums:
 * a lost segment counts 0, and 1 again once retransmitted; a segment resent without being deemed
 * lost (rescue, probe) counts twice (RFC 6675 §4 "(a)" and "(b)").
 */
import type { StampedSegment, TxStamp } from "./delivery-rate.js";
import { seqAdd, seqDiff, seqGe, seqGt, seqLe, seqLt } from "./seq.js";

/** The stamp of a transmission made without a delivery rate estimator (tests of the scoreboard alone). */
const NO_STAMP: Readonly<TxStamp> = Object.freeze({ delivered: 0, deliveredTime: 0, firstSentTime: 0, appLimited: false });

export class SentSegment implements StampedSegment {
  /** Set while the segment is in the transmission-order list (in flight). */
  prevSent: SentSegment | null = null;
  nextSent: SentSegment | null = null;
  inFlightList = false;
  /** Sent more than once (RACK ignores its ambiguous RTT; undo counts it). */
  retransmitted = false;
  sacked = false;
  lost = false;
  /** A retransmission of it is in the network (counted once more in pipe until SACKed, ACKed or lost again). */
  retransInFlight = false;
  // The delivery state when it last left (delivery-rate.ts).
  txDelivered = 0;
  txDeliveredTime = 0;
  txFirstSentTime = 0;
  txAppLimited = false;

  constructor(
    public start: number,
    public end: number,
    /** When it last left (clock ms). */
    public xmitTime: number,
    /** Order of its last transmission among all of them: orders transmissions within one clock tick. */
    public xmitSerial: number,
  ) {}

  stamp(tx: Readonly<TxStamp>): void {
    this.txDelivered = tx.delivered;
    this.txDeliveredTime = tx.deliveredTime;
    this.txFirstSentTime = tx.firstSentTime;
    this.txAppLimited = tx.appLimited;
  }

  get length(): number {
    return seqDiff(this.end, this.start);
  }
}

/** Called for each segment newly delivered (cumulatively or selectively acknowledged). */
export type DeliveredFn = (segment: SentSegment) => void;

export class Scoreboard {
  private segments: SentSegment[] = [];
  /** segments[head] is the oldest not cumulatively acknowledged. */
  private head = 0;
  private oldestSent: SentSegment | null = null;
  private newestSent: SentSegment | null = null;
  /** Bytes SACKed, deemed lost (and not SACKed), and retransmitted and still in flight. */
  sackedBytes = 0;
  lostBytes = 0;
  retransBytes = 0;
  /** Segments SACKed (RACK's segs_sacked). */
  sackedSegments = 0;
  /** One past the highest byte any SACK block covered (RFC 6675 1.b), or null without SACKs. */
  highSacked: number | null = null;
  /** Lowest index that may hold a lost segment awaiting retransmission. */
  private lostHint = 0;
  /** Transmissions so far (SentSegment.xmitSerial). */
  private serial = 0;

  get count(): number {
    return this.segments.length - this.head;
  }

  get isEmpty(): boolean {
    return this.head === this.segments.length;
  }

  /** The oldest segment not cumulatively acknowledged. */
  get first(): SentSegment | undefined {
    return this.segments[this.head];
  }

  get last(): SentSegment | undefined {
    return this.head < this.segments.length ? this.segments[this.segments.length - 1] : undefined;
  }

  /** The oldest transmission still in flight (the start of RACK's walk). */
  get oldestInFlight(): SentSegment | null {
    return this.oldestSent;
  }

  /** pipe (RFC 6675 §4) given FlightSize = SND.NXT − SND.UNA. */
  pipe(flightSize: number): number {
    return flightSize - this.sackedBytes - this.lostBytes + this.retransBytes;
  }

  /** New data [start, end) left at `now` (it always extends the sequence space), with the delivery state `tx`. */
  sent(start: number, end: number, now: number, tx: Readonly<TxStamp> = NO_STAMP): void {
    const seg = new SentSegment(start, end, now, this.serial++);
    seg.stamp(tx);
    this.segments.push(seg);
    this.link(seg);
  }

  /**
   * Where a retransmission starting with `seg` ends: `seg` and the segments right after it with
   * the same marks (neither SACKed nor being resent, lost alike), up to `maxBytes` in all, the last
   * one cut if need be. Small segments (a zero-window probe's byte, a segment trimmed for options)
   * are so resent together, as full-sized segments.
   */
  extentFrom(seg: SentSegment, maxBytes: number): number {
    const limit = seqAdd(seg.start, maxBytes);
    if (!seqLt(seg.end, limit)) return limit;
    let end = seg.end;
    for (let i = this.indexAt(seg.start) + 1; i > 0 && i < this.segments.length; i++) {
      const next = this.segments[i] as SentSegment;
      if (next.start !== end || next.sacked || next.retransInFlight || next.lost !== seg.lost) break;
      if (!seqLt(next.end, limit)) return limit;
      end = next.end;
    }
    return end;
  }

  /**
   * [start, end) was sent again at `now`: `start` is where a segment starts (retransmissions are
   * built from the scoreboard) and the range may span several; one that `end` cuts is split, and
   * its rest keeps its marks and time.
   */
  resent(start: number, end: number, now: number, tx: Readonly<TxStamp> = NO_STAMP): void {
    for (let i = this.indexAt(start); i >= 0 && i < this.segments.length; i++) {
      let seg = this.segments[i] as SentSegment;
      if (!seqLt(seg.start, end)) break;
      if (seqLt(end, seg.end)) seg = this.split(i, end);
      if (seg.sacked) continue;
      this.unlink(seg);
      seg.retransmitted = true;
      if (!seg.retransInFlight) {
        seg.retransInFlight = true;
        this.retransBytes += seg.length;
      }
      seg.xmitTime = now;
      seg.xmitSerial = this.serial++;
      seg.stamp(tx);
      this.link(seg);
    }
  }

  /** SND.UNA moved to `una`: forget what it covers, telling `delivered` about what was not SACKed. */
  ackTo(una: number, delivered: DeliveredFn): void {
    while (this.head < this.segments.length) {
      const seg = this.segments[this.head] as SentSegment;
      if (seqLe(seg.end, una)) {
        if (!seg.sacked) delivered(seg);
        this.forget(seg);
        this.head++;
        continue;
      }
      if (seqGt(una, seg.start)) {
        // Part of a segment acknowledged (the receiver trimmed it): keep the rest.
        const gone = seqDiff(una, seg.start);
        this.adjust(seg, -gone);
        seg.start = una;
      }
      break;
    }
    this.lostHint = Math.max(this.lostHint, this.head);
    if (this.head > 64 && this.head * 2 > this.segments.length) {
      this.segments = this.segments.slice(this.head);
      this.lostHint -= this.head;
      this.head = 0;
    }
    if (this.isEmpty) this.highSacked = null;
    else if (this.highSacked !== null && seqLe(this.highSacked, una)) this.highSacked = null;
  }

  /**
   * A SACK block [left, right) (already checked to lie within SND.UNA..SND.NXT): mark the
   * segments it covers whole. Returns the bytes newly SACKed.
   */
  sack(left: number, right: number, delivered: DeliveredFn): number {
    let newly = 0;
    for (let i = this.firstEndingAfter(left); i < this.segments.length; i++) {
      const seg = this.segments[i] as SentSegment;
      if (seqGe(seg.start, right)) break;
      if (seg.sacked || seqLt(seg.start, left) || seqGt(seg.end, right)) continue;
      delivered(seg);
      this.unlink(seg);
      if (seg.lost) this.lostBytes -= seg.length;
      if (seg.retransInFlight) this.retransBytes -= seg.length;
      seg.lost = false;
      seg.retransInFlight = false;
      seg.sacked = true;
      this.sackedBytes += seg.length;
      this.sackedSegments++;
      newly += seg.length;
    }
    if (this.highSacked === null || seqGt(right, this.highSacked)) this.highSacked = right;
    return newly;
  }

  /** Deem `seg` lost: it leaves the flight (and a retransmission of it, if any, with it). */
  markLost(seg: SentSegment): void {
    if (seg.sacked) return;
    this.unlink(seg);
    if (seg.retransInFlight) {
      seg.retransInFlight = false;
      this.retransBytes -= seg.length;
    }
    if (!seg.lost) {
      seg.lost = true;
      this.lostBytes += seg.length;
    }
    const i = this.indexAt(seg.start);
    if (i >= 0 && i < this.lostHint) this.lostHint = i;
  }

  /** Deem every segment not SACKed lost (a timeout without RACK, a window shrunk onto data in flight). */
  markAllLost(): void {
    for (let i = this.head; i < this.segments.length; i++) this.markLost(this.segments[i] as SentSegment);
  }

  /** Forget every SACK (the receiver may have reneged, RFC 2018 §8): SACKed segments become lost. */
  clearSacks(): void {
    for (let i = this.head; i < this.segments.length; i++) {
      const seg = this.segments[i] as SentSegment;
      if (!seg.sacked) continue;
      seg.sacked = false;
      this.sackedBytes -= seg.length;
      this.sackedSegments--;
      this.markLost(seg);
    }
    this.highSacked = null;
  }

  /** NextSeg() rule 1: the first segment deemed lost whose retransmission is not in flight. */
  nextLost(): SentSegment | null {
    if (this.lostBytes === 0) return null;
    for (let i = Math.max(this.head, this.lostHint); i < this.segments.length; i++) {
      const seg = this.segments[i] as SentSegment;
      if (seg.lost && !seg.retransInFlight) {
        this.lostHint = i;
        return seg;
      }
    }
    this.lostHint = this.segments.length;
    return null;
  }

  /**
   * NextSeg() rule 3: the first segment neither SACKed, nor deemed lost, nor already resent,
   * that lies below the highest SACKed byte.
   */
  nextUnsackedBelowHighSack(): SentSegment | null {
    const high = this.highSacked;
    if (high === null) return null;
    for (let i = this.head; i < this.segments.length; i++) {
      const seg = this.segments[i] as SentSegment;
      if (seqGe(seg.start, high)) return null;
      if (!seg.sacked && !seg.lost && !seg.retransInFlight && seqLe(seg.end, high)) return seg;
    }
    return null;
  }

  /** NextSeg() rule 4: the highest segment not SACKed (for the rescue retransmission). */
  lastUnsacked(): SentSegment | null {
    for (let i = this.segments.length - 1; i >= this.head; i--) {
      const seg = this.segments[i] as SentSegment;
      if (!seg.sacked) return seg;
    }
    return null;
  }

  /** The first segment not SACKed (what a timeout retransmits first). */
  firstUnsacked(): SentSegment | null {
    for (let i = this.head; i < this.segments.length; i++) {
      const seg = this.segments[i] as SentSegment;
      if (!seg.sacked) return seg;
    }
    return null;
  }

  /** Forget everything (the connection went back to SYN state or closed). */
  clear(): void {
    this.segments = [];
    this.head = 0;
    this.oldestSent = this.newestSent = null;
    this.sackedBytes = this.lostBytes = this.retransBytes = this.sackedSegments = 0;
    this.highSacked = null;
    this.lostHint = 0;
  }

  private forget(seg: SentSegment): void {
    this.unlink(seg);
    this.adjust(seg, -seg.length);
    if (seg.sacked) this.sackedSegments--;
  }

  /** Apply a change of `delta` bytes in `seg`'s length to the running sums. */
  private adjust(seg: SentSegment, delta: number): void {
    if (seg.sacked) this.sackedBytes += delta;
    if (seg.lost) this.lostBytes += delta;
    if (seg.retransInFlight) this.retransBytes += delta;
  }

  /** Cut segments[i] at `at`; the first part (returned) and the rest keep every mark. */
  private split(i: number, at: number): SentSegment {
    const seg = this.segments[i] as SentSegment;
    const rest = new SentSegment(at, seg.end, seg.xmitTime, seg.xmitSerial);
    rest.retransmitted = seg.retransmitted;
    rest.sacked = seg.sacked;
    rest.lost = seg.lost;
    rest.retransInFlight = seg.retransInFlight;
    rest.txDelivered = seg.txDelivered;
    rest.txDeliveredTime = seg.txDeliveredTime;
    rest.txFirstSentTime = seg.txFirstSentTime;
    rest.txAppLimited = seg.txAppLimited;
    seg.end = at;
    this.segments.splice(i + 1, 0, rest);
    if (rest.sacked) this.sackedSegments++;
    if (seg.inFlightList) {
      // The rest takes the same place in transmission order.
      rest.inFlightList = true;
      rest.prevSent = seg;
      rest.nextSent = seg.nextSent;
      if (seg.nextSent !== null) seg.nextSent.prevSent = rest;
      else this.newestSent = rest;
      seg.nextSent = rest;
    }
    return seg;
  }

  private link(seg: SentSegment): void {
    seg.inFlightList = true;
    seg.prevSent = this.newestSent;
    seg.nextSent = null;
    if (this.newestSent !== null) this.newestSent.nextSent = seg;
    else this.oldestSent = seg;
    this.newestSent = seg;
  }

  private unlink(seg: SentSegment): void {
    if (!seg.inFlightList) return;
    seg.inFlightList = false;
    if (seg.prevSent !== null) seg.prevSent.nextSent = seg.nextSent;
    else this.oldestSent = seg.nextSent;
    if (seg.nextSent !== null) seg.nextSent.prevSent = seg.prevSent;
    else this.newestSent = seg.prevSent;
    seg.prevSent = seg.nextSent = null;
  }

  /** Index of the segment starting exactly at `seq`, or -1. */
  private indexAt(seq: number): number {
    const i = this.firstEndingAfter(seq);
    const seg = this.segments[i];
    return seg !== undefined && seg.start === seq ? i : -1;
  }

  /** Index of the first segment (from head) whose end is after `seq` (binary search). */
  private firstEndingAfter(seq: number): number {
    let lo = this.head;
    let hi = this.segments.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (seqLe((this.segments[mid] as SentSegment).end, seq)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
