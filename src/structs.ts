/**
 * The XTI structures, with the C field names. A C pointer to a netbuf's storage becomes a
 * Uint8Array; a NULL `buf` is an empty Uint8Array with maxlen 0.
 */
import type { t_bind as t_bind_t, t_optmgmt as t_optmgmt_t } from "./api.js";
import { isBytes, show } from "./show.js";
import { guarded, invalidArgument } from "./xtierror.js";

/** struct netbuf: `maxlen` bytes of `buf` may be written, `len` bytes are meaningful. */
export interface netbuf {
  maxlen: number;
  len: number;
  buf: Uint8Array;
}

/** struct t_info (XTI). TLI's t_info has no `flags` (see tli.ts). */
export interface t_info {
  addr: number;
  options: number;
  tsdu: number;
  etsdu: number;
  connect: number;
  discon: number;
  servtype: number;
  flags: number;
}

/** struct t_bind (see the t_bind of the API, which merges with it). */
export interface t_bind {
  addr: netbuf;
  qlen: number;
}

/** struct t_optmgmt (see the t_optmgmt of the API, which merges with it). */
export interface t_optmgmt {
  opt: netbuf;
  flags: number;
}

/** struct t_discon: a disconnect's user data, reason and sequence (t_rcvdis, t_snddis data, the reldata calls). */
export interface t_discon {
  udata: netbuf;
  reason: number;
  sequence: number;
}

/** struct t_call: a connection's address, options, user data and sequence (t_connect, t_listen, t_accept, t_snddis). */
export interface t_call {
  addr: netbuf;
  opt: netbuf;
  udata: netbuf;
  sequence: number;
}

/** struct t_unitdata: a datagram's address, options and data (t_sndudata, t_rcvudata). */
export interface t_unitdata {
  addr: netbuf;
  opt: netbuf;
  udata: netbuf;
}

/** struct t_uderr: a datagram that could not be delivered: its address, options and the error (t_rcvuderr). */
export interface t_uderr {
  addr: netbuf;
  opt: netbuf;
  error: number;
}

/** struct t_iovec: `iov_len` bytes of `iov_base` (t_sndv, t_rcvv, the vudata calls). */
export interface t_iovec {
  iov_base: Uint8Array;
  iov_len: number;
}

/** struct t_linger (XTI_LINGER). */
export interface t_linger {
  l_onoff: number;
  l_linger: number;
}

/** struct t_kpalive (T_TCP_KEEPALIVE). */
export interface t_kpalive {
  kp_onoff: number;
  kp_timeout: number;
}

/** An `int *` out-parameter, e.g. the flags of t_rcv. */
export interface IntRef {
  value: number;
}

/** A pointer out-parameter (`T **` in C), e.g. the `struct nd_addrlist **` of netdir_getbyname. */
export interface Ref<T> {
  value: T;
}

/** The largest buffer a helper allocates (2 GiB - 1, INT_MAX as a C length). */
const MAX_NETBUF = 0x7fffffff;

function sized(call: string, value: unknown): number | Uint8Array {
  if (isBytes(value)) return value;
  if (typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= MAX_NETBUF) return value;
  invalidArgument(call, `${show(value)} is neither a size nor a Uint8Array`);
}

/**
 * A netbuf. `netbuf(64)` is an empty 64-byte buffer ready to receive; `netbuf(bytes)` carries
 * `bytes` (len = maxlen = bytes.length), ready to send. Throws XTIError (TSYSERR/EINVAL) for
 * anything else.
 */
export function netbuf(sizeOrContent: number | Uint8Array = 0): netbuf {
  return guarded("netbuf", () => {
    const v = sized("netbuf", sizeOrContent);
    if (typeof v === "number") return { maxlen: v, len: 0, buf: new Uint8Array(v) };
    return { maxlen: v.length, len: v.length, buf: v };
  });
}

/** The meaningful bytes of a netbuf (a view, not a copy). Throws XTIError for a malformed netbuf. */
export function netbufBytes(nb: netbuf): Uint8Array {
  return guarded("netbufBytes", () => {
    const { buf, len } = nb;
    if (!isBytes(buf) || !Number.isInteger(len) || len < 0 || len > buf.length) {
      invalidArgument("netbufBytes", "not a netbuf whose len fits its buf");
    }
    return buf.subarray(0, len);
  });
}

/** The fields of a sizes argument (undefined and null: all 0). */
function sizes(call: string, value: unknown): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object") invalidArgument(call, `sizes is ${show(value)}, not an object`);
  return value as Record<string, unknown>;
}

function field(call: string, bag: Record<string, unknown>, key: string): netbuf {
  const v = bag[key];
  return v === undefined ? netbuf(0) : netbuf(sized(`${call}: ${key}`, v));
}

/** A t_call with netbufs of the given sizes (0 = NULL buffer). */
export function t_call_of(sizesOf: { addr?: number; opt?: number; udata?: number } = {}): t_call {
  return guarded("t_call_of", () => {
    const b = sizes("t_call_of", sizesOf);
    return { addr: field("t_call_of", b, "addr"), opt: field("t_call_of", b, "opt"), udata: field("t_call_of", b, "udata"), sequence: 0 };
  });
}

/** A t_bind carrying `addr` (bytes, or an empty buffer of that size) and `qlen`. */
export function t_bind_of(addr: Uint8Array | number = 0, qlen = 0): t_bind_t {
  return guarded("t_bind_of", () => {
    if (typeof qlen !== "number" || !Number.isInteger(qlen)) invalidArgument("t_bind_of", `qlen is ${show(qlen)}, not an integer`);
    return { addr: netbuf(sized("t_bind_of", addr)), qlen };
  });
}

/** A t_discon carrying `udata` (bytes, or an empty buffer of that size). */
export function t_discon_of(udata: Uint8Array | number = 0): t_discon {
  return guarded("t_discon_of", () => ({ udata: netbuf(sized("t_discon_of", udata)), reason: 0, sequence: 0 }));
}

/** A t_unitdata whose netbufs carry the given bytes, or are empty buffers of the given sizes. */
export function t_unitdata_of(sizesOf: { addr?: number | Uint8Array; opt?: number | Uint8Array; udata?: number | Uint8Array } = {}): t_unitdata {
  return guarded("t_unitdata_of", () => {
    const b = sizes("t_unitdata_of", sizesOf);
    return { addr: field("t_unitdata_of", b, "addr"), opt: field("t_unitdata_of", b, "opt"), udata: field("t_unitdata_of", b, "udata") };
  });
}

/** A t_uderr with netbufs of the given sizes. */
export function t_uderr_of(sizesOf: { addr?: number; opt?: number } = {}): t_uderr {
  return guarded("t_uderr_of", () => {
    const b = sizes("t_uderr_of", sizesOf);
    return { addr: field("t_uderr_of", b, "addr"), opt: field("t_uderr_of", b, "opt"), error: 0 };
  });
}

/** A t_optmgmt carrying the option buffer `opt` (bytes, or an empty buffer of that size) and `flags`. */
export function t_optmgmt_of(opt: Uint8Array | number = 0, flags = 0): t_optmgmt_t {
  return guarded("t_optmgmt_of", () => {
    if (typeof flags !== "number" || !Number.isInteger(flags)) invalidArgument("t_optmgmt_of", `flags is ${show(flags)}, not an integer`);
    return { opt: netbuf(sized("t_optmgmt_of", opt)), flags };
  });
}
