/**
 * Connection-mode data transfer: t_snd, t_sndv, t_rcv, t_rcvv, with TSDU/ETSDU framing.
 *
 * Sending cuts a unit into TIDU-sized pieces, each passed down with MORE set except the last,
 * whose MORE is the caller's T_MORE (libnsl does the same). When flow control refuses a piece a
 * non-blocking call returns what was taken; those pieces carried MORE, so the unit stays open
 * (the implicit T_MORE of a partial send) and the rest must follow.
 *
 * Receiving returns pieces of one unit at a time: expedited data first (it overtakes normal
 * data, also in the middle of a TSDU), T_MORE whenever the unit continues (buffer too small, or
 * not all of it has arrived), and 0 with T_MORE clear for the end of a zero-length unit.
 *
 * Each call returns its count at once when it can complete now, and a Promise only when it has
 * to wait (flow control, no data yet, or another send holding the endpoint): the common case
 * allocates nothing beyond what the provider keeps.
 */
import {
  T_EXPEDITED,
  T_GODATA,
  T_GOEXDATA,
  T_INVALID,
  T_MORE,
  T_PUSH,
  TBADDATA,
  TBADFLAG,
  TFLOW,
  TLOOK,
  TNODATA,
  TNOTSUPPORT,
} from "../constants.js";
import { callSemantics, type SemanticsProfile } from "../profile.js";
import type { ProviderInfo } from "../spi/contract.js";
import type { IntRef } from "../structs.js";
import { checkIovcount, dataBuffer, flagsRef, gather, integer, iovecViews, ReceiveBuffers, scatter } from "./args.js";
import { requireConnectionMode, requireState, stateAllows } from "./common.js";
import type { CoreEndpoint } from "./endpoint.js";
import { fail } from "./failure.js";
import type { DataPiece } from "./rcvqueue.js";
import type { Count } from "./report.js";


/**
 * The checks t_snd and t_sndv share after their own argument checks (libnsl's order), made once
 * the call holds the endpoint. Returns the provider's t_info for the send.
 */
function checkSend(ep: CoreEndpoint, profile: SemanticsProfile, flags: number, nbytes: number): ProviderInfo {
  ep.checkUsable();
  requireState(ep, "t_snd", profile);
  const valid = T_MORE | T_EXPEDITED | (profile.pushFlag ? T_PUSH : 0);
  if (profile.checkFlags && (flags & ~valid) !== 0) fail(TBADFLAG, 0, `invalid flags 0x${flags.toString(16)}`);
  const info = ep.info();
  const expedited = (flags & T_EXPEDITED) !== 0;
  if (expedited && info.etsdu === T_INVALID) fail(TNOTSUPPORT, 0, "the provider has no expedited data service");
  const limit = expedited ? info.etsdu : info.tsdu;
  const open = expedited ? ep.openUnit.expedited : ep.openUnit.normal;
  if (limit > 0 && Math.max(open, 0) + nbytes > limit) {
    const o = profile.oversize;
    fail(o.t_errno, o.errno, `a ${expedited ? "ETSDU" : "TSDU"} of more than ${limit} bytes`);
  }
  if (profile.sndLookOnDiscon && ep.rq.hasDiscon()) fail(TLOOK, 0, "a disconnect is pending");
  // XNS4's TLOOK for a pending release is t_snd's alone: t_sndv has XNS5 semantics.
  if (profile.sndLookOnOrdrel && ep.rq.find("ordrel") !== undefined) fail(TLOOK, 0, "an orderly release is pending");
  if (nbytes === 0 && ((flags & T_MORE) !== 0 || !info.sendZero)) {
    fail(TBADDATA, 0, (flags & T_MORE) !== 0 ? "a zero-length piece may only end a unit" : "the provider does not support zero-length units");
  }
  return info;
}

/** What passDown returns when every piece was taken. */
const ALL_TAKEN = -1;

/**
 * Pass `data` down in TIDU pieces from byte `sent`: ALL_TAKEN when every piece was taken, else
 * the bytes taken before the provider refused a piece (flow control). A zero-length unit is one
 * empty piece. `stream`: a byte stream (tsdu 0), no MORE; `more`: the caller's T_MORE.
 */
