import { getSystemErrorName } from "node:util";

/** errno → its symbolic name ("ENODEV"), or "E<n>" for a number Node does not know. */
export function errnoName(errno: number): string {
  // Node answers "Unknown system error -n" for numbers libuv has no name for.
  const name = Number.isInteger(errno) && errno > 0 ? getSystemErrorName(-errno) : "";
  return /^E[A-Z0-9]+$/.test(name) ? name : `E${errno}`;
}

/**
 * A failed system call, shaped like Node's own system errors (`code`, `errno`, `syscall`) so
 * callers can branch on `code === "EPERM"` and people can read the message.
 */
export class OsError extends Error {
  readonly code: string;
  readonly errno: number;
  readonly syscall: string;

  constructor(syscall: string, errno: number, description: string, context?: string) {
    const code = errnoName(errno);
    super(`${context === undefined ? "" : `${context}: `}${syscall} failed: ${code} (${description})`);
    this.name = "OsError";
    this.code = code;
    this.errno = errno;
    this.syscall = syscall;
  }
}
