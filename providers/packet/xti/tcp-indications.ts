/**
 * A /dev/rawtcp listener's connection indications. The stack's listener completes handshakes itself
 * (TCP cannot refuse a caller the way ISO transports can) and holds the connections until they are
 * accepted or rejected. At most qlen are indicated (outstanding) at a time; the stack completes up
 * to qlen + 1 more, which wait here unindicated and are indicated as soon as the queue has room, as
 * the kernel's accept queue holds the callers beyond /dev/tcp's qlen. A caller beyond that stays in
 * SYN_SENT, its SYN dropped (what Linux does too). Sequence numbers are the listener's, never
 * reused, so unique among the outstanding ones.
 *
 * While the listener's endpoint holds a connection accepted onto itself, new connections are kept
 * back too and indicated once that connection is over.
 */
import type { ProviderUser } from "../../../src/spi/index.js";
import type { TcpBinding } from "../stack/tcp/binding.js";
import type { TcpConnection } from "../stack/tcp/connection.js";
import type { TcpListener } from "../stack/tcp/listener.js";
import type { ConnectionHandlers, ConnectionIndication, ConnectionOptions } from "../stack/tcp/types.js";
import { toSockaddr } from "./address.js";
import { disconnectErrno } from "./reasons.js";

const EMPTY = new Uint8Array(0);

export class TcpIndications {
  private readonly listener: TcpListener;
  /** Indicated to the user, neither accepted nor rejected yet. */
  private readonly outstanding = new Set<number>();
  /** Completed but not indicated (the queue full, or paused): indicated when there is room. */
  private held: ConnectionIndication[] = [];
  private paused = false;

  constructor(
    binding: TcpBinding,
    private readonly qlen: number,
    options: ConnectionOptions,
    private readonly user: ProviderUser,
  ) {
    this.listener = binding.listen(
      { ...options, backlog: 2 * qlen + 1 },
      {
        connectionIndication: (ind) => this.arrived(ind),
        disconnect: (sequence, reason) => this.lost(sequence, disconnectErrno(reason)),
      },
    );
  }

  /** Options negotiated on the listening endpoint: connections made from now on start with them. */
  configure(options: ConnectionOptions): void {
    this.listener.configure(options);
  }

  /** Indications outstanding. */
  get size(): number {
    return this.outstanding.size;
  }

  has(sequence: number): boolean {
    return this.outstanding.has(sequence);
  }

  /** t_accept: the connection of `sequence`, its held events replayed into `handlers`. */
  take(sequence: number, handlers: ConnectionHandlers): TcpConnection {
    const conn = this.listener.accept(sequence, handlers);
    this.outstanding.delete(sequence);
    this.drain();
    return conn;
  }

  /** t_snddis with a sequence: the caller gets a RST. False if it is not outstanding. */
  reject(sequence: number): boolean {
    if (!this.outstanding.delete(sequence)) return false;
    this.listener.reject(sequence);
    this.drain();
    return true;
  }

  /** The endpoint now holds a connection accepted onto itself. */
  pause(): void {
    this.paused = true;
  }

  /** That connection is over: indicate what completed meanwhile. */
  resume(): void {
    this.paused = false;
    this.drain();
  }

  /** Stop listening: every caller not yet accepted is reset. */
  close(): void {
    this.held = [];
    this.outstanding.clear();
    this.listener.close();
  }

  private arrived(ind: ConnectionIndication): void {
    this.held.push(ind);
    this.drain();
  }

  /** Indicate held connections while the queue has room (and the endpoint is not paused). */
  private drain(): void {
    while (!this.paused && this.outstanding.size < this.qlen) {
      const ind = this.held.shift();
      if (ind === undefined) return;
      this.indicate(ind);
    }
  }

  private indicate(ind: ConnectionIndication): void {
    this.outstanding.add(ind.sequence);
    this.user.connInd({ sequence: ind.sequence, addr: toSockaddr(ind.remote), opt: EMPTY, udata: EMPTY });
  }

  /** A pending caller went away: the user hears of it only if it was indicated. */
  private lost(sequence: number, reason: number): void {
    const before = this.held.length;
    this.held = this.held.filter((ind) => ind.sequence !== sequence);
    if (this.held.length !== before) return;
    if (this.outstanding.delete(sequence)) {
      this.user.disconInd({ reason, sequence, udata: EMPTY });
      this.drain();
    }
  }
}
