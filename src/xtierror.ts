/**
 * The exception of the idiomatic API and of the helper functions: a failed XTI call (or helper)
 * with its t_errno and errno. Nothing exported by "xti" throws anything else.
 */
import { TBADADDR, TSYSERR } from "./constants.js";
import { EINVAL, errnoName, strerror } from "./errno.js";
import { t_strerror, tErrnoName } from "./messages.js";
import { isInstance, messageOf, show } from "./show.js";

/** A failed call of the idiomatic API (Endpoint) or of a helper, with its t_errno and errno. */
export class XTIError extends Error {
  /** The t_errno value (TLOOK, TBADDATA, ...). */
  readonly t_errno: number;
  /** The errno value for TSYSERR (0 otherwise, or a detail errno). */
  readonly errno: number;
  /** The XTI call that failed, e.g. "t_connect". */
  readonly call: string;
  /** "TLOOK", "TSYSERR", ... */
  readonly code: string;

  constructor(call: string, t_errno: number, errno = 0, detail?: string) {
    const callName = typeof call === "string" ? call : show(call);
    const sys = t_errno === TSYSERR && errno !== 0 ? `: ${errnoName(errno)} (${strerror(errno)})` : "";
    const extra = typeof detail === "string" && detail !== "" ? ` — ${detail}` : "";
    super(`${callName}: ${tErrnoName(t_errno)}: ${t_strerror(t_errno)}${sys}${extra}`);
    this.name = "XTIError";
    this.t_errno = t_errno;
    this.errno = errno;
    this.call = callName;
    this.code = tErrnoName(t_errno);
  }
}

/** Throw the XTIError of a helper given an argument it cannot use (TSYSERR with EINVAL). */
export function invalidArgument(call: string, detail: string): never {
  throw new XTIError(call, TSYSERR, EINVAL, detail);
}

/** Throw the XTIError of a helper given an address it cannot use (TBADADDR). */
export function badAddress(call: string, detail: string): never {
  throw new XTIError(call, TBADADDR, 0, detail);
}

/**
 * Run a helper so that it throws only XTIError: whatever else escapes it (a TypeError from a
 * value of the wrong kind, a RangeError from a size no buffer can have) becomes TSYSERR/EINVAL.
 */
export function guarded<T>(call: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (isInstance(e, XTIError)) throw e;
    throw new XTIError(call, TSYSERR, EINVAL, messageOf(e));
  }
}
