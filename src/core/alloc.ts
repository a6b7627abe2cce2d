/**
 * t_alloc and t_free. Buffers are sized from the provider's t_info as libnsl does: a positive size
 * gives a buffer of that size, 0 a NULL buffer; T_INFINITE and T_INVALID give a NULL buffer and,
 * under XTI, fail TSYSERR/EINVAL unless `fields` is exactly T_ALL (TLI gives 1024 bytes for
 * T_INFINITE). XTI adds room for XTI-level options to opt buffers.
 */
import {
  T_ADDR,
  T_BIND,
  T_CALL,
  T_DIS,
  T_INFINITE,
  T_INFO,
  T_INVALID,
  T_OPT,
  T_OPTMGMT,
  T_UDATA,
  T_UDERROR,
  T_UNITDATA,
  TNOSTRUCTYPE,
  TSYSERR,
} from "../constants.js";
import { EINVAL } from "../errno.js";
import type { SemanticsProfile } from "../profile.js";
import type { t_bind, t_optmgmt } from "../api.js";
import type { netbuf, t_call, t_discon, t_info, t_uderr, t_unitdata } from "../structs.js";
import { integer } from "./args.js";
import type { CoreEndpoint } from "./endpoint.js";
import { fail } from "./failure.js";

/** Any structure t_alloc returns and t_free takes. */
export type XtiStruct = t_bind | t_call | t_discon | t_optmgmt | t_unitdata | t_uderr | t_info;

function allocBuf(size: number, fields: number, profile: SemanticsProfile): netbuf {
  const empty = (): netbuf => ({ maxlen: 0, len: 0, buf: new Uint8Array(0) });
  if (size > 0) return { maxlen: size, len: 0, buf: new Uint8Array(size) };
  if (size === 0) return empty();
  if (size === T_INFINITE && profile.tallocInfiniteSize !== null) {
    const n = profile.tallocInfiniteSize;
    return { maxlen: n, len: 0, buf: new Uint8Array(n) };
  }
  if (size === T_INFINITE || (size === T_INVALID && profile.tallocInvalidFails)) {
    if (fields !== profile.tAll) fail(TSYSERR, EINVAL, `the provider gives no size for this field (${size}); use T_ALL or allocate it yourself`);
  }
  return empty();
}

export function t_alloc(ep: CoreEndpoint, structType: unknown, fieldsArg: unknown): XtiStruct {
  ep.checkUsable();
  const type = integer(structType, "struct_type");
  const fields = integer(fieldsArg, "fields");
  const info = ep.info();
  const profile = ep.profile;
  const none = (): netbuf => ({ maxlen: 0, len: 0, buf: new Uint8Array(0) });
  const pick = (bit: number, size: number): netbuf => ((fields & bit) !== 0 ? allocBuf(size, fields, profile) : none());
  const optSize = info.options >= 0 ? info.options + profile.tallocXtiOptionRoom : info.options;
  switch (type) {
    case T_BIND:
      return { addr: pick(T_ADDR, info.addr), qlen: 0 };
    case T_CALL:
      return { addr: pick(T_ADDR, info.addr), opt: pick(T_OPT, optSize), udata: pick(T_UDATA, Math.max(info.connect, info.discon)), sequence: 0 };
    case T_OPTMGMT:
      return { opt: pick(T_OPT, optSize), flags: 0 };
    case T_DIS:
      return { udata: pick(T_UDATA, info.discon), reason: 0, sequence: 0 };
    case T_UNITDATA:
      return { addr: pick(T_ADDR, info.addr), opt: pick(T_OPT, optSize), udata: pick(T_UDATA, info.tsdu) };
    case T_UDERROR:
      return { addr: pick(T_ADDR, info.addr), opt: pick(T_OPT, optSize), error: 0 };
    case T_INFO:
      return { addr: 0, options: 0, tsdu: 0, etsdu: 0, connect: 0, discon: 0, servtype: 0, flags: 0 };
    default:
      fail(TNOSTRUCTYPE, 0, `unknown structure type ${type}`);
  }
}

const KNOWN_TYPES = new Set([T_BIND, T_OPTMGMT, T_CALL, T_DIS, T_UNITDATA, T_UDERROR, T_INFO]);

/** t_free: nothing to release in JavaScript, but the structure's buffers are detached as free() would. */
export function t_free(ptr: unknown, structType: unknown): number {
  const type = integer(structType, "struct_type");
  if (!KNOWN_TYPES.has(type)) fail(TNOSTRUCTYPE, 0, `unknown structure type ${type}`);
  if (typeof ptr === "object" && ptr !== null) {
    for (const value of Object.values(ptr)) {
      if (typeof value === "object" && value !== null && "buf" in value && "maxlen" in value) {
        const nb = value as netbuf;
        nb.buf = new Uint8Array(0);
        nb.maxlen = 0;
        nb.len = 0;
      }
    }
  }
  return 0;
}
