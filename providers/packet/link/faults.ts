/**
 * A seeded fault injector wrapping any LinkDevice, in each direction separately: drop, duplicate,
 * reorder (hold a frame until later ones have passed), corrupt (flip bits), truncate and delay, each
 * with its own probability. Every decision comes from the injected Random and every deferred frame
 * goes through the injected Clock, so the same seed over the same traffic gives the same faults.
 */
import type { Clock, Timer } from "../clock.js";
import type { Random } from "../random.js";
import type { FrameInfo, FrameReceiver, LinkDevice, LinkStats } from "./device.js";

/** What the fault injector does to the frames of one direction (probabilities, delays, seeds). */
export interface FaultConfig {
  /** Probabilities in [0, 1] per frame (default 0 each). */
  drop?: number;
  duplicate?: number;
  reorder?: number;
  corrupt?: number;
  truncate?: number;
  delay?: number;
  /** Extra latency of a delayed frame in ms (default 10). */
  delayMs?: number;
  /** How many later frames overtake a reordered frame before it is released (default 1). */
  reorderDepth?: number;
  /** Longest a reordered frame waits for later frames, in ms (default 20). */
  reorderTimeoutMs?: number;
  /** Bits flipped in a corrupted frame (default 1). */
  corruptBits?: number;
  /**
   * First byte that corruption may touch (default 14: past the Ethernet header, whose damage a
   * real NIC's FCS check would catch, so that corruption exercises the IP and transport checksums).
   */
  corruptFrom?: number;
}

/** What one direction did. Once no frame is held or delayed: delivered = frames - dropped + duplicated. */
export interface FaultStats {
  frames: number;
  dropped: number;
  duplicated: number;
  reordered: number;
  corrupted: number;
  truncated: number;
  delayed: number;
  delivered: number;
}

function newStats(): FaultStats {
  return { frames: 0, dropped: 0, duplicated: 0, reordered: 0, corrupted: 0, truncated: 0, delayed: 0, delivered: 0 };
}

interface HeldFrame {
  frame: Uint8Array;
  info: FrameInfo | undefined;
  remaining: number;
  timer: Timer;
}

/** The faults of one direction, passing surviving frames to `emit`. */
class FaultDirection {
  readonly stats = newStats();
  private held: HeldFrame[] = [];
  /** Delayed frames, by the timer that releases them. */
  private readonly delayed = new Map<Timer, { frame: Uint8Array; info: FrameInfo | undefined }>();
  private readonly timers = new Set<Timer>();
  private readonly delayMs: number;
  private readonly reorderDepth: number;
  private readonly reorderTimeoutMs: number;
  private readonly corruptBits: number;
  private readonly corruptFrom: number;

  constructor(
    private readonly config: FaultConfig,
    private readonly clock: Clock,
    private readonly random: Random,
    private readonly emit: (frame: Uint8Array, info: FrameInfo | undefined) => void,
    /** After frames released by a timer: they were a burst of their own. */
    private readonly timerBurstEnd: () => void = () => undefined,
  ) {
    this.delayMs = config.delayMs ?? 10;
    this.reorderDepth = Math.max(1, config.reorderDepth ?? 1);
    this.reorderTimeoutMs = config.reorderTimeoutMs ?? 20;
    this.corruptBits = Math.max(1, config.corruptBits ?? 1);
    this.corruptFrom = config.corruptFrom ?? 14;
  }

  process(frame: Uint8Array, info: FrameInfo | undefined): void {
    this.stats.frames++;
    // Always draw all six decisions, so that which frame gets which fault depends only on its
    // position in the stream, not on which faults happen to be enabled or triggered.
    const r = this.random;
    const drop = r.next() < (this.config.drop ?? 0);
    const truncate = r.next() < (this.config.truncate ?? 0);
    const corrupt = r.next() < (this.config.corrupt ?? 0);
    const duplicate = r.next() < (this.config.duplicate ?? 0);
    const reorder = r.next() < (this.config.reorder ?? 0);
    const delay = r.next() < (this.config.delay ?? 0);
    if (drop) {
      this.stats.dropped++;
      return;
    }
    if (truncate && frame.length > 1) {
      frame = frame.subarray(0, 1 + Math.floor(r.next() * (frame.length - 1)));
      this.stats.truncated++;
    }
    if (corrupt && frame.length > this.corruptFrom) {
      frame = frame.slice();
      const span = frame.length - this.corruptFrom;
      for (let i = 0; i < this.corruptBits; i++) {
        const bit = Math.floor(r.next() * span * 8);
        frame[this.corruptFrom + (bit >>> 3)]! ^= 1 << (bit & 7);
      }
      this.stats.corrupted++;
    }
    if (duplicate) this.stats.duplicated++;
    const copy = duplicate ? frame.slice() : null;
    if (reorder) {
      this.hold(frame, info);
    } else if (delay) {
      this.defer(frame, info);
    } else {
      this.pass(frame, info);
    }
    if (copy !== null) this.pass(copy, info);
  }

