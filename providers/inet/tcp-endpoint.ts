/**
 * A /dev/tcp or /dev/tcp6 endpoint. It owns one kernel socket from t_open to t_close: bound by
 * t_bind, listening when bound with qlen > 0 (IndicationQueue), or connecting out. A connection
 * (TcpConnection) runs either on that socket (an outgoing connect) or on a socket accepted from a
 * listener and handed to this endpoint by t_accept.
 *
 * An endpoint outlives its connections: after t_snddis, a disconnect or a completed release it is
 * idle and still bound to its address, and a listener still listens. The socket keeps its port
 * because the port is always bound explicitly (Linux keeps an explicitly bound port when the
 * connection closes, and releases one it chose itself), so a port-0 bind first learns a free port
 * from a probe socket; connect(AF_UNSPEC) then makes the socket reusable (with a RST, for t_snddis).
 * A socket whose released connection is still finishing in the kernel (LAST_ACK or CLOSING, data
 * not yet acknowledged) is never reset: a new t_connect leaves it to finish on its own and takes a
 * fresh socket bound to the same address. No SO_REUSEADDR unless asked for (T_IP_REUSEADDR), so a
 * port in use, by this process or any other, is TADDRBUSY.
 */
import {
  EACCES,
  EADDRINUSE,
  EADDRNOTAVAIL,
  EAFNOSUPPORT,
  ECONNREFUSED,
  ECONNRESET,
  EHOSTUNREACH,
  EINVAL,
  ENETUNREACH,
  EPERM,
  EPROTO,
  ETIMEDOUT,
  ProviderError,
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
} from "../../src/spi/index.js";
import { EALREADY, EINPROGRESS, EISCONN, SO_OOBINLINE, SO_REUSEADDR, SOL_SOCKET, TCP_STATE_CLOSE } from "../native/ffi/linux.js";
import type { Poller } from "../native/poller.js";
import { KernelSocket } from "../native/socket.js";
import { portOf, socketAddress, withPort } from "./address.js";
import { IndicationQueue } from "./listener.js";
import { InetOptions } from "./options.js";
import type { InetProvider } from "./provider.js";
import { type ConnectionEnd, TcpConnection } from "./tcp-connection.js";

const EMPTY = new Uint8Array(0);
/** The largest qlen negotiated (Linux's default net.core.somaxconn caps the backlog there too). */
const MAX_QLEN = 4096;
/** Attempts at binding a port a probe socket found free before giving up (another process took it each time). */
const EPHEMERAL_ATTEMPTS = 16;

/** Errors of connect() that are the network's answer, reported as a disconnect with that reason. */
const CONNECT_REFUSALS = new Set([ECONNREFUSED, ECONNRESET, ENETUNREACH, EHOSTUNREACH, ETIMEDOUT]);

/** Whether a connection runs is `conn`; the phase is the socket's binding. */
type Phase = "unbound" | "bound" | "closed";

export class TcpEndpoint implements ProviderEndpoint {
  private socket: KernelSocket;
  private readonly poller: Poller;
  private readonly opts: InetOptions;
  private phase: Phase = "unbound";
  private queue: IndicationQueue | null = null;
  private conn: TcpConnection | null = null;
  /** The connection was accepted onto this listener itself: indications wait until it ends. */
  private acceptedOnSelf = false;
  /** The socket's last connection was released and the socket not yet reset for reuse. */
  private needsReset = false;
  /** The address bound (its port resolved), for a fresh socket taking over from a finishing one. */
  private address: Uint8Array | null = null;
  private holding = false;

  constructor(
    private readonly provider: InetProvider,
    private readonly user: ProviderUser,
  ) {
    this.poller = provider.poller();
    this.socket = this.newSocket();
    this.opts = new InetOptions(
      "tcp",
      provider.family.af,
      { sockets: () => this.optionSockets(), bound: () => this.phase === "bound", scratch: () => provider.createSocket() },
      provider.optionDefaults(),
    );
  }

