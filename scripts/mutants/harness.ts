/**
 * The mutation harness: certify a copy of a provider carrying one bug with the conformance suite,
 * exactly as a third party certifies a provider (the `xti-conformance` command, `-p MODULE`,
 * JSON report), and judge the outcome. The suite must fail a broken copy (the mutant is killed)
 * in one of the cases meant to catch the bug, and must pass the unbroken copy, or the verdicts
 * would mean nothing.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import type { TargetReport } from "../../conformance/types.js";
import type { Mutant } from "./catalogue.js";
import { materialize, ROOT, StaleEdit, SUBJECTS, type SubjectName } from "./copy.js";

export interface RunSettings {
  /** Per-case time limit passed to the command (-t). */
  caseTimeoutMs: number;
  /** A run that takes longer than this is stopped (a provider copy that hangs the command). */
  runTimeoutMs: number;
}

/** In process a case takes milliseconds; the limits only bound copies that hang. */
export const DEFAULT_SETTINGS: RunSettings = { caseTimeoutMs: 10_000, runTimeoutMs: 300_000 };

/** What one run of the command said about a copy. */
export interface Certification {
  /** The command's exit code (0 passed, 1 a case failed, other: the run did not complete), or null if stopped. */
  code: number | null;
  /** The targets' reports, when the command wrote its JSON report. */
  reports: TargetReport[] | null;
  /** The end of the command's standard error, for a run that did not complete. */
  stderr: string;
  durationMs: number;
}

/** The command line that certifies the module `entry` from the sources (tsx), with `extra` options. */
export function conformanceCommand(entry: string, settings: RunSettings, extra: readonly string[]): string[] {
  return ["--import", "tsx", join(ROOT, "conformance/cli.ts"), "-p", entry, "-t", String(settings.caseTimeoutMs), ...extra];
}

/** Commands still running: stopped if this process exits first, so none outlives the harness. */
const running = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/** Run `xti-conformance -p <entry> --format json` from the sources (tsx) and collect its report. */
export function certify(entry: string, settings: RunSettings = DEFAULT_SETTINGS): Promise<Certification> {
  const started = performance.now();
  const args = conformanceCommand(entry, settings, ["--format", "json", "-q"]);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    running.add(child);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    const timer = setTimeout(() => child.kill("SIGKILL"), settings.runTimeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      running.delete(child);
      reject(e);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      running.delete(child);
      let reports: TargetReport[] | null;
      try {
        reports = (JSON.parse(Buffer.concat(out).toString("utf8")) as { providers: TargetReport[] }).providers;
      } catch {
        reports = null; // no report: the run did not complete
      }
      resolve({ code, reports, stderr: Buffer.concat(err).toString("utf8").slice(-2000), durationMs: performance.now() - started });
    });
  });
}

/** The failed cases of a run, each with the targets it failed on. */
export interface Killer {
  id: string;
  targets: string[];
  /** The first failure, as the report gives it. */
  example: { target: string; reason: string; expected: string; actual: string };
}

export function killers(c: Certification): Killer[] {
  const byId = new Map<string, Killer>();
  for (const r of c.reports ?? []) {
    for (const x of r.results) {
      if (x.outcome !== "fail") continue;
      const k: Killer = byId.get(x.id) ?? { id: x.id, targets: [], example: { target: x.target, reason: x.reason ?? "", expected: x.expected ?? "", actual: x.actual ?? "" } };
      k.targets.push(x.target);
      byId.set(x.id, k);
    }
  }
  return [...byId.values()];
}

/** A run that ended in a report with nothing failed and no target skipped. */
export function passed(c: Certification): boolean {
  return c.code === 0 && c.reports !== null && c.reports.every((r) => r.skipped === undefined && r.results.every((x) => x.outcome !== "fail"));
}

