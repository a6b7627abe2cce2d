/**
 * How the core reports a failed call: it throws an XtiFailure carrying t_errno (and errno for
 * TSYSERR). The C-style API turns it into -1 plus t_errno, the idiomatic API into an XTIError.
 */
import { TSYSERR } from "../constants.js";
import { EIO } from "../errno.js";
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
  if (e instanceof ProviderError) return true;
  if (typeof e !== "object" || e === null || (e as { [PROVIDER_ERROR_BRAND]?: unknown })[PROVIDER_ERROR_BRAND] !== true) return false;
  const { code, errno } = e as { code?: unknown; errno?: unknown };
  return typeof code === "string" && Object.hasOwn(PROVIDER_CODES, code) && typeof errno === "number";
}

/**
 * Any exception met while serving a call, as an XtiFailure: provider error acks map to their
 * t_errno; anything unexpected (a provider bug) becomes TSYSERR/EIO rather than escaping.
 */
export function toFailure(e: unknown): XtiFailure {
  if (e instanceof XtiFailure) return e;
  if (isProviderError(e)) return new XtiFailure(PROVIDER_CODES[e.code], e.errno, e.message);
  const message = e instanceof Error ? e.message : String(e);
  return new XtiFailure(TSYSERR, EIO, `provider failure: ${message}`);
}
