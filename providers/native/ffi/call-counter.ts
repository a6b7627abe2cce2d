/**
 * A diagnostic for the benchmarks (`npm run bench -- stack-ffi`): count every call into native code
 * made through koffi, per function and per kind of thread (the main thread, or a worker such as the
 * AF_PACKET receive worker). Nothing in the library imports this module.
 *
 * installCallCounter() replaces this thread's koffi in the require cache by a wrapper whose bound
 * functions count their calls, so the bindings built afterwards (libc() binds once per thread)
 * count. It has to run in every thread before the bindings are built: bench/ffi-count-preload.cjs
 * does it at start-up (node --require runs it in each worker thread too). The counts live in a
 * SharedArrayBuffer that the main thread publishes as worker environment data, so the main thread
 * reads the workers' counts as well.
 */
import { createRequire } from "node:module";
import { getEnvironmentData, isMainThread, setEnvironmentData } from "node:worker_threads";
import type { KoffiModule } from "./koffi.js";

/** The C functions the bindings use, then koffi's own calls; anything else counts as "other". */
export const COUNTED_CALLS = [
  "socket", "bind", "listen", "accept4", "connect", "getsockname", "getpeername", "shutdown", "sockatmark",
  "setsockopt", "getsockopt", "send", "sendto", "recv", "recvfrom", "recvmsg", "sendmmsg", "recvmmsg", "poll",
  "epoll_create1", "epoll_ctl", "epoll_wait", "ioctl", "if_nametoindex", "eventfd", "read", "write", "close",
  "strerror", "errno", "address", "other",
] as const;
export type CountedCall = (typeof COUNTED_CALLS)[number];

/** Calls of each function, in the main thread and in all worker threads together. */
export interface CallCounts {
  main: Record<CountedCall, number>;
  worker: Record<CountedCall, number>;
}

const KEY = "xti.ffi-call-counts";
const THREAD_KINDS = 2;

function counters(create: boolean): Int32Array | null {
  const shared = getEnvironmentData(KEY);
  if (shared instanceof SharedArrayBuffer) return new Int32Array(shared);
  if (!create) return null;
  const memory = new SharedArrayBuffer(THREAD_KINDS * COUNTED_CALLS.length * Int32Array.BYTES_PER_ELEMENT);
  setEnvironmentData(KEY, memory);
  return new Int32Array(memory);
}

function slot(name: string): number {
  const i = COUNTED_CALLS.indexOf(name as CountedCall);
  return i >= 0 ? i : COUNTED_CALLS.indexOf("other");
}

function counting<F extends (...args: never[]) => unknown>(fn: F, counts: Int32Array, index: number): F {
  return ((...args: Parameters<F>) => {
    Atomics.add(counts, index, 1);
    return fn(...args);
  }) as F;
}

/** Count this thread's koffi calls from now on (see the module comment for when to call it). */
export function installCallCounter(): void {
  const counts = counters(isMainThread);
  if (counts === null) throw new Error("installCallCounter: the main thread did not install the counter before starting this worker");
  const base = (isMainThread ? 0 : 1) * COUNTED_CALLS.length;
  const require = createRequire(import.meta.url);
  const path = require.resolve("koffi");
  const real = require("koffi") as KoffiModule;
  const cached = require.cache[path];
  if (cached === undefined) throw new Error("installCallCounter: koffi is not in the require cache");
  type Library = ReturnType<KoffiModule["load"]>;
  const countedLibrary = (lib: Library): Library =>
    new Proxy(lib, {
      get(target, prop, receiver) {
        if (prop !== "func") return Reflect.get(target, prop, receiver) as unknown;
        return (...args: Parameters<Library["func"]>) => {
          const declaration = typeof args[0] === "string" ? args[0] : "";
          const name = /([A-Za-z_]\w*)\s*\(/.exec(declaration)?.[1] ?? "other";
          return counting(target.func(...args) as (...a: never[]) => unknown, counts, base + slot(name));
        };
      },
    });
  const replaced: Record<string, unknown> = {
    load: (...args: Parameters<KoffiModule["load"]>) => countedLibrary(real.load(...args)),
    errno: counting(real.errno.bind(real) as (...a: never[]) => unknown, counts, base + slot("errno")),
    address: counting(real.address.bind(real) as (...a: never[]) => unknown, counts, base + slot("address")),
  };
  cached.exports = new Proxy(real, {
    get: (target, prop, receiver) => (typeof prop === "string" && Object.hasOwn(replaced, prop) ? replaced[prop] : (Reflect.get(target, prop, receiver) as unknown)),
  });
}

/** The counts so far (read in any thread of a process where the counter is installed). */
export function readCallCounts(): CallCounts {
  const counts = counters(false);
  if (counts === null) throw new Error("readCallCounts: the call counter is not installed (run node with --require bench/ffi-count-preload.cjs)");
  const row = (kind: number): Record<CountedCall, number> =>
    Object.fromEntries(COUNTED_CALLS.map((name, i) => [name, Atomics.load(counts, kind * COUNTED_CALLS.length + i)])) as Record<CountedCall, number>;
  return { main: row(0), worker: row(1) };
}
