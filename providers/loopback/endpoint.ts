/**
 * A loopback endpoint: one end of an in-process transport that behaves as the illumos tl driver
 * (ticots, ticotsord, ticlts). It keeps its own TPI-level state, answers out-of-state requests as
 * tl does (TOUTSTATE error acks, or EPROTO for data), preserves TSDU boundaries by passing every
 * piece up with its MORE flag, and flow-controls a sender once the receiver's unread data reaches
 * its high-water mark (XTI_RCVBUF), until the receiver has read it down to the low-water mark
 * (half the high-water mark). Each piece is copied once, on its way up.
 */
import {
  bufferSizeRule,
  ECONNREFUSED,
  ECONNRESET,
  EPROTO,
  MAX_BUFFER_OPTION,
  readUscalar,
  scalarValue,
  T_CLTS,
  T_COTS_ORD,
  T_INFINITE,
  T_INVALID,
  XTI_GENERIC,
  XTI_RCVBUF,
  type AcceptRequest,
  type BindAck,
  type BindRequest,
  type ConnectRequest,
  type DisconnectRequest,
  ProviderError,
  type ProviderEndpoint,
  type ProviderInfo,
  type ProviderOption,
  type ProviderUser,
  type UnitdataRequest,
} from "../../src/spi/index.js";
import type { LoopbackProvider } from "./provider.js";

type LoopState = "unbound" | "idle" | "outcon" | "connected" | "closed";

const EMPTY = new Uint8Array(0);

/** From this size on a piece's copy is made in unzeroed memory (below it, zeroing costs less than the detour). */
const LARGE_PIECE = 16384;

/**
 * A copy of a caller's bytes for passing up (they belong to the library from then on). Not
 * `slice()`: on a Node Buffer that returns a view of the caller's memory, not a copy.
 */
function ownCopy(bytes: Uint8Array): Uint8Array {
  const n = bytes.length;
  if (n < LARGE_PIECE) return new Uint8Array(bytes);
  // Memory the copy overwrites entirely needs no zeroing first: at 64 KiB that halves the cost.
  const copy = new Uint8Array(Buffer.allocUnsafeSlow(n).buffer, 0, n);
  copy.set(bytes);
  return copy;
}

/** The low-water mark of a receive side: back-enabled senders resume once unread data is down to it. */
function lowWater(hiwat: number): number {
  return Math.floor(hiwat / 2);
}

function tooLong(length: number, limit: number): boolean {
  return length > 0 && (limit === T_INVALID || (limit >= 0 && limit !== T_INFINITE && length > limit));
}

export class LoopEndpoint implements ProviderEndpoint {
  private state: LoopState = "unbound";
  private addr: Uint8Array | null = null;
  private qlen = 0;
  /** Connection indications sent to this listener and not yet accepted or rejected. */
  private readonly pending = new Map<number, LoopEndpoint>();
  /** Callers beyond qlen waiting, not yet indicated, for room in the queue (holdCallersBeyondQlen). */
  private readonly held: Array<{ caller: LoopEndpoint; udata: Uint8Array }> = [];
  /** While in "outcon": the listener and our sequence there (-1 while it holds us unindicated). */
  private server: LoopEndpoint | null = null;
  private sequenceAtServer = -1;
  private peer: LoopEndpoint | null = null;
  private sentOrdrel = false;
  /** Bytes indicated to our user and not yet consumed, per band. */
  private queued = { normal: 0, expedited: 0 };
  private rcvHiwat: number;
  /** Senders refused by flow control on our receive side, per band (back-enabled later). */
  private readonly blocked = { normal: new Set<LoopEndpoint>(), expedited: new Set<LoopEndpoint>() };
  private readonly rcvbufOption: ProviderOption;

  constructor(
    private readonly provider: LoopbackProvider,
    private readonly user: ProviderUser,
  ) {
    this.rcvHiwat = provider.config.rcvbuf;
    const rule = bufferSizeRule(MAX_BUFFER_OPTION);
    this.rcvbufOption = {
      level: XTI_GENERIC,
      name: XTI_RCVBUF,
      length: 4,
      readOnly: () => false,
      defaultValue: () => scalarValue(provider.config.rcvbuf),
      currentValue: () => scalarValue(this.rcvHiwat),
      check: rule,
      set: (value: Uint8Array) => {
        this.rcvHiwat = readUscalar(value);
        this.backEnable(false);
      },
    };
  }

