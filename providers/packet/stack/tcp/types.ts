/**
 * Public types of the TCP engine: connection states (RFC 9293 names), disconnect reasons (errno
 * names, as XTI's T_DISCON_IND carries them), the callbacks a user installs and the counters.
 */
import { SocketError, type SocketErrorCode } from "../socket-error.js";
import type { AddressPort } from "../transport-host.js";

export enum TcpState {
  CLOSED = "CLOSED",
  LISTEN = "LISTEN",
  SYN_SENT = "SYN_SENT",
  SYN_RECEIVED = "SYN_RECEIVED",
  ESTABLISHED = "ESTABLISHED",
  FIN_WAIT_1 = "FIN_WAIT_1",
  FIN_WAIT_2 = "FIN_WAIT_2",
  CLOSE_WAIT = "CLOSE_WAIT",
  CLOSING = "CLOSING",
  LAST_ACK = "LAST_ACK",
  TIME_WAIT = "TIME_WAIT",
}

/** Why a connection ended without an orderly release. */
export type TcpDisconnectReason =
  | "ECONNREFUSED" // RST (or ICMP port/protocol unreachable) answered our SYN
  | "ECONNRESET" // the peer reset an open connection
  | "ETIMEDOUT" // retransmissions, SYNs, window probes or keepalives went unanswered
  | "EHOSTUNREACH" // ICMP host unreachable (while connecting, or as the cause of a timeout)
  | "ENETUNREACH" // ICMP net unreachable, or no route
  | "ECONNABORTED"; // the engine was closed under the connection

/** Connection callbacks (each maps onto one TPI indication). All optional. */
export interface ConnectionHandlers {
  /** Active open completed (T_CONN_CON). */
  connected?(): void;
  /**
   * In-order data (T_DATA_IND). `urgent` is true when the chunk ends with the urgent byte: the
   * last byte of `data` is the one the peer sent as urgent (T_EXDATA_IND). `data` is a view the
   * handler may keep; the receive window reopens only through `consumed()`.
   */
  data?(data: Uint8Array, urgent: boolean): void;
  /**
   * The peer's urgent pointer points beyond the data delivered so far. `offset` is the stream
   * offset (bytes since the start of the connection) of the urgent byte.
   */
  urgentPending?(offset: number): void;
  /** `sendPiece()` refused a piece, and the send buffer has since drained to half its nominal size: retry. */
  writable?(): void;
  /** The peer's FIN, after all its data (T_ORDREL_IND). */
  end?(): void;
  /** The connection ended abnormally (T_DISCON_IND). No callback follows. */
  disconnect?(reason: TcpDisconnectReason): void;
  /** Both directions were released in order (the connection is in TIME_WAIT or CLOSED). */
  closed?(): void;
}

/**
 * Settings of a connection that are chosen before it exists (XTI: options set before t_connect, or
 * on the listener before T_LISTEN). Each may be changed on the connection later, except that the
 * receive buffer size fixes the window scale offered in the SYN.
 */
export interface ConnectionOptions {
  noDelay?: boolean;
  sendBufferSize?: number;
  receiveBufferSize?: number;
  /** IP time to live of our segments (default: the stack's). */
  ttl?: number;
  /** IP type of service byte of our segments (default 0). */
  tos?: number;
  /** Keepalive probes (setKeepAlive), after `keepAliveIdleMs` of idleness (default: the engine's). */
  keepAlive?: boolean;
  keepAliveIdleMs?: number;
}

export interface ConnectionIndication {
  /** Identifies this pending connection to accept() / reject() (T_CONN_IND SEQ_number). */
  sequence: number;
  remote: AddressPort;
  local: AddressPort;
}

export interface ListenerHandlers {
  /** A handshake completed and the connection waits for accept() or reject(). */
  connectionIndication?(indication: ConnectionIndication): void;
  /** A pending connection went away before accept (T_DISCON_IND with its sequence). */
  disconnect?(sequence: number, reason: TcpDisconnectReason): void;
}

