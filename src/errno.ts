/**
 * The Linux errno values xti reports with TSYSERR and as disconnect reasons, with their names
 * and messages (for t_error and XTIError).
 */
import { show } from "./show.js";

/** EPERM (1): operation not permitted. */
export const EPERM = 1;
/** ENOENT (2): no such file or directory. */
export const ENOENT = 2;
/** EINTR (4): interrupted system call. */
export const EINTR = 4;
/** EIO (5): input/output error. */
export const EIO = 5;
/** ENXIO (6): no such device or address (a raw device no host serves). */
export const ENXIO = 6;
/** EBADF (9): bad file descriptor. */
export const EBADF = 9;
/** EAGAIN (11): resource temporarily unavailable. */
export const EAGAIN = 11;
/** ENOMEM (12): cannot allocate memory. */
export const ENOMEM = 12;
/** EACCES (13): permission denied. */
export const EACCES = 13;
/** EFAULT (14): bad address. */
export const EFAULT = 14;
/** EBUSY (16): device or resource busy. */
export const EBUSY = 16;
/** ENODEV (19): no such device (an interface that does not exist). */
export const ENODEV = 19;
/** EINVAL (22): invalid argument. */
export const EINVAL = 22;
/** EMFILE (24): too many open files. */
export const EMFILE = 24;
/** EPIPE (32): broken pipe. */
export const EPIPE = 32;
/** ENOSR (63): out of streams resources. */
export const ENOSR = 63;
/** EPROTO (71): protocol error. */
export const EPROTO = 71;
/** ELIBACC (79): cannot access a needed shared library (koffi is missing). */
export const ELIBACC = 79;
/** EMSGSIZE (90): message too long. */
export const EMSGSIZE = 90;
/** EPROTONOSUPPORT (93): protocol not supported. */
export const EPROTONOSUPPORT = 93;
/** EOPNOTSUPP (95): operation not supported. */
export const EOPNOTSUPP = 95;
/** EAFNOSUPPORT (97): address family not supported by protocol. */
export const EAFNOSUPPORT = 97;
/** EADDRINUSE (98): address already in use. */
export const EADDRINUSE = 98;
/** EADDRNOTAVAIL (99): cannot assign requested address. */
export const EADDRNOTAVAIL = 99;
/** ENETDOWN (100): network is down. */
export const ENETDOWN = 100;
/** ENETUNREACH (101): network is unreachable. */
export const ENETUNREACH = 101;
/** ECONNABORTED (103): software caused connection abort. */
export const ECONNABORTED = 103;
/** ECONNRESET (104): connection reset by peer. */
export const ECONNRESET = 104;
/** ENOBUFS (105): no buffer space available. */
export const ENOBUFS = 105;
/** EISCONN (106): transport endpoint is already connected. */
export const EISCONN = 106;
/** ENOTCONN (107): transport endpoint is not connected. */
export const ENOTCONN = 107;
/** ETIMEDOUT (110): connection timed out. */
export const ETIMEDOUT = 110;
/** ECONNREFUSED (111): connection refused. */
export const ECONNREFUSED = 111;
/** EHOSTDOWN (112): host is down. */
export const EHOSTDOWN = 112;
/** EHOSTUNREACH (113): no route to host. */
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
  [EMFILE]: ["EMFILE", "Too many open files"],
  [EPIPE]: ["EPIPE", "Broken pipe"],
  [ENOSR]: ["ENOSR", "Out of streams resources"],
  [EPROTO]: ["EPROTO", "Protocol error"],
  [ELIBACC]: ["ELIBACC", "Can not access a needed shared library"],
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
  [EISCONN]: ["EISCONN", "Transport endpoint is already connected"],
  [ENOTCONN]: ["ENOTCONN", "Transport endpoint is not connected"],
  [ETIMEDOUT]: ["ETIMEDOUT", "Connection timed out"],
  [ECONNREFUSED]: ["ECONNREFUSED", "Connection refused"],
  [EHOSTDOWN]: ["EHOSTDOWN", "Host is down"],
  [EHOSTUNREACH]: ["EHOSTUNREACH", "No route to host"],
};

function entry(errno: unknown): [string, string] | undefined {
  return typeof errno === "number" && Object.hasOwn(table, errno) ? table[errno] : undefined;
}

/** The name of an errno value: "ECONNRESET", or "errno 1234" for a value xti does not know. */
export function errnoName(errno: number): string {
  return entry(errno)?.[0] ?? `errno ${show(errno)}`;
}

/** strerror(3)-style message ("Unknown error 1234" for a value xti does not know). */
export function strerror(errno: number): string {
  return entry(errno)?.[1] ?? `Unknown error ${show(errno)}`;
}

/** The errno value for a name such as "ECONNRESET" (as Node reports system errors), or EIO. */
export function errnoFromName(name: string): number {
  for (const [value, [n]] of Object.entries(table)) if (n === name) return Number(value);
  return EIO;
}
