/**
 * The XTI option buffer format: a sequence of `struct t_opthdr { t_uscalar_t len, level, name,
 * status; }` each followed by its value, in host byte order, every header aligned to 4 bytes.
 * `len` counts the header and the value. Includes the T_OPT_FIRSTHDR / T_OPT_NEXTHDR / T_OPT_DATA
 * navigation of <xti.h>, working on offsets into a netbuf.
 */
import type { netbuf } from "../structs.js";

/** sizeof(struct t_opthdr). */
export const T_OPTHDR_SIZE = 16;

/** Option buffers use the host's byte order, as C code fills them with plain stores. */
export const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

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

/** Offset of the first header, or null if the buffer cannot hold one (T_OPT_FIRSTHDR). */
export function T_OPT_FIRSTHDR(nb: netbuf): number | null {
  return nb.len >= T_OPTHDR_SIZE ? 0 : null;
}

/** Offset of the header after the one at `offset`, or null (T_OPT_NEXTHDR). */
export function T_OPT_NEXTHDR(nb: netbuf, offset: number): number | null {
  const h = readOpthdr(nb.buf, offset);
  const next = align4(offset + h.len);
  return next + T_OPTHDR_SIZE <= nb.len ? next : null;
}

/** Offset of the value of the option whose header is at `offset` (T_OPT_DATA). */
export function T_OPT_DATA(offset: number): number {
  return offset + T_OPTHDR_SIZE;
}

export function readOpthdr(buf: Uint8Array, offset: number): t_opthdr {
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
  if (bytes.length < T_OPTHDR_SIZE) return null;
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

/** Encode options into a new buffer (status defaults to 0). */
export function encodeOptions(options: ReadonlyArray<{ level: number; name: number; status?: number; value?: Uint8Array }>): Uint8Array {
  const norm = options.map((o) => ({ level: o.level, name: o.name, status: o.status ?? 0, value: o.value ?? new Uint8Array(0) }));
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

/** A t_scalar_t / t_uscalar_t value (4 bytes, host order). T_INFINITE etc. encode as signed. */
export function scalarValue(n: number): Uint8Array {
  const out = new Uint8Array(4);
  view(out).setInt32(0, n | 0, HOST_LITTLE_ENDIAN);
  return out;
}

/** Read a t_uscalar_t value (unsigned). */
export function readUscalar(value: Uint8Array, index = 0): number {
  return view(value).getUint32(index * 4, HOST_LITTLE_ENDIAN);
}

/** Read a t_scalar_t value (signed). */
export function readScalar(value: Uint8Array, index = 0): number {
  return view(value).getInt32(index * 4, HOST_LITTLE_ENDIAN);
}

/** A sequence of t_scalar_t values (struct t_linger, struct t_kpalive, XTI_DEBUG). */
export function scalarsValue(...values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const v = view(out);
  values.forEach((n, i) => v.setInt32(i * 4, n | 0, HOST_LITTLE_ENDIAN));
  return out;
}
