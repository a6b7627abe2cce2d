/**
 * /dev/pipe: an example transport provider for xti, written against the provider interface (SPI)
 * the way a third party would write one. docs/providers.md walks through it.
 *
 * An in-process T_COTS_ORD transport: endpoints bind to names (UTF-8 strings), listeners hold at
 * most qlen waiting callers, TSDU boundaries are kept (every piece goes up with its MORE flag),
 * connections end by orderly release or abortively, and a receiver that has `rcvbuf` bytes unread
 * holds its sender off until the user reads. No expedited data, no connect/disconnect data.
 *
 * A provider never sees t_errno, XTI states or t_look: the library does all that. It answers
 * requests (or rejects them with a ProviderError) and raises indications on the ProviderUser.
 */
import { ECONNREFUSED, ECONNRESET, EPROTO, ProviderError, readUscalar, scalarValue, T_COTS_ORD, T_FAILURE, T_INFINITE, T_INVALID, T_PARTSUCCESS, T_SENDZERO, T_SUCCESS, XTI_GENERIC, XTI_RCVBUF } from "xti/spi";
import type { AcceptRequest, BindAck, BindRequest, ConnectRequest, DisconnectRequest, ProviderEndpoint, ProviderInfo, ProviderOption, ProviderUser, TransportProvider, UnitdataRequest } from "xti/spi";
import type { ConformanceTarget } from "xti/conformance";

const MAX_NAME = 64; // bytes of UTF-8
const MAX_QLEN = 16;
const DEFAULT_RCVBUF = 32 * 1024;
const MAX_RCVBUF = 1024 * 1024;
const EMPTY = new Uint8Array(0);

/** T_INFO_ACK. The library derives TBADDATA, TNOTSUPPORT, T_SENDZERO... from these fields. */
const INFO: Readonly<ProviderInfo> = {
  addr: MAX_NAME,
  options: 0, // no protocol-specific options; XTI_RCVBUF is an XTI_GENERIC one
  tsdu: T_INFINITE, // boundaries kept, any size
  etsdu: T_INVALID, // no expedited data: t_snd(T_EXPEDITED) fails TNOTSUPPORT in the library
  connect: T_INVALID, // no data with t_connect / t_accept
  discon: T_INVALID, // no data with t_snddis
  servtype: T_COTS_ORD,
  tidu: 8 * 1024, // the library cuts larger t_snd calls into 8 KiB pieces, MORE set on all but the last
  sendZero: true,
  ordrelData: false,
  expInline: false,
};

const utf8 = new TextDecoder("utf-8", { fatal: true });
const encodeName = (name: string): Uint8Array => new TextEncoder().encode(name);

function decodeName(addr: Uint8Array): string {
  if (addr.length === 0 || addr.length > MAX_NAME) throw new ProviderError("TBADADDR");
  try {
    return utf8.decode(addr);
  } catch {
    throw new ProviderError("TBADADDR");
  }
}

/** The provider's own view of an endpoint (not the XTI state: the library keeps that). */
type State = "unbound" | "idle" | "calling" | "connected" | "closed";

class PipeEndpoint implements ProviderEndpoint {
  private state: State = "unbound";
  private name: string | null = null;
  private qlen = 0;
  /** As a listener: callers indicated with connInd and not yet accepted or rejected. */
  private readonly callers = new Map<number, PipeEndpoint>();
  /** While "calling": the listener and the sequence it knows us by (to withdraw). */
  private calling: { listener: PipeEndpoint; sequence: number } | null = null;
  /** While "connected": the other end. */
  private peer: PipeEndpoint | null = null;
  private sentRelease = false;
  private gotRelease = false;
  /** Bytes we indicated to our user that it has not consumed (read or discarded) yet. */
  private unread = 0;
  /** The receive high-water mark (XTI_RCVBUF). */
  private rcvbuf = DEFAULT_RCVBUF;
  /** Our peer's data() was refused: owe it a writable() once we drain below rcvbuf. */
  private peerBlocked = false;

  constructor(
    private readonly pipe: PipeProvider,
    private readonly user: ProviderUser,
  ) {}

