/**
 * `npm run bench`: every scenario of issue 12, or those named, each run as interleaved
 * repetitions of xti and its peer; prints one table (median and min-max per figure, the ratio to
 * the peer and the goal) and writes every sample as JSON with --json FILE. docs/benchmarks.md
 * explains each scenario; bench/chart.ts draws the chart from the JSON.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { dirname } from "node:path";
import { parseArgs } from "node:util";
import { formatHeader, formatTable } from "./harness/report.js";
import { SCHEMA, describeCommit, describeMachine, type BenchDocument } from "./harness/results.js";
import { runScenario } from "./harness/runner.js";
import type { Scenario } from "./harness/scenario.js";
import { SCENARIOS } from "./scenarios/index.js";

const USAGE = `Usage: npm run bench -- [NAME ...] [options]

Runs the named scenarios (default: all) and prints their figures as a Markdown table.

Options:
  --list         list the scenarios, what each compares and its goal
  --quick        a short smoke run (small workloads, few repetitions): the figures are noise
  --reps N       repetitions of every scenario (default: each scenario's own)
  --json FILE    also write the results, with every sample, as JSON
  -h, --help     this text

Scenarios that need root build their own veth topology (names xtib*) and are skipped otherwise.
`;

class UsageError extends Error {}

interface Options {
  names: string[];
  list: boolean;
  quick: boolean;
  reps: number | null;
  json: string | null;
  help: boolean;
}

function parseOptions(argv: string[]): Options {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        list: { type: "boolean", default: false },
        quick: { type: "boolean", default: false },
        reps: { type: "string" },
        json: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const { values, positionals } = parsed;
  let reps: number | null = null;
  if (values.reps !== undefined) {
    reps = Number(values.reps);
    if (!Number.isInteger(reps) || reps < 1) throw new UsageError(`--reps must be a positive integer, got '${values.reps}'`);
  }
  if (values.json === "") throw new UsageError("--json needs a file name");
  return { names: positionals, list: values.list, quick: values.quick, reps, json: values.json ?? null, help: values.help };
}

function select(names: readonly string[]): Scenario[] {
  if (names.length === 0) return [...SCENARIOS];
  const unknown = names.filter((n) => !SCENARIOS.some((s) => s.name === n));
  if (unknown.length > 0) throw new UsageError(`unknown scenario ${unknown.join(", ")}; --list shows them`);
  return SCENARIOS.filter((s) => names.includes(s.name));
}

function list(): string {
  return SCENARIOS.map((s) => {
    const why = s.unavailable();
    return [`${s.name}: ${s.title}${why === null ? "" : ` (skipped here: ${why})`}`, `    compares: ${s.compares}`, `    goal: ${s.goal}`].join("\n");
  }).join("\n");
}

async function main(argv: string[]): Promise<number> {
  const options = parseOptions(argv);
  if (options.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (options.list) {
    process.stdout.write(`${list()}\n`);
    return 0;
  }
  const scenarios = select(options.names);
  const commit = describeCommit();
  const doc: BenchDocument = {
    schema: SCHEMA,
    date: new Date().toISOString(),
    ...(commit === undefined ? {} : { commit }),
    machine: describeMachine(),
    options: { quick: options.quick, reps: options.reps, scenarios: scenarios.map((s) => s.name), root: process.getuid?.() === 0 },
    scenarios: [],
  };
  const log = (line: string): void => void process.stderr.write(`bench: ${line}\n`);
  for (const scenario of scenarios) {
    const result = await runScenario(scenario, { quick: options.quick, reps: options.reps, log });
    doc.scenarios.push(result);
    const outcome = result.status === "ran" ? `done in ${result.seconds.toFixed(1)} s` : `${result.status}: ${result.reason ?? ""}`;
    log(`${scenario.name}: ${outcome}`);
  }
  doc.machine.loadEnd = loadavg();
  if (options.json !== null) {
    mkdirSync(dirname(options.json), { recursive: true });
    writeFileSync(options.json, `${JSON.stringify(doc, null, 1)}\n`);
    log(`results written to ${options.json}`);
  }
  process.stdout.write(`${formatHeader(doc)}\n\n${formatTable(doc)}\n`);
  return doc.scenarios.some((s) => s.status === "failed") ? 1 : 0;
}

// Providers may leave nothing ref'd while a call waits (their workers are unref'd); the harness
// stays alive until every scenario is done. The interval never fires in a run (about 12 days).
const keepAlive = setInterval(() => undefined, 2 ** 30);
main(process.argv.slice(2)).finally(() => clearInterval(keepAlive)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(`bench: ${err.message}\n\n${USAGE}`);
      process.exit(2);
    }
    process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
