/**
 * A /dev/rawudp endpoint: one stack UDP socket from t_bind to t_unbind or t_close. Each datagram
 * is one unitdataInd, whole; ICMP errors about datagrams it sent (port unreachable, host
 * unreachable when ARP fails...) come back as T_UDERR with the errno a Linux socket reports.
 *
 * Datagrams indicated and not yet read are bounded by XTI_RCVBUF, each counted as its length plus
 * DATAGRAM_COST (so empty ones are bounded too), as /dev/udp counts them: once they reach it,
 * arriving datagrams are dropped, as a socket's full receive buffer drops them, and counted in the
 * stack's UDP counters (receiveBufferErrors). The library reports each datagram read or discarded
 * once, with its length, also 0.
 *
 * UDP_CHECKSUM on receive: a datagram that came without a checksum carries T_UDP_CHECKSUM = T_NO
 * in its options, which t_rcvudata returns (the XTI Internet appendix's meaning of the option on
 * receive); the usual checksummed datagram carries no option, as on /dev/udp.
 */
import {
  EADDRNOTAVAIL,
  EAFNOSUPPORT,
  EINVAL,
  EMSGSIZE,
  ENETUNREACH,
  ENOBUFS,
  EOPNOTSUPP,
  EPROTO,
  ProviderError,
  T_INET_UDP,
  T_NO,
  T_UDP_CHECKSUM,
  encodeOptions,
  errnoFromName,
  scalarValue,
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
import { SocketError } from "../stack/socket-error.js";
import type { UdpHandlers, UdpSocket } from "../stack/udp.js";
import { UDP_MAX_PAYLOAD } from "../wire/udp.js";
import { fromSockaddr, toSockaddr } from "./address.js";
import { UdpOptions } from "./options.js";
import type { RawProvider } from "./provider.js";
import type { RawHost } from "./raw-host.js";
import { icmpErrno } from "./reasons.js";

const EMPTY = new Uint8Array(0);
/**
 * What one unread datagram counts for against XTI_RCVBUF besides its bytes: about what holding it
 * costs (its address, options and queue entry). /dev/udp counts the same.
 */
const DATAGRAM_COST = 256;
const NO_CHECKSUM = encodeOptions([{ level: T_INET_UDP, name: T_UDP_CHECKSUM, value: scalarValue(T_NO) }]);

export class RawUdpEndpoint implements ProviderEndpoint {
  private socket: UdpSocket | null = null;
  /** Datagrams indicated and not yet read or discarded, in bytes, DATAGRAM_COST each included. */
  private unread = 0;
  private blocked = false;
  private closed = false;
  readonly opts: UdpOptions;

  constructor(
    private readonly provider: RawProvider,
    readonly host: RawHost,
    private readonly user: ProviderUser,
  ) {
    this.opts = new UdpOptions(provider.bufferDefaults, () => this.socket, () => this.socket !== null);
  }

  info(): ProviderInfo {
    return this.provider.info();
  }

  options(): readonly ProviderOption[] {
    return this.opts.table;
  }

  addresses(): { local: Uint8Array | null; remote: Uint8Array | null } {
    const s = this.socket;
    return { local: s === null ? null : toSockaddr({ address: s.address, port: s.port }), remote: null };
  }

  userBlocked(blocked: boolean): void {
    if (blocked === this.blocked || this.closed) return;
    this.blocked = blocked;
    this.host.blockedCall(blocked);
  }

  async bind(req: BindRequest): Promise<BindAck> {
    if (this.socket !== null || this.closed) throw new ProviderError("TOUTSTATE");
    const local = req.addr === null ? { address: 0, port: 0 } : fromSockaddr(req.addr);
    if (local === null) throw new ProviderError("TBADADDR", 0, "not a 16-byte sockaddr_in");
    await this.host.ready();
    if (this.socket !== null || this.closed) throw new ProviderError("TOUTSTATE");
    const udp = this.host.host.stack.udp;
    const handlers: UdpHandlers = {
      message: (data, src, srcPort, checksummed) => this.arrived(data, src, srcPort, checksummed),
      error: (e) => this.user.uderrorInd({ addr: toSockaddr(e), opt: EMPTY, error: icmpErrno(e.kind) }),
    };
    const reuseAddress = this.opts.reuseAddress;
    let socket: UdpSocket;
    try {
      socket = udp.open({ ...local, reuseAddress }, handlers);
    } catch (err) {
      if (!(err instanceof SocketError)) throw err;
      if (err.code === "EADDRINUSE" && !req.exact && local.port !== 0) {
        socket = udp.open({ address: local.address, port: 0, reuseAddress }, handlers); // O_T_BIND_REQ: another port will do
      } else if (err.code === "EADDRINUSE") {
        throw new ProviderError("TADDRBUSY", 0, err.message);
      } else if (err.code === "EADDRNOTAVAIL" || err.code === "EINVAL") {
        throw new ProviderError("TBADADDR", 0, err.message);
      } else {
        throw new ProviderError("TSYSERR", errnoFromName(err.code), err.message);
      }
    }
    this.opts.applyNegotiated(socket);
    this.socket = socket;
    this.unread = 0;
    return { addr: toSockaddr({ address: socket.address, port: socket.port }), qlen: 0 };
  }

  async unbind(): Promise<void> {
    if (this.socket === null) throw new ProviderError("TOUTSTATE");
    this.socket.close();
    this.socket = null;
    this.unread = 0;
  }

  unitdata(req: UnitdataRequest): boolean {
    const socket = this.socket;
    if (socket === null) {
      this.user.error(EPROTO);
      return true;
    }
    const to = fromSockaddr(req.addr);
    const error = to === null ? EAFNOSUPPORT : req.opt.length > 0 ? EOPNOTSUPP : to.port === 0 ? EINVAL : req.udata.length > UDP_MAX_PAYLOAD ? EMSGSIZE : 0;
    if (error !== 0 || to === null) {
      this.user.uderrorInd({ addr: req.addr.slice(), opt: req.opt.slice(), error });
      return true;
    }
    const stack = this.host.host.stack;
    // As on Linux, the wildcard address as a destination means this host.
    const address = to.address === 0 ? stack.address : to.address;
    if (!socket.sendTo(address, to.port, req.udata)) {
      // Dropped at once: no route, or ARP's queue for the next hop is full.
      const why = stack.sourceFor(address) === null ? ENETUNREACH : socket.address !== 0 && !stack.isLocal(socket.address) ? EADDRNOTAVAIL : ENOBUFS;
      this.user.uderrorInd({ addr: toSockaddr({ address, port: to.port }), opt: EMPTY, error: why });
    }
    return true;
  }

  private arrived(data: Uint8Array, src: number, srcPort: number, checksummed: boolean): void {
    if (this.unread >= this.opts.receiveBuffer) {
      this.socket?.receiveBufferFull();
      return;
    }
    this.unread += data.length + DATAGRAM_COST;
    this.user.unitdataInd({ addr: toSockaddr({ address: src, port: srcPort }), opt: checksummed ? EMPTY : NO_CHECKSUM.slice(), udata: data });
  }

  /** One datagram left the library's queue (read or discarded), with its length. */
  consumed(bytes: number): void {
    this.unread = Math.max(0, this.unread - bytes - DATAGRAM_COST);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.blocked) {
      this.blocked = false;
      this.host.blockedCall(false);
    }
    this.socket?.close();
    this.socket = null;
    await this.host.detach();
  }

  // ---- connection-mode requests: the library refuses them on T_CLTS before they come here ----

  async connect(_req: ConnectRequest): Promise<void> {
    throw new ProviderError("TNOTSUPPORT");
  }

  async accept(_req: AcceptRequest): Promise<void> {
    throw new ProviderError("TNOTSUPPORT");
  }

  async disconnect(_req: DisconnectRequest): Promise<void> {
    throw new ProviderError("TNOTSUPPORT");
  }

  data(): boolean {
    this.user.error(EPROTO);
    return true;
  }

  exdata(): boolean {
    this.user.error(EPROTO);
    return true;
  }

  ordrel(): boolean {
    this.user.error(EPROTO);
    return true;
  }
}
