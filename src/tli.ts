/**
 * `xti/tli`: the SVR4 Transport Layer Interface, as `<tiuser.h>` declares it. Endpoints opened
 * here have TLI semantics (no user-level state checks, O_T_BIND_REQ binding, TLI t_alloc sizes,
 * no t_errno 20-29, legacy option buffers, ...; see docs/semantics.md). Only the TLI functions are
 * offered: no t_sndv/t_rcvv, no reldata calls, no t_sysconf, no t_strerror; t_getname instead of
 * t_getprotaddr; t_error returns nothing. The descriptors and t_errno are shared with `xti`.
 * SVR4 programs used netconfig, netdir and poll next to TLI: they are here too.
 *
 * @module xti/tli
 */
import * as api from "./api.js";
import { t_getname as getname } from "./core/getname.js";
import { callSync } from "./core/report.js";
import { T_ERRLIST } from "./messages.js";
import type { netbuf, t_info as xti_t_info } from "./structs.js";
import "./index.js"; // registers the built-in providers

/** struct t_info of TLI: no `flags` field. */
export interface t_info {
  addr: number;
  options: number;
  tsdu: number;
  etsdu: number;
  connect: number;
  discon: number;
  servtype: number;
}

/** t_open(3N): open `name` with TLI semantics (see api.t_open). */
export function t_open(name: string, oflag: number, info?: t_info | null): number {
  return api.t_open(name, oflag, (info ?? null) as xti_t_info | null, { semantics: "TLI" });
}

/** t_getinfo(3N): the provider's t_info (TLI's, without `flags`). */
export function t_getinfo(fd: number, info: t_info): number {
  return api.t_getinfo(fd, info as xti_t_info);
}

/**
 * t_error(3N): prints the message for t_errno; returns nothing in TLI. A `msg` that is neither a
 * string nor null prints nothing and sets t_errno to TSYSERR (errno EFAULT).
 */
export function t_error(msg: string | null): void {
  api.t_error(msg);
}

/** t_getname types: the local address. */
export const LOCALNAME = 0;
/** t_getname types: the peer's address. */
export const REMOTENAME = 1;

/** t_getname(3N): the local or remote address of an endpoint into `name`. */
export function t_getname(fd: number, name: netbuf, type: number): number {
  return callSync(fd, getname, name, type);
}

/** The classic t_errlist[] of <tiuser.h> (deprecated there, kept for old code). */
export const t_errlist: readonly string[] = T_ERRLIST;
/** The number of entries of t_errlist. */
export const t_nerr = T_ERRLIST.length;

/** T_ALL of <tiuser.h>: every field of a TLI structure. */
export const T_ALL = 0x07;
/** The mask of the TLI events. */
export const T_EVENTS = 0x00ff;

export {
  t_errno,
  errno,
  t_accept,
  t_alloc,
  t_bind,
  t_close,
  t_connect,
  t_free,
  t_getstate,
  t_listen,
  t_look,
  t_optmgmt,
  t_rcv,
  t_rcvconnect,
  t_rcvdis,
  t_rcvrel,
  t_rcvudata,
  t_rcvuderr,
  t_snd,
  t_snddis,
  t_sndrel,
  t_sndudata,
  t_sync,
  t_unbind,
  fcntl,
  F_GETFL,
  F_SETFL,
} from "./api.js";

export {
  TBADADDR,
  TBADOPT,
  TACCES,
  TBADF,
  TNOADDR,
  TOUTSTATE,
  TBADSEQ,
  TSYSERR,
  TLOOK,
  TBADDATA,
  TBUFOVFLW,
  TFLOW,
  TNODATA,
  TNODIS,
  TNOUDERR,
  TBADFLAG,
  TNOREL,
  TNOTSUPPORT,
  TSTATECHNG,
  T_UNINIT,
  T_UNBND,
  T_IDLE,
  T_OUTCON,
  T_INCON,
  T_DATAXFER,
  T_OUTREL,
  T_INREL,
  T_LISTEN,
  T_CONNECT,
  T_DATA,
  T_EXDATA,
  T_DISCONNECT,
  T_UDERR,
  T_ORDREL,
  T_MORE,
  T_EXPEDITED,
  T_NEGOTIATE,
  T_CHECK,
  T_DEFAULT,
  T_SUCCESS,
  T_FAILURE,
  T_COTS,
  T_COTS_ORD,
  T_CLTS,
  T_BIND,
  T_OPTMGMT,
  T_CALL,
  T_DIS,
  T_UNITDATA,
  T_UDERROR,
  T_INFO,
  T_ADDR,
  T_OPT,
  T_UDATA,
  T_INFINITE,
  T_INVALID,
  O_RDWR,
  O_NONBLOCK,
} from "./constants.js";

export {
  netbuf,
  netbufBytes,
  t_bind_of,
  t_call_of,
  t_discon_of,
  t_optmgmt_of,
  t_uderr_of,
  t_unitdata_of,
  type IntRef,
  type Ref,
  type t_call,
  type t_discon,
  type t_uderr,
  type t_unitdata,
} from "./structs.js";
export { encodeLegacyOptions, decodeLegacyOptions, OPTLEN, OPTHDR_SIZE, type LegacyOption } from "./options/legacy.js";
export {
  NETCONFIG_ENV,
  NC_TPI_CLTS,
  NC_TPI_COTS,
  NC_TPI_COTS_ORD,
  NC_TPI_RAW,
  NC_NOFLAG,
  NC_VISIBLE,
  NC_BROADCAST,
  NC_NOPROTOFMLY,
  NC_LOOPBACK,
  NC_INET,
  NC_INET6,
  NC_NOPROTO,
  NC_TCP,
  NC_UDP,
  NC_ICMP,
  type netconfig,
} from "./netconfig.js";
export * from "./netselect.js";
export * from "./netdir.js";
export { poll, type pollfd, POLLIN, POLLPRI, POLLOUT, POLLERR, POLLHUP, POLLNVAL, POLLRDNORM, POLLRDBAND, POLLWRNORM, POLLWRBAND } from "./poll.js";
