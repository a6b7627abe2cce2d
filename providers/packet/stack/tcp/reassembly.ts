/**
 * Out-of-order data held by the receiver until the hole before it is filled, and the SACK
 * blocks (RFC 2018) that describe it. Data is kept as runs: maximal stretches of contiguous
 * bytes, sorted by sequence number, with holes between them, so that the SACK blocks are the
 * runs themselves and every lookup is a binary search.
 *
 * The data handed to insert() is lent (a view of the link's frame): every piece stored is a copy
 * of exactly its bytes. A hostile peer can send one byte at every other sequence number of the
 * window; each byte then becomes a piece of its own, so at most `maxPieces` pieces are held; a
 * segment that would need more is refused and counted (the sender retransmits it once the hole
 * before it is filled).
 */
import { seqAdd, seqDiff, seqGt, seqLt } from "./seq.js";

interface Run {
  /** Sequence number of the first byte not yet taken. */
  seq: number;
  /** Sequence number just past the last byte. */
  end: number;
  /** Contiguous pieces; those before `head` were taken already. */
  pieces: Uint8Array[];
  head: number;
}

/** How many recently received segments are remembered to order SACK blocks. */
const RECENT = 4;
/** Pieces held at most (Linux prunes its out-of-order queue under memory pressure instead). */
export const DEFAULT_MAX_PIECES = 4096;

export class ReassemblyQueue {
  private runs: Run[] = [];
  private pieceCount = 0;
  /** Start sequence numbers of the most recently received out-of-order segments, newest first. */
  private recent: number[] = [];
  /** Segments refused because `maxPieces` pieces were held. */
  refused = 0;
  /** The first range the last insert() found already held (a duplicate, for D-SACK), or null. */
  duplicate: [number, number] | null = null;

  constructor(private readonly maxPieces = DEFAULT_MAX_PIECES) {}

  get isEmpty(): boolean {
    return this.runs.length === 0;
  }

  /**
   * Store a copy of `data` at `seq` (the caller has trimmed it to the window); overlapping bytes
   * already held are kept. Returns false when the segment was refused (too many pieces held).
   */
  insert(seq: number, data: Uint8Array): boolean {
    if (data.length === 0) return true;
    const end = seqAdd(seq, data.length);
    // The runs this segment overlaps or touches: [first, last).
    const first = this.firstEndingAtOrAfter(seq);
    let last = first;
    while (last < this.runs.length && !seqGt((this.runs[last] as Run).seq, end)) last++;
    // The parts of the segment no run holds yet.
    const gaps: Array<{ at: number; piece: Uint8Array }> = [];
    this.duplicate = null;
    let s = seq;
    for (let k = first; k < last && seqLt(s, end); k++) {
      const run = this.runs[k] as Run;
      if (seqLt(s, run.seq)) gaps.push({ at: k, piece: data.subarray(seqDiff(s, seq), seqDiff(run.seq, seq)) });
      const overlapStart = seqGt(run.seq, s) ? run.seq : s;
      const overlapEnd = seqLt(run.end, end) ? run.end : end;
      if (this.duplicate === null && seqLt(overlapStart, overlapEnd)) this.duplicate = [overlapStart, overlapEnd];
      if (seqGt(run.end, s)) s = run.end;
    }
    if (seqLt(s, end)) gaps.push({ at: last, piece: data.subarray(seqDiff(s, seq)) });
    this.noteRecent(seq);
    if (gaps.length === 0) return true;
    if (this.pieceCount + gaps.length > this.maxPieces) {
      this.refused++;
      return false;
    }
    this.pieceCount += gaps.length;
    // Merge the touched runs and the new pieces into one run, in sequence order.
    const merged: Run = { seq: gaps[0]!.at === first ? seq : (this.runs[first] as Run).seq, end: seq, pieces: [], head: 0 };
    let g = 0;
    for (let k = first; k <= last; k++) {
      while (g < gaps.length && gaps[g]!.at === k) merged.pieces.push(gaps[g++]!.piece.slice());
      if (k === last) break;
      const run = this.runs[k] as Run;
      for (let p = run.head; p < run.pieces.length; p++) merged.pieces.push(run.pieces[p] as Uint8Array);
    }
    const lastRun = last > first ? (this.runs[last - 1] as Run) : null;
    merged.end = lastRun !== null && seqGt(lastRun.end, end) ? lastRun.end : end;
    this.runs.splice(first, last - first, merged);
    return true;
  }

  /**
   * Remove and return the next piece that starts at or before `rcvNxt`, trimmed to begin exactly
   * at `rcvNxt`; null when the first held run is still beyond a hole.
   */
  takeAt(rcvNxt: number): Uint8Array | null {
    for (;;) {
      const run = this.runs[0];
      if (run === undefined || seqGt(run.seq, rcvNxt)) return null;
      const piece = run.pieces[run.head] as Uint8Array;
      run.pieces[run.head] = EMPTY; // let it go as soon as the caller does
      run.head++;
      this.pieceCount--;
      const start = run.seq;
      run.seq = seqAdd(run.seq, piece.length);
      if (run.head === run.pieces.length) this.runs.shift();
      const skip = seqDiff(rcvNxt, start);
      if (skip < piece.length) return skip <= 0 ? piece : piece.subarray(skip);
    }
  }

  /**
   * Up to `max` SACK blocks: the run holding the most recently received segment first, then the
   * runs of earlier recent arrivals, then the rest from the highest down.
   */
  sackBlocks(max: number): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    const used = new Set<number>();
    for (const seq of this.recent) {
      if (out.length >= max) return out;
      const k = this.firstEndingAtOrAfter(seqAdd(seq, 1));
      const run = this.runs[k];
      if (run !== undefined && !seqLt(seq, run.seq) && !used.has(k)) {
        used.add(k);
        out.push([run.seq, run.end]);
      }
    }
    for (let k = this.runs.length - 1; k >= 0 && out.length < max; k--) {
      const run = this.runs[k] as Run;
      if (!used.has(k)) out.push([run.seq, run.end]);
    }
    return out;
  }

  /** Index of the first run whose end is at or after `seq` (binary search; runs are sorted). */
  private firstEndingAtOrAfter(seq: number): number {
    let lo = 0;
    let hi = this.runs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (seqLt((this.runs[mid] as Run).end, seq)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private noteRecent(seq: number): void {
    const at = this.recent.indexOf(seq);
    if (at >= 0) this.recent.splice(at, 1);
    this.recent.unshift(seq);
    if (this.recent.length > RECENT) this.recent.length = RECENT;
  }
}

const EMPTY = new Uint8Array(0);
