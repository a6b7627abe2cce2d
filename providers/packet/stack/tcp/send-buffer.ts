/**
 * The send buffer: a byte ring holding everything from the oldest unacknowledged byte to the last
 * byte the user queued. Bytes are addressed by sequence number; `frontSeq` is the sequence number
 * of the first byte held.
 *
 * Its nominal size (`capacity`) is a high-water mark, not a hard limit: the sender appends a whole
 * piece whenever less than that is held and the storage grows past it if need be (a STREAMS
 * module takes a message whenever its queue is below the mark, however large the message).
 * Storage grown that way is given back once everything held is acknowledged.
 */
import { seqAdd, seqDiff } from "./seq.js";

export class SendBuffer {
  private ring: Uint8Array;
  private head = 0;
  private used = 0;
  private nominal: number;
  frontSeq: number;

  constructor(capacity: number, frontSeq: number) {
    this.nominal = Math.max(1, capacity);
    this.ring = new Uint8Array(this.nominal);
    this.frontSeq = frontSeq >>> 0;
  }

  /** The nominal size: the high-water mark. */
  get capacity(): number {
    return this.nominal;
  }

  /** Bytes held (unacknowledged plus not yet sent). */
  get length(): number {
    return this.used;
  }

  /** Room below the nominal size (0 when at or above it). */
  get free(): number {
    return Math.max(0, this.nominal - this.used);
  }

  /** Sequence number one past the last byte held. */
  get endSeq(): number {
    return seqAdd(this.frontSeq, this.used);
  }

  /** Copy all of `data`, growing the storage beyond the nominal size if need be. */
  append(data: Uint8Array): void {
    const need = this.used + data.length;
    if (need > this.ring.length) this.reallocate(Math.max(need, Math.ceil(this.ring.length * 1.5)));
    if (data.length > 0) this.copyIn(data);
  }

  /** Drop the bytes before `seq` (an acknowledgment); bytes not held are ignored. */
  acknowledgeTo(seq: number): void {
    const n = Math.min(Math.max(0, seqDiff(seq, this.frontSeq)), this.used);
    if (n === 0) return;
    this.head = (this.head + n) % this.ring.length;
    this.used -= n;
    this.frontSeq = seqAdd(this.frontSeq, n);
    if (this.used === 0) {
      this.head = 0;
      if (this.ring.length > this.nominal) this.ring = new Uint8Array(this.nominal);
    }
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

  /** Change the nominal size. The storage never shrinks below what is held. */
  resize(capacity: number): void {
    this.nominal = Math.max(1, capacity);
    const size = Math.max(this.nominal, this.used);
    if (size !== this.ring.length) this.reallocate(size);
  }

  private copyIn(data: Uint8Array): void {
    const cap = this.ring.length;
    const n = data.length;
    const tail = (this.head + this.used) % cap;
    const first = Math.min(n, cap - tail);
    this.ring.set(first === n ? data : data.subarray(0, first), tail);
    if (first < n) this.ring.set(data.subarray(first), 0);
    this.used += n;
  }

  private reallocate(size: number): void {
    const next = new Uint8Array(size);
    if (this.used > 0) next.set(this.slice(this.frontSeq, this.used), 0);
    this.ring = next;
    this.head = 0;
  }
}