function passDown(ep: CoreEndpoint, data: Uint8Array, sent: number, expedited: boolean, stream: boolean, more: boolean, tidu: number): number {
  do {
    const end = Math.min(data.length, sent + tidu);
    const piece = sent === 0 && end === data.length ? data : data.subarray(sent, end);
    const pieceMore = !stream && (end < data.length || more);
    if (!(expedited ? ep.pep.exdata(piece, pieceMore) : ep.pep.data(piece, pieceMore))) return sent;
    sent = end;
  } while (sent < data.length);
  return ALL_TAKEN;
}

/** The send is over with `sent` of `length` bytes taken: close the unit or keep it open, clear T_GODATA. */
function finishSend(ep: CoreEndpoint, expedited: boolean, stream: boolean, more: boolean, sent: number, length: number): number {
  // A protocol error the provider raised while taking the data (TLI out-of-state sends) is
  // reported now rather than only on the next call.
  ep.checkUsable();
  const closes = stream || (!more && sent === length);
  // The bands written out rather than indexed by name: this runs once per send.
  const open = ep.openUnit;
  if (expedited) open.expedited = closes ? -1 : Math.max(open.expedited, 0) + sent;
  else open.normal = closes ? -1 : Math.max(open.normal, 0) + sent;
  ep.goEvents &= ~(expedited ? T_GOEXDATA : T_GODATA);
  return sent;
}

/**
 * Pass `data` down in TIDU pieces; the bytes taken, now, or once flow control let them through
 * (blocking mode, holding the endpoint meanwhile). A non-blocking send refused midway returns
 * the bytes taken (the unit stays open), or fails TFLOW when it took nothing.
 */
function transmit(ep: CoreEndpoint, profile: SemanticsProfile, info: ProviderInfo, data: Uint8Array, flags: number): Count {
  const expedited = (flags & T_EXPEDITED) !== 0;
  const stream = !expedited && info.tsdu === 0;
  const more = !stream && (flags & T_MORE) !== 0;
  const tidu = info.tidu > 0 ? info.tidu : Math.max(data.length, 1);
  const sent = passDown(ep, data, 0, expedited, stream, more, tidu);
  if (sent === ALL_TAKEN) return finishSend(ep, expedited, stream, more, data.length, data.length);
  const band = expedited ? "expedited" : "normal";
  if (ep.nonblock && sent > 0) {
    ep.flowControlled(band);
    return finishSend(ep, expedited, stream, more, sent, data.length);
  }
  if (ep.nonblock) {
    ep.flowControlled(band);
    fail(TFLOW, 0, "flow control: the provider cannot take data now");
  }
  return transmitAfterWaits(ep, profile, data, sent, expedited, stream, more, tidu, ep.takeSend());
}

/** A blocking send goes on: wait until flow control lifts, then pass the rest down, again and again. */
async function transmitAfterWaits(
  ep: CoreEndpoint,
  profile: SemanticsProfile,
  data: Uint8Array,
  sent: number,
  expedited: boolean,
  stream: boolean,
  more: boolean,
  tidu: number,
  /** This call took the endpoint (takeSend) and releases it when done. */
  took: boolean,
): Promise<number> {
  const band = expedited ? "expedited" : "normal";
  try {
    for (;;) {
      await ep.waitForFlow(band, "the provider cannot take data now");
      ep.checkUsable();
      requireState(ep, "t_snd", profile); // another flow may have ended the connection meanwhile
      if (profile.sndLookOnDiscon && ep.rq.hasDiscon()) {
        if (sent > 0) break;
        fail(TLOOK, 0, "a disconnect arrived");
      }
      const now = passDown(ep, data, sent, expedited, stream, more, tidu);
      if (now === ALL_TAKEN) return finishSend(ep, expedited, stream, more, data.length, data.length);
      sent = now;
      if (ep.nonblock && sent > 0) {
        ep.flowControlled(band); // switched to O_NONBLOCK meanwhile: a partial count
        break;
      }
    }
    return finishSend(ep, expedited, stream, more, sent, data.length);
  } finally {
    if (took) ep.releaseSend();
  }
}

/**
 * Run a send now when nothing holds the endpoint; else behind the send that holds it, and once a
 * state change in flight (t_snddis, say) has happened, so that its checks see the new state.
 */
