/**
 * The error state of the C-style API: t_errno, errno and t_errdetail, set by a failing call and
 * read right after it, as in C. They are live bindings: `import { t_errno } from "xti"` always
 * reads the current value, while a copy taken by destructuring (`const { t_errno } =
 * require("xti")`) keeps the value it had when it was taken. Module state is per thread, as
 * libnsl's thread-specific t_errno is: each worker_threads worker has its own.
 */

/** The XTI error of the last failing call in this thread (TBADF, TLOOK, ...). */
export let t_errno = 0;
/** The system error accompanying TSYSERR; also set by fcntl and poll, as errno(3) is. */
export let errno = 0;
/**
 * What the library knows about the last failure beyond its code, in words (e.g. "nbytes 10
 * exceeds the 4-byte buffer"): for logs and debugging, never for program logic. xti's own
 * addition: C has no such variable.
 */
export let t_errdetail = "";

/** Record a failed XTI call. */
export function setFailure(code: number, sysErrno: number, detail: string): void {
  t_errno = code;
  errno = sysErrno;
  t_errdetail = detail;
}

/** Record a failed system-style call (fcntl, poll): errno only, as C's errno. */
export function setErrno(sysErrno: number): void {
  errno = sysErrno;
}
