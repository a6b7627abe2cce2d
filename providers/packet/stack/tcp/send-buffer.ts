/**
 * The send buffer: a byte ring holding everything from the oldest unacknowledged byte to the last
 * byte the user queued. Bytes are addressed by sequence number; `frontSeq` is the sequence number
 * of the first byte held.
 *
 * Its nominal size (`capacity`) is a high-water mark, not a hard limit: the sender appends a whole
 * piece whenever less than that is held and the storage grows past it if need be (a STREAMS
 * module takes a message whenever its queue is below the mark, however large the message).
 *
 * The storage is not the nominal size: it starts empty and doubles as data is queued, up to the
 * nominal size (or to what one piece needs beyond it), so an idle connection holds none and a
 * connection sending small messages holds a few KiB. Once everything held is acknowledged, large
 * storage is released and small storage is kept for the next message (as a kernel frees a
 * socket's buffers as ACKs arrive). The nominal size alone says what the user may queue.
 */
import { seqAdd, seqDiff } from "./seq.js";

/** Storage allocated first, and kept once drained (a small message then costs no allocation). */
export const SEND_STORAGE_MIN = 4096;

const EMPTY = new Uint8Array(0);

export class SendBuffer {
  private ring: Uint8Array = EMPTY;
  private head = 0;
  private used = 0;
  private nominal: number;
  frontSeq: number;

  constructor(capacity: number, frontSeq: number) {
    this.nominal = Math.max(1, capacity);
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

  /** Bytes of storage allocated now (memory accounting; not a limit). */
  get storage(): number {
    return this.ring.length;
  }

  /** Sequence number one past the last byte held. */
  get endSeq(): number {
    return seqAdd(this.frontSeq, this.used);
  }

  /** Copy all of `data`, growing the storage (beyond the nominal size if need be). */
  append(data: Uint8Array): void {
    if (data.length === 0) return;
    const need = this.used + data.length;
    if (need > this.ring.length) {
      // Doubling keeps the copies per byte queued constant; capped at the nominal size so that a
      // buffer that fills up holds no more than it may queue, except what one piece needs.
      const doubled = Math.min(Math.max(SEND_STORAGE_MIN, 2 * this.ring.length), this.nominal);
      this.reallocate(Math.max(need, doubled));
    }
    this.copyIn(data);
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
      if (this.ring.length > SEND_STORAGE_MIN) this.ring = EMPTY;
    }
  }

  /**
   * The `len` bytes starting at `seq`: a view when contiguous in the ring, a copy only when the
   * range wraps around its end. Valid until the next write.
   */
  slice(seq: number, len: number): Uint8Array {
    const offset = seqDiff(seq, this.frontSeq);
    if (offset < 0 || len < 0 || offset + len > this.used) throw new RangeError("SendBuffer.slice outside the buffered data");
    if (len === 0) return EMPTY;
    const cap = this.ring.length;
    const start = (this.head + offset) % cap;
    if (start + len <= cap) return this.ring.subarray(start, start + len);
    const out = new Uint8Array(len);
    const first = cap - start;
    out.set(this.ring.subarray(start, cap), 0);
    out.set(this.ring.subarray(0, len - first), first);
    return out;
  }

  /** Change the nominal size. Storage beyond the new size is given back, never below what is held. */
  resize(capacity: number): void {
    this.nominal = Math.max(1, capacity);
    const keep = Math.max(this.nominal, this.used);
    if (this.ring.length <= keep) return; // grows lazily, as data is queued
    if (this.used === 0) this.ring = EMPTY;
    else this.reallocate(keep);
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
    if (this.used > 0) {
      // The held bytes, unwrapped to the start of the new storage.
      const cap = this.ring.length;
      const first = Math.min(this.used, cap - this.head);
      next.set(this.ring.subarray(this.head, this.head + first), 0);
      if (first < this.used) next.set(this.ring.subarray(0, this.used - first), first);
    }
    this.ring = next;
    this.head = 0;
  }
}
