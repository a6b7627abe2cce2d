/**
 * The sending half of a connection: SND.UNA/SND.NXT/SND.WND, the send buffer, the FIN and urgent
 * pointer, RTT measurement (timestamps, or one timed segment with Karn's rule), congestion
 * control and loss recovery. The connection asks `next()` what to transmit and reports what it
 * sent; the sender never builds segments or touches timers.
 *
 * Loss recovery, one mechanism for all cases:
 *  - NewReno (RFC 6582) without SACK: three duplicate ACKs retransmit SND.UNA and inflate cwnd;
 *    partial ACKs retransmit the next hole; a full ACK (covering `recover`) ends recovery.
 *  - With SACK, a conservative RFC 6675 variant: the SACK scoreboard decides which holes are
 *    lost, transmission is allowed while cwnd − pipe ≥ SMSS, lost holes go first, then new data.
 *    NextSeg() rules 3 and 4 (rescue retransmissions of unSACKed, not-yet-lost data) are left out:
 *    the RTO covers those rare cases.
 *  - A retransmission timeout marks everything in flight as lost (`lostBelow`), restarts from one
 *    segment and retransmits go-back-N style, skipping what the receiver SACKed. The scoreboard is
 *    cleared after a second consecutive timeout in case the receiver reneged (RFC 2018 §8).
 */
import { NewRenoCongestion } from "./congestion.js";
import { RttEstimator } from "./rtt.js";
import { SackScoreboard } from "./scoreboard.js";
import { SendBuffer } from "./send-buffer.js";
import { seqAdd, seqDiff, seqGe, seqGt, seqLt, seqMin } from "./seq.js";

export interface Transmission {
  seq: number;
  /** Data bytes (the FIN, if any, comes after them). */
  len: number;
  fin: boolean;
  retransmit: boolean;
}

export interface AckResult {
  /** Data bytes newly acknowledged. */
  ackedBytes: number;
  /** Whether SND.UNA advanced (data or FIN). */
  advanced: boolean;
  finAcked: boolean;
}

const NO_ADVANCE: AckResult = Object.freeze({ ackedBytes: 0, advanced: false, finAcked: false });

export class TcpSender {
  iss: number;
  sndUna: number;
  sndNxt: number;
  /** Peer's window in bytes (already scaled). */
  sndWnd = 0;
  sndWl1 = 0;
  sndWl2 = 0;
  /** Largest window the peer ever offered (RFC 9293 §3.8.6.2.1 and RFC 5961 §5). */
  maxSndWnd = 0;
  /** Peer's window shift (RFC 7323), applied to window fields after the SYN. */
  windowScale = 0;
  /** Effective send MSS: payload bytes of a full segment (options already subtracted). */
  smss: number;
  noDelay = false;
  sackEnabled = false;
  timestampsEnabled = false;
  readonly buffer: SendBuffer;
  readonly congestion: NewRenoCongestion;
  readonly scoreboard = new SackScoreboard();
  readonly rtt: RttEstimator;
  /** The user asked for a FIN after the queued data. */
  finQueued = false;
  /** Sequence number one past the urgent byte (RFC 6093), while `urgentActive`. */
  sndUp = 0;
  urgentActive = false;
  /**
   * Set by `next()` when it returned null because the peer's window is closed or too small to
   * use without silly-window syndrome: the caller then needs the persist timer.
   */
  windowLimited = false;

  dupAcks = 0;
  inRecovery = false;
  /** RFC 6582 "recover": SND.NXT when the last recovery or timeout began. */
  private recover: number;
  /** RFC 6675 HighRxt: one past the highest retransmitted byte. */
  private highRxt: number;
  /** Everything below this (and not SACKed) is deemed lost; SND.UNA when no timeout is pending. */
  private lostBelow: number;
  /** Retransmit the segment at SND.UNA next, whatever cwnd says (fast retransmit, partial ACK, RTO). */
  private retransmitHead = false;
  /** Karn: the one segment being timed when timestamps are off. */
  private timing = false;
  private timedSeq = 0;
  private timedAt = 0;

