/**
 * The seeded API fuzzer (test/fuzz/): at least 100,000 calls of every exported function with
 * arguments of every type, on endpoints in every state. No C-style call throws or rejects, the
 * rest throw only XTIError, every call settles, nothing leaks. XTI_FUZZ_SEED=<n> runs another
 * seed; a failure names its seed and round, and the calls that went wrong.
 */
import { expect } from "chai";
import { fuzz, targets } from "./fuzz/driver.js";
import { closeAll } from "./helpers/xti.js";

const SEED = Number(process.env.XTI_FUZZ_SEED ?? 20261122);
const ROUNDS = 200;
const PER_ROUND = 520;

describe("API fuzzer", function () {
  this.timeout(300_000);

  it(`makes at least 100,000 calls of every exported function (seed ${SEED}) without an exception, a hang or a leak`, async () => {
    await closeAll();
    const report = await fuzz(SEED, ROUNDS, PER_ROUND);
    const failure = (what: string, list: readonly unknown[]): string => `${what} (seed ${SEED}; rerun with XTI_FUZZ_SEED=${SEED}):\n${list.slice(0, 20).map((x) => JSON.stringify(x)).join("\n")}`;
    expect(report.violations, failure("calls broke the API's promise", report.violations)).to.deep.equal([]);
    expect(report.unsettled, failure("calls never settled", report.unsettled)).to.deep.equal([]);
    expect(report.leaks, failure("leaks", report.leaks)).to.deep.equal([]);
    expect(report.calls).to.be.at.least(100_000);
    const missed = targets()
      .map((t) => t.name)
      .filter((name) => (report.perTarget.get(name) ?? 0) < 50);
    expect(missed, "exported functions the fuzzer barely called").to.deep.equal([]);
  });
});
