/**
 * The eventfd that stops a worker thread blocked in poll()/epoll_wait(), and close() for teardown
 * paths. Writing the counter makes the fd readable until someone reads it, so a signal sent before
 * the worker starts waiting still stops it.
 */
import { libc } from "./libc.js";
import { EFD_CLOEXEC, EFD_NONBLOCK } from "./linux.js";

/** A non-blocking eventfd, used to wake a thread blocked in poll(). */
export function createEventFd(): number {
  const c = libc();
  const fd = c.eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (fd < 0) throw c.failure("eventfd");
  return fd;
}

const EVENTFD_ONE = new BigUint64Array([1n]);
const EVENTFD_ONE_BYTES = new Uint8Array(EVENTFD_ONE.buffer);

/** Add 1 to an eventfd counter (cheap and safe enough for a process 'exit' hook). */
export function signalEventFd(fd: number): void {
  libc().write(fd, EVENTFD_ONE_BYTES, 8);
}

/** close(), ignoring errors: used on teardown paths where nothing useful can be done. */
export function closeFd(fd: number): void {
  libc().close(fd);
}
