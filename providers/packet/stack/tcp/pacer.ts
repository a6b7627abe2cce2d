/**
 * Pacing: spreading a connection's transmissions at a rate the congestion control chooses, instead
 * of sending a window's worth the moment ACKs open it. A token bucket on the injected Clock: credit
 * accrues at the pacing rate up to a burst, each transmission spends its size, and the sender
 * sends while credit is not negative (so the last segment of a quota overdraws it by less than
 * one segment, which the next tick pays back).
 *
 * When the credit runs out the sender waits for a timer, at least PACING_TICK_MS away, and then
 * sends everything the elapsed time has paid for: a quota of segments per tick rather than a
 * timer per segment (a timer per segment would cost more than the segments at high rates, and a
 * clock with millisecond timers could not keep it anyway). The burst holds PACING_BURST_MS of
 * credit (at least two segments), so a tick that fires late is not lost to the rate, while at
 * most that much can leave back to back.
 */

/** The shortest wait for credit (ms): the granularity of the pacing timer. */
export const PACING_TICK_MS = 1;
/** The credit the bucket holds at most, in ms at the pacing rate. */
export const PACING_BURST_MS = 2;
/** Credit this close to 0 is 0: waiting exactly the computed time may fall short by a rounding error. */
const CREDIT_EPSILON = 1e-6;

export class Pacer {
  /** Bytes per ms; Infinity = no pacing. */
  private rateValue = Infinity;
  private credit = 0;
  private burst = 0;
  private refilledAt = -Infinity;

  /** Bytes per ms (Infinity when not pacing). */
  get rate(): number {
    return this.rateValue;
  }

  get pacing(): boolean {
    return this.rateValue !== Infinity;
  }

  /** Pace at `bytesPerMs` from `now` (Infinity: stop pacing); `smss` sizes the smallest burst. */
  setRate(bytesPerMs: number, smss: number, now: number): void {
    if (!(bytesPerMs > 0)) throw new RangeError(`pacing rate must be positive, got ${bytesPerMs}`);
    if (bytesPerMs === this.rateValue) return;
    if (this.pacing) this.refill(now);
    const starting = !this.pacing;
    this.rateValue = bytesPerMs;
    this.burst = Math.max(2 * smss, bytesPerMs * PACING_BURST_MS);
    if (starting) {
      this.credit = this.burst;
      this.refilledAt = now;
    } else if (this.credit > this.burst) {
      this.credit = this.burst;
    }
  }

  /** Whether a transmission may leave now. */
  ready(now: number): boolean {
    if (!this.pacing) return true;
    this.refill(now);
    return this.credit >= -CREDIT_EPSILON;
  }

  /** A transmission of `bytes` left at `now`. */
  spend(bytes: number, now: number): void {
    if (!this.pacing) return;
    this.refill(now);
    this.credit -= bytes;
  }

  /** How long (ms) until a transmission may leave, never less than one tick; 0 when it may now. */
  delay(now: number): number {
    if (this.ready(now)) return 0;
    return Math.max(PACING_TICK_MS, -this.credit / this.rateValue);
  }

  private refill(now: number): void {
    const elapsed = now - this.refilledAt;
    if (elapsed <= 0) return;
    this.refilledAt = now;
    this.credit = Math.min(this.burst, this.credit + elapsed * this.rateValue);
  }
}
