/**
 * BBR congestion control, version 1, as draft-cardwell-iccrg-bbr-congestion-control-00 specifies
 * it (the version Linux ships as "bbr"). BBR does not read loss as congestion. It models the path
 * from the delivery rate samples of every ACK (delivery-rate.ts): the bottleneck bandwidth BtlBw
 * (the best rate of the last 10 round trips) and the round-trip propagation time RTprop (the least
 * RTT of the last 10 s). It then sends at a pacing rate of pacing_gain × BtlBw, with at most
 * cwnd_gain × BtlBw × RTprop (plus a little for quantisation) in flight.
 *
 * Why version 1 and not the IETF's current text (draft-ietf-ccwg-bbr, BBRv3): BBRv3 bounds
 * what it sends once more than 2 % of a round's data is lost (BBRLossThresh), so it backs off
 * under 5 % random loss by design. BBRv1 ignores the loss rate, and so keeps the bottleneck's
 * rate through random loss. It is also what the kernel on the other end of the benchmark runs as
 * its default ("bbr" in Linux is version 1).
 *
 * The states:
 *  - Startup: pacing and cwnd gain 2/ln 2 (the rate doubles every round) until three rounds in
 *    a row raise BtlBw by less than 25 % ("the pipe is full");
 *  - Drain: the inverse pacing gain, until what is in flight is down to one BDP;
 *  - ProbeBW: the gain cycles through 5/4, 3/4, then 1 for six phases, each one RTprop long: a
 *    round of probing for more bandwidth, a round of draining what the probe queued, then
 *    cruising at the estimate; cwnd gain 2;
 *  - ProbeRTT: when RTprop has not been refreshed for 10 s, cwnd drops to 4 segments for at
 *    least 200 ms and one round trip, so the queue empties and the true RTT can be seen.
 *
 * Losses touch only cwnd, briefly: the bytes deemed lost come off it, the first round of fast
 * recovery sends no more than is delivered (packet conservation), a timeout drops it to one
 * segment, and the end of recovery puts back the window from before. Sizes are bytes (the draft
 * counts packets), times ms, rates bytes per ms.
 */
import type { Random } from "../../random.js";
import { CongestionControl, initialWindow, type AckSample } from "./congestion.js";
import { WindowedMax } from "./windowed-max.js";

export type BbrState = "startup" | "drain" | "probe-bw" | "probe-rtt";

/** BBRHighGain: 2/ln(2), the smallest gain that doubles the sending rate every round. */
export const BBR_HIGH_GAIN = 2 / Math.LN2;
/** The ProbeBW pacing gains, one phase each. */
export const BBR_PACING_GAIN_CYCLE: readonly number[] = [5 / 4, 3 / 4, 1, 1, 1, 1, 1, 1];
/** BtlBwFilterLen: rounds the bandwidth filter remembers. */
export const BBR_BTLBW_FILTER_ROUNDS = 10;
/** RTpropFilterLen (ms). */
export const BBR_RTPROP_FILTER_MS = 10_000;
/** ProbeRTTDuration (ms). */
export const BBR_PROBE_RTT_MS = 200;
/** BBRMinPipeCwnd, in segments. */
export const BBR_MIN_PIPE_SEGMENTS = 4;
/** Startup ends when BtlBw grew by less than this factor ... */
const FULL_BW_GROWTH = 1.25;
/** ... in this many rounds in a row. */
const FULL_BW_ROUNDS = 3;
const PROBE_BW_CWND_GAIN = 2;
/** Send quantum thresholds: 1.2 Mbit/s and 24 Mbit/s in bytes per ms, and the largest quantum (64 KB). */
const QUANTUM_ONE_SEGMENT_BELOW = 150;
const QUANTUM_TWO_SEGMENTS_BELOW = 3000;
const MAX_SEND_QUANTUM = 64 * 1024;

/** BBR's model and state, for diagnostics and tests. */
export interface BbrModel {
  state: BbrState;
  /** BtlBw, bytes per ms (0 before a sample). */
  btlBw: number;
  /** RTprop, ms (Infinity before a sample). */
  rtProp: number;
  pacingGain: number;
  cwndGain: number;
  filledPipe: boolean;
  /** Round trips counted so far. */
  rounds: number;
  /** Times ProbeRTT was entered. */
  probeRttEntries: number;
  sendQuantum: number;
}

