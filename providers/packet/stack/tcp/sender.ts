/**
 * The sending half of a connection: SND.UNA/SND.NXT/SND.WND, the send buffer, the FIN and urgent
 * pointer, RTT measurement (timestamps, or one timed segment with Karn's rule), and loss recovery,
 * which ties together the modules that each implement one algorithm:
 *
 *  - scoreboard.ts: every segment in flight, SACKed or deemed lost (RFC 6675's scoreboard, pipe);
 *  - rack.ts: which segments are lost, by time (RACK, RFC 8985 §6), with SACK;
 *  - loss-probe.ts: the tail loss probe (TLP, RFC 8985 §7), with SACK;
 *  - spurious.ts: D-SACKs showing that a recovery's retransmissions were not needed (RFC 3708);
 *  - congestion.ts / cubic.ts / bbr.ts: the window (NewReno, CUBIC or BBR), its reduction and its undo;
 *  - delivery-rate.ts: every ACK's delivery rate sample, which BBR's model is built from;
 *  - pacer.ts: the pacing rate the congestion control sets (BBR only), as quotas of segments.
 *
 * The loss states, as Linux names them: Open (nothing lost), Recovery (fast recovery, entered when
 * RACK deems a segment lost, or without SACK after three duplicate ACKs as in RFC 6582), Loss
 * (after a retransmission timeout). Recovery and Loss last until SND.UNA passes the RecoveryPoint
 * (SND.NXT when they began). What to send next is RFC 6675's NextSeg(): lost segments first, then
 * new data, then (in recovery) unSACKed segments below the highest SACK, then one rescue
 * retransmission of the last segment; all within cwnd − pipe. Outside recovery limited transmit
 * (RFC 3042) lets the first two duplicate ACKs each release one new segment.
 *
 * The connection asks `next()` what to transmit and reports what it sent; the sender never builds
 * segments or touches timers (it says when RACK's reordering timer and the probe timer are due,
 * and, through `pacingLimited` and the pacer, when pacing lets it send again).
 */
import type { Random } from "../../random.js";
import { BbrCongestion } from "./bbr.js";
import { CongestionControl, NewRenoCongestion, type AckSample, type CongestionControlName, type CongestionSnapshot } from "./congestion.js";
import { CubicCongestion } from "./cubic.js";
import { DeliveryRateEstimator } from "./delivery-rate.js";
import { LossProbe } from "./loss-probe.js";
import { Pacer } from "./pacer.js";
import { DUP_THRESH, Rack } from "./rack.js";
import { RttEstimator } from "./rtt.js";
import { Scoreboard, type SentSegment } from "./scoreboard.js";
import { SendBuffer } from "./send-buffer.js";
import { seqAdd, seqDiff, seqGe, seqGt, seqLe, seqLt, seqMin } from "./seq.js";
import { SpuriousRetransmitDetector } from "./spurious.js";

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

/** Loss states (Linux's names for them). */
export const enum LossState {
  /** Nothing deemed lost. */
  Open = 0,
  /** Fast recovery (RFC 6675 with RACK, or RFC 6582 without SACK). */
  Recovery = 1,
  /** After a retransmission timeout, until what was outstanding then is acknowledged. */
  Loss = 2,
}

export interface SenderOptions {
  congestionControl: CongestionControlName;
  /** Send tail loss probes (RFC 8985 §7) when SACK is on. */
  lossProbes: boolean;
  /** Floor of the probe timeout (ms), against clock granularity and tiny SRTTs. */
  lossProbeMinMs: number;
  /** Randomness for the congestion control (BBR's gain cycle phase), or null. */
  random: Random | null;
  /** How far the send buffer may grow when the congestion control asks for room (0: never). */
  sendBufferGrowsTo: number;
}

const DEFAULT_OPTIONS: SenderOptions = { congestionControl: "cubic", lossProbes: true, lossProbeMinMs: 10, random: null, sendBufferGrowsTo: 0 };

const NO_ADVANCE: AckResult = Object.freeze({ ackedBytes: 0, advanced: false, finAcked: false });

