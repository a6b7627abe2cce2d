/** Clocks every variant reads the same way: wall time and this process's CPU time (all threads). */

/** Seconds of wall time, monotonic. */
export function wallSeconds(): number {
  return performance.now() / 1000;
}

/** CPU seconds used so far by this process: user + system, every thread (workers included). */
export function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** Time `work` and its CPU; the sample holds `seconds`, `cpuSeconds` and what `work` returns. */
export async function timed(work: () => Promise<Record<string, number> | void>): Promise<Record<string, number>> {
  const cpu = cpuSeconds();
  const start = wallSeconds();
  const extra = await work();
  const seconds = wallSeconds() - start;
  return { ...(extra ?? {}), seconds, cpuSeconds: cpuSeconds() - cpu };
}

export const GIB = 1024 ** 3;
