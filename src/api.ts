/**
 * The C-style XTI API: C names, C argument order, C return values. A failing call returns -1
 * (null for t_alloc) and sets `t_errno` (and `errno` for TSYSERR), read right after the call as
 * in C. No argument makes one of these functions throw: bad input is a failure like any other
 * (TBADF, TBADFLAG, TSYSERR with EFAULT or EINVAL, ...).
 *
 * Calls that may wait for the provider or the network return a Promise, which never rejects;
 * purely local calls are synchronous (README: "Which calls return a Promise").
 *
 * @module
 */
import * as C from "./constants.js";
import { type XtiStruct, t_alloc as allocImpl, t_free as freeImpl } from "./core/alloc.js";
import * as connection from "./core/connection.js";
import * as control from "./core/control.js";
import { endpointOf } from "./core/endpoint.js";
import { fail } from "./core/failure.js";
import * as optmgmt from "./core/optmgmt.js";
import * as release from "./core/release.js";
import { callAsync, callAsyncXns5, callSync, report, runSync } from "./core/report.js";
import * as transfer from "./core/transfer.js";
import * as unitdata from "./core/unitdata.js";
import { EBADF, EFAULT, EINVAL, strerror } from "./errno.js";
import { errno, setErrno, setFailure, t_errno } from "./errstate.js";
import { t_strerror } from "./messages.js";
import { PROFILES, type SemanticsName, profileNamed, unknownSemantics } from "./profile.js";
import { show } from "./show.js";
import type { IntRef, t_bind as t_bind_struct, t_call, t_discon, t_info, t_iovec, t_optmgmt as t_optmgmt_struct, t_uderr, t_unitdata } from "./structs.js";

export { t_errno, errno, t_errdetail } from "./errstate.js";

/** Options of t_open beyond C's three arguments. */
export interface OpenOptions {
  /** API semantics of the endpoint: "XNS5" (default), "XNS4" or "TLI" (docs/semantics.md). */
  semantics?: SemanticsName;
}

/**
 * t_open(3): open the transport provider `name` (e.g. "/dev/ticotsord"); `oflag` is O_RDWR,
 * optionally with O_NONBLOCK. Returns the new descriptor, and fills `info` when given.
 * Fails TBADNAME for an unknown device, TBADFLAG for a bad oflag, TSYSERR/EINVAL for a
 * `semantics` option that names no dialect.
 */
export function t_open(name: string, oflag: number, info?: t_info | null, options?: OpenOptions | null): number {
  try {
    const semantics = options === undefined || options === null ? undefined : openOption(options);
    const profile = profileNamed(semantics);
    if (profile === null) fail(C.TSYSERR, EINVAL, unknownSemantics(semantics));
    try {
      return control.t_open(name, oflag, info, profile);
    } catch (e) {
      return report(e, profile);
    }
  } catch (e) {
    return report(e, PROFILES.XNS5);
  }
}

/** The `semantics` field of an options object (TSYSERR/EFAULT when it is not an object). */
function openOption(options: unknown): unknown {
  if (typeof options !== "object") fail(C.TSYSERR, EFAULT, `options is ${show(options)}, not an object`);
  return (options as OpenOptions).semantics;
}

/** t_close(3): close the endpoint; calls still waiting on it fail TBADF. Any state. */
export function t_close(fd: number): Promise<number> {
  return callAsync(fd, control.t_close);
}
/** t_bind(3): bind an address (`req` null or an empty address: the provider picks one); T_UNBND. */
export function t_bind(fd: number, req: t_bind | null, ret: t_bind | null): Promise<number> {
  return callAsync(fd, control.t_bind, req, ret);
}
/** t_unbind(3): unbind; T_IDLE, and TLOOK when an event is pending. */
export function t_unbind(fd: number): Promise<number> {
  return callAsync(fd, control.t_unbind);
}
/** t_getinfo(3): the provider's current t_info. */
export function t_getinfo(fd: number, info: t_info): number {
  return callSync(fd, control.t_getinfo, info);
}
/** t_getstate(3): the endpoint's state (T_UNBND ... T_INREL); TSTATECHNG while a request is in flight. */
export function t_getstate(fd: number): number {
  return callSync(fd, control.t_getstate);
}
/** t_sync(3): the endpoint's state, as t_getstate (the library and provider are always in step here). */
export function t_sync(fd: number): number {
  return callSync(fd, control.t_sync);
}
/** t_look(3): the pending event (T_LISTEN, T_DATA, T_DISCONNECT, ...), or 0; consumes nothing but T_GODATA/T_GOEXDATA. */
export function t_look(fd: number): number {
  return callSync(fd, control.t_look);
}
/** t_getprotaddr(3): the bound and peer addresses (either argument may be null). */
export function t_getprotaddr(fd: number, boundaddr: t_bind | null, peeraddr: t_bind | null): number {
  return callSync(fd, control.t_getprotaddr, boundaddr, peeraddr);
}
/** t_optmgmt(3): negotiate, check or read options (t_opthdr buffers; legacy opthdr under TLI). */
export function t_optmgmt(fd: number, req: t_optmgmt, ret: t_optmgmt): Promise<number> {
  return callAsync(fd, optmgmt.t_optmgmt, req, ret);
}

