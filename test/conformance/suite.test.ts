/**
 * The conformance suite itself: correct providers pass with honest not-applicable sets, configured
 * providers bring the other cases into play and pass them, broken providers fail the right cases,
 * and the command's formats and exit codes are right.
 */
import { expect } from "chai";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { T_CLTS, T_COTS, T_COTS_ORD, createLoopbackProvider, registerProvider, unregisterProvider } from "../../src/index.js";
import { openDescriptors } from "../../src/core/endpoint.js";
import { createBrokenProvider } from "../../examples/broken-provider/index.js";
import { formatReport } from "../../conformance/report.js";
import { runTarget } from "../../conformance/runner.js";
import { findConformanceTarget } from "../../conformance/targets.js";
import type { ConformanceTarget, TargetReport } from "../../conformance/types.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const features = { reportsUderr: true, boundedQueue: true, refusesUnknownAddress: true };

function ids(r: TargetReport, outcome: "pass" | "fail" | "na"): string[] {
  return r.results.filter((x) => x.outcome === outcome).map((x) => x.id);
}

/** The cases of XTI's TCP and UDP: not applicable to a provider not declared as either. */
const INTERNET_ONLY = [
  "E4.urgent-in-stream",
  "T4.tcp-byte-stream",
  "O1.half-close",
  "D.tcp-reset-reasons",
  "A5.tcp-addresses",
  "X5.tcp-options",
  "X6.tcp-maxseg-read-only",
  "X7.tcp-options-on-accept",
  "X8.tcp-reuseaddr",
  "C3.udp-datagram-sizes",
  "C1.udp-source-address",
  "X5.udp-options",
  "X8.udp-reuseaddr",
];
const CLTS_ONLY = ["S2.connection-calls-on-clts", "S5.clts-transitions", "C1.datagram", "C1.units-kept-apart", "T8.datagram-pieces", "B2.short-address", "C2.unit-data-error", "C2.tnouderr", "C3.zero-length-datagram", "C3.datagram-limit", "C3.exact-datagram"];