  private newSocket(): KernelSocket {
    const s = this.provider.createSocket();
    // Urgent data stays in the stream, so a second urgent byte cannot push the first one out.
    s.setInt(SOL_SOCKET, SO_OOBINLINE, 1);
    return s;
  }

  private optionSockets(): readonly KernelSocket[] {
    const c = this.conn?.socket;
    return c !== undefined && c !== this.socket ? [c, this.socket] : [this.socket];
  }

  info(): ProviderInfo {
    return this.provider.info();
  }

  options(): readonly ProviderOption[] {
    return this.opts.table;
  }

  addresses(): { local: Uint8Array | null; remote: Uint8Array | null } {
    if (this.phase === "unbound" || this.phase === "closed") return { local: null, remote: null };
    const local = (this.conn?.socket ?? this.socket).localAddress();
    return { local, remote: this.conn?.connected === true ? this.conn.peer : null };
  }

  userBlocked(blocked: boolean): void {
    if (blocked === this.holding || this.phase === "closed") return;
    this.holding = blocked;
    if (blocked) this.poller.hold();
    else this.poller.release();
  }

  // ---- binding ----

  async bind(req: BindRequest): Promise<BindAck> {
    if (this.phase !== "unbound") throw new ProviderError("TOUTSTATE");
    const family = this.provider.family;
    const addr = req.addr === null ? family.any() : socketAddress(family, req.addr);
    if (addr === null) throw new ProviderError("TBADADDR", 0, `not a ${family.size}-byte ${family.name} address`);
    let r = portOf(addr) === 0 ? this.bindEphemeral(addr) : this.socket.bind(addr);
    if (r === -EADDRINUSE && !req.exact) r = this.bindEphemeral(withPort(addr, 0)); // O_T_BIND_REQ: another port will do
    if (r < 0) throw bindError(-r);
    const qlen = Math.min(Math.max(req.qlen, 0), MAX_QLEN);
    if (qlen > 0) {
      const l = this.socket.listen(qlen);
      if (l < 0) {
        this.replaceSocket(); // nothing may change when the request fails: give back the port
        throw new ProviderError("TSYSERR", -l);
      }
      this.queue = new IndicationQueue(this.socket, qlen, this.user, this.poller);
      this.queue.fill();
    }
    this.phase = "bound";
    this.address = this.socket.localAddress() ?? addr;
    return { addr: this.address, qlen };
  }

  /**
   * Bind `addr`'s IP address with a port the kernel picks for a probe socket (see the module
   * comment). TNOADDR when the kernel has no free port left (or others took each one first).
   */
  private bindEphemeral(addr: Uint8Array): number {
    for (let attempt = 0; attempt < EPHEMERAL_ATTEMPTS; attempt++) {
      const probe = this.provider.createSocket();
      let port: number;
      try {
        const p = probe.bind(addr);
        if (p === -EADDRINUSE) throw new ProviderError("TNOADDR", 0, "no free port: the ephemeral port range is used up");
        if (p < 0) return p;
        port = portOf(probe.localAddress() ?? EMPTY);
      } finally {
        probe.close(); // only bound, never used: the port is free again at once
      }
      const r = this.socket.bind(withPort(addr, port));
      if (r !== -EADDRINUSE) return r;
    }
    throw new ProviderError("TNOADDR", 0, "no free port: others took each one found");
  }

  async unbind(): Promise<void> {
    if (this.phase !== "bound" || this.conn !== null || (this.queue?.size ?? 0) > 0) throw new ProviderError("TOUTSTATE");
    this.replaceSocket();
    this.phase = "unbound";
  }

  /** Trade the socket for a fresh one with the same options (the old one's port is released). */
  private replaceSocket(): void {
    const fresh = this.newSocket();
    this.opts.applyTo(fresh);
    this.queue?.close();
    this.queue = null;
    this.socket.close();
    this.socket = fresh;
    this.needsReset = false;
    this.address = null;
  }

  // ---- connection establishment ----

