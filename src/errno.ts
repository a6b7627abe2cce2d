/**
 * The Linux errno values xti reports with TSYSERR and as disconnect reasons, with their names
 * and messages (for t_error and XTIError).
 */
export const EPERM = 1;
export const ENOENT = 2;
export const EINTR = 4;
export const EIO = 5;
export const ENXIO = 6;
export const EBADF = 9;
export const EAGAIN = 11;
export const ENOMEM = 12;
export const EACCES = 13;
export const EFAULT = 14;
export const EBUSY = 16;
export const ENODEV = 19;
export const EINVAL = 22;
export const EPIPE = 32;
export const ENOSR = 63;
export const EPROTO = 71;
export const EMSGSIZE = 90;
export const EPROTONOSUPPORT = 93;
export const EOPNOTSUPP = 95;
export const EAFNOSUPPORT = 97;
export const EADDRINUSE = 98;
export const EADDRNOTAVAIL = 99;
export const ENETDOWN = 100;
export const ENETUNREACH = 101;
export const ECONNABORTED = 103;
export const ECONNRESET = 104;
export const ENOBUFS = 105;
export const ENOTCONN = 107;
export const ETIMEDOUT = 110;
export const ECONNREFUSED = 111;
export const EHOSTDOWN = 112;
export const EHOSTUNREACH = 113;

const table: Record<number, [string, string]> = {
  [EPERM]: ["EPERM", "Operation not permitted"],
  [ENOENT]: ["ENOENT", "No such file or directory"],
  [EINTR]: ["EINTR", "Interrupted system call"],
  [EIO]: ["EIO", "Input/output error"],
  [ENXIO]: ["ENXIO", "No such device or address"],
  [EBADF]: ["EBADF", "Bad file descriptor"],
  [EAGAIN]: ["EAGAIN", "Resource temporarily unavailable"],
  [ENOMEM]: ["ENOMEM", "Cannot allocate memory"],
  [EACCES]: ["EACCES", "Permission denied"],
  [EFAULT]: ["EFAULT", "Bad address"],
  [EBUSY]: ["EBUSY", "Device or resource busy"],
  [ENODEV]: ["ENODEV", "No such device"],
  [EINVAL]: ["EINVAL", "Invalid argument"],
  [EPIPE]: ["EPIPE", "Broken pipe"],
  [ENOSR]: ["ENOSR", "Out of streams resources"],
  [EPROTO]: ["EPROTO", "Protocol error"],
  [EMSGSIZE]: ["EMSGSIZE", "Message too long"],
  [EPROTONOSUPPORT]: ["EPROTONOSUPPORT", "Protocol not supported"],
  [EOPNOTSUPP]: ["EOPNOTSUPP", "Operation not supported"],
  [EAFNOSUPPORT]: ["EAFNOSUPPORT", "Address family not supported by protocol"],
  [EADDRINUSE]: ["EADDRINUSE", "Address already in use"],
  [EADDRNOTAVAIL]: ["EADDRNOTAVAIL", "Cannot assign requested address"],
  [ENETDOWN]: ["ENETDOWN", "Network is down"],
  [ENETUNREACH]: ["ENETUNREACH", "Network is unreachable"],
  [ECONNABORTED]: ["ECONNABORTED", "Software caused connection abort"],
  [ECONNRESET]: ["ECONNRESET", "Connection reset by peer"],
  [ENOBUFS]: ["ENOBUFS", "No buffer space available"],
  [ENOTCONN]: ["ENOTCONN", "Transport endpoint is not connected"],
  [ETIMEDOUT]: ["ETIMEDOUT", "Connection timed out"],
  [ECONNREFUSED]: ["ECONNREFUSED", "Connection refused"],
  [EHOSTDOWN]: ["EHOSTDOWN", "Host is down"],
  [EHOSTUNREACH]: ["EHOSTUNREACH", "No route to host"],
};

/** "ECONNRESET", or "errno 1234" for a value xti does not know. */
export function errnoName(errno: number): string {
  return table[errno]?.[0] ?? `errno ${errno}`;
}

/** strerror(3)-style message. */
export function strerror(errno: number): string {
  return table[errno]?.[1] ?? `Unknown error ${errno}`;
}

/** The errno value for a name such as "ECONNRESET" (as Node reports system errors), or EIO. */
export function errnoFromName(name: string): number {
  for (const [value, [n]] of Object.entries(table)) if (n === name) return Number(value);
  return EIO;
}
