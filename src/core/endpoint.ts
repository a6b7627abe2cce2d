/**
 * One open transport endpoint as the library sees it (libnsl's _ti_user): the user-level state,
 * the outstanding connection indications (ocnt), the receive queue, flow-control and look-event
 * flags, and the waiting of blocking calls. It is the ProviderUser of its provider endpoint.
 */
import { T_GODATA, T_GOEXDATA, T_UNBND, TBADF, TFLOW, TLOOK, TOUTSTATE, TSTATECHNG, TSYSERR } from "../constants.js";
import type { SemanticsProfile } from "../profile.js";
import type { ProviderEndpoint, ProviderInfo, ProviderOption, ProviderUser, TransportProvider } from "../spi/contract.js";
import { fail, toFailure } from "./failure.js";
import { guardEndpoint } from "./guard.js";
import { type Discarded, ReceiveQueue } from "./rcvqueue.js";

export class CoreEndpoint implements ProviderUser {
  /** The provider endpoint, every request guarded (guard.ts); set right after construction by t_open. */
  pep!: ProviderEndpoint;
  /** The provider's own endpoint object, for requests that name it (AcceptRequest.acceptor). */
  rawPep!: ProviderEndpoint;
  state = T_UNBND;
  /** The negotiated qlen of the last successful bind. */
  qlen = 0;
  /** Sequences returned by t_listen and not yet accepted, rejected or disconnected (ocnt). */
  readonly outstanding = new Set<number>();
  /** TQFULL was reported for the current full-queue episode. */
  qfullNotified = false;
  /** Bytes of the TSDU / ETSDU being sent with T_MORE (-1 when none is open). */
  openUnit = { normal: -1, expedited: -1 };
  /** A non-blocking send was refused by flow control: report T_GODATA / T_GOEXDATA when it lifts. */
  readonly flowArmed = { normal: false, expedited: false };
  /** The provider refused a request of this band and has not said writable() since (poll: no POLLOUT). */
  readonly writeBlocked = { normal: false, expedited: false };
  /** Pending T_GODATA / T_GOEXDATA bits (cleared by t_look and by a successful send). */
  goEvents = 0;
  /** M_ERROR from the provider: every later call fails TSYSERR with this errno. */
  fatalErrno = 0;
  closed = false;
  /** XTI_GENERIC options kept by the library for providers that do not manage them. */
  readonly genericOptions: ProviderOption[] = [];
  /** The receive queue; created by attach() with the provider's queue discipline. */
  rq!: ReceiveQueue;
  /** The address given to the last t_connect (the peer while in T_OUTCON). */
  calledAddress: Uint8Array | null = null;
  /** Provider request/acknowledgement exchanges in flight (t_getstate reports TSTATECHNG). */
  private exchanges = 0;
  private exchangeTail: Promise<void> = Promise.resolve();
  /**
   * Calls (and polls) waiting for the next change, each woken once, in the order they began to
   * wait: the first, and the others after it (usually there is one, so waking one allocates nothing).
   */
  private firstWaiter: (() => void) | null = null;
  private otherWaiters: Array<() => void> = [];
  /** What the provider was last told about blocked callers. */
  private blockedTold = false;
  /** A send call holds the endpoint (see serializeSend); later ones queue here. */
  private sending = false;
  private sendQueue: Array<() => void> = [];
  /** The provider's t_info as last read (null: read it at the next use; see infoChanged). */
  private cachedInfo: ProviderInfo | null = null;

  constructor(
    readonly fd: number,
    readonly provider: TransportProvider,
    readonly profile: SemanticsProfile,
    public nonblock: boolean,
  ) {}

  /** Attach the provider endpoint t_open created for us. */
  attach(pep: ProviderEndpoint): void {
    this.rawPep = pep;
    this.pep = guardEndpoint(pep);
    this.rq = new ReceiveQueue(this.info().expInline);
  }

  get ocnt(): number {
    return this.outstanding.size;
  }

  /**
   * The provider's t_info (T_INFO_ACK). Read once and kept: the SPI lets it change only after a
   * bind or a connection (and an option may change it), so transition() and t_optmgmt call
   * infoChanged(), and t_getinfo always asks the provider again. A provider whose info() fails
   * is asked again at every use, and every call that needs the info fails as it does.
   */
  info(): ProviderInfo {
    return this.cachedInfo ?? this.readInfo();
  }

