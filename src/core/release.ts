/**
 * Ending connections: abortive (t_snddis, t_rcvdis) and orderly (t_sndrel, t_rcvrel and the
 * XNS5 reldata pair).
 */
import { T_INCON, TBADDATA, TBADSEQ, TBUFOVFLW, TLOOK, TNODIS, TNOREL, TSYSERR } from "../constants.js";
import { EFAULT } from "../errno.js";
import { callSemantics, type SemanticsProfile } from "../profile.js";
import type { t_call, t_discon } from "../structs.js";
import { checkOutputNetbuf, inputNetbuf, integer } from "./args.js";
import { checkUserData, copyBytes, copyOut, requireConnectionMode, requireOrderlyRelease, requireState, retireIndication, transition } from "./common.js";
import { type CoreEndpoint, endpointOf } from "./endpoint.js";
import { fail } from "./failure.js";

/**
 * After an abortive disconnect: unread data, release and confirmation indications go too (the
 * send-side state went with the transition out of the connection).
 */
function dropReceivedIndications(ep: CoreEndpoint): void {
  ep.released(ep.rq.flushData());
  const con = ep.rq.find("conn_con");
  if (con !== undefined) ep.rq.remove(con);
}


export async function t_snddis(fd: unknown, call: t_call | null | undefined): Promise<number> {
  const ep = endpointOf(fd);
  ep.checkUsable();
  requireConnectionMode(ep, "t_snddis");
  requireState(ep, "t_snddis");
  const hasCall = call !== null && call !== undefined;
  if (hasCall && typeof call !== "object") fail(TSYSERR, EFAULT, "call is not a t_call");
  const udata = hasCall ? copyBytes(inputNetbuf(call.udata, "call.udata")) : new Uint8Array(0);
  let sequence: number | null = null;
  if (ep.state === T_INCON) {
    if (!hasCall) fail(TBADSEQ, 0, "a listener must name the indication to reject");
    sequence = integer(call.sequence, "call.sequence");
    if (!ep.outstanding.has(sequence)) fail(TBADSEQ, 0, `sequence ${sequence} is not an outstanding connection indication`);
  }
  checkUserData(udata.length, ep.info().discon, "disconnect");
  if (ep.rq.hasDiscon()) fail(TLOOK, 0, "a disconnect is already pending");
  await ep.exchange(() => ep.pep.disconnect({ sequence, udata }));
  if (sequence !== null) {
    retireIndication(ep, sequence, "T_SNDDIS2", "T_SNDDIS1");
  } else {
    transition(ep, "T_SNDDIS1");
    dropReceivedIndications(ep);
  }
  return 0;
}

export async function t_rcvdis(fd: unknown, discon: t_discon | null | undefined): Promise<number> {
  const ep = endpointOf(fd);
  ep.checkUsable();
  requireConnectionMode(ep, "t_rcvdis");
  requireState(ep, "t_rcvdis");
  const wanted = discon !== null && discon !== undefined;
  if (wanted) checkOutputNetbuf(discon.udata, "discon.udata");
  const ind = ep.rq.findDiscon();
  if (ind === undefined) fail(TNODIS, 0, "no disconnect indication is pending");
  ep.rq.remove(ind);
  if (ep.state === T_INCON) {
    retireIndication(ep, ind.sequence, "T_RCVDIS3", "T_RCVDIS2");
  } else {
    transition(ep, "T_RCVDIS1");
    dropReceivedIndications(ep);
  }
  if (wanted) {
    discon.reason = ind.reason;
    discon.sequence = ind.sequence;
    if (copyOut(ep.profile, discon.udata, ind.udata)) fail(TBUFOVFLW, 0, "discon.udata is too small");
  }
  return 0;
}

async function orderlyRelease(ep: CoreEndpoint, profile: SemanticsProfile, udata: Uint8Array | null): Promise<number> {
  for (;;) {
    ep.checkUsable();
    requireState(ep, "t_sndrel", profile); // checked again once the call holds the endpoint, and after a wait
    if (profile.sndLookOnDiscon && ep.rq.hasDiscon()) fail(TLOOK, 0, "a disconnect is pending");
    if (ep.pep.ordrel(udata)) {
      ep.checkUsable(); // a protocol error raised by the request (TLI out of state)
      // The provider found the connection already gone and raised its disconnect instead (the
      // T_DISCON_IND crossing the T_ORDREL_REQ): no release happened, and the user must look.
      if (profile.sndLookOnDiscon && ep.rq.hasDiscon()) fail(TLOOK, 0, "the connection was lost: a disconnect is pending");
      break;
    }
    await ep.waitForFlow("normal", "the release cannot be sent now");
  }
  transition(ep, "T_SNDREL");
  ep.openUnit.normal = -1;
  return 0;
}

export async function t_sndrel(fd: unknown): Promise<number> {
  const ep = endpointOf(fd);
  ep.checkUsable();
  requireOrderlyRelease(ep, "t_sndrel");
  requireState(ep, "t_sndrel");
  return ep.serializeSend(() => orderlyRelease(ep, ep.profile, null));
}

export async function t_sndreldata(fd: unknown, discon: t_discon | null | undefined): Promise<number> {
  const ep = endpointOf(fd);
  ep.checkUsable();
  requireOrderlyRelease(ep, "t_sndreldata");
  const profile = callSemantics(ep.profile, "t_sndreldata");
  requireState(ep, "t_sndrel", profile);
  let udata: Uint8Array | null = null;
  if (discon !== null && discon !== undefined) {
    const bytes = inputNetbuf(discon.udata, "discon.udata");
    const info = ep.info();
    if (bytes.length > 0) {
      if (!info.ordrelData) fail(TBADDATA, 0, "the provider does not carry orderly release data");
      checkUserData(bytes.length, info.discon, "orderly release");
      udata = copyBytes(bytes);
    }
  }
  return ep.serializeSend(() => orderlyRelease(ep, profile, udata));
}

/** Consume the orderly release indication at the head of the queue, or fail TNOREL / TLOOK. */
function takeOrdrel(ep: CoreEndpoint): Uint8Array | null {
  if (ep.rq.hasDiscon()) fail(TLOOK, 0, "a disconnect is pending");
  const head = ep.rq.head();
  if (ep.rq.expeditedHead() !== undefined || head === undefined || head.kind !== "ordrel") {
    fail(TNOREL, 0, "no orderly release indication is next in the queue");
  }
  ep.rq.shift();
  transition(ep, "T_RCVREL");
  return head.udata;
}

export async function t_rcvrel(fd: unknown): Promise<number> {
  const ep = endpointOf(fd);
  ep.checkUsable();
  requireOrderlyRelease(ep, "t_rcvrel");
  requireState(ep, "t_rcvrel");
  takeOrdrel(ep);
  return 0;
}

export async function t_rcvreldata(fd: unknown, discon: t_discon | null | undefined): Promise<number> {
  const ep = endpointOf(fd);
  ep.checkUsable();
  requireOrderlyRelease(ep, "t_rcvreldata");
  const profile = callSemantics(ep.profile, "t_rcvreldata");
  requireState(ep, "t_rcvrel", profile);
  const wanted = discon !== null && discon !== undefined;
  if (wanted) checkOutputNetbuf(discon.udata, "discon.udata");
  const udata = takeOrdrel(ep);
  if (wanted) {
    discon.reason = 0;
    discon.sequence = 0;
    if (udata === null) discon.udata.len = 0;
    else if (copyOut(profile, discon.udata, udata)) fail(TBUFOVFLW, 0, "discon.udata is too small");
  }
  return 0;
}
