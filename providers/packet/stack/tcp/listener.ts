/**
 * A listening endpoint (RFC 9293 LISTEN). It owns its connections until the user accepts them:
 * half-open ones (SYN_RECEIVED) and completed ones waiting for accept() or reject(), each
 * identified by a sequence number as XTI's T_CONN_IND is.
 *
 * Backlog: completed handshakes beyond `backlog` are not taken. As Linux does (with
 * tcp_abort_on_overflow off), a SYN arriving while the accept queue is full is dropped, and a
 * final ACK completing a handshake while it is full is dropped too, so the SYN-ACK is retransmitted
 * and the handshake completes later if room appears.
 */
import type { PassiveOwner, TcpConnection } from "./connection.js";
import { checkConnectionOptions, connectionOptionsOf } from "./connection-options.js";
import type { Ipv4Address } from "../transport-host.js";
import { TcpError, type ConnectionHandlers, type ConnectionOptions, type ListenerHandlers, type TcpDisconnectReason } from "./types.js";

/** What a listener needs from its engine. */
export interface ListenerHost {
  removeListener(listener: TcpListener): void;
}

export class TcpListener implements PassiveOwner {
  private readonly halfOpen = new Set<TcpConnection>();
  private readonly pending = new Map<number, TcpConnection>();
  private nextSequence = 1;
  private open = true;
  /** When this listener last answered a SYN with a cookie (clock ms). */
  cookieSentAt = -Infinity;

  private options: Readonly<ConnectionOptions>;

  constructor(
    private readonly host: ListenerHost,
    readonly address: Ipv4Address,
    readonly port: number,
    readonly backlog: number,
    private readonly handlers: ListenerHandlers,
    connectionOptions: Readonly<ConnectionOptions> = {},
  ) {
    this.options = connectionOptionsOf(connectionOptions);
  }

  /** What every connection this listener makes starts with (the SYN-ACK's window and scale too). */
  get connectionOptions(): Readonly<ConnectionOptions> {
    return this.options;
  }

  /**
   * Change what connections made from now on start with (XTI options negotiated on a listening
   * endpoint); those already made keep theirs. EINVAL for a value no connection can take.
   */
  configure(options: ConnectionOptions): void {
    checkConnectionOptions(options);
    this.options = connectionOptionsOf(options);
  }

  /** Connections waiting for accept() or reject(). */
  get pendingCount(): number {
    return this.pending.size;
  }

  get halfOpenCount(): number {
    return this.halfOpen.size;
  }

  get isOpen(): boolean {
    return this.open;
  }

  /** Whether a new SYN may start a handshake with a half-open connection of its own. */
  admitsSyn(synBacklog: number): boolean {
    return this.open && this.pending.size < this.backlog && this.halfOpen.size < synBacklog;
  }

  /** The engine created a connection for a SYN to this listener. */
  adopt(conn: TcpConnection): void {
    this.halfOpen.add(conn);
  }

  accept(sequence: number, handlers: ConnectionHandlers): TcpConnection {
    const conn = this.pending.get(sequence);
    if (conn === undefined) throw new TcpError("EINVAL", `no pending connection with sequence ${sequence}`);
    this.pending.delete(sequence);
    conn.accepted(handlers);
    return conn;
  }

  /** Refuse a pending connection: the peer gets a RST. */
  reject(sequence: number): void {
    const conn = this.pending.get(sequence);
    if (conn === undefined) throw new TcpError("EINVAL", `no pending connection with sequence ${sequence}`);
    conn.abort();
  }

  /** Stop listening; connections not yet accepted are reset. */
  close(): void {
    if (!this.open) return;
    this.open = false;
    for (const conn of [...this.halfOpen, ...this.pending.values()]) conn.abort();
    this.host.removeListener(this);
  }

  // PassiveOwner

  canComplete(): boolean {
    return this.pending.size < this.backlog;
  }

  handshakeCompleted(conn: TcpConnection): void {
    this.halfOpen.delete(conn);
    const sequence = this.nextSequence++;
    conn.sequence = sequence;
    this.pending.set(sequence, conn);
    this.handlers.connectionIndication?.({ sequence, remote: { ...conn.remote }, local: { ...conn.local } });
  }

  connectionLost(conn: TcpConnection, reason: TcpDisconnectReason | null): void {
    if (this.halfOpen.delete(conn)) return; // never indicated: nothing to tell the user
    if (this.pending.get(conn.sequence) !== conn) return;
    this.pending.delete(conn.sequence);
    if (reason !== null) this.handlers.disconnect?.(conn.sequence, reason);
  }
}