  private get clts(): boolean {
    return this.provider.config.servtype === T_CLTS;
  }

  info(): ProviderInfo {
    return this.provider.info();
  }

  options(): readonly ProviderOption[] {
    return [this.rcvbufOption];
  }

  addresses(): { local: Uint8Array | null; remote: Uint8Array | null } {
    return {
      local: this.state === "unbound" || this.state === "closed" ? null : this.addr,
      remote: this.state === "connected" && this.peer !== null ? this.peer.addr : null,
    };
  }

  // ---- binding ----

  async bind(req: BindRequest): Promise<BindAck> {
    if (this.state !== "unbound") throw new ProviderError("TOUTSTATE");
    const ns = this.provider.namespace;
    let addr: Uint8Array | null = req.addr !== null && req.addr.length > 0 ? req.addr.slice() : null;
    if (addr !== null && ns.inUse(addr)) {
      if (req.exact) throw new ProviderError("TADDRBUSY");
      addr = null; // O_T_BIND_REQ: any free address will do
    }
    if (addr === null) addr = ns.allocate();
    ns.add(addr, this);
    this.addr = addr;
    this.qlen = this.clts ? 0 : Math.min(req.qlen, this.provider.config.maxQlen);
    this.state = "idle";
    return { addr: addr.slice(), qlen: this.qlen };
  }

  async unbind(): Promise<void> {
    if (this.state !== "idle" || this.pending.size > 0) throw new ProviderError("TOUTSTATE");
    this.releaseAddress();
    this.state = "unbound";
  }

  private releaseAddress(): void {
    if (this.addr !== null) this.provider.namespace.remove(this.addr, this);
    this.addr = null;
    this.qlen = 0;
  }

  // ---- connection establishment ----

  async connect(req: ConnectRequest): Promise<void> {
    if (this.clts) throw new ProviderError("TNOTSUPPORT");
    if (this.state !== "idle") throw new ProviderError("TOUTSTATE");
    if (req.addr.length === 0) throw new ProviderError("TBADADDR");
    if (req.opt.length > 0) throw new ProviderError("TBADOPT");
    if (tooLong(req.udata.length, this.provider.info().connect)) throw new ProviderError("TBADDATA");
    const listener = this.provider.namespace.lookup(req.addr);
    const full = listener !== undefined && listener.pending.size >= listener.qlen;
    const refused =
      listener === undefined || listener.qlen === 0 || listener.state !== "idle" || (full && !this.provider.config.holdCallersBeyondQlen);
    if (refused) {
      this.user.disconInd({ reason: ECONNREFUSED, sequence: -1, udata: EMPTY });
      return;
    }
    this.state = "outcon";
    this.server = listener;
    if (full) listener.held.push({ caller: this, udata: req.udata.slice() }); // indicated once there is room
    else listener.indicate(this, req.udata.slice());
  }

  /** T_CONN_IND for `caller`, under a sequence no outstanding indication has. */
  private indicate(caller: LoopEndpoint, udata: Uint8Array): void {
    const sequence = this.provider.namespace.sequence();
    this.pending.set(sequence, caller);
    caller.sequenceAtServer = sequence;
    this.user.connInd({ sequence, addr: (caller.addr ?? EMPTY).slice(), opt: EMPTY, udata });
  }

  /** The queue has room: indicate the callers held beyond qlen, longest waiting first. */
  private admitHeld(): void {
    while (this.state === "idle" && this.pending.size < this.qlen) {
      const next = this.held.shift();
      if (next === undefined) return;
      this.indicate(next.caller, next.udata);
    }
  }

  /** This listener no longer listens: the callers it holds are refused. */
  private refuseHeld(): void {
    for (const { caller } of this.held.splice(0)) {
      caller.server = null;
      caller.state = "idle";
      caller.user.disconInd({ reason: ECONNREFUSED, sequence: -1, udata: EMPTY });
    }
  }

