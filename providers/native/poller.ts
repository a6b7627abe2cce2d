/**
 * Readiness of kernel sockets for the main thread, without blocking the event loop and without
 * spinning. The sockets are in one epoll set that only the main thread waits on, with timeout 0;
 * it is itself in a second, outer set, on which one worker thread per process blocks in
 * epoll_wait() (poller-worker.ts) to learn when the socket set has something while the main thread
 * is idle. The worker publishes that into a SharedArrayBuffer ring; the main thread waits with
 * Atomics.waitAsync (ecosystem.md §2 measured this shape as the cheapest way to be woken here).
 *
 * The thread hop is only for waking from idleness. Once the socket set reported something, the
 * main thread looks at it again once the handlers' consequences (the user's next calls, promise
 * reactions) have run, and keeps doing so while it finds something: a few times within the same
 * turn of its loop, then on the next turn (setImmediate). A request/response or a bulk transfer
 * then runs without the worker, and a send on loopback does not wake a thread. Only a look that
 * finds nothing arms the socket set in the outer set again.
 *
 * A descriptor is reported once per arming: after a report, nothing more is handed to its owner
 * until it arms the descriptor again with the events it now wants. EPOLLERR and EPOLLHUP are always
 * reported while armed, even with no events asked for. In the kernel the descriptors are
 * level-triggered, so the usual arming, for the events the descriptor already waits for, needs no
 * epoll_ctl(); a descriptor reported while not armed is made one-shot (EPOLL_CTL_MOD, effective at
 * once), so it falls silent, and arming it registers it level-triggered again.
 *
 * Lifetime: the worker is unref'd, so an open socket alone never keeps the process alive; hold()
 * refs it while someone waits for the network (an XTI call blocked on an endpoint), as a C program
 * blocked in t_listen stays alive. A look on the next turn keeps the loop alive for that turn only.
 * A stop eventfd in the outer set ends the worker, written by close() and at process exit, so exit
 * never hangs on the blocked epoll_wait().
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

/** Ring entries: the worker reports one thing (the sockets' set), at most once per arming. */
const RING_CAPACITY = 16;
/** The sockets' set's token in the outer set (the stop eventfd's is STOP_TOKEN). */
const SOCKETS_TOKEN = 1;
/** Most descriptors taken from one look at the sockets' set (more wait for the next turn). */
const BATCH = 256;
/**
 * Looks made within one turn of the loop, each once the handlers' consequences (the promise
 * reactions they caused) have run, before the next look waits for the next turn: the loop's other
 * work (timers, node:net) is never held up by more than this many rounds.
 */
const QUICK_LOOKS = 8;
const LAST_TOKEN = 0x7fffffff;
/** A one-shot registration that has been reported (arming registers again, whatever the events). */
const DISARMED = -1;

/** One registered descriptor. */
export class PollHandle {
  /** @internal Armed: the owner wants one report. */
  armed = true;
  /** @internal The events registered in the kernel (EPOLLONESHOT included when set), or DISARMED. */
  kernelEvents = EPOLLONESHOT;

