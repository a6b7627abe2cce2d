/**
 * Out-of-order data held by the receiver until the hole before it is filled, and the SACK
 * blocks (RFC 2018) that describe it. Blocks are sorted by sequence number and never overlap;
 * the payloads are views into the received segments (no copy).
 */
import { seqAdd, seqDiff, seqGt, seqLt, seqMax } from "./seq.js";

interface Block {
  seq: number;
  data: Uint8Array;
}

/** How many recently received segments are remembered to order SACK blocks. */
const RECENT = 4;

export class ReassemblyQueue {
  private blocks: Block[] = [];
  /** Start sequence numbers of the most recently received out-of-order segments, newest first. */
  private recent: number[] = [];

  get isEmpty(): boolean {
    return this.blocks.length === 0;
  }

  /** Store `data` at `seq` (the caller has trimmed it to the window); overlapping bytes already held are kept. */
  insert(seq: number, data: Uint8Array): void {
    if (data.length === 0) return;
    const end = seqAdd(seq, data.length);
    let s = seq;
    let i = this.firstEndingAfter(s);
    while (seqLt(s, end)) {
      const block = this.blocks[i];
      if (block === undefined || !seqLt(block.seq, end)) {
        this.insertPiece(i, s, data.subarray(seqDiff(s, seq)));
        break;
      }
      if (seqLt(s, block.seq)) {
        this.insertPiece(i, s, data.subarray(seqDiff(s, seq), seqDiff(block.seq, seq)));
        i++;
      }
      s = seqMax(s, seqAdd(block.seq, block.data.length));
      i++;
    }
    this.noteRecent(seq);
  }

  /**
   * Remove and return the data that starts at or before `rcvNxt`, trimmed to begin exactly at
   * `rcvNxt`; null when the first held block is still beyond a hole.
   */
  takeAt(rcvNxt: number): Uint8Array | null {
    for (;;) {
      const first = this.blocks[0];
      if (first === undefined || seqGt(first.seq, rcvNxt)) return null;
      this.blocks.shift();
      const skip = seqDiff(rcvNxt, first.seq);
      if (skip < first.data.length) return skip === 0 ? first.data : first.data.subarray(skip);
    }
  }

  /**
   * Up to `max` SACK blocks: the one holding the most recently received segment first, then
   * the blocks of earlier recent arrivals, then the rest from the highest down.
   */
  sackBlocks(max: number): Array<[number, number]> {
    const runs = this.runs();
    const out: Array<[number, number]> = [];
    const used = new Set<number>();
    for (const seq of this.recent) {
      if (out.length >= max) return out;
      const k = runs.findIndex(([l, r]) => !seqLt(seq, l) && seqLt(seq, r));
      if (k >= 0 && !used.has(k)) {
        used.add(k);
        out.push(runs[k] as [number, number]);
      }
    }
    for (let k = runs.length - 1; k >= 0 && out.length < max; k--) {
      if (!used.has(k)) out.push(runs[k] as [number, number]);
    }
    return out;
  }

  /** Contiguous runs of held data as [left, right) pairs, in sequence order. */
  private runs(): Array<[number, number]> {
    const runs: Array<[number, number]> = [];
    for (const b of this.blocks) {
      const end = seqAdd(b.seq, b.data.length);
      const last = runs[runs.length - 1];
      if (last !== undefined && last[1] === b.seq) last[1] = end;
      else runs.push([b.seq, end]);
    }
    return runs;
  }

  /** Index of the first block whose end is after `seq` (binary search; blocks are sorted). */
  private firstEndingAfter(seq: number): number {
    let lo = 0;
    let hi = this.blocks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const b = this.blocks[mid] as Block;
      if (seqGt(seqAdd(b.seq, b.data.length), seq)) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  private insertPiece(index: number, seq: number, data: Uint8Array): void {
    if (data.length === 0) return;
    this.blocks.splice(index, 0, { seq, data });
  }

  private noteRecent(seq: number): void {
    const at = this.recent.indexOf(seq);
    if (at >= 0) this.recent.splice(at, 1);
    this.recent.unshift(seq);
    if (this.recent.length > RECENT) this.recent.length = RECENT;
  }
}
