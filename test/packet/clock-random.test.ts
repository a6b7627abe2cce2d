import { expect } from "chai";
import { MAX_TIMEOUT_MS, ManualClock, RealClock } from "../../providers/packet/clock.js";
import { SeededRandom } from "../../providers/packet/random.js";

describe("packet: ManualClock", () => {
  it("fires timers in time order, same-instant timers in the order set", () => {
    const clock = new ManualClock();
    const fired: string[] = [];
    clock.setTimer(20, () => fired.push("b"));
    clock.setTimer(10, () => fired.push("a"));
    clock.setTimer(20, () => fired.push("c"));
    clock.advance(15);
    expect(fired).to.deep.equal(["a"]);
    expect(clock.now()).to.equal(15);
    clock.advance(5);
    expect(fired).to.deep.equal(["a", "b", "c"]);
  });

  it("does not fire cancelled timers and runUntil stops when the predicate holds", () => {
    const clock = new ManualClock();
    let count = 0;
    const t = clock.setTimer(5, () => count++);
    t.cancel();
    const tick = (): void => {
      count++;
      clock.setTimer(10, tick);
    };
    clock.setTimer(10, tick);
    expect(clock.runUntil(() => count >= 3)).to.equal(true);
    expect(count).to.equal(3);
    expect(clock.now()).to.equal(30);
  });
});

describe("packet: RealClock", () => {
  it("waits out a delay longer than one setTimeout can (Node would fire it after 1 ms, with a TimeoutOverflowWarning)", async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error): void => {
      warnings.push(w.name);
    };
    process.on("warning", onWarning);
    try {
      const clock = new RealClock();
      let fired = 0;
      const long = clock.setTimer(MAX_TIMEOUT_MS + 1000, () => fired++);
      const short = clock.setTimer(5, () => fired++);
      await new Promise((r) => setTimeout(r, 50));
      expect(fired, "only the 5 ms timer").to.equal(1);
      long.cancel();
      short.cancel();
      await new Promise((r) => setImmediate(r));
      expect(warnings).to.not.include("TimeoutOverflowWarning");
    } finally {
      process.off("warning", onWarning);
    }
  });
});

describe("packet: SeededRandom", () => {
  it("repeats the same sequence for the same seed and differs across seeds", () => {
    const a = new SeededRandom(42);
    const b = new SeededRandom(42);
    const c = new SeededRandom(43);
    const sa = Array.from({ length: 8 }, () => a.nextU32());
    const sb = Array.from({ length: 8 }, () => b.nextU32());
    const sc = Array.from({ length: 8 }, () => c.nextU32());
    expect(sa).to.deep.equal(sb);
    expect(sa).to.not.deep.equal(sc);
    for (const v of sa) expect(v).to.be.within(0, 0xffffffff);
  });

  it("is roughly uniform in [0, 1)", () => {
    const r = new SeededRandom(7);
    let sum = 0;
    for (let i = 0; i < 10000; i++) {
      const v = r.next();
      expect(v).to.be.at.least(0).and.below(1);
      sum += v;
    }
    expect(sum / 10000).to.be.closeTo(0.5, 0.02);
  });
});
