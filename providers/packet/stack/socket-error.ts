/**
 * An API misuse or a request the stack cannot meet (port in use, not a local address, not
 * connected...), with the errno name a socket would report. The stack's callers map it to their
 * own error space (the XTI provider to TPI errors: EADDRINUSE is TADDRBUSY, and so on).
 */
export type SocketErrorCode = "EADDRINUSE" | "EADDRNOTAVAIL" | "EINVAL" | "ENOTCONN" | "ENETUNREACH" | "EPIPE";

export class SocketError extends Error {
  constructor(
    readonly code: SocketErrorCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
    this.name = "SocketError";
  }
}
