/**
 * A /dev/rawtcp endpoint. t_bind reserves the port in the stack's TCP port table at once (qlen 0
 * too: a port in use is TADDRBUSY at t_bind, not at t_connect) and, with qlen > 0, listens
 * (TcpIndications). A connection (RawTcpConnection) is either made by t_connect from the bound port
 * or accepted from a listener onto this endpoint by t_accept. The endpoint outlives its
 * connections: after t_snddis, a disconnect or a completed release it is idle and still bound, and
 * a listener still listens, as with /dev/tcp.
 */
import {
  ENETUNREACH,
  EPROTO,
  ProviderError,
  errnoFromName,
  type AcceptRequest,
  type BindAck,
  type BindRequest,
  type ConnectRequest,
  type DisconnectRequest,
  type ProviderEndpoint,
  type ProviderInfo,
  type ProviderOption,
  type ProviderUser,
  type UnitdataRequest,
} from "../../../src/spi/index.js";
import type { TcpBinding } from "../stack/tcp/binding.js";
import type { TcpConnection } from "../stack/tcp/connection.js";
import { TcpError } from "../stack/tcp/types.js";
import type { AddressPort } from "../stack/transport-host.js";
import { fromSockaddr, toSockaddr } from "./address.js";
import { TcpOptions } from "./options.js";
import type { RawProvider } from "./provider.js";
import type { RawHost } from "./raw-host.js";
import { type ConnectionEnd, RawTcpConnection } from "./tcp-connection.js";
import { TcpIndications } from "./tcp-indications.js";

const EMPTY = new Uint8Array(0);
/** The largest qlen negotiated (the stack holds that many completed connections per listener). */
const MAX_QLEN = 4096;
/** XTI_LINGER on without a time (T_UNSPEC): how long t_close waits for the peer's acknowledgement. */
const LINGER_UNSPEC_MS = 60_000;

export class RawTcpEndpoint implements ProviderEndpoint {
  private binding: TcpBinding | null = null;
  private indications: TcpIndications | null = null;
  private conn: RawTcpConnection | null = null;
  /** The connection was accepted onto this listener itself: indications wait until it ends. */
  private acceptedOnSelf = false;
  /**
   * The last connection, released both ways but perhaps not yet acknowledged (our FIN, our last
   * data): a lingering t_close still waits for it, as close() on a socket after shutdown does.
   */
  private released: TcpConnection | null = null;
  private blocked = false;
  private closed = false;
  readonly opts: TcpOptions;

  constructor(
    private readonly provider: RawProvider,
    readonly host: RawHost,
    private readonly user: ProviderUser,
  ) {
    this.opts = new TcpOptions(
      provider.bufferDefaults,
      () => this.conn?.tcp ?? null,
      () => this.binding !== null || this.conn !== null, // an accepted connection is bound too
      // Negotiated while listening: the connections made from the next SYN on use it.
      () => this.indications?.configure(this.opts.connectionOptions()),
    );
  }

  info(): ProviderInfo {
    return this.provider.info();
  }

  options(): readonly ProviderOption[] {
    return this.opts.table;
  }

  addresses(): { local: Uint8Array | null; remote: Uint8Array | null } {
    const tcp = this.conn?.tcp;
    if (tcp !== undefined && tcp !== null) return { local: toSockaddr(tcp.local), remote: this.conn!.established ? toSockaddr(tcp.remote) : null };
    return { local: this.binding === null ? null : toSockaddr(this.binding.local), remote: null };
  }

  userBlocked(blocked: boolean): void {
    if (blocked === this.blocked || this.closed) return;
    this.blocked = blocked;
    this.host.blockedCall(blocked);
  }

  // ---- binding ----