  async accept(req: AcceptRequest): Promise<void> {
    if (this.state !== "idle" || this.pending.size === 0) throw new ProviderError("TOUTSTATE");
    const client = this.pending.get(req.sequence);
    if (client === undefined) throw new ProviderError("TBADSEQ");
    const acceptor = req.acceptor;
    if (!(acceptor instanceof LoopEndpoint) || acceptor.provider.namespace !== this.provider.namespace) throw new ProviderError("TBADF");
    if (acceptor !== this && acceptor.state !== "idle") throw new ProviderError("TOUTSTATE");
    if (acceptor === this && this.pending.size > 1) throw new ProviderError("TBADF");
    if (req.opt.length > 0) throw new ProviderError("TBADOPT");
    if (tooLong(req.udata.length, this.provider.info().connect)) throw new ProviderError("TBADDATA");
    this.pending.delete(req.sequence);
    client.server = null;
    client.sequenceAtServer = -1;
    LoopEndpoint.link(client, acceptor);
    client.user.connCon({ addr: (acceptor.addr ?? EMPTY).slice(), opt: EMPTY, udata: req.udata.slice() });
    if (acceptor === this) this.refuseHeld();
    else this.admitHeld();
  }

  private static link(a: LoopEndpoint, b: LoopEndpoint): void {
    for (const [x, y] of [
      [a, b],
      [b, a],
    ] as const) {
      x.state = "connected";
      x.peer = y;
      x.sentOrdrel = false;
    }
  }

  /** Break the connection from our side: the peer is flushed and told (reason ECONNRESET). */
  private abortConnection(udata: Uint8Array): void {
    const peer = this.peer;
    this.peer = null;
    this.state = "idle";
    if (peer === null) return;
    peer.peer = null;
    peer.state = "idle";
    peer.user.flush();
    peer.user.disconInd({ reason: ECONNRESET, sequence: -1, udata: udata.slice() });
    peer.backEnable(false);
    peer.backEnable(true);
  }

  async disconnect(req: DisconnectRequest): Promise<void> {
    if (tooLong(req.udata.length, this.provider.info().discon)) throw new ProviderError("TBADDATA");
    if (req.sequence !== null) {
      const client = this.pending.get(req.sequence);
      if (client === undefined) throw new ProviderError("TBADSEQ");
      this.pending.delete(req.sequence);
      client.server = null;
      client.sequenceAtServer = -1;
      client.state = "idle";
      client.user.disconInd({ reason: ECONNRESET, sequence: -1, udata: req.udata.slice() });
      this.admitHeld();
      return;
    }
    if (this.state === "outcon") {
      this.withdrawConnect(req.udata);
      return;
    }
    if (this.state === "connected") {
      this.abortConnection(req.udata);
      return;
    }
    throw new ProviderError("TOUTSTATE");
  }

  private withdrawConnect(udata: Uint8Array): void {
    const server = this.server;
    const sequence = this.sequenceAtServer;
    this.server = null;
    this.sequenceAtServer = -1;
    this.state = "idle";
    if (server === null) return;
    if (server.pending.delete(sequence)) {
      server.user.disconInd({ reason: ECONNRESET, sequence, udata: udata.slice() });
      server.admitHeld();
      return;
    }
    // Held, never indicated: the listener's user never knew of us.
    const at = server.held.findIndex((h) => h.caller === this);
    if (at >= 0) server.held.splice(at, 1);
  }

  // ---- data transfer ----

  /** Deliver one piece to the peer's user unless its receive side is at its high-water mark. */
  private forward(expedited: boolean, buf: Uint8Array, more: boolean): boolean {
    // tl discards data sent by an idle endpoint; a listener holding connection indications is not
    // idle to tl (TS_WRES_CIND), and data there is a protocol error like any other state's.
    if (this.state === "idle" && this.pending.size === 0) return true;
    if (this.state !== "connected" || this.sentOrdrel) {
      this.user.error(EPROTO);
      return true;
    }
    const peer = this.peer;
    if (peer === null) return true;
    const band = expedited ? "expedited" : "normal";
    if (peer.full(expedited)) {
      peer.blocked[band].add(this);
      return false;
    }
    peer.queued[band] += buf.length;
    const copy = ownCopy(buf);
    if (expedited) peer.user.exdataInd(copy, more);
    else peer.user.dataInd(copy, more);
    return true;
  }

  data(buf: Uint8Array, more: boolean): boolean {
    return this.forward(false, buf, more);
  }

