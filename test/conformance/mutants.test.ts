/**
 * The mutation harness (scripts/mutants): its catalogue applies to the current sources and covers
 * every group of the suite, it never touches the working tree, the unbroken providers pass, and a
 * fast subset of mutants (the bugs issue 14 names, one declared-against-observed bug, two bugs of
 * the kernel TCP provider) is killed in the cases meant to catch it, while an equivalent mutant
 * survives. The whole catalogue runs with `npm run conformance:mutants`.
 */
import { expect } from "chai";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ALL_CASES } from "../../conformance/cases/index.js";
import { GROUPS } from "../../conformance/types.js";
import { MUTANTS } from "../../scripts/mutants/catalogue.js";
import { materialize, ROOT, SUBJECTS } from "../../scripts/mutants/copy.js";
import { killers, passed, pool, runBaseline, runMutant, type MutantResult } from "../../scripts/mutants/harness.js";

/** The issue's own examples, the t_info misreport, and a provider contradicting its t_info. */
const FAST_SUBSET = [
  "refused-reason-wrong",
  "sequence-reused",
  "data-after-ordrel",
  "exact-datagram-cut",
  "abort-not-flushed",
  "addresses-compared-as-text",
  "auto-address-collides",
  "ticotsord-says-cots",
  "pipe-zero-piece-as-expedited",
  // the kernel TCP provider: urgent data out of place, a wrong peer address
  "tcp-urgent-one-byte-late",
  "tcp-peer-port-wrong",
];
const EQUIVALENT = "listener-accept-check-dropped";

function digest(files: readonly string[]): string {
  const h = createHash("sha256");
  for (const f of files) h.update(f).update(readFileSync(join(ROOT, f)));
  return h.digest("hex");
}

describe("the mutation harness (scripts/mutants)", function () {
  this.timeout(120_000);

  it("has at least 30 named mutants covering every group of the suite, each naming cases that exist", () => {
    expect(MUTANTS.length).to.be.at.least(30);
    expect(new Set(MUTANTS.map((m) => m.id)).size, "unique ids").to.equal(MUTANTS.length);
    const caseIds = new Set(ALL_CASES.map((c) => c.id));
    for (const m of MUTANTS) {
      if (m.equivalent === undefined) {
        expect(m.caughtBy, `${m.id}: the cases meant to catch it`).to.not.be.empty;
        for (const id of m.caughtBy) expect(caseIds.has(id), `${m.id}: ${id} is a case`).to.equal(true);
      } else {
        expect(m.caughtBy, `${m.id} is equivalent`).to.be.empty;
      }
    }
    const caughtGroups = new Set(MUTANTS.flatMap((m) => m.caughtBy.map((id) => ALL_CASES.find((c) => c.id === id)?.group)));
    expect([...GROUPS].filter((g) => !caughtGroups.has(g)), "groups whose cases no mutant is meant to fail").to.deep.equal([]);
  });

  it("applies every mutant to a copy in a temporary directory, leaving the working tree as it was", () => {
    const files = [...new Set(Object.values(SUBJECTS).flatMap((s) => s.files))];
    const before = digest(files);
    for (const m of MUTANTS) {
      const copy = materialize(SUBJECTS[m.subject], m.edits); // throws StaleEdit if an edit no longer applies
      expect(copy.dir.startsWith(ROOT), `${m.id}: the copy is outside the working tree`).to.equal(false);
      expect(existsSync(copy.entry)).to.equal(true);
      copy.remove();
      expect(existsSync(copy.dir), `${m.id}: the copy is removed`).to.equal(false);
    }
    expect(digest(files), "the subject sources are unchanged").to.equal(before);
  });

  it("certifies the unbroken loopback, pipe and inet providers as passing (else no verdict would mean anything)", async () => {
    for (const subject of ["loopback", "pipe", "inet"] as const) {
      const c = await runBaseline(subject);
      expect(killers(c).map((k) => `${k.id} on ${k.targets.join(", ")}: ${k.example.reason}`), subject).to.deep.equal([]);
      expect(passed(c), `${subject}: exit ${c.code}, ${c.stderr}`).to.equal(true);
    }
  });

  it("kills a fast subset of mutants in the cases meant to catch them, and lets an equivalent one survive", async () => {
    const chosen = [...FAST_SUBSET, EQUIVALENT].map((id) => {
      const m = MUTANTS.find((x) => x.id === id);
      if (m === undefined) throw new Error(`no mutant ${id}`);
      return m;
    });
    const results: MutantResult[] = await pool(chosen, 2, (m) => runMutant(m));
    const verdicts = Object.fromEntries(results.map((r) => [r.mutant.id, r.verdict === "killed" || r.verdict === "equivalent" ? r.verdict : `${r.verdict}: ${r.note ?? r.killers.map((k) => k.id).join(", ")}`]));
    expect(verdicts).to.deep.equal(Object.fromEntries([...FAST_SUBSET.map((id) => [id, "killed"]), [EQUIVALENT, "equivalent"]]));
  });
});
