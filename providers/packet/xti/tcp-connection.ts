/**
 * One connection of a /dev/rawtcp endpoint: the stack's connection callbacks become TPI
 * indications, and the endpoint's requests become calls on the connection.
 *
 * Urgent data: the stack delivers the stream in line and marks the chunk that ends with the
 * urgent byte (Linux's one-past urgent pointer, RFC 6093). The bytes before it go up as normal
 * data and the urgent byte alone as expedited data, so with t_info's expInline the library keeps it
 * at its place: t_rcv returns "123", then "4" with T_EXPEDITED, then "56", as /dev/tcp does. A
 * t_snd with T_EXPEDITED (one byte: etsdu is 1) sends that byte as urgent.
 *
 * Flow control: a piece the send buffer refuses is refused whole (TFLOW, or a blocking t_snd
 * waits) and the user is back-enabled once the buffer has drained to half. Received data counts
 * against the receive window until the user reads it (consumed()), beyond an allowance of
 * UNREAD_ALLOWANCE bytes, so a reader that does not read stops the sender.
 */
import type { ProviderUser } from "../../../src/spi/index.js";
import type { TcpConnection } from "../stack/tcp/connection.js";
import { TcpError, type ConnectionHandlers, type TcpDisconnectReason } from "../stack/tcp/types.js";
import { toSockaddr } from "./address.js";
import { disconnectErrno } from "./reasons.js";

const EMPTY = new Uint8Array(0);

/**
 * Bytes the user may leave unread in the library's queue without their closing the receive
 * window: the stream head's share, as under STREAMS, where data sent up leaves the transport and
 * the stream head's own high-water mark holds it back. Without it, the segments of one input
 * batch are all delivered before the reader can run, so every ACK sent meanwhile advertises a
 * window shrunk by data read a moment later, and a window-limited sender stalls.
 */
export const UNREAD_ALLOWANCE = 64 * 1024;

/** How a connection ended: both directions released, aborted by us, or failed (reset, refused...). */
export type ConnectionEnd = "released" | "aborted" | "failed";

export class RawTcpConnection implements ConnectionHandlers {
  /** Set once the stack has made the connection (an accepted one replays its events first). */
  tcp: TcpConnection | null = null;
  /** connCon was raised (or the connection was accepted): data may flow. */
  private open: boolean;
  private weReleased = false;
  private peerReleased = false;
  private over = false;
  private refused = { normal: false, expedited: false };
  /** Bytes indicated to the user and not yet read (or discarded) by it. */
  private unreadBytes = 0;
  /** Of those, the bytes not yet reported consumed to the stack: those beyond UNREAD_ALLOWANCE. */
  private owed = 0;

  constructor(
    private readonly user: ProviderUser,
    /** Called once when the connection is over for the endpoint, after any indication it causes. */
    private readonly ended: (conn: RawTcpConnection, how: ConnectionEnd) => void,
    connected: boolean,
  ) {
    this.open = connected;
  }

  /** Connected and not over: the peer's address is known. */
  get established(): boolean {
    return this.open && !this.over;
  }

  // ---- requests (from the endpoint) ----

  /** A data or expedited piece, taken whole or refused whole (false: writable() follows). */
  send(piece: Uint8Array, urgent: boolean): boolean {
    const tcp = this.tcp;
    if (tcp === null || this.over) return true; // gone: its disconnect is on its way up
    try {
      if (tcp.sendPiece(piece, { urgent })) return true;
    } catch (err) {
      if (err instanceof TcpError) return true; // closed under us: the disconnect follows
      throw err;
    }
    this.refused[urgent ? "expedited" : "normal"] = true;
    return false;
  }

  /** t_sndrel: our FIN after everything queued. */
  release(): void {
    if (this.tcp === null || this.over || this.weReleased) return;
    this.weReleased = true;
    this.tcp.shutdown();
    if (this.peerReleased) this.finish("released");
  }

  consumed(bytes: number): void {
    this.unreadBytes = Math.max(0, this.unreadBytes - bytes);
    this.report(0);
  }

  /** The user has received data it has not read: t_close resets the connection, as TCP does. */
  get unread(): boolean {
    return this.unreadBytes > 0;
  }

  /** Tell the stack that `fresh` newly indicated bytes, and owed ones the allowance now covers, are consumed. */
  private report(fresh: number): void {
    const owed = Math.max(0, this.unreadBytes - UNREAD_ALLOWANCE);
    const n = this.owed + fresh - owed;
    this.owed = owed;
    if (n > 0 && !this.over) this.tcp?.consumed(n);
  }

  /** t_snddis: a RST, no indication to our user. */
  abort(): void {
    if (this.over) return;
    this.tcp?.abort();
    this.finish("aborted");
  }

  // ---- ConnectionHandlers (from the stack) ----

  /** Our connect completed: T_CONN_CON with the peer's address. */
  connected(): void {
    if (this.over || this.tcp === null) return;
    this.open = true;
    this.user.connCon({ addr: toSockaddr(this.tcp.remote), opt: EMPTY, udata: EMPTY });
  }

  data(data: Uint8Array, urgent: boolean): void {
    if (this.over) return;
    this.unreadBytes += data.length;
    this.report(data.length);
    if (!urgent) {
      this.user.dataInd(data, false);
      return;
    }
    const last = data.length - 1;
    if (last > 0) this.user.dataInd(data.subarray(0, last), false);
    this.user.exdataInd(data.slice(last), false);
  }

  writable(): void {
    if (this.over) return;
    const { normal, expedited } = this.refused;
    this.refused = { normal: false, expedited: false };
    if (normal) this.user.writable(false);
    if (expedited) this.user.writable(true);
  }

  end(): void {
    if (this.over) return;
    this.peerReleased = true;
    this.user.ordrelInd(null);
    if (this.weReleased) this.finish("released");
  }

  disconnect(reason: TcpDisconnectReason): void {
    if (this.over) return;
    this.user.disconInd({ reason: disconnectErrno(reason), sequence: -1, udata: EMPTY });
    this.finish("failed");
  }

  private finish(how: ConnectionEnd): void {
    this.over = true;
    this.ended(this, how);
  }
}
