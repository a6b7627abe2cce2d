/**
 * The bounded send buffer: a byte ring holding everything from the oldest unacknowledged byte
 * to the last byte the user queued. Bytes are addressed by sequence number; `frontSeq` is the
 * sequence number of the first byte held.
 */
import { seqAdd, seqDiff } from "./seq.js";

export class SendBuffer {
  private ring: Uint8Array;
  private head = 0;
  private used = 0;
  frontSeq: number;

  constructor(capacity: number, frontSeq: number) {
    this.ring = new Uint8Array(capacity);
    this.frontSeq = frontSeq >>> 0;
  }

  get capacity(): number {
    return this.ring.length;
  }

  /** Bytes held (unacknowledged plus not yet sent). */
  get length(): number {
    return this.used;
  }

  get free(): number {
    return this.ring.length - this.used;
  }

  /** Sequence number one past the last byte held. */
  get endSeq(): number {
    return seqAdd(this.frontSeq, this.used);
  }

  /** Copy as much of `data` as fits; returns the number of bytes taken. */
  write(data: Uint8Array): number {
    const n = Math.min(data.length, this.free);
    if (n === 0) return 0;
    const cap = this.ring.length;
    const tail = (this.head + this.used) % cap;
    const first = Math.min(n, cap - tail);
    this.ring.set(first === data.length ? data : data.subarray(0, first), tail);
    if (first < n) this.ring.set(data.subarray(first, n), 0);
    this.used += n;
    return n;
  }

  /** Drop the bytes before `seq` (an acknowledgment); bytes not held are ignored. */
  acknowledgeTo(seq: number): void {
    const n = Math.min(Math.max(0, seqDiff(seq, this.frontSeq)), this.used);
    if (n === 0) return;
    this.head = (this.head + n) % this.ring.length;
    this.used -= n;
    this.frontSeq = seqAdd(this.frontSeq, n);
    if (this.used === 0) this.head = 0;
  }

  /**
   * The `len` bytes starting at `seq`: a view when contiguous in the ring, a copy only when the
   * range wraps around its end. Valid until the next write.
   */
  slice(seq: number, len: number): Uint8Array {
    const offset = seqDiff(seq, this.frontSeq);
    if (offset < 0 || len < 0 || offset + len > this.used) throw new RangeError("SendBuffer.slice outside the buffered data");
    const cap = this.ring.length;
    const start = (this.head + offset) % cap;
    if (start + len <= cap) return this.ring.subarray(start, start + len);
    const out = new Uint8Array(len);
    const first = cap - start;
    out.set(this.ring.subarray(start, cap), 0);
    out.set(this.ring.subarray(0, len - first), first);
    return out;
  }

  /** Change the capacity; never below what is held. */
  resize(capacity: number): void {
    const cap = Math.max(capacity, this.used, 1);
    if (cap === this.ring.length) return;
    const next = new Uint8Array(cap);
    if (this.used > 0) next.set(this.slice(this.frontSeq, this.used), 0);
    this.ring = next;
    this.head = 0;
  }
}
