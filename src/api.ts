/**
 * The C-style XTI API: C names, C argument order, C return values. A failing call returns -1
 * (null for t_alloc) and sets `t_errno` (and `errno` for TSYSERR), read right after the call as
 * in C. `t_errno` is an exported live binding, per thread (each worker has its own).
 *
 * Calls that may wait for the provider or the network return a Promise; purely local calls are
 * synchronous (README: "Which calls return a Promise").
 */
import * as C from "./constants.js";
import { type XtiStruct, t_alloc as allocImpl, t_free as freeImpl } from "./core/alloc.js";
import * as connection from "./core/connection.js";
import * as control from "./core/control.js";
import { endpointOf } from "./core/endpoint.js";
import { toFailure, type XtiFailure } from "./core/failure.js";
import * as optmgmt from "./core/optmgmt.js";
import * as release from "./core/release.js";
import * as transfer from "./core/transfer.js";
import * as unitdata from "./core/unitdata.js";
import { EBADF, EINVAL, strerror } from "./errno.js";
import { t_strerror } from "./messages.js";
import { PROFILES, type SemanticsName, type SemanticsProfile } from "./profile.js";
import type { IntRef, t_bind as t_bind_struct, t_call, t_discon, t_info, t_iovec, t_optmgmt as t_optmgmt_struct, t_uderr, t_unitdata } from "./structs.js";

/** The XTI error of the last failing call in this thread. */
export let t_errno = 0;
/** The system error accompanying TSYSERR (and set by fcntl). */
export let errno = 0;
/** What the library knows about the last failure beyond its code (for diagnostics). */
export let t_errdetail = "";

const DEFAULT_PROFILE = PROFILES.XNS5;

function profileOf(fd: unknown): SemanticsProfile {
  try {
    return endpointOf(fd).profile;
  } catch {
    return DEFAULT_PROFILE;
  }
}

/** The failure as the endpoint's dialect reports it (TLI never shows t_errno 20-29). */
export function dialectFailure(e: unknown, profile: SemanticsProfile): XtiFailure {
  const f = toFailure(e);
  const r = profile.remap[f.t_errno];
  return r === undefined ? f : { t_errno: r.t_errno, errno: r.errno, detail: f.detail };
}

function report(e: unknown, profile: SemanticsProfile): -1 {
  const f = dialectFailure(e, profile);
  t_errno = f.t_errno;
  errno = f.errno;
  t_errdetail = f.detail ?? "";
  return -1;
}

/** Run a synchronous core call with the C error convention (-1 and t_errno). */
export function runSync(fd: unknown, fn: () => number): number {
  return sync(fd, fn);
}

function sync(fd: unknown, fn: () => number): number {
  const profile = profileOf(fd);
  try {
    return fn();
  } catch (e) {
    return report(e, profile);
  }
}

async function later(fd: unknown, fn: () => Promise<number>): Promise<number> {
  const profile = profileOf(fd);
  try {
    return await fn();
  } catch (e) {
    return report(e, profile);
  }
}

/** Options of t_open beyond C's three arguments. */
export interface OpenOptions {
  /** API semantics of the endpoint: "XNS5" (default), "XNS4" or "TLI". */
  semantics?: SemanticsName;
}

export function t_open(name: string, oflag: number, info?: t_info | null, options?: OpenOptions): number {
  const profile = PROFILES[options?.semantics ?? "XNS5"] ?? DEFAULT_PROFILE;
  try {
    return control.t_open(name, oflag, info, profile);
  } catch (e) {
    return report(e, profile);
  }
}

export function t_close(fd: number): Promise<number> {
  return later(fd, () => control.t_close(fd));
}
export function t_bind(fd: number, req: t_bind | null, ret: t_bind | null): Promise<number> {
  return later(fd, () => control.t_bind(fd, req, ret));
}
export function t_unbind(fd: number): Promise<number> {
  return later(fd, () => control.t_unbind(fd));
}
export function t_getinfo(fd: number, info: t_info): number {
  return sync(fd, () => control.t_getinfo(fd, info));
}
export function t_getstate(fd: number): number {
  return sync(fd, () => control.t_getstate(fd));
}
export function t_sync(fd: number): number {
  return sync(fd, () => control.t_sync(fd));
}
export function t_look(fd: number): number {
  return sync(fd, () => control.t_look(fd));
}
export function t_getprotaddr(fd: number, boundaddr: t_bind | null, peeraddr: t_bind | null): number {
  return sync(fd, () => control.t_getprotaddr(fd, boundaddr, peeraddr));
}
export function t_optmgmt(fd: number, req: t_optmgmt, ret: t_optmgmt): Promise<number> {
  return later(fd, () => optmgmt.t_optmgmt(fd, req, ret));
}

export function t_connect(fd: number, sndcall: t_call, rcvcall: t_call | null): Promise<number> {
  return later(fd, () => connection.t_connect(fd, sndcall, rcvcall));
}
export function t_rcvconnect(fd: number, call: t_call | null): Promise<number> {
  return later(fd, () => connection.t_rcvconnect(fd, call));
}
export function t_listen(fd: number, call: t_call): Promise<number> {
  return later(fd, () => connection.t_listen(fd, call));
}
export function t_accept(fd: number, resfd: number, call: t_call): Promise<number> {
  return later(fd, () => connection.t_accept(fd, resfd, call));
}

