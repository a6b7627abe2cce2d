/**
 * How the core reports a failed call: it throws an XtiFailure carrying t_errno (and errno for
 * TSYSERR). The C-style API turns it into -1 plus t_errno, the idiomatic API into an XTIError.
 */
import { TSYSERR } from "../constants.js";
import { EFAULT, EIO } from "../errno.js";
import { isInstance, messageOf } from "../show.js";
import { PROVIDER_ERROR_BRAND, ProviderError } from "../spi/contract.js";
import * as C from "../constants.js";

export class XtiFailure {
  constructor(
    readonly t_errno: number,
    readonly errno: number = 0,
    /** What the library knows beyond the code (for XTIError messages). */
    readonly detail?: string,
  ) {}
}

export function fail(t_errno: number, errno = 0, detail?: string): never {
  throw new XtiFailure(t_errno, errno, detail);
}

const PROVIDER_CODES: Record<ProviderError["code"], number> = {
  TBADADDR: C.TBADADDR,
  TBADOPT: C.TBADOPT,
  TACCES: C.TACCES,
  TBADF: C.TBADF,
  TNOADDR: C.TNOADDR,
  TOUTSTATE: C.TOUTSTATE,
  TBADSEQ: C.TBADSEQ,
  TSYSERR: C.TSYSERR,
  TBADDATA: C.TBADDATA,
  TADDRBUSY: C.TADDRBUSY,
  TRESADDR: C.TRESADDR,
  TNOTSUPPORT: C.TNOTSUPPORT,
  TPROVMISMATCH: C.TPROVMISMATCH,
  TRESQLEN: C.TRESQLEN,
};

/**
 * A ProviderError, recognised by its brand rather than by its class: a provider built against
 * another copy of this package (its own node_modules, or the compiled dist next to these sources)
 * throws its own ProviderError class, branded with the same registered symbol.
 */
function isProviderError(e: unknown): e is ProviderError {
  if (isInstance(e, ProviderError)) return true;
  if (typeof e !== "object" || e === null || (e as { [PROVIDER_ERROR_BRAND]?: unknown })[PROVIDER_ERROR_BRAND] !== true) return false;
  const { code, errno } = e as { code?: unknown; errno?: unknown };
  return typeof code === "string" && Object.hasOwn(PROVIDER_CODES, code) && typeof errno === "number";
}

function knownFailure(e: unknown): XtiFailure | null {
  if (isInstance(e, XtiFailure)) return e;
  try {
    if (isProviderError(e)) return new XtiFailure(PROVIDER_CODES[e.code], e.errno, messageOf(e));
  } catch {
    // a thrown proxy whose traps throw: not a ProviderError
  }
  return null;
}

/**
 * An exception thrown by a provider, as an XtiFailure: error acks map to their t_errno; anything
 * unexpected (a provider bug) becomes TSYSERR/EIO rather than escaping. Every call into a
 * provider goes through this (core/guard.ts), so that an unexpected exception met anywhere else
 * can only come from the caller's arguments.
 */
export function toFailure(e: unknown): XtiFailure {
  return knownFailure(e) ?? new XtiFailure(TSYSERR, EIO, `provider failure: ${messageOf(e)}`);
}

/**
 * Any exception met while serving a call, as the failure the caller sees. Provider exceptions
 * were already turned into failures by the guard, so anything else came from the arguments: a
 * getter or proxy that throws, a buffer detached or shrunk during the call, a value of the wrong
 * kind. C would have followed a bad pointer; xti fails TSYSERR with EFAULT.
 */
export function callerFailure(e: unknown): XtiFailure {
  return knownFailure(e) ?? new XtiFailure(TSYSERR, EFAULT, `bad argument: ${messageOf(e)}`);
}
