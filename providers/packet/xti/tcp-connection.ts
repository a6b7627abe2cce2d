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
 * against the receive window until the user reads it (consumed()), beyond the host's allowance
 * (raw-host.ts, UNREAD_ALLOWANCE), so a reader that does not read stops the sender.
 */
import type { ProviderUser } from "../../../src/spi/index.js";
import type { TcpConnection } from "../stack/tcp/connection.js";
import { TcpError, type ConnectionHandlers, type TcpDisconnectReason } from "../stack/tcp/types.js";
import { toSockaddr } from "./address.js";
import { disconnectErrno } from "./reasons.js";

const EMPTY = new Uint8Array(0);

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
    if (!this.over) this.tcp?.consumed(bytes);
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
    if (!urgent) {
      this.user.dataInd(data, false);
      return;
    }
    const last = data.length - 1;
    if (last > 0) this.user.dataInd(data.slice(0, last), false); // not a view: it would share its buffer with the urgent part
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