export class BbrCongestion extends CongestionControl {
  readonly name = "bbr";
  private state: BbrState = "startup";
  private pacingGain = BBR_HIGH_GAIN;
  private cwndGain = BBR_HIGH_GAIN;
  /** Bytes per ms; 0 until the first ACK sets it. */
  private pacingRateValue = 0;
  private sendQuantum: number;

  private readonly btlBwFilter = new WindowedMax(BBR_BTLBW_FILTER_ROUNDS);
  private rtProp = Infinity;
  /** When RTprop was last set (ms), -1 before the first ACK. */
  private rtPropStamp = -1;
  private rtPropExpired = false;

  private rounds = 0;
  /** C.delivered at which the next round starts. */
  private nextRoundDelivered = 0;
  private roundStart = false;

  private filledPipe = false;
  private fullBw = 0;
  private fullBwCount = 0;

  private cycleIndex = 0;
  private cycleStamp = 0;

  /** When ProbeRTT may end (ms), -1 until what is in flight is down to the minimum. */
  private probeRttDoneStamp = -1;
  private probeRttRoundDone = false;
  private probeRttEntries = 0;
  private idleRestart = false;

  /** cwnd saved when recovery, a timeout or ProbeRTT began, put back when it ends. */
  private priorCwnd = 0;
  private inLossRecovery = false;
  /** Fast recovery began since the last ACK sample: packet conservation starts with the next one. */
  private recoveryStarting = false;
  private packetConservation = false;

  /** `random` picks where ProbeBW enters its gain cycle (so that flows do not probe in step). */
  constructor(smss: number, private readonly random: Random | null = null) {
    super(smss);
    this.sendQuantum = 2 * smss;
  }

  get model(): BbrModel {
    return {
      state: this.state,
      btlBw: this.btlBw,
      rtProp: this.rtProp,
      pacingGain: this.pacingGain,
      cwndGain: this.cwndGain,
      filledPipe: this.filledPipe,
      rounds: this.rounds,
      probeRttEntries: this.probeRttEntries,
      sendQuantum: this.sendQuantum,
    };
  }

  private get btlBw(): number {
    return this.btlBwFilter.best;
  }

  private get minPipeCwnd(): number {
    return BBR_MIN_PIPE_SEGMENTS * this.smss;
  }

  /**
   * BBR's flight is its model's (2 BDP plus 3 send quanta, mostly quanta at a sub-millisecond
   * RTT) whatever the losses; the send buffer must hold it, what SACKs pin behind a hole, and more
   * to send. Without new data to send after it, a lost retransmission is found only by the RTO.
   * Three windows, as Linux provisions for BBR.
   */
  override get sendBufferCwnds(): number {
    return 3;
  }

  override pacingRate(srtt: number): number {
    return this.pacingRateValue > 0 ? this.pacingRateValue : this.initialPacingRate(srtt);
  }

  /** BBRInitPacingRate: the high gain over the initial window's rate in one SRTT (1 ms when unknown). */
  private initialPacingRate(srtt: number): number {
    return (BBR_HIGH_GAIN * initialWindow(this.smss)) / (srtt > 0 ? srtt : 1);
  }

  // ---------------------------------------------------------------- every ACK

  override onAckSample(sample: AckSample): void {
    if (this.rtPropStamp < 0) this.rtPropStamp = sample.now;
    if (this.pacingRateValue === 0) this.pacingRateValue = this.initialPacingRate(sample.srtt);
    // BBRUpdateModelAndState
    this.updateRound(sample);
    this.updateBtlBw(sample);
    this.checkCyclePhase(sample);
    this.checkFullPipe(sample);
    this.checkDrain(sample);
    this.updateRtProp(sample);
    this.checkProbeRtt(sample);
    // BBRUpdateControlParameters
    this.setPacingRate(this.pacingGain);
    this.setSendQuantum();
    this.setCwnd(sample);
  }

  /** A round trip ends when a segment sent after the previous round ended is delivered. */
  private updateRound({ rate }: AckSample): void {
    this.roundStart = false;
    if (rate.priorDelivered >= 0 && rate.priorDelivered >= this.nextRoundDelivered) {
      this.nextRoundDelivered = rate.deliveredTotal;
      this.rounds++;
      this.roundStart = true;
      this.packetConservation = false; // it lasts one round
    }
  }

  /** An application-limited sample is taken only when it raises the estimate. */
  private updateBtlBw({ rate }: AckSample): void {
    if (rate.deliveryRate < 0) return;
    if (rate.deliveryRate >= this.btlBw || !rate.appLimited) this.btlBwFilter.update(rate.deliveryRate, this.rounds);
  }

