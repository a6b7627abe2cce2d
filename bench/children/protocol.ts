/**
 * The child side of harness/child.ts: read the JSON input from argv, run the measurement, print
 * the Sample on one line, and exit (a failure prints its stack and exits 1).
 */
import { RESULT_PREFIX } from "../harness/child.js";
import type { Sample } from "../harness/scenario.js";

export function childMain<I>(measure: (input: I) => Promise<Sample>): void {
  // The stacks' timers and devices are unref'd: keep the process alive until the result is out.
  // The interval never fires in a run (about 12 days), so it costs no CPU.
  const keepAlive = setInterval(() => undefined, 2 ** 30);
  const run = async (): Promise<Sample> => measure(JSON.parse(process.argv[2] ?? "null") as I);
  run().finally(() => clearInterval(keepAlive)).then(
    (sample) => {
      process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(sample)}\n`);
      process.exit(0);
    },
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}

/** global.gc, which the child gets with --expose-gc. */
export function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error("this child needs node --expose-gc");
  gc();
  gc();
}
