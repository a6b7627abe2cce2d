/**
 * Time source for the user-space stack. Every timer in the stack goes through a Clock so that
 * tests can run on virtual time (ManualClock) and production on the event loop (RealClock).
 */
export interface Timer {
  cancel(): void;
}

export interface Clock {
  /** Milliseconds, monotonic, fractional allowed. */
  now(): number;
  /** Run `fn` once after `delayMs` milliseconds (0 = as soon as possible, never synchronously). */
  setTimer(delayMs: number, fn: () => void): Timer;
}

/** The longest delay one setTimeout waits (2^31-1 ms, about 24.8 days); Node fires a longer one after 1 ms. */
export const MAX_TIMEOUT_MS = 0x7fffffff;

/**
 * Event-loop clock. Timers are unref'd: an idle stack never keeps the process alive by itself. A
 * delay beyond MAX_TIMEOUT_MS (a linger time in seconds can be one) is waited in several timeouts.
 */
export class RealClock implements Clock {
  now(): number {
    return performance.now();
  }
  setTimer(delayMs: number, fn: () => void): Timer {
    return new EventLoopTimer(Math.max(0, delayMs), fn);
  }
}

/** One RealClock timer: a class, so arming one makes no closures (TCP arms timers per segment). */
class EventLoopTimer implements Timer {
  private handle: NodeJS.Timeout;

  constructor(
    delayMs: number,
    private readonly fn: () => void,
  ) {
    this.handle = this.arm(delayMs);
  }

  cancel(): void {
    clearTimeout(this.handle);
  }

  private arm(delay: number): NodeJS.Timeout {
    const ms = Math.min(delay, MAX_TIMEOUT_MS);
    const handle = ms < delay ? setTimeout(() => (this.handle = this.arm(delay - ms)), ms) : setTimeout(this.fn, ms);
    handle.unref();
    return handle;
  }
}

interface PendingTimer {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/**
 * Virtual time for deterministic tests. Nothing happens until the test advances time; timers due
 * at the same instant fire in the order they were set.
 */
export class ManualClock implements Clock {
  private current: number;
  private seq = 0;
  private timers: PendingTimer[] = [];

  constructor(start = 0) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimer(delayMs: number, fn: () => void): Timer {
    const t: PendingTimer = { at: this.current + Math.max(0, delayMs), seq: this.seq++, fn, cancelled: false };
    this.timers.push(t);
    return {
      cancel: () => {
        t.cancelled = true;
      },
    };
  }

  /** Number of live (not cancelled) timers. */
  pending(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }

  private nextDue(): PendingTimer | undefined {
    this.timers = this.timers.filter((t) => !t.cancelled);
    let best: PendingTimer | undefined;
    for (const t of this.timers) {
      if (best === undefined || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    }
    return best;
  }

  /** Fire every timer due up to now + ms, in order, then set the time to now + ms. */
  advance(ms: number): void {
    const end = this.current + ms;
    for (;;) {
      const t = this.nextDue();
      if (t === undefined || t.at > end) break;
      this.current = Math.max(this.current, t.at);
      t.cancelled = true;
      t.fn();
    }
    this.current = end;
  }

  /**
   * Fire timers in time order until `done()` is true or no timer is left. Returns whether `done()`
   * became true. `limitMs` bounds the virtual time that may pass (protects tests from livelock).
   */
  runUntil(done: () => boolean, limitMs = 3_600_000): boolean {
    const end = this.current + limitMs;
    while (!done()) {
      const t = this.nextDue();
      if (t === undefined || t.at > end) return done();
      this.current = Math.max(this.current, t.at);
      t.cancelled = true;
      t.fn();
    }
    return true;
  }
}
