/**
 * Connectionless data transfer: t_sndudata, t_sndvudata, t_rcvudata, t_rcvvudata, t_rcvuderr.
 * t_rcvudata returns a datagram larger than the buffer in pieces: the buffer is filled and T_MORE
 * set, and later calls return the rest with addr.len = opt.len = 0.
 */
import { T_GODATA, T_MORE, TBADDATA, TBUFOVFLW, TLOOK, TNODATA, TNOUDERR, TSYSERR } from "../constants.js";
import { EFAULT } from "../errno.js";
import { callSemantics, type SemanticsProfile } from "../profile.js";
import type { IntRef, t_iovec, t_uderr, t_unitdata } from "../structs.js";
import { checkIovcount, checkOutputNetbuf, dataBuffer, flagsRef, gather, inputNetbuf, iovecViews, ReceiveBuffers, scatter } from "./args.js";
import { copyOut, requireConnectionless, requireState, setEmpty } from "./common.js";
import type { CoreEndpoint } from "./endpoint.js";
import type { UderrInd, UnitdataInd } from "./rcvqueue.js";
import type { Count } from "./report.js";
import { fail } from "./failure.js";

function unitdataArg(ud: unknown, what: string): t_unitdata {
  if (typeof ud !== "object" || ud === null) fail(TSYSERR, EFAULT, `${what} is not a t_unitdata`);
  return ud as t_unitdata;
}


/** The checks of a datagram send once its arguments are read (the call holds the endpoint or sends at once). */
function checkDatagram(ep: CoreEndpoint, profile: SemanticsProfile, data: Uint8Array): void {
  const info = ep.info();
  const limit = info.tsdu > 0 ? info.tsdu : info.tidu;
  if (limit > 0 && data.length > limit) {
    const o = profile.oversize;
    fail(o.t_errno, o.errno, `a datagram of more than ${limit} bytes`);
  }
  if (data.length === 0 && !info.sendZero) fail(TBADDATA, 0, "the provider does not support zero-length datagrams");
}

/** One attempt to pass the datagram down: true when the provider took it. */
function offerDatagram(ep: CoreEndpoint, profile: SemanticsProfile, addr: Uint8Array, opt: Uint8Array, data: Uint8Array): boolean {
  ep.checkUsable();
  requireState(ep, "t_sndudata", profile); // a t_unbind from another flow ends the wait
  if (ep.rq.find("uderr") !== undefined) fail(TLOOK, 0, "a unit data error is pending");
  if (!ep.pep.unitdata({ addr, opt, udata: data })) return false;
  ep.checkUsable(); // a protocol error raised by the request (TLI out of state)
  ep.goEvents &= ~T_GODATA;
  return true;
}

/**
 * Send one datagram: at once when nothing holds the endpoint and the provider takes it; else
 * behind the send holding the endpoint, or after waiting for flow control (blocking mode).
 */
function sendDatagram(ep: CoreEndpoint, profile: SemanticsProfile, addr: Uint8Array, opt: Uint8Array, data: Uint8Array): Count {
  checkDatagram(ep, profile, data);
  if (ep.sendHeld || ep.stateChanging) {
    return ep.serializeSend(async () => {
      await ep.settled();
      return offerDatagram(ep, profile, addr, opt, data) ? 0 : sendDatagramAfterWaits(ep, profile, addr, opt, data, false);
    });
  }
  if (offerDatagram(ep, profile, addr, opt, data)) return 0;
  return sendDatagramAfterWaits(ep, profile, addr, opt, data, ep.takeSend());
}

/** Flow control refused the datagram: TFLOW (O_NONBLOCK), or wait and offer it again. */
async function sendDatagramAfterWaits(ep: CoreEndpoint, profile: SemanticsProfile, addr: Uint8Array, opt: Uint8Array, data: Uint8Array, took: boolean): Promise<number> {
  try {
    do await ep.waitForFlow("normal", "the datagram cannot be sent now");
    while (!offerDatagram(ep, profile, addr, opt, data));
    return 0;
  } finally {
    if (took) ep.releaseSend();
  }
}

export function t_sndudata(ep: CoreEndpoint, unitdata: t_unitdata): Count {
  ep.checkUsable();
  requireConnectionless(ep, "t_sndudata");
  const ud = unitdataArg(unitdata, "unitdata");
  const data = inputNetbuf(ud.udata, "unitdata.udata");
  requireState(ep, "t_sndudata");
  return sendDatagram(ep, ep.profile, inputNetbuf(ud.addr, "unitdata.addr"), inputNetbuf(ud.opt, "unitdata.opt"), data);
}

