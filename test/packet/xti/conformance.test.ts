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
/**
 * What may make a case not applicable to /dev/rawtcp: /dev/tcp's t_info (tsdu 0, etsdu 1, no
 * T_ORDRELDATA, orderly release), the UDP group (declared protocol) and the tl behaviours TCP does not have (callers confirmed before
 * T_LISTEN, flushing on abort, opaque addresses), exactly as for the kernel's /dev/tcp.
 */
const TCP_NA_FIELDS = new Set(["t_info.tsdu", "t_info.etsdu", "t_info.servtype", "t_info.flags", "declared.protocol", "features.confirmedOnAccept", "features.abortDiscardsUnread", "features.opaqueAddresses"]);

function unexpectedNa(r: TargetReport): string[] {
  return r.results.filter((x) => x.outcome === "na" && !TCP_NA_FIELDS.has(x.field ?? "")).map((x) => `${x.id}: ${x.field}`);
}

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
      expect(unexpectedNa(r)).to.deep.equal([]);
      expect(ids(r, "na")).to.include.members(CONNECTIONLESS);
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
      expect(unexpectedNa(await certify("rawtcp-veth"))).to.deep.equal([]);
      expect(ids(await certify("rawudp-veth"), "pass")).to.include.members(CONNECTIONLESS);
    });
  });
});
