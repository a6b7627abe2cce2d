/**
 * The results of a run as data: what `--json FILE` writes, what the table prints and what
 * bench/chart.ts draws. Every sample is kept, so figures can be recomputed from the file.
 */
import { execFileSync } from "node:child_process";
import { cpus, freemem, loadavg, release, totalmem, type as osType } from "node:os";
import type { Goal, Sample, Unit } from "./scenario.js";
import type { Spread } from "./stats.js";

export const SCHEMA = "xti-bench/1";

export interface SideResult extends Spread {
  variant: string;
  label: string;
  /** The figure's value in each repetition, in repetition order. */
  values: number[];
}

export interface FigureResult {
  id: string;
  label: string;
  unit: Unit;
  better: "higher" | "lower";
  xti: SideResult;
  peer?: SideResult;
  /** xti / peer, paired within each repetition (values in repetition order). */
  ratio?: Spread & { values: number[] };
  goal?: Goal & { met: boolean };
}

export interface SampleRecord {
  variant: string;
  /** Repetition, from 0. */
  rep: number;
  /** Place of this run in its repetition's order (the order alternates between repetitions). */
  position: number;
  sample: Sample;
}

export interface ScenarioResult {
  name: string;
  title: string;
  compares: string;
  goal: string;
  status: "ran" | "skipped" | "failed";
  /** Why it was skipped or how it failed. */
  reason?: string;
  reps: number;
  /** Wall time of the whole scenario, set-up included. */
  seconds: number;
  variants: Array<{ id: string; label: string }>;
  samples: SampleRecord[];
  figures: FigureResult[];
}

export interface Machine {
  cpuModel: string;
  cpus: number;
  memoryBytes: number;
  os: string;
  kernel: string;
  node: string;
  v8: string;
  /** 1, 5 and 15 minute load averages when the run started and when it ended: how quiet it was. */
  loadStart: number[];
  loadEnd: number[];
  freeMemoryStartBytes: number;
}

export interface BenchDocument {
  schema: typeof SCHEMA;
  /** ISO 8601, when the run started. */
  date: string;
  /** The code measured: the git commit, "+changes" when the working tree differed from it (absent: unknown). */
  commit?: string;
  machine: Machine;
  options: { quick: boolean; reps: number | null; scenarios: string[]; root: boolean };
  scenarios: ScenarioResult[];
}

/** What the machine is, at the start of a run (loadEnd is filled in at the end). */
export function describeMachine(): Machine {
  const cpu = cpus();
  return {
    cpuModel: cpu[0]?.model.trim() ?? "unknown",
    cpus: cpu.length,
    memoryBytes: totalmem(),
    os: osType(),
    kernel: release(),
    node: process.version,
    v8: process.versions.v8,
    loadStart: loadavg(),
    loadEnd: [],
    freeMemoryStartBytes: freemem(),
  };
}

/** The checked-out commit, marked when the working tree has changes; undefined outside a git checkout. */
export function describeCommit(): string | undefined {
  try {
    const git = (...args: string[]): string => execFileSync("git", args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    const commit = git("rev-parse", "--short", "HEAD");
    return git("status", "--porcelain", "--untracked-files=no") === "" ? commit : `${commit}+changes`;
  } catch {
    return undefined;
  }
}

/** Check that `value` has the shape of a BenchDocument (for the chart script and the test). */
export function isBenchDocument(value: unknown): value is BenchDocument {
  if (typeof value !== "object" || value === null) return false;
  const doc = value as Record<string, unknown>;
  return doc["schema"] === SCHEMA && typeof doc["date"] === "string" && typeof doc["machine"] === "object" && Array.isArray(doc["scenarios"]);
}
