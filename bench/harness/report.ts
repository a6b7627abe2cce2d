/**
 * The results as text: one Markdown table (so a run can be pasted into docs/benchmarks.md as it
 * is), a row per figure with xti's and the peer's median and range, the paired ratio and the goal.
 */
import type { Unit } from "./scenario.js";
import type { BenchDocument, FigureResult, ScenarioResult } from "./results.js";
import type { Spread } from "./stats.js";

/** A value in its unit, with as many digits as these noisy figures deserve. */
export function formatValue(value: number, unit: Unit): string {
  if (!Number.isFinite(value)) return "n/a";
  switch (unit) {
    case "msg/s":
    case "rt/s":
      return value >= 1e6 ? `${significant(value / 1e6)} M` : value >= 1e3 ? `${significant(value / 1e3)} k` : significant(value);
    case "B/msg":
      return value.toFixed(0);
    case "KiB/conn":
    case "s/GiB":
    case "MB/s":
      return significant(value);
    case "MiB":
      return value.toFixed(0);
    case "% core":
      return value.toFixed(value < 1 ? 3 : 1);
    case "calls/frame":
      return value.toFixed(3);
  }
}

/** Three significant digits, never in exponent notation (5070, not 5.07e+3). */
function significant(value: number): string {
  return String(Number(value.toPrecision(3)));
}

function formatSpread(s: Spread, unit: Unit): string {
  return `${formatValue(s.median, unit)} (${formatValue(s.min, unit)}–${formatValue(s.max, unit)})`;
}

/** A ratio with three significant digits (0.830×, 2.53×, 14.3×). */
export function formatTimes(x: number): string {
  return Number.isFinite(x) ? `${x >= 100 ? x.toFixed(0) : x.toPrecision(3)}×` : "n/a";
}

export function formatRatio(r: Spread): string {
  const bare = (x: number): string => formatTimes(x).replace(/×$/, "");
  return `${formatTimes(r.median)} (${bare(r.min)}–${bare(r.max)})`;
}

function figureRow(scenario: ScenarioResult, f: FigureResult): string {
  const cells = [
    scenario.name,
    `${f.label} [${f.unit}]`,
    `${f.xti.label}: ${formatSpread(f.xti, f.unit)}`,
    f.peer === undefined ? "—" : `${f.peer.label}: ${formatSpread(f.peer, f.unit)}`,
    f.ratio === undefined ? "—" : formatRatio(f.ratio),
    f.goal === undefined ? "—" : f.goal.text,
    f.goal === undefined ? "" : f.goal.met ? "met" : "**not met**",
  ];
  return `| ${cells.join(" | ")} |`;
}

/** The table of every figure of every scenario (skipped and failed scenarios say why). */
export function formatTable(doc: BenchDocument): string {
  const lines = ["| scenario | figure | xti: median (min–max) | peer: median (min–max) | xti/peer | goal | |", "|---|---|---|---|---|---|---|"];
  for (const s of doc.scenarios) {
    if (s.status === "ran") for (const f of s.figures) lines.push(figureRow(s, f));
    else lines.push(`| ${s.name} | ${s.title} | ${s.status}: ${firstLine(s.reason ?? "")} | | | ${s.goal} | |`);
  }
  return lines.join("\n");
}

/** The run's header: the machine and how the figures were taken. */
export function formatHeader(doc: BenchDocument): string {
  const m = doc.machine;
  const gib = (bytes: number): string => (bytes / 1024 ** 3).toFixed(0);
  return [
    `${doc.date}${doc.commit === undefined ? "" : `, commit ${doc.commit}`}: ${m.cpus} × ${m.cpuModel}, ${gib(m.memoryBytes)} GiB, ${m.os} ${m.kernel}, Node ${m.node} (V8 ${m.v8})`,
    `load average at start ${m.loadStart.map((x) => x.toFixed(2)).join(" ")}, at end ${m.loadEnd.map((x) => x.toFixed(2)).join(" ")}`,
    `${doc.options.quick ? "QUICK run (smoke test: small workloads, figures are noise)" : "full run"}; ` +
      `repetitions ${doc.options.reps ?? "per scenario"}; ratio = xti/peer paired within each repetition, median (min–max)`,
  ].join("\n");
}

function firstLine(text: string): string {
  return text.split("\n")[0] ?? "";
}
