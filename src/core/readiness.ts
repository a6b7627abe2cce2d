/**
 * What poll reports for one endpoint, as a STREAMS stream head reports it for a TLI descriptor:
 * queued indications are readable (band 0), queued expedited data is priority-band readable,
 * the write side is writable unless the provider refused a request and has not said writable()
 * since; a disconnect of the endpoint's own connection is a hangup, a fatal provider error
 * (M_ERROR) an error.
 */
import { T_INVALID } from "../constants.js";
import type { CoreEndpoint } from "./endpoint.js";

// poll(2) event bits, with the Linux values.
export const POLLIN = 0x001;
export const POLLPRI = 0x002;
export const POLLOUT = 0x004;
export const POLLERR = 0x008;
export const POLLHUP = 0x010;
export const POLLNVAL = 0x020;
export const POLLRDNORM = 0x040;
export const POLLRDBAND = 0x080;
export const POLLWRNORM = 0x100;
export const POLLWRBAND = 0x200;

/** Every condition that holds for `ep` now (poll masks it with the events asked for). */
export function readiness(ep: CoreEndpoint): number {
  if (ep.fatalErrno !== 0) return POLLERR;
  let r = 0;
  if (ep.rq.hasExpedited()) r |= POLLRDBAND | POLLPRI;
  if (ep.rq.head() !== undefined) r |= POLLIN | POLLRDNORM;
  // A disconnect of a listener's indication (sequence >= 0) is an event, not a hangup.
  if (ep.rq.findDiscon((d) => d.sequence < 0) !== undefined) return r | POLLHUP; // POLLHUP and POLLOUT exclude each other
  if (!ep.writeBlocked.normal) r |= POLLOUT | POLLWRNORM;
  if (!ep.writeBlocked.expedited && ep.info().etsdu !== T_INVALID) r |= POLLWRBAND;
  return r;
}