  /** Retransmission timeouts since SND.UNA last advanced (the give-up count). */
  timeouts = 0;
  retransmits = 0;
  fastRetransmits = 0;
  rtoEvents = 0;
  bytesSent = 0;

  constructor(iss: number, smss: number, bufferSize: number, rtt: RttEstimator) {
    this.iss = iss;
    this.sndUna = iss;
    this.sndNxt = iss;
    this.recover = iss;
    this.highRxt = iss;
    this.lostBelow = iss;
    this.smss = smss;
    this.buffer = new SendBuffer(bufferSize, seqAdd(iss, 1));
    this.congestion = new NewRenoCongestion(smss);
    this.rtt = rtt;
  }

  /** The SYN went out (it occupies ISS). */
  synSent(): void {
    this.sndNxt = seqAdd(this.iss, 1);
  }

  /** Our SYN was acknowledged: the data phase starts at ISS+1. */
  synAcknowledged(): void {
    this.sndUna = seqAdd(this.iss, 1);
    this.recover = this.sndUna;
    this.highRxt = this.sndUna;
    this.lostBelow = this.sndUna;
  }

  /** The MSS negotiated by the handshake; the initial window follows from it (RFC 6928). */
  negotiatedMss(smss: number): void {
    this.smss = smss;
    this.congestion.startWith(smss);
  }

  /** Bytes sent and not yet acknowledged (RFC 5681 FlightSize, SYN/FIN included). */
  get flightSize(): number {
    return seqDiff(this.sndNxt, this.sndUna);
  }

  /** Data queued and never sent. */
  get unsent(): number {
    return Math.max(0, seqDiff(this.buffer.endSeq, this.sndNxt));
  }

  get finSent(): boolean {
    return this.finQueued && seqGt(this.sndNxt, this.buffer.endSeq);
  }

  get allAcknowledged(): boolean {
    return this.sndUna === this.sndNxt;
  }

  /** The FIN has been sent and acknowledged. */
  get finAcknowledged(): boolean {
    return this.finSent && this.sndUna === this.sndNxt;
  }

  /**
   * Queue all of `data` if less than the buffer's nominal size is queued now, even if it then
   * exceeds it; otherwise none (false). With `urgent`, its last byte becomes the urgent byte.
   */
  writePiece(data: Uint8Array, urgent: boolean): boolean {
    if (this.buffer.length >= this.buffer.capacity) return false;
    this.buffer.append(data);
    if (urgent && data.length > 0) this.markUrgent();
    return true;
  }

  /** The last byte queued is urgent (RFC 6093: the pointer is one past it). */
  private markUrgent(): void {
    this.sndUp = this.buffer.endSeq;
    this.urgentActive = true;
  }

  /** RFC 9293 §3.10.7.4 window update rule (SND.WL1/SND.WL2). */
  updateWindow(seq: number, ack: number, field: number, scaled: boolean): void {
    if (seqLt(this.sndWl1, seq) || (this.sndWl1 === seq && seqGe(ack, this.sndWl2))) {
      this.sndWnd = scaled ? field * 2 ** this.windowScale : field;
      this.sndWl1 = seq;
      this.sndWl2 = ack;
      if (this.sndWnd > this.maxSndWnd) this.maxSndWnd = this.sndWnd;
    }
  }

  /** Set the window from the peer's SYN or SYN-ACK (never scaled). */
  initWindow(seq: number, ack: number, field: number): void {
    this.sndWnd = field;
    this.sndWl1 = seq;
    this.sndWl2 = ack;
    this.maxSndWnd = Math.max(this.maxSndWnd, field);
  }

  /**
   * An acceptable ACK (SND.UNA ≤ ack ≤ SND.NXT, checked by the caller). `duplicate` says whether
   * it qualifies as a duplicate ACK under RFC 5681 §2 (no data, no SYN/FIN, same window, data
   * outstanding, ack == SND.UNA).
   */
  onAck(ack: number, sack: ReadonlyArray<readonly [number, number]> | undefined, duplicate: boolean, tsEcrRtt: number, now: number): AckResult {
    if (sack !== undefined && this.sackEnabled) {
      for (const [l, r] of sack) this.scoreboard.add(l, r, this.sndUna, this.sndNxt);
    }
    const advance = seqDiff(ack, this.sndUna);
    let result: AckResult = NO_ADVANCE;
    if (advance > 0) {
      result = this.onNewAck(ack, tsEcrRtt, now);
    } else if (duplicate) {
      this.dupAcks++;
      if (this.inRecovery && !this.sackEnabled) this.congestion.inflate();
    }
    if (!this.inRecovery) this.maybeEnterRecovery();
    return result;
  }