export function t_sndvudata(ep: CoreEndpoint, unitdata: t_unitdata, iov: t_iovec[], iovcount: number): Count {
  ep.checkUsable();
  requireConnectionless(ep, "t_sndvudata");
  const ud = unitdataArg(unitdata, "unitdata");
  const data = gather(iovecViews(iov, checkIovcount(iovcount, "t_sndvudata"), "t_sndvudata"));
  const profile = callSemantics(ep.profile, "t_sndvudata");
  requireState(ep, "t_sndudata", profile);
  return sendDatagram(ep, profile, inputNetbuf(ud.addr, "unitdata.addr"), inputNetbuf(ud.opt, "unitdata.opt"), data);
}

/** t_sndudata for the idiomatic API: `data` to `addr` with `opt`. */
export function sndudata(ep: CoreEndpoint, addr: Uint8Array, opt: Uint8Array, data: Uint8Array): Count {
  ep.checkUsable();
  requireConnectionless(ep, "t_sndudata");
  requireState(ep, "t_sndudata");
  return sendDatagram(ep, ep.profile, addr, opt, data);
}

/**
 * The datagram at the head of the queue, if one is there, after the checks every attempt makes
 * (a unit data error ahead of it fails TLOOK). A caller consumes it before it lets go of the thread.
 */
function datagramHead(ep: CoreEndpoint, profile: SemanticsProfile): UnitdataInd | null {
  ep.checkUsable();
  requireState(ep, "t_rcvudata", profile); // a t_unbind from another flow ends the wait
  const head = ep.rq.head();
  if (head !== undefined && head.kind === "uderr") fail(TLOOK, 0, "a unit data error is pending");
  return head !== undefined && head.kind === "unitdata" ? head : null;
}

/** Nothing to receive: TNODATA (O_NONBLOCK), or the next change. */
function awaitDatagram(ep: CoreEndpoint): Promise<void> {
  if (ep.nonblock) fail(TNODATA, 0, "no datagram is available");
  return ep.changed();
}

/**
 * Return (the next part of) the datagram at the head of the queue into a caller's t_unitdata.
 * `views` null means the caller gave udata.maxlen 0: the data is not wanted and the whole
 * datagram is consumed. Returns the byte count.
 */
async function receiveDatagram(ep: CoreEndpoint, profile: SemanticsProfile, ud: t_unitdata, views: Uint8Array[] | null, flags: IntRef): Promise<number> {
  requireState(ep, "t_rcvudata", profile);
  checkOutputNetbuf(ud.addr, "unitdata.addr");
  checkOutputNetbuf(ud.opt, "unitdata.opt");
  const buffers = views === null ? null : new ReceiveBuffers(views);
  for (;;) {
    const head = datagramHead(ep, profile);
    if (head !== null) {
      if (head.off === 0) {
        const a = copyOut(profile, ud.addr, head.addr);
        const o = copyOut(profile, ud.opt, head.opt);
        if (a || o) {
          ep.rq.shift();
          ep.datagramReleased(head.udata.length);
          fail(TBUFOVFLW, 0, "unitdata.addr or unitdata.opt is too small; the datagram was discarded");
        }
      } else {
        setEmpty(ud.addr);
        setEmpty(ud.opt);
      }
      const rest = head.udata.subarray(head.off);
      const n = buffers === null ? rest.length : scatter(buffers.check("t_rcvudata"), 0, rest);
      consumeDatagram(ep, head, n, flags);
      return n;
    }
    await awaitDatagram(ep);
  }
}

/**
 * `n` more bytes of the head datagram were taken: T_MORE while some remain, else it leaves the
 * queue and the provider hears of it once, with its whole length (zero-length ones too).
 */
function consumeDatagram(ep: CoreEndpoint, head: UnitdataInd, n: number, flags: IntRef): void {
  head.off += n;
  if (head.off < head.udata.length) {
    flags.value = T_MORE;
  } else {
    ep.rq.shift();
    ep.datagramReleased(head.udata.length);
    flags.value = 0;
  }
}

