/**
 * Readiness of kernel sockets for the main thread, without blocking the event loop and without
 * spinning: one worker thread per process blocks in epoll_wait() (poller-worker.ts) and publishes
 * ready descriptors into a SharedArrayBuffer ring; the main thread waits with Atomics.waitAsync and
 * calls each descriptor's handler (ecosystem.md §2 measured this shape as the cheapest here).
 *
 * Every descriptor is registered one-shot (EPOLLONESHOT): after it is reported, nothing more is
 * reported for it until its owner arms it again with the events it now wants. The main thread arms
 * with epoll_ctl(EPOLL_CTL_MOD), which takes effect on the worker's wait at once, so arming needs no
 * wake-up. EPOLLERR and EPOLLHUP are always reported while armed, even with no events asked for.
 *
 * Lifetime: the worker is unref'd, so an open socket alone never keeps the process alive; hold()
 * refs it while someone waits for the network (an XTI call blocked on an endpoint), as a C program
 * blocked in t_listen stays alive. A stop eventfd in the epoll set ends the worker, written by
 * close() and at process exit, so exit never hangs on the blocked epoll_wait().
 */
import type { Worker } from "node:worker_threads";
import { closeFd, createEventFd, signalEventFd } from "./ffi/eventfd.js";
import { EpollEvents } from "./ffi/epoll.js";
import { libc, type Libc } from "./ffi/libc.js";
import { EPOLL_CLOEXEC, EPOLL_CTL_ADD, EPOLL_CTL_DEL, EPOLL_CTL_MOD, EPOLLIN, EPOLLONESHOT } from "./ffi/linux.js";
import { EventRing, LAST_ERRNO, type PollerWorkerData, STOP_TOKEN, WAKEUPS, WRITE_INDEX } from "./poller-ring.js";
import { startWorker, stopWakingAtExit, wakeAtExit } from "./worker.js";

/** Called on the main thread with the epoll events reported for a descriptor. */
export type ReadyHandler = (events: number) => void;

type WaitAsyncResult =
  | { async: false; value: "not-equal" | "timed-out" }
  | { async: true; value: Promise<"ok" | "timed-out"> };
// Atomics.waitAsync is ES2024; the project compiles against the ES2023 library.
const atomics = Atomics as unknown as { waitAsync(array: Int32Array, index: number, value: number): WaitAsyncResult };

/** Ring entries: far more than the descriptors that can be ready at once in one process's turn. */
const RING_CAPACITY = 4096;
const LAST_TOKEN = 0x7fffffff;

/** One registered descriptor. */
export class PollHandle {
  constructor(
    private readonly poller: Poller,
    readonly fd: number,
    readonly token: number,
  ) {}

  /** Report the descriptor once when any of `events` (plus EPOLLERR/EPOLLHUP) is ready. */
  arm(events: number): void {
    this.poller.modify(this, events);
  }

  /** Stop watching (before the descriptor is closed). Events already on their way are dropped. */
  close(): void {
    this.poller.forget(this);
  }
}

export interface PollerStats {
  /** Times the worker woke from epoll_wait with something to report. */
  wakeups: number;
  /** Readiness reports handed to handlers. */
  dispatched: number;
  /** Descriptors watched now. */
  watched: number;
  /** Holds taken now (see hold()). */
  holds: number;
}

export class Poller {
  private static sharedPoller: Poller | undefined;

  /** The process's poller (per thread), created on first use. */
  static shared(): Poller {
    Poller.sharedPoller ??= new Poller();
    return Poller.sharedPoller;
  }

  private readonly c: Libc;
  private readonly epollFd: number;
  private readonly stopFd: number;
  private readonly ring: EventRing;
  private readonly worker: Worker;
  private readonly workerExited: Promise<void>;
  private readonly handlers = new Map<number, ReadyHandler>();
  private readonly request = new EpollEvents(1);
  private nextToken = 1;
  private readIndex = 0;
  private holds = 0;
  private dispatched = 0;
  private waiting = false;
  private closed = false;

