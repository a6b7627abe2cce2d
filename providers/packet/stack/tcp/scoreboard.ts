/**
 * The sender's SACK scoreboard (RFC 6675 §3): which bytes between SND.UNA and SND.NXT the
 * receiver has reported holding. Ranges are [left, right) sequence pairs, sorted and merged.
 * "Holes" are the unSACKed gaps between them; a hole is deemed lost (IsLost) when more than
 * (DupThresh - 1) × SMSS bytes, or DupThresh separate ranges, have been SACKed above it.
 * Everything below `lostBelow` is also deemed lost: that is how a retransmission timeout marks
 * the whole flight lost without forgetting what the receiver holds.
 */
import { seqAdd, seqDiff, seqGe, seqGt, seqLe, seqLt, seqMax, seqMin } from "./seq.js";

export const DUP_THRESH = 3;

export interface Hole {
  start: number;
  end: number;
}

export class SackScoreboard {
  /** Flat [l0, r0, l1, r1, ...] for cache-friendly walks. */
  private edges: number[] = [];
  private total = 0;

  get isEmpty(): boolean {
    return this.edges.length === 0;
  }

  get rangeCount(): number {
    return this.edges.length >> 1;
  }

  clear(): void {
    this.edges = [];
    this.total = 0;
  }

  /**
   * Merge one reported block. Blocks outside (sndUna, sndNxt] are ignored (RFC 2018 says they
   * cannot be valid; a D-SACK below SND.UNA carries nothing for the scoreboard). Returns whether
   * anything new was learned.
   */
  add(left: number, right: number, sndUna: number, sndNxt: number): boolean {
    if (!seqLt(left, right) || !seqGt(right, sndUna) || seqGt(right, sndNxt)) return false;
    const l = seqMax(left, sndUna);
    const before = this.total;
    const merged: number[] = [];
    let nl = l;
    let nr = right;
    let placed = false;
    for (let i = 0; i < this.edges.length; i += 2) {
      const a = this.edges[i] as number;
      const b = this.edges[i + 1] as number;
      if (seqLt(b, nl)) {
        merged.push(a, b);
      } else if (seqGt(a, nr)) {
        if (!placed) {
          merged.push(nl, nr);
          placed = true;
        }
        merged.push(a, b);
      } else {
        nl = seqMin(nl, a);
        nr = seqMax(nr, b);
      }
    }
    if (!placed) merged.push(nl, nr);
    this.edges = merged;
    this.recount();
    return this.total !== before;
  }

  /** SND.UNA advanced: forget what is now cumulatively acknowledged. */
  ackTo(sndUna: number): void {
    let drop = 0;
    while (drop < this.edges.length && seqLe(this.edges[drop + 1] as number, sndUna)) drop += 2;
    if (drop > 0) this.edges.splice(0, drop);
    if (this.edges.length > 0 && seqLt(this.edges[0] as number, sndUna)) this.edges[0] = sndUna;
    this.recount();
  }

  /**
   * RFC 6675 "pipe" in bytes: unSACKed bytes not deemed lost, plus retransmitted bytes
   * (those below HighRxt) still unSACKed.
   */
  pipe(sndUna: number, sndNxt: number, highRxt: number, lostBelow: number, smss: number): number {
    let pipe = 0;
    let start = sndUna;
    let sackedAbove = this.total;
    const ranges = this.edges.length >> 1;
    for (let k = 0; k <= ranges; k++) {
      const end = k < ranges ? (this.edges[2 * k] as number) : sndNxt;
      if (seqLt(start, end)) {
        const len = seqDiff(end, start);
        const lostBySack = sackedAbove > (DUP_THRESH - 1) * smss || ranges - k >= DUP_THRESH;
        if (!lostBySack) {
          // The part below lostBelow is lost after an RTO; only the rest is still in flight.
          const forced = seqGt(lostBelow, start) ? Math.min(len, seqDiff(lostBelow, start)) : 0;
          pipe += len - forced;
        }
        if (seqGt(highRxt, start)) pipe += Math.min(len, seqDiff(highRxt, start));
      }
      if (k < ranges) {
        const l = this.edges[2 * k] as number;
        const r = this.edges[2 * k + 1] as number;
        sackedAbove -= seqDiff(r, l);
        start = r;
      }
    }
    return pipe;
  }

  /**
   * RFC 6675 NextSeg() rule 1: the first lost, unSACKed, not yet retransmitted byte range at or
   * after `highRxt`, at most `smss` long; null if there is none.
   */
  nextLost(sndUna: number, sndNxt: number, highRxt: number, lostBelow: number, smss: number): Hole | null {
    let start = sndUna;
    let sackedAbove = this.total;
    const ranges = this.edges.length >> 1;
    for (let k = 0; k <= ranges; k++) {
      const end = k < ranges ? (this.edges[2 * k] as number) : sndNxt;
      const from = seqMax(start, highRxt);
      if (seqLt(from, end)) {
        const lostBySack = sackedAbove > (DUP_THRESH - 1) * smss || ranges - k >= DUP_THRESH;
        const lostEnd = lostBySack ? end : seqMin(end, lostBelow);
        if (seqLt(from, lostEnd)) return { start: from, end: seqMin(lostEnd, seqAdd(from, smss)) };
      }
      if (k < ranges) {
        const l = this.edges[2 * k] as number;
        const r = this.edges[2 * k + 1] as number;
        sackedAbove -= seqDiff(r, l);
        start = r;
      }
    }
    return null;
  }

  /** Whether the byte at SND.UNA is deemed lost by SACK information (RFC 6675 §5 entry condition). */
  headLost(sndUna: number, smss: number): boolean {
    if (this.edges.length === 0 || seqGe(sndUna, this.edges[0] as number)) return false;
    return this.total > (DUP_THRESH - 1) * smss || this.rangeCount >= DUP_THRESH;
  }

  /** The end of the unSACKed run that starts at `seq` (next SACKed left edge, or `limit`). */
  unsackedEnd(seq: number, limit: number): number {
    for (let i = 0; i < this.edges.length; i += 2) {
      const l = this.edges[i] as number;
      if (seqGt(l, seq)) return seqMin(l, limit);
      if (seqLt(seq, this.edges[i + 1] as number)) return seq;
    }
    return limit;
  }

  private recount(): void {
    let t = 0;
    for (let i = 0; i < this.edges.length; i += 2) t += seqDiff(this.edges[i + 1] as number, this.edges[i] as number);
    this.total = t;
  }
}
