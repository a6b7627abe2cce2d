/**
 * The single-producer/single-consumer frame ring shared by the AF_PACKET receive worker (producer)
 * and the main thread (consumer), all in one SharedArrayBuffer:
 *
 *   control  Int32Array: write index (frames published), read index (frames consumed) on separate
 *            cache lines, and worker-side counters
 *   lengths  Int32Array[slots]: bytes in each slot, or TRUNCATED_SLOT for a frame that did not fit
 *   statuses Int32Array[slots]: PACKET_AUXDATA tp_status of each frame (-1: none)
 *   data     slots × slotSize bytes; the worker's recvmmsg writes frames here directly
 *
 * Indices only grow (mod 2^32); slot = index & (slots - 1). The producer publishes with
 * Atomics.store on the write index after the slot contents are written, and the consumer frees
 * each slot with Atomics.store on the read index once its receiver has returned (frames are lent
 * in place), so each side sees the other's bytes in order.
 */

export const WRITE_INDEX = 0;
export const READ_INDEX = 16;
/** Worker counters (only the worker writes them). */
export const RING_FULL_DROPS = 1;
export const TRUNCATED_DROPS = 2;
export const RECEIVE_ERRORS = 3;
export const LAST_ERRNO = 4;
export const WAKEUPS = 5;
const CONTROL_WORDS = 32;

export const TRUNCATED_SLOT = -1;

export interface RxRingLayout {
  /** Number of frame slots, a power of two. */
  slots: number;
  /** Bytes per slot, a multiple of 64. */
  slotSize: number;
}

export class RxRing {
  readonly layout: RxRingLayout;
  readonly memory: SharedArrayBuffer;
  readonly control: Int32Array;
  readonly lengths: Int32Array;
  readonly statuses: Int32Array;
  readonly data: Uint8Array;
  private readonly mask: number;

  /** The bytes a ring of this layout takes (its memory may be larger). */
  static byteLength(layout: RxRingLayout): number {
    const { slots, slotSize } = layout;
    if (!Number.isInteger(slots) || slots < 2 || (slots & (slots - 1)) !== 0) {
      throw new RangeError(`ring slots must be a power of two >= 2, got ${slots}`);
    }
    if (!Number.isInteger(slotSize) || slotSize < 64 || slotSize % 64 !== 0) {
      throw new RangeError(`ring slot size must be a positive multiple of 64, got ${slotSize}`);
    }
    return CONTROL_WORDS * 4 + 2 * slots * 4 + slots * slotSize;
  }

  /**
   * Allocate a ring, or lay it out at the start of `memory` (at least byteLength(layout) bytes):
   * memory the other thread allocated, or checksum memory (wire/checksum-memory.ts) that the
   * device shares with its transmit arena.
   */
  constructor(layout: RxRingLayout, memory?: SharedArrayBuffer) {
    const { slots, slotSize } = layout;
    const size = RxRing.byteLength(layout);
    const controlBytes = CONTROL_WORDS * 4;
    const dataOffset = controlBytes + 2 * slots * 4;
    this.memory = memory ?? new SharedArrayBuffer(size);
    if (this.memory.byteLength < size) throw new RangeError("ring memory is smaller than its layout");
    this.layout = { slots, slotSize };
    this.mask = slots - 1;
    this.control = new Int32Array(this.memory, 0, CONTROL_WORDS);
    this.lengths = new Int32Array(this.memory, controlBytes, slots);
    this.statuses = new Int32Array(this.memory, controlBytes + slots * 4, slots);
    this.data = new Uint8Array(this.memory, dataOffset, slots * slotSize);
  }

  /** The memory of slot `slot` (the worker hands these to recvmmsg). */
  slotView(slot: number): Uint8Array {
    const size = this.layout.slotSize;
    return this.data.subarray(slot * size, (slot + 1) * size);
  }

  slotOf(index: number): number {
    return index & this.mask;
  }

  /** Frames published and not yet consumed (either side may ask). */
  pending(): number {
    return (Atomics.load(this.control, WRITE_INDEX) - Atomics.load(this.control, READ_INDEX)) >>> 0;
  }

  /** Producer: slots it may fill now, contiguous from the write slot (no wrap inside one batch). */
  writableRun(): number {
    const write = Atomics.load(this.control, WRITE_INDEX);
    const free = this.layout.slots - this.pending();
    return Math.min(free, this.layout.slots - this.slotOf(write));
  }

  /** Producer: make `count` more frames visible to the consumer. */
  publish(count: number): void {
    Atomics.store(this.control, WRITE_INDEX, (Atomics.load(this.control, WRITE_INDEX) + count) | 0);
  }

  /** Producer: wake a consumer blocked in Atomics.wait/waitAsync on the write index. */
  notify(): void {
    Atomics.notify(this.control, WRITE_INDEX);
  }

  /** Producer: add to one of its counters. */
  count(counter: number, amount = 1): void {
    Atomics.add(this.control, counter, amount);
  }

  /** Consumer: release `count` consumed slots to the producer. */
  release(count: number): void {
    Atomics.store(this.control, READ_INDEX, (Atomics.load(this.control, READ_INDEX) + count) | 0);
  }

  counter(counter: number): number {
    return Atomics.load(this.control, counter);
  }
}

/** What the main thread hands the receive worker (workerData). */
export interface RxWorkerData {
  packetFd: number;
  wakeFd: number;
  layout: RxRingLayout;
  memory: SharedArrayBuffer;
  /** Most frames per recvmmsg call. */
  batch: number;
}

/** The worker's one message: posted once its bindings are loaded, just before it first polls. */
export const RX_WORKER_READY = "ready";
