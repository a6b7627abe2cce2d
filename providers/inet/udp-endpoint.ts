/**
 * A /dev/udp or /dev/udp6 endpoint: one kernel datagram socket with IP_RECVERR (IPV6_RECVERR), so
 * the ICMP errors the kernel receives for datagrams we sent come back, with the errno it derives
 * (ECONNREFUSED for a port unreachable) and the destination, as T_UDERR.
 *
 * Datagrams keep their boundaries: each recvfrom() is one unitdataInd. The receive buffer holds the
 * largest datagram IP can carry (65535 bytes, more than t_info.tsdu), so MSG_TRUNC never cuts one;
 * a longer one (an IPv6 jumbogram) could not be handed to XTI whole and is counted as dropped.
 * Reading pauses while the datagrams indicated and not yet consumed reach XTI_RCVBUF, each counted
 * as its length plus DATAGRAM_COST (so empty datagrams are bounded too; the library reports each
 * datagram's consumption once, with its length, even 0); the kernel then drops what does not fit
 * its own buffer, as UDP does. One readiness report reads at most READ_BATCH datagrams, then
 * re-arms, so a flood cannot hold the event loop.
 *
 * With IP_RECVERR an ICMP error also sets the socket's pending error, which the next send() would
 * return instead of sending: a send failing that way is tried again once (the error itself comes
 * through the error queue), and the pending error is cleared whenever the error queue is read.
 */