export type Verdict =
  /** Failed by one of the cases meant to catch it. */
  | "killed"
  /** Failed, but not by any case meant to catch it (or the run did not complete): a case may have weakened. */
  | "killed-elsewhere"
  /** Passed the suite: the suite misses the bug. */
  | "survived"
  /** An equivalent mutant that passed, as it must. */
  | "equivalent"
  /** A mutant declared equivalent that the suite fails: the declaration is wrong. */
  | "not-equivalent"
  /** Its edits no longer apply to the sources. */
  | "stale";

/** The verdicts that mean the suite and the catalogue are as they should be. */
export const GOOD_VERDICTS: ReadonlySet<Verdict> = new Set(["killed", "equivalent"]);

export interface MutantResult {
  mutant: Mutant;
  verdict: Verdict;
  killers: Killer[];
  /** Why the verdict is what it is, when the killers do not say. */
  note?: string;
  durationMs: number;
}

export function judge(mutant: Mutant, c: Certification): MutantResult {
  const ks = killers(c);
  const base = { mutant, killers: ks, durationMs: c.durationMs };
  const completed = c.reports !== null && (c.code === 0 || c.code === 1);
  const note = completed ? undefined : `the run did not complete (exit ${c.code ?? "killed after the run time limit"}): ${c.stderr.trim().split("\n").slice(-3).join(" | ")}`;
  const survived = passed(c);
  if (mutant.equivalent !== undefined) return survived ? { ...base, verdict: "equivalent" } : { ...base, verdict: "not-equivalent", ...(note !== undefined ? { note } : {}) };
  if (survived) return { ...base, verdict: "survived" };
  const intended = ks.some((k) => mutant.caughtBy.includes(k.id));
  if (intended) return { ...base, verdict: "killed" };
  return { ...base, verdict: "killed-elsewhere", note: note ?? `none of ${mutant.caughtBy.join(", ")} failed` };
}

/** Copy the subject with the mutant's edits, certify the copy, judge it, remove the copy. */
export async function runMutant(mutant: Mutant, settings: RunSettings = DEFAULT_SETTINGS): Promise<MutantResult> {
  let copy;
  try {
    copy = materialize(SUBJECTS[mutant.subject], mutant.edits);
  } catch (e) {
    if (e instanceof StaleEdit) return { mutant, verdict: "stale", killers: [], note: e.message, durationMs: 0 };
    throw e;
  }
  try {
    return judge(mutant, await certify(copy.entry, settings));
  } finally {
    copy.remove();
  }
}

/** Certify the unbroken copy of a subject: it must pass, or no verdict on its mutants means anything. */
export async function runBaseline(subject: SubjectName, settings: RunSettings = DEFAULT_SETTINGS): Promise<Certification> {
  const copy = materialize(SUBJECTS[subject], []);
  try {
    return await certify(copy.entry, settings);
  } finally {
    copy.remove();
  }
}

/** Run `work` over `items` with at most `jobs` at a time, keeping the input order in the output. */
export async function pool<T, R>(items: readonly T[], jobs: number, work: (item: T) => Promise<R>, done?: (result: R, item: T) => void): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      const item = items[i] as T;
      const r = await work(item);
      results[i] = r;
      done?.(r, item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, items.length)) }, worker));
  return results;
}

export interface Summary {
  total: number;
  equivalent: number;
  /** Non-equivalent mutants the suite fails (killed or killed elsewhere). */
  killed: number;
  nonEquivalent: number;
  /** killed / nonEquivalent. */
  score: number;
  /** True when every verdict is a good one. */
  ok: boolean;
}

export function summarize(results: readonly MutantResult[]): Summary {
  const nonEquivalent = results.filter((r) => r.mutant.equivalent === undefined).length;
  const killed = results.filter((r) => r.verdict === "killed" || r.verdict === "killed-elsewhere").length;
  return {
    total: results.length,
    equivalent: results.length - nonEquivalent,
    killed,
    nonEquivalent,
    score: nonEquivalent === 0 ? 1 : killed / nonEquivalent,
    ok: results.every((r) => GOOD_VERDICTS.has(r.verdict)),
  };
}
