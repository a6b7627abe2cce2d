/**
 * npm run conformance:mutants: how strong the conformance suite is. Certifies the unbroken loopback,
 * pipe and kernel TCP/UDP providers (they must pass), then each mutant of the catalogue (a copy of a provider
 * with one bug), and prints per mutant killed or survived, the cases that killed it, and the score.
 *
 *   npm run conformance:mutants                       every mutant
 *   npm run conformance:mutants -- -m sequence -j 2   mutants whose id starts with "sequence", two at a time
 *   npm run conformance:mutants -- --show ID          the suite's own text report on one mutant
 *   npm run conformance:mutants -- --show ID -- -c D2 ... with options for xti-conformance
 *
 * Exit code: 0 every non-equivalent mutant killed by a case meant to catch it and every equivalent
 * one survived; 1 otherwise; 2 bad usage, a stale mutant, or an unbroken provider that fails.
 */
import { spawn } from "node:child_process";
import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import { MUTANTS, type Mutant } from "./catalogue.js";
import { materialize, ROOT, SUBJECTS, type SubjectName } from "./copy.js";
import { conformanceCommand, DEFAULT_SETTINGS, GOOD_VERDICTS, killers, type MutantResult, passed, pool, runBaseline, runMutant, type RunSettings, summarize, type Verdict } from "./harness.js";

const USAGE = `usage: npm run conformance:mutants -- [options]

  -m, --mutant PREFIX   only mutants whose id starts with PREFIX, or of that subject (loopback, pipe, inet)
                        or suite group; repeatable
  -j, --jobs N          certify N copies at a time (default ${defaultJobs()})
  -t, --timeout MS      per-case time limit (default ${DEFAULT_SETTINGS.caseTimeoutMs})
  -v, --verbose         show each killer's targets and the first failure
  -s, --show ID         certify the mutant ID and print the suite's text report, as a provider
                        author would see it; arguments after a further -- go to
                        xti-conformance (e.g. --show sequence-reused -- -c queue)
      --json            print the results as JSON instead of text
  -l, --list            list the mutants, run nothing
  -h, --help
`;

/** A run mostly waits (for indications that a broken copy never sends), so two or more at a time pay off even on two cores. */
function defaultJobs(): number {
  return Math.max(2, Math.min(4, availableParallelism()));
}

const MARK: Record<Verdict, string> = {
  killed: "✓ killed          ",
  equivalent: "= equivalent      ",
  "killed-elsewhere": "✗ killed elsewhere",
  survived: "✗ SURVIVED        ",
  "not-equivalent": "✗ not equivalent  ",
  stale: "✗ stale           ",
};

function select(filters: readonly string[]): Mutant[] {
  if (filters.length === 0) return [...MUTANTS];
  return MUTANTS.filter((m) => filters.some((f) => m.id.startsWith(f) || m.subject === f || m.group === f));
}

function line(r: MutantResult, verbose: boolean): string {
  const m = r.mutant;
  const head = `${MARK[r.verdict]} ${m.id} (${m.subject}, ${m.group}): ${m.bug}`;
  const out = [head];
  if (m.equivalent !== undefined) out.push(`      equivalent: ${m.equivalent}`);
  if (r.killers.length > 0) {
    const names = r.killers.map((k) => (m.caughtBy.includes(k.id) ? `${k.id}*` : k.id));
    out.push(`      killed by ${names.slice(0, 8).join(", ")}${names.length > 8 ? `, and ${names.length - 8} more` : ""}`);
    if (verbose) {
      for (const k of r.killers) {
        out.push(`        ${k.id} on ${k.targets.join(", ")}: ${k.example.reason}`, `          expected: ${k.example.expected}`, `          actual:   ${k.example.actual}`);
      }
    }
  }
  if (r.note !== undefined) out.push(`      ${r.note}`);
  return out.join("\n");
}