/** t_connect(3): connect to `sndcall.addr`; waits for the confirmation unless O_NONBLOCK (then TNODATA, finish with t_rcvconnect). */
export function t_connect(fd: number, sndcall: t_call, rcvcall: t_call | null): Promise<number> {
  return callAsync(fd, connection.t_connect, sndcall, rcvcall);
}
/** t_rcvconnect(3): complete a non-blocking t_connect; T_OUTCON. */
export function t_rcvconnect(fd: number, call: t_call | null): Promise<number> {
  return callAsync(fd, connection.t_rcvconnect, call);
}
/** t_listen(3): take the next connection indication into `call` (its `sequence` names it); needs qlen > 0. */
export function t_listen(fd: number, call: t_call): Promise<number> {
  return callAsync(fd, connection.t_listen, call);
}
/** t_accept(3): accept indication `call.sequence` on `resfd` (the listener itself, or an unbound or idle endpoint). */
export function t_accept(fd: number, resfd: number, call: t_call): Promise<number> {
  return callAsync(fd, connection.t_accept, resfd, call);
}

/** t_snd(3): send `nbytes` of `buf` (T_MORE: the TSDU goes on; T_EXPEDITED: an ETSDU). Returns the bytes taken. */
export function t_snd(fd: number, buf: Uint8Array, nbytes: number, flags: number): Promise<number> {
  return callAsync(fd, transfer.t_snd, buf, nbytes, flags);
}
/** t_sndv(3): t_snd from up to T_IOV_MAX buffers. XNS5 semantics on every endpoint. */
export function t_sndv(fd: number, iov: readonly t_iovec[], iovcount: number, flags: number): Promise<number> {
  return callAsyncXns5(fd, transfer.t_sndv, iov, iovcount, flags);
}
/** t_rcv(3): receive into `buf`; `flags.value` gets T_MORE and T_EXPEDITED. Returns the byte count. */
export function t_rcv(fd: number, buf: Uint8Array, nbytes: number, flags: IntRef): Promise<number> {
  return callAsync(fd, transfer.t_rcv, buf, nbytes, flags);
}
/** t_rcvv(3): t_rcv into up to T_IOV_MAX buffers. XNS5 semantics on every endpoint. */
export function t_rcvv(fd: number, iov: t_iovec[], iovcount: number, flags: IntRef): Promise<number> {
  return callAsyncXns5(fd, transfer.t_rcvv, iov, iovcount, flags);
}

/** t_snddis(3): abort the connection, or (T_INCON) reject the indication `call.sequence`. */
export function t_snddis(fd: number, call: t_call | null): Promise<number> {
  return callAsync(fd, release.t_snddis, call);
}
/** t_rcvdis(3): take the pending disconnect (reason, sequence, user data into `discon` when given). */
export function t_rcvdis(fd: number, discon: t_discon | null): Promise<number> {
  return callAsync(fd, release.t_rcvdis, discon);
}
/** t_sndrel(3): orderly release of the sending direction (T_COTS_ORD). */
export function t_sndrel(fd: number): Promise<number> {
  return callAsync(fd, release.t_sndrel);
}
/** t_rcvrel(3): take the peer's orderly release. */
export function t_rcvrel(fd: number): Promise<number> {
  return callAsync(fd, release.t_rcvrel);
}
/** t_sndreldata(3): t_sndrel with release data (providers with T_ORDRELDATA). XNS5 semantics on every endpoint. */
export function t_sndreldata(fd: number, discon: t_discon | null): Promise<number> {
  return callAsyncXns5(fd, release.t_sndreldata, discon);
}
/** t_rcvreldata(3): t_rcvrel returning the release data. XNS5 semantics on every endpoint. */
export function t_rcvreldata(fd: number, discon: t_discon | null): Promise<number> {
  return callAsyncXns5(fd, release.t_rcvreldata, discon);
}

/** t_sndudata(3): send one datagram to `ud.addr` (T_CLTS, T_IDLE). */
export function t_sndudata(fd: number, ud: t_unitdata): Promise<number> {
  return callAsync(fd, unitdata.t_sndudata, ud);
}
/** t_sndvudata(3): t_sndudata from up to T_IOV_MAX buffers. XNS5 semantics on every endpoint. */
export function t_sndvudata(fd: number, ud: t_unitdata, iov: t_iovec[], iovcount: number): Promise<number> {
  return callAsyncXns5(fd, unitdata.t_sndvudata, ud, iov, iovcount);
}
/** t_rcvudata(3): receive one datagram (or its next piece, with T_MORE). Returns 0. */
export function t_rcvudata(fd: number, ud: t_unitdata, flags: IntRef): Promise<number> {
  return callAsync(fd, unitdata.t_rcvudata, ud, flags);
}
/** t_rcvvudata(3): t_rcvudata into up to T_IOV_MAX buffers; returns the byte count. XNS5 semantics on every endpoint. */
export function t_rcvvudata(fd: number, ud: t_unitdata, iov: t_iovec[], iovcount: number, flags: IntRef): Promise<number> {
  return callAsyncXns5(fd, unitdata.t_rcvvudata, ud, iov, iovcount, flags);
}
/** t_rcvuderr(3): take the pending unit data error. */
export function t_rcvuderr(fd: number, uderr: t_uderr | null): Promise<number> {
  return callAsync(fd, unitdata.t_rcvuderr, uderr);
}

