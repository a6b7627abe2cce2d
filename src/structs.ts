/**
 * The XTI structures, with the C field names. A C pointer to a netbuf's storage becomes a
 * Uint8Array; a NULL `buf` is an empty Uint8Array with maxlen 0.
 */

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

export interface t_bind {
  addr: netbuf;
  qlen: number;
}

export interface t_optmgmt {
  opt: netbuf;
  flags: number;
}

export interface t_discon {
  udata: netbuf;
  reason: number;
  sequence: number;
}

export interface t_call {
  addr: netbuf;
  opt: netbuf;
  udata: netbuf;
  sequence: number;
}

export interface t_unitdata {
  addr: netbuf;
  opt: netbuf;
  udata: netbuf;
}

export interface t_uderr {
  addr: netbuf;
  opt: netbuf;
  error: number;
}

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

/**
 * A netbuf. `netbuf(64)` is an empty 64-byte buffer ready to receive; `netbuf(bytes)` carries
 * `bytes` (len = maxlen = bytes.length), ready to send.
 */
export function netbuf(sizeOrContent: number | Uint8Array = 0): netbuf {
  if (typeof sizeOrContent === "number") {
    return { maxlen: sizeOrContent, len: 0, buf: new Uint8Array(sizeOrContent) };
  }
  return { maxlen: sizeOrContent.length, len: sizeOrContent.length, buf: sizeOrContent };
}

/** The meaningful bytes of a netbuf (a view, not a copy). */
export function netbufBytes(nb: netbuf): Uint8Array {
  return nb.buf.subarray(0, nb.len);
}

/** A t_call with netbufs of the given sizes (0 = NULL buffer). */
export function t_call_of(sizes: { addr?: number; opt?: number; udata?: number } = {}): t_call {
  return { addr: netbuf(sizes.addr ?? 0), opt: netbuf(sizes.opt ?? 0), udata: netbuf(sizes.udata ?? 0), sequence: 0 };
}

export function t_bind_of(addr: Uint8Array | number = 0, qlen = 0): t_bind {
  return { addr: netbuf(addr), qlen };
}

export function t_discon_of(udata: Uint8Array | number = 0): t_discon {
  return { udata: netbuf(udata), reason: 0, sequence: 0 };
}

export function t_unitdata_of(sizes: { addr?: number | Uint8Array; opt?: number | Uint8Array; udata?: number | Uint8Array } = {}): t_unitdata {
  return { addr: netbuf(sizes.addr ?? 0), opt: netbuf(sizes.opt ?? 0), udata: netbuf(sizes.udata ?? 0) };
}

export function t_uderr_of(sizes: { addr?: number; opt?: number } = {}): t_uderr {
  return { addr: netbuf(sizes.addr ?? 0), opt: netbuf(sizes.opt ?? 0), error: 0 };
}

export function t_optmgmt_of(opt: Uint8Array | number = 0, flags = 0): t_optmgmt {
  return { opt: netbuf(opt), flags };
}
