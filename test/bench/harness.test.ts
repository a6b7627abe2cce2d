/**
 * The benchmark harness (bench/): it runs a scenario end to end and writes valid JSON, alternates
 * xti and its peer within repetitions and pairs their ratio, and says why it will not run. Nothing
 * here looks at how fast anything is.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "chai";
import { renderChart } from "../../bench/chart.js";
import { END, START, replaceResults, resultsBlock } from "../../bench/docs.js";
import { REPO_ROOT } from "../../bench/harness/child.js";
import { isBenchDocument, type BenchDocument } from "../../bench/harness/results.js";
import { runScenario } from "../../bench/harness/runner.js";
import type { Sample, Scenario } from "../../bench/harness/scenario.js";

const INDEX = fileURLToPath(new URL("../../bench/index.ts", import.meta.url));

function bench(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["--import", "tsx", INDEX, ...args], { cwd: REPO_ROOT }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === "number" ? err.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

/** A scenario whose variants return the samples given, recording the order they ran in. */
function scripted(samples: Record<string, number[]>, ran: string[]): Scenario {
  const next = new Map(Object.keys(samples).map((id) => [id, 0]));
  return {
    name: "scripted",
    title: "scripted samples",
    compares: "a against b",
    goal: "a ≥ 2× b",
    reps: { full: 4, quick: 2 },
    unavailable: () => null,
    prepare: async () => ({
      warmup: false,
      variants: Object.keys(samples).map((id) => ({
        id,
        label: `variant ${id}`,
        run: async (): Promise<Sample> => {
          ran.push(id);
          const i = next.get(id)!;
          next.set(id, i + 1);
          return { value: samples[id]![i]! };
        },
      })),
      figures: [
        {
          id: "value",
          label: "value",
          unit: "msg/s",
          better: "higher",
          xti: { variant: "a", value: (s) => s["value"]! },
          peer: { variant: "b", value: (s) => s["value"]! },
          goal: { on: "ratio", op: ">=", target: 2, text: "≥ 2×" },
        },
      ],
    }),
  };
}

describe("bench: the harness", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "xti-bench-test-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("runs a quick scenario end to end: the table on stdout, every sample in valid JSON, a chart from it", async () => {
    const file = join(dir, "results.json");
    const { code, stdout, stderr } = await bench(["--quick", "--reps", "1", "--json", file, "ticots-tsdu64"]);
    expect(code, stderr).to.equal(0);
    expect(stdout).to.match(/^\| ticots-tsdu64 \| 64-byte messages one way \[msg\/s\] \|/m);
    const doc: unknown = JSON.parse(readFileSync(file, "utf8"));
    expect(isBenchDocument(doc)).to.equal(true);
    const { machine, options, scenarios } = doc as BenchDocument;
    expect(machine.node).to.equal(process.version);
    expect(machine.loadEnd).to.have.length(3);
    expect(options).to.deep.include({ quick: true, reps: 1, scenarios: ["ticots-tsdu64"] });
    expect(scenarios).to.have.length(1);
    const [s] = scenarios;
    expect(s!.status).to.equal("ran");
    expect(s!.samples.map((r) => r.variant).sort()).to.deep.equal(["net", "xti"]);
    for (const r of s!.samples) {
      expect(r.sample["messages"]).to.equal(20_000);
      expect(r.sample["seconds"]).to.be.above(0);
    }
    const figure = s!.figures[0]!;
    expect(figure.xti.values).to.have.length(1);
    expect(figure.ratio!.median).to.be.closeTo(figure.xti.median / figure.peer!.median, 1e-9);
    expect(figure.goal).to.include({ on: "ratio", target: 5 });
    const svg = renderChart(doc as BenchDocument);
    expect(svg).to.match(/^<svg /);
    expect(svg).to.include("ticots-tsdu64: 64-byte messages one way");
    // What npm run bench:docs puts into docs/benchmarks.md: a quick run is labelled as such.
    const block = resultsBlock(doc as BenchDocument, file);
    expect(block).to.include("**Preliminary: a `--quick` run");
    const docs = readFileSync(join(REPO_ROOT, "docs/benchmarks.md"), "utf8");
    const updated = replaceResults(docs, block);
    expect(updated).to.include(figure.xti.label);
    expect(updated.split(START)).to.have.length(2);
    expect(updated.slice(updated.indexOf(END))).to.equal(docs.slice(docs.indexOf(END)));
    expect(() => replaceResults("no markers", block)).to.throw(/no results markers/);
  });

  it("lists every scenario with what it compares and its goal; an unknown name or a bad option is a usage error", async () => {
    const list = await bench(["--list"]);
    expect(list.code).to.equal(0);
    for (const name of ["ticots-tsdu64", "ticots-endpoint64", "ticots-rr64", "ticots-bulk64k", "ticots-alloc64", "stack-veth", "stack-loss", "tcp-bulk64k", "tcp-rr64", "rawtcp-bulk", "stack-idle-memory", "stack-idle-cpu", "stack-ffi"]) {
      expect(list.stdout).to.match(new RegExp(`^${name}: .*\\n    compares: .+\\n    goal: .+`, "m"));
    }
    const unknown = await bench(["no-such-scenario"]);
    expect(unknown.code).to.equal(2);
    expect(unknown.stderr).to.include("unknown scenario no-such-scenario");
    const badReps = await bench(["--reps", "0"]);
    expect(badReps.code).to.equal(2);
    expect(badReps.stderr).to.include("--reps must be a positive integer");
  });

  it("alternates the variants' order between repetitions and pairs the ratio within each repetition", async () => {
    const ran: string[] = [];
    // The paired ratios are 2, 1, 4, 3 (median 2.5); the ratio of the medians would be 3.5 / 2 = 1.75.
    const result = await runScenario(scripted({ a: [2, 3, 4, 3], b: [1, 3, 1, 1] }, ran), { quick: false, reps: null, log: () => undefined });
    expect(ran).to.deep.equal(["a", "b", "b", "a", "a", "b", "b", "a"]);
    expect(result.samples.map((s) => s.position)).to.deep.equal([0, 1, 0, 1, 0, 1, 0, 1]);
    const figure = result.figures[0]!;
    expect(figure.ratio).to.deep.equal({ values: [2, 1, 4, 3], median: 2.5, min: 1, max: 4 });
    expect(figure.xti).to.include({ median: 3, min: 2, max: 4 });
    expect(figure.goal?.met).to.equal(true);
  });

  it("reports a scenario that cannot run as skipped with its reason, and one that throws as failed", async () => {
    const skipped = await runScenario({ ...scripted({ a: [1], b: [1] }, []), unavailable: () => "needs root" }, { quick: true, reps: null, log: () => undefined });
    expect(skipped).to.include({ status: "skipped", reason: "needs root" });
    const failing: Scenario = { ...scripted({ a: [1], b: [1] }, []), prepare: async () => Promise.reject(new Error("no topology")) };
    const failed = await runScenario(failing, { quick: true, reps: null, log: () => undefined });
    expect(failed.status).to.equal("failed");
    expect(failed.reason).to.include("no topology");
  });
});
