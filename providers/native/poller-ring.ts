/**
 * The readiness ring between the poller worker (producer) and the main thread (consumer): one
 * SharedArrayBuffer holding a control block and `capacity` entries of (token, events).
 *
 *   control  Int32Array: write index (entries published) and read index (entries consumed) on
 *            separate cache lines, and the worker's counters
 *   entries  Int32Array[2 * capacity]: token and epoll events of each ready descriptor
 *
 * Indices only grow (mod 2^32); entry = index & (capacity - 1). The producer writes an entry, then
 * publishes it with Atomics.store on the write index; the consumer reads it, then frees it with
 * Atomics.store on the read index (the same discipline as the AF_PACKET frame ring).
 */

export const WRITE_INDEX = 0;
export const READ_INDEX = 16;
/** Times epoll_wait returned with something to publish (the worker's wake-ups). */
export const WAKEUPS = 1;
/** errno of a failed epoll_wait that ended the worker, 0 if none. */
export const LAST_ERRNO = 2;
const CONTROL_WORDS = 32;

export class EventRing {
  readonly memory: SharedArrayBuffer;
  readonly control: Int32Array;
  private readonly entries: Int32Array;
  private readonly mask: number;

  /** Allocate a ring, or map the one the other thread allocated when `memory` is given. */
  constructor(
    readonly capacity: number,
    memory?: SharedArrayBuffer,
  ) {
    if (!Number.isInteger(capacity) || capacity < 2 || (capacity & (capacity - 1)) !== 0) {
      throw new RangeError(`ring capacity must be a power of two >= 2, got ${capacity}`);
    }
    const size = (CONTROL_WORDS + 2 * capacity) * 4;
    this.memory = memory ?? new SharedArrayBuffer(size);
    if (this.memory.byteLength !== size) throw new RangeError("ring memory does not match its capacity");
    this.mask = capacity - 1;
    this.control = new Int32Array(this.memory, 0, CONTROL_WORDS);
    this.entries = new Int32Array(this.memory, CONTROL_WORDS * 4, 2 * capacity);
  }

  /** Entries published and not yet consumed. */
  pending(): number {
    return (Atomics.load(this.control, WRITE_INDEX) - Atomics.load(this.control, READ_INDEX)) >>> 0;
  }

  /** Producer: write entry `k` past the write index (not visible until publish). */
  put(k: number, token: number, events: number): void {
    const slot = ((Atomics.load(this.control, WRITE_INDEX) + k) & this.mask) * 2;
    this.entries[slot] = token;
    this.entries[slot + 1] = events;
  }

  /** Producer: make `count` written entries visible and wake a waiting consumer. */
  publish(count: number): void {
    Atomics.store(this.control, WRITE_INDEX, (Atomics.load(this.control, WRITE_INDEX) + count) | 0);
    Atomics.notify(this.control, WRITE_INDEX);
  }

  /** Consumer: the token and events at `index`. */
  token(index: number): number {
    return this.entries[(index & this.mask) * 2]!;
  }

  events(index: number): number {
    return this.entries[(index & this.mask) * 2 + 1]! >>> 0;
  }

  /** Consumer: entries up to `index` are consumed; the producer may reuse them. */
  releaseTo(index: number): void {
    Atomics.store(this.control, READ_INDEX, index | 0);
    Atomics.notify(this.control, READ_INDEX);
  }

  counter(which: number): number {
    return Atomics.load(this.control, which);
  }
}

/** What the main thread hands the poller worker (workerData). */
export interface PollerWorkerData {
  epollFd: number;
  memory: SharedArrayBuffer;
  capacity: number;
}

/** The token of the stop eventfd in the epoll set (descriptor tokens start at 1). */
export const STOP_TOKEN = 0;