  info(): ProviderInfo {
    return { ...INFO }; // a copy: the library may keep what it is given
  }

  private get address(): Uint8Array {
    return encodeName(this.name ?? "");
  }

  addresses(): { local: Uint8Array | null; remote: Uint8Array | null } {
    return { local: this.name === null ? null : this.address, remote: this.peer?.address ?? null };
  }

  /**
   * XTI_RCVBUF sizes our flow control, so we manage it ourselves; the library answers for the
   * other XTI_GENERIC options and does the T_NEGOTIATE/T_CHECK/T_CURRENT bookkeeping.
   */
  private readonly rcvbufOption: ProviderOption = {
    level: XTI_GENERIC,
    name: XTI_RCVBUF,
    length: 4,
    readOnly: () => false,
    defaultValue: () => scalarValue(DEFAULT_RCVBUF),
    currentValue: () => scalarValue(this.rcvbuf),
    check: (value) => {
      const n = readUscalar(value);
      if (n === 0) return { status: T_FAILURE, value };
      if (n > MAX_RCVBUF) return { status: T_PARTSUCCESS, value: scalarValue(MAX_RCVBUF) };
      return { status: T_SUCCESS, value };
    },
    set: (value) => {
      this.rcvbuf = readUscalar(value);
      this.drained(); // a larger window may release a blocked sender
    },
  };

  options(): readonly ProviderOption[] {
    return [this.rcvbufOption];
  }

  // ---- binding: a name in the provider's namespace ----

  async bind(req: BindRequest): Promise<BindAck> {
    if (this.state !== "unbound") throw new ProviderError("TOUTSTATE");
    let name = req.addr === null ? null : decodeName(req.addr);
    if (name !== null && this.pipe.names.has(name)) {
      if (req.exact) throw new ProviderError("TADDRBUSY");
      name = null; // O_T_BIND_REQ (TLI semantics): any free name will do
    }
    name ??= this.pipe.freeName();
    this.pipe.names.set(name, this);
    this.name = name;
    this.qlen = Math.min(req.qlen, MAX_QLEN); // negotiated down, never to 0 from > 0
    this.state = "idle";
    return { addr: this.address, qlen: this.qlen };
  }

  async unbind(): Promise<void> {
    if (this.state !== "idle" || this.callers.size > 0) throw new ProviderError("TOUTSTATE");
    this.forgetName();
    this.state = "unbound";
  }

  private forgetName(): void {
    if (this.name !== null) this.pipe.names.delete(this.name);
    this.name = null;
    this.qlen = 0;
  }

  // ---- connection establishment ----

  async connect(req: ConnectRequest): Promise<void> {
    // The library checks most of this first; a provider still guards its own invariants.
    if (this.state !== "idle" || this.callers.size > 0) throw new ProviderError("TOUTSTATE");
    if (req.opt.length > 0) throw new ProviderError("TBADOPT");
    if (req.udata.length > 0) throw new ProviderError("TBADDATA");
    const listener = this.pipe.names.get(decodeName(req.addr));
    const refuse = listener === undefined || listener === this || listener.state !== "idle" || listener.callers.size >= listener.qlen;
    if (refuse) {
      // Nobody listens there, or its queue holds qlen callers: refuse at once. The request itself
      // was accepted (the promise resolves); the refusal is an indication, as T_DISCON_IND is.
      this.user.disconInd({ reason: ECONNREFUSED, sequence: -1, udata: EMPTY });
      return;
    }
    const sequence = this.pipe.nextSequence();
    listener.callers.set(sequence, this);
    this.calling = { listener, sequence };
    this.state = "calling";
    listener.user.connInd({ sequence, addr: this.address, opt: EMPTY, udata: EMPTY });
  }

