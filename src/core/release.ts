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
import type { CoreEndpoint } from "./endpoint.js";
import type { DisconInd } from "./rcvqueue.js";
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


export async function t_snddis(ep: CoreEndpoint, call: t_call | null | undefined): Promise<number> {
  checkSnddis(ep);
  const hasCall = call !== null && call !== undefined;
  if (hasCall && typeof call !== "object") fail(TSYSERR, EFAULT, "call is not a t_call");
  const udata = hasCall ? copyBytes(inputNetbuf(call.udata, "call.udata")) : new Uint8Array(0);
  const sequence = ep.state === T_INCON ? (hasCall ? integer(call.sequence, "call.sequence") : null) : undefined;
  await disconnectChecked(ep, sequence, udata);
  return 0;
}

/** t_snddis for the idiomatic API: abort the connection, or (T_INCON) reject the indication `sequence`. */
export async function disconnect(ep: CoreEndpoint, sequence: number, udata: Uint8Array): Promise<void> {
  checkSnddis(ep);
  await disconnectChecked(ep, ep.state === T_INCON ? sequence : undefined, copyBytes(udata));
}

function checkSnddis(ep: CoreEndpoint): void {
  ep.checkUsable();
  requireConnectionMode(ep, "t_snddis");
  requireState(ep, "t_snddis");
}

/**
 * The disconnect request once its arguments are read: `named` is the indication a listener
 * rejects (null: it named none, TBADSEQ), undefined outside T_INCON.
 */
async function disconnectChecked(ep: CoreEndpoint, named: number | null | undefined, udata: Uint8Array): Promise<void> {
  let sequence: number | null = null;
  if (named !== undefined) {
    if (named === null) fail(TBADSEQ, 0, "a listener must name the indication to reject");
    if (!ep.outstanding.has(named)) fail(TBADSEQ, 0, `sequence ${named} is not an outstanding connection indication`);
    sequence = named;
  }
  checkUserData(udata.length, ep.info().discon, "disconnect");
  if (ep.rq.hasDiscon()) fail(TLOOK, 0, "a disconnect is already pending");
  await ep.exchange(
    () => ep.pep.disconnect({ sequence, udata }),
    () => {
      if (sequence !== null) {
        retireIndication(ep, sequence, "T_SNDDIS2", "T_SNDDIS1");
      } else {
        transition(ep, "T_SNDDIS1");
        dropReceivedIndications(ep);
      }
    },
  );
}

export async function t_rcvdis(ep: CoreEndpoint, discon: t_discon | null | undefined): Promise<number> {
  checkRcvdis(ep);
  const wanted = discon !== null && discon !== undefined;
  if (wanted) checkOutputNetbuf(discon.udata, "discon.udata");
  const ind = takeDisconnect(ep);
  if (wanted) {
    discon.reason = ind.reason;
    discon.sequence = ind.sequence;
    if (copyOut(ep.profile, discon.udata, ind.udata)) fail(TBUFOVFLW, 0, "discon.udata is too small");
  }
  return 0;
}

/** t_rcvdis for the idiomatic API: the disconnect as the library holds it (its bytes are the caller's now). */
export function rcvdis(ep: CoreEndpoint): DisconInd {
  checkRcvdis(ep);
  return takeDisconnect(ep);
}

function checkRcvdis(ep: CoreEndpoint): void {
  ep.checkUsable();
  requireConnectionMode(ep, "t_rcvdis");
  requireState(ep, "t_rcvdis");
}

/** Consume the pending disconnect (TNODIS when there is none) and make its transition. */
function takeDisconnect(ep: CoreEndpoint): DisconInd {
  const ind = ep.rq.findDiscon();
  if (ind === undefined) fail(TNODIS, 0, "no disconnect indication is pending");
  ep.rq.remove(ind);
  if (ep.state === T_INCON) {
    retireIndication(ep, ind.sequence, "T_RCVDIS3", "T_RCVDIS2");
  } else {
    transition(ep, "T_RCVDIS1");
    dropReceivedIndications(ep);
  }
  return ind;
}

async function orderlyRelease(ep: CoreEndpoint, profile: SemanticsProfile, udata: Uint8Array | null): Promise<number> {
  if (ep.stateChanging) await ep.settled(); // as a data send does (transfer.ts, send)
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

export async function t_sndrel(ep: CoreEndpoint): Promise<number> {
  ep.checkUsable();
  requireOrderlyRelease(ep, "t_sndrel");
  requireState(ep, "t_sndrel");
  return ep.serializeSend(() => orderlyRelease(ep, ep.profile, null));
}

export async function t_sndreldata(ep: CoreEndpoint, discon: t_discon | null | undefined): Promise<number> {
  const profile = checkSndreldata(ep);
  let udata: Uint8Array | null = null;
  if (discon !== null && discon !== undefined) udata = releaseData(ep, inputNetbuf(discon.udata, "discon.udata"));
  return ep.serializeSend(() => orderlyRelease(ep, profile, udata));
}

/** t_sndreldata for the idiomatic API. */
export async function sndreldata(ep: CoreEndpoint, udata: Uint8Array): Promise<void> {
  const profile = checkSndreldata(ep);
  const data = releaseData(ep, udata);
  await ep.serializeSend(() => orderlyRelease(ep, profile, data));
}

function checkSndreldata(ep: CoreEndpoint): SemanticsProfile {
  ep.checkUsable();
  requireOrderlyRelease(ep, "t_sndreldata");
  const profile = callSemantics(ep.profile, "t_sndreldata");
  requireState(ep, "t_sndrel", profile);
  return profile;
}

/** The release data to send (a copy; null for none), or TBADDATA when the provider cannot carry it. */
function releaseData(ep: CoreEndpoint, bytes: Uint8Array): Uint8Array | null {
  if (bytes.length === 0) return null;
  const info = ep.info();
  if (!info.ordrelData) fail(TBADDATA, 0, "the provider does not carry orderly release data");
  checkUserData(bytes.length, info.discon, "orderly release");
  return copyBytes(bytes);
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

export async function t_rcvrel(ep: CoreEndpoint): Promise<number> {
  ep.checkUsable();
  requireOrderlyRelease(ep, "t_rcvrel");
  requireState(ep, "t_rcvrel");
  takeOrdrel(ep);
  return 0;
}

export async function t_rcvreldata(ep: CoreEndpoint, discon: t_discon | null | undefined): Promise<number> {
  const profile = checkRcvreldata(ep);
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

/** t_rcvreldata for the idiomatic API: the release data as the library holds it (null: none). */
export function rcvreldata(ep: CoreEndpoint): Uint8Array | null {
  checkRcvreldata(ep);
  return takeOrdrel(ep);
}

function checkRcvreldata(ep: CoreEndpoint): SemanticsProfile {
  ep.checkUsable();
  requireOrderlyRelease(ep, "t_rcvreldata");
  const profile = callSemantics(ep.profile, "t_rcvreldata");
  requireState(ep, "t_rcvrel", profile);
  return profile;
}