describe("conformance suite", function () {
  this.timeout(60000);

  it("passes the loopback providers, with not-applicable cases exactly where their t_info says so", async () => {
    const reports: Record<string, TargetReport> = {};
    for (const name of ["ticots", "ticotsord", "ticlts"]) {
      reports[name] = await runTarget(findConformanceTarget(name) as ConformanceTarget);
      expect(ids(reports[name], "fail"), `${name} failures`).to.deep.equal([]);
    }
    const common = ["I3.protocol-info", "I4.no-expedited-service", "T2.zero-unsupported", "T3.tsdu-limit", "T3.exact-tsdu", "T4.byte-stream", "T3.etsdu-limit", "T3.exact-etsdu", ...CLTS_ONLY, ...INTERNET_ONLY];
    expect(ids(reports["ticotsord"]!, "na").sort()).to.deep.equal([...common, "O1.cots-has-no-release", "O2.release-data"].sort());
    const ticotsNa = ids(reports["ticots"]!, "na");
    expect(ticotsNa).to.include.members([...common, "O1.release-cycle", "L4.disconnect-over-release"]);
    expect(ticotsNa).to.not.include("O1.cots-has-no-release");
    const ticltsPass = ids(reports["ticlts"]!, "pass");
    expect(ticltsPass).to.include.members(["C1.datagram", "T8.datagram-pieces", "B2.short-address", "C2.unit-data-error", "C3.zero-length-datagram", "C3.datagram-limit"]);
    expect(ticltsPass).to.not.include("T1.more-pieces");
  });

  it("runs the limit, zero-length, byte-stream and release-data cases on providers configured to have them, and they pass", async () => {
    const configs: Array<[string, Parameters<typeof createLoopbackProvider>[0], string[]]> = [
      ["/dev/test-limits", { name: "/dev/test-limits", servtype: T_COTS_ORD, tsdu: 4096, etsdu: 16, sendZero: false, ordrelData: true }, ["T3.tsdu-limit", "T3.etsdu-limit", "T2.zero-unsupported", "O2.release-data"]],
      ["/dev/test-stream", { name: "/dev/test-stream", servtype: T_COTS, tsdu: 0, sendZero: false }, ["T4.byte-stream", "O1.cots-has-no-release"]],
      ["/dev/test-dgram", { name: "/dev/test-dgram", servtype: T_CLTS, tsdu: 512 }, ["C3.datagram-limit"]],
    ];
    for (const [name, config, expectPass] of configs) {
      registerProvider(createLoopbackProvider(config));
      try {
        const r = await runTarget({ name, device: name, features });
        expect(ids(r, "fail"), `${name} failures`).to.deep.equal([]);
        expect(ids(r, "pass"), name).to.include.members(expectPass);
      } finally {
        unregisterProvider(name);
      }
    }
  });

  it("fails exactly the TSDU-continuity cases of a provider that loses T_MORE", async () => {
    const p = createBrokenProvider("lose-more", "/dev/test-lose-more");
    registerProvider(p);
    try {
      const r = await runTarget({ name: "lose-more", device: p.name, features, eventTimeoutMs: 500 });
      expect(ids(r, "fail").sort()).to.deep.equal(["E2.inside-tsdu", "E5.etsdu-pieces", "T.one-mebibyte", "T.partial-send-implies-more", "T1.more-pieces", "T9.beyond-tidu"].sort());
      const more = r.results.find((x) => x.id === "T1.more-pieces");
      expect(more?.expected).to.equal('"alpha beta gamma"');
      expect(more?.actual).to.equal('"alpha "');
    } finally {
      unregisterProvider(p.name);
    }
  });

  it("fails the TSDU-boundary cases of a provider that merges TSDUs", async () => {
    const p = createBrokenProvider("merge-tsdus", "/dev/test-merge");
    registerProvider(p);
    try {
      const r = await runTarget({ name: "merge", device: p.name, features, eventTimeoutMs: 300 }, { filter: ["tsdu", "expedited"] });
      expect(ids(r, "fail")).to.include.members(["T1.more-pieces", "T1.boundaries", "T5.small-buffers", "T6.zero-length-unit", "E1.expedited-flag"]);
      expect(ids(r, "pass")).to.include.members(["T2.zero-piece-with-more", "E6.bad-flags"]);
    } finally {
      unregisterProvider(p.name);
    }
  });

  it("reports a provider that refuses every connection, case by case, without the run stopping", async () => {
    const p = createBrokenProvider("refuse", "/dev/test-refuse");
    registerProvider(p);
    const escaped: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void escaped.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      const r = await runTarget({ name: "refuse", device: p.name, features, eventTimeoutMs: 300 }, { filter: ["T1", "L1", "B3"] });
      await new Promise((resolve) => setImmediate(resolve));
      expect(escaped, "failures escaping the cases (they would end a real run)").to.deep.equal([]);
      expect(r.results.map((x) => x.outcome)).to.not.include("na");
      const failing = r.results.filter((x) => x.outcome === "fail");
      expect(failing.map((x) => x.id)).to.include.members(["T1.more-pieces", "T1.boundaries", "B3.connect-overflow"]);
      for (const x of failing.filter((f) => f.id !== "L1.listen-and-connect")) expect(x.reason, x.id).to.match(/t_connect|t_listen|t_accept/);
    } finally {
      process.off("unhandledRejection", onUnhandled);
      unregisterProvider(p.name);
    }
  });

  it("fails the cases of a provider whose endpoints never finish closing, instead of waiting for ever", async () => {
    const p = createBrokenProvider("never-close", "/dev/test-never-close");
    registerProvider(p);
    try {
      const r = await runTarget({ name: "never-close", device: p.name, features, eventTimeoutMs: 200 }, { filter: ["T1.more-pieces", "S3"] });
      expect(r.results.map((x) => [x.id, x.outcome])).to.deep.equal([
        ["T1.more-pieces", "fail"],
        ["S3.badqlen", "fail"],
      ]);
      expect(r.results[0]?.reason).to.match(/^t_close\(\d+\) did not complete$/);
      expect(openDescriptors(), "descriptors left open by the cases").to.deep.equal([]);
      expect(r.results[1]?.reason).to.match(/^t_close\(\d+\) did not complete$/);
    } finally {
      unregisterProvider(p.name);
    }
  });

  it("fails a provider whose t_info disagrees with what its target declares, instead of only making cases not applicable", async () => {
    // A T_COTS provider certified as the T_COTS_ORD device it is meant to be (the example).
    const p = createLoopbackProvider({ name: "/dev/test-misreported", servtype: T_COTS });
    registerProvider(p);
    try {
      const meant = findConformanceTarget("ticotsord") as ConformanceTarget;
      const r = await runTarget({ ...meant, name: "misreported", device: p.name }, { filter: ["info", "release"] });
      expect(ids(r, "fail")).to.deep.equal(["I1.declared-info"]);
      const declared = r.results.find((x) => x.id === "I1.declared-info");
      expect([declared?.expected, declared?.actual]).to.deep.equal(["servtype T_COTS_ORD", "servtype T_COTS"]);
      const release = r.results.find((x) => x.id === "O1.release-cycle");
      expect([release?.outcome, release?.field]).to.deep.equal(["na", "t_info.servtype"]);
    } finally {
      unregisterProvider(p.name);
    }
  });

  it("checks the declared fate of a caller beyond qlen, held or refused, and fails a declaration the provider contradicts", async () => {
    const held = createLoopbackProvider({ name: "/dev/test-backlog", servtype: T_COTS_ORD, holdCallersBeyondQlen: true });
    registerProvider(held);
    try {
      const outcome = async (device: string, callerBeyondQlen: "held" | "refused"): Promise<string> => {
        const r = await runTarget({ name: device, device, features: { ...features, callerBeyondQlen }, eventTimeoutMs: 300 }, { filter: ["Q2.beyond-qlen"] });
        const x = r.results[0];
        return x?.outcome === "fail" ? `fail: ${x.reason ?? ""}: expected ${x.expected ?? ""}, actual ${x.actual ?? ""}` : (x?.outcome ?? "none");
      };
      expect(await outcome(held.name, "held")).to.equal("pass");
      expect(await outcome("/dev/ticotsord", "refused")).to.equal("pass");
      expect(await outcome(held.name, "refused")).to.equal('fail: the caller beyond qlen (declared: refused): expected "refused", actual "none"');
      expect(await outcome("/dev/ticotsord", "held")).to.equal('fail: the caller beyond qlen while the queue is full (declared: held): expected "none", actual "refused"');
      const undeclared = await runTarget({ name: "undeclared", device: "/dev/ticotsord" }, { filter: ["Q2.beyond-qlen"] });
      expect(undeclared.results.map((x) => [x.outcome, x.field])).to.deep.equal([["na", "features.callerBeyondQlen"]]);
    } finally {
      unregisterProvider(held.name);
    }
  });

  it("does not apply the declaration case to a target that declares nothing, and says so", async () => {
    const r = await runTarget({ name: "undeclared", device: "/dev/ticots" }, { filter: ["I1"] });
    expect(r.results.map((x) => [x.id, x.outcome, x.field])).to.deep.equal([["I1.declared-info", "na", "declared"]]);
  });

  it("names, for every not-applicable case, the t_info field or feature that rules it out, in all four formats", async () => {
    const target = findConformanceTarget("ticots") as ConformanceTarget;
    const report = await runTarget({ ...target, features: { ...target.features, reportsUderr: false } }, { filter: ["I3", "E", "O1.release-cycle", "C2.unit-data-error", "A1"] });
    const na = report.results.filter((x) => x.outcome === "na");
    expect(na.map((x) => [x.id, x.field])).to.deep.equal([
      ["I3.protocol-info", "declared.protocol"],
      ["O1.release-cycle", "t_info.servtype"],
      ["C2.unit-data-error", "t_info.servtype"],
      ["E4.urgent-in-stream", "declared.protocol"],
    ]);
    const json = JSON.parse(formatReport([report], "json")) as { providers: Array<{ results: Array<{ id: string; field?: string }> }> };
    expect(json.providers[0]?.results.find((x) => x.id === "O1.release-cycle")?.field).to.equal("t_info.servtype");
    expect(formatReport([report], "text")).to.contain("  - [t_info.servtype] no orderly release (T_COTS, not T_COTS_ORD): O1.release-cycle");
    expect(formatReport([report], "junit")).to.contain('<skipped message="not applicable (declared.protocol): the target declares no Internet protocol"/>');
    expect(formatReport([report], "tap")).to.contain("# SKIP not applicable (t_info.servtype): connection-mode provider (T_COTS)");
    // A feature decides where t_info does not: a connectionless target without reportsUderr.
    const clts = findConformanceTarget("ticlts") as ConformanceTarget;
    const r2 = await runTarget({ ...clts, features: { ...clts.features, reportsUderr: false } }, { filter: ["C2.unit-data-error"] });
    expect(r2.results.map((x) => [x.outcome, x.field])).to.deep.equal([["na", "features.reportsUderr"]]);
  });

  it("writes JSON, JUnit and TAP reports that carry every case and outcome", async () => {
    const report = await runTarget(findConformanceTarget("ticlts") as ConformanceTarget, { filter: ["clts", "T1"] });
    const json = JSON.parse(formatReport([report], "json")) as { providers: Array<{ target: string; summary: { pass: number; fail: number; na: number; libraryPass: number }; results: unknown[] }> };
    expect(json.providers[0]?.target).to.equal("ticlts");
    // clts: 9 cases, all applicable; T1: 3 cases, none applicable to a connectionless provider.
    expect(json.providers[0]?.summary).to.deep.equal({ pass: 9, fail: 0, na: 3, libraryPass: 2 });
    const junit = formatReport([report], "junit");
    expect(junit).to.match(/^<\?xml/);
    expect(junit.match(/<testcase /g)?.length).to.equal(12);
    const skipped = formatReport([{ target: "gone", device: "/dev/gone", results: [], skipped: "not on this machine" }], "junit");
    expect(skipped, "a skipped provider counts its one placeholder test case").to.contain('tests="1" failures="0" skipped="1"');
    expect(junit.match(/<skipped /g)?.length).to.equal(3);
    expect(junit).to.contain('<testsuite name="ticlts" tests="12" failures="0" skipped="3"');
    const tap = formatReport([report], "tap").split("\n");
    expect(tap.slice(0, 2)).to.deep.equal(["TAP version 13", "1..12"]);
    expect(tap.filter((l) => l.startsWith("ok ")).length).to.equal(12);
    expect(tap.filter((l) => l.includes("# SKIP not applicable")).length).to.equal(3);
  });
});