  private checkCyclePhase(sample: AckSample): void {
    if (this.state === "probe-bw" && this.isNextCyclePhase(sample)) this.advanceCyclePhase(sample.now);
  }

  /**
   * A phase lasts one RTprop; the probing phase longer, until it has queued what its gain asks
   * for or met a loss; the draining phase shorter, once the queue it made is gone.
   */
  private isNextCyclePhase({ now, lost, priorInflight }: AckSample): boolean {
    const fullLength = now - this.cycleStamp > this.rtProp;
    if (this.pacingGain === 1) return fullLength;
    if (this.pacingGain > 1) return fullLength && (lost > 0 || priorInflight >= this.inflight(this.pacingGain));
    return fullLength || priorInflight <= this.inflight(1);
  }

  private advanceCyclePhase(now: number): void {
    this.cycleStamp = now;
    this.cycleIndex = (this.cycleIndex + 1) % BBR_PACING_GAIN_CYCLE.length;
    this.pacingGain = BBR_PACING_GAIN_CYCLE[this.cycleIndex]!;
  }

  /** Startup has filled the pipe when BtlBw stops growing by 25 % a round, three rounds running. */
  private checkFullPipe({ rate }: AckSample): void {
    if (this.filledPipe || !this.roundStart || rate.appLimited) return;
    if (this.btlBw >= this.fullBw * FULL_BW_GROWTH) {
      this.fullBw = this.btlBw;
      this.fullBwCount = 0;
      return;
    }
    if (++this.fullBwCount >= FULL_BW_ROUNDS) this.filledPipe = true;
  }

  private checkDrain({ now, inflight }: AckSample): void {
    if (this.state === "startup" && this.filledPipe) this.enterDrain();
    if (this.state === "drain" && inflight <= this.inflight(1)) this.enterProbeBw(now);
  }

  /** RTprop: a new minimum, or any sample once the old one has aged past the filter's window. */
  private updateRtProp({ now, rate }: AckSample): void {
    this.rtPropExpired = now > this.rtPropStamp + BBR_RTPROP_FILTER_MS;
    if (rate.rtt >= 0 && (rate.rtt <= this.rtProp || this.rtPropExpired)) {
      this.rtProp = rate.rtt;
      this.rtPropStamp = now;
    }
  }

  private checkProbeRtt(sample: AckSample): void {
    if (this.state !== "probe-rtt" && this.rtPropExpired && !this.idleRestart) {
      this.enterProbeRtt();
      this.saveCwnd();
      this.probeRttDoneStamp = -1;
    }
    if (this.state === "probe-rtt") this.handleProbeRtt(sample);
    this.idleRestart = false;
  }

  /** Hold cwnd at the minimum for ProbeRTTDuration and one round once the flight has shrunk to it. */
  private handleProbeRtt(sample: AckSample): void {
    sample.markAppLimited(); // what ProbeRTT sends says nothing about the bandwidth
    const { now, inflight, rate } = sample;
    if (this.probeRttDoneStamp < 0 && inflight <= this.minPipeCwnd) {
      this.probeRttDoneStamp = now + BBR_PROBE_RTT_MS;
      this.probeRttRoundDone = false;
      this.nextRoundDelivered = rate.deliveredTotal;
    } else if (this.probeRttDoneStamp >= 0) {
      if (this.roundStart) this.probeRttRoundDone = true;
      if (this.probeRttRoundDone && now > this.probeRttDoneStamp) {
        this.rtPropStamp = now;
        this.restoreCwnd();
        if (this.filledPipe) this.enterProbeBw(now);
        else this.enterStartup();
      }
    }
  }

  private enterStartup(): void {
    this.state = "startup";
    this.pacingGain = BBR_HIGH_GAIN;
    this.cwndGain = BBR_HIGH_GAIN;
  }

  private enterDrain(): void {
    this.state = "drain";
    this.pacingGain = 1 / BBR_HIGH_GAIN;
    this.cwndGain = BBR_HIGH_GAIN;
  }

  /** ProbeBW starts at a random phase of the cycle, never the draining one. */
  private enterProbeBw(now: number): void {
    this.state = "probe-bw";
    this.pacingGain = 1;
    this.cwndGain = PROBE_BW_CWND_GAIN;
    const offset = this.random === null ? 0 : Math.floor(this.random.next() * (BBR_PACING_GAIN_CYCLE.length - 1));
    this.cycleIndex = BBR_PACING_GAIN_CYCLE.length - 1 - offset;
    this.advanceCyclePhase(now);
  }