  /** A new poller with its own worker (the providers share `Poller.shared()`). Throws OsError. */
  constructor() {
    this.c = libc();
    const epollFd = this.c.epoll_create1(EPOLL_CLOEXEC);
    if (epollFd < 0) throw this.c.failure("epoll_create1");
    let stopFd = -1;
    try {
      stopFd = createEventFd();
      wakeAtExit(stopFd); // from before the worker starts: an exit during start-up must not hang either
      this.request.set(0, EPOLLIN, STOP_TOKEN);
      if (this.c.epoll_ctl(epollFd, EPOLL_CTL_ADD, stopFd, this.request.bytes) < 0) throw this.c.failure("epoll_ctl(EPOLL_CTL_ADD)");
      this.ring = new EventRing(RING_CAPACITY);
      const data: PollerWorkerData = { epollFd, memory: this.ring.memory, capacity: RING_CAPACITY };
      this.worker = startWorker(new URL("./poller-worker.js", import.meta.url), data);
    } catch (err) {
      if (stopFd >= 0) {
        stopWakingAtExit(stopFd);
        closeFd(stopFd);
      }
      closeFd(epollFd);
      throw err;
    }
    this.epollFd = epollFd;
    this.stopFd = stopFd;
    this.worker.unref();
    this.workerExited = new Promise((resolve) => this.worker.once("exit", () => resolve()));
    this.worker.on("error", (err) => process.emitWarning(`xti socket poller failed: ${err.message}`));
    this.waitForEvents();
  }

  /**
   * Watch `fd`: registered armed for EPOLLERR/EPOLLHUP only; arm() asks for more. Throws OsError
   * when the kernel refuses (EBADF, ENOMEM).
   */
  watch(fd: number, handler: ReadyHandler): PollHandle {
    if (this.closed) throw new Error("the poller is closed");
    const token = this.nextToken;
    this.nextToken = token === LAST_TOKEN ? 1 : token + 1;
    this.request.set(0, EPOLLONESHOT, token);
    if (this.c.epoll_ctl(this.epollFd, EPOLL_CTL_ADD, fd, this.request.bytes) < 0) throw this.c.failure("epoll_ctl(EPOLL_CTL_ADD)");
    this.handlers.set(token, handler);
    return new PollHandle(this, fd, token);
  }

  /** @internal PollHandle.arm */
  modify(handle: PollHandle, events: number): void {
    if (!this.handlers.has(handle.token)) return;
    this.request.set(0, events | EPOLLONESHOT, handle.token);
    this.c.epoll_ctl(this.epollFd, EPOLL_CTL_MOD, handle.fd, this.request.bytes);
  }

  /** @internal PollHandle.close */
  forget(handle: PollHandle): void {
    if (!this.handlers.delete(handle.token)) return;
    this.c.epoll_ctl(this.epollFd, EPOLL_CTL_DEL, handle.fd, null);
  }

  /** Keep the process alive until the matching release() (someone waits for the network). */
  hold(): void {
    if (this.holds++ === 0 && !this.closed) this.worker.ref();
  }

  release(): void {
    if (this.holds === 0) return;
    if (--this.holds === 0 && !this.closed) this.worker.unref();
  }

  stats(): PollerStats {
    return { wakeups: this.ring.counter(WAKEUPS), dispatched: this.dispatched, watched: this.handlers.size, holds: this.holds };
  }

  /** Stop the worker and close the epoll set (a poller made with `new`; the shared one lives on). */
  async close(): Promise<void> {
    if (this.closed) return this.workerExited;
    this.closed = true;
    this.handlers.clear();
    this.worker.ref(); // an unref'd worker's exit would not keep the loop alive until we resolve
    signalEventFd(this.stopFd);
    await this.workerExited;
    stopWakingAtExit(this.stopFd);
    closeFd(this.stopFd);
    closeFd(this.epollFd);
    Atomics.notify(this.ring.control, WRITE_INDEX); // settle our own pending waitAsync
    const errno = this.ring.counter(LAST_ERRNO);
    if (errno !== 0) throw new Error(`the poller's epoll_wait failed with errno ${errno}`);
  }

  private waitForEvents(): void {
    if (this.closed || this.waiting) return;
    const result = atomics.waitAsync(this.ring.control, WRITE_INDEX, this.readIndex);
    this.waiting = true;
    if (result.async) void result.value.then(this.onEvents);
    else setImmediate(this.onEvents); // entries already there: on the next turn, never starving timers
  }

  private readonly onEvents = (): void => {
    this.waiting = false;
    if (this.closed) return;
    try {
      this.deliver();
    } finally {
      this.waitForEvents();
    }
  };

  private deliver(): void {
    const ring = this.ring;
    const written = Atomics.load(ring.control, WRITE_INDEX);
    while (this.readIndex !== written && !this.closed) {
      const token = ring.token(this.readIndex);
      const events = ring.events(this.readIndex);
      this.readIndex = (this.readIndex + 1) | 0;
      const handler = this.handlers.get(token);
      if (handler === undefined) continue; // forgotten after the worker reported it
      this.dispatched++;
      try {
        handler(events);
      } catch (err) {
        // A handler's bug must not stop readiness for everyone else; it still surfaces.
        queueMicrotask(() => {
          throw err;
        });
      }
    }
    ring.releaseTo(this.readIndex);
  }
}