  async connect(req: ConnectRequest): Promise<void> {
    if (this.phase !== "bound" || this.conn !== null || this.queue !== null) throw new ProviderError("TOUTSTATE");
    if (req.opt.length > 0) throw new ProviderError("TBADOPT", 0, "options with a connect request are not supported");
    if (req.udata.length > 0) throw new ProviderError("TBADDATA");
    const family = this.provider.family;
    const addr = socketAddress(family, req.addr);
    if (addr === null) throw new ProviderError("TBADADDR", 0, `not a ${family.size}-byte ${family.name} address`);
    this.readyForConnect();
    const r = this.socket.connect(addr);
    if (r === 0 || r === -EINPROGRESS) {
      // Completion, even an immediate one, is reported as writability: connCon comes from there.
      this.startConnection(this.socket, "connect", true);
      return;
    }
    if (CONNECT_REFUSALS.has(-r)) {
      this.socket.disconnect();
      this.user.disconInd({ reason: -r, sequence: -1, udata: EMPTY });
      return;
    }
    throw connectError(-r);
  }

  /**
   * Make the socket ready for a new connection after a released one. Once the kernel is done with
   * the old connection (CLOSE), connect(AF_UNSPEC) makes the socket reusable. A socket still
   * finishing (LAST_ACK or CLOSING: what was sent is not all acknowledged) must not be reset, which
   * would throw that data away with a RST: it is closed instead, so the kernel finishes delivering
   * on its own, and a fresh socket takes over the address. Both have SO_REUSEADDR for that one
   * bind only, so the port stays busy for everyone else.
   */
  private readyForConnect(): void {
    if (!this.needsReset) return;
    if (this.socket.tcpState() === TCP_STATE_CLOSE) {
      this.socket.disconnect();
      this.needsReset = false;
      return;
    }
    const finishing = this.socket;
    const address = this.address ?? finishing.localAddress();
    if (address === null) throw new ProviderError("TSYSERR", EINVAL, "the endpoint's address is unknown");
    const reuse = finishing.getInt(SOL_SOCKET, SO_REUSEADDR) ?? 0; // T_IP_REUSEADDR as negotiated
    const fresh = this.newSocket();
    this.opts.applyTo(fresh);
    finishing.setInt(SOL_SOCKET, SO_REUSEADDR, 1);
    fresh.setInt(SOL_SOCKET, SO_REUSEADDR, 1);
    const r = fresh.bind(address);
    fresh.setInt(SOL_SOCKET, SO_REUSEADDR, reuse);
    if (r < 0) {
      finishing.setInt(SOL_SOCKET, SO_REUSEADDR, reuse);
      fresh.close();
      throw r === -EADDRINUSE ? new ProviderError("TADDRBUSY", 0, "the address is still held by the endpoint's previous connection") : new ProviderError("TSYSERR", -r);
    }
    finishing.close(); // graceful: the kernel delivers the rest, then completes the release
    this.socket = fresh;
    this.needsReset = false;
  }

  /** Run a connection on `socket`. It may end at once (an accepted caller that already reset). */
  private startConnection(socket: KernelSocket, origin: "connect" | "accept", connecting: boolean): void {
    const conn: TcpConnection = new TcpConnection(
      socket,
      origin,
      this.user,
      this.poller,
      () => this.opts.receiveBuffer(),
      (how) => this.connectionEnded(conn, how),
      connecting,
    );
    this.conn = conn;
    conn.start();
  }

  private connectionEnded(conn: TcpConnection, how: ConnectionEnd): void {
    if (this.conn !== conn) return;
    this.conn = null;
    if (this.phase === "closed") return;
    if (conn.origin === "connect" && how === "released") {
      // The active closer's socket is already CLOSE (TIME_WAIT lives on without it); the passive
      // closer's may still be in LAST_ACK: the next connect waits for it.
      if (this.socket.tcpState() === TCP_STATE_CLOSE) this.socket.disconnect();
      else this.needsReset = true;
    }
    if (this.acceptedOnSelf) {
      this.acceptedOnSelf = false;
      this.queue?.resume();
    }
  }

