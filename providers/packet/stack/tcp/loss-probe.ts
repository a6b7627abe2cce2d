/**
 * Tail loss probe (RFC 8985 §7). When the last segments of a flight are lost, no later segment
 * reaches the receiver to reveal the loss, so nothing arrives until the retransmission timer
 * (at least 200 ms). Instead, after about two round trips of silence, the sender sends one probe:
 * new data if it can, otherwise the last segment again. The probe's ACK (or its SACK) shows RACK
 * what was lost, and fast recovery repairs it.
 *
 * This class holds the probe's state (TLP.end_seq, TLP.is_retrans) and decides what its ACK means;
 * the sender decides when a probe may be scheduled and what it carries.
 */
import { seqGe, seqGt, seqLt } from "./seq.js";

/** TLP.max_ack_delay: the worst delayed-ACK timer a peer may run (RFC 8985 §7.2: 200 ms). */
export const MAX_ACK_DELAY_MS = 200;
/** PTO before any RTT sample (RFC 8985 §7.2: 1 s). */
const PTO_WITHOUT_SAMPLE_MS = 1000;

/** What an ACK says about the outstanding probe. */
export type ProbeOutcome =
  /** No probe outstanding, or its fate is not known yet. */
  | "pending"
  /** The probe carried new data, or its retransmission was a duplicate (D-SACK): nothing was lost. */
  | "harmless"
  /** The probe's retransmission repaired a loss: the congestion window must be reduced. */
  | "repaired";

export class LossProbe {
  /** TLP.end_seq: SND.NXT just after the outstanding probe left, or null. */
  endSeq: number | null = null;
  /** TLP.is_retrans: the outstanding probe was a retransmission. */
  isRetransmission = false;
  /** First sequence number the outstanding probe carried. */
  private start = 0;
  probesSent = 0;

  /**
   * PTO (RFC 8985 §7.2): 2·SRTT, plus the peer's worst delayed-ACK time when one segment is in
   * flight (its ACK may be held), never less than `minMs` and never later than the RTO.
   */
  static timeout(srtt: number, oneSegmentInFlight: boolean, rtoRemaining: number, minMs: number): number {
    const pto = srtt >= 0 ? 2 * srtt + (oneSegmentInFlight ? MAX_ACK_DELAY_MS : 0) : PTO_WITHOUT_SAMPLE_MS;
    return Math.max(0, Math.min(Math.max(pto, minMs), rtoRemaining));
  }

  get outstanding(): boolean {
    return this.endSeq !== null;
  }

  /** A probe of [start, ...) left; SND.NXT is now `endSeq`. */
  sent(start: number, endSeq: number, retransmission: boolean): void {
    this.start = start;
    this.endSeq = endSeq;
    this.isRetransmission = retransmission;
    this.probesSent++;
  }

  /** Whether a D-SACK for [left, right) is about the outstanding probe. */
  overlaps(left: number, right: number): boolean {
    return this.endSeq !== null && seqLt(left, this.endSeq) && seqGt(right, this.start);
  }

  /**
   * RFC 8985 §7.4: an ACK of `ack`. `dsackCoversProbe` tells that it carried a D-SACK for the
   * probe's bytes; `pureDuplicate` that it acknowledged nothing new and carried no SACK block.
   */
  onAck(ack: number, dsackCoversProbe: boolean, pureDuplicate: boolean): ProbeOutcome {
    const end = this.endSeq;
    if (end === null || !seqGe(ack, end)) return "pending";
    if (!this.isRetransmission || dsackCoversProbe) {
      this.endSeq = null;
      return "harmless";
    }
    // Beyond the probe without a D-SACK for it: the original was lost and the probe replaced it.
    // An ACK at exactly the probe's end may be the original's; wait for the next one.
    if (seqGt(ack, end) || pureDuplicate) {
      this.endSeq = null;
      return "repaired";
    }
    return "pending";
  }

  /** Loss recovery or a timeout took over: forget the probe. */
  reset(): void {
    this.endSeq = null;
  }
}
