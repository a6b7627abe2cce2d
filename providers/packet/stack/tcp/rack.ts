/**
 * RACK loss detection (RFC 8985 §6): a segment is deemed lost once a segment sent after it has
 * been delivered and more than RACK.rtt + a reordering window has passed since it was sent. Time,
 * not counts of duplicate ACKs, decides; so a lost retransmission is found like any other loss,
 * and a tail loss once any later segment (such as a loss probe) gets through.
 *
 * The reordering window is min_RTT/4, scaled up for every round trip in which a D-SACK showed a
 * spurious retransmission (and back after 16 recoveries without one), capped at SRTT, and zero
 * while no reordering has been seen and either recovery is under way or DupThresh segments are
 * SACKed (RFC 8985 §6.2 step 4).
 */
import type { Scoreboard, SentSegment } from "./scoreboard.js";
import { seqGt, seqLt } from "./seq.js";

/** RFC 5681 DupThresh: duplicate ACKs (or SACKed segments) that signal a loss. */
export const DUP_THRESH = 3;

/** Recoveries a widened reordering window survives without a new D-SACK (RFC 8985: 16). */
const REO_WND_PERSIST = 16;

export class Rack {
  /** RACK.min_RTT (ms): the least RTT sample seen. */
  minRtt = Infinity;
  /** RACK.rtt: the RTT of the most recently sent segment that was delivered. */
  rtt = 0;
  /**
   * RACK.xmit_ts of that segment (-Infinity before any), and the order of its transmission, which
   * stands in for RACK.end_seq in ordering transmissions of the same clock tick (a retransmission
   * and new data sent in the same millisecond are told apart by which left first, not by sequence).
   */
  xmitTime = -Infinity;
  xmitSerial = -1;
  /** RACK.fack: the highest end sequence delivered. */
  private fack: number | null = null;
  reorderingSeen = false;
  private reoWndMult = 1;
  private reoWndPersist = 0;
  /** SND.NXT when the last D-SACK widened the window: one widening per round trip. */
  private dsackRound: number | null = null;

  /**
   * Steps 1-3 for one segment this ACK delivered. `echoTime` is when the ACK's timestamp echo was
   * sent (clock ms, floored), or null when it says nothing about this segment (no timestamps, or
   * a SACKed segment, whose ACK echoes the last in-order one).
   */
  delivered(seg: SentSegment, now: number, echoTime: number | null): void {
    if (this.fack === null || seqGt(seg.end, this.fack)) this.fack = seg.end;
    else if (seqLt(seg.end, this.fack) && !seg.retransmitted) this.reorderingSeen = true;
    const rtt = now - seg.xmitTime;
    // A retransmitted segment's sample is ambiguous when the ACK answers the original (its echo
    // predates the retransmission) or comes back faster than any round trip could (step 2).
    if (seg.retransmitted && ((echoTime !== null && echoTime < Math.floor(seg.xmitTime)) || rtt < this.minRtt)) return;
    if (!seg.retransmitted && rtt < this.minRtt) this.minRtt = rtt;
    if (sentAfter(seg.xmitTime, seg.xmitSerial, this.xmitTime, this.xmitSerial)) {
      this.xmitTime = seg.xmitTime;
      this.xmitSerial = seg.xmitSerial;
      this.rtt = rtt;
    }
  }

  /** Step 4's D-SACK part: a D-SACK arrived; SND.NXT and SND.UNA now. */
  noteDsack(sndUna: number, sndNxt: number): void {
    this.closeDsackRound(sndUna);
    if (this.dsackRound !== null) return;
    this.dsackRound = sndNxt;
    this.reoWndMult++;
    this.reoWndPersist = REO_WND_PERSIST;
  }

  /** A recovery (fast or RTO) ended without a D-SACK widening the window again. */
  recoveryEnded(sndUna: number): void {
    this.closeDsackRound(sndUna);
    if (this.reoWndPersist > 0 && --this.reoWndPersist === 0) this.reoWndMult = 1;
  }

  /** RACK.reo_wnd (ms). `srtt` < 0 means unknown. */
  reorderWindow(inRecovery: boolean, sackedSegments: number, srtt: number): number {
    if (!this.reorderingSeen && (inRecovery || sackedSegments >= DUP_THRESH)) return 0;
    if (this.minRtt === Infinity) return 0;
    const window = (this.reoWndMult * this.minRtt) / 4;
    return srtt >= 0 ? Math.min(window, srtt) : window;
  }

  /**
   * Step 5: deem lost every segment in flight that was sent before the RACK segment and has
   * waited RACK.rtt + `reoWnd` since. Returns how long until the next one would be due (the
   * reordering timer), or 0 when none waits.
   */
  detectLoss(board: Scoreboard, now: number, reoWnd: number, markLost: (seg: SentSegment) => void): number {
    let wait = 0;
    for (let seg = board.oldestInFlight; seg !== null; ) {
      const next = seg.nextSent;
      if (!sentAfter(this.xmitTime, this.xmitSerial, seg.xmitTime, seg.xmitSerial)) break; // the rest left later
      const remaining = seg.xmitTime + this.rtt + reoWnd - now;
      if (remaining <= 0) markLost(seg);
      else wait = Math.max(wait, remaining);
      seg = next;
    }
    return wait;
  }

  /**
   * RFC 8985 §6.3, on a retransmission timeout: the first segment not SACKed is lost, and so is
   * every segment in flight sent at least RACK.rtt + `reoWnd` ago.
   */
  markLossesOnTimeout(board: Scoreboard, now: number, reoWnd: number, markLost: (seg: SentSegment) => void): void {
    const head = board.firstUnsacked();
    if (head !== null) markLost(head);
    for (let seg = board.oldestInFlight; seg !== null; ) {
      const next = seg.nextSent;
      if (seg.xmitTime + this.rtt + reoWnd - now <= 0) markLost(seg);
      seg = next;
    }
  }

  private closeDsackRound(sndUna: number): void {
    if (this.dsackRound !== null && !seqLt(sndUna, this.dsackRound)) this.dsackRound = null;
  }
}

/** RACK_sent_after: the transmission (t1, serial1) left after (t2, serial2). */
export function sentAfter(t1: number, serial1: number, t2: number, serial2: number): boolean {
  return t1 > t2 || (t1 === t2 && serial1 > serial2);
}