function send(ep: CoreEndpoint, profile: SemanticsProfile, data: Uint8Array, flags: number): Count {
  if (ep.sendHeld || ep.stateChanging) return ep.serializeSend(() => sendWhenSettled(ep, profile, data, flags));
  return transmit(ep, profile, checkSend(ep, profile, flags, data.length), data, flags);
}

async function sendWhenSettled(ep: CoreEndpoint, profile: SemanticsProfile, data: Uint8Array, flags: number): Promise<number> {
  await ep.settled();
  return transmit(ep, profile, checkSend(ep, profile, flags, data.length), data, flags);
}

export function t_snd(ep: CoreEndpoint, buf: unknown, nbytes: unknown, flags: unknown): Count {
  ep.checkUsable();
  requireConnectionMode(ep, "t_snd");
  const f = integer(flags, "flags");
  const data = dataBuffer(buf, nbytes, "t_snd");
  return send(ep, ep.profile, data, f);
}

export function t_sndv(ep: CoreEndpoint, iov: unknown, iovcount: unknown, flags: unknown): Count {
  ep.checkUsable();
  requireConnectionMode(ep, "t_sndv");
  const n = checkIovcount(iovcount, "t_sndv");
  const f = integer(flags, "flags");
  const data = gather(iovecViews(iov, n, "t_sndv"));
  return send(ep, callSemantics(ep.profile, "t_sndv"), data, f);
}

/**
 * Where a receive puts the bytes it takes: copied into the caller's buffers (`views`, t_rcv and
 * t_rcvv), or the queued pieces themselves, which the library owns, appended to the list of their
 * band (`parts`, the idiomatic rcvUnit: no copy for a unit that arrived in one piece).
 */
interface Target {
  readonly views: readonly Uint8Array[] | null;
  readonly parts: UnitParts | null;
  /** How many bytes one call may take. */
  readonly capacity: number;
}

/** The pieces of the unit being read, per band, until it is complete (Endpoint.rcvUnit). */
export interface UnitParts {
  readonly normal: Uint8Array[];
  readonly expedited: Uint8Array[];
}

/**
 * Read consecutive pieces of one unit into `target` (expedited band 1, or the head of the main
 * queue while it holds pieces of `kind`); remove the pieces read to their end. Sets `flags` to
 * the unit's T_EXPEDITED and T_MORE; returns the byte count.
 */
function readUnit(ep: CoreEndpoint, target: Target, band1: boolean, kind: DataPiece["kind"], stream: boolean, flags: IntRef): number {
  const { views, capacity } = target;
  const parts = target.parts === null ? null : kind === "exdata" ? target.parts.expedited : target.parts.normal;
  const rq = ep.rq;
  let n = 0;
  let more = !stream;
  for (;;) {
    const h = band1 ? rq.expeditedHead() : rq.head();
    if (h === undefined || h.kind !== kind) break; // the rest of the unit has not arrived
    const p = h;
    const take = Math.min(p.buf.length - p.off, capacity - n);
    if (take > 0) {
      const whole = p.off === 0 && take === p.buf.length;
      const bytes = whole ? p.buf : p.buf.subarray(p.off, p.off + take);
      // A part of a piece goes to rcvUnit as a copy: a view would share its buffer with the rest
      // of the piece, still queued, which transferring the unit's buffer would empty.
      if (parts !== null) parts.push(whole ? bytes : new Uint8Array(bytes));
      else if (views !== null) scatter(views, n, bytes);
    }
    p.off += take;
    n += take;
    if (p.off < p.buf.length) break; // the buffer is full
    if (band1) rq.shiftExpedited();
    else rq.shift();
    if (!p.more && !stream) {
      more = false;
      break;
    }
    if (n >= capacity) {
      more = !stream && p.more;
      break;
    }
  }
  flags.value = (kind === "exdata" ? T_EXPEDITED : 0) | (more ? T_MORE : 0);
  ep.consumed(n, kind === "exdata");
  return n;
}

