/**
 * The conformance suite on the kernel providers (what `npm run conformance` reports): no failures,
 * and not-applicable cases exactly where t_info says so.
 */
import { expect } from "chai";
import { runTarget } from "../../conformance/runner.js";
import { findConformanceTarget } from "../../conformance/targets.js";
import type { ConformanceTarget, TargetReport } from "../../conformance/types.js";

const ids = (r: TargetReport, outcome: "pass" | "fail" | "na"): string[] => r.results.filter((x) => x.outcome === outcome).map((x) => x.id);

describe("inet: the conformance suite on /dev/tcp, /dev/udp, /dev/tcp6, /dev/udp6", function () {
  this.timeout(120_000);

  for (const name of ["tcp", "udp", "tcp6", "udp6"]) {
    it(`${name}: every applicable case passes`, async function () {
      const target = findConformanceTarget(name) as ConformanceTarget;
      const usable = await target.available!();
      if (usable !== true && name.endsWith("6") && process.env["CI"] !== "true") this.skip();
      const report = await runTarget(target);
      expect(report.skipped, "the target ran").to.equal(undefined);
      const failures = report.results.filter((x) => x.outcome === "fail").map((x) => `${x.id}: ${x.reason} (expected ${x.expected}, got ${x.actual})`);
      expect(failures).to.deep.equal([]);
      const na = report.results.filter((x) => x.outcome === "na");
      if (name.startsWith("tcp")) {
        // A byte stream with one byte of urgent data and orderly release, no release data; and
        // none of the tl behaviours TCP does not have (callers confirmed before T_LISTEN, flushing
        // on abort, opaque addresses).
        const allowed = new Set(["t_info.tsdu", "t_info.etsdu", "t_info.servtype", "t_info.flags", "features.confirmedOnAccept", "features.abortDiscardsUnread", "features.opaqueAddresses"]);
        expect(na.filter((x) => !allowed.has(x.field ?? "")).map((x) => `${x.id}: ${x.field}`)).to.deep.equal([]);
        expect(ids(report, "pass")).to.include.members(["E1.expedited-flag", "E3.look-exdata", "Q2.tqfull", "D2.refused", "O1.release-cycle", "T4.byte-stream"]);
      } else {
        expect(ids(report, "pass")).to.include.members(["C1.datagram", "C2.unit-data-error", "C3.zero-length-datagram", "T8.datagram-pieces"]);
      }
    });
  }
});
