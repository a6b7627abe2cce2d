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
/** poll: an indication is queued (data or an event t_look would report). */
export const POLLIN = 0x001;
/** poll: expedited data is queued. */
export const POLLPRI = 0x002;
/** poll: a send would not be flow controlled. */
export const POLLOUT = 0x004;
/** poll: the provider reported a fatal error (always reported). */
export const POLLERR = 0x008;
/** poll: the connection was disconnected (always reported). */
export const POLLHUP = 0x010;
/** poll: the descriptor is not open (always reported). */
export const POLLNVAL = 0x020;
/** poll: as POLLIN. */
export const POLLRDNORM = 0x040;
/** poll: as POLLPRI (expedited data is band 1 of the stream). */
export const POLLRDBAND = 0x080;
/** poll: as POLLOUT. */
export const POLLWRNORM = 0x100;
/** poll: expedited data could be sent without flow control (providers with expedited data). */
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