  /** The provider may have changed its t_info: ask it again at the next use. */
  infoChanged(): void {
    this.cachedInfo = null;
  }

  private readInfo(): ProviderInfo {
    const i = this.pep.info();
    // Our own copy: a provider may hand out an object it changes later.
    const info: ProviderInfo = {
      addr: i.addr,
      options: i.options,
      tsdu: i.tsdu,
      etsdu: i.etsdu,
      connect: i.connect,
      discon: i.discon,
      servtype: i.servtype,
      tidu: i.tidu,
      sendZero: i.sendZero,
      ordrelData: i.ordrelData,
      expInline: i.expInline,
      legacyOptmgmtOnlyIdle: i.legacyOptmgmtOnlyIdle === true,
    };
    this.cachedInfo = info;
    return info;
  }

  /**
   * Flow control refused a send. A non-blocking caller gets TFLOW (or a partial count) and learns
   * from T_GODATA / T_GOEXDATA when to try again; a blocking caller just waits, so nothing is armed.
   */
  flowControlled(band: "normal" | "expedited"): void {
    this.writeBlocked[band] = true;
    if (this.nonblock) this.flowArmed[band] = true;
  }

  /**
   * Flow control refused a request: a non-blocking caller fails TFLOW (and T_GODATA / T_GOEXDATA
   * will say when to retry); a blocking one waits for the next change, then retries.
   */
  waitForFlow(band: "normal" | "expedited", refused: string): Promise<void> {
    this.flowControlled(band);
    if (this.nonblock) fail(TFLOW, 0, `flow control: ${refused}`);
    return this.changed(); // the caller checks the endpoint again (checkUsable) once woken
  }

  /**
   * Run one send call (t_snd, t_sndv, t_sndrel, t_sndreldata, t_sndudata, t_sndvudata) alone on
   * this endpoint. libnsl holds its endpoint lock across a blocked send; without the same rule a
   * second async flow could slip its data or an orderly release into the middle of a TSDU that
   * the first flow is still sending.
   */
  async serializeSend<T>(send: () => T | Promise<T>): Promise<T> {
    if (this.sending) await new Promise<void>((resume) => this.sendQueue.push(resume));
    else this.sending = true;
    try {
      return await send();
    } finally {
      this.releaseSend();
    }
  }

  /**
   * Take the endpoint for the rest of a send that began at once and now has to wait (a send
   * that completes at once never takes it). Returns false when the send already holds it (it
   * runs under serializeSend); otherwise the caller must releaseSend() when it is done.
   */
  takeSend(): boolean {
    if (this.sending) return false;
    this.sending = true;
    return true;
  }

  /** The send holding the endpoint is done: the next queued one (if any) takes it over. */
  releaseSend(): void {
    const next = this.sendQueue.shift();
    if (next === undefined) this.sending = false;
    else next(); // handed over: `sending` stays set
  }

  /**
   * True while a send call holds the endpoint (it is waiting for flow control): a new send must
   * queue behind it with serializeSend. A send that can complete at once runs without taking it.
   */
  get sendHeld(): boolean {
    return this.sending;
  }

  /** O_NONBLOCK on or off; calls waiting in blocking mode re-check (and fail TNODATA/TFLOW now). */
  setNonblocking(on: boolean): void {
    this.nonblock = on;
    this.wake();
  }

  /** Forget what belonged to the connection that just ended (units left open, flow-control events). */
  endConnection(): void {
    this.openUnit = { normal: -1, expedited: -1 };
    this.flowArmed.normal = false;
    this.flowArmed.expedited = false;
    this.writeBlocked.normal = false;
    this.writeBlocked.expedited = false;
    this.goEvents = 0;
    this.calledAddress = null;
  }

  /** Resolves at the next indication or state change on this endpoint (or its close). */
  changed(): Promise<void> {
    return new Promise((resolve) => this.addWaiter(resolve));
  }

  /**
   * Call `onChange` once, at the next indication or state change (or close); returns a function
   * that cancels the watch (poll watches several endpoints and cancels the rest).
   */
  watch(onChange: () => void): () => void {
    // Registered in its own wrapper, so a function watching twice (poll given one fd twice) is
    // two watches, each cancelled on its own.
    const waiter = (): void => onChange();
    this.addWaiter(waiter);
    return () => {
      if (this.firstWaiter === waiter) this.firstWaiter = null;
      else {
        const at = this.otherWaiters.indexOf(waiter);
        if (at < 0) return; // woken already
        this.otherWaiters.splice(at, 1);
      }
      this.settleBlocked();
    };
  }