/**
 * t_alloc(3): a structure of type `type` (T_BIND, T_CALL, ...) whose netbufs named in `fields`
 * (T_ADDR | T_OPT | T_UDATA, or T_ALL) are sized from the provider's t_info, as libnsl sizes them.
 * Returns null on failure (TNOSTRUCTYPE, TSYSERR/EINVAL for a size the provider does not give).
 */
export function t_alloc(fd: number, type: typeof C.T_BIND, fields: number): t_bind | null;
export function t_alloc(fd: number, type: typeof C.T_OPTMGMT, fields: number): t_optmgmt | null;
export function t_alloc(fd: number, type: typeof C.T_CALL, fields: number): t_call | null;
export function t_alloc(fd: number, type: typeof C.T_DIS, fields: number): t_discon | null;
export function t_alloc(fd: number, type: typeof C.T_UNITDATA, fields: number): t_unitdata | null;
export function t_alloc(fd: number, type: typeof C.T_UDERROR, fields: number): t_uderr | null;
export function t_alloc(fd: number, type: typeof C.T_INFO, fields: number): t_info | null;
export function t_alloc(fd: number, type: number, fields: number): XtiStruct | null;
export function t_alloc(fd: number, type: number, fields: number): XtiStruct | null {
  let ep;
  try {
    ep = endpointOf(fd);
  } catch (e) {
    report(e, PROFILES.XNS5);
    return null;
  }
  try {
    return allocImpl(ep, type, fields);
  } catch (e) {
    report(e, ep.profile);
    return null;
  }
}

/** t_free(3): release a structure from t_alloc (its buffers are emptied, as after free()). */
export function t_free(ptr: XtiStruct | null, type: number): number {
  return runSync(() => freeImpl(ptr, type));
}

/** t_sysconf(3): the value of a configurable limit (_SC_T_IOV_MAX); TBADFLAG for any other name. */
export function t_sysconf(name: number): number {
  if (name === C._SC_T_IOV_MAX) return C.T_IOV_MAX;
  setFailure(C.TBADFLAG, 0, `unknown t_sysconf name ${show(name)}`);
  return -1;
}

/**
 * t_error(3): print `msg: <message for t_errno>` (and the errno message for TSYSERR) on stderr.
 * Returns 0; -1 with TSYSERR/EFAULT when `msg` is neither a string nor null.
 */
export function t_error(msg: string | null): number {
  if (msg !== null && msg !== undefined && typeof msg !== "string") {
    setFailure(C.TSYSERR, EFAULT, `t_error: msg is ${show(msg)}, not a string`);
    return -1;
  }
  process.stderr.write(errorLine(msg ?? null) + "\n");
  return 0;
}

function errorLine(msg: string | null): string {
  const prefix = msg !== null && msg !== "" ? `${msg}: ` : "";
  const base = `${prefix}${t_strerror(t_errno)}`;
  return t_errno === C.TSYSERR ? `${base}: ${strerror(errno)}` : base;
}

/**
 * The line t_error prints (without the newline), for programs that log elsewhere. A `msg` that
 * is not a string counts as none.
 */
export function t_errorText(msg: string | null): string {
  return errorLine(typeof msg === "string" ? msg : null);
}

export { t_strerror };

/** fcntl(2) commands, with the Linux values, for switching O_NONBLOCK on an endpoint. */
export const F_GETFL = 3;
/** @see F_GETFL */
export const F_SETFL = 4;

/**
 * fcntl(fd, F_GETFL) / fcntl(fd, F_SETFL, flags) on a transport endpoint: read or change
 * O_NONBLOCK as C programs do. Fails with -1 and `errno` (not t_errno), as fcntl does: EBADF for
 * a descriptor that is not open, EINVAL for another command or a non-integer argument.
 */
export function fcntl(fd: number, cmd: number, arg = 0): number {
  let ep;
  try {
    ep = endpointOf(fd);
  } catch {
    setErrno(EBADF);
    return -1;
  }
  if (cmd === F_GETFL) return C.O_RDWR | (ep.nonblock ? C.O_NONBLOCK : 0);
  if (cmd === F_SETFL && typeof arg === "number" && Number.isInteger(arg)) {
    ep.setNonblocking((arg & C.O_NONBLOCK) !== 0);
    return 0;
  }
  setErrno(EINVAL);
  return -1;
}

// struct t_bind and struct t_optmgmt share their names with the functions, as in C: the
// interfaces below merge with the functions of the same name.
/** struct t_bind {netbuf addr; unsigned qlen}. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- merges with the function t_bind, as the C struct shares its name
export interface t_bind extends t_bind_struct {}
/** struct t_optmgmt {netbuf opt; t_scalar_t flags}. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- merges with the function t_optmgmt
export interface t_optmgmt extends t_optmgmt_struct {}
