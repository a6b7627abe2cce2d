/**
 * Connection establishment: t_connect, t_rcvconnect, t_listen, t_accept.
 */
import {
  T_IDLE,
  T_UNBND,
  TBADQLEN,
  TBADSEQ,
  TBUFOVFLW,
  TINDOUT,
  TLOOK,
  TNODATA,
  TOUTSTATE,
  TPROVMISMATCH,
  TQFULL,
  TRESQLEN,
  TSYSERR,
} from "../constants.js";
import { EFAULT } from "../errno.js";
import type { t_call } from "../structs.js";
import { checkOutputNetbuf, inputNetbuf, integer } from "./args.js";
import { checkUserData, copyBytes, copyOut, requireConnectionMode, requireState, retireIndication, transition } from "./common.js";
import { type CoreEndpoint, endpointOf } from "./endpoint.js";
import { fail } from "./failure.js";
import type { ConnCon, ConnInd } from "./rcvqueue.js";

function callArg(call: unknown, what: string): t_call {
  if (typeof call !== "object" || call === null) fail(TSYSERR, EFAULT, `${what} is not a t_call`);
  return call as t_call;
}

function checkCallOutputs(call: t_call | null | undefined, what: string): void {
  if (call === null || call === undefined) return;
  checkOutputNetbuf(call.addr, `${what}.addr`);
  checkOutputNetbuf(call.opt, `${what}.opt`);
  checkOutputNetbuf(call.udata, `${what}.udata`);
}

/** Return a connection indication or confirmation in a caller t_call; true on overflow. */
function returnCall(ep: CoreEndpoint, call: t_call | null | undefined, ind: ConnInd | ConnCon, sequence: number): boolean {
  if (call === null || call === undefined) return false;
  const a = copyOut(ep.profile, call.addr, ind.addr);
  const o = copyOut(ep.profile, call.opt, ind.opt);
  const u = copyOut(ep.profile, call.udata, ind.udata);
  call.sequence = sequence;
  return a || o || u;
}

/**
 * Wait for the outcome of an outstanding connect: the confirmation (→ T_DATAXFER), or TLOOK
 * when a disconnect arrived (the state stays T_OUTCON until t_rcvdis).
 */
async function confirmation(ep: CoreEndpoint, blocking: boolean): Promise<ConnCon> {
  for (;;) {
    ep.checkUsable();
    requireState(ep, "t_rcvconnect"); // a t_snddis from another flow withdraws the connect
    if (ep.rq.hasDiscon()) fail(TLOOK, 0, "the connection was refused or aborted");
    const con = ep.rq.find("conn_con");
    if (con !== undefined) {
      ep.rq.remove(con);
      transition(ep, "T_RCVCONNECT");
      return con;
    }
    if (!blocking) fail(TNODATA, 0, "the connection is not confirmed yet");
    await ep.changed();
  }
}

function checkConnect(ep: CoreEndpoint, call: "t_connect" | "t_rcvconnect"): void {
  ep.checkUsable();
  requireConnectionMode(ep, call);
  requireState(ep, call);
}

/** The connect request once the call and its arguments are checked (the bytes are the library's); the confirmation. */
async function connectChecked(ep: CoreEndpoint, addr: Uint8Array, opt: Uint8Array, udata: Uint8Array): Promise<ConnCon> {
  checkUserData(udata.length, ep.info().connect, "connect");
  if (!ep.rq.isEmpty()) fail(TLOOK, 0, "an event is pending on the endpoint");
  await ep.exchange(
    () => ep.pep.connect({ addr, opt, udata }),
    () => {
      ep.calledAddress = addr;
      transition(ep, "T_CONNECT2");
    },
  );
  if (ep.nonblock) fail(TNODATA, 0, "connection request sent; complete it with t_rcvconnect");
  return confirmation(ep, true);
}

export async function t_connect(ep: CoreEndpoint, sndcall: t_call, rcvcall: t_call | null | undefined): Promise<number> {
  checkConnect(ep, "t_connect");
  const call = callArg(sndcall, "sndcall");
  const addr = copyBytes(inputNetbuf(call.addr, "sndcall.addr"));
  const opt = copyBytes(inputNetbuf(call.opt, "sndcall.opt"));
  const udata = copyBytes(inputNetbuf(call.udata, "sndcall.udata"));
  checkCallOutputs(rcvcall, "rcvcall");
  const con = await connectChecked(ep, addr, opt, udata);
  if (returnCall(ep, rcvcall, con, -1)) fail(TBUFOVFLW, 0, "a rcvcall buffer is too small");
  return 0;
}

/** t_connect for the idiomatic API: the confirmation as the library holds it (its bytes are the caller's now). */
export function connect(ep: CoreEndpoint, addr: Uint8Array, opt: Uint8Array, udata: Uint8Array): Promise<ConnCon> {
  checkConnect(ep, "t_connect");
  return connectChecked(ep, copyBytes(addr), copyBytes(opt), copyBytes(udata));
}

export async function t_rcvconnect(ep: CoreEndpoint, call: t_call | null | undefined): Promise<number> {
  checkConnect(ep, "t_rcvconnect");
  checkCallOutputs(call, "call");
  const con = await confirmation(ep, !ep.nonblock);
  if (returnCall(ep, call, con, -1)) fail(TBUFOVFLW, 0, "a rcvcall buffer is too small");
  return 0;
}

