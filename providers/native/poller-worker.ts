/**
 * The poller's thread. It loads koffi itself, blocks in epoll_wait() on the poller's epoll set and
 * publishes every ready descriptor's token and events into the shared ring, then notifies the main
 * thread. Entries are armed one-shot by the main thread, so a descriptor is reported once per
 * arming and the ring never holds two entries for one arming. When the ring is full it waits for
 * the main thread to consume (ready descriptors stay in the kernel's ready list meanwhile). The
 * stop eventfd, readable for good once written, ends the thread; the main thread closes the fds.
 */
import { workerData } from "node:worker_threads";
import { EpollEvents } from "./ffi/epoll.js";
import { libc } from "./ffi/libc.js";
import { EINTR } from "./ffi/linux.js";
import { EventRing, LAST_ERRNO, type PollerWorkerData, READ_INDEX, STOP_TOKEN, WAKEUPS } from "./poller-ring.js";

/** Most descriptors taken from one epoll_wait. */
const BATCH = 256;
/** How long to wait for room in a full ring before checking again (the stop fd included). */
const FULL_RING_WAIT_MS = 50;

function isPollerWorkerData(value: unknown): value is PollerWorkerData {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v["epollFd"] === "number" && typeof v["capacity"] === "number" && v["memory"] instanceof SharedArrayBuffer;
}

function run(data: PollerWorkerData): void {
  const c = libc();
  const ring = new EventRing(data.capacity, data.memory);
  const ready = new EpollEvents(BATCH);
  for (;;) {
    const room = Math.min(ring.capacity - ring.pending(), BATCH);
    if (room === 0) {
      Atomics.wait(ring.control, READ_INDEX, Atomics.load(ring.control, READ_INDEX), FULL_RING_WAIT_MS);
      continue;
    }
    const n = c.epoll_wait(data.epollFd, ready.bytes, room, -1);
    if (n < 0) {
      const errno = c.errno();
      if (errno === EINTR) continue;
      Atomics.store(ring.control, LAST_ERRNO, errno);
      return;
    }
    let published = 0;
    let stop = false;
    for (let i = 0; i < n; i++) {
      const token = ready.token(i);
      if (token === STOP_TOKEN) stop = true;
      else ring.put(published++, token, ready.events(i));
    }
    if (published > 0) {
      Atomics.add(ring.control, WAKEUPS, 1);
      ring.publish(published);
    }
    if (stop) return;
  }
}

if (!isPollerWorkerData(workerData)) throw new TypeError("poller worker started without its data");
run(workerData);
