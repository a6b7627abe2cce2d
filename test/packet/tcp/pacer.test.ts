/** Pacing (pacer.ts): quotas of segments per timer tick on virtual time. */
import { expect } from "chai";
import { PACING_BURST_MS, PACING_TICK_MS, Pacer } from "../../../providers/packet/stack/tcp/pacer.js";

const MSS = 1448;

interface Run {
  /** Send times of every segment. */
  sends: number[];
  /** Times the sender woke on its pacing timer. */
  wakes: number[];
}

/**
 * A sender with unlimited data that does what the connection does: at each wake it sends while
 * the pacer allows, then sleeps for `pacer.delay()`; `late(t)` adds timer lateness.
 */
function drive(pacer: Pacer, untilMs: number, late: (t: number) => number = () => 0): Run {
  const run: Run = { sends: [], wakes: [] };
  let now = 0;
  while (now < untilMs) {
    run.wakes.push(now);
    while (pacer.ready(now)) {
      pacer.spend(MSS, now);
      run.sends.push(now);
    }
    now += pacer.delay(now) + late(now);
  }
  return run;
}

/** Most bytes sent within any window of `ms`. */
function largestBurst(sends: readonly number[], ms: number): number {
  let best = 0;
  for (let i = 0, j = 0; i < sends.length; i++) {
    while (sends[i]! - sends[j]! >= ms) j++;
    best = Math.max(best, (i - j + 1) * MSS);
  }
  return best;
}

describe("packet/tcp pacing", () => {
  it("does nothing without a rate: always ready, never a delay", () => {
    const pacer = new Pacer();
    expect(pacer.pacing).to.equal(false);
    for (let i = 0; i < 100; i++) {
      expect(pacer.ready(0)).to.equal(true);
      pacer.spend(MSS, 0);
    }
    expect(pacer.delay(0)).to.equal(0);
  });

  it("holds the rate (100 MB/s): over any interval at most the rate plus one burst, and on average the rate", () => {
    const pacer = new Pacer();
    const rate = 100_000; // bytes per ms
    pacer.setRate(rate, MSS, 0);
    const run = drive(pacer, 1000);
    const sent = run.sends.length * MSS;
    expect(sent / 1000, "average rate").to.be.within(rate * 0.99, rate * 1.01);
    for (const window of [1, 5, 50]) {
      expect(largestBurst(run.sends, window), `burst within ${window} ms`).to.be.at.most(rate * (window + PACING_BURST_MS) + MSS);
    }
  });

  it("releases a quota of segments per timer tick rather than a timer per segment", () => {
    const pacer = new Pacer();
    pacer.setRate(100_000, MSS, 0);
    const run = drive(pacer, 1000);
    expect(run.sends.length).to.be.greaterThan(60_000);
    expect(run.wakes.length, "about one wake per tick").to.be.at.most(1000 / PACING_TICK_MS + 1);
  });

  it("at a low rate sends one segment per wake, spaced by its transmission time at that rate", () => {
    const pacer = new Pacer();
    const rate = 100; // 100 kB/s: a 1448-byte segment every 14.48 ms
    pacer.setRate(rate, MSS, 0);
    const run = drive(pacer, 2000);
    const gaps = run.sends.slice(3).map((t, i) => t - run.sends[i + 2]!);
    for (const gap of gaps) expect(gap).to.be.closeTo(MSS / rate, 1e-6);
    expect(run.sends.length * MSS).to.be.at.most(rate * 2000 + 2 * MSS + MSS);
  });

  it("a late timer is made up for up to the burst, no more: lateness costs rate only beyond the burst", () => {
    const rate = 10_000;
    const lateBy = (ms: number) => {
      const pacer = new Pacer();
      pacer.setRate(rate, MSS, 0);
      return drive(pacer, 1000, () => ms).sends.length * MSS;
    };
    expect(lateBy(1), "1 ms late: within the burst, the rate holds").to.be.at.least(rate * 1000 * 0.98);
    const veryLate = lateBy(8);
    expect(veryLate, "8 ms late: at most a burst per wake").to.be.at.most(((1000 / 9 + 1) * (rate * PACING_BURST_MS + MSS)));
    expect(veryLate).to.be.below(rate * 1000 * 0.5);
  });

  it("keeps its credit within the new burst when the rate falls, and rejects a rate that is not positive", () => {
    const pacer = new Pacer();
    pacer.setRate(100_000, MSS, 0);
    pacer.setRate(1000, MSS, 0); // the burst shrinks from 200 kB to 2 segments' worth (2896 B)
    let sent = 0;
    while (pacer.ready(0)) {
      pacer.spend(MSS, 0);
      sent++;
    }
    expect(sent * MSS).to.be.at.most(2 * MSS + MSS);
    expect(() => pacer.setRate(0, MSS, 0)).to.throw(RangeError);
    expect(() => pacer.setRate(Number.NaN, MSS, 0)).to.throw(RangeError);
  });
});