  async accept(req: AcceptRequest): Promise<void> {
    if (this.state !== "idle") throw new ProviderError("TOUTSTATE");
    const caller = this.callers.get(req.sequence);
    if (caller === undefined) throw new ProviderError("TBADSEQ");
    const acceptor = req.acceptor;
    // Only our own endpoints can take a connection (the library passes what the user named).
    if (!(acceptor instanceof PipeEndpoint) || acceptor.pipe !== this.pipe) throw new ProviderError("TBADF");
    // The listener may take the call itself only if no other caller is left waiting on it;
    // another acceptor must be bound, idle and not a listener.
    if (acceptor === this && this.callers.size > 1) throw new ProviderError("TBADF");
    if (acceptor !== this && acceptor.state !== "idle") throw new ProviderError("TOUTSTATE");
    if (acceptor !== this && acceptor.qlen > 0) throw new ProviderError("TRESQLEN");
    if (req.opt.length > 0) throw new ProviderError("TBADOPT");
    if (req.udata.length > 0) throw new ProviderError("TBADDATA");
    this.callers.delete(req.sequence);
    caller.calling = null;
    PipeEndpoint.join(caller, acceptor);
    caller.user.connCon({ addr: acceptor.address, opt: EMPTY, udata: EMPTY });
  }

  private static join(a: PipeEndpoint, b: PipeEndpoint): void {
    a.peer = b;
    b.peer = a;
    for (const e of [a, b]) {
      e.state = "connected";
      e.sentRelease = e.gotRelease = false;
      e.peerBlocked = false;
    }
  }

  /** The connection is over for this end (the name stays bound). */
  private detach(): void {
    this.peer = null;
    this.state = "idle";
    this.peerBlocked = false;
  }

  // ---- ending connections ----

  async disconnect(req: DisconnectRequest): Promise<void> {
    if (req.udata.length > 0) throw new ProviderError("TBADDATA");
    if (req.sequence !== null) {
      const caller = this.callers.get(req.sequence);
      if (caller === undefined) throw new ProviderError("TBADSEQ");
      this.callers.delete(req.sequence);
      caller.refused();
    } else if (this.state === "calling") {
      this.withdraw();
    } else if (this.state === "connected") {
      this.abort();
    } else {
      throw new ProviderError("TOUTSTATE");
    }
  }

  /** Our connect request was rejected, or its listener went away. */
  private refused(): void {
    this.calling = null;
    this.state = "idle";
    this.user.disconInd({ reason: ECONNREFUSED, sequence: -1, udata: EMPTY });
  }

  /** We give up calling: the listener hears of it under the sequence it knew us by. */
  private withdraw(): void {
    const call = this.calling;
    this.calling = null;
    this.state = "idle";
    if (call !== null && call.listener.callers.delete(call.sequence)) {
      call.listener.user.disconInd({ reason: ECONNRESET, sequence: call.sequence, udata: EMPTY });
    }
  }

  /** Abortive release: like a reset, the peer loses what it has not read yet. */
  private abort(): void {
    const peer = this.peer;
    this.detach();
    if (peer === null) return;
    peer.detach();
    // M_FLUSH before T_DISCON_IND: the library drops the unread data and reports it consumed.
    peer.user.flush();
    peer.user.disconInd({ reason: ECONNRESET, sequence: -1, udata: EMPTY });
  }

  ordrel(_udata: Uint8Array | null): boolean {
    const peer = this.peer;
    if (peer === null || this.sentRelease) {
      this.user.error(EPROTO); // T_ORDREL_REQ out of state: a fatal protocol error (M_ERROR)
      return true;
    }
    this.sentRelease = true;
    peer.gotRelease = true;
    // Queued behind any data already indicated, so the peer's user reads that data first.
    peer.user.ordrelInd(null);
    if (this.gotRelease) {
      this.detach(); // both directions are released: the connection is over
      peer.detach();
    }
    return true;
  }

  // ---- data transfer ----