  async bind(req: BindRequest): Promise<BindAck> {
    if (this.binding !== null || this.closed) throw new ProviderError("TOUTSTATE");
    const local = req.addr === null ? { address: 0, port: 0 } : fromSockaddr(req.addr);
    if (local === null) throw new ProviderError("TBADADDR", 0, "not a 16-byte sockaddr_in");
    await this.host.ready();
    if (this.binding !== null || this.closed) throw new ProviderError("TOUTSTATE"); // closed or bound meanwhile
    const binding = this.reserve(local, req.exact);
    const qlen = Math.min(Math.max(req.qlen, 0), MAX_QLEN);
    if (qlen > 0) {
      try {
        this.indications = new TcpIndications(binding, qlen, this.opts.connectionOptions(), this.user);
      } catch (err) {
        binding.close(); // a rejected request changes nothing
        throw bindError(err);
      }
      this.host.listener(true);
    }
    this.binding = binding;
    return { addr: toSockaddr(binding.local), qlen };
  }

  private reserve(local: AddressPort, exact: boolean): TcpBinding {
    const tcp = this.host.host.tcp;
    const reuseAddress = this.opts.reuseAddress;
    try {
      return tcp.bind({ ...local, reuseAddress });
    } catch (err) {
      // O_T_BIND_REQ (TLI): another port will do.
      if (!exact && err instanceof TcpError && err.code === "EADDRINUSE" && local.port !== 0) {
        try {
          return tcp.bind({ address: local.address, port: 0, reuseAddress });
        } catch (again) {
          throw bindError(again);
        }
      }
      throw bindError(err);
    }
  }

  async unbind(): Promise<void> {
    if (this.binding === null || this.conn !== null || (this.indications?.size ?? 0) > 0) throw new ProviderError("TOUTSTATE");
    this.stopListening();
    this.binding.close();
    this.binding = null;
    this.released = null;
  }

  private stopListening(): void {
    if (this.indications === null) return;
    this.indications.close();
    this.indications = null;
    this.host.listener(false);
  }

  // ---- connection establishment ----

  async connect(req: ConnectRequest): Promise<void> {
    const binding = this.binding;
    if (binding === null || this.conn !== null || this.indications !== null) throw new ProviderError("TOUTSTATE");
    if (req.opt.length > 0) throw new ProviderError("TBADOPT", 0, "options with a connect request are not supported");
    if (req.udata.length > 0) throw new ProviderError("TBADDATA");
    const remote = fromSockaddr(req.addr);
    if (remote === null || remote.port === 0) throw new ProviderError("TBADADDR", 0, "not a 16-byte sockaddr_in with a port");
    // As on Linux, the wildcard address as a destination means this host.
    if (remote.address === 0) remote.address = this.host.host.stack.address;
    const conn = new RawTcpConnection(this.user, (c, how) => this.connectionEnded(c, how), false);
    let tcp: TcpConnection;
    try {
      tcp = binding.connect({ ...this.opts.connectionOptions(), remote }, conn);
    } catch (err) {
      if (err instanceof TcpError && err.code === "ENETUNREACH") {
        // The network's answer, as a socket's connect() gives it: a disconnect with that reason.
        this.user.disconInd({ reason: ENETUNREACH, sequence: -1, udata: EMPTY });
        return;
      }
      throw connectError(err);
    }
    conn.tcp = tcp;
    this.opts.applyNegotiated(tcp);
    this.conn = conn;
    this.released = null;
  }

  private connectionEnded(conn: RawTcpConnection, how: ConnectionEnd): void {
    if (this.conn !== conn) return;
    this.conn = null;
    this.released = how === "released" ? conn.tcp : null;
    if (this.acceptedOnSelf) {
      this.acceptedOnSelf = false;
      this.indications?.resume();
    }
  }

