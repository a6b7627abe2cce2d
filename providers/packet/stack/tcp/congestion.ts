/**
 * Congestion window arithmetic: what every algorithm shares (the initial window of RFC 6928,
 * slow start, the loss window after a timeout, restart after idle, the window inflation of
 * NewReno recovery without SACK, undo) and NewReno's own growth and reduction (RFC 5681,
 * RFC 6582). CUBIC (cubic.ts) plugs in the same way. Loss detection and the choice of what to
 * retransmit live in the sender; an algorithm only moves cwnd and ssthresh.
 *
 * A model-based algorithm (BBR, bbr.ts) works from every ACK's delivery rate sample instead
 * (`onAckSample`, called on every ACK whatever the loss state) and sets a pacing rate, which the
 * sender enforces (pacer.ts); the loss-based ones ignore the samples and do not pace.
 */
import type { RateSample } from "./delivery-rate.js";

/** The congestion controls a TCP connection can use (CUBIC is the default). */
export type CongestionControlName = "cubic" | "newreno" | "bbr";

export const CONGESTION_CONTROL_NAMES: readonly CongestionControlName[] = ["cubic", "newreno", "bbr"];

/** What one ACK told the sender, as a model-based algorithm needs it. Times in ms, sizes in bytes. */
export interface AckSample {
  now: number;
  /** The delivery rate sample, with the bytes this ACK delivered and C.delivered. */
  rate: Readonly<RateSample>;
  /** Bytes deemed lost since the previous sample (by this ACK, or by RACK's timer since). */
  lost: number;
  /** pipe before this ACK was processed. */
  priorInflight: number;
  /** pipe after it. */
  inflight: number;
  /** Smoothed RTT (ms), -1 before the first sample. */
  srtt: number;
  /**
   * Declare the connection application-limited until what is in flight is delivered, so that
   * the samples of what is sent meanwhile cannot lower a bandwidth estimate (BBR's ProbeRTT sends
   * little on purpose).
   */
  markAppLimited(): void;
}

export function initialWindow(smss: number): number {
  return Math.min(10 * smss, Math.max(2 * smss, 14600));
}

/** What an algorithm needs to put itself back as it was before a reduction found spurious. */
export interface CongestionSnapshot {
  cwnd: number;
  ssthresh: number;
  /** The algorithm's own state (CUBIC: W_max, K, the epoch...). */
  extra?: unknown;
}

export abstract class CongestionControl {
  abstract readonly name: CongestionControlName;
  cwnd: number;
  ssthresh = Number.MAX_SAFE_INTEGER;
  protected smss: number;

  constructor(smss: number) {
    this.smss = smss;
    this.cwnd = initialWindow(smss);
  }

  /** The handshake fixed the MSS: start from the initial window it implies. */
  startWith(smss: number): void {
    this.smss = smss;
    this.cwnd = initialWindow(smss);
  }

  get inSlowStart(): boolean {
    return this.cwnd < this.ssthresh;
  }

  /**
   * New data acknowledged outside loss recovery. `flightBefore` is what was outstanding before
   * this ACK: a window the sender is not filling is not grown (RFC 7661's idea, in Linux's simple
   * form: grow only while at least half of cwnd is in use), so it cannot balloon while the
   * receiver's window or the application is the limit. `now` and `srtt` (ms, -1 unknown) serve
   * algorithms whose growth depends on time.
   */
  onAck(acked: number, flightBefore: number, now = 0, srtt = -1): void {
    if (2 * flightBefore < this.cwnd) return;
    if (this.cwnd < this.ssthresh) {
      // RFC 5681 (3.2): grow by at most SMSS per ACK in slow start.
      this.cwnd += Math.min(acked, this.smss);
      return;
    }
    this.avoid(acked, now, srtt);
  }

  /** Growth in congestion avoidance. */
  protected abstract avoid(acked: number, now: number, srtt: number): void;

  /** Every ACK, in every loss state, after loss detection: the model-based algorithms' input. */
  onAckSample(_sample: AckSample): void {}