export async function t_rcvudata(ep: CoreEndpoint, unitdata: t_unitdata, flags: IntRef): Promise<number> {
  ep.checkUsable();
  requireConnectionless(ep, "t_rcvudata");
  const ud = unitdataArg(unitdata, "unitdata");
  const out = flagsRef(flags, "t_rcvudata");
  const nb = checkOutputNetbuf(ud.udata, "unitdata.udata");
  const views = nb.maxlen === 0 ? null : [dataBuffer(nb.buf, nb.maxlen, "unitdata.udata")];
  const n = await receiveDatagram(ep, ep.profile, ud, views, out);
  if (views !== null) nb.len = n;
  return 0;
}

export async function t_rcvvudata(ep: CoreEndpoint, unitdata: t_unitdata, iov: t_iovec[], iovcount: number, flags: IntRef): Promise<number> {
  ep.checkUsable();
  requireConnectionless(ep, "t_rcvvudata");
  const ud = unitdataArg(unitdata, "unitdata");
  const out = flagsRef(flags, "t_rcvvudata");
  const views = iovecViews(iov, checkIovcount(iovcount, "t_rcvvudata"), "t_rcvvudata");
  // The return value is the byte count here (t_rcvvudata returns it; t_rcvudata returns 0).
  return receiveDatagram(ep, callSemantics(ep.profile, "t_rcvvudata"), ud, views, out);
}

/** A datagram (or the next part of one) as the idiomatic API returns it. */
export interface DatagramPart {
  /** The sender's address and options (empty for a continuation part). */
  addr: Uint8Array;
  opt: Uint8Array;
  udata: Uint8Array;
  /** T_MORE when the rest of the datagram follows. */
  flags: number;
}

/**
 * t_rcvudata for the idiomatic API: at most `room` bytes of the head datagram (0: none wanted,
 * the whole datagram is consumed), its bytes as the library holds them (no copy).
 */
export function rcvudata(ep: CoreEndpoint, room: number): DatagramPart | Promise<DatagramPart> {
  ep.checkUsable();
  requireConnectionless(ep, "t_rcvudata");
  const head = datagramHead(ep, ep.profile);
  return head !== null ? takeDatagram(ep, head, room) : rcvudataAfterWaits(ep, room);
}

async function rcvudataAfterWaits(ep: CoreEndpoint, room: number): Promise<DatagramPart> {
  for (;;) {
    await awaitDatagram(ep);
    const head = datagramHead(ep, ep.profile);
    if (head !== null) return takeDatagram(ep, head, room);
  }
}

function takeDatagram(ep: CoreEndpoint, head: UnitdataInd, room: number): DatagramPart {
  const first = head.off === 0;
  const rest = first ? head.udata : head.udata.subarray(head.off);
  const n = room === 0 ? rest.length : Math.min(rest.length, room);
  // Part of a datagram is a copy: a view would share its buffer with the rest, still queued
  // (Endpoint.rcvudata hands it to the application, which may transfer its buffer).
  const udata = room === 0 ? new Uint8Array(0) : first && n === rest.length ? rest : new Uint8Array(rest.subarray(0, n));
  const flags = { value: 0 };
  consumeDatagram(ep, head, n, flags);
  return { addr: first ? head.addr : new Uint8Array(0), opt: first ? head.opt : new Uint8Array(0), udata, flags: flags.value };
}

export async function t_rcvuderr(ep: CoreEndpoint, uderr: t_uderr | null | undefined): Promise<number> {
  checkRcvuderr(ep);
  const wanted = uderr !== null && uderr !== undefined;
  if (wanted) {
    checkOutputNetbuf(uderr.addr, "uderr.addr");
    checkOutputNetbuf(uderr.opt, "uderr.opt");
  }
  const e = takeUderr(ep);
  if (wanted) {
    uderr.error = e.error;
    const a = copyOut(ep.profile, uderr.addr, e.addr);
    const o = copyOut(ep.profile, uderr.opt, e.opt);
    if (a || o) fail(TBUFOVFLW, 0, "uderr.addr or uderr.opt is too small; the error was discarded");
  }
  return 0;
}

/** t_rcvuderr for the idiomatic API: the unit data error as the library holds it. */
export function rcvuderr(ep: CoreEndpoint): UderrInd {
  checkRcvuderr(ep);
  return takeUderr(ep);
}

function checkRcvuderr(ep: CoreEndpoint): void {
  ep.checkUsable();
  requireConnectionless(ep, "t_rcvuderr");
  requireState(ep, "t_rcvuderr");
}

function takeUderr(ep: CoreEndpoint): UderrInd {
  const e = ep.rq.find("uderr");
  if (e === undefined) fail(TNOUDERR, 0, "no unit data error indication is pending");
  ep.rq.remove(e);
  return e;
}