export interface ConnectionStats {
  segmentsSent: number;
  segmentsReceived: number;
  bytesSent: number;
  bytesReceived: number;
  /** Segments sent again (any cause). */
  retransmits: number;
  /** Retransmission timer expirations. */
  rtoEvents: number;
  /** Entries into fast recovery (3 duplicate ACKs or SACK loss detection). */
  fastRetransmits: number;
  /** Zero-window probes sent. */
  windowProbes: number;
  keepaliveProbes: number;
  /** Segments dropped by PAWS. */
  pawsDrops: number;
  challengeAcksSent: number;
  /** ACKs for invalid segments withheld by the per-connection rate limit. */
  invalidAcksSuppressed: number;
  outOfOrderSegments: number;
  /** Out-of-order segments refused because the reassembly queue held its maximum of pieces. */
  outOfOrderRefused: number;
  /** Smoothed RTT in ms (-1 before the first sample). */
  srtt: number;
  rttvar: number;
  rto: number;
  cwnd: number;
  ssthresh: number;
  /** Peer's advertised window in bytes (scaled). */
  sendWindow: number;
  /** Window we advertise, in bytes. */
  receiveWindow: number;
  /** Effective send MSS (payload bytes per full segment). */
  mss: number;
  /** Tail loss probes sent (RFC 8985 §7). */
  lossProbes: number;
  /** Segments RACK deemed lost (RFC 8985 §6), retransmissions included. */
  rackLosses: number;
  /** Rescue retransmissions (RFC 6675 NextSeg() rule 4). */
  rescueRetransmits: number;
  /** ACKs from the peer carrying a D-SACK (RFC 2883): a segment reached it twice. */
  dsacksReceived: number;
  /** D-SACK blocks we sent for duplicates we received. */
  dsacksSent: number;
  /** Congestion responses undone because D-SACKs showed all their retransmissions spurious (RFC 3708). */
  undoneRecoveries: number;
  /** Bytes per second the sender paces its segments at (BBR); 0 when it does not pace. */
  pacingRate: number;
  /** The latest delivery rate sample, bytes per second (draft-cheng-iccrg-delivery-rate-estimation); 0 before one. */
  deliveryRate: number;
}

/** What a connection negotiated, and where it runs (for diagnostics and the XTI adapter). */
export interface TcpConnectionInfo {
  state: TcpState;
  local: AddressPort;
  remote: AddressPort;
  windowScaling: boolean;
  sendWindowScale: number;
  receiveWindowScale: number;
  sack: boolean;
  timestamps: boolean;
}

export interface EngineStats {
  segmentsReceived: number;
  segmentsSent: number;
  /**
   * Segments dropped as malformed: undecodable ones (the reason is in the host's wire counters:
   * tcpTooShort, tcpBadDataOffset, tcpBadChecksum) and those with port 0 (`zeroPort`).
   */
  malformed: number;
  /** Segments from or to port 0 (part of `malformed`). */
  zeroPort: number;
  /** Resets sent for segments that matched no connection or listener. */
  resetsSent: number;
  /** Challenge ACKs withheld by the RFC 5961 rate limit. */
  challengeAcksSuppressed: number;
  /** SYNs (or cookie ACKs) dropped because a listener's accept queue was full, or its SYN queue without cookies. */
  listenOverflows: number;
  /** SYN-ACKs sent with a SYN cookie because a listener's SYN queue was full (RFC 4987 §3.6). */
  synCookiesSent: number;
  /** ACKs that brought a valid cookie back: connections made from cookies. */
  synCookiesValidated: number;
  /** ACKs checked for a cookie (while cookies were in use) whose cookie was invalid or too old: answered with RST. */
  synCookiesRejected: number;
  /** Connections closed by the user while `maxOrphans` others were still finishing: reset instead. */
  orphansAborted: number;
  /** Connections that went to CLOSED instead of TIME_WAIT because `maxTimeWait` were in it. */
  timeWaitOverflows: number;
  /** Orphans now: closed by the user, still delivering or waiting for the peer's FIN (not TIME_WAIT). */
  orphans: number;
  /** Connections in TIME_WAIT now. */
  timeWait: number;
  activeConnections: number;
}

/** A TCP API misuse or unmet request (bad port, port in use, unknown sequence...), with an errno-style code. */
export class TcpError extends SocketError {
  constructor(code: SocketErrorCode, message: string) {
    super(code, message);
    this.name = "TcpError";
  }
}
