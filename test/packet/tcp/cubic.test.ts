/** CUBIC (RFC 9438) window arithmetic, driven by hand-made ACKs on virtual time. */
import { expect } from "chai";
import { CUBIC_BETA, CUBIC_C, CubicCongestion } from "../../../providers/packet/stack/tcp/cubic.js";

const MSS = 1000;

/** One round trip of ACKs for a full window, one per segment, at `now` (ms); returns the new cwnd in segments. */
function roundTrip(cc: CubicCongestion, now: number, srtt: number): number {
  const segments = Math.floor(cc.cwnd / MSS);
  for (let i = 0; i < segments; i++) cc.onAck(MSS, cc.cwnd, now, srtt);
  return cc.cwnd / MSS;
}

/** A CUBIC window of `segments` in congestion avoidance. */
function at(segments: number): CubicCongestion {
  const cc = new CubicCongestion(MSS);
  cc.cwnd = segments * MSS;
  cc.ssthresh = segments * MSS;
  return cc;
}

describe("packet/tcp CUBIC (RFC 9438)", () => {
  it("reduces by β = 0.7 on congestion, remembering W_max, with fast convergence when W_max shrinks", () => {
    const cc = at(100);
    cc.onCongestion(0, 0);
    expect(cc.ssthresh).to.equal(100 * MSS * CUBIC_BETA);
    expect(cc.state.wMax).to.equal(100 * MSS);
    cc.cwnd = 80 * MSS;
    cc.onCongestion(0, 0);
    expect(cc.state.wMax, "below the last W_max: (1 + β)/2 of it").to.equal((80 * MSS * (1 + CUBIC_BETA)) / 2);
    const small = at(2);
    small.onCongestion(0, 0);
    expect(small.ssthresh, "never below 2 segments").to.equal(2 * MSS);
  });

  it("grows concave up to W_max around t = K, then convex beyond (RTT 100 ms, so the cubic function leads)", () => {
    const cc = at(100);
    cc.onCongestion(0, 0);
    cc.cwnd = cc.ssthresh; // fast recovery ends at ssthresh
    const k = Math.cbrt((100 - 70) / CUBIC_C); // seconds
    const windows: number[] = [];
    let now = 1000;
    cc.onAck(MSS, cc.cwnd, now, 100); // starts the epoch at 1 s
    expect(cc.state.k).to.be.closeTo(k, 1e-9);
    for (; now <= 1000 + 2 * k * 1000; now += 100) windows.push(roundTrip(cc, now, 100));
    const atK = windows[Math.round(k * 10)]!;
    expect(atK, "at t = K the window is back at W_max").to.be.closeTo(100, 2);
    const steps = windows.slice(1).map((w, i) => w - windows[i]!);
    const early = steps.slice(0, 10).reduce((a, b) => a + b) / 10;
    const plateau = steps.slice(Math.round(k * 10) - 5, Math.round(k * 10) + 5).reduce((a, b) => a + b) / 10;
    const late = steps.slice(-10).reduce((a, b) => a + b) / 10;
    expect(plateau, "slowest growth near W_max").to.be.lessThan(early);
    expect(plateau).to.be.lessThan(late);
    expect(windows.at(-1)!, "past W_max, probing for more").to.be.greaterThan(110);
    // Never more than 1.5× per round trip.
    for (let i = 1; i < windows.length; i++) expect(windows[i]! / windows[i - 1]!).to.be.at.most(1.5);
  });

  it("on a short RTT grows like Reno would with the same β (the Reno-friendly region): ~0.53 segments per RTT, 1 once past the old window", () => {
    const cc = at(20);
    cc.onCongestion(0, 0);
    cc.cwnd = cc.ssthresh; // 14 segments
    let now = 0;
    const alpha = (3 * (1 - CUBIC_BETA)) / (1 + CUBIC_BETA);
    const growth = (rtts: number): number => {
      const start = cc.cwnd / MSS;
      for (let i = 0; i < rtts; i++, now += 1) roundTrip(cc, now, 1);
      return (cc.cwnd / MSS - start) / rtts;
    };
    expect(growth(10), "below the window of the last congestion event").to.be.closeTo(alpha, 0.06);
    growth(3);
    expect(growth(10), "past it, Reno's own one segment per RTT").to.be.closeTo(1, 0.1);
  });

  it("after a timeout restarts from one segment, and its first epoch takes W_max from where slow start ended (K = 0)", () => {
    const cc = at(50);
    cc.onTimeout(50 * MSS, true, 0);
    expect(cc.cwnd).to.equal(MSS);
    expect(cc.ssthresh).to.equal(35 * MSS);
    let now = 0;
    while (cc.cwnd < cc.ssthresh) roundTrip(cc, (now += 10), 10);
    cc.onAck(MSS, cc.cwnd, now + 10, 10);
    expect(cc.state.k).to.equal(0);
    expect(cc.state.wMax).to.be.within(35 * MSS, 36 * MSS);
  });

  it("undoes a spurious reduction: window, threshold and the cubic state come back", () => {
    const cc = at(60);
    cc.onCongestion(0, 0); // a real one: W_max 60
    cc.cwnd = 50 * MSS;
    cc.ssthresh = 50 * MSS;
    const saved = cc.snapshot();
    cc.onCongestion(0, 0); // then one that D-SACKs will show spurious
    cc.cwnd = cc.ssthresh;
    expect(cc.state.wMax, "fast convergence lowered W_max").to.be.lessThan(60 * MSS);
    cc.undo(saved);
    expect([cc.cwnd, cc.ssthresh, cc.state.wMax]).to.deep.equal([50 * MSS, 50 * MSS, 60 * MSS]);
  });
});
