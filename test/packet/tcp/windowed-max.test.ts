/** The windowed maximum over rounds (BBR's BtlBw filter). */
import { expect } from "chai";
import { WindowedMax } from "../../../providers/packet/stack/tcp/windowed-max.js";

describe("packet/tcp windowed maximum over rounds", () => {
  it("is the largest sample of the last N rounds: a peak is forgotten N rounds after its own", () => {
    const f = new WindowedMax(10);
    expect(f.best).to.equal(0);
    f.update(5, 0);
    f.update(9, 1); // the peak, in round 1
    for (let round = 2; round <= 10; round++) expect(f.update(4, round), `round ${round}`).to.equal(9);
    expect(f.update(4, 11), "round 11: round 1 has left the window").to.equal(4);
  });

  it("takes the best of several samples in one round, and a gap of many rounds forgets everything before it", () => {
    const f = new WindowedMax(3);
    f.update(2, 0);
    f.update(7, 0);
    f.update(3, 0);
    expect(f.best).to.equal(7);
    expect(f.update(1, 100)).to.equal(1);
    f.reset();
    expect(f.best).to.equal(0);
    expect(() => new WindowedMax(0)).to.throw(RangeError);
  });
});