/** t_rcvconnect for the idiomatic API: the confirmation as the library holds it. */
export function rcvconnect(ep: CoreEndpoint): Promise<ConnCon> {
  checkConnect(ep, "t_rcvconnect");
  return confirmation(ep, !ep.nonblock);
}

function checkListen(ep: CoreEndpoint): void {
  ep.checkUsable();
  requireConnectionMode(ep, "t_listen");
  requireState(ep, "t_listen");
  if (ep.qlen === 0) fail(TBADQLEN, 0, "the endpoint was bound with qlen 0");
}

/** The next connection indication (t_listen once its arguments are checked): now counted as outstanding. */
async function nextIndication(ep: CoreEndpoint): Promise<ConnInd> {
  for (;;) {
    ep.checkUsable();
    requireState(ep, "t_listen");
    if (ep.rq.hasDiscon()) fail(TLOOK, 0, "a disconnect is pending");
    if (ep.profile.tqfull && ep.ocnt >= ep.qlen && !ep.qfullNotified) {
      ep.qfullNotified = true;
      fail(TQFULL, 0, `${ep.ocnt} connection indications are outstanding (qlen ${ep.qlen})`);
    }
    const ind = ep.rq.find("conn_ind");
    if (ind !== undefined) {
      ep.rq.remove(ind);
      ep.outstanding.add(ind.sequence);
      transition(ep, "T_LISTN");
      return ind;
    }
    if (ep.nonblock) fail(TNODATA, 0, "no connection indication is pending");
    await ep.changed();
  }
}

export async function t_listen(ep: CoreEndpoint, callArgument: t_call): Promise<number> {
  checkListen(ep);
  const call = callArg(callArgument, "call");
  checkCallOutputs(call, "call");
  const ind = await nextIndication(ep);
  if (returnCall(ep, call, ind, ind.sequence)) fail(TBUFOVFLW, 0, "a call buffer is too small");
  return 0;
}

/** t_listen for the idiomatic API: the indication as the library holds it (its bytes are the caller's now). */
export function listen(ep: CoreEndpoint): Promise<ConnInd> {
  checkListen(ep);
  return nextIndication(ep);
}

/** The checks of t_accept before its t_call is read; true when the listener accepts onto itself. */
function checkAccept(ep: CoreEndpoint, res: CoreEndpoint): boolean {
  ep.checkUsable();
  res.checkUsable();
  requireConnectionMode(ep, "t_accept");
  requireState(ep, "t_accept");
  const same = ep === res;
  if (!same && ep.profile.checkState && res.state !== T_IDLE && res.state !== T_UNBND) {
    fail(TOUTSTATE, 0, "the accepting endpoint must be unbound or idle");
  }
  if (res.provider !== ep.provider) fail(TPROVMISMATCH, 0, "the accepting endpoint belongs to another provider");
  return same;
}

async function acceptChecked(ep: CoreEndpoint, res: CoreEndpoint, same: boolean, sequence: number, opt: Uint8Array, udata: Uint8Array): Promise<void> {
  if (!same && res.state === T_IDLE && res.qlen > 0) fail(TRESQLEN, 0, "the accepting endpoint is a listener (qlen > 0)");
  if (same && ep.ocnt > 1) fail(TINDOUT, 0, "more than one connection indication is outstanding");
  if (!ep.outstanding.has(sequence)) fail(TBADSEQ, 0, `sequence ${sequence} is not an outstanding connection indication`);
  checkUserData(udata.length, ep.info().connect, "connect");
  if (ep.profile.acceptLookOnAnyEvent ? !ep.rq.isEmpty() : ep.rq.hasDiscon()) fail(TLOOK, 0, "an event is pending on the listener");
  if (!same && res.state === T_UNBND) {
    // An unbound acceptor is bound to an address of the provider's choosing first.
    await res.exchange(
      () => res.pep.bind({ addr: null, qlen: 0, exact: false }),
      () => transition(res, "T_BIND"),
    );
  }
  await ep.exchange(
    () => ep.pep.accept({ sequence, acceptor: res.rawPep, opt, udata }),
    () => {
      if (same) retireIndication(ep, sequence, "T_ACCEPT1", "T_ACCEPT1"); // TINDOUT ruled out a second one
      else {
        retireIndication(ep, sequence, "T_ACCEPT3", "T_ACCEPT2");
        transition(res, "T_PASSCON");
      }
    },
  );
}

export async function t_accept(ep: CoreEndpoint, resfd: unknown, callArgument: t_call): Promise<number> {
  const res = endpointOf(resfd);
  const same = checkAccept(ep, res);
  const call = callArg(callArgument, "call");
  const sequence = integer(call.sequence, "call.sequence");
  const opt = copyBytes(inputNetbuf(call.opt, "call.opt"));
  const udata = copyBytes(inputNetbuf(call.udata, "call.udata"));
  await acceptChecked(ep, res, same, sequence, opt, udata);
  return 0;
}

/** t_accept for the idiomatic API: accept indication `sequence` onto `res`. */
export async function accept(ep: CoreEndpoint, res: CoreEndpoint, sequence: number, opt: Uint8Array, udata: Uint8Array): Promise<void> {
  const same = checkAccept(ep, res);
  await acceptChecked(ep, res, same, sequence, copyBytes(opt), copyBytes(udata));
}
