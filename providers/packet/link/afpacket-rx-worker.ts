/**
 * Receive thread of AfPacketDevice. It loads koffi itself, blocks in poll() on the packet socket
 * and an eventfd (the shutdown signal), drains the socket with recvmmsg straight into the shared
 * ring's slots, publishes each batch and notifies the main thread. It never touches the fds'
 * lifetime: the main thread closes them after this thread has exited.
 */
import { parentPort, workerData } from "node:worker_threads";
import { libc } from "../../native/ffi/libc.js";
import { EAGAIN, EINTR, MSG_DONTWAIT, MSG_TRUNC, POLLIN, POLLNVAL } from "../../native/ffi/linux.js";
import { AUXDATA_CONTROL_SIZE, MessageVector } from "../../native/ffi/mmsg.js";
import { PollSet } from "../../native/ffi/poll.js";
import {
  LAST_ERRNO,
  RECEIVE_ERRORS,
  RING_FULL_DROPS,
  RX_WORKER_READY,
  RxRing,
  type RxWorkerData,
  TRUNCATED_DROPS,
  TRUNCATED_SLOT,
  WAKEUPS,
  WRITE_INDEX,
} from "./afpacket-ring.js";

function isRxWorkerData(value: unknown): value is RxWorkerData {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  const layout = v["layout"] as Record<string, unknown> | null | undefined;
  return (
    typeof v["packetFd"] === "number" &&
    typeof v["wakeFd"] === "number" &&
    typeof v["batch"] === "number" &&
    v["memory"] instanceof SharedArrayBuffer &&
    typeof layout?.["slots"] === "number" &&
    typeof layout["slotSize"] === "number"
  );
}

function run(data: RxWorkerData): void {
  const c = libc();
  const ring = new RxRing(data.layout, data.memory);
  const slots = Array.from({ length: data.layout.slots }, (_, i) => ring.slotView(i));
  const vector = new MessageVector(slots, AUXDATA_CONTROL_SIZE);
  const discard = new Uint8Array(new ArrayBuffer(data.layout.slotSize));
  const pollSet = new PollSet([data.packetFd, data.wakeFd], POLLIN);
  const fd = data.packetFd;

  /** Record a receive error; true when draining should stop for now. */
  const receiveFailed = (): boolean => {
    const errno = c.errno();
    if (errno === EAGAIN) return true;
    if (errno === EINTR) return false;
    ring.count(RECEIVE_ERRORS);
    Atomics.store(ring.control, LAST_ERRNO, errno);
    return true;
  };

  const drain = (): void => {
    for (;;) {
      const room = Math.min(ring.writableRun(), data.batch);
      if (room === 0) {
        // Ring full: drop what the kernel holds (as a NIC does) rather than spin on POLLIN.
        if (c.recv(fd, discard, discard.length, MSG_DONTWAIT) < 0) {
          if (receiveFailed()) return;
        } else {
          ring.count(RING_FULL_DROPS);
        }
        continue;
      }
      const first = ring.slotOf(Atomics.load(ring.control, WRITE_INDEX));
      const got = vector.receive(fd, first, room, MSG_DONTWAIT);
      if (got < 0) {
        if (receiveFailed()) return;
        continue;
      }
      for (let slot = first; slot < first + got; slot++) {
        if ((vector.flags(slot) & MSG_TRUNC) !== 0) {
          ring.lengths[slot] = TRUNCATED_SLOT;
          ring.count(TRUNCATED_DROPS);
        } else {
          ring.lengths[slot] = vector.length(slot);
        }
        ring.statuses[slot] = vector.packetStatus(slot);
      }
      ring.publish(got);
      ring.notify();
      if (got < room) return; // recvmmsg stops early only when the queue is empty
    }
  };

  parentPort?.postMessage(RX_WORKER_READY);
  for (;;) {
    if (pollSet.wait(-1) < 0) {
      if (c.errno() === EINTR) continue;
      Atomics.store(ring.control, LAST_ERRNO, c.errno());
      return;
    }
    if (pollSet.revents(1) !== 0 || (pollSet.revents(0) & POLLNVAL) !== 0) return;
    ring.count(WAKEUPS);
    drain();
  }
}

if (!isRxWorkerData(workerData)) throw new TypeError("afpacket receive worker started without its data");
run(workerData);
