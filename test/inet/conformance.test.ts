/**
 * The conformance suite on the kernel providers (what `npm run conformance` reports): no failures,
 * the tcp or udp group run by the declared protocol, and the other cases not applicable exactly
 * where t_info and the declared features say so.
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
      // The other protocol's group does not apply, by the declaration.
      const other = name.startsWith("tcp") ? "udp" : "tcp";
      const otherGroup = na.filter((x) => x.group === other);
      expect(otherGroup.length, `the ${other} group`).to.be.above(0);
      expect(otherGroup.filter((x) => x.field !== "declared.protocol").map((x) => x.id)).to.deep.equal([]);
      const rest = na.filter((x) => x.group !== other);
      if (name.startsWith("tcp")) {
        // A byte stream with one byte of urgent data and orderly release, no release data; and the
        // behaviour XTI leaves to providers that the kernel's TCP does not have.
        const fields = new Set(["t_info.tsdu", "t_info.etsdu", "t_info.servtype", "t_info.flags", "features.abortDiscardsUnread", "features.confirmedOnAccept", "features.opaqueAddresses"]);
        expect(rest.filter((x) => !fields.has(x.field ?? "")).map((x) => `${x.id}: [${x.field}] ${x.reason}`)).to.deep.equal([]);
        expect(ids(report, "pass")).to.include.members(["E1.expedited-flag", "E3.look-exdata", "Q2.tqfull", "D2.refused", "O1.release-cycle", "T4.byte-stream"]);
        expect(ids(report, "pass")).to.include.members(["E4.urgent-in-stream", "T4.tcp-byte-stream", "O1.half-close", "D.tcp-reset-reasons", "A5.tcp-addresses", "X5.tcp-options", "X6.tcp-maxseg-read-only", "X7.tcp-options-on-accept", "X8.tcp-reuseaddr"]);
      } else {
        expect(ids(report, "pass")).to.include.members(["C1.datagram", "C2.unit-data-error", "C3.zero-length-datagram", "T8.datagram-pieces"]);
        expect(ids(report, "pass")).to.include.members(["C3.udp-datagram-sizes", "C1.udp-source-address", "X5.udp-options", "X8.udp-reuseaddr"]);
      }
    });
  }
});