/** One attempt to receive: the count, or null when nothing is readable (and no event blocks it). */
function tryReceive(ep: CoreEndpoint, target: Target, flags: IntRef): number | null {
  if (ep.rq.expeditedHead() !== undefined) return readUnit(ep, target, true, "exdata", false, flags);
  const head = ep.rq.head();
  if (head === undefined) return null;
  if (head.kind === "data") return readUnit(ep, target, false, "data", ep.info().tsdu === 0, flags);
  if (head.kind === "exdata") return readUnit(ep, target, false, "exdata", false, flags);
  // An orderly release, a disconnect or another indication is next: the caller must look.
  fail(TLOOK, 0, "an event is pending");
}

/** Receive now if anything is readable; else fail (an event, O_NONBLOCK) or wait. */
function receive(ep: CoreEndpoint, profile: SemanticsProfile, target: Target, flags: IntRef, call: "t_rcv" | "t_rcvv"): Count {
  ep.checkUsable();
  requireState(ep, "t_rcv", profile);
  const n = tryReceive(ep, target, flags);
  if (n !== null) return n;
  if (ep.rq.hasDiscon()) fail(TLOOK, 0, "a disconnect is pending");
  if (ep.nonblock) fail(TNODATA, 0, "no data is available");
  const views = target.views === null ? null : new ReceiveBuffers(target.views.slice());
  return receiveAfterWaits(ep, profile, views, target.parts, target.capacity, flags, call);
}

async function receiveAfterWaits(
  ep: CoreEndpoint,
  profile: SemanticsProfile,
  buffers: ReceiveBuffers | null,
  parts: UnitParts | null,
  capacity: number,
  flags: IntRef,
  call: "t_rcv" | "t_rcvv",
): Promise<number> {
  for (;;) {
    await ep.changed();
    ep.checkUsable();
    requireState(ep, "t_rcv", profile); // another flow may have ended the connection meanwhile
    // A buffer freed or shrunk while the call waited is a bad pointer (ReceiveBuffers).
    const views = buffers === null ? null : buffers.check(call);
    // A blocked t_rcv is usually woken by one whole unit, or stream data: its common case, as at once.
    const whole = views !== null && views.length === 1 ? receiveAtHead(ep, views[0] as Uint8Array, flags) : -1;
    if (whole >= 0) return whole;
    const n = tryReceive(ep, { views, parts, capacity }, flags);
    if (n !== null) return n;
    if (ep.rq.hasDiscon()) fail(TLOOK, 0, "a disconnect is pending");
    if (ep.nonblock) fail(TNODATA, 0, "no data is available");
  }
}

/**
 * The common case of t_rcv and Endpoint.rcvUnit, read without the general loop: no expedited
 * data, and the head of the queue is a whole TSDU (one piece, nothing read of it yet) of at most
 * `room` bytes. Returns it, or undefined when the case does not apply (or the state check fails:
 * receive() then reports it). The caller takes it with takeWholeUnit.
 */
function wholeUnitAtHead(ep: CoreEndpoint, room: number): DataPiece | undefined {
  const h = normalDataAtHead(ep);
  if (h === undefined || h.more || h.off !== 0 || h.buf.length > room) return undefined;
  if (ep.info().tsdu === 0) return undefined; // a byte stream combines consecutive pieces
  return h;
}

/**
 * What both fast paths start from: t_rcv allowed in this state, no expedited data in band 1, and
 * normal data at the head of the queue (that piece), else undefined.
 */
function normalDataAtHead(ep: CoreEndpoint): DataPiece | undefined {
  if (!stateAllows(ep, "t_rcv")) return undefined;
  const rq = ep.rq;
  const h = rq.head();
  return h === undefined || h.kind !== "data" || rq.expeditedHead() !== undefined ? undefined : h;
}

/** Remove the unit wholeUnitAtHead found, as readUnit would (flags: T_MORE and T_EXPEDITED clear). */
function takeWholeUnit(ep: CoreEndpoint, h: DataPiece, flags: IntRef): void {
  h.off = h.buf.length;
  ep.rq.shift();
  flags.value = 0;
  ep.consumed(h.buf.length, false);
}

/** t_rcv's common case (wholeUnitAtHead): the unit's length, or -1 when the case does not apply. */
function receiveWholeUnit(ep: CoreEndpoint, view: Uint8Array, flags: IntRef): number {
  const h = wholeUnitAtHead(ep, view.length);
  if (h === undefined) return -1;
  if (h.buf.length > 0) view.set(h.buf);
  takeWholeUnit(ep, h, flags);
  return h.buf.length;
}

