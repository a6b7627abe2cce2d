/**
 * Opening, binding and inspecting endpoints: t_open, t_close, t_bind, t_unbind, t_getinfo,
 * t_getstate, t_sync, t_look, t_getprotaddr.
 */
import {
  O_NONBLOCK,
  O_RDWR,
  T_CLTS,
  T_DATAXFER,
  T_GODATA,
  T_GOEXDATA,
  T_INREL,
  T_OUTCON,
  T_ORDRELDATA,
  T_OUTREL,
  T_SENDZERO,
  T_UNBND,
  TBADFLAG,
  TBADNAME,
  TBUFOVFLW,
  TLOOK,
  TSYSERR,
} from "../constants.js";
import { EFAULT, EINVAL } from "../errno.js";
import type { SemanticsProfile } from "../profile.js";
import type { BindAck, ProviderInfo } from "../spi/contract.js";
import { lookupProvider } from "../registry.js";
import type { t_bind, t_info } from "../structs.js";
import { checkOutputNetbuf, inputNetbuf, integer } from "./args.js";
import { copyBytes, copyOut, requireState, transition } from "./common.js";
import { allocateFd, CoreEndpoint, registerEndpoint, releaseFd } from "./endpoint.js";
import { isInstance } from "../show.js";
import { XTIError } from "../xtierror.js";
import { fail, toFailure, XtiFailure } from "./failure.js";

const OFLAG_BITS = O_RDWR | O_NONBLOCK;

/** Copy a provider t_info into the caller's struct (TLI's t_info has no flags). */
export function fillInfo(profile: SemanticsProfile, src: ProviderInfo, info: t_info): void {
  if (typeof info !== "object" || info === null) fail(TSYSERR, EFAULT, "info is not a t_info object");
  info.addr = src.addr;
  info.options = src.options;
  info.tsdu = src.tsdu;
  info.etsdu = src.etsdu;
  info.connect = src.connect;
  info.discon = src.discon;
  info.servtype = src.servtype;
  if (profile.infoHasFlags) info.flags = (src.sendZero ? T_SENDZERO : 0) | (src.ordrelData ? T_ORDRELDATA : 0);
}

export function t_open(name: unknown, oflag: unknown, info: t_info | null | undefined, profile: SemanticsProfile): number {
  if (typeof name !== "string") fail(TSYSERR, EFAULT, "name is not a string");
  const flags = integer(oflag, "oflag");
  if ((flags & 3) !== O_RDWR || (flags & ~OFLAG_BITS) !== 0) fail(TBADFLAG, 0, "oflag must be O_RDWR, optionally with O_NONBLOCK");
  let provider;
  try {
    provider = lookupProvider(name);
  } catch (e) {
    throw isInstance(e, XTIError) ? new XtiFailure(e.t_errno, e.errno, e.message) : toFailure(e);
  }
  if (provider === undefined) fail(TBADNAME, 0, `no transport provider is registered as ${name}`);
  const fd = allocateFd();
  let ep: CoreEndpoint;
  try {
    ep = new CoreEndpoint(fd, provider, profile, (flags & O_NONBLOCK) !== 0);
    ep.attach(provider.open(ep));
  } catch (e) {
    throw toFailure(e);
  }
  if (info !== null && info !== undefined) fillInfo(profile, ep.info(), info);
  registerEndpoint(ep);
  return fd;
}

export async function t_close(ep: CoreEndpoint): Promise<number> {
  releaseFd(ep.fd);
  ep.closed = true;
  ep.wake();
  await ep.pep.close();
  return 0;
}

export async function t_bind(ep: CoreEndpoint, req: t_bind | null | undefined, ret: t_bind | null | undefined): Promise<number> {
  ep.checkUsable();
  requireState(ep, "t_bind");
  let addr: Uint8Array | null = null;
  let qlen = 0;
  if (req !== null && req !== undefined) {
    const a = inputNetbuf(req.addr, "req.addr");
    addr = a.length > 0 ? copyBytes(a) : null;
    qlen = integer(req.qlen, "req.qlen");
    if (qlen < 0) fail(TSYSERR, EINVAL, "req.qlen is negative");
  }
  if (ret !== null && ret !== undefined) checkOutputNetbuf(ret.addr, "ret.addr");
  const ack = await bindChecked(ep, addr, qlen);
  if (ret !== null && ret !== undefined) {
    ret.qlen = ack.qlen;
    if (copyOut(ep.profile, ret.addr, ack.addr)) fail(TBUFOVFLW, 0, "ret.addr is too small for the bound address");
  }
  return 0;
}

