/**
 * CUBIC congestion control (RFC 9438). The window grows as a cubic function of the time since
 * the last congestion event, plateauing around the window where that event happened (W_max),
 * and never more slowly than a Reno flow would (the "Reno-friendly" estimate W_est). A congestion
 * event multiplies the window by β = 0.7 instead of halving it.
 *
 * The cubic function works in segments and seconds, as the RFC writes it; cwnd itself stays in
 * bytes (fractions allowed). Choices the RFC leaves open: ssthresh comes from cwnd rather than
 * the flight size (allowed by §4.6 because the base class never grows a window the sender is not
 * filling), fast convergence is on, and there is no HyStart++ (slow start is RFC 5681's).
 */
import { CongestionControl, type CongestionSnapshot } from "./congestion.js";

/** RFC 9438 §4.6: multiplicative decrease factor. */
export const CUBIC_BETA = 0.7;
/** RFC 9438 §4.2: the constant C, in segments per second cubed. */
export const CUBIC_C = 0.4;
/** RFC 9438 §4.3: the Reno-friendly additive increase, 3(1-β)/(1+β) segments per RTT. */
const RENO_ALPHA = (3 * (1 - CUBIC_BETA)) / (1 + CUBIC_BETA);

interface CubicState {
  wMax: number;
  k: number;
  epochStart: number;
  cwndEpoch: number;
  wEst: number;
  cwndPrior: number;
  afterTimeout: boolean;
}

export class CubicCongestion extends CongestionControl {
  readonly name = "cubic";
  /** Window (bytes) at the last congestion event, after fast convergence; 0 before any. */
  private wMax = 0;
  /** Seconds from the start of the epoch until W_cubic reaches W_max. */
  private k = 0;
  /** When the current congestion avoidance epoch began (ms), or -1 outside one. */
  private epochStart = -1;
  private cwndEpoch = 0;
  /** The Reno-friendly estimate (bytes). */
  private wEst = 0;
  /** cwnd just before the last reduction: W_est's additive increase becomes 1 once it is reached. */
  private cwndPrior = 0;
  /** The epoch follows a timeout: it starts with K = 0 and W_max = cwnd (§4.8). */
  private afterTimeout = false;

  /** W_cubic(t) in bytes, `t` in seconds since the epoch began. */
  private wCubic(t: number): number {
    const segments = CUBIC_C * (t - this.k) ** 3 + this.wMax / this.smss;
    return segments * this.smss;
  }

  protected avoid(acked: number, now: number, srtt: number): void {
    if (this.epochStart < 0) this.beginEpoch(now);
    const t = (now - this.epochStart) / 1000;
    const rtt = Math.max(0, srtt) / 1000;
    // §4.3: the window a Reno flow with the same loss history would have.
    const alpha = this.wEst >= this.cwndPrior ? 1 : RENO_ALPHA;
    this.wEst += (alpha * acked * this.smss) / this.cwnd;
    if (this.wCubic(t) < this.wEst) {
      this.cwnd = Math.max(this.cwnd, this.wEst);
      return;
    }
    // §4.4/§4.5: head for W_cubic one RTT from now, at most 1.5× the window per RTT.
    const target = Math.min(1.5 * this.cwnd, Math.max(this.cwnd, this.wCubic(t + rtt)));
    this.cwnd += ((target - this.cwnd) * acked) / this.cwnd;
  }

  private beginEpoch(now: number): void {
    this.epochStart = now;
    this.cwndEpoch = this.cwnd;
    this.wEst = this.cwnd;
    if (this.afterTimeout || this.cwnd >= this.wMax) {
      this.afterTimeout = false;
      this.wMax = this.cwnd;
      this.k = 0;
    } else {
      this.k = Math.cbrt((this.wMax - this.cwndEpoch) / this.smss / CUBIC_C);
    }
  }

  onCongestion(_flightSize: number, _now: number): void {
    // §4.7 fast convergence: a flow whose W_max keeps shrinking gives up bandwidth sooner.
    this.wMax = this.cwnd < this.wMax ? (this.cwnd * (1 + CUBIC_BETA)) / 2 : this.cwnd;
    this.cwndPrior = this.cwnd;
    this.ssthresh = Math.max(Math.floor(this.cwnd * CUBIC_BETA), 2 * this.smss);
    this.epochStart = -1;
  }

  override onTimeout(flightSize: number, reduce: boolean, now = 0): void {
    super.onTimeout(flightSize, reduce, now);
    this.epochStart = -1;
    this.afterTimeout = true;
  }

  override restartAfterIdle(): void {
    super.restartAfterIdle();
    this.epochStart = -1; // idle time is not growth time (§5.8)
  }

  override snapshot(): CongestionSnapshot {
    const extra: CubicState = {
      wMax: this.wMax,
      k: this.k,
      epochStart: this.epochStart,
      cwndEpoch: this.cwndEpoch,
      wEst: this.wEst,
      cwndPrior: this.cwndPrior,
      afterTimeout: this.afterTimeout,
    };
    return { cwnd: this.cwnd, ssthresh: this.ssthresh, extra };
  }

  /** §4.9: a spurious congestion event is undone by restoring the state from before it. */
  override undo(saved: CongestionSnapshot): void {
    super.undo(saved);
    const s = saved.extra as CubicState | undefined;
    if (s === undefined) return;
    this.wMax = s.wMax;
    this.k = s.k;
    this.epochStart = s.epochStart;
    this.cwndEpoch = s.cwndEpoch;
    this.wEst = s.wEst;
    this.cwndPrior = s.cwndPrior;
    this.afterTimeout = s.afterTimeout;
  }

  /** For diagnostics and tests: W_max and K. */
  get state(): { wMax: number; k: number } {
    return { wMax: this.wMax, k: this.k };
  }
}