/**
 * t_rcv's common case on a byte stream (tsdu 0), without the general loop: no expedited data in
 * band 1 and normal data at the head. Copies consecutive normal pieces straight into `view` (a
 * byte stream ignores piece boundaries and T_MORE, so T_MORE is never set), stopping at the first
 * indication that is not normal data (in-line expedited data, a release, a disconnect) so that it
 * keeps its place, as readUnit does. Returns the count, or -1 when the case does not apply (or
 * the state check fails: receive() then reports it).
 */
function receiveStream(ep: CoreEndpoint, view: Uint8Array, flags: IntRef): number {
  let h = normalDataAtHead(ep);
  if (h === undefined) return -1;
  const rq = ep.rq;
  const room = view.length;
  let n = 0;
  for (;;) {
    const left = h.buf.length - h.off;
    const take = Math.min(left, room - n);
    if (take > 0) view.set(take === h.buf.length ? h.buf : h.buf.subarray(h.off, h.off + take), n);
    n += take;
    if (take < left) {
      h.off += take; // the buffer is full: the rest of this piece stays at the head
      break;
    }
    h.off = h.buf.length;
    rq.shift();
    if (n >= room) break;
    const next = rq.head();
    if (next === undefined || next.kind !== "data") break;
    h = next;
  }
  flags.value = 0;
  ep.consumed(n, false);
  return n;
}

/** t_rcv's fast paths into one buffer: the count, or -1 when neither applies. */
function receiveAtHead(ep: CoreEndpoint, view: Uint8Array, flags: IntRef): number {
  return ep.info().tsdu === 0 ? receiveStream(ep, view, flags) : receiveWholeUnit(ep, view, flags);
}

/** The target of t_rcv, reused: a target is read only during the synchronous attempt. */
const oneView: { views: Uint8Array[]; parts: null; capacity: number } = { views: [new Uint8Array(0)], parts: null, capacity: 0 };
const NO_VIEW = new Uint8Array(0);

export function t_rcv(ep: CoreEndpoint, buf: unknown, nbytes: unknown, flags: unknown): Count {
  ep.checkUsable();
  requireConnectionMode(ep, "t_rcv");
  const out = flagsRef(flags, "t_rcv");
  const view = dataBuffer(buf, nbytes, "t_rcv");
  const whole = receiveAtHead(ep, view, out);
  if (whole >= 0) return whole;
  oneView.views[0] = view;
  oneView.capacity = view.length;
  try {
    return receive(ep, ep.profile, oneView, out, "t_rcv"); // the state is checked there, first thing
  } finally {
    oneView.views[0] = NO_VIEW; // keep no caller buffer alive
  }
}

export function t_rcvv(ep: CoreEndpoint, iov: unknown, iovcount: unknown, flags: unknown): Count {
  ep.checkUsable();
  requireConnectionMode(ep, "t_rcvv");
  const n = checkIovcount(iovcount, "t_rcvv");
  const out = flagsRef(flags, "t_rcvv");
  const views = iovecViews(iov, n, "t_rcvv");
  let capacity = 0;
  for (const v of views) capacity += v.length;
  return receive(ep, callSemantics(ep.profile, "t_rcvv"), { views, parts: null, capacity }, out, "t_rcvv"); // the state is checked there, first thing
}

/**
 * The next piece of a unit, up to `max` bytes, as the queued pieces themselves (no copy): they
 * are appended to `parts` (per band); `flags` says T_MORE and T_EXPEDITED as t_rcv would, and
 * the count is returned. Endpoint.rcvUnit completes a unit with it.
 */
export function receiveParts(ep: CoreEndpoint, max: number, parts: UnitParts, flags: IntRef): Count {
  ep.checkUsable();
  requireConnectionMode(ep, "t_rcv");
  if (parts.normal.length === 0) {
    const h = wholeUnitAtHead(ep, max);
    if (h !== undefined) {
      parts.normal.push(h.buf); // the library's own buffer: the unit itself, as readUnit would give it
      takeWholeUnit(ep, h, flags);
      return h.buf.length;
    }
  }
  return receive(ep, ep.profile, { views: null, parts, capacity: max }, flags, "t_rcv");
}
