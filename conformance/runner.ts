/** Runs the cases against a target: applicability from t_info, one fresh context per case, timing. */
import { O_RDWR, t_close, t_getinfo, t_open, tErrnoName, t_errno, type t_info } from "../src/index.js";
import { ALL_CASES } from "./cases/index.js";
import { CaseContext } from "./context.js";
import { CaseFailure, type CaseResult, type ConformanceCase, type ConformanceTarget, type TargetReport } from "./types.js";

/** What to run, and progress callbacks. */
export interface RunOptions {
  /** Only cases whose id or group starts with one of these. */
  filter?: string[];
  /** Per-case limit, and the default wait for indications (ms). */
  caseTimeoutMs?: number;
  /** Called before each case and after it, for progress display. */
  onCaseStart?(target: ConformanceTarget, c: ConformanceCase, index: number, total: number): void;
  /** Called after each case. */
  onCaseEnd?(result: CaseResult, index: number, total: number): void;
}

/** The cases whose id or group starts with one of `filter` (all of them without one). */
export function selectCases(filter: string[] | undefined): ConformanceCase[] {
  if (filter === undefined || filter.length === 0) return [...ALL_CASES];
  return ALL_CASES.filter((c) => filter.some((f) => c.id.startsWith(f) || c.group === f));
}

const INFO_CLOSE_TIMEOUT_MS = 5000;

/** Whether `p` settles within `ms` (a provider that never answers must not stall the run). */
async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([p.then(() => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

async function targetInfo(target: ConformanceTarget): Promise<t_info | string> {
  const fd = t_open(target.device, O_RDWR, null);
  if (fd < 0) return `t_open ${target.device} failed: ${tErrnoName(t_errno)}`;
  const info: t_info = { addr: 0, options: 0, tsdu: 0, etsdu: 0, connect: 0, discon: 0, servtype: 0, flags: 0 };
  const r = t_getinfo(fd, info);
  const closed = await settlesWithin(t_close(fd), INFO_CLOSE_TIMEOUT_MS);
  if (!closed) return `t_close of the endpoint opened for t_getinfo did not complete within ${INFO_CLOSE_TIMEOUT_MS} ms`;
  return r < 0 ? `t_getinfo failed: ${tErrnoName(t_errno)}` : info;
}

async function runCase(target: ConformanceTarget, info: t_info, c: ConformanceCase, timeoutMs: number): Promise<CaseResult> {
  const base = { target: target.name, id: c.id, group: c.group, rule: c.rule, source: c.source, checks: c.checks ?? "provider" };
  const started = performance.now();
  const na = c.notApplicable(info, target.features ?? {}, target.declared);
  if (na !== null) return { ...base, outcome: "na", reason: na.reason, field: na.field, durationMs: 0 };
  const ctx = new CaseContext(target, info, target.eventTimeoutMs ?? Math.min(timeoutMs, 5000));
  let timer: NodeJS.Timeout | undefined;
  const running = ctx.alongside(c.run(ctx)); // it may still fail after the timeout ended the case
  try {
    await Promise.race([
      running,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new CaseFailure("the case did not finish", `within ${timeoutMs} ms`, "still running")), timeoutMs);
      }),
    ]);
    await ctx.close(); // part of the case: a provider that cannot close fails it
    return { ...base, outcome: "pass", durationMs: performance.now() - started };
  } catch (e) {
    await ctx.close().catch(() => undefined);
    const durationMs = performance.now() - started;
    if (e instanceof CaseFailure) return { ...base, outcome: "fail", reason: e.message, expected: e.expected, actual: e.actual, durationMs };
    return { ...base, outcome: "fail", reason: `the case threw: ${e instanceof Error ? e.message : String(e)}`, durationMs };
  } finally {
    clearTimeout(timer);
  }
}

/** Run the (filtered) suite against one target. */
export async function runTarget(target: ConformanceTarget, options: RunOptions = {}): Promise<TargetReport> {
  const report: TargetReport = { target: target.name, device: target.device, results: [] };
  const available = (await target.available?.()) ?? true;
  if (available !== true) return { ...report, skipped: available };
  await target.setup?.();
  try {
    const info = await targetInfo(target);
    if (typeof info === "string") return { ...report, skipped: info };
    const cases = selectCases(options.filter);
    for (const [i, c] of cases.entries()) {
      options.onCaseStart?.(target, c, i, cases.length);
      const result = await runCase(target, info, c, options.caseTimeoutMs ?? 20000);
      report.results.push(result);
      options.onCaseEnd?.(result, i, cases.length);
    }
  } finally {
    await target.teardown?.();
  }
  return report;
}

/** Run the cases on each target in turn. */
export async function runSuite(targets: ConformanceTarget[], options: RunOptions = {}): Promise<TargetReport[]> {
  const reports: TargetReport[] = [];
  for (const t of targets) reports.push(await runTarget(t, options));
  return reports;
}

/** True when any case failed on any target. */
export function failed(reports: TargetReport[]): boolean {
  return reports.some((r) => r.results.some((c) => c.outcome === "fail"));
}