export function t_snd(fd: number, buf: Uint8Array, nbytes: number, flags: number): Promise<number> {
  return later(fd, () => transfer.t_snd(fd, buf, nbytes, flags));
}
export function t_sndv(fd: number, iov: readonly t_iovec[], iovcount: number, flags: number): Promise<number> {
  return later(fd, () => transfer.t_sndv(fd, iov, iovcount, flags));
}
export function t_rcv(fd: number, buf: Uint8Array, nbytes: number, flags: IntRef): Promise<number> {
  return later(fd, () => transfer.t_rcv(fd, buf, nbytes, flags));
}
export function t_rcvv(fd: number, iov: t_iovec[], iovcount: number, flags: IntRef): Promise<number> {
  return later(fd, () => transfer.t_rcvv(fd, iov, iovcount, flags));
}

export function t_snddis(fd: number, call: t_call | null): Promise<number> {
  return later(fd, () => release.t_snddis(fd, call));
}
export function t_rcvdis(fd: number, discon: t_discon | null): Promise<number> {
  return later(fd, () => release.t_rcvdis(fd, discon));
}
export function t_sndrel(fd: number): Promise<number> {
  return later(fd, () => release.t_sndrel(fd));
}
export function t_rcvrel(fd: number): Promise<number> {
  return later(fd, () => release.t_rcvrel(fd));
}
export function t_sndreldata(fd: number, discon: t_discon | null): Promise<number> {
  return later(fd, () => release.t_sndreldata(fd, discon));
}
export function t_rcvreldata(fd: number, discon: t_discon | null): Promise<number> {
  return later(fd, () => release.t_rcvreldata(fd, discon));
}

export function t_sndudata(fd: number, ud: t_unitdata): Promise<number> {
  return later(fd, () => unitdata.t_sndudata(fd, ud));
}
export function t_sndvudata(fd: number, ud: t_unitdata, iov: t_iovec[], iovcount: number): Promise<number> {
  return later(fd, () => unitdata.t_sndvudata(fd, ud, iov, iovcount));
}
export function t_rcvudata(fd: number, ud: t_unitdata, flags: IntRef): Promise<number> {
  return later(fd, () => unitdata.t_rcvudata(fd, ud, flags));
}
export function t_rcvvudata(fd: number, ud: t_unitdata, iov: t_iovec[], iovcount: number, flags: IntRef): Promise<number> {
  return later(fd, () => unitdata.t_rcvvudata(fd, ud, iov, iovcount, flags));
}
export function t_rcvuderr(fd: number, uderr: t_uderr | null): Promise<number> {
  return later(fd, () => unitdata.t_rcvuderr(fd, uderr));
}

export function t_alloc(fd: number, type: typeof C.T_BIND, fields: number): t_bind | null;
export function t_alloc(fd: number, type: typeof C.T_OPTMGMT, fields: number): t_optmgmt | null;
export function t_alloc(fd: number, type: typeof C.T_CALL, fields: number): t_call | null;
export function t_alloc(fd: number, type: typeof C.T_DIS, fields: number): t_discon | null;
export function t_alloc(fd: number, type: typeof C.T_UNITDATA, fields: number): t_unitdata | null;
export function t_alloc(fd: number, type: typeof C.T_UDERROR, fields: number): t_uderr | null;
export function t_alloc(fd: number, type: typeof C.T_INFO, fields: number): t_info | null;
export function t_alloc(fd: number, type: number, fields: number): XtiStruct | null;
export function t_alloc(fd: number, type: number, fields: number): XtiStruct | null {
  const profile = profileOf(fd);
  try {
    return allocImpl(fd, type, fields);
  } catch (e) {
    report(e, profile);
    return null;
  }
}

export function t_free(ptr: XtiStruct | null, type: number): number {
  return sync(undefined, () => freeImpl(ptr, type));
}

export function t_sysconf(name: number): number {
  if (name === C._SC_T_IOV_MAX) return C.T_IOV_MAX;
  t_errno = C.TBADFLAG;
  errno = 0;
  t_errdetail = `unknown t_sysconf name ${name}`;
  return -1;
}

/** t_error(3): print `msg: <message for t_errno>` (and the errno message for TSYSERR) on stderr. */
export function t_error(msg: string | null): number {
  process.stderr.write(t_errorText(msg) + "\n");
  return 0;
}

/** The line t_error prints, for programs that log elsewhere. */
export function t_errorText(msg: string | null): string {
  const prefix = msg !== null && msg !== "" ? `${msg}: ` : "";
  const base = `${prefix}${t_strerror(t_errno)}`;
  return t_errno === C.TSYSERR ? `${base}: ${strerror(errno)}` : base;
}

export { t_strerror };

/** fcntl(2) commands, with the Linux values, for switching O_NONBLOCK on an endpoint. */
export const F_GETFL = 3;
export const F_SETFL = 4;

/**
 * fcntl(fd, F_GETFL) / fcntl(fd, F_SETFL, flags) on a transport endpoint: read or change
 * O_NONBLOCK as C programs do. Fails with -1 and `errno` (not t_errno), as fcntl does.
 */
export function fcntl(fd: number, cmd: number, arg = 0): number {
  let ep;
  try {
    ep = endpointOf(fd);
  } catch {
    errno = EBADF;
    return -1;
  }
  if (cmd === F_GETFL) return C.O_RDWR | (ep.nonblock ? C.O_NONBLOCK : 0);
  if (cmd === F_SETFL) {
    ep.setNonblocking((arg & C.O_NONBLOCK) !== 0);
    return 0;
  }
  errno = EINVAL;
  return -1;
}

// struct t_bind and struct t_optmgmt share their names with the functions, as in C: the
// interfaces below merge with the functions of the same name.
/** struct t_bind {netbuf addr; unsigned qlen}. */
export interface t_bind extends t_bind_struct {}
/** struct t_optmgmt {netbuf opt; t_scalar_t flags}. */
export interface t_optmgmt extends t_optmgmt_struct {}