  async accept(req: AcceptRequest): Promise<void> {
    const indications = this.indications;
    if (indications === null || this.conn !== null) throw new ProviderError("TOUTSTATE");
    const acceptor = req.acceptor;
    if (!(acceptor instanceof RawTcpEndpoint) || acceptor.host !== this.host) throw new ProviderError("TBADF");
    if (!indications.has(req.sequence)) throw new ProviderError("TBADSEQ");
    if (acceptor === this) {
      if (indications.size > 1) throw new ProviderError("TBADF");
    } else if (acceptor.binding === null || acceptor.indications !== null || acceptor.conn !== null || acceptor.closed) {
      throw new ProviderError("TOUTSTATE");
    }
    if (req.opt.length > 0) throw new ProviderError("TBADOPT", 0, "options with a connect response are not supported");
    if (req.udata.length > 0) throw new ProviderError("TBADDATA");
    const conn = new RawTcpConnection(acceptor.user, (c, how) => acceptor.connectionEnded(c, how), true);
    acceptor.conn = conn;
    acceptor.released = null;
    if (acceptor === this) {
      indications.pause();
      this.acceptedOnSelf = true;
    }
    // Events that arrived before t_accept (data, even the caller's FIN) are replayed into `conn` here.
    const tcp = indications.take(req.sequence, conn);
    conn.tcp = tcp;
    // The connection was made with the listener's options (its SYN-ACK offered the listener's
    // window and scale). Accepted onto the listener, it gets what was negotiated there since;
    // onto another endpoint, that endpoint's options (XTI: with no options in t_accept, resfd's).
    if (acceptor === this) this.opts.applyNegotiated(tcp);
    else acceptor.opts.adoptAccepted(tcp, this.opts);
  }

  async disconnect(req: DisconnectRequest): Promise<void> {
    if (req.udata.length > 0) throw new ProviderError("TBADDATA");
    if (req.sequence !== null) {
      if (this.indications === null || !this.indications.reject(req.sequence)) throw new ProviderError("TBADSEQ");
      return;
    }
    if (this.conn === null) throw new ProviderError("TOUTSTATE");
    this.conn.abort();
  }

  // ---- data transfer ----

  data(buf: Uint8Array): boolean {
    return this.conn?.send(buf, false) ?? this.noConnection();
  }

  exdata(buf: Uint8Array): boolean {
    return this.conn?.send(buf, true) ?? this.noConnection();
  }

  ordrel(): boolean {
    if (this.conn === null) return this.noConnection();
    this.conn.release();
    return true;
  }

  /**
   * A data request with no connection (only TLI, which the library does not state-check, sends
   * one): dropped when bound, as the connection may just have ended with its disconnect unread;
   * otherwise a protocol error, as a TPI driver answers.
   */
  private noConnection(): boolean {
    if (this.binding === null) this.user.error(EPROTO);
    return true;
  }

  unitdata(_req: UnitdataRequest): boolean {
    this.user.error(EPROTO);
    return true;
  }

  consumed(bytes: number): void {
    this.conn?.consumed(bytes);
  }

  /**
   * t_close: the connection is released as TCP closes a socket (FIN after the data queued, or a
   * RST if received data was left unread, as Linux does), or per XTI_LINGER: 0 aborts, a time
   * waits that long for the peer to acknowledge everything. Callers not yet accepted are reset.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.blocked) {
      this.blocked = false;
      this.host.blockedCall(false);
    }
    this.stopListening();
    const tcp = this.conn?.tcp ?? this.released;
    this.conn = null;
    this.released = null;
    let lingering: Promise<void> | undefined;
    if (tcp !== null) {
      const linger = this.opts.lingerMs(LINGER_UNSPEC_MS);
      if (linger !== null && linger !== Infinity) tcp.setLinger(linger);
      tcp.close();
      if (linger !== null && linger > 0) lingering = this.host.settled(tcp, linger);
    }
    this.binding?.close();
    this.binding = null;
    await lingering;
    await this.host.detach();
  }
}

function bindError(err: unknown): ProviderError {
  if (!(err instanceof TcpError)) throw err;
  if (err.code === "EADDRINUSE") return new ProviderError("TADDRBUSY", 0, err.message);
  if (err.code === "EADDRNOTAVAIL" || err.code === "EINVAL") return new ProviderError("TBADADDR", 0, err.message);
  return new ProviderError("TSYSERR", errnoFromName(err.code), err.message);
}

function connectError(err: unknown): ProviderError {
  if (!(err instanceof TcpError)) throw err;
  if (err.code === "EADDRINUSE") return new ProviderError("TADDRBUSY", 0, err.message);
  if (err.code === "EINVAL") return new ProviderError("TBADADDR", 0, err.message);
  return new ProviderError("TOUTSTATE", 0, err.message);
}
