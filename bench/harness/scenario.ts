/**
 * What a benchmark scenario is: the variants it measures (xti and its peer), run alternately in
 * each repetition by the runner (runner.ts), and the figures it derives from their samples, each
 * with the goal issue 12 sets for it.
 */

/** One measured run of a variant: named numbers ("seconds", "cpuSeconds", "messages"...). */
export type Sample = Readonly<Record<string, number>>;

export interface Variant {
  /** Short id, unique within the scenario ("xti", "net"); figures refer to variants by it. */
  readonly id: string;
  /** What runs, for the table and the JSON ("/dev/ticots t_snd/t_rcv"). */
  readonly label: string;
  /** One measured run. Set-up that is not measured happens inside too, outside the timed part. */
  run(): Promise<Sample>;
}

/** How a figure is printed and how its goal reads. */
export type Unit =
  | "msg/s" // messages per second
  | "rt/s" // round trips per second
  | "MB/s" // 10^6 bytes per second
  | "B/msg" // bytes allocated per message
  | "KiB/conn" // memory per connection
  | "MiB" // a total amount of memory
  | "% core" // CPU, 100 = one core
  | "s/GiB" // CPU seconds per GiB moved
  | "calls/frame"; // FFI calls per Ethernet frame

/**
 * A goal: on the ratio xti/peer (paired per repetition, median), or on xti's own median value.
 * `op` says which side of `target` meets it.
 */
export interface Goal {
  readonly on: "ratio" | "value";
  readonly op: ">=" | "<=";
  readonly target: number;
  /** As the issue words it ("≥ 5×", "within 1.2× of the C-style calls"). */
  readonly text: string;
}

/** Which variant's samples give one side of a figure, and how. */
export interface FigureSide {
  readonly variant: string;
  readonly value: (sample: Sample) => number;
}

export interface FigureSpec {
  /** Unique within the scenario; "<scenario>/<id>" names it in the JSON and the chart. */
  readonly id: string;
  readonly label: string;
  readonly unit: Unit;
  /** Whether a larger value is the better one (throughput) or the worse one (memory, CPU). */
  readonly better: "higher" | "lower";
  readonly xti: FigureSide;
  /** The peer measured in the same run; absent for figures that only have a goal (idle memory). */
  readonly peer?: FigureSide;
  readonly goal?: Goal;
}

/** A scenario ready to run: its variants, its figures, and what to release afterwards. */
export interface Prepared {
  readonly variants: readonly Variant[];
  readonly figures: readonly FigureSpec[];
  /** Run each variant once, unrecorded, before the repetitions (JIT warm-up). Default true. */
  readonly warmup?: boolean;
  /** Release what prepare() set up (a topology, a host). Runs even when a repetition failed. */
  close?(): Promise<void>;
}

export interface RunOptions {
  /** A short smoke run: smaller workloads (and fewer repetitions unless given). */
  readonly quick: boolean;
  /** Progress lines (stderr); the figures go to the table and the JSON. */
  readonly log: (line: string) => void;
}

export interface Scenario {
  /** The name `npm run bench -- NAME` selects. */
  readonly name: string;
  /** What it measures, one line. */
  readonly title: string;
  /** xti's side and the peer's. */
  readonly compares: string;
  /** The goals, as the issue words them. */
  readonly goal: string;
  /** Repetitions of a full run (a quick run does fewer). */
  readonly reps: { readonly full: number; readonly quick: number };
  /** Null when the scenario can run here; otherwise why not ("needs root"). */
  unavailable(): string | null;
  prepare(options: RunOptions): Promise<Prepared>;
}