  private addWaiter(waiter: () => void): void {
    if (this.firstWaiter === null && this.otherWaiters.length === 0) {
      this.tellBlocked(true);
      this.firstWaiter = waiter;
    } else this.otherWaiters.push(waiter);
  }

  /** Waits registered and not yet woken or cancelled (leak checks). */
  get waiting(): number {
    return (this.firstWaiter === null ? 0 : 1) + this.otherWaiters.length;
  }

  /** Wake every waiting call so it tries again. */
  wake(): void {
    const first = this.firstWaiter;
    const others = this.otherWaiters;
    if (first === null && others.length === 0) return;
    // Waits begun while these are woken are new ones, woken by the next change.
    this.firstWaiter = null;
    if (others.length > 0) this.otherWaiters = [];
    if (first !== null) first();
    for (let i = 0; i < others.length; i++) (others[i] as () => void)();
    this.settleBlocked();
  }

  /** The woken or cancelled waits retry first; only if none of them waits again is the provider told. */
  private settleBlocked(): void {
    if (!this.blockedTold) return; // nothing to take back (the provider has no userBlocked, or was not told)
    queueMicrotask(() => {
      if (this.waiting === 0) this.tellBlocked(false);
    });
  }

  /** Tell the provider whether a caller is blocked here (see ProviderEndpoint.userBlocked). */
  private tellBlocked(blocked: boolean): void {
    if (this.blockedTold === blocked || this.pep.userBlocked === undefined) return;
    this.blockedTold = blocked;
    try {
      this.pep.userBlocked(blocked);
    } catch {
      // A hint only: a provider that fails to take it changes nothing the caller can see.
    }
  }

  /** Calls made after close, or pending across it, fail TBADF; after M_ERROR, TSYSERR. */
  checkUsable(): void {
    if (this.closed) fail(TBADF, 0, "the endpoint was closed");
    if (this.fatalErrno !== 0) fail(TSYSERR, this.fatalErrno, "the provider reported a fatal error");
  }

  /**
   * Run one request/acknowledgement exchange with the provider, one at a time per endpoint, as
   * libnsl serialises them under its endpoint lock. t_getstate reports TSTATECHNG meanwhile.
   * `acknowledged` applies the acknowledgement (the state transition) before the exchange ends,
   * so a call waiting for the state to settle (settled()) sees the new state.
   */
  async exchange<T>(request: () => Promise<T>, acknowledged: (ack: T) => void): Promise<T> {
    const previous = this.exchangeTail;
    let release!: () => void;
    this.exchangeTail = new Promise<void>((r) => (release = r));
    this.exchanges++;
    try {
      let ack: T;
      try {
        await previous;
        this.checkUsable();
        ack = await request();
      } catch (e) {
        // The provider found the request out of state because an indication it sent first is
        // still unread: the user must look (libnsl's _t_is_ok does the same).
        if (toFailure(e).t_errno === TOUTSTATE && !this.rq.isEmpty()) fail(TLOOK, 0, "an event is pending");
        throw e;
      }
      acknowledged(ack);
      return ack;
    } finally {
      this.exchanges--;
      release();
      this.wake();
    }
  }

  /** Resolves once no exchange is in flight (at once when none is): the state is what it will be. */
  async settled(): Promise<void> {
    while (this.exchanges > 0) {
      await this.changed();
      this.checkUsable();
    }
  }

  get stateChanging(): boolean {
    return this.exchanges > 0;
  }

  /** The user state, or TSTATECHNG while an exchange that may change it is in flight. */
  stableState(): number {
    if (this.stateChanging) fail(TSTATECHNG);
    return this.state;
  }

  /** Tell the provider that queued data left the queue (read or discarded). */
  released(d: Discarded): void {
    this.consumed(d.normal, false);
    this.consumed(d.expedited, true);
  }

  /** Tell the provider that `bytes` of (expedited) data were read or discarded (nothing for 0). */
  consumed(bytes: number, expedited: boolean): void {
    if (bytes > 0) this.pep.consumed(bytes, expedited);
  }