  /**
   * How many congestion windows the send buffer provisions when it sizes itself (Linux's
   * tcp_sndbuf_expand: two, unless the algorithm asks for more): the window in flight, and as much
   * again queued behind it so that each ACK finds data to send.
   */
  get sendBufferCwnds(): number {
    return 2;
  }

  /** The pacing rate in bytes per ms (Infinity: no pacing). `srtt` in ms, -1 unknown. */
  pacingRate(_srtt: number): number {
    return Infinity;
  }

  /** A congestion event (loss detected, not a timeout): set ssthresh; cwnd is the caller's. */
  abstract onCongestion(flightSize: number, now: number): void;

  /** Entering fast recovery. NewReno without SACK inflates by the three duplicates; SACK recovery is pipe-driven. */
  enterRecovery(flightSize: number, sackRecovery: boolean, now = 0): void {
    this.onCongestion(flightSize, now);
    this.cwnd = sackRecovery ? this.ssthresh : this.ssthresh + 3 * this.smss;
  }

  /** NewReno: each further duplicate ACK in recovery inflates the window (RFC 6582 §3.2 step 4). */
  inflate(): void {
    this.cwnd += this.smss;
  }

  /** NewReno partial ACK (RFC 6582 §3.2 step 5): deflate by what was acked, add back one SMSS if that was at least one SMSS. */
  partialAck(acked: number): void {
    this.cwnd = Math.max(this.smss, this.cwnd - acked + (acked >= this.smss ? this.smss : 0));
  }

  /** Full ACK ends recovery (RFC 6582 §3.2 step 3, option 1: no burst larger than one segment beyond the flight). */
  exitRecovery(flightSize: number): void {
    this.cwnd = Math.min(this.ssthresh, Math.max(flightSize, this.smss) + this.smss);
  }

  /** What was outstanding at a timeout has been acknowledged (slow start simply goes on). */
  exitLoss(): void {}

  /** RFC 8985 §7.4: a loss probe repaired a loss, so the window comes down as for fast recovery. */
  onProbeRepairedLoss(flightSize: number, now: number): void {
    this.onCongestion(flightSize, now);
    this.cwnd = Math.max(this.ssthresh, this.smss);
  }

  /**
   * Retransmission timeout: the loss window of one segment (RFC 5681 §3.1). `reduce` is false when
   * ssthresh must stay (the segment already went out again by timer, or fast recovery had
   * reduced it already).
   */
  onTimeout(flightSize: number, reduce: boolean, now = 0): void {
    if (reduce) this.onCongestion(flightSize, now);
    this.cwnd = this.smss;
  }

  /** RFC 5681 §4.1: after an idle period longer than the RTO, restart from the initial window. */
  restartAfterIdle(): void {
    this.cwnd = Math.min(this.cwnd, initialWindow(this.smss));
  }

  snapshot(): CongestionSnapshot {
    return { cwnd: this.cwnd, ssthresh: this.ssthresh };
  }

  /**
   * The reduction since `saved` was spurious (RFC 3708 / RFC 9438 §4.9): back to the window and
   * threshold from before it, unless they have grown past them since.
   */
  undo(saved: CongestionSnapshot): void {
    this.cwnd = Math.max(this.cwnd, saved.cwnd);
    this.ssthresh = Math.max(this.ssthresh, saved.ssthresh);
  }

  /** RFC 5681 (4): ssthresh = max(FlightSize / 2, 2·SMSS). */
  protected halfFlight(flightSize: number): number {
    return Math.max(Math.floor(flightSize / 2), 2 * this.smss);
  }
}

/** NewReno (RFC 5681, RFC 6582): +1 SMSS per window acknowledged, half the flight on loss. */
export class NewRenoCongestion extends CongestionControl {
  readonly name = "newreno";
  /** Bytes acknowledged since cwnd last grew in congestion avoidance (RFC 5681 §3.1 byte counting). */
  private avoidanceCredit = 0;

  protected avoid(acked: number): void {
    this.avoidanceCredit += acked;
    if (this.avoidanceCredit >= this.cwnd) {
      this.avoidanceCredit -= this.cwnd;
      this.cwnd += this.smss;
    }
  }

  onCongestion(flightSize: number): void {
    this.ssthresh = this.halfFlight(flightSize);
    this.avoidanceCredit = 0;
  }
}
