/**
 * Puts a run's results into the documentation: the chart (docs/benchmarks.svg) and, in
 * docs/benchmarks.md, the block between the "results" markers (the run's header and its table).
 *
 *   npm run bench:docs [-- IN.json]        (default bench/results/latest.json)
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { renderChart } from "./chart.js";
import { formatHeader, formatTable } from "./harness/report.js";
import { isBenchDocument, type BenchDocument } from "./harness/results.js";

const DOC = fileURLToPath(new URL("../docs/benchmarks.md", import.meta.url));
const CHART = fileURLToPath(new URL("../docs/benchmarks.svg", import.meta.url));
export const START = "<!-- results:start (written by npm run bench:docs from the JSON; do not edit by hand) -->";
export const END = "<!-- results:end -->";

/** The generated block: how the run was taken, then the table. */
export function resultsBlock(doc: BenchDocument, source: string): string {
  const header = formatHeader(doc)
    .split("\n")
    .map((line) => `- ${line}`)
    .join("\n");
  const preliminary = doc.options.quick
    ? "\n**Preliminary: a `--quick` run on a busy machine. These figures are noise, shown only so the table has content; the full run replaces them.**\n"
    : "";
  return [START, preliminary, `From \`${source}\`:`, "", header, "", formatTable(doc), "", "![the figures of this run](benchmarks.svg)", END].join("\n");
}

/** `markdown` with the block between the markers replaced. */
export function replaceResults(markdown: string, block: string): string {
  const start = markdown.indexOf(START);
  const end = markdown.indexOf(END);
  if (start < 0 || end < start) throw new Error(`docs/benchmarks.md has no results markers (${START} ... ${END})`);
  return markdown.slice(0, start) + block + markdown.slice(end + END.length);
}

function main(argv: string[]): void {
  const input = argv[0] ?? "bench/results/latest.json";
  const doc: unknown = JSON.parse(readFileSync(input, "utf8"));
  if (!isBenchDocument(doc)) throw new Error(`${input} is not the JSON of npm run bench -- --json (schema xti-bench/1)`);
  writeFileSync(CHART, renderChart(doc));
  writeFileSync(DOC, replaceResults(readFileSync(DOC, "utf8"), resultsBlock(doc, input)));
  process.stderr.write(`bench:docs: docs/benchmarks.md and docs/benchmarks.svg written from ${input}\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main(process.argv.slice(2));