describe("xti-conformance command", function () {
  this.timeout(60000);
  const run = (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      execFile(process.execPath, ["--import", "tsx", "conformance/cli.ts", ...args], { cwd: root, timeout: 50000 }, (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === "number" ? err.code : -1;
        resolve({ code, stdout, stderr });
      });
    });

  it("certifies the built-in providers by default, showing progress, and exits 0", async () => {
    // T1: three cases; C1: two connectionless ones and C1.udp-source-address, which only a UDP provider gets.
    const r = await run(["-c", "T1", "-c", "C1"]);
    expect(r.code).to.equal(0);
    expect(r.stdout).to.match(/ticots\s+\/dev\/ticots\s+3\s+0\s+3/);
    expect(r.stdout).to.match(/ticlts\s+\/dev\/ticlts\s+2\s+0\s+4/);
    expect(r.stderr).to.contain("ticotsord (/dev/ticotsord): 6 cases");
  });

  it("certifies a third-party provider given as a module path, exiting 1 when a case fails", async () => {
    const r = await run(["-q", "-p", "./examples/broken-provider/index.ts", "-c", "T1", "--format", "json"]);
    expect(r.code).to.equal(1);
    const json = JSON.parse(r.stdout) as { providers: Array<{ target: string; summary: { fail: number } }> };
    expect(json.providers.map((p) => p.target)).to.deep.equal(["broken"]);
    expect(json.providers[0]?.summary.fail).to.equal(1);
  });

  it("rejects bad usage with exit 2 and lists cases with --list", async () => {
    expect((await run(["--format", "xml"])).code).to.equal(2);
    expect((await run(["-p", "/dev/nowhere"])).code).to.equal(2);
    const list = await run(["--list"]);
    expect(list.code).to.equal(0);
    expect(list.stdout).to.contain("T5.small-buffers");
    expect(list.stdout).to.contain("ticotsord");
  });
});
