/** The report in four formats: text for people, JSON, JUnit XML and TAP for machines. */
import type { CaseResult, TargetReport } from "./types.js";

/** The report formats. */
export type Format = "text" | "json" | "junit" | "tap";

function counts(r: TargetReport): { pass: number; fail: number; na: number; libraryPass: number } {
  const c = { pass: 0, fail: 0, na: 0, libraryPass: 0 };
  for (const x of r.results) {
    c[x.outcome]++;
    if (x.outcome === "pass" && x.checks === "library") c.libraryPass++;
  }
  return c;
}

export function textReport(reports: TargetReport[], options: { verbose?: boolean } = {}): string {
  const lines: string[] = ["XTI conformance report", ""];
  const width = Math.max(8, ...reports.map((r) => r.target.length));
  const deviceWidth = Math.max(18, ...reports.map((r) => r.device.length));
  lines.push(`${"provider".padEnd(width)}  ${"device".padEnd(deviceWidth)}  passed  failed  n/a  (library)`);
  for (const r of reports) {
    if (r.skipped !== undefined) {
      lines.push(`${r.target.padEnd(width)}  ${r.device.padEnd(deviceWidth)}  skipped: ${r.skipped}`);
      continue;
    }
    const c = counts(r);
    lines.push(`${r.target.padEnd(width)}  ${r.device.padEnd(deviceWidth)}  ${String(c.pass).padStart(6)}  ${String(c.fail).padStart(6)}  ${String(c.na).padStart(3)}  ${String(c.libraryPass).padStart(9)}`);
  }
  if (reports.some((r) => counts(r).libraryPass > 0)) {
    lines.push("", "(library): passes of rules the xti library enforces itself over any provider (state, flag and", "argument checks, advertised limits, options); the rest depend on the provider's own behaviour.");
  }
  for (const r of reports) {
    const failures = r.results.filter((x) => x.outcome === "fail");
    if (failures.length === 0) continue;
    lines.push("", `Failures on ${r.target} (${r.device}):`);
    for (const f of failures) {
      lines.push(`  ✗ ${f.id}: ${f.rule}`, `      source:   ${f.source}`, `      what:     ${f.reason ?? ""}`);
      if (f.expected !== undefined) lines.push(`      expected: ${f.expected}`, `      actual:   ${f.actual ?? ""}`);
    }
  }
  for (const r of reports) {
    const na = r.results.filter((x) => x.outcome === "na");
    if (na.length === 0) continue;
    lines.push("", `Not applicable to ${r.target}:`);
    const byReason = new Map<string, string[]>();
    for (const x of na) {
      const key = `[${x.field ?? "unspecified"}] ${x.reason ?? ""}`;
      byReason.set(key, [...(byReason.get(key) ?? []), x.id]);
    }
    for (const [reason, ids] of byReason) lines.push(`  - ${reason}: ${ids.join(", ")}`);
  }
  if (options.verbose === true) {
    for (const r of reports) {
      lines.push("", `All cases on ${r.target}:`);
      for (const x of r.results) lines.push(`  ${x.outcome === "pass" ? "✓" : x.outcome === "fail" ? "✗" : "-"} ${x.id.padEnd(30)} ${x.rule}`);
    }
  }
  const total = reports.reduce((acc, r) => {
    const c = counts(r);
    return { pass: acc.pass + c.pass, fail: acc.fail + c.fail, na: acc.na + c.na };
  }, { pass: 0, fail: 0, na: 0 });
  lines.push("", `Total: ${total.pass} passed, ${total.fail} failed, ${total.na} not applicable.`);
  return lines.join("\n") + "\n";
}

export function jsonReport(reports: TargetReport[]): string {
  return JSON.stringify({ suite: "xti-conformance", providers: reports.map((r) => ({ ...r, summary: counts(r) })) }, null, 2) + "\n";
}

function xml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** "not applicable (t_info.etsdu): no expedited data ...": the reason with the capability it rests on. */
function notApplicableText(x: CaseResult): string {
  return `not applicable (${x.field ?? "unspecified"}): ${x.reason ?? ""}`;
}

function failureText(x: CaseResult): string {
  return `${x.reason ?? ""}\nexpected: ${x.expected ?? ""}\nactual: ${x.actual ?? ""}\nsource: ${x.source}`;
}

export function junitReport(reports: TargetReport[]): string {
  const out = ['<?xml version="1.0" encoding="UTF-8"?>', '<testsuites name="xti-conformance">'];
  for (const r of reports) {
    const c = counts(r);
    const time = r.results.reduce((t, x) => t + x.durationMs, 0) / 1000;
    out.push(`  <testsuite name="${xml(r.target)}" tests="${r.results.length + (r.skipped !== undefined ? 1 : 0)}" failures="${c.fail}" skipped="${c.na + (r.skipped !== undefined ? 1 : 0)}" time="${time.toFixed(3)}">`);
    if (r.skipped !== undefined) out.push(`    <testcase classname="${xml(r.target)}" name="(provider)"><skipped message="${xml(r.skipped)}"/></testcase>`);
    for (const x of r.results) {
      const head = `    <testcase classname="${xml(r.target)}.${x.group}" name="${xml(`${x.id}: ${x.rule}`)}" time="${(x.durationMs / 1000).toFixed(3)}"`;
      if (x.outcome === "pass") out.push(`${head}/>`);
      else if (x.outcome === "na") out.push(`${head}><skipped message="${xml(notApplicableText(x))}"/></testcase>`);
      else out.push(`${head}><failure message="${xml(x.reason ?? "")}">${xml(failureText(x))}</failure></testcase>`);
    }
    out.push("  </testsuite>");
  }
  out.push("</testsuites>");
  return out.join("\n") + "\n";
}

export function tapReport(reports: TargetReport[]): string {
  const all = reports.flatMap((r): Array<{ r: TargetReport; x: CaseResult | null }> => (r.skipped !== undefined ? [{ r, x: null }] : r.results.map((x) => ({ r, x }))));
  const out = ["TAP version 13", `1..${all.length}`];
  all.forEach(({ r, x }, i) => {
    const n = i + 1;
    if (x === null) {
      out.push(`ok ${n} - ${r.target} # SKIP ${r.skipped ?? ""}`);
      return;
    }
    if (x.outcome === "pass") out.push(`ok ${n} - ${r.target} ${x.id}: ${x.rule}`);
    else if (x.outcome === "na") out.push(`ok ${n} - ${r.target} ${x.id}: ${x.rule} # SKIP ${notApplicableText(x)}`);
    else {
      out.push(`not ok ${n} - ${r.target} ${x.id}: ${x.rule}`, "  ---", `  message: ${JSON.stringify(x.reason ?? "")}`, `  expected: ${JSON.stringify(x.expected ?? "")}`, `  actual: ${JSON.stringify(x.actual ?? "")}`, `  source: ${JSON.stringify(x.source)}`, "  ...");
    }
  });
  return out.join("\n") + "\n";
}

/** The reports in `format`. */
export function formatReport(reports: TargetReport[], format: Format, options: { verbose?: boolean } = {}): string {
  switch (format) {
    case "json":
      return jsonReport(reports);
    case "junit":
      return junitReport(reports);
    case "tap":
      return tapReport(reports);
    default:
      return textReport(reports, options);
  }
}
