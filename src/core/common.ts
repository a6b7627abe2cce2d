/**
 * Small rules shared by every call: state checks against the state table, state transitions,
 * copying results into caller netbufs (TBUFOVFLW, maxlen 0), and data-size limits.
 */
import { T_CLTS, T_COTS_ORD, T_IDLE, T_INFINITE, T_INVALID, T_UNBND, TBADDATA, TNOTSUPPORT, TOUTSTATE } from "../constants.js";
import type { SemanticsProfile } from "../profile.js";
import type { netbuf } from "../structs.js";
import { CALL_STATES, nextState, type StateCheckedCall, type XtiEventName } from "../statetable.js";
import type { CoreEndpoint } from "./endpoint.js";
import { fail } from "./failure.js";

/**
 * TOUTSTATE unless the call is allowed in the current state (XTI checks; TLI leaves it to the
 * provider). `profile` is the call's semantics when it is not the endpoint's (profile.ts, XNS5_ONLY_CALLS).
 */
/** Whether `call` may be made in the endpoint's state (always, under a dialect that does not check). */
export function stateAllows(ep: CoreEndpoint, call: StateCheckedCall, profile: SemanticsProfile = ep.profile): boolean {
  return !profile.checkState || ((CALL_STATES[call] >>> ep.state) & 1) !== 0;
}

export function requireState(ep: CoreEndpoint, call: StateCheckedCall, profile: SemanticsProfile = ep.profile): void {
  if (!stateAllows(ep, call, profile)) fail(TOUTSTATE, 0, `${call} is not allowed in state ${ep.state}`);
}

/** Apply a table event; an event the table does not allow here (TLI, unchecked) leaves the state. */
export function transition(ep: CoreEndpoint, event: XtiEventName): void {
  const next = nextState(event, ep.state);
  if (next === null || next === ep.state) return;
  ep.state = next;
  // However a connection ends (disconnect, release, unbind), its send-side state goes with it.
  if (next === T_IDLE || next === T_UNBND) ep.endConnection();
  // A provider may change its t_info after a bind or a connection (a negotiated TSDU size): the
  // endpoint reads it again at its next use.
  ep.infoChanged();
  ep.wake(); // calls waiting on this endpoint re-check their state
}

/** A connection indication is no longer outstanding: the listener leaves T_INCON with the last one. */
export function retireIndication(ep: CoreEndpoint, sequence: number, stillMore: XtiEventName, last: XtiEventName): void {
  const before = ep.ocnt;
  ep.outstanding.delete(sequence);
  ep.qfullNotified = false;
  transition(ep, before > 1 ? stillMore : last);
}

export function requireConnectionMode(ep: CoreEndpoint, call: string): void {
  if (ep.info().servtype === T_CLTS) fail(TNOTSUPPORT, 0, `${call} is not supported on a connectionless endpoint`);
}

export function requireConnectionless(ep: CoreEndpoint, call: string): void {
  if (ep.info().servtype !== T_CLTS) fail(TNOTSUPPORT, 0, `${call} is only supported on a connectionless endpoint`);
}

export function requireOrderlyRelease(ep: CoreEndpoint, call: string): void {
  if (ep.info().servtype !== T_COTS_ORD) fail(TNOTSUPPORT, 0, `${call} needs a T_COTS_ORD provider`);
}

/**
 * Copy `data` into a caller netbuf. Returns true when it does not fit (the caller then fails
 * TBUFOVFLW after doing what the call does anyway). A null netbuf, or (XTI) maxlen 0, means the
 * caller does not want this field.
 */
export function copyOut(profile: SemanticsProfile, nb: netbuf | null | undefined, data: Uint8Array): boolean {
  if (nb === null || nb === undefined) return false;
  if (nb.maxlen === 0 && profile.maxlenZeroSkips) return false;
  if (data.length > nb.maxlen) return true;
  nb.buf.set(data);
  nb.len = data.length;
  return false;
}

/** Clear a returned netbuf (continuation pieces of a datagram carry no address or options). */
export function setEmpty(nb: netbuf | null | undefined): void {
  if (nb !== null && nb !== undefined) nb.len = 0;
}

/**
 * TBADDATA for user data a connect/accept/disconnect cannot carry: `limit` is the provider's
 * connect or discon size (T_INVALID = none allowed, T_INFINITE = unlimited).
 */
export function checkUserData(length: number, limit: number, what: string): void {
  if (length === 0) return;
  if (limit === T_INVALID || (limit !== T_INFINITE && limit >= 0 && length > limit)) {
    fail(TBADDATA, 0, `${length} bytes of ${what} data exceed the provider limit ${limit}`);
  }
}

/**
 * A copy of bytes the caller still owns, for keeping after the call returns. Not `slice()`: on a
 * Node Buffer that is a view of the caller's memory, not a copy.
 */
export function copyBytes(b: Uint8Array): Uint8Array {
  return new Uint8Array(b);
}
