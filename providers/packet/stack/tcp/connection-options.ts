/**
 * ConnectionOptions, the settings a connection is made with (XTI options set before t_connect, or
 * on a listener for the connections it makes): checking them, keeping them, applying them.
 */
import { checkIpByte, type TcpConnection } from "./connection.js";
import { TcpError, type ConnectionOptions } from "./types.js";

function positiveOrUndefined(value: number | undefined, what: string): void {
  if (value !== undefined && (!Number.isInteger(value) || value < 1)) throw new TcpError("EINVAL", `bad ${what} ${value}`);
}

/** EINVAL for a value no connection can take. */
export function checkConnectionOptions(options: ConnectionOptions): void {
  positiveOrUndefined(options.sendBufferSize, "send buffer size");
  positiveOrUndefined(options.receiveBufferSize, "receive buffer size");
  positiveOrUndefined(options.keepAliveIdleMs, "keepalive idle time");
  if (options.ttl !== undefined) checkIpByte(options.ttl, 1, "TTL");
  if (options.tos !== undefined) checkIpByte(options.tos, 0, "TOS");
}

/** Only the connection options, out of a larger options object (a listener keeps these). */
export function connectionOptionsOf(options: ConnectionOptions): ConnectionOptions {
  const { noDelay, sendBufferSize, receiveBufferSize, ttl, tos, keepAlive, keepAliveIdleMs } = options;
  return {
    ...(noDelay === undefined ? {} : { noDelay }),
    ...(sendBufferSize === undefined ? {} : { sendBufferSize }),
    ...(receiveBufferSize === undefined ? {} : { receiveBufferSize }),
    ...(ttl === undefined ? {} : { ttl }),
    ...(tos === undefined ? {} : { tos }),
    ...(keepAlive === undefined ? {} : { keepAlive }),
    ...(keepAliveIdleMs === undefined ? {} : { keepAliveIdleMs }),
  };
}

/** What the connection constructor does not take itself (the buffer sizes it does). */
export function applyConnectionOptions(conn: TcpConnection, options: ConnectionOptions): void {
  if (options.noDelay === true) conn.setNoDelay(true);
  if (options.ttl !== undefined) conn.setTtl(options.ttl);
  if (options.tos !== undefined) conn.setTos(options.tos);
  if (options.keepAlive === true || options.keepAliveIdleMs !== undefined) {
    conn.setKeepAlive(options.keepAlive === true, options.keepAliveIdleMs === undefined ? {} : { idleMs: options.keepAliveIdleMs });
  }
}