function congestionControlFor(name: CongestionControlName, smss: number, random: Random | null): CongestionControl {
  switch (name) {
    case "newreno":
      return new NewRenoCongestion(smss);
    case "bbr":
      return new BbrCongestion(smss, random);
    default:
      return new CubicCongestion(smss);
  }
}

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
  readonly congestion: CongestionControl;
  readonly scoreboard = new Scoreboard();
  readonly rack = new Rack();
  readonly lossProbe = new LossProbe();
  readonly deliveryRate = new DeliveryRateEstimator();
  readonly pacer = new Pacer();
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
  /** When RACK's reordering timer is due (clock ms), or -1. */
  reorderDeadline = -1;
  /** Set by `next()` when it returned null because pacing holds the next transmission back. */
  pacingLimited = false;
  /** How far the send buffer may still grow by itself (0: its size is fixed). */
  sendBufferGrowsTo: number;

  lossState: LossState = LossState.Open;
  /** Duplicate ACKs since SND.UNA last advanced (RFC 5681; with SACK, ACKs that SACK new data, RFC 6675 §2). */
  dupAcks = 0;
  /** RFC 6675 RecoveryPoint (RFC 6582 "recover"): SND.NXT when the last recovery or timeout began. */
  private recover: number;
  /** RFC 6675 RescueRxt: the RecoveryPoint of the last rescue retransmission, or null. */
  private rescueRxt: number | null = null;
  /** Retransmit the first lost (else the first not SACKed) segment next, whatever cwnd says (recovery, a timeout, a reopened window). */
  private forceHead = false;
  private readonly spurious = new SpuriousRetransmitDetector();
  /** The window before the current episode's reduction, for undo. */
  private undoSnapshot: CongestionSnapshot | null = null;
  private readonly options: SenderOptions;
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
  /** Segments RACK deemed lost. */
  rackLosses = 0;
  rescueRetransmits = 0;
  dsacksReceived = 0;
  /** Congestion responses undone because D-SACKs showed every retransmission spurious. */
  undoneRecoveries = 0;
  /** Bytes deemed lost since the congestion control's last ACK sample. */
  private lostSinceSample = 0;
  /** When the ACK being processed arrived, and when the segment its timestamp echoes was sent (null: no echo). */
  private ackTime = 0;
  private ackEchoTime: number | null = null;
  /** The ACK sample handed to the congestion control, reused. */
  private readonly ackSample: AckSample;

  constructor(iss: number, smss: number, bufferSize: number, rtt: RttEstimator, options: Partial<SenderOptions> = {}) {
    this.options = { ...DEFAULT_OPTIONS, ...options };
    this.iss = iss;
    this.sndUna = iss;
    this.sndNxt = iss;
    this.recover = iss;
    this.smss = smss;
    this.buffer = new SendBuffer(bufferSize, seqAdd(iss, 1));
    this.congestion = congestionControlFor(this.options.congestionControl, smss, this.options.random);
    this.sendBufferGrowsTo = this.options.sendBufferGrowsTo;
    this.rtt = rtt;
    this.ackSample = {
      now: 0,
      rate: this.deliveryRate.takeSample(),
      lost: 0,
      priorInflight: 0,
      inflight: 0,
      srtt: -1,
      markAppLimited: () => this.deliveryRate.markAppLimited(this.pipe()),
    };
  }

  /** The SYN went out (it occupies ISS). */
  synSent(): void {
    this.sndNxt = seqAdd(this.iss, 1);
  }

  /** Our SYN was acknowledged: the data phase starts at ISS+1. */
  synAcknowledged(): void {
    this.sndUna = seqAdd(this.iss, 1);
    this.recover = this.sndUna;
  }

  /** The MSS negotiated by the handshake; the initial window follows from it (RFC 6928). */
  negotiatedMss(smss: number): void {
    this.smss = smss;
    this.congestion.startWith(smss);
  }

  /** In fast recovery (kept for callers of the older shape). */
  get inRecovery(): boolean {
    return this.lossState === LossState.Recovery;
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

  // ---------------------------------------------------------------- ACK processing

  /**
   * An acceptable ACK (SND.UNA ≤ ack ≤ SND.NXT, checked by the caller). `duplicate` says whether
   * it qualifies as a duplicate ACK under RFC 5681 §2 (no data, no SYN/FIN, same window, data
   * outstanding, ack == SND.UNA). `tsEcrRtt` is the RTT its timestamp echo measures (-1: none);
   * `echoTime` when the echoed timestamp was sent (clock ms, floored), null without timestamps.
   */
  onAck(
    ack: number,
    sack: ReadonlyArray<readonly [number, number]> | undefined,
    duplicate: boolean,
    tsEcrRtt: number,
    now: number,
    echoTime: number | null = null,
  ): AckResult {
    this.ackTime = now;
    this.ackEchoTime = echoTime;
    const priorInflight = this.pipe();
    const advanced = seqGt(ack, this.sndUna);
    const wasRecovering = this.lossState === LossState.Recovery;
    const result = advanced ? this.onNewAck(ack, tsEcrRtt, now) : NO_ADVANCE;

    // SACK blocks, after the cumulative ACK so that RACK sees deliveries in sequence order.
    let dsack: readonly [number, number] | null = null;
    let newlySacked = 0;
    const blocks = this.sackEnabled && sack !== undefined ? sack : [];
    if (blocks.length > 0) {
      dsack = dsackOf(blocks, ack);
      for (let i = dsack === null ? 0 : 1; i < blocks.length; i++) {
        const [left, right] = blocks[i] as readonly [number, number];
        // RFC 2018: only blocks within SND.UNA..SND.NXT can be valid.
        if (seqLt(left, right) && seqGt(right, this.sndUna) && seqLe(right, this.sndNxt)) {
          newlySacked += this.scoreboard.sack(seqGt(left, this.sndUna) ? left : this.sndUna, right, this.sacked);
        }
      }
      if (dsack !== null) this.onDsack(dsack[0], dsack[1]);
    }

    if (advanced) this.dupAcks = 0;
    else if (duplicate || (newlySacked > 0 && !this.allAcknowledged)) {
      this.dupAcks++;
      if (wasRecovering && !this.sackEnabled) this.congestion.inflate();
    }

    const outcome = this.lossProbe.onAck(ack, dsack !== null && this.lossProbe.overlaps(dsack[0], dsack[1]), !advanced && blocks.length === 0);
    if (outcome === "repaired") this.reduceAfterRepairedProbe(now);

    if (this.sackEnabled) this.detectLosses(now);
    this.maybeEnterRecovery(now);
    this.maybeUndo();
    this.sampleForCongestionControl(now, priorInflight);
    return result;
  }

  /** Every ACK ends with a sample for the congestion control, and the pacing rate it then sets. */
  private sampleForCongestionControl(now: number, priorInflight: number): void {
    const sample = this.ackSample;
    sample.now = now;
    sample.rate = this.deliveryRate.takeSample();
    sample.lost = this.lostSinceSample;
    sample.priorInflight = priorInflight;
    sample.inflight = this.pipe();
    sample.srtt = this.rtt.srtt;
    this.lostSinceSample = 0;
    this.congestion.onAckSample(sample);
    this.updatePacingRate(now);
    this.provisionSendBuffer();
  }

  /**
   * Grow the send buffer to the number of congestion windows the algorithm provisions (Linux's
   * tcp_sndbuf_expand), in steps of at least half its size so that it is seldom copied; never
   * past `sendBufferGrowsTo`, never smaller. A congestion window counts for no more than the
   * peer's window: a reader that does not keep up holds the buffer to a few of its windows.
   */
  private provisionSendBuffer(): void {
    const cwnds = this.congestion.sendBufferCwnds;
    const capacity = this.buffer.capacity;
    if (cwnds === 0 || this.sendBufferGrowsTo <= capacity) return;
    const wanted = cwnds * Math.min(this.congestion.cwnd, this.sndWnd);
    if (wanted <= capacity) return;
    this.buffer.resize(Math.min(this.sendBufferGrowsTo, Math.max(Math.ceil(wanted), Math.ceil(capacity * 1.5))));
  }

  /** Follow the congestion control's pacing rate (Infinity: none). */
  updatePacingRate(now: number): void {
    const rate = this.congestion.pacingRate(this.rtt.srtt);
    if (rate !== this.pacer.rate) this.pacer.setRate(rate, this.smss, now);
  }

  private onNewAck(ack: number, tsEcrRtt: number, now: number): AckResult {
    const before = this.buffer.length;
    const flightBefore = this.flightSize;
    const wasFinSent = this.finSent;
    this.buffer.acknowledgeTo(ack);
    const ackedBytes = before - this.buffer.length;
    this.sndUna = ack;
    this.scoreboard.ackTo(ack, this.delivered);

    // RTT: a timestamp echo (RFC 7323 RTTM) or the timed segment (RFC 6298 + Karn).
    if (tsEcrRtt >= 0) {
      this.rtt.sample(tsEcrRtt, Math.max(1, Math.ceil(this.flightSize / (2 * this.smss))));
    } else if (this.timing && seqGt(ack, this.timedSeq)) {
      this.timing = false;
      this.rtt.sample(now - this.timedAt);
    }
    // The backed-off RTO stays until a new sample recomputes it (RFC 6298 §5.5 and Karn).
    this.timeouts = 0;

    const state = this.lossState;
    if (state !== LossState.Open && seqGe(ack, this.recover)) {
      this.endRecovery();
    } else if (state === LossState.Recovery && !this.sackEnabled) {
      // RFC 6582 partial ACK: deflate, and resend the next hole at once.
      this.congestion.partialAck(ackedBytes);
      const head = this.scoreboard.first;
      if (head !== undefined && !head.retransInFlight) this.scoreboard.markLost(head);
    }
    // Outside fast recovery the window grows (after a timeout, that is slow start from one segment).
    if (state !== LossState.Recovery) this.congestion.onAck(ackedBytes, flightBefore, now, this.rtt.srtt);
    if (this.urgentActive && seqGe(ack, this.sndUp)) this.urgentActive = false;
    return { ackedBytes, advanced: true, finAcked: wasFinSent && ack === this.sndNxt };
  }

  /** A D-SACK for [left, right) (RFC 2883). */
  private onDsack(left: number, right: number): void {
    this.dsacksReceived++;
    this.rack.noteDsack(this.sndUna, this.sndNxt);
    this.spurious.dsack(left, right);
  }

  // The scoreboard's callbacks for the ACK being processed (made once, not per ACK). A SACKed
  // segment's ACK echoes the timestamp of the last in-order segment (RFC 7323 §4.3), not its own:
  // only a cumulative ACK's echo can tell which transmission arrived.
  private readonly delivered = (seg: SentSegment): void => {
    this.deliveryRate.onDelivered(seg, this.ackTime);
    if (this.sackEnabled) this.rack.delivered(seg, this.ackTime, this.ackEchoTime);
  };

  private readonly sacked = (seg: SentSegment): void => {
    this.deliveryRate.onDelivered(seg, this.ackTime);
    if (this.sackEnabled) this.rack.delivered(seg, this.ackTime, null);
  };

  /** RACK (RFC 8985 §6.2 steps 4-5): mark what is lost, and say when to look again. */
  private detectLosses(now: number): void {
    const reoWnd = this.rack.reorderWindow(this.lossState !== LossState.Open, this.scoreboard.sackedSegments, this.rtt.srtt);
    const wait = this.rack.detectLoss(this.scoreboard, now, reoWnd, this.markLostByRack);
    this.reorderDeadline = wait > 0 ? now + wait : -1;
  }

  private readonly markLostByRack = (seg: SentSegment): void => {
    if (!seg.lost || seg.retransInFlight) this.lostSinceSample += seg.length; // a lost retransmission counts again
    this.scoreboard.markLost(seg);
    this.rackLosses++;
  };

  /** RACK's reordering timer expired. */
  onReorderTimeout(now: number): void {
    this.reorderDeadline = -1;
    if (!this.sackEnabled || this.allAcknowledged) return;
    this.detectLosses(now);
    this.maybeEnterRecovery(now);
  }

  /**
   * Fast recovery starts when RACK deems a segment lost, or, without SACK, after DupThresh
   * duplicate ACKs (RFC 6582 §3.2: not again before the ACK covers the last RecoveryPoint).
   */
  private maybeEnterRecovery(now: number): void {
    if (this.lossState !== LossState.Open || this.allAcknowledged) return;
    if (this.sackEnabled) {
      if (this.scoreboard.lostBytes === 0) return;
    } else if (this.dupAcks < DUP_THRESH || seqLt(this.sndUna, this.recover)) {
      return;
    }
    this.lossState = LossState.Recovery;
    this.recover = this.sndNxt;
    this.rescueRxt = null;
    this.fastRetransmits++;
    this.beginEpisode();
    this.congestion.enterRecovery(this.flightSize, this.sackEnabled, now);
    this.lossProbe.reset();
    if (!this.sackEnabled) {
      const head = this.scoreboard.first;
      if (head !== undefined) this.scoreboard.markLost(head);
    }
    // RFC 6675 §5 (4.3), RFC 5681's fast retransmit: the first lost segment goes at once, whatever cwnd says.
    this.forceHead = true;
  }

  private endRecovery(): void {
    if (this.lossState === LossState.Recovery) this.congestion.exitRecovery(this.flightSize);
    else this.congestion.exitLoss();
    this.lossState = LossState.Open;
    this.rescueRxt = null;
    this.rack.recoveryEnded(this.sndUna);
    this.spurious.recoveryEnded();
  }

  /** A congestion response begins: remember how to undo it. */
  private beginEpisode(): void {
    this.undoSnapshot = this.congestion.snapshot();
    this.spurious.begin(this.sndUna);
  }

  /** Once the episode is over, undo its reduction if every retransmission in it was spurious. */
  private maybeUndo(): void {
    if (this.lossState !== LossState.Open || this.undoSnapshot === null || !this.spurious.allSpurious) return;
    this.congestion.undo(this.undoSnapshot);
    this.undoSnapshot = null;
    this.spurious.end();
    this.undoneRecoveries++;
  }

  /** RFC 8985 §7.4: the probe repaired a loss; the congestion control responds as to fast recovery. */
  private reduceAfterRepairedProbe(now: number): void {
    this.congestion.onProbeRepairedLoss(this.flightSize, now);
  }

  // ---------------------------------------------------------------- timers

  /** The retransmission timer expired. */
  onTimeout(now: number): void {
    this.rtoEvents++;
    const first = this.timeouts === 0;
    // Fast recovery has reduced ssthresh for this loss already; a repeated timeout keeps it (RFC 5681 §3.1).
    const reduce = first && this.lossState !== LossState.Recovery;
    if (this.lossState === LossState.Open) this.beginEpisode();
    this.congestion.onTimeout(this.flightSize, reduce, now);
    this.timeouts++;
    this.rtt.backoff();
    if (this.timeouts >= 2) this.scoreboard.clearSacks(); // the receiver may have reneged (RFC 2018 §8)
    this.lossState = LossState.Loss;
    this.recover = this.sndNxt;
    this.rescueRxt = null;
    this.dupAcks = 0;
    this.lossProbe.reset();
    this.reorderDeadline = -1;
    this.lostSinceSample = 0; // the timeout's own response covers them
    if (this.sackEnabled) {
      const reoWnd = this.rack.reorderWindow(true, this.scoreboard.sackedSegments, this.rtt.srtt);
      this.rack.markLossesOnTimeout(this.scoreboard, now, reoWnd, (seg) => this.scoreboard.markLost(seg));
    } else {
      this.scoreboard.markAllLost(); // go back N
    }
    this.forceHead = true;
    this.timing = false;
  }

  /**
   * The window reopened after the peer had shrunk it to zero with data in flight: that data was
   * dropped, so retransmit it from SND.UNA (skipping what is SACKed) without a congestion
   * response, since no congestion was signalled.
   */
  windowReopened(): void {
    this.scoreboard.markAllLost();
    if (this.lossState === LossState.Open) {
      this.lossState = LossState.Loss;
      this.recover = this.sndNxt;
    }
    this.forceHead = true;
    this.timing = false;
  }

  /**
   * Whether a tail loss probe may be armed now (RFC 8985 §7.2): SACK in use, data in flight,
   * no loss being recovered, nothing SACKed (losses are then RACK's), no probe outstanding.
   */
  get lossProbeAllowed(): boolean {
    return (
      this.options.lossProbes &&
      this.sackEnabled &&
      this.lossState === LossState.Open &&
      !this.allAcknowledged &&
      this.scoreboard.sackedBytes === 0 &&
      !this.lossProbe.outstanding
    );
  }

  /** The probe timeout, or null when the retransmission timer (due in `rtoRemaining` ms) comes first. */
  lossProbeTimeout(rtoRemaining: number): number | null {
    const srtt = this.rtt.hasSample ? this.rtt.srtt : -1;
    const pto = LossProbe.timeout(srtt, this.flightSize <= this.smss, Infinity, this.options.lossProbeMinMs);
    return pto < rtoRemaining ? pto : null;
  }

  /** What the loss probe carries (RFC 8985 §7.3): a new segment if the window allows, else the last one again. */
  nextLossProbe(): Transmission | null {
    const windowRoom = seqDiff(seqAdd(this.sndUna, this.sndWnd), this.sndNxt);
    const unsent = this.unsent;
    if (unsent > 0 && windowRoom > 0) {
      const len = Math.min(unsent, this.smss, windowRoom);
      return { seq: this.sndNxt, len, fin: this.finQueued && len === unsent, retransmit: false };
    }
    if (unsent === 0 && this.finQueued && !this.finSent) return { seq: this.sndNxt, len: 0, fin: true, retransmit: false };
    const last = this.scoreboard.lastUnsacked();
    return last === null ? null : this.retransmission(last);
  }

  /** The probe went out (after `sent()` recorded it). */
  lossProbeSent(t: Transmission): void {
    this.lossProbe.sent(t.seq, this.sndNxt, t.retransmit);
  }

  // ---------------------------------------------------------------- what to send

  /**
   * pipe: FlightSize outside recovery (RFC 5681) and in NewReno recovery, whose inflated window
   * is measured against it (RFC 6582); RFC 6675's pipe in SACK recovery and after a timeout.
   */
  pipe(): number {
    if (this.lossState === LossState.Open || (this.lossState === LossState.Recovery && !this.sackEnabled)) return this.flightSize;
    return this.scoreboard.pipe(this.flightSize);
  }

  /** cwnd, plus RFC 3042's allowance of one segment for each of the first two duplicate ACKs. */
  private get sendAllowance(): number {
    const limitedTransmit = this.lossState === LossState.Open ? Math.min(this.dupAcks, 2) * this.smss : 0;
    return this.congestion.cwnd + limitedTransmit;
  }

  /**
   * What to transmit next, or null (RFC 6675 NextSeg() within cwnd − pipe, when pacing allows).
   * `pipe` is the caller's running estimate (it adds what it sends), so one output pass computes
   * it once. A retransmission that must go at once (fast retransmit, after a timeout) is not held
   * back by pacing, but is paid for like any other transmission.
   */
  next(pipe: number, now: number): Transmission | null {
    this.windowLimited = false;
    this.pacingLimited = false;
    if (this.forceHead) {
      this.forceHead = false;
      const head = this.scoreboard.nextLost() ?? this.scoreboard.firstUnsacked();
      if (head !== null) return this.retransmission(head);
    }
    if (!this.pacer.ready(now)) {
      this.pacingLimited = true;
      return null;
    }
    const room = this.sendAllowance - pipe;
    // Rule 1: a segment deemed lost.
    const lost = this.scoreboard.nextLost();
    if (lost !== null) return pipe === 0 || room >= Math.min(this.smss, lost.length) ? this.retransmission(lost) : null;
    // Rule 2: new data.
    const fresh = this.nextNewData(pipe, room);
    if (fresh !== null || this.lossState !== LossState.Recovery || !this.sackEnabled || room < this.smss) return fresh;
    // Rule 3: an unSACKed segment below the highest SACK, not yet deemed lost.
    const below = this.scoreboard.nextUnsackedBelowHighSack();
    if (below !== null) return this.retransmission(below);
    // Rule 4: one rescue retransmission of the last unSACKed segment per recovery. Only once no
    // retransmission is in flight: until then their ACKs show RACK whether the tail was lost too,
    // and a rescue sent at once would mostly duplicate a segment that arrives anyway.
    if (this.scoreboard.retransBytes === 0 && (this.rescueRxt === null || seqGt(this.sndUna, this.rescueRxt))) {
      const last = this.scoreboard.lastUnsacked();
      if (last !== null && !last.retransInFlight) {
        this.rescueRxt = this.recover;
        this.rescueRetransmits++;
        return this.retransmission(last);
      }
    }
    return null;
  }

  private nextNewData(pipe: number, room: number): Transmission | null {
    const unsent = this.unsent;
    if (unsent === 0) {
      if (this.finQueued && !this.finSent && (pipe === 0 || room > 0)) return { seq: this.sndNxt, len: 0, fin: true, retransmit: false };
      return null;
    }
    const windowRoom = seqDiff(seqAdd(this.sndUna, this.sndWnd), this.sndNxt);
    const want = Math.min(unsent, this.smss);
    const len = Math.min(want, Math.max(0, windowRoom));
    if (len < want) {
      // Sender SWS avoidance (RFC 9293 §3.8.6.2.1): a partial window is used only if it is at least
      // half the largest window the peer has offered.
      if (len === 0 || len < this.maxSndWnd / 2) {
        this.windowLimited = true;
        return null;
      }
    }
    if (pipe > 0 && len > room) return null;
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

  /**
   * One output pass is over, having stopped at `pipe`: if it stopped for want of data (not for
   * cwnd, the peer's window or pacing) with nothing left to retransmit, the connection is
   * application-limited (the delivery rate draft's test).
   */
  outputDone(pipe: number): void {
    if (this.pacingLimited || this.windowLimited || this.unsent >= this.smss) return;
    if (pipe >= this.congestion.cwnd || this.scoreboard.nextLost() !== null) return;
    this.deliveryRate.markAppLimited(pipe);
  }

  /** Record a transmission handed to the network. */
  sent(t: Transmission, now: number): void {
    const end = seqAdd(t.seq, t.len + (t.fin ? 1 : 0));
    this.pacer.spend(t.len + (t.fin ? 1 : 0), now);
    if (t.retransmit) {
      this.retransmits++;
      this.scoreboard.resent(t.seq, end, now, this.deliveryRate.onSend(now, false));
      this.spurious.retransmitted(t.seq, end);
      if (this.timing && seqLt(this.timedSeq, end)) this.timing = false;
      return;
    }
    this.bytesSent += t.len;
    if (!this.timestampsEnabled && !this.timing && t.len > 0) {
      this.timing = true;
      this.timedSeq = t.seq;
      this.timedAt = now;
    }
    if (seqGt(end, this.sndNxt)) {
      this.scoreboard.sent(this.sndNxt, end, now, this.deliveryRate.onSend(now, this.allAcknowledged));
      this.sndNxt = end;
    }
  }

  /** A segment of the scoreboard sent again, with those after it that share its marks, up to one SMSS. */
  private retransmission(seg: SentSegment): Transmission {
    return this.range(seg.start, this.scoreboard.extentFrom(seg, this.smss), true);
  }

  /** Sequence-space range [start, end) as a transmission: data first, then the FIN if it is in range. */
  private range(start: number, end: number, retransmit: boolean): Transmission {
    const dataEnd = this.buffer.endSeq;
    const len = Math.max(0, seqDiff(seqMin(end, dataEnd), start));
    const fin = this.finQueued && seqGt(end, dataEnd);
    return { seq: start, len, fin, retransmit };
  }
}

/**
 * The D-SACK block of an ACK's SACK option, if it has one (RFC 2883 §4): the first block when it
 * lies below the cumulative ACK, or inside the second block.
 */
export function dsackOf(blocks: ReadonlyArray<readonly [number, number]>, ack: number): readonly [number, number] | null {
  const first = blocks[0];
  if (first === undefined || !seqLt(first[0], first[1])) return null;
  if (seqLe(first[1], ack)) return first;
  const second = blocks[1];
  if (second !== undefined && seqGe(first[0], second[0]) && seqLe(first[1], second[1])) return first;
  return null;
}