  /** Cancel every timer and forget held and delayed frames. */
  stop(): void {
    for (const t of this.timers) t.cancel();
    this.timers.clear();
    this.held = [];
    this.delayed.clear();
  }

  /** Pass every held and delayed frame on now, then stop (a closing sender's frames are on their way). */
  flush(): void {
    const frames = [...this.held, ...this.delayed.values()];
    this.stop();
    for (const f of frames) {
      this.stats.delivered++;
      this.emit(f.frame, f.info);
    }
  }

  private pass(frame: Uint8Array, info: FrameInfo | undefined): void {
    this.stats.delivered++;
    this.emit(frame, info);
    if (this.held.length === 0) return;
    // This frame overtook the held ones: release those that have now been passed often enough.
    for (const h of this.held) h.remaining--;
    const due = this.held.filter((h) => h.remaining <= 0);
    if (due.length === 0) return;
    this.held = this.held.filter((h) => h.remaining > 0);
    for (const h of due) this.release(h);
  }

  private release(h: HeldFrame): void {
    h.timer.cancel();
    this.timers.delete(h.timer);
    this.stats.delivered++;
    this.emit(h.frame, h.info);
  }

  // A held or delayed frame is copied: a received frame is only lent for the call (device.ts).
  private hold(frame: Uint8Array, info: FrameInfo | undefined): void {
    this.stats.reordered++;
    const h: HeldFrame = { frame: frame.slice(), info, remaining: this.reorderDepth, timer: { cancel: () => undefined } };
    h.timer = this.clock.setTimer(this.reorderTimeoutMs, () => {
      this.timers.delete(h.timer);
      this.held = this.held.filter((x) => x !== h);
      this.stats.delivered++;
      this.emit(h.frame, h.info);
      this.timerBurstEnd();
    });
    this.timers.add(h.timer);
    this.held.push(h);
  }

  private defer(lent: Uint8Array, info: FrameInfo | undefined): void {
    this.stats.delayed++;
    const frame = lent.slice();
    const timer = this.clock.setTimer(this.delayMs, () => {
      this.timers.delete(timer);
      this.delayed.delete(timer);
      this.pass(frame, info);
      this.timerBurstEnd();
    });
    this.timers.add(timer);
    this.delayed.set(timer, { frame, info });
  }
}

/** The fault injector's configuration: the faults for each direction (rx: received, tx: sent). */
export interface FaultInjectorConfig {
  /** Faults on frames we send (default none). */
  tx?: FaultConfig;
  /** Faults on frames we receive (default none). */
  rx?: FaultConfig;
}

export class FaultInjector implements LinkDevice {
  private receiver: FrameReceiver | null = null;
  private burstEnd: (() => void) | undefined = undefined;
  private readonly tx: FaultDirection;
  private readonly rx: FaultDirection;

  constructor(private readonly inner: LinkDevice, clock: Clock, random: Random, config: FaultInjectorConfig) {
    this.tx = new FaultDirection(config.tx ?? {}, clock, random, (frame) => inner.send(frame));
    const endBurst = (): void => {
      if (this.receiver !== null && this.signalsBurstEnd) this.burstEnd?.();
    };
    this.rx = new FaultDirection(
      config.rx ?? {},
      clock,
      random,
      (frame, info) => {
        if (this.receiver !== null) this.receiver(frame, info);
      },
      endBurst,
    );
    inner.setReceiver((frame, info) => this.rx.process(frame, info), endBurst);
  }

  /** Bursts are the wrapped device's; a held or delayed frame released by a timer is one of its own. */
  get signalsBurstEnd(): boolean {
    return this.inner.signalsBurstEnd === true;
  }

  get mac(): Uint8Array {
    return this.inner.mac;
  }

  get mtu(): number {
    return this.inner.mtu;
  }

  get txFaults(): Readonly<FaultStats> {
    return this.tx.stats;
  }

  get rxFaults(): Readonly<FaultStats> {
    return this.rx.stats;
  }

  send(frame: Uint8Array): void {
    this.tx.process(frame, undefined);
  }

  stats(): LinkStats {
    return this.inner.stats();
  }

  setReceiver(receiver: FrameReceiver | null, burstEnd?: () => void): void {
    this.receiver = receiver;
    this.burstEnd = burstEnd;
  }

  /** What we sent goes out (held or delayed frames included); what was on its way to us is dropped. */
  async close(): Promise<void> {
    this.tx.flush();
    this.rx.stop();
    this.receiver = null;
    this.inner.setReceiver(null);
    await this.inner.close();
  }
}
