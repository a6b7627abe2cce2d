/**
 * Runs one scenario: warm-up, then repetitions in which every variant runs once, xti and its peer
 * alternating (the order is reversed in every other repetition, so a drift in the machine's load
 * weighs on both sides alike), then the figures: median and min-max of each side, and the ratio
 * xti/peer paired within each repetition (the pairing cancels load that changes between
 * repetitions; its median and range are what the table shows).
 */
import type { FigureSpec, Prepared, RunOptions, Scenario } from "./scenario.js";
import type { FigureResult, SampleRecord, ScenarioResult } from "./results.js";
import { spread } from "./stats.js";
import { wallSeconds } from "./measure.js";

/**
 * A run taking longer than this has hung (a lost peer, a wedged connection): the scenario fails
 * and the bench goes on, instead of waiting for ever. The longest full runs take about ten seconds.
 */
const RUN_LIMIT_MS = 180_000;

async function bounded<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${RUN_LIMIT_MS / 1000} s`)), RUN_LIMIT_MS);
  });
  try {
    return await Promise.race([work, limit]);
  } finally {
    clearTimeout(timer);
  }
}

export interface RunnerOptions extends RunOptions {
  /** Repetitions; null = the scenario's own count (full or quick). */
  readonly reps: number | null;
}

export async function runScenario(scenario: Scenario, options: RunnerOptions): Promise<ScenarioResult> {
  const start = wallSeconds();
  const reps = options.reps ?? (options.quick ? scenario.reps.quick : scenario.reps.full);
  const base: ScenarioResult = {
    name: scenario.name,
    title: scenario.title,
    compares: scenario.compares,
    goal: scenario.goal,
    status: "ran",
    reps,
    seconds: 0,
    variants: [],
    samples: [],
    figures: [],
  };
  const finish = (result: ScenarioResult): ScenarioResult => ({ ...result, seconds: wallSeconds() - start });

  const why = scenario.unavailable();
  if (why !== null) return finish({ ...base, status: "skipped", reason: why, reps: 0 });

  let prepared: Prepared | undefined;
  try {
    prepared = await scenario.prepare(options);
    base.variants = prepared.variants.map((v) => ({ id: v.id, label: v.label }));
    if (prepared.warmup ?? true) {
      options.log(`${scenario.name}: warm-up`);
      for (const variant of prepared.variants) await bounded(variant.run(), `${variant.id} (warm-up)`);
    }
    for (let rep = 0; rep < reps; rep++) {
      const order = rep % 2 === 0 ? [...prepared.variants] : [...prepared.variants].reverse();
      for (const [position, variant] of order.entries()) {
        const sample = await bounded(variant.run(), `${variant.id} (repetition ${rep + 1})`);
        base.samples.push({ variant: variant.id, rep, position, sample });
      }
      options.log(`${scenario.name}: repetition ${rep + 1}/${reps} done`);
    }
    base.figures = prepared.figures.map((spec) => figure(spec, base.samples, base.variants, reps));
    return finish(base);
  } catch (err) {
    const reason = err instanceof Error ? (err.stack ?? err.message) : String(err);
    return finish({ ...base, status: "failed", reason });
  } finally {
    await prepared?.close?.();
  }
}

function figure(spec: FigureSpec, samples: readonly SampleRecord[], variants: ScenarioResult["variants"], reps: number): FigureResult {
  const label = (id: string): string => variants.find((v) => v.id === id)?.label ?? id;
  const valuesOf = (side: FigureSpec["xti"]): number[] => {
    const values: number[] = [];
    for (let rep = 0; rep < reps; rep++) {
      const record = samples.find((s) => s.rep === rep && s.variant === side.variant);
      if (record === undefined) throw new Error(`figure ${spec.id}: no sample of variant ${side.variant} in repetition ${rep}`);
      values.push(side.value(record.sample));
    }
    return values;
  };
  const xtiValues = valuesOf(spec.xti);
  const result: FigureResult = {
    id: spec.id,
    label: spec.label,
    unit: spec.unit,
    better: spec.better,
    xti: { variant: spec.xti.variant, label: label(spec.xti.variant), values: xtiValues, ...spread(xtiValues) },
  };
  if (spec.peer !== undefined) {
    const peerValues = valuesOf(spec.peer);
    result.peer = { variant: spec.peer.variant, label: label(spec.peer.variant), values: peerValues, ...spread(peerValues) };
    const ratios = xtiValues.map((x, i) => x / peerValues[i]!);
    result.ratio = { values: ratios, ...spread(ratios) };
  }
  if (spec.goal !== undefined) {
    const measured = spec.goal.on === "ratio" ? result.ratio?.median : result.xti.median;
    if (measured === undefined) throw new Error(`figure ${spec.id}: a goal on the ratio needs a peer`);
    const met = spec.goal.op === ">=" ? measured >= spec.goal.target : measured <= spec.goal.target;
    result.goal = { ...spec.goal, met };
  }
  return result;
}