  async accept(req: AcceptRequest): Promise<void> {
    const queue = this.queue;
    if (queue === null || this.conn !== null) throw new ProviderError("TOUTSTATE");
    const acceptor = req.acceptor;
    if (!(acceptor instanceof TcpEndpoint) || acceptor.provider !== this.provider) throw new ProviderError("TBADF");
    if (!queue.has(req.sequence)) throw new ProviderError("TBADSEQ");
    if (acceptor === this) {
      if (queue.size > 1) throw new ProviderError("TBADF");
    } else if (acceptor.phase !== "bound" || acceptor.queue !== null || acceptor.conn !== null) {
      throw new ProviderError("TOUTSTATE");
    }
    if (req.opt.length > 0) throw new ProviderError("TBADOPT", 0, "options with a connect response are not supported");
    if (req.udata.length > 0) throw new ProviderError("TBADDATA");
    const taken = queue.take(req.sequence);
    if (taken === null) throw new ProviderError("TBADSEQ");
    acceptor.opts.adoptAccepted(taken.socket, this.opts);
    if (acceptor === this) {
      queue.pause();
      this.acceptedOnSelf = true;
    }
    acceptor.startConnection(taken.socket, "accept", false);
    if (acceptor !== this) queue.fill();
  }

  async disconnect(req: DisconnectRequest): Promise<void> {
    if (req.udata.length > 0) throw new ProviderError("TBADDATA");
    if (req.sequence !== null) {
      if (this.queue === null || !this.queue.reject(req.sequence)) throw new ProviderError("TBADSEQ");
      return;
    }
    if (this.conn === null) throw new ProviderError("TOUTSTATE");
    this.conn.abort();
  }

  // ---- data transfer ----

  data(buf: Uint8Array): boolean {
    return this.conn?.data(buf) ?? this.noConnection();
  }

  exdata(buf: Uint8Array): boolean {
    return this.conn?.exdata(buf) ?? this.noConnection();
  }

  ordrel(): boolean {
    return this.conn?.ordrel() ?? this.noConnection();
  }

  /**
   * A data request with no connection (only TLI, which the library does not state-check, sends
   * one): dropped when bound, as the connection may just have ended with its disconnect unread;
   * otherwise a protocol error, as a TPI driver answers.
   */
  private noConnection(): boolean {
    if (this.phase !== "bound") this.user.error(EPROTO);
    return true;
  }

  unitdata(_req: UnitdataRequest): boolean {
    this.user.error(EPROTO);
    return true;
  }

  consumed(bytes: number): void {
    this.conn?.consumed(bytes);
  }

  async close(): Promise<void> {
    if (this.phase === "closed") return;
    this.phase = "closed";
    if (this.holding) {
      this.holding = false;
      this.poller.release();
    }
    this.queue?.close();
    this.queue = null;
    const conn = this.conn;
    this.conn = null;
    const closing = conn?.close(this.opts.lingerSeconds());
    // An outgoing connection runs on our socket: its close closes it, perhaps after a flush.
    if (conn?.socket !== this.socket) this.socket.close();
    await closing;
  }
}

function bindError(errno: number): ProviderError {
  if (errno === EADDRINUSE) return new ProviderError("TADDRBUSY");
  if (errno === EACCES || errno === EPERM) return new ProviderError("TACCES");
  if (errno === EADDRNOTAVAIL || errno === EINVAL || errno === EAFNOSUPPORT) return new ProviderError("TBADADDR");
  return new ProviderError("TSYSERR", errno);
}

function connectError(errno: number): ProviderError {
  if (errno === EACCES || errno === EPERM) return new ProviderError("TACCES");
  if (errno === EINVAL || errno === EAFNOSUPPORT) return new ProviderError("TBADADDR");
  if (errno === EADDRINUSE) return new ProviderError("TADDRBUSY");
  if (errno === EISCONN || errno === EALREADY) return new ProviderError("TOUTSTATE");
  return new ProviderError("TSYSERR", errno);
}
