/**
 * The user-space TCP engine (RFC 9293), one per Stack: `new TcpEngine(stack)` and
 * `stack.registerProtocol(IPPROTO_TCP, engine)`.
 *
 * Modules: seq (modulo-2^32 arithmetic), isn (RFC 6528), rtt (RFC 6298), options (SYN option
 * negotiation, MSS), events (callback delivery, held until accept), congestion (NewReno
 * window arithmetic, IW10), scoreboard (RFC 6675), send-buffer, reassembly (out-of-order data and
 * SACK blocks), receiver, sender (what to send next, loss recovery), connection (the state
 * machine, timers, callbacks), listener (accept queue), binding (a port reserved before listen or
 * connect), engine (demultiplexing, RST for closed ports, the port table, challenge-ACK rate limit).
 *
 * Choices where the RFCs leave room, in one place:
 *  - Initial window: RFC 6928 (IW10). Minimum RTO 200 ms, maximum 120 s (configurable).
 *  - SACK-based recovery is RFC 6675 without NextSeg() rules 3-4; a partial ACK in SACK recovery
 *    resends the new head if it was not resent yet. The scoreboard survives one RTO and is cleared
 *    on the second (reneging guard).
 *  - Urgent pointer: one past the urgent byte (RFC 6093, as Linux and the BSDs); one urgent byte
 *    at a time, a newer one demoting an undelivered older one.
 *  - Backlog: a SYN meeting a full accept queue is dropped, and so is a handshake-completing ACK
 *    (Linux with tcp_abort_on_overflow = 0); the SYN-ACK retransmission completes it later.
 *  - TIME_WAIT: 2×MSL; an exact-sequence RST ends it (Linux behaviour, not RFC 1337); a new SYN
 *    with a newer timestamp (or sequence number without timestamps) reopens the 4-tuple.
 *  - close() with unread data, or data arriving after close(), resets the connection (Linux).
 *  - A window the peer shrinks onto data in flight is probed (RFC 1122 §4.2.2.16), and the data
 *    is resent without a congestion response when it reopens.
 *  - Zero-window probes carry one byte (new data, or the oldest unacknowledged byte).
 *  - A non-RST segment without the negotiated timestamp option is accepted (as Linux does).
 */
export { TcpEngine, type BindOptions, type ConnectOptions, type ListenOptions } from "./engine.js";
export { TcpBinding, type BindingConnectOptions, type BindingListenOptions } from "./binding.js";
export { TcpConnection, type KeepaliveOptions, type SendOptions } from "./connection.js";
export { TcpListener } from "./listener.js";
export { DEFAULT_TCP_CONFIG, type TcpConfig } from "./config.js";
export {
  TcpError,
  TcpState,
  type ConnectionHandlers,
  type ConnectionIndication,
  type ConnectionOptions,
  type ConnectionStats,
  type EngineStats,
  type ListenerHandlers,
  type TcpConnectionInfo,
  type TcpDisconnectReason,
} from "./types.js";
export type { AddressPort } from "../transport-host.js";
