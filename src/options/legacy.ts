/**
 * The TLI option buffer format (T_SVR4_OPTMGMT_REQ): a sequence of `struct opthdr { t_uscalar_t
 * level, name, len; }` where `len` is the length of the value that follows, padded to a multiple
 * of 4 (OPTLEN). Host byte order, as C code fills them.
 */
import { isBytes, show } from "../show.js";
import { guarded, invalidArgument } from "../xtierror.js";
import { HOST_LITTLE_ENDIAN } from "./opthdr.js";

/** sizeof(struct opthdr). */
export const OPTHDR_SIZE = 12;

/** One option of a TLI (legacy opthdr) buffer. */
export interface LegacyOption {
  level: number;
  name: number;
  value: Uint8Array;
}

/** OPTLEN(x): the space a value of x bytes takes. Throws XTIError for a non-length. */
export function OPTLEN(x: number): number {
  if (typeof x !== "number" || !Number.isInteger(x) || x < 0 || x > 0x7ffffffc) invalidArgument("OPTLEN", `${show(x)} is not a length`);
  return (x + 3) & ~3;
}

/** Parse a legacy option buffer; null when malformed (t_optmgmt then fails TBADOPT) or not a Uint8Array. */
export function decodeLegacyOptions(bytes: Uint8Array): LegacyOption[] | null {
  try {
    return decode(bytes);
  } catch {
    return null; // a buffer detached or shrunk under us
  }
}

function decode(bytes: Uint8Array): LegacyOption[] | null {
  if (!isBytes(bytes)) return null;
  if (bytes.length === 0) return []; // (a view of a detached buffer has no DataView)
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: LegacyOption[] = [];
  let off = 0;
  while (off < bytes.length) {
    if (off + OPTHDR_SIZE > bytes.length) return null;
    const level = v.getUint32(off, HOST_LITTLE_ENDIAN);
    const name = v.getUint32(off + 4, HOST_LITTLE_ENDIAN);
    const len = v.getUint32(off + 8, HOST_LITTLE_ENDIAN);
    const start = off + OPTHDR_SIZE;
    if (start + len > bytes.length) return null;
    out.push({ level, name, value: bytes.subarray(start, start + len) });
    off = start + OPTLEN(len);
  }
  return out;
}

/** Encode options as legacy opthdr records. Throws XTIError for a malformed option. */
export function encodeLegacyOptions(options: ReadonlyArray<{ level: number; name: number; value?: Uint8Array }>): Uint8Array {
  return guarded("encodeLegacyOptions", () => encode(options));
}

type LegacyOptionInput = { level: number; name: number; value?: Uint8Array };

function encode(input: ReadonlyArray<LegacyOptionInput>): Uint8Array {
  if (!Array.isArray(input)) invalidArgument("encodeLegacyOptions", `options is ${show(input)}, not an array`);
  // Array.isArray widens the elements to any; keep the declared type.
  const options: ReadonlyArray<LegacyOptionInput> = input;
  for (const o of options) {
    if (o.value !== undefined && !isBytes(o.value)) invalidArgument("encodeLegacyOptions", "an option value is not a Uint8Array");
    for (const n of [o.level, o.name]) if (typeof n !== "number" || !Number.isInteger(n)) invalidArgument("encodeLegacyOptions", `${show(n)} is not an option level or name`);
  }
  let size = 0;
  for (const o of options) size += OPTHDR_SIZE + OPTLEN(o.value?.length ?? 0);
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  let off = 0;
  for (const o of options) {
    const value = o.value ?? new Uint8Array(0);
    v.setUint32(off, o.level >>> 0, HOST_LITTLE_ENDIAN);
    v.setUint32(off + 4, o.name >>> 0, HOST_LITTLE_ENDIAN);
    v.setUint32(off + 8, value.length, HOST_LITTLE_ENDIAN);
    out.set(value, off + OPTHDR_SIZE);
    off += OPTHDR_SIZE + OPTLEN(value.length);
  }
  return out;
}
