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
async function awaitConfirmation(ep: CoreEndpoint, rcvcall: t_call | null | undefined, blocking: boolean): Promise<number> {
  for (;;) {
    ep.checkUsable();
    requireState(ep, "t_rcvconnect"); // a t_snddis from another flow withdraws the connect
    if (ep.rq.hasDiscon()) fail(TLOOK, 0, "the connection was refused or aborted");
    const con = ep.rq.find("conn_con");
    if (con !== undefined) {
      ep.rq.remove(con);
      transition(ep, "T_RCVCONNECT");
      if (returnCall(ep, rcvcall, con, -1)) fail(TBUFOVFLW, 0, "a rcvcall buffer is too small");
      return 0;
    }
    if (!blocking) fail(TNODATA, 0, "the connection is not confirmed yet");
    await ep.changed();
  }
}

export async function t_connect(fd: unknown, sndcall: t_call, rcvcall: t_call | null | undefined): Promise<number> {
  const ep = endpointOf(fd);
  ep.checkUsable();
  requireConnectionMode(ep, "t_connect");
  requireState(ep, "t_connect");
  const call = callArg(sndcall, "sndcall");
  const addr = copyBytes(inputNetbuf(call.addr, "sndcall.addr"));
  const opt = copyBytes(inputNetbuf(call.opt, "sndcall.opt"));
  const udata = copyBytes(inputNetbuf(call.udata, "sndcall.udata"));
  checkCallOutputs(rcvcall, "rcvcall");
  checkUserData(udata.length, ep.info().connect, "connect");
  if (!ep.rq.isEmpty()) fail(TLOOK, 0, "an event is pending on the endpoint");
  await ep.exchange(() => ep.pep.connect({ addr, opt, udata }));
  ep.calledAddress = addr;
  transition(ep, "T_CONNECT2");
  if (ep.nonblock) fail(TNODATA, 0, "connection request sent; complete it with t_rcvconnect");
  return awaitConfirmation(ep, rcvcall, true);
}

export async function t_rcvconnect(fd: unknown, call: t_call | null | undefined): Promise<number> {
  const ep = endpointOf(fd);
  ep.checkUsable();
  requireConnectionMode(ep, "t_rcvconnect");
  requireState(ep, "t_rcvconnect");
  checkCallOutputs(call, "call");
  return awaitConfirmation(ep, call, !ep.nonblock);
}

export async function t_listen(fd: unknown, callArgument: t_call): Promise<number> {
  const ep = endpointOf(fd);
  ep.checkUsable();
  requireConnectionMode(ep, "t_listen");
  requireState(ep, "t_listen");
  if (ep.qlen === 0) fail(TBADQLEN, 0, "the endpoint was bound with qlen 0");
  const call = callArg(callArgument, "call");
  checkCallOutputs(call, "call");
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
      if (returnCall(ep, call, ind, ind.sequence)) fail(TBUFOVFLW, 0, "a call buffer is too small");
      return 0;
    }
    if (ep.nonblock) fail(TNODATA, 0, "no connection indication is pending");
    await ep.changed();
  }
}

export async function t_accept(fd: unknown, resfd: unknown, callArgument: t_call): Promise<number> {
  const ep = endpointOf(fd);
  const res = endpointOf(resfd);
  ep.checkUsable();
  res.checkUsable();
  requireConnectionMode(ep, "t_accept");
  requireState(ep, "t_accept");
  const same = ep === res;
  if (!same && ep.profile.checkState && res.state !== T_IDLE && res.state !== T_UNBND) {
    fail(TOUTSTATE, 0, "the accepting endpoint must be unbound or idle");
  }
  if (res.provider !== ep.provider) fail(TPROVMISMATCH, 0, "the accepting endpoint belongs to another provider");
  const call = callArg(callArgument, "call");
  const sequence = integer(call.sequence, "call.sequence");
  const opt = copyBytes(inputNetbuf(call.opt, "call.opt"));
  const udata = copyBytes(inputNetbuf(call.udata, "call.udata"));
  if (!same && res.state === T_IDLE && res.qlen > 0) fail(TRESQLEN, 0, "the accepting endpoint is a listener (qlen > 0)");
  if (same && ep.ocnt > 1) fail(TINDOUT, 0, "more than one connection indication is outstanding");
  if (!ep.outstanding.has(sequence)) fail(TBADSEQ, 0, `sequence ${sequence} is not an outstanding connection indication`);
  checkUserData(udata.length, ep.info().connect, "connect");
  if (ep.profile.acceptLookOnAnyEvent ? !ep.rq.isEmpty() : ep.rq.hasDiscon()) fail(TLOOK, 0, "an event is pending on the listener");
  if (!same && res.state === T_UNBND) {
    // An unbound acceptor is bound to an address of the provider's choosing first.
    await res.exchange(() => res.pep.bind({ addr: null, qlen: 0, exact: false }));
    transition(res, "T_BIND");
  }
  await ep.exchange(() => ep.pep.accept({ sequence, acceptor: res.rawPep, opt, udata }));
  if (same) retireIndication(ep, sequence, "T_ACCEPT1", "T_ACCEPT1"); // TINDOUT ruled out a second one
  else {
    retireIndication(ep, sequence, "T_ACCEPT3", "T_ACCEPT2");
    transition(res, "T_PASSCON");
  }
  return 0;
}