  private onNewAck(ack: number, tsEcrRtt: number, now: number): AckResult {
    const before = this.buffer.length;
    const flightBefore = this.flightSize;
    const wasFinSent = this.finSent;
    this.buffer.acknowledgeTo(ack);
    const ackedBytes = before - this.buffer.length;
    this.sndUna = ack;
    this.scoreboard.ackTo(ack);
    if (seqLt(this.highRxt, ack)) this.highRxt = ack;

    // RTT: a timestamp echo (RFC 7323 RTTM) or the timed segment (RFC 6298 + Karn).
    if (tsEcrRtt >= 0) {
      this.rtt.sample(tsEcrRtt, Math.max(1, Math.ceil(this.flightSize / (2 * this.smss))));
    } else if (this.timing && seqGt(ack, this.timedSeq)) {
      this.timing = false;
      this.rtt.sample(now - this.timedAt);
    }
    // The backed-off RTO stays until a new sample recomputes it (RFC 6298 §5.5 and Karn).
    this.timeouts = 0;
    this.dupAcks = 0;

    if (this.inRecovery) {
      if (seqGe(ack, this.recover)) {
        this.inRecovery = false;
        this.congestion.exitRecovery(this.flightSize);
      } else if (!this.sackEnabled) {
        this.congestion.partialAck(ackedBytes);
        this.retransmitHead = true;
      } else if (this.highRxt === this.sndUna) {
        // Partial ACK with SACK: the new head was not retransmitted yet and may not meet IsLost()
        // (too little SACKed above it); resend it rather than wait for the RTO.
        this.retransmitHead = true;
      }
    } else {
      this.congestion.onAck(ackedBytes, flightBefore);
    }
    if (seqLt(this.lostBelow, ack)) this.lostBelow = ack;
    if (this.urgentActive && seqGe(ack, this.sndUp)) this.urgentActive = false;
    return { ackedBytes, advanced: true, finAcked: wasFinSent && ack === this.sndNxt };
  }

  /** Three duplicate ACKs, or SACK showing the head lost (RFC 6675 §5), start fast recovery. */
  private maybeEnterRecovery(): void {
    if (this.sndUna === this.sndNxt) return;
    const lossSignal = this.dupAcks >= 3 || (this.sackEnabled && this.scoreboard.headLost(this.sndUna, this.smss));
    // RFC 6582 §3.2: no new recovery until the ACK covers what was outstanding when the last one began.
    if (!lossSignal || seqLt(this.sndUna, this.recover)) return;
    this.inRecovery = true;
    this.recover = this.sndNxt;
    this.highRxt = this.sndUna;
    this.fastRetransmits++;
    this.congestion.enterRecovery(this.flightSize, this.sackEnabled);
    this.retransmitHead = true;
  }

  /** The retransmission timer expired. */
  onTimeout(): void {
    this.rtoEvents++;
    this.congestion.onTimeout(this.flightSize, this.timeouts === 0);
    this.timeouts++;
    this.rtt.backoff();
    if (this.timeouts >= 2) this.scoreboard.clear();
    this.inRecovery = false;
    this.dupAcks = 0;
    this.recover = this.sndNxt;
    this.lostBelow = this.sndNxt;
    this.highRxt = this.sndUna;
    this.retransmitHead = true;
    this.timing = false;
  }

  /**
   * The window reopened after the peer had shrunk it to zero with data in flight: that data was
   * dropped, so retransmit it from SND.UNA (skipping what is SACKed) without a congestion
   * response, since no congestion was signalled.
   */
  windowReopened(): void {
    this.lostBelow = this.sndNxt;
    this.highRxt = this.sndUna;
    this.retransmitHead = true;
    this.timing = false;
  }

