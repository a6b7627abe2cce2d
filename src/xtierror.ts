/** The exception of the idiomatic API: a failed XTI call with its t_errno and errno. */
import { TSYSERR } from "./constants.js";
import { errnoName, strerror } from "./errno.js";
import { t_strerror, tErrnoName } from "./messages.js";

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
    const sys = t_errno === TSYSERR && errno !== 0 ? `: ${errnoName(errno)} (${strerror(errno)})` : "";
    const extra = detail !== undefined && detail !== "" ? ` — ${detail}` : "";
    super(`${call}: ${tErrnoName(t_errno)}: ${t_strerror(t_errno)}${sys}${extra}`);
    this.name = "XTIError";
    this.t_errno = t_errno;
    this.errno = errno;
    this.call = call;
    this.code = tErrnoName(t_errno);
  }
}