  private enterProbeRtt(): void {
    this.state = "probe-rtt";
    this.pacingGain = 1;
    this.cwndGain = 1;
    this.probeRttEntries++;
  }

  /** The rate never falls during Startup (an early low sample is not the path's). */
  private setPacingRate(gain: number): void {
    const rate = gain * this.btlBw;
    if (rate > 0 && (this.filledPipe || rate > this.pacingRateValue)) this.pacingRateValue = rate;
  }

  /** How much the sender may send back to back: more at high rates, where per-segment work costs. */
  private setSendQuantum(): void {
    const rate = this.pacingRateValue;
    if (rate < QUANTUM_ONE_SEGMENT_BELOW) this.sendQuantum = this.smss;
    else if (rate < QUANTUM_TWO_SEGMENTS_BELOW) this.sendQuantum = 2 * this.smss;
    else this.sendQuantum = Math.min(rate, MAX_SEND_QUANTUM); // one ms worth
  }

  /** BBRInflight: `gain` × BDP, plus three send quanta for the sender's and receiver's batching. */
  private inflight(gain: number): number {
    if (this.rtProp === Infinity) return initialWindow(this.smss);
    return gain * this.btlBw * this.rtProp + 3 * this.sendQuantum;
  }

  private setCwnd(sample: AckSample): void {
    const delivered = sample.rate.newlyDelivered;
    const target = this.inflight(this.cwndGain);
    // BBRModulateCwndForRecovery
    if (sample.lost > 0) this.cwnd = Math.max(this.cwnd - sample.lost, this.smss);
    if (this.recoveryStarting) {
      // The first round of fast recovery sends only what is delivered; a round starts now.
      this.recoveryStarting = false;
      this.packetConservation = true;
      this.nextRoundDelivered = sample.rate.deliveredTotal;
      this.cwnd = sample.inflight + Math.max(delivered, this.smss);
    } else if (this.packetConservation) {
      this.cwnd = Math.max(this.cwnd, sample.inflight + delivered);
    }
    if (!this.packetConservation) {
      if (this.filledPipe) this.cwnd = Math.min(this.cwnd + delivered, target);
      else if (this.cwnd < target || sample.rate.deliveredTotal < initialWindow(this.smss)) this.cwnd += delivered;
      this.cwnd = Math.max(this.cwnd, this.minPipeCwnd);
    }
    if (this.state === "probe-rtt") this.cwnd = Math.min(this.cwnd, this.minPipeCwnd);
  }

  private saveCwnd(): void {
    this.priorCwnd = !this.inLossRecovery && this.state !== "probe-rtt" ? this.cwnd : Math.max(this.priorCwnd, this.cwnd);
  }

  private restoreCwnd(): void {
    this.cwnd = Math.max(this.cwnd, this.priorCwnd);
  }

  // ---------------------------------------------------------------- the sender's loss events

  /** Growth happens in onAckSample, whatever the loss state. */
  override onAck(): void {}

  protected avoid(): void {}

  /** BBR keeps no ssthresh: a loss is not a congestion signal to it. */
  onCongestion(): void {}

  override enterRecovery(): void {
    this.saveCwnd();
    this.inLossRecovery = true;
    this.recoveryStarting = true;
  }

  /** The window is the model's, not NewReno's: no inflation or deflation without SACK either. */
  override inflate(): void {}

  override partialAck(): void {}

  override exitRecovery(): void {
    this.endLossRecovery();
  }

  override exitLoss(): void {
    this.endLossRecovery();
  }

  private endLossRecovery(): void {
    if (!this.inLossRecovery) return;
    this.inLossRecovery = false;
    this.recoveryStarting = false;
    this.packetConservation = false;
    this.restoreCwnd();
  }

  override onTimeout(): void {
    this.saveCwnd();
    this.inLossRecovery = true;
    this.recoveryStarting = false;
    this.packetConservation = false;
    this.cwnd = this.smss;
  }

  /** A probe's repaired loss is one more loss; the model is unchanged. */
  override onProbeRepairedLoss(): void {}

  /** After idle the model still holds: cruise at BtlBw, and do not take the quiet for a ProbeRTT. */
  override restartAfterIdle(): void {
    super.restartAfterIdle();
    this.idleRestart = true;
    if (this.state === "probe-bw") this.setPacingRate(1);
  }
}