  exdata(buf: Uint8Array, more: boolean): boolean {
    return this.forward(true, buf, more);
  }

  ordrel(udata: Uint8Array | null): boolean {
    if (this.provider.config.servtype !== T_COTS_ORD || this.state !== "connected" || this.sentOrdrel) {
      this.user.error(EPROTO); // tl: T_ORDREL_REQ out of state is a fatal protocol error
      return true;
    }
    const peer = this.peer;
    if (peer !== null && peer.queued.normal >= peer.rcvHiwat) {
      peer.blocked.normal.add(this);
      return false;
    }
    this.sentOrdrel = true;
    if (peer === null) return true;
    peer.user.ordrelInd(this.provider.config.ordrelData && udata !== null ? udata.slice() : null);
    if (peer.sentOrdrel) {
      // Both directions are released: the connection is over.
      this.peer = null;
      this.state = "idle";
      peer.peer = null;
      peer.state = "idle";
    }
    return true;
  }

  unitdata(req: UnitdataRequest): boolean {
    if (!this.clts || this.state !== "idle") {
      this.user.error(EPROTO);
      return true;
    }
    if (req.addr.length === 0 || req.opt.length > 0) {
      this.user.uderrorInd({ addr: ownCopy(req.addr), opt: ownCopy(req.opt), error: EPROTO });
      return true;
    }
    const dest = this.provider.namespace.lookup(req.addr);
    if (dest === undefined || dest.state !== "idle") {
      this.user.uderrorInd({ addr: ownCopy(req.addr), opt: EMPTY, error: ECONNRESET });
      return true;
    }
    if (dest.full(false)) {
      dest.blocked.normal.add(this);
      return false;
    }
    dest.queued.normal += req.udata.length;
    dest.user.unitdataInd({ addr: (this.addr ?? EMPTY).slice(), opt: EMPTY, udata: ownCopy(req.udata) });
    return true;
  }

  consumed(bytes: number, expedited: boolean): void {
    const band = expedited ? "expedited" : "normal";
    this.queued[band] = Math.max(0, this.queued[band] - bytes);
    if (this.blocked[band].size > 0) this.backEnable(expedited, lowWater(this.hiwat(expedited)));
  }

  /**
   * Our receive side refuses (expedited) data: its unread data reached the high-water mark, or
   * it did and a refused sender has not been back-enabled yet (STREAMS keeps QFULL set until the
   * queue drains to its low-water mark, so a sender retrying on its own is refused too).
   */
  private full(expedited: boolean): boolean {
    const band = expedited ? "expedited" : "normal";
    return this.queued[band] >= this.hiwat(expedited) || this.blocked[band].size > 0;
  }

  /** Our receive high-water mark for unread (expedited) data. */
  private hiwat(expedited: boolean): number {
    return expedited ? this.provider.config.exrcvbuf : this.rcvHiwat;
  }

  /**
   * Let flow-controlled senders try again once our unread data is at most `limit` bytes (or we
   * are closed). As they read, that is the low-water mark, as a STREAMS queue back-enables its
   * writer only once it has drained to q_lowat: a sender woken then has room for many pieces,
   * instead of being held off again after each one. Other callers pass the room there is now.
   */
  private backEnable(expedited: boolean, limit = this.hiwat(expedited) - 1): void {
    const band = expedited ? "expedited" : "normal";
    if (this.blocked[band].size === 0 || (this.queued[band] > limit && this.state !== "closed")) return;
    const senders = [...this.blocked[band]];
    this.blocked[band].clear();
    for (const s of senders) s.user.writable(expedited);
  }

  async close(): Promise<void> {
    if (this.state === "closed") return;
    if (this.state === "outcon") this.withdrawConnect(EMPTY);
    for (const [, client] of this.pending) {
      client.server = null;
      client.sequenceAtServer = -1;
      client.state = "idle";
      client.user.disconInd({ reason: ECONNREFUSED, sequence: -1, udata: EMPTY });
    }
    this.pending.clear();
    this.refuseHeld();
    if (this.state === "connected") this.abortConnection(EMPTY);
    this.releaseAddress();
    this.state = "closed";
    // Senders waiting on us retry and find us gone.
    this.backEnable(false);
    this.backEnable(true);
  }
}