  /**
   * Tell the provider that one datagram left the queue, read to its end or discarded: once per
   * datagram, with its whole length, even 0, so a provider can count datagrams as well as bytes.
   */
  datagramReleased(length: number): void {
    this.pep.consumed(length, false);
  }

  // ---- ProviderUser: indications from the provider ----

  connInd(ind: { sequence: number; addr: Uint8Array; opt: Uint8Array; udata: Uint8Array }): void {
    if (this.closed) return;
    this.rq.push({ kind: "conn_ind", ...ind });
    this.wake();
  }

  connCon(con: { addr: Uint8Array; opt: Uint8Array; udata: Uint8Array }): void {
    if (this.closed) return;
    this.rq.push({ kind: "conn_con", ...con });
    this.wake();
  }

  disconInd(ind: { reason: number; sequence: number; udata: Uint8Array }): void {
    if (this.closed) return;
    // An indication withdrawn before t_listen saw it vanishes with its disconnect.
    if (ind.sequence >= 0 && this.rq.withdrawConnInd(ind.sequence)) {
      this.wake();
      return;
    }
    this.rq.dropOrdrel();
    this.rq.push({ kind: "discon", ...ind });
    this.wake();
  }

  dataInd(data: Uint8Array, more: boolean): void {
    if (this.closed) return;
    this.rq.push({ kind: "data", buf: data, more, off: 0 });
    this.wake();
  }

  exdataInd(data: Uint8Array, more: boolean): void {
    if (this.closed) return;
    this.rq.push({ kind: "exdata", buf: data, more, off: 0 });
    this.wake();
  }

  ordrelInd(udata: Uint8Array | null): void {
    if (this.closed) return;
    this.rq.push({ kind: "ordrel", udata });
    this.wake();
  }

  unitdataInd(ind: { addr: Uint8Array; opt: Uint8Array; udata: Uint8Array }): void {
    if (this.closed) return;
    this.rq.push({ kind: "unitdata", ...ind, off: 0 });
    this.wake();
  }

  uderrorInd(ind: { addr: Uint8Array; opt: Uint8Array; error: number }): void {
    if (this.closed) return;
    this.rq.push({ kind: "uderr", ...ind });
    this.wake();
  }

  flush(): void {
    if (this.closed) return;
    this.released(this.rq.flushData());
    this.wake();
  }

  writable(expedited: boolean): void {
    if (this.closed) return;
    const band = expedited ? "expedited" : "normal";
    this.writeBlocked[band] = false;
    if (this.flowArmed[band]) {
      this.flowArmed[band] = false;
      if (this.profile.goEvents) this.goEvents |= expedited ? T_GOEXDATA : T_GODATA;
    }
    this.wake();
  }

  error(errno: number): void {
    if (this.closed) return;
    this.fatalErrno = errno;
    this.wake();
  }
}

// ---- the descriptor table (per thread: each worker has its own module instance) ----

/**
 * Endpoints by descriptor. Descriptors are small integers handed out lowest first, so an array
 * indexed by them is dense, and looking one up (every call) is an element load, not a hash.
 */
const table: Array<CoreEndpoint | undefined> = [];
/** The first descriptor handed out, as 0-2 are stdio in a C program. */
const FIRST_FD = 3;

export function allocateFd(): number {
  let fd = FIRST_FD;
  while (table[fd] !== undefined) fd++;
  return fd;
}

export function registerEndpoint(ep: CoreEndpoint): void {
  while (table.length < ep.fd) table.push(undefined); // no holes: the array stays packed
  table[ep.fd] = ep;
}

export function releaseFd(fd: number): void {
  table[fd] = undefined;
}

/** The endpoint behind `fd`, or TBADF. */
export function endpointOf(fd: unknown): CoreEndpoint {
  // Only a non-negative integer can index the table: anything else (3.5, -1, NaN, "3") finds nothing.
  const ep = typeof fd === "number" && fd >= 0 && fd < table.length && Number.isInteger(fd) ? table[fd] : undefined;
  if (ep === undefined) fail(TBADF, 0, `${String(fd)} is not an open transport endpoint`);
  return ep;
}

/** Open descriptors (diagnostics and tests). */
export function openDescriptors(): number[] {
  const fds: number[] = [];
  for (let fd = 0; fd < table.length; fd++) if (table[fd] !== undefined) fds.push(fd);
  return fds;
}
