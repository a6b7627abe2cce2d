/**
 * What every native worker thread needs (the AF_PACKET receive worker, the socket poller): starting
 * the worker from TypeScript sources or compiled JavaScript, waiting until it reports ready, and an
 * eventfd written at process exit so a worker blocked in poll()/epoll_wait() can never hold exit up
 * (ecosystem.md §2.2: a thread blocked in a system call makes process.exit() hang).
 */
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { signalEventFd } from "./ffi/eventfd.js";

/**
 * Start the worker module at `module`, a URL made from the worker's .js path relative to the
 * caller's import.meta.url (the form bundlers and the packaging test recognise as a module
 * reference). From compiled
 * JavaScript the .js file is loaded directly; from the TypeScript sources (tests run under tsx) the
 * .ts file is, and the worker must register tsx itself first, because Node 20 does not apply the
 * parent's `--import` hooks to worker threads.
 */
export function startWorker(module: URL, workerData: unknown): Worker {
  const fromSource = import.meta.url.endsWith(".ts");
  if (!fromSource) return new Worker(module, { workerData });
  const source = new URL(module.href.replace(/\.js$/, ".ts"));
  const tsx = JSON.stringify(createRequire(import.meta.url).resolve("tsx/cjs/api"));
  const boot = `require(${tsx}).register(); require(${JSON.stringify(fileURLToPath(source))});`;
  return new Worker(boot, { eval: true, workerData });
}

/** Resolve when the worker posts `readyMessage`; reject if it fails or exits first. */
export function workerReady(worker: Worker, readyMessage: unknown, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      worker.off("message", onMessage);
      worker.off("error", onError);
      worker.off("exit", onExit);
    };
    const onMessage = (message: unknown): void => {
      if (message !== readyMessage) return;
      cleanup();
      resolve();
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(new Error(`${what} failed to start: ${err.message}`, { cause: err }));
    };
    const onExit = (code: number): void => {
      cleanup();
      reject(new Error(`${what} exited with code ${code} before it was ready`));
    };
    worker.on("message", onMessage);
    worker.on("error", onError);
    worker.on("exit", onExit);
  });
}

/** Eventfds of running workers, written at process exit so none of them can hold exit up. */
const wakeFdsAtExit = new Set<number>();
const wakeAllWorkers = (): void => {
  for (const fd of wakeFdsAtExit) signalEventFd(fd);
};

/** Write `fd` when the process exits (normal end, process.exit(), an uncaught exception). */
export function wakeAtExit(fd: number): void {
  if (wakeFdsAtExit.size === 0) process.on("exit", wakeAllWorkers);
  wakeFdsAtExit.add(fd);
}

/** Undo wakeAtExit (the worker has stopped and the fd is about to be closed). */
export function stopWakingAtExit(fd: number): void {
  wakeFdsAtExit.delete(fd);
  if (wakeFdsAtExit.size === 0) process.off("exit", wakeAllWorkers);
}