  data(buf: Uint8Array, more: boolean): boolean {
    const peer = this.peer;
    if (peer === null) {
      // In "idle" the peer may just have aborted, its disconnect still unread by our user: the
      // data is lost, as on a wire. Data in any other state is a fatal protocol error.
      if (this.state !== "idle") this.user.error(EPROTO);
      return true;
    }
    if (this.sentRelease) {
      this.user.error(EPROTO); // sending after our own release
      return true;
    }
    // Flow control: refuse only when the peer's unread data reached its high-water mark. The
    // piece that crosses the mark is still taken; nothing is taken from a refused call.
    if (peer.unread >= peer.rcvbuf) {
      peer.peerBlocked = true;
      return false;
    }
    peer.unread += buf.length;
    // Copy: `buf` may be a view of the user's buffer, which it may reuse once t_snd returns.
    // (Not buf.slice(): on a Node Buffer that is another view of the same memory.)
    peer.user.dataInd(new Uint8Array(buf), more);
    return true;
  }

  consumed(bytes: number, expedited: boolean): void {
    if (expedited) return; // we never indicate expedited data
    this.unread = Math.max(0, this.unread - bytes);
    this.drained();
  }

  /** Back-enable: a sender we refused may try again once we are below the high-water mark. */
  private drained(): void {
    if (!this.peerBlocked || this.unread >= this.rcvbuf) return;
    this.peerBlocked = false;
    this.peer?.user.writable(false);
  }

  exdata(_buf: Uint8Array, _more: boolean): boolean {
    this.user.error(EPROTO); // etsdu is T_INVALID, so the library never sends any: a protocol error
    return true;
  }

  unitdata(_req: UnitdataRequest): boolean {
    this.user.error(EPROTO); // a connectionless request to a connection-mode provider
    return true;
  }

  async close(): Promise<void> {
    if (this.state === "closed") return;
    if (this.state === "calling") this.withdraw();
    for (const caller of this.callers.values()) caller.refused();
    this.callers.clear();
    if (this.state === "connected") this.abort(); // closing is abortive, as in the tl driver
    this.forgetName();
    this.state = "closed";
  }
}

/** One pipe namespace: bound names and connection sequence numbers. */
class PipeProvider implements TransportProvider {
  readonly names = new Map<string, PipeEndpoint>();
  private lastAuto = 0;
  private lastSequence = 0;

  constructor(readonly name: string) {}

  open(user: ProviderUser): ProviderEndpoint {
    return new PipeEndpoint(this, user);
  }

  /** A name of our choosing for t_bind without an address. */
  freeName(): string {
    let name;
    do name = `pipe-${++this.lastAuto}`;
    while (this.names.has(name));
    return name;
  }

  nextSequence(): number {
    return ++this.lastSequence;
  }
}

/** A pipe transport with its own namespace, registered under `device` by registerProvider. */
export function createPipeProvider(device = "/dev/pipe"): TransportProvider {
  return new PipeProvider(device);
}

export const provider = createPipeProvider();
export default provider;

/**
 * What xti-conformance needs to know: what the provider is meant to be (`declared`, checked
 * against its t_info) and facts about behaviour that t_info cannot express (`features`). The shape
 * is ConformanceTarget in conformance/types.ts.
 */
export const conformanceTarget: ConformanceTarget = {
  name: "pipe",
  device: provider.name,
  description: "example: in-process T_COTS_ORD pipe with named endpoints",
  // The t_info this provider means to report; the suite fails it if INFO ever says otherwise.
  declared: { servtype: T_COTS_ORD, addr: MAX_NAME, options: 0, tsdu: T_INFINITE, etsdu: T_INVALID, connect: T_INVALID, discon: T_INVALID, flags: T_SENDZERO },
  features: {
    boundedQueue: true, // callers beyond qlen are refused, so t_listen can report TQFULL
    callerBeyondQlen: "refused", // ... at once, with a disconnect
    confirmedOnAccept: true, // connCon only from accept()
    refusesUnknownAddress: true, // a connect to a name nobody listens on is refused at once
    abortDiscardsUnread: true, // abort() flushes the peer before its disconnect
    errnoReasons: true, // ECONNREFUSED for a refused connect, ECONNRESET for an abort
    // reportsUderr is about datagrams (a connection-mode provider has none); opaqueAddresses is
    // false: names must be valid UTF-8.
  },
  /** Listeners bind to readable names, so the suite exercises caller-chosen addresses too. */
  bindAddress: (index: number): Uint8Array => encodeName(`conformance-${index}`),
};
