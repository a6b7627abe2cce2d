/**
 * poll(2) over transport endpoints: wait until one of several descriptors can be read, written
 * or has an event, without a busy loop on t_look. `fds` holds struct pollfd {fd, events,
 * revents}; the result is the number of entries whose `revents` is not 0, or -1 with `errno`
 * (EFAULT, EINVAL), as in C. The call returns a Promise and waits on the endpoints' own change
 * notification, telling their providers that a caller is blocked, as a blocking t_rcv does.
 *
 * What each bit means for a transport endpoint:
 * - POLLIN | POLLRDNORM: an indication is queued: data, a connect indication or confirmation,
 *   an orderly release, a disconnect, a datagram or a unit data error (t_look would report it).
 * - POLLRDBAND | POLLPRI: expedited data is queued.
 * - POLLOUT | POLLWRNORM: a send would not be flow controlled (no TFLOW / no wait). This says
 *   nothing about the state: in T_IDLE a t_snd still fails TOUTSTATE, as on a STREAMS stream.
 * - POLLWRBAND: the same for expedited data (providers with an expedited service).
 * - POLLHUP: the endpoint's connection was disconnected (t_rcvdis will take the indication).
 * - POLLERR: the provider reported a fatal error; every call fails TSYSERR.
 * - POLLNVAL: `fd` is not an open transport endpoint.
 * POLLHUP, POLLERR and POLLNVAL are reported whether asked for or not; an entry with a negative
 * `fd` is ignored (revents 0).
 *
 * @module
 */
import { endpointOf, type CoreEndpoint } from "./core/endpoint.js";
import { POLLERR, POLLHUP, POLLIN, POLLNVAL, POLLOUT, POLLPRI, POLLRDBAND, POLLRDNORM, POLLWRBAND, POLLWRNORM, readiness } from "./core/readiness.js";
import { EFAULT, EINVAL } from "./errno.js";
import { setErrno } from "./errstate.js";
import { isInstance } from "./show.js";

export { POLLERR, POLLHUP, POLLIN, POLLNVAL, POLLOUT, POLLPRI, POLLRDBAND, POLLRDNORM, POLLWRBAND, POLLWRNORM };

/** struct pollfd. */
export interface pollfd {
  /** The descriptor to watch (negative: ignored). */
  fd: number;
  /** The conditions wanted (POLLIN, POLLOUT, ...). */
  events: number;
  /** Set by poll: the conditions that hold. */
  revents: number;
}

/** The largest nfds poll accepts (Linux's default nr_open); beyond it, EINVAL as in Linux. */
const MAX_NFDS = 1048576;
/** setTimeout's largest delay; longer timeouts wait in several steps. */
const MAX_TIMER = 0x7fffffff;
/** Always reported, asked for or not. */
const ALWAYS = POLLERR | POLLHUP | POLLNVAL;

let timersPending = 0;

/** poll timers currently armed (leak checks: back to 0 once every poll has returned). */
export function pollTimersPending(): number {
  return timersPending;
}

class PollFault {
  constructor(readonly errno: number) {}
}

/** The fd and events of each entry, read once (a getter that throws is EFAULT, as a bad pointer). */
function readEntries(fds: unknown, nfds: number): Array<{ fd: number; events: number }> {
  if (!Array.isArray(fds) || fds.length < nfds) throw new PollFault(EFAULT);
  const out: Array<{ fd: number; events: number }> = [];
  for (let i = 0; i < nfds; i++) {
    const entry: unknown = fds[i];
    if (typeof entry !== "object" || entry === null) throw new PollFault(EFAULT);
    const { fd, events } = entry as pollfd;
    if (typeof fd !== "number" || !Number.isInteger(fd) || typeof events !== "number" || !Number.isInteger(events)) throw new PollFault(EINVAL);
    out.push({ fd, events });
  }
  return out;
}

/** The revents of one entry now, and its endpoint when it has one to wait on. */
function check(entry: { fd: number; events: number }): { revents: number; ep: CoreEndpoint | null } {
  if (entry.fd < 0) return { revents: 0, ep: null };
  let ep: CoreEndpoint;
  try {
    ep = endpointOf(entry.fd);
  } catch {
    return { revents: POLLNVAL, ep: null };
  }
  let ready: number;
  try {
    ready = readiness(ep);
  } catch {
    ready = POLLERR; // the provider failed to say what it supports: an error on this descriptor only
  }
  return { revents: ready & (entry.events | ALWAYS), ep };
}

/** Wait until any of `eps` changes or `ms` (null: no limit) pass; leaves no watch or timer behind. */
function nextChange(eps: CoreEndpoint[], ms: number | null): Promise<void> {
  return new Promise((resolve) => {
    const cancels: Array<() => void> = [];
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    const done = (): void => {
      if (settled) return;
      settled = true;
      for (const cancel of cancels) cancel();
      if (timer !== undefined) {
        clearTimeout(timer);
        timersPending--;
      }
      resolve();
    };
    for (const ep of eps) cancels.push(ep.watch(done));
    if (ms !== null) {
      timer = setTimeout(done, Math.min(ms, MAX_TIMER));
      timersPending++;
    }
  });
}

/**
 * poll(2): wait until one of the first `nfds` entries of `fds` has a condition it asks for (or
 * an error, hangup or invalid descriptor), for at most `timeout` milliseconds (0: do not wait;
 * negative: no limit). Sets each entry's `revents` and returns how many are not 0; 0 on timeout;
 * -1 with errno EFAULT (fds is not an array of nfds objects, or an entry cannot be written) or
 * EINVAL (nfds or timeout is not a valid integer, or an entry's fd or events is not one).
 */
export async function poll(fds: pollfd[], nfds: number, timeout: number): Promise<number> {
  try {
    if (typeof nfds !== "number" || !Number.isInteger(nfds) || nfds < 0 || nfds > MAX_NFDS) throw new PollFault(EINVAL);
    if (typeof timeout !== "number" || !Number.isInteger(timeout)) throw new PollFault(EINVAL);
    const entries = readEntries(fds, nfds);
    const deadline = timeout > 0 ? Date.now() + timeout : null;
    for (;;) {
      const results = entries.map(check);
      const ready = results.filter((r) => r.revents !== 0).length;
      const remaining = deadline === null ? (timeout === 0 ? 0 : null) : Math.max(0, deadline - Date.now());
      if (ready > 0 || remaining === 0) {
        results.forEach((r, i) => ((fds[i] as pollfd).revents = r.revents));
        return ready;
      }
      await nextChange(
        results.flatMap((r) => (r.ep === null ? [] : [r.ep])),
        remaining,
      );
    }
  } catch (e) {
    setErrno(isInstance(e, PollFault) ? e.errno : EFAULT);
    return -1;
  }
}
