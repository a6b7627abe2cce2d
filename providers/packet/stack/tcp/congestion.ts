/**
 * NewReno congestion window arithmetic (RFC 5681, RFC 6582), with the initial window of
 * RFC 6928 (IW10: min(10·MSS, max(2·MSS, 14600))). Loss detection and the choice of what to
 * retransmit live in the sender; this class only moves cwnd and ssthresh.
 */
export function initialWindow(smss: number): number {
  return Math.min(10 * smss, Math.max(2 * smss, 14600));
}

export class NewRenoCongestion {
  cwnd: number;
  ssthresh = Number.MAX_SAFE_INTEGER;
  /** Bytes acknowledged since cwnd last grew in congestion avoidance (RFC 5681 §3.1 byte counting). */
  private avoidanceCredit = 0;

  constructor(private smss: number) {
    this.cwnd = initialWindow(smss);
  }

  /** The handshake fixed the MSS: start from the initial window it implies. */
  startWith(smss: number): void {
    this.smss = smss;
    this.cwnd = initialWindow(smss);
  }

  /**
   * New data acknowledged outside loss recovery. `flightBefore` is what was outstanding before
   * this ACK: a window the sender is not filling is not grown (RFC 7661's idea, in Linux's simple
   * form: grow only while at least half of cwnd is in use), so it cannot balloon while the
   * receiver's window or the application is the limit.
   */
  onAck(acked: number, flightBefore: number): void {
    if (2 * flightBefore < this.cwnd) return;
    if (this.cwnd < this.ssthresh) {
      // RFC 5681 (3.2): grow by at most SMSS per ACK in slow start.
      this.cwnd += Math.min(acked, this.smss);
      return;
    }
    this.avoidanceCredit += acked;
    if (this.avoidanceCredit >= this.cwnd) {
      this.avoidanceCredit -= this.cwnd;
      this.cwnd += this.smss;
    }
  }

  /** RFC 5681 (4): ssthresh = max(FlightSize / 2, 2·SMSS). */
  private halve(flightSize: number): void {
    this.ssthresh = Math.max(Math.floor(flightSize / 2), 2 * this.smss);
    this.avoidanceCredit = 0;
  }

  /** Entering fast recovery. NewReno inflates by the three duplicates; SACK recovery is pipe-driven. */
  enterRecovery(flightSize: number, sackRecovery: boolean): void {
    this.halve(flightSize);
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

  /** Full ACK ends recovery (RFC 6582 §3.2 step 3, option 1). */
  exitRecovery(flightSize: number): void {
    this.cwnd = Math.min(this.ssthresh, Math.max(flightSize, this.smss) + this.smss);
  }

  /** Retransmission timeout: RFC 5681 (4) and the loss window of one segment. */
  onTimeout(flightSize: number, firstTimeout: boolean): void {
    // RFC 5681 §3.1: ssthresh is held constant when the segment already went out again by timer.
    if (firstTimeout) this.halve(flightSize);
    this.cwnd = this.smss;
  }

  /** RFC 5681 §4.1: after an idle period longer than the RTO, restart from the initial window. */
  restartAfterIdle(): void {
    this.cwnd = Math.min(this.cwnd, initialWindow(this.smss));
  }
}