  constructor(
    private readonly poller: Poller,
    readonly fd: number,
    readonly token: number,
    /** @internal */
    readonly handler: ReadyHandler,
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
  /** The sockets' epoll set, waited on by the main thread only. */
  private readonly epollFd: number;
  /** The worker's epoll set: the sockets' set (one-shot) and the stop eventfd. */
  private readonly outerFd: number;
  private readonly stopFd: number;
  private readonly ring: EventRing;
  private readonly worker: Worker;
  private readonly workerExited: Promise<void>;
  private readonly handles = new Map<number, PollHandle>();
  private readonly request = new EpollEvents(1);
  private readonly ready = new EpollEvents(BATCH);
  private nextToken = 1;
  private readIndex = 0;
  private holds = 0;
  private dispatched = 0;
  private waiting = false;
  /** A look at the sockets' set is scheduled for the next turn (the worker is not asked to wait). */
  private looking = false;
  /** Looks made since the last turn of the loop (see QUICK_LOOKS). */
  private quickLooks = 0;
  private closed = false;

  /** A new poller with its own worker (the providers share `Poller.shared()`). Throws OsError. */
  constructor() {
    this.c = libc();
    const epollFd = this.c.epoll_create1(EPOLL_CLOEXEC);
    if (epollFd < 0) throw this.c.failure("epoll_create1");
    let outerFd = -1;
    let stopFd = -1;
    try {
      outerFd = this.c.epoll_create1(EPOLL_CLOEXEC);
      if (outerFd < 0) throw this.c.failure("epoll_create1");
      stopFd = createEventFd();
      wakeAtExit(stopFd); // from before the worker starts: an exit during start-up must not hang either
      this.request.set(0, EPOLLIN, STOP_TOKEN);
      if (this.c.epoll_ctl(outerFd, EPOLL_CTL_ADD, stopFd, this.request.bytes) < 0) throw this.c.failure("epoll_ctl(EPOLL_CTL_ADD)");
      this.request.set(0, EPOLLIN | EPOLLONESHOT, SOCKETS_TOKEN);
      if (this.c.epoll_ctl(outerFd, EPOLL_CTL_ADD, epollFd, this.request.bytes) < 0) throw this.c.failure("epoll_ctl(EPOLL_CTL_ADD)");
      this.ring = new EventRing(RING_CAPACITY);
      const data: PollerWorkerData = { epollFd: outerFd, memory: this.ring.memory, capacity: RING_CAPACITY };
      this.worker = startWorker(new URL("./poller-worker.js", import.meta.url), data);
    } catch (err) {
      if (stopFd >= 0) {
        stopWakingAtExit(stopFd);
        closeFd(stopFd);
      }
      if (outerFd >= 0) closeFd(outerFd);
      closeFd(epollFd);
      throw err;
    }
    this.epollFd = epollFd;
    this.outerFd = outerFd;
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
    const handle = new PollHandle(this, fd, token, handler);
    this.request.set(0, handle.kernelEvents, token);
    if (this.c.epoll_ctl(this.epollFd, EPOLL_CTL_ADD, fd, this.request.bytes) < 0) throw this.c.failure("epoll_ctl(EPOLL_CTL_ADD)");
    this.handles.set(token, handle);
    return handle;
  }

  /**
   * @internal PollHandle.arm. Arming with the events a level-triggered registration already has
   * costs nothing, which is the common case: a handler arms again for what it just had.
   */
  modify(handle: PollHandle, events: number): void {
    if (this.handles.get(handle.token) !== handle) return;
    handle.armed = true;
    if (handle.kernelEvents !== events) this.register(handle, events);
  }

  /** @internal PollHandle.close */
  forget(handle: PollHandle): void {
    if (this.handles.get(handle.token) !== handle) return;
    this.handles.delete(handle.token);
    this.c.epoll_ctl(this.epollFd, EPOLL_CTL_DEL, handle.fd, null);
  }

  private register(handle: PollHandle, events: number): void {
    handle.kernelEvents = events;
    this.request.set(0, events, handle.token);
    this.c.epoll_ctl(this.epollFd, EPOLL_CTL_MOD, handle.fd, this.request.bytes);
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
    return { wakeups: this.ring.counter(WAKEUPS), dispatched: this.dispatched, watched: this.handles.size, holds: this.holds };
  }

  /** Stop the worker and close the epoll sets (a poller made with `new`; the shared one lives on). */
  async close(): Promise<void> {
    if (this.closed) return this.workerExited;
    this.closed = true;
    this.handles.clear();
    this.worker.ref(); // an unref'd worker's exit would not keep the loop alive until we resolve
    signalEventFd(this.stopFd);
    await this.workerExited;
    stopWakingAtExit(this.stopFd);
    closeFd(this.stopFd);
    closeFd(this.outerFd);
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
      // The worker reports only the sockets' set (disarmed in the outer set by then): look at it.
      const written = Atomics.load(this.ring.control, WRITE_INDEX);
      const reported = this.readIndex !== written;
      this.readIndex = written;
      this.ring.releaseTo(written);
      if (reported && !this.looking) this.look();
    } finally {
      this.waitForEvents();
    }
  };

  private readonly lookAgain = (): void => {
    this.looking = false;
    this.quickLooks = 0;
    if (!this.closed) this.look();
  };

  private readonly lookQuickly = (): void => {
    this.looking = false;
    if (!this.closed) this.look();
  };

  /** Queued as a microtask: a tick queued from one runs once every microtask has run. */
  private readonly lookAfterMicrotasks = (): void => {
    process.nextTick(this.lookQuickly);
  };

  /**
   * Take what the sockets' set has ready now and call the handlers. Something found: look again on
   * the next turn. Nothing: arm the sockets' set in the outer one, so the worker waits for it.
   */
  private look(): void {
    const n = this.c.epoll_wait(this.epollFd, this.ready.bytes, BATCH, 0);
    for (let i = 0; i < n && !this.closed; i++) {
      const handle = this.handles.get(this.ready.token(i));
      if (handle === undefined) continue; // forgotten after the kernel reported it
      const levelTriggered = (handle.kernelEvents & EPOLLONESHOT) === 0;
      if (!levelTriggered) handle.kernelEvents = DISARMED; // by this report
      if (!handle.armed) {
        // Still ready, and its owner did not arm it again: one-shot from now on, so it falls
        // silent after at most one more report (ignored too).
        if (levelTriggered) this.register(handle, handle.kernelEvents | EPOLLONESHOT);
        continue;
      }
      handle.armed = false;
      this.dispatched++;
      try {
        handle.handler(this.ready.events(i));
      } catch (err) {
        // A handler's bug must not stop readiness for everyone else; it still surfaces.
        queueMicrotask(() => {
          throw err;
        });
      }
    }
    if (this.closed) return;
    if (n > 0) {
      this.looking = true;
      if (this.quickLooks++ < QUICK_LOOKS) queueMicrotask(this.lookAfterMicrotasks);
      else setImmediate(this.lookAgain);
      return;
    }
    // n < 0 (EINTR: the main thread took a signal) counts as nothing found: the worker looks instead.
    this.quickLooks = 0; // the next burst gets its quick looks in full
    this.request.set(0, EPOLLIN | EPOLLONESHOT, SOCKETS_TOKEN);
    this.c.epoll_ctl(this.outerFd, EPOLL_CTL_MOD, this.epollFd, this.request.bytes);
  }
}
