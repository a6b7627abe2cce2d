/**
 * BBR's model and state machine (bbr.ts), driven by hand-made ACK samples on virtual time: each
 * `round()` is one round trip of ACKs carrying the delivery rate and RTT the test chooses.
 */
import { expect } from "chai";
import { SeededRandom } from "../../../providers/packet/random.js";
import { BBR_HIGH_GAIN, BBR_PACING_GAIN_CYCLE, BBR_PROBE_RTT_MS, BbrCongestion } from "../../../providers/packet/stack/tcp/bbr.js";
import type { AckSample } from "../../../providers/packet/stack/tcp/congestion.js";
import type { RateSample } from "../../../providers/packet/stack/tcp/delivery-rate.js";

const MSS = 1000;

interface RoundOptions {
  /** Delivery rate of the round's samples, bytes per ms. */
  rate: number;
  /** RTT of the round (ms); also its duration. */
  rtt: number;
  /** pipe while the round's ACKs arrive (default: what cwnd allows). */
  inflight?: number;
  appLimited?: boolean;
  /** Bytes deemed lost on the round's first ACK. */
  lost?: number;
  /** ACKs in the round (default 10). */
  acks?: number;
}

class Driver {
  readonly cc = new BbrCongestion(MSS, new SeededRandom(7));
  now = 0;
  delivered = 0;
  appLimitedMarks = 0;

  /** One round trip: its ACKs each deliver rate × rtt / acks bytes. */
  round(o: RoundOptions): void {
    const acks = o.acks ?? 10;
    const priorDelivered = this.delivered; // this round's data left after the last round's ACKs
    const perAck = (o.rate * o.rtt) / acks;
    for (let i = 0; i < acks; i++) {
      this.now += o.rtt / acks;
      this.delivered += perAck;
      this.ack({ newlyDelivered: perAck, priorDelivered, deliveryRate: o.rate, appLimited: o.appLimited ?? false, rtt: o.rtt }, i === 0 ? (o.lost ?? 0) : 0, o.inflight);
    }
  }

  ack(r: Pick<RateSample, "newlyDelivered" | "priorDelivered" | "deliveryRate" | "appLimited" | "rtt">, lost = 0, inflight?: number): void {
    const pipe = inflight ?? this.cc.cwnd;
    const sample: AckSample = {
      now: this.now,
      rate: { ...r, deliveredTotal: this.delivered, delivered: 0, interval: 0 },
      lost,
      priorInflight: pipe,
      inflight: pipe,
      srtt: r.rtt,
      markAppLimited: () => void this.appLimitedMarks++,
    };
    this.cc.onAckSample(sample);
  }

  /** Startup at `rate` until BBR reaches ProbeBW (the flight drains to one BDP once asked). */
  toProbeBw(rate: number, rtt: number): void {
    for (let i = 0; i < 50 && this.cc.model.state !== "probe-bw"; i++) {
      const draining = this.cc.model.state === "drain";
      this.round({ rate, rtt, ...(draining ? { inflight: rate * rtt } : {}) });
    }
    expect(this.cc.model.state).to.equal("probe-bw");
  }
}

