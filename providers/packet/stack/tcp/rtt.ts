/**
 * Retransmission timeout per RFC 6298: SRTT/RTTVAR smoothing, clamping, exponential backoff.
 * With timestamps every ACK yields a sample, so RFC 7323 Appendix G scales the gains down by the
 * number of samples expected per flight; `expectedSamples` carries that factor (1 without TS).
 */
const ALPHA = 1 / 8;
const BETA = 1 / 4;
const K = 4;
/** Clock granularity G: the stack's timers are millisecond-based. */
const GRANULARITY_MS = 1;

export class RttEstimator {
  /** Smoothed RTT in ms, or -1 before the first sample. */
  srtt = -1;
  rttvar = 0;
  /** Current RTO including backoff. */
  rto: number;
  /** Backoffs since the last sample (RFC 6298 §5.5 keeps the doubled RTO until then). */
  backoffs = 0;
  private baseRto: number;

  constructor(
    private readonly minMs: number,
    private readonly maxMs: number,
    initialMs: number,
  ) {
    this.baseRto = initialMs;
    this.rto = initialMs;
  }

  get hasSample(): boolean {
    return this.srtt >= 0;
  }

  sample(rttMs: number, expectedSamples = 1): void {
    const r = Math.max(0, rttMs);
    if (this.srtt < 0) {
      this.srtt = r;
      this.rttvar = r / 2;
    } else {
      const alpha = ALPHA / expectedSamples;
      const beta = BETA / expectedSamples;
      this.rttvar = (1 - beta) * this.rttvar + beta * Math.abs(this.srtt - r);
      this.srtt = (1 - alpha) * this.srtt + alpha * r;
    }
    this.baseRto = this.clamp(this.srtt + Math.max(GRANULARITY_MS, K * this.rttvar));
    this.backoffs = 0;
    this.rto = this.baseRto;
  }

  /** RFC 6298 §5.5: double the RTO after a timeout. */
  backoff(): void {
    this.backoffs++;
    this.rto = this.clamp(this.rto * 2);
  }

  /** RFC 6298 §5.7: after a retransmitted SYN with no sample, data starts with RTO = 3 s. */
  useSynTimeoutFallback(): void {
    if (this.srtt >= 0) return;
    this.baseRto = this.clamp(3000);
    this.backoffs = 0;
    this.rto = this.baseRto;
  }

  private clamp(ms: number): number {
    return Math.min(this.maxMs, Math.max(this.minMs, ms));
  }
}
