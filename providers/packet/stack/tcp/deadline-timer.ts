/**
 * A restartable one-shot timer over the injected Clock. TCP restarts its retransmission and
 * keepalive timers on almost every ACK; moving a deadline later only updates a field, and the
 * underlying clock timer re-arms itself for the remainder when it fires early. That keeps the
 * clock's timer churn per segment at zero on the hot path.
 */
import type { Clock, Timer } from "../../clock.js";

export class DeadlineTimer {
  private deadline = -1;
  private armedFor = -1;
  private handle: Timer | null = null;
  /** The clock's callback, made when first armed: most of a connection's timers never are. */
  private fireFn: (() => void) | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly onExpire: () => void,
  ) {}

  get running(): boolean {
    return this.deadline >= 0;
  }

  /** Milliseconds until it expires (Infinity when stopped). */
  get remaining(): number {
    return this.deadline < 0 ? Infinity : Math.max(0, this.deadline - this.clock.now());
  }

  /** (Re)start to expire `delayMs` from now. */
  start(delayMs: number): void {
    const at = this.clock.now() + Math.max(0, delayMs);
    this.deadline = at;
    if (this.handle !== null && this.armedFor <= at) return;
    this.handle?.cancel();
    this.arm(at);
  }

  /** Start only if not already running. */
  ensure(delayMs: number): void {
    if (this.deadline < 0) this.start(delayMs);
  }

  stop(): void {
    this.deadline = -1;
    if (this.handle !== null) {
      this.handle.cancel();
      this.handle = null;
    }
  }

  /**
   * Stop, but leave the clock's timer armed: it fires once to no effect, unless a start() before
   * then reuses it. For a timer stopped and restarted on nearly every segment (the delayed ACK),
   * so that each cycle costs no clock timer; stop() is for good (teardown, long timers).
   */
  lapse(): void {
    this.deadline = -1;
  }

  private arm(at: number): void {
    this.armedFor = at;
    this.fireFn ??= () => this.fire();
    this.handle = this.clock.setTimer(at - this.clock.now(), this.fireFn);
  }

  private fire(): void {
    this.handle = null;
    if (this.deadline < 0) return;
    if (this.clock.now() < this.deadline) {
      this.arm(this.deadline);
      return;
    }
    this.deadline = -1;
    this.onExpire();
  }
}
