/**
 * Validation of caller-supplied arguments. Bad input never throws a raw exception and never reads
 * or writes past a buffer: it fails TSYSERR with errno EFAULT (a bad pointer in C) or EINVAL.
 */
import { T_IOV_MAX, TBADDATA, TSYSERR } from "../constants.js";
import { EFAULT } from "../errno.js";
import type { IntRef, netbuf, t_iovec } from "../structs.js";
import { isBytes } from "../show.js";
import { fail } from "./failure.js";

function isUint8Array(v: unknown): v is Uint8Array {
  return isBytes(v);
}

function isCount(v: unknown): v is number {
  return typeof v === "number" && Number.isInteger(v) && v >= 0;
}

/** A netbuf the call reads from (len bytes of buf). Returns a view of those bytes. */
export function inputNetbuf(nb: unknown, what: string): Uint8Array {
  if (typeof nb !== "object" || nb === null) fail(TSYSERR, EFAULT, `${what} is not a netbuf`);
  const { buf, len } = nb as Partial<netbuf>;
  if (!isCount(len)) fail(TSYSERR, EFAULT, `${what}.len is not a non-negative integer`);
  if (len === 0) return new Uint8Array(0);
  if (!isUint8Array(buf) || len > buf.length) fail(TSYSERR, EFAULT, `${what}.len exceeds its buffer`);
  return buf.subarray(0, len);
}

/** A netbuf the call writes into: maxlen must fit in buf. */
export function checkOutputNetbuf(nb: unknown, what: string): netbuf {
  if (typeof nb !== "object" || nb === null) fail(TSYSERR, EFAULT, `${what} is not a netbuf`);
  const n = nb as Partial<netbuf>;
  if (!isCount(n.maxlen)) fail(TSYSERR, EFAULT, `${what}.maxlen is not a non-negative integer`);
  if (n.maxlen > 0 && (!isUint8Array(n.buf) || n.maxlen > n.buf.length)) fail(TSYSERR, EFAULT, `${what}.maxlen exceeds its buffer`);
  return n as netbuf;
}

/** A data buffer with a byte count (t_snd/t_rcv). */
export function dataBuffer(buf: unknown, nbytes: unknown, what: string): Uint8Array {
  if (!isCount(nbytes)) fail(TSYSERR, EFAULT, `${what}: nbytes is not a non-negative integer`);
  if (nbytes === 0) return isUint8Array(buf) ? buf.subarray(0, 0) : new Uint8Array(0);
  if (!isUint8Array(buf)) fail(TSYSERR, EFAULT, `${what}: buf is not a Uint8Array`);
  if (nbytes > buf.length) fail(TSYSERR, EFAULT, `${what}: nbytes ${nbytes} exceeds the ${buf.length}-byte buffer`);
  return nbytes === buf.length ? buf : buf.subarray(0, nbytes);
}

/** An `int *flags` out-parameter. */
export function flagsRef(flags: unknown, what: string): IntRef {
  if (typeof flags !== "object" || flags === null || typeof (flags as Partial<IntRef>).value !== "number") {
    fail(TSYSERR, EFAULT, `${what}: flags is not an { value: number } object`);
  }
  return flags as IntRef;
}

export function integer(v: unknown, what: string): number {
  if (typeof v !== "number" || !Number.isInteger(v)) fail(TSYSERR, EFAULT, `${what} is not an integer`);
  return v;
}

/** The views described by an iovec array (iov_len bytes of each iov_base). */
export function iovecViews(iov: unknown, iovcount: unknown, what: string): Uint8Array[] {
  if (!isCount(iovcount)) fail(TSYSERR, EFAULT, `${what}: iovcount is not a non-negative integer`);
  if (!Array.isArray(iov) || iov.length < iovcount) fail(TSYSERR, EFAULT, `${what}: iov has fewer than iovcount entries`);
  const views: Uint8Array[] = [];
  for (let i = 0; i < iovcount; i++) {
    const v = iov[i] as Partial<t_iovec> | undefined;
    if (v === undefined || v === null) fail(TSYSERR, EFAULT, `${what}: iov[${i}] is missing`);
    views.push(dataBuffer(v.iov_base, v.iov_len, `${what}: iov[${i}]`));
  }
  return views;
}

/**
 * The caller's receive buffers, checked before each attempt of a call that may wait: a buffer
 * freed (detached) or shrunk meanwhile is a bad pointer, TSYSERR/EFAULT, as C would fault.
 */
export class ReceiveBuffers {
  private readonly sizes: number[] = [];
  constructor(readonly views: readonly Uint8Array[]) {
    for (let i = 0; i < views.length; i++) this.sizes.push((views[i] as Uint8Array).byteLength);
  }
  check(what: string): readonly Uint8Array[] {
    // byteLength, not length: V8 can report a detached view's old length, never its old byteLength.
    for (let i = 0; i < this.views.length; i++) {
      if ((this.views[i] as Uint8Array).byteLength !== this.sizes[i]) fail(TSYSERR, EFAULT, `${what}: a buffer was freed or shrunk during the call`);
    }
    return this.views;
  }
}

/** The iovcount of t_sndv/t_rcvv and the vudata calls: 1..T_IOV_MAX, else TBADDATA. */
export function checkIovcount(iovcount: unknown, what: string): number {
  const n = integer(iovcount, `${what}: iovcount`);
  if (n === 0 || n > T_IOV_MAX) fail(TBADDATA, 0, `${what}: iovcount must be 1..${T_IOV_MAX}`);
  return n;
}

/** Largest total an iovec array may describe (INT_MAX, as libnsl caps it). */
const INT_MAX = 0x7fffffff;

/** One buffer holding the bytes of an iovec array (the views themselves when there is one). */
export function gather(views: Uint8Array[]): Uint8Array {
  let total = 0;
  for (const v of views) total += v.length;
  if (total > INT_MAX) fail(TBADDATA, 0, "the iovec array describes more than INT_MAX bytes");
  if (views.length === 1) return views[0] as Uint8Array;
  const out = new Uint8Array(total);
  let off = 0;
  for (const v of views) {
    out.set(v, off);
    off += v.length;
  }
  return out;
}

/**
 * Copy `src` into the scatter list at byte offset `at`, filling each view before the next.
 * Returns the bytes copied (less than `src.length` when the views run out).
 */
export function scatter(views: readonly Uint8Array[], at: number, src: Uint8Array): number {
  let skip = at;
  let from = 0;
  for (let i = 0; i < views.length; i++) {
    const v = views[i] as Uint8Array;
    if (from >= src.length) break;
    if (skip >= v.length) {
      skip -= v.length;
      continue;
    }
    const n = Math.min(v.length - skip, src.length - from);
    v.set(from === 0 && n === src.length ? src : src.subarray(from, from + n), skip);
    from += n;
    skip = 0;
  }
  return from;
}
