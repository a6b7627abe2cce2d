/**
 * The XTI option buffer format: a sequence of `struct t_opthdr { t_uscalar_t len, level, name,
 * status; }` each followed by its value, in host byte order, every header aligned to 4 bytes.
 * `len` counts the header and the value. Includes the T_OPT_FIRSTHDR / T_OPT_NEXTHDR / T_OPT_DATA
 * navigation of <xti.h>, working on offsets into a netbuf.
 */
import { isBytes, show } from "../show.js";
import type { netbuf } from "../structs.js";
import { guarded, invalidArgument } from "../xtierror.js";

/** sizeof(struct t_opthdr). */
export const T_OPTHDR_SIZE = 16;

/** Option buffers use the host's byte order, as C code fills them with plain stores. */
export const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** struct t_opthdr: the header of one option in an option buffer (len counts header and value). */
export interface t_opthdr {
  len: number;
  level: number;
  name: number;
  status: number;
}

/** One option: header fields plus its value bytes. */
export interface XtiOption {
  level: number;
  name: number;
  status: number;
  value: Uint8Array;
}

function align4(n: number): number {
  return (n + 3) & ~3;
}

function view(buf: Uint8Array): DataView {
  return new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** The meaningful length of a netbuf, or -1 when it is not one. */
function usableLength(nb: unknown): number {
  try {
    const { buf, len } = nb as netbuf;
    return isBytes(buf) && Number.isInteger(len) && len >= 0 && len <= buf.length ? len : -1;
  } catch {
    return -1;
  }
}

/**
 * Offset of the first header, or null if the buffer cannot hold one (T_OPT_FIRSTHDR; null for
 * anything but a netbuf). C walks an option buffer with pointers; here the three macros work on
 * offsets into the netbuf:
 *
 * ```ts
 * for (let h = T_OPT_FIRSTHDR(ret.opt); h !== null; h = T_OPT_NEXTHDR(ret.opt, h)) {
 *   const { level, name, status, len } = readOpthdr(ret.opt.buf, h);
 *   const value = ret.opt.buf.subarray(T_OPT_DATA(h), h + len);
 * }
 * ```
 */
export function T_OPT_FIRSTHDR(nb: netbuf): number | null {
  return usableLength(nb) >= T_OPTHDR_SIZE ? 0 : null;
}

/** Offset of the header after the one at `offset`, or null when there is none (T_OPT_NEXTHDR; null for bad arguments). */
export function T_OPT_NEXTHDR(nb: netbuf, offset: number): number | null {
  try {
    const len = usableLength(nb);
    if (len < 0 || typeof offset !== "number" || !Number.isInteger(offset) || offset < 0 || offset + T_OPTHDR_SIZE > len) return null;
    const h = readOpthdr(nb.buf, offset);
    if (h.len < T_OPTHDR_SIZE) return null;
    const next = align4(offset + h.len);
    return next + T_OPTHDR_SIZE <= len ? next : null;
  } catch {
    return null; // a netbuf that changed under us (a getter): no next header
  }
}

/** Offset of the value of the option whose header is at `offset` (T_OPT_DATA). Throws XTIError for a non-offset. */
export function T_OPT_DATA(offset: number): number {
  if (typeof offset !== "number" || !Number.isInteger(offset) || offset < 0) invalidArgument("T_OPT_DATA", `${show(offset)} is not an offset`);
  return offset + T_OPTHDR_SIZE;
}

/** The t_opthdr at `offset` of `buf`. Throws XTIError when there is none there. */
export function readOpthdr(buf: Uint8Array, offset: number): t_opthdr {
  return guarded("readOpthdr", () => opthdrAt(buf, offset));
}

function opthdrAt(buf: Uint8Array, offset: number): t_opthdr {
  if (!isBytes(buf) || typeof offset !== "number" || !Number.isInteger(offset) || offset < 0 || offset + T_OPTHDR_SIZE > buf.length) {
    invalidArgument("readOpthdr", "no t_opthdr fits at that offset of the buffer");
  }
  const v = view(buf);
  return {
    len: v.getUint32(offset, HOST_LITTLE_ENDIAN),
    level: v.getUint32(offset + 4, HOST_LITTLE_ENDIAN),
    name: v.getUint32(offset + 8, HOST_LITTLE_ENDIAN),
    status: v.getUint32(offset + 12, HOST_LITTLE_ENDIAN),
  };
}

/**
 * Parse an option buffer. Returns null when it is malformed (no complete header, a `len` shorter
 * than a header or running past the buffer): t_optmgmt then fails TBADOPT.
 */
export function decodeOptions(bytes: Uint8Array): XtiOption[] | null {
  try {
    return decode(bytes);
  } catch {
    return null; // a buffer detached or shrunk under us
  }
}

function decode(bytes: Uint8Array): XtiOption[] | null {
  if (!isBytes(bytes) || bytes.length < T_OPTHDR_SIZE) return null;
  const out: XtiOption[] = [];
  let off = 0;
  while (off + T_OPTHDR_SIZE <= bytes.length) {
    const h = readOpthdr(bytes, off);
    if (h.len < T_OPTHDR_SIZE || off + h.len > bytes.length) return null;
    out.push({ level: h.level, name: h.name, status: h.status, value: bytes.subarray(off + T_OPTHDR_SIZE, off + h.len) });
    off = align4(off + h.len);
  }
  return out;
}

/** The encoded size of `options`. */
export function encodedOptionsSize(options: readonly Pick<XtiOption, "value">[]): number {
  let size = 0;
  for (const o of options) size = align4(size) + T_OPTHDR_SIZE + o.value.length;
  return size;
}

/**
 * Encode options into a new t_opthdr buffer (status defaults to 0), for the `opt` of a t_optmgmt
 * request. Throws XTIError for a malformed option. With scalarValue (a t_scalar_t or
 * t_uscalar_t), scalarsValue (struct t_linger, struct t_kpalive) and decodeOptions for the answer:
 *
 * ```ts
 * const req = t_optmgmt_of(encodeOptions([{ level: XTI_GENERIC, name: XTI_RCVBUF, value: scalarValue(32768) }]), T_NEGOTIATE);
 * const ret = t_optmgmt_of(256);
 * if (await t_optmgmt(fd, req, ret) < 0) t_error("t_optmgmt");
 * const [rcvbuf] = decodeOptions(netbufBytes(ret.opt)) ?? [];   // { level, name, status, value }
 * console.log(rcvbuf.status === T_SUCCESS, readUscalar(rcvbuf.value));
 * ```
 */
export function encodeOptions(options: ReadonlyArray<{ level: number; name: number; status?: number; value?: Uint8Array }>): Uint8Array {
  return guarded("encodeOptions", () => encode(options));
}

type OptionToEncode = { level: number; name: number; status?: number; value?: Uint8Array };

function encode(input: ReadonlyArray<OptionToEncode>): Uint8Array {
  if (!Array.isArray(input)) invalidArgument("encodeOptions", `options is ${show(input)}, not an array`);
  // Array.isArray widens the elements to any; keep the declared type.
  const options: ReadonlyArray<OptionToEncode> = input;
  const norm = options.map((o) => {
    const value = o.value ?? new Uint8Array(0);
    const status = o.status ?? 0;
    if (!isBytes(value)) invalidArgument("encodeOptions", "an option value is not a Uint8Array");
    for (const n of [o.level, o.name, status]) if (typeof n !== "number" || !Number.isInteger(n)) invalidArgument("encodeOptions", `${show(n)} is not an option level, name or status`);
    return { level: o.level, name: o.name, status, value };
  });
  const out = new Uint8Array(encodedOptionsSize(norm));
  const v = view(out);
  let off = 0;
  for (const o of norm) {
    off = align4(off);
    v.setUint32(off, T_OPTHDR_SIZE + o.value.length, HOST_LITTLE_ENDIAN);
    v.setUint32(off + 4, o.level >>> 0, HOST_LITTLE_ENDIAN);
    v.setUint32(off + 8, o.name >>> 0, HOST_LITTLE_ENDIAN);
    v.setUint32(off + 12, o.status >>> 0, HOST_LITTLE_ENDIAN);
    out.set(o.value, off + T_OPTHDR_SIZE);
    off += T_OPTHDR_SIZE + o.value.length;
  }
  return out;
}

// ---- option values ----

function scalar(call: string, n: unknown): number {
  if (typeof n !== "number" || !Number.isInteger(n) || n < -0x80000000 || n > 0xffffffff) invalidArgument(call, `${show(n)} is not a 32-bit integer`);
  return n | 0;
}

/** A t_scalar_t / t_uscalar_t value (4 bytes, host order). T_INFINITE etc. encode as signed. */
export function scalarValue(n: number): Uint8Array {
  const out = new Uint8Array(4);
  view(out).setInt32(0, scalar("scalarValue", n), HOST_LITTLE_ENDIAN);
  return out;
}

function checkRead(call: string, value: unknown, index: unknown): asserts value is Uint8Array {
  if (!isBytes(value) || typeof index !== "number" || !Number.isInteger(index) || index < 0 || index * 4 + 4 > value.length) {
    invalidArgument(call, "no 4-byte value at that index");
  }
}

/** Read a t_uscalar_t value (unsigned). Throws XTIError when there is none at `index`. */
export function readUscalar(value: Uint8Array, index = 0): number {
  checkRead("readUscalar", value, index);
  return guarded("readUscalar", () => view(value).getUint32(index * 4, HOST_LITTLE_ENDIAN));
}

/** Read a t_scalar_t value (signed). Throws XTIError when there is none at `index`. */
export function readScalar(value: Uint8Array, index = 0): number {
  checkRead("readScalar", value, index);
  return guarded("readScalar", () => view(value).getInt32(index * 4, HOST_LITTLE_ENDIAN));
}

/** A sequence of t_scalar_t values (struct t_linger, struct t_kpalive, XTI_DEBUG). */
export function scalarsValue(...values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const v = view(out);
  values.forEach((n, i) => v.setInt32(i * 4, scalar("scalarsValue", n), HOST_LITTLE_ENDIAN));
  return out;
}