/**
 * t_bind for the idiomatic API: bind `addr` (null: an address of the provider's choosing, which
 * the caller no longer owns) with `qlen`; the bound address (a copy) and the negotiated qlen.
 */
export function bind(ep: CoreEndpoint, addr: Uint8Array | null, qlen: number): Promise<BindAck> {
  ep.checkUsable();
  requireState(ep, "t_bind");
  return bindChecked(ep, addr, qlen).then((ack) => ({ addr: copyBytes(ack.addr), qlen: ack.qlen }));
}

/** The bind request once the call and its arguments are checked; the provider's acknowledgement. */
function bindChecked(ep: CoreEndpoint, addr: Uint8Array | null, requested: number): Promise<BindAck> {
  const qlen = ep.info().servtype === T_CLTS ? 0 : requested;
  return ep.exchange(
    () => ep.pep.bind({ addr, qlen, exact: ep.profile.exactBind }),
    (bound) => {
      transition(ep, "T_BIND");
      ep.qlen = bound.qlen;
      ep.outstanding.clear();
      ep.qfullNotified = false;
    },
  );
}

export async function t_unbind(ep: CoreEndpoint): Promise<number> {
  ep.checkUsable();
  requireState(ep, "t_unbind");
  if (!ep.rq.isEmpty()) fail(TLOOK, 0, "an event is pending on the endpoint");
  await ep.exchange(
    () => ep.pep.unbind(),
    () => {
      transition(ep, "T_UNBIND");
      ep.qlen = 0;
      ep.released(ep.rq.clear());
    },
  );
  return 0;
}

export function t_getinfo(ep: CoreEndpoint, info: t_info): number {
  ep.checkUsable();
  ep.infoChanged(); // T_INFO_REQ: ask the provider, not the copy kept for the other calls
  fillInfo(ep.profile, ep.info(), info);
  return 0;
}

export function t_getstate(ep: CoreEndpoint): number {
  ep.checkUsable();
  return ep.stableState();
}

/** t_sync: the library's state is always in step with the provider here; report it. */
export function t_sync(ep: CoreEndpoint): number {
  ep.checkUsable();
  return ep.stableState();
}

export function t_look(ep: CoreEndpoint): number {
  ep.checkUsable();
  const ev = ep.rq.look(ep.profile.lookInlineExpedited);
  if (ev !== 0) return ev;
  // Flow-control-lifted events are consumed by t_look itself.
  if ((ep.goEvents & T_GODATA) !== 0) {
    ep.goEvents &= ~T_GODATA;
    return T_GODATA;
  }
  if ((ep.goEvents & T_GOEXDATA) !== 0) {
    ep.goEvents &= ~T_GOEXDATA;
    return T_GOEXDATA;
  }
  return 0;
}

export function t_getprotaddr(ep: CoreEndpoint, boundaddr: t_bind | null | undefined, peeraddr: t_bind | null | undefined): number {
  ep.checkUsable();
  if (boundaddr !== null && boundaddr !== undefined) checkOutputNetbuf(boundaddr.addr, "boundaddr.addr");
  if (peeraddr !== null && peeraddr !== undefined) checkOutputNetbuf(peeraddr.addr, "peeraddr.addr");
  const { local, remote } = protocolAddresses(ep);
  let overflow = false;
  if (boundaddr !== null && boundaddr !== undefined) {
    if (local === null) boundaddr.addr.len = 0;
    else overflow = copyOut(ep.profile, boundaddr.addr, local) || overflow;
  }
  if (peeraddr !== null && peeraddr !== undefined) {
    if (remote === null) peeraddr.addr.len = 0;
    else overflow = copyOut(ep.profile, peeraddr.addr, remote) || overflow;
  }
  if (overflow) fail(TBUFOVFLW, 0, "a buffer is too small for the address");
  return 0;
}

/**
 * The bound and peer addresses t_getprotaddr reports (null: none in this state). They may be the
 * provider's own buffers: the caller copies what it hands out.
 */
export function protocolAddresses(ep: CoreEndpoint): { local: Uint8Array | null; remote: Uint8Array | null } {
  ep.checkUsable();
  const { local, remote } = ep.pep.addresses();
  return { local: ep.state === T_UNBND ? null : local, remote: peerAddress(ep, remote) };
}

/** The peer address in the states that have one (T_OUTCON: the address being called). */
function peerAddress(ep: CoreEndpoint, remote: Uint8Array | null): Uint8Array | null {
  switch (ep.state) {
    case T_DATAXFER:
    case T_OUTREL:
    case T_INREL:
      return remote;
    case T_OUTCON:
      return remote ?? ep.calledAddress;
    default:
      return null;
  }
}
