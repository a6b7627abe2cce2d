/**
 * Draws the results of a run (the JSON of `npm run bench -- --json FILE`) as a plain SVG:
 *
 *   npm run bench:chart [-- IN.json [OUT.svg]]      (default bench/results/latest.json → docs/benchmarks.svg)
 *
 * Two panels on logarithmic axes: each figure measured against a peer, as the ratio xti/peer
 * (paired median, a whisker for min-max, the goal as a tick); and each figure with a goal of its
 * own, as its median over the goal (1 = on the goal). Green: goal met; red: not met; grey: no goal.
 * Figures with neither (reports such as FFI calls per frame) are in the table only.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { formatTimes, formatValue } from "./harness/report.js";
import { isBenchDocument, type BenchDocument } from "./harness/results.js";

interface Row {
  label: string;
  /** Position on the axis: the ratio, or value / goal. */
  median: number;
  min: number;
  max: number;
  /** Where the goal sits on the axis, if the row has one. */
  goal: number | null;
  goalText: string;
  met: boolean | null;
  /** Text after the bar: the median in its own terms. */
  note: string;
}

// Each row: a line of text (the figure, its median, its goal), then its bar on the panel's axis.
const WIDTH = 960;
const ROW = 38;
const BAR_TOP = 17;
const BAR_HEIGHT = 13;
const PLOT_LEFT = 30;
const PLOT_RIGHT = WIDTH - 30;
const COLOURS = { met: "#2e7d32", missed: "#c62828", none: "#757575" };

function escape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function ratioRows(doc: BenchDocument): Row[] {
  const rows: Row[] = [];
  for (const s of doc.scenarios) {
    for (const f of s.figures) {
      if (f.ratio === undefined) continue;
      const goal = f.goal?.on === "ratio" ? f.goal : undefined;
      rows.push({
        label: `${s.name}: ${f.label}`,
        median: f.ratio.median,
        min: f.ratio.min,
        max: f.ratio.max,
        goal: goal?.target ?? null,
        goalText: goal?.text ?? "",
        met: goal === undefined ? null : (f.goal?.met ?? null),
        note: `${formatTimes(f.ratio.median)} (${formatValue(f.xti.median, f.unit)} ${f.unit})`,
      });
    }
  }
  return rows;
}

function goalRows(doc: BenchDocument): Row[] {
  const rows: Row[] = [];
  for (const s of doc.scenarios) {
    for (const f of s.figures) {
      if (f.goal?.on !== "value") continue;
      const t = f.goal.target;
      rows.push({
        label: `${s.name}: ${f.label}`,
        median: f.xti.median / t,
        min: f.xti.min / t,
        max: f.xti.max / t,
        goal: 1,
        goalText: f.goal.text,
        met: f.goal.met,
        note: `${formatValue(f.xti.median, f.unit)} ${f.unit}`,
      });
    }
  }
  return rows;
}

/** Decades covering every value and goal with some room (a goal on a decade is not on the edge). */
function axisRange(rows: readonly Row[]): [number, number] {
  const values = rows.flatMap((r) => [r.min, r.max, r.median, ...(r.goal === null ? [] : [r.goal])]).filter((v) => v > 0 && Number.isFinite(v));
  const lo = Math.min(0.1, ...values) / 1.5;
  const hi = Math.max(10, ...values) * 1.5;
  return [Math.floor(Math.log10(lo)), Math.ceil(Math.log10(hi))];
}