import {
  EAFNOSUPPORT,
  EAGAIN,
  EADDRINUSE,
  EACCES,
  EADDRNOTAVAIL,
  EINVAL,
  EIO,
  EOPNOTSUPP,
  EPERM,
  EPROTO,
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
import { ErrorQueueReader } from "../native/ffi/error-queue.js";
import { AF_INET, EPOLLERR, EPOLLIN, EPOLLOUT, IP_RECVERR, IPPROTO_IP, IPPROTO_IPV6, IPV6_RECVERR, MSG_NOSIGNAL, MSG_TRUNC } from "../native/ffi/linux.js";
import type { PollHandle, Poller } from "../native/poller.js";
import type { KernelSocket } from "../native/socket.js";
import { portOf, socketAddress, withPort } from "./address.js";
import { InetOptions } from "./options.js";
import type { InetProvider } from "./provider.js";

const EMPTY = new Uint8Array(0);
/**
 * What one unread datagram counts for against XTI_RCVBUF besides its bytes: about what holding it
 * costs the library (the indication, its address and data views), as the kernel charges each
 * queued datagram its buffer's true size rather than its payload.
 */
const DATAGRAM_COST = 256;
/** Most datagrams read for one readiness report before yielding to the event loop. */
const READ_BATCH = 64;
/** Every datagram is read here first (IP's largest packet fits), then copied out at its size. */
const datagram = new Uint8Array(65536);
const from = new Uint8Array(128);
const fromLength = new Uint32Array(1);
let errorQueue: ErrorQueueReader | undefined;

type Phase = "unbound" | "bound" | "closed";

export class UdpEndpoint implements ProviderEndpoint {
  private socket: KernelSocket;
  private handle: PollHandle;
  private readonly poller: Poller;
  private readonly opts: InetOptions;
  private phase: Phase = "unbound";
  /** Bytes indicated and not yet consumed, plus DATAGRAM_COST for each such datagram. */
  private unread = 0;
  /** A send was refused (EAGAIN): the user is back-enabled when the socket is writable. */
  private refused = false;
  private holding = false;
  /** Datagrams longer than the receive buffer (see the module comment). */
  dropped = 0;

  constructor(
    private readonly provider: InetProvider,
    private readonly user: ProviderUser,
  ) {
    this.poller = provider.poller();
    this.socket = this.newSocket();
    this.handle = this.poller.watch(this.socket.fd, this.onReady);
    this.opts = new InetOptions(
      "udp",
      provider.family.af,
      { sockets: () => [this.socket], bound: () => this.phase === "bound", scratch: () => provider.createSocket() },
      provider.optionDefaults(),
    );
  }

  private newSocket(): KernelSocket {
    const s = this.provider.createSocket();
    const v4 = this.provider.family.af === AF_INET;
    s.setInt(v4 ? IPPROTO_IP : IPPROTO_IPV6, v4 ? IP_RECVERR : IPV6_RECVERR, 1);
    return s;
  }

  info(): ProviderInfo {
    return this.provider.info();
  }

  options(): readonly ProviderOption[] {
    return this.opts.table;
  }

  addresses(): { local: Uint8Array | null; remote: Uint8Array | null } {
    return { local: this.phase === "bound" ? this.socket.localAddress() : null, remote: null };
  }

  userBlocked(blocked: boolean): void {
    if (blocked === this.holding || this.phase === "closed") return;
    this.holding = blocked;
    if (blocked) this.poller.hold();
    else this.poller.release();
  }

  async bind(req: BindRequest): Promise<BindAck> {
    if (this.phase !== "unbound") throw new ProviderError("TOUTSTATE");
    const family = this.provider.family;
    const addr = req.addr === null ? family.any() : socketAddress(family, req.addr);
    if (addr === null) throw new ProviderError("TBADADDR", 0, `not a ${family.size}-byte ${family.name} address`);
    let r = this.socket.bind(addr);
    let anyPort = portOf(addr) === 0;
    if (r === -EADDRINUSE && !req.exact) {
      r = this.socket.bind(withPort(addr, 0)); // O_T_BIND_REQ: another port will do
      anyPort = true;
    }
    if (r < 0) {
      // With port 0 the kernel chooses: EADDRINUSE then means it has no free port left.
      if (-r === EADDRINUSE && anyPort) throw new ProviderError("TNOADDR", 0, "no free port: the ephemeral port range is used up");
      if (-r === EADDRINUSE) throw new ProviderError("TADDRBUSY");
      if (-r === EACCES || -r === EPERM) throw new ProviderError("TACCES");
      if (-r === EADDRNOTAVAIL || -r === EINVAL || -r === EAFNOSUPPORT) throw new ProviderError("TBADADDR");
      throw new ProviderError("TSYSERR", -r);
    }
    this.phase = "bound";
    this.pump();
    this.rearm();
    return { addr: this.socket.localAddress() ?? addr, qlen: 0 };
  }

  async unbind(): Promise<void> {
    if (this.phase !== "bound") throw new ProviderError("TOUTSTATE");
    const fresh = this.newSocket();
    this.opts.applyTo(fresh);
    this.handle.close();
    this.socket.close();
    this.socket = fresh;
    this.handle = this.poller.watch(fresh.fd, this.onReady);
    this.phase = "unbound";
    this.unread = 0;
  }

  unitdata(req: UnitdataRequest): boolean {
    if (this.phase !== "bound") {
      this.user.error(EPROTO);
      return true;
    }
    const addr = socketAddress(this.provider.family, req.addr);
    if (addr === null || req.opt.length > 0) {
      this.user.uderrorInd({ addr: req.addr.slice(), opt: req.opt.slice(), error: addr === null ? EAFNOSUPPORT : EOPNOTSUPP });
      return true;
    }
    let n = this.socket.sendTo(req.udata, req.udata.length, MSG_NOSIGNAL, addr);
    if (n < 0 && -n !== EAGAIN) n = this.socket.sendTo(req.udata, req.udata.length, MSG_NOSIGNAL, addr); // a stale ICMP error
    if (n >= 0) return true;
    if (-n === EAGAIN) {
      this.refused = true;
      this.rearm();
      return false;
    }
    this.user.uderrorInd({ addr: addr, opt: EMPTY, error: -n });
    return true;
  }

  /** One datagram of `bytes` left the user's queue (read or discarded); at unbind or close, several at once. */
  consumed(bytes: number): void {
    const paused = !this.reading();
    this.unread = Math.max(0, this.unread - bytes - DATAGRAM_COST);
    if (paused && this.reading()) {
      this.pump();
      this.rearm();
    }
  }

  private readonly onReady = (events: number): void => {
    if (this.phase === "closed") return;
    if ((events & EPOLLERR) !== 0) this.reportErrors();
    if ((events & EPOLLOUT) !== 0 && this.refused) {
      this.refused = false;
      this.user.writable(false);
    }
    this.pump();
    this.rearm();
  };

  private reading(): boolean {
    return this.phase === "bound" && this.unread < this.opts.receiveBuffer();
  }

  private pump(): void {
    let failures = 0;
    for (let read = 0; read < READ_BATCH && this.reading(); read++) {
      const n = this.socket.recvFrom(datagram, datagram.length, MSG_TRUNC, from, fromLength);
      if (n < 0) {
        // A pending ICMP error returned by the read (the error queue reports it) is gone once read;
        // anything else would repeat: wait for the next event.
        if (-n === EAGAIN || ++failures > 1) return;
        continue;
      }
      if (n > datagram.length) {
        this.dropped++;
        continue;
      }
      this.unread += n + DATAGRAM_COST;
      const addr = from.slice(0, Math.min(fromLength[0]!, from.length));
      this.user.unitdataInd({ addr, opt: EMPTY, udata: datagram.slice(0, n) });
    }
  }

  /** Every queued error as a T_UDERR, then the pending error they also set is cleared. */
  private reportErrors(): void {
    errorQueue ??= new ErrorQueueReader();
    for (;;) {
      const e = errorQueue.read(this.socket.fd);
      if (typeof e === "number") break;
      this.user.uderrorInd({ addr: e.destination, opt: EMPTY, error: e.errno === 0 ? EIO : e.errno });
    }
    this.socket.takeError();
  }

  private rearm(): void {
    if (this.phase === "closed") return;
    this.handle.arm((this.reading() ? EPOLLIN : 0) | (this.refused ? EPOLLOUT : 0));
  }

  async close(): Promise<void> {
    if (this.phase === "closed") return;
    this.phase = "closed";
    if (this.holding) {
      this.holding = false;
      this.poller.release();
    }
    this.handle.close();
    this.socket.close();
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
