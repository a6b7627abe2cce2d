/**
 * The conformance suite on /dev/rawtcp and /dev/rawudp: two user-space stacks over the in-memory
 * hub (every machine) and over a veth pair the targets set up and remove themselves (root; CI=true
 * runs it). 0 failures, and the cases that do not apply are exactly those t_info rules out.
 */
import { expect } from "chai";
import { runTarget } from "../../../conformance/runner.js";
import { findConformanceTarget } from "../../../conformance/targets.js";
import type { ConformanceTarget, TargetReport } from "../../../conformance/types.js";
import { requireRoot } from "../io/helpers/privileges.js";

function ids(r: TargetReport, outcome: "pass" | "fail" | "na"): string[] {
  return r.results.filter((x) => x.outcome === outcome).map((x) => x.id);
}

function failures(r: TargetReport): string[] {
  return r.results.filter((x) => x.outcome === "fail").map((x) => `${x.id}: ${x.reason} (expected ${x.expected}, got ${x.actual})`);
}

const CONNECTIONLESS = ["S2.connection-calls-on-clts", "S5.clts-transitions", "C1.datagram", "C1.units-kept-apart", "T8.datagram-pieces", "B2.short-address", "C2.unit-data-error", "C2.tnouderr", "C3.zero-length-datagram", "C3.datagram-limit"];
/** tsdu 0 (a byte stream), etsdu 1, no T_ORDRELDATA, and orderly release: /dev/tcp's t_info. */
const TCP_NA = ["T1.more-pieces", "T1.boundaries", "T5.small-buffers", "T6.zero-length-unit", "T3.tsdu-limit", "T9.beyond-tidu", "T.one-mebibyte", "T.partial-send-implies-more", "E2.inside-tsdu", "E5.etsdu-pieces", "O1.cots-has-no-release", "O2.release-data", ...CONNECTIONLESS].sort();

async function certify(name: string): Promise<TargetReport> {
  const report = await runTarget(findConformanceTarget(name) as ConformanceTarget, { caseTimeoutMs: 15_000 });
  expect(report.skipped, `${name} skipped`).to.equal(undefined);
  expect(failures(report), `${name} failures`).to.deep.equal([]);
  return report;
}

describe("packet/xti: the conformance suite on the user-space providers", function () {
  this.timeout(120_000);

  describe("over the in-memory hub", function () {
    it("rawtcp-mem: no failure; not applicable only what /dev/tcp's t_info rules out", async function () {
      const r = await certify("rawtcp-mem");
      expect(ids(r, "na").sort()).to.deep.equal(TCP_NA);
      expect(ids(r, "pass")).to.include.members(["E1.expedited-flag", "Q2.tqfull", "D2.refused", "O1.release-cycle", "T4.byte-stream"]);
    });

    it("rawudp-mem: no failure; the datagram cases apply and pass, T_UDERR included", async function () {
      const r = await certify("rawudp-mem");
      expect(ids(r, "pass")).to.include.members(CONNECTIONLESS);
    });
  });

  describe("over a veth pair (AF_PACKET)", function () {
    before(function () {
      requireRoot(this);
    });

    it("rawtcp-veth and rawudp-veth: no failure", async function () {
      expect(ids(await certify("rawtcp-veth"), "na").sort()).to.deep.equal(TCP_NA);
      expect(ids(await certify("rawudp-veth"), "pass")).to.include.members(CONNECTIONLESS);
    });
  });
});