function panel(title: string, axisLabel: string, rows: readonly Row[], top: number): { svg: string; height: number } {
  if (rows.length === 0) return { svg: "", height: 0 };
  const [loExp, hiExp] = axisRange(rows);
  const x = (v: number): number => {
    const clamped = Math.min(Math.max(v, 10 ** loExp), 10 ** hiExp);
    return PLOT_LEFT + ((Math.log10(clamped) - loExp) / (hiExp - loExp)) * (PLOT_RIGHT - PLOT_LEFT);
  };
  const out: string[] = [];
  const plotTop = top + 30;
  const plotBottom = plotTop + rows.length * ROW;
  out.push(`<text x="10" y="${top + 16}" class="title">${escape(title)}</text>`);
  for (let e = loExp; e <= hiExp; e++) {
    const gx = x(10 ** e).toFixed(1);
    out.push(`<line x1="${gx}" y1="${plotTop - 4}" x2="${gx}" y2="${plotBottom}" class="${e === 0 ? "unity" : "grid"}"/>`);
    out.push(`<text x="${gx}" y="${plotBottom + 14}" class="tick">${escape(`${10 ** e}×`)}</text>`);
  }
  out.push(`<text x="${((PLOT_LEFT + PLOT_RIGHT) / 2).toFixed(1)}" y="${plotBottom + 30}" class="tick">${escape(axisLabel)}</text>`);
  rows.forEach((r, i) => {
    const y = plotTop + i * ROW;
    const mid = y + BAR_TOP + BAR_HEIGHT / 2;
    const colour = r.met === null ? COLOURS.none : r.met ? COLOURS.met : COLOURS.missed;
    const one = x(1);
    const m = x(r.median);
    const verdict = r.met === null ? "" : r.met ? ": met" : ": not met";
    out.push(`<text x="${PLOT_LEFT}" y="${y + 12}"><tspan class="label">${escape(r.label)}</tspan><tspan class="note" dx="10">${escape(`${r.note}${r.goalText === "" ? "" : `, goal ${r.goalText}${verdict}`}`)}</tspan></text>`);
    out.push(`<rect x="${Math.min(one, m).toFixed(1)}" y="${y + BAR_TOP}" width="${Math.max(1, Math.abs(m - one)).toFixed(1)}" height="${BAR_HEIGHT}" fill="${colour}" opacity="0.75"/>`);
    out.push(`<line x1="${x(r.min).toFixed(1)}" y1="${mid}" x2="${x(r.max).toFixed(1)}" y2="${mid}" class="whisker"/>`);
    if (r.goal !== null) {
      const g = x(r.goal).toFixed(1);
      const h = BAR_HEIGHT / 2 + 2;
      out.push(`<path d="M${g},${mid - h} l5,${h} l-5,${h} l-5,${-h} z" class="goal"><title>${escape(`goal ${r.goalText}`)}</title></path>`);
    }
  });
  return { svg: out.join("\n"), height: plotBottom + 40 - top };
}

/** The whole chart for one run. */
export function renderChart(doc: BenchDocument): string {
  const m = doc.machine;
  const header = `xti benchmarks, ${doc.date.slice(0, 10)}: ${m.cpus} × ${m.cpuModel}, Linux ${m.kernel}, Node ${m.node}${doc.options.quick ? " (QUICK run: the figures are noise)" : ""}`;
  const skipped = doc.scenarios.filter((s) => s.status !== "ran").map((s) => `${s.name} (${s.status}: ${(s.reason ?? "").split("\n")[0]})`);
  let top = 40;
  const first = panel("xti against its peer in the same run: xti / peer, paired median, whisker min–max, ◆ goal", "xti / peer (log scale; right of 1× = xti larger)", ratioRows(doc), top);
  top += first.height + 10;
  const second = panel("figures with a goal of their own: median / goal (◆ = the goal; left of it is better)", "median / goal (log scale)", goalRows(doc), top);
  top += second.height + 10;
  const footer = skipped.length === 0 ? "" : `<text x="10" y="${top + 12}" class="tick-left">${escape(`not run: ${skipped.join("; ")}`)}</text>`;
  const height = top + (skipped.length === 0 ? 10 : 30);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12">`,
    "<style>",
    ".title{font-weight:bold} .label{fill:#000} .tick{text-anchor:middle;fill:#555;font-size:11px} .tick-left{fill:#555;font-size:11px}",
    ".note{fill:#333;font-size:11px} .grid{stroke:#ddd} .unity{stroke:#888} .whisker{stroke:#000;stroke-width:1.5} .goal{fill:#000}",
    "</style>",
    `<rect width="${WIDTH}" height="${height}" fill="#fff"/>`,
    `<text x="10" y="22" font-size="14" class="title">${escape(header)}</text>`,
    first.svg,
    second.svg,
    footer,
    "</svg>",
    "",
  ].join("\n");
}

function main(argv: string[]): void {
  const input = argv[0] ?? "bench/results/latest.json";
  const output = argv[1] ?? "docs/benchmarks.svg";
  const doc: unknown = JSON.parse(readFileSync(input, "utf8"));
  if (!isBenchDocument(doc)) throw new Error(`${input} is not the JSON of npm run bench -- --json (schema xti-bench/1)`);
  writeFileSync(output, renderChart(doc));
  process.stderr.write(`chart: ${output} drawn from ${input}\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main(process.argv.slice(2));

