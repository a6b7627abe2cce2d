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
  TLOOK,
  TNODATA,
  TNOTSUPPORT,
} from "../constants.js";
import { callSemantics, type SemanticsProfile } from "../profile.js";
import type { ProviderInfo } from "../spi/contract.js";
import type { IntRef, t_iovec } from "../structs.js";
import { checkIovcount, dataBuffer, flagsRef, gather, integer, iovecViews, ReceiveBuffers, scatter } from "./args.js";
import { requireConnectionMode, requireState } from "./common.js";
import { type CoreEndpoint, endpointOf } from "./endpoint.js";
import { fail } from "./failure.js";
import type { DataPiece } from "./rcvqueue.js";

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

/** Pass `data` down in TIDU pieces; returns the bytes taken (see the module comment). */
async function transmit(ep: CoreEndpoint, profile: SemanticsProfile, info: ProviderInfo, data: Uint8Array, flags: number): Promise<number> {
  const expedited = (flags & T_EXPEDITED) !== 0;
  const band = expedited ? "expedited" : "normal";
  const stream = !expedited && info.tsdu === 0;
  const more = !stream && (flags & T_MORE) !== 0;
  const tidu = info.tidu > 0 ? info.tidu : Math.max(data.length, 1);
  let sent = 0;
  do {
    const end = Math.min(data.length, sent + tidu);
    const piece = data.subarray(sent, end);
    const pieceMore = stream ? false : end < data.length || more;
    const taken = expedited ? ep.pep.exdata(piece, pieceMore) : ep.pep.data(piece, pieceMore);
    if (taken) {
      sent = end;
      continue;
    }
    if (ep.nonblock && sent > 0) {
      ep.flowControlled(band);
      break; // a partial count: the unit stays open
    }
    await ep.waitForFlow(band, "the provider cannot take data now");
    requireState(ep, "t_snd", profile); // another flow may have ended the connection meanwhile
    if (profile.sndLookOnDiscon && ep.rq.hasDiscon()) {
      if (sent > 0) break;
      fail(TLOOK, 0, "a disconnect arrived");
    }
  } while (sent < data.length);
  // A protocol error the provider raised while taking the data (TLI out-of-state sends) is
  // reported now rather than only on the next call.
  ep.checkUsable();
  ep.openUnit[band] = stream || (!more && sent === data.length) ? -1 : Math.max(ep.openUnit[band], 0) + sent;
  ep.goEvents &= ~(expedited ? T_GOEXDATA : T_GODATA);
  return sent;
}

export async function t_snd(fd: unknown, buf: Uint8Array, nbytes: number, flags: number): Promise<number> {
  const ep = endpointOf(fd);
  ep.checkUsable();
  requireConnectionMode(ep, "t_snd");
  const f = integer(flags, "flags");
  const data = dataBuffer(buf, nbytes, "t_snd");
  return ep.serializeSend(() => transmit(ep, ep.profile, checkSend(ep, ep.profile, f, data.length), data, f));
}

export async function t_sndv(fd: unknown, iov: readonly t_iovec[], iovcount: number, flags: number): Promise<number> {
  const ep = endpointOf(fd);
  ep.checkUsable();
  requireConnectionMode(ep, "t_sndv");
  const n = checkIovcount(iovcount, "t_sndv");
  const f = integer(flags, "flags");
  const data = gather(iovecViews(iov, n, "t_sndv"));
  const profile = callSemantics(ep.profile, "t_sndv");
  return ep.serializeSend(() => transmit(ep, profile, checkSend(ep, profile, f, data.length), data, f));
}

/**
 * Read consecutive pieces of one unit from `next()` into `views`. Returns the byte count and
 * whether the unit continues; removes fully read pieces with `drop()`.
 */
function readUnit(views: Uint8Array[], capacity: number, next: () => DataPiece | undefined, drop: () => void, stream: boolean): { n: number; more: boolean } {
  let n = 0;
  for (;;) {
    const p = next();
    if (p === undefined) return { n, more: !stream };
    const take = Math.min(p.buf.length - p.off, capacity - n);
    if (take > 0) scatter(views, n, p.buf.subarray(p.off, p.off + take));
    p.off += take;
    n += take;
    if (p.off < p.buf.length) return { n, more: !stream };
    drop();
    if (!p.more && !stream) return { n, more: false };
    if (n >= capacity) return { n, more: !stream && p.more };
  }
}

/** One attempt to receive: the count, or null when nothing is readable (and no event blocks it). */
function tryReceive(ep: CoreEndpoint, views: Uint8Array[], flags: IntRef): number | null {
  let capacity = 0;
  for (const v of views) capacity += v.length;
  const info = ep.info();

  if (ep.rq.expeditedHead() !== undefined) {
    const r = readUnit(views, capacity, () => ep.rq.expeditedHead(), () => ep.rq.shiftExpedited(), false);
    ep.released({ normal: 0, expedited: r.n });
    flags.value = T_EXPEDITED | (r.more ? T_MORE : 0);
    return r.n;
  }
  const head = ep.rq.head();
  if (head === undefined) return null;
  if (head.kind === "data" || head.kind === "exdata") {
    const kind = head.kind;
    const stream = kind === "data" && info.tsdu === 0;
    const next = (): DataPiece | undefined => {
      const h = ep.rq.head();
      return h !== undefined && h.kind === kind ? h : undefined;
    };
    const r = readUnit(views, capacity, next, () => ep.rq.shift(), stream);
    const expedited = kind === "exdata";
    ep.released({ normal: expedited ? 0 : r.n, expedited: expedited ? r.n : 0 });
    flags.value = (expedited ? T_EXPEDITED : 0) | (r.more ? T_MORE : 0);
    return r.n;
  }
  // An orderly release, a disconnect or another indication is next: the caller must look.
  fail(TLOOK, 0, "an event is pending");
}

async function receive(ep: CoreEndpoint, profile: SemanticsProfile, views: Uint8Array[], flags: IntRef): Promise<number> {
  const buffers = new ReceiveBuffers(views);
  for (;;) {
    ep.checkUsable();
    requireState(ep, "t_rcv", profile); // and again after a wait: another flow may have ended the connection
    const n = tryReceive(ep, buffers.check("t_rcv"), flags);
    if (n !== null) return n;
    if (ep.rq.hasDiscon()) fail(TLOOK, 0, "a disconnect is pending");
    if (ep.nonblock) fail(TNODATA, 0, "no data is available");
    await ep.changed();
  }
}

export async function t_rcv(fd: unknown, buf: Uint8Array, nbytes: number, flags: IntRef): Promise<number> {
  const ep = endpointOf(fd);
  ep.checkUsable();
  requireConnectionMode(ep, "t_rcv");
  const out = flagsRef(flags, "t_rcv");
  const view = dataBuffer(buf, nbytes, "t_rcv");
  return receive(ep, ep.profile, [view], out); // the state is checked there, first thing
}

export async function t_rcvv(fd: unknown, iov: t_iovec[], iovcount: number, flags: IntRef): Promise<number> {
  const ep = endpointOf(fd);
  ep.checkUsable();
  requireConnectionMode(ep, "t_rcvv");
  const n = checkIovcount(iovcount, "t_rcvv");
  const out = flagsRef(flags, "t_rcvv");
  const views = iovecViews(iov, n, "t_rcvv");
  return receive(ep, callSemantics(ep.profile, "t_rcvv"), views, out); // the state is checked there, first thing
}