  /** Amount of data in the network per RFC 6675 (plain flight size when no SACK/timeout state applies). */
  pipe(): number {
    if (this.scoreboard.isEmpty && this.lostBelow === this.sndUna) return this.flightSize;
    return this.scoreboard.pipe(this.sndUna, this.sndNxt, this.highRxt, this.lostBelow, this.smss);
  }

  /**
   * What to transmit next, or null. `pipe` is the caller's running pipe estimate (it adds what it
   * sends), so one output pass computes it once.
   */
  next(pipe: number): Transmission | null {
    this.windowLimited = false;
    if (this.retransmitHead && seqLt(this.sndUna, this.sndNxt)) {
      this.retransmitHead = false;
      const end = this.scoreboard.unsackedEnd(this.sndUna, this.sndNxt);
      return this.range(this.sndUna, seqMin(end === this.sndUna ? this.sndNxt : end, seqAdd(this.sndUna, this.smss)), true);
    }
    this.retransmitHead = false;
    const cwndRoom = this.congestion.cwnd - pipe;
    const recovering = this.inRecovery || seqGt(this.lostBelow, this.sndUna);
    if (recovering && cwndRoom >= this.smss) {
      const hole = this.scoreboard.nextLost(this.sndUna, this.sndNxt, this.highRxt, this.lostBelow, this.smss);
      if (hole !== null) return this.range(hole.start, hole.end, true);
    }
    const unsent = this.unsent;
    if (unsent === 0) {
      if (this.finQueued && !this.finSent) return { seq: this.sndNxt, len: 0, fin: true, retransmit: false };
      return null;
    }
    const windowRoom = seqDiff(seqAdd(this.sndUna, this.sndWnd), this.sndNxt);
    const want = Math.min(unsent, this.smss);
    let len = Math.min(want, Math.max(0, windowRoom));
    if (len < want) {
      // Sender SWS avoidance (RFC 9293 §3.8.6.2.1): a partial window is used only if it is at least
      // half the largest window the peer has offered.
      if (len === 0 || len < this.maxSndWnd / 2) {
        this.windowLimited = true;
        return null;
      }
    }
    if (pipe > 0 && len > cwndRoom) return null;
    const urgentPush = this.urgentActive && seqGt(this.sndUp, this.sndNxt);
    if (len < this.smss && len === unsent && !this.noDelay && !urgentPush && !this.finQueued && this.sndNxt !== this.sndUna) {
      // Nagle (RFC 9293 §3.7.4): hold a small final segment while data is unacknowledged.
      return null;
    }
    return { seq: this.sndNxt, len, fin: this.finQueued && len === unsent, retransmit: false };
  }

  /** A zero-window probe: one byte of new data beyond the window, or the same byte again. */
  probe(): Transmission | null {
    if (seqLt(this.sndUna, this.sndNxt)) return this.range(this.sndUna, seqAdd(this.sndUna, 1), true);
    if (this.unsent === 0) return null;
    return { seq: this.sndNxt, len: 1, fin: false, retransmit: false };
  }

  /** Record a transmission handed to the network. */
  sent(t: Transmission, now: number): void {
    const end = seqAdd(t.seq, t.len + (t.fin ? 1 : 0));
    if (t.retransmit) {
      this.retransmits++;
      if (seqGt(end, this.highRxt)) this.highRxt = end;
      if (this.timing && seqLt(this.timedSeq, end)) this.timing = false;
      return;
    }
    this.bytesSent += t.len;
    if (!this.timestampsEnabled && !this.timing && t.len > 0) {
      this.timing = true;
      this.timedSeq = t.seq;
      this.timedAt = now;
    }
    if (seqGt(end, this.sndNxt)) this.sndNxt = end;
  }

  /** Sequence-space range [start, end) as a transmission: data first, then the FIN if it is in range. */
  private range(start: number, end: number, retransmit: boolean): Transmission {
    const dataEnd = this.buffer.endSeq;
    const len = Math.max(0, seqDiff(seqMin(end, dataEnd), start));
    const fin = this.finQueued && seqGt(end, dataEnd);
    return { seq: start, len, fin, retransmit };
  }
}