/** Certify one mutant with the suite's text report on standard output; the command's exit code. */
async function show(id: string, extra: readonly string[], settings: RunSettings): Promise<number> {
  const mutant = MUTANTS.find((m) => m.id === id);
  if (mutant === undefined) {
    process.stderr.write(`no mutant ${id} (--list shows them)\n`);
    return 2;
  }
  process.stdout.write(`mutant ${mutant.id} (${mutant.subject}): ${mutant.bug}\n\n`);
  const copy = materialize(SUBJECTS[mutant.subject], mutant.edits);
  try {
    const child = spawn(process.execPath, conformanceCommand(copy.entry, settings, ["-q", ...extra]), { cwd: ROOT, stdio: "inherit" });
    return await new Promise<number>((resolve) => child.on("close", (code) => resolve(code ?? 2)));
  } finally {
    copy.remove();
  }
}

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        mutant: { type: "string", short: "m", multiple: true },
        jobs: { type: "string", short: "j" },
        timeout: { type: "string", short: "t" },
        verbose: { type: "boolean", short: "v" },
        json: { type: "boolean" },
        list: { type: "boolean", short: "l" },
        show: { type: "string", short: "s" },
        help: { type: "boolean", short: "h" },
      },
      allowPositionals: true,
    });
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n${USAGE}`);
    return 2;
  }
  const args = parsed.values;
  if (args.help === true) {
    process.stdout.write(USAGE);
    return 0;
  }
  const jobs = args.jobs === undefined ? defaultJobs() : Number(args.jobs);
  const caseTimeoutMs = args.timeout === undefined ? DEFAULT_SETTINGS.caseTimeoutMs : Number(args.timeout);
  if (!(Number.isInteger(jobs) && jobs > 0) || !(caseTimeoutMs > 0)) {
    process.stderr.write(`bad --jobs or --timeout\n${USAGE}`);
    return 2;
  }
  const settings = { ...DEFAULT_SETTINGS, caseTimeoutMs };
  if (args.show !== undefined) return show(args.show, parsed.positionals, settings);
  if (parsed.positionals.length > 0) {
    process.stderr.write(`unexpected arguments: ${parsed.positionals.join(" ")}\n${USAGE}`);
    return 2;
  }
  const mutants = select(args.mutant ?? []);
  if (args.list === true) {
    for (const m of MUTANTS) process.stdout.write(`${m.id.padEnd(36)} ${m.subject.padEnd(8)} ${m.group.padEnd(10)} ${m.equivalent !== undefined ? "(equivalent) " : ""}${m.bug}\n`);
    return 0;
  }
  if (mutants.length === 0) {
    process.stderr.write("no mutant matches the --mutant filter\n");
    return 2;
  }
  const log = (s: string): void => void (args.json === true ? process.stderr : process.stdout).write(`${s}\n`);
  const started = performance.now();

  // The unbroken providers first: if one fails, a failure of its mutants would prove nothing.
  const subjects = [...new Set(mutants.map((m) => m.subject))] as SubjectName[];
  for (const s of subjects) {
    const base = await runBaseline(s, settings);
    if (!passed(base)) {
      const failing = killers(base).map((k) => `${k.id} (${k.targets.join(", ")}): ${k.example.reason}`);
      process.stderr.write(`the unbroken ${s} provider (${SUBJECTS[s].entry}) does not pass the suite, so its mutants cannot be judged:\n  ${failing.join("\n  ") || base.stderr}\n`);
      return 2;
    }
    log(`unbroken ${s}: passes (${base.reports?.map((r) => r.target).join(", ")}; ${(base.durationMs / 1000).toFixed(1)} s)`);
  }
  log(`certifying ${mutants.length} mutants, ${jobs} at a time\n`);
  const results = await pool(mutants, jobs, (m) => runMutant(m, settings), (r) => log(line(r, args.verbose === true)));
  const s = summarize(results);
  const seconds = (performance.now() - started) / 1000;
  if (args.json === true) {
    process.stdout.write(
      JSON.stringify(
        {
          summary: { ...s, seconds },
          mutants: results.map((r) => ({ id: r.mutant.id, subject: r.mutant.subject, group: r.mutant.group, bug: r.mutant.bug, verdict: r.verdict, caughtBy: r.mutant.caughtBy, equivalent: r.mutant.equivalent, killers: r.killers.map((k) => ({ id: k.id, targets: k.targets })), note: r.note })),
        },
        null,
        2,
      ) + "\n",
    );
  } else {
    const bad = results.filter((r) => !GOOD_VERDICTS.has(r.verdict));
    log("");
    log(`score: ${s.killed}/${s.nonEquivalent} non-equivalent mutants killed (${(s.score * 100).toFixed(1)} %); ${s.equivalent} equivalent, ${results.filter((r) => r.verdict === "equivalent").length} of them surviving as they must`);
    log(`(* marks a case meant to catch the bug; ${results.length} mutants in ${seconds.toFixed(0)} s)`);
    if (bad.length > 0) log(`\nto look at: ${bad.map((r) => `${r.mutant.id} (${r.verdict})`).join(", ")}`);
  }
  if (results.some((r) => r.verdict === "stale")) return 2;
  return s.ok ? 0 : 1;
}

// Interrupted: exit normally, so the copies are removed and the running commands stopped.
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.once(signal, () => process.exit(130));

process.exitCode = 2;
main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 2;
  },
);
