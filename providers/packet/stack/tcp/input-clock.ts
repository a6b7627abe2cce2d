/**
 * The host's clock as TCP reads it: while a received segment is processed, every read gives the
 * same instant, read once when the segment came in (Linux's tcp_mstamp, refreshed once per
 * packet). The input path read the clock about six times per segment (RTT and delivery-rate
 * samples, timestamps, RACK, timers), 8 % of the work per received frame; one instant per segment
 * is also what those samples mean. Outside input (timers, user calls) reads are live.
 */
import type { Clock, Timer } from "../../clock.js";

export class InputClock implements Clock {
  private depth = 0;
  private arrival = 0;

  constructor(private readonly inner: Clock) {}

  now(): number {
    return this.depth > 0 ? this.arrival : this.inner.now();
  }

  setTimer(delayMs: number, fn: () => void): Timer {
    return this.inner.setTimer(delayMs, fn);
  }

  /** A segment came in: reads give this instant until the matching endInput(). */
  beginInput(): void {
    if (this.depth++ === 0) this.arrival = this.inner.now();
  }

  endInput(): void {
    if (this.depth > 0) this.depth--;
  }
}
