/** Variants over a connected pair: connect (not measured), time the workload, close (not measured). */
import { timed } from "../harness/measure.js";
import type { Sample, Variant } from "../harness/scenario.js";

export function pairVariant<P extends { close(): Promise<void> }>(
  id: string,
  label: string,
  connect: () => Promise<P>,
  work: (pair: P) => Promise<void>,
  /** What one run moves ({ messages: N }, { bytes: N }), recorded in the sample. */
  amounts: Record<string, number>,
): Variant {
  return {
    id,
    label,
    run: async (): Promise<Sample> => {
      const pair = await connect();
      try {
        return await timed(async () => {
          await work(pair);
          return amounts;
        });
      } finally {
        await pair.close();
      }
    },
  };
}

/** Per-sample rates and costs the figures use. */
export const perSecond = (key: string) => (s: Sample): number => s[key]! / s["seconds"]!;
export const megabytesPerSecond = (s: Sample): number => s["bytes"]! / 1e6 / s["seconds"]!;
export const cpuSecondsPerGiB = (s: Sample): number => s["cpuSeconds"]! / (s["bytes"]! / 1024 ** 3);