describe("packet/tcp BBR (draft-cardwell-iccrg-bbr-congestion-control-00)", () => {
  it("Startup doubles its rate each round while the bandwidth grows, leaves after three rounds without 25 % growth, drains, then cruises", () => {
    const d = new Driver();
    const cap = 10_000; // 10 MB/s
    const rtt = 20;
    let rate = 500;
    let growingRounds = 0;
    while (rate < cap) {
      d.round({ rate, rtt });
      growingRounds++;
      expect(d.cc.model.state).to.equal("startup");
      expect(d.cc.pacingRate(rtt), "pacing at 2/ln2 × BtlBw").to.be.closeTo(BBR_HIGH_GAIN * rate, 1e-6);
      rate = Math.min(cap, rate * 2);
    }
    expect(growingRounds).to.equal(5);
    // The bandwidth stops growing: the third round without 25 % growth ends Startup.
    d.round({ rate: cap, rtt }); // grows (5000 → 10000)
    d.round({ rate: cap, rtt });
    d.round({ rate: cap, rtt });
    expect(d.cc.model.state).to.equal("startup");
    d.round({ rate: cap, rtt, inflight: 2 * cap * rtt }); // Startup queued a BDP or more
    expect(d.cc.model.filledPipe).to.equal(true);
    expect(d.cc.model.state, "the queue Startup built is drained").to.equal("drain");
    expect(d.cc.pacingRate(rtt)).to.be.closeTo(cap / BBR_HIGH_GAIN, 1e-6);
    const quanta = 3 * d.cc.model.sendQuantum;
    d.round({ rate: cap, rtt, inflight: cap * rtt + quanta + 1 }); // still above one BDP (and the quanta)
    expect(d.cc.model.state).to.equal("drain");
    d.round({ rate: cap, rtt, inflight: cap * rtt + quanta }); // down to it
    expect(d.cc.model.state).to.equal("probe-bw");
    const m = d.cc.model;
    expect(m.btlBw).to.equal(cap);
    expect(m.rtProp).to.equal(rtt);
    expect(m.cwndGain).to.equal(2);
    expect(BBR_PACING_GAIN_CYCLE).to.include(m.pacingGain);
    expect(d.cc.pacingRate(rtt)).to.be.closeTo(m.pacingGain * cap, 1e-6);
  });

  it("ProbeBW cycles 5/4, 3/4, then 1 six times, a phase per RTprop; cwnd stays at 2 BDP plus three quanta", () => {
    const d = new Driver();
    const bw = 10_000;
    const rtt = 20;
    d.toProbeBw(bw, rtt);
    const bdp = bw * rtt;
    const gains: number[] = [];
    for (let i = 0; i < 24; i++) {
      gains.push(d.cc.model.pacingGain);
      // Probing fills the pipe to 1.25 BDP, draining empties it to 1 BDP: each phase ends on time.
      d.round({ rate: bw, rtt: rtt * 1.05, inflight: d.cc.model.pacingGain > 1 ? 1.25 * bdp + 3 * d.cc.model.sendQuantum : bdp });
    }
    const start = gains.indexOf(5 / 4);
    expect(start, "the probing phase comes round").to.be.at.least(0);
    expect(gains.slice(start, start + 8)).to.deep.equal([...BBR_PACING_GAIN_CYCLE]);
    expect(gains.slice(start + 8, start + 16)).to.deep.equal([...BBR_PACING_GAIN_CYCLE]);
    expect(d.cc.cwnd).to.be.closeTo(2 * bdp + 3 * d.cc.model.sendQuantum, 1);
    expect(d.cc.model.sendQuantum, "at 10 MB/s: 1 ms of data").to.equal(bw);
  });

  it("an application-limited sample cannot lower the bandwidth estimate, but may raise it", () => {
    const d = new Driver();
    d.toProbeBw(10_000, 20);
    d.round({ rate: 2_000, rtt: 20, appLimited: true });
    expect(d.cc.model.btlBw).to.equal(10_000);
    d.round({ rate: 12_000, rtt: 20, appLimited: true });
    expect(d.cc.model.btlBw).to.equal(12_000);
    // Ten rounds later the peak has left the filter and limited samples are not taken.
    for (let i = 0; i < 10; i++) d.round({ rate: 2_000, rtt: 20, appLimited: true });
    for (let i = 0; i < 10; i++) d.round({ rate: 9_000, rtt: 20 });
    expect(d.cc.model.btlBw).to.equal(9_000);
  });

  it(`ProbeRTT: 10 s without a new RTprop sample brings cwnd down to 4 segments for ${BBR_PROBE_RTT_MS} ms and a round, then back`, () => {
    const d = new Driver();
    const bw = 10_000;
    d.toProbeBw(bw, 20);
    const cruising = d.cc.cwnd;
    const lastMinimum = d.now;
    // From now on a queue keeps the RTT at 25 ms, above RTprop's 20 ms.
    while (d.cc.model.state === "probe-bw") d.round({ rate: bw, rtt: 25, inflight: bw * 20 });
    expect(d.cc.model.state).to.equal("probe-rtt");
    expect(d.now - lastMinimum, "10 s after the last minimum (within a round)").to.be.within(10_000, 10_025);
    expect(d.cc.model.probeRttEntries).to.equal(1);
    expect(d.cc.cwnd).to.equal(4 * MSS);
    expect(d.appLimitedMarks, "what ProbeRTT sends is not a bandwidth sample").to.be.greaterThan(0);
    expect(d.cc.model.rtProp, "the expired RTprop took the newer sample").to.equal(25);
    // The flight drains to 4 segments; the 200 ms start then (and a round must pass).
    const entered = d.now;
    let left = -1;
    while (d.now < entered + 1000 && left < 0) {
      // ProbeRTT marked the connection application-limited: its samples come flagged so.
      d.round({ rate: (4 * MSS) / 20, rtt: 20, inflight: 4 * MSS, appLimited: true });
      if (d.cc.model.state !== "probe-rtt") left = d.now;
      else expect(d.cc.cwnd).to.equal(4 * MSS);
    }
    expect(left - entered, "at least ProbeRTTDuration").to.be.at.least(BBR_PROBE_RTT_MS);
    expect(left - entered, "and not much more").to.be.below(BBR_PROBE_RTT_MS + 3 * 20);
    expect(d.cc.model.state).to.equal("probe-bw");
    expect(d.cc.model.rtProp, "the empty queue showed the true RTT").to.equal(20);
    expect(d.cc.cwnd, "the window from before ProbeRTT is back").to.be.at.least(cruising);
    // A fresh RTprop sample each round keeps ProbeRTT away.
    while (d.now < left + 20_000) d.round({ rate: bw, rtt: 20, inflight: bw * 20 });
    expect(d.cc.model.probeRttEntries).to.equal(1);
  });

  it("loss: lost bytes come off cwnd, fast recovery's first round sends what is delivered, and the end of recovery restores the window", () => {
    const d = new Driver();
    const bw = 10_000;
    d.toProbeBw(bw, 20);
    const before = d.cc.cwnd;
    d.cc.enterRecovery();
    // The recovery's first ACK: 3 segments lost, 100 kB in flight.
    d.ack({ newlyDelivered: MSS, priorDelivered: d.delivered, deliveryRate: bw, appLimited: false, rtt: 20 }, 3 * MSS, 100_000);
    expect(d.cc.cwnd, "packet conservation: the flight plus what was delivered").to.equal(100_000 + MSS);
    d.round({ rate: bw, rtt: 20, inflight: 120_000 });
    expect(d.cc.cwnd, "one round later the model's window grows back").to.be.above(100_000 + MSS);
    d.cc.exitRecovery();
    expect(d.cc.cwnd).to.be.at.least(before);
    // The model did not change: random loss is not congestion.
    expect(d.cc.model.btlBw).to.equal(bw);
    expect(d.cc.pacingRate(20)).to.be.at.least(0.75 * bw);
  });

  it("a timeout drops cwnd to one segment; growth resumes at once and the end of the loss episode restores the window", () => {
    const d = new Driver();
    d.toProbeBw(10_000, 20);
    const before = d.cc.cwnd;
    d.cc.onTimeout();
    expect(d.cc.cwnd).to.equal(MSS);
    d.ack({ newlyDelivered: MSS, priorDelivered: d.delivered, deliveryRate: -1, appLimited: false, rtt: -1 }, 0, 0);
    expect(d.cc.cwnd, "at least the minimum pipe once ACKs flow").to.equal(4 * MSS);
    d.cc.exitLoss();
    expect(d.cc.cwnd).to.equal(before);
    expect(d.cc.model.state).to.equal("probe-bw");
  });

  it("keeps no ssthresh and ignores NewReno's window inflation: the window is the model's", () => {
    const d = new Driver();
    d.toProbeBw(10_000, 20);
    const cwnd = d.cc.cwnd;
    d.cc.inflate();
    d.cc.partialAck();
    d.cc.onCongestion();
    d.cc.onProbeRepairedLoss();
    expect(d.cc.cwnd).to.equal(cwnd);
    expect(d.cc.ssthresh).to.equal(Number.MAX_SAFE_INTEGER);
    expect(d.cc.sendBufferCwnds).to.equal(3);
  });
});
