/**
 * The idiomatic API: an Endpoint object whose methods return results and throw XTIError, over the
 * same core as the C-style functions. Concurrent async flows each get their own error object, so
 * nothing races on a shared t_errno. No method throws anything but an XTIError, whatever its
 * arguments.
 */
import * as C from "./constants.js";
import * as connection from "./core/connection.js";
import * as control from "./core/control.js";
import { copyBytes } from "./core/common.js";
import { type CoreEndpoint, endpointOf } from "./core/endpoint.js";
import { fail } from "./core/failure.js";
import * as optmgmt from "./core/optmgmt.js";
import * as release from "./core/release.js";
import { toXTIError } from "./core/report.js";
import * as transfer from "./core/transfer.js";
import type { UnitParts } from "./core/transfer.js";
import * as unitdata from "./core/unitdata.js";
import { EFAULT, EINVAL } from "./errno.js";
import { decodeOptions, encodeOptions, type XtiOption } from "./options/opthdr.js";
import { PROFILES, type SemanticsName, type SemanticsProfile, callSemantics, profileNamed, unknownSemantics } from "./profile.js";
import { isBytes, show } from "./show.js";
import { type IntRef, netbuf, netbufBytes, type t_info, type t_iovec } from "./structs.js";
import type { XTIError } from "./xtierror.js";

/** V8 keeps a typed array of up to this many bytes in the heap, without an ArrayBuffer until `.buffer` is read. */
const IN_HEAP_MAX = 64;

/**
 * Whether a piece is a view into a larger buffer (a provider's receive arena, a part of a piece).
 * A piece at offset 0 of at most IN_HEAP_MAX bytes is taken to be one of its own: reading its
 * `.buffer` to be sure would allocate one (a quarter of a 64-byte rcvUnit's time), and the
 * SPI asks a provider to start no such view at offset 0.
 */
function sharesItsBuffer(piece: Uint8Array): boolean {
  if (piece.byteOffset !== 0) return true;
  return piece.length > IN_HEAP_MAX && piece.byteLength !== piece.buffer.byteLength;
}

/** The default size of rcvUnit's pieces and of rcvudata's data, and the room for t_optmgmt's answer. */
const RETURN_BUFFER = 65536;

/** What a connect returns: the peer's address, options and connect data. */
export interface ConnectionInfo {
  addr: Uint8Array;
  opt: Uint8Array;
  udata: Uint8Array;
}
/** A connection indication (listen): the caller's address, options and data, and the sequence that names it. */
export interface ConnectIndication extends ConnectionInfo {
  sequence: number;
}
/** A disconnect (rcvdis): its reason (an errno value on the built-in providers), sequence and user data. */
export interface Disconnect {
  reason: number;
  sequence: number;
  udata: Uint8Array;
}
/** What rcv and rcvv return. */
export interface Received {
  /** Bytes placed in the buffer. */
  n: number;
  /** T_MORE and/or T_EXPEDITED. */
  flags: number;
}
/** A datagram (rcvudata): the sender's address, options and data. */
export interface Datagram {
  addr: Uint8Array;
  opt: Uint8Array;
  udata: Uint8Array;
  /** T_MORE when the rest of the datagram follows in the next call. */
  flags: number;
}

/** Options of Endpoint.open. */
export interface EndpointOptions {
  /** Open in non-blocking mode (O_NONBLOCK): calls that would wait throw TNODATA or TFLOW instead. */
  nonblock?: boolean;
  /** API semantics of the endpoint: "XNS5" (default), "XNS4" or "TLI" (docs/semantics.md). */
  semantics?: SemanticsName;
}

/** A byte array argument of the idiomatic API (TSYSERR/EFAULT otherwise, as a bad pointer in C). */
function bytesArg(value: unknown, what: string): Uint8Array {
  if (!isBytes(value)) fail(C.TSYSERR, EFAULT, `${what} is ${show(value)}, not a Uint8Array`);
  return value;
}

/** An array of byte arrays. */
function byteList(value: unknown, what: string): Uint8Array[] {
  if (!Array.isArray(value)) fail(C.TSYSERR, EFAULT, `${what} is ${show(value)}, not an array`);
  return value.map((v, i) => bytesArg(v, `${what}[${i}]`));
}

/** A size or count argument. */
function sizeArg(value: unknown, what: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > 0x7fffffff) {
    fail(C.TSYSERR, EINVAL, `${what} is ${show(value)}, not a size`);
  }
  return value;
}

/** An integer argument (flags, sequence numbers). */
function intArg(value: unknown, what: string): number {
  if (typeof value !== "number" || !Number.isInteger(value)) fail(C.TSYSERR, EINVAL, `${what} is ${show(value)}, not an integer`);
  return value;
}

/** The options object of a call that takes one (undefined and null: none). */
function optionBag(value: unknown, what: string): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object") fail(C.TSYSERR, EFAULT, `${what} is ${show(value)}, not an object`);
  return value as Record<string, unknown>;
}

/** An optional byte array field of an options object. */
function optionalBytes(bag: Record<string, unknown>, key: string, what: string): Uint8Array {
  const v = bag[key];
  return v === undefined ? new Uint8Array(0) : bytesArg(v, `${what}.${key}`);
}

/** A t_scalar_t or t_uscalar_t as the t_opthdr field it goes into (-1 is 0xffffffff, as in C). */
function opthdrField(value: unknown, what: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < -0x80000000 || value > 0xffffffff) {
    fail(C.TBADOPT, 0, `${what} is ${show(value)}, not a 32-bit integer`);
  }
  return value >>> 0;
}

/** The caller's option records, each field read once (a getter may answer differently next time). */
function optionRecords(value: unknown): XtiOption[] {
  if (!Array.isArray(value)) fail(C.TSYSERR, EFAULT, `options is ${show(value)}, not an array`);
  const records: unknown[] = value;
  const out: XtiOption[] = [];
  // An index loop, not map(): map skips the holes of a sparse array, which must fail here too.
  for (let i = 0; i < records.length; i++) out.push(optionRecord(records[i], `options[${i}]`));
  return out;
}

function optionRecord(r: unknown, what: string): XtiOption {
  if (typeof r !== "object" || r === null) fail(C.TBADOPT, 0, `${what} is ${show(r)}, not an option`);
  const { level, name, value } = r as Record<string, unknown>;
  if (value !== undefined && !isBytes(value)) fail(C.TBADOPT, 0, `${what}.value is ${show(value)}, not a Uint8Array`);
  return { level: opthdrField(level, `${what}.level`), name: opthdrField(name, `${what}.name`), status: 0, value: value ?? new Uint8Array(0) };
}

/**
 * An answered option the caller may keep: a value can be the caller's own request or a buffer the
 * provider goes on changing, so a non-empty one is copied.
 */
function ownedOption(o: XtiOption): XtiOption {
  return { level: o.level, name: o.name, status: o.status, value: o.value.length === 0 ? o.value : copyBytes(o.value) };
}

/** t_optmgmt in the legacy TLI format, through the C-style call and its netbufs. */
function optmgmtThroughNetbufs(ep: CoreEndpoint, flags: number, requested: readonly XtiOption[]): { flags: number; options: XtiOption[] } {
  const req = { opt: netbuf(encodeOptions(requested)), flags };
  const ret = { opt: netbuf(RETURN_BUFFER), flags: 0 };
  optmgmt.t_optmgmt(ep, req, ret);
  // Copied whatever their length: even an empty view would keep the 64 KiB answer buffer alive.
  return { flags: ret.flags, options: (decodeOptions(netbufBytes(ret.opt)) ?? []).map((o) => ({ ...o, value: copyBytes(o.value) })) };
}

/**
 * One transport endpoint, the idiomatic way: every t_* call as a method that returns its result
 * and throws XTIError on failure, so concurrent async flows never share a t_errno. Methods take
 * and return Uint8Arrays (the netbufs are managed inside); `fd` works with the C-style calls too.
 *
 * ```ts
 * const ep = Endpoint.open("/dev/ticotsord");
 * await ep.bind();
 * await ep.connect(serverAddress);          // throws XTIError (e.g. TLOOK when refused)
 * await ep.snd(bytes, T_MORE);
 * const { data } = await ep.rcvUnit();      // a whole TSDU, however many pieces it came in
 * ```
 */
export class Endpoint {
  /** Marks an Endpoint (a private field cannot be faked, and checking it runs no proxy trap). */
  readonly #brand = true;
  /** Pieces of units rcvUnit has begun but not finished, per band (the library's own buffers). */
  private readonly unfinished: UnitParts = { normal: [], expedited: [] };

  private constructor(
    /** The descriptor, usable with the C-style functions too. */
    readonly fd: number,
    private readonly profile: SemanticsProfile,
  ) {}

  /** t_open: a new endpoint on `device`. Throws XTIError (TBADNAME, TSYSERR/EINVAL for bad options, ...). */
  static open(device: string, options?: EndpointOptions | null): Endpoint {
    let profile = PROFILES.XNS5;
    try {
      const bag = optionBag(options, "options");
      const named = profileNamed(bag.semantics);
      if (named === null) fail(C.TSYSERR, EINVAL, unknownSemantics(bag.semantics));
      profile = named;
      const nonblock = bag.nonblock;
      if (nonblock !== undefined && typeof nonblock !== "boolean") fail(C.TSYSERR, EINVAL, `options.nonblock is ${show(nonblock)}, not a boolean`);
      const oflag = C.O_RDWR | (nonblock === true ? C.O_NONBLOCK : 0);
      return new Endpoint(control.t_open(device, oflag, null, profile), profile);
    } catch (e) {
      throw toXTIError("t_open", e, profile);
    }
  }

  /** Wrap a descriptor opened with the C-style t_open. */
  static fromFd(fd: number): Endpoint {
    try {
      return new Endpoint(fd, endpointOf(fd).profile);
    } catch (e) {
      throw toXTIError("fromFd", e, PROFILES.XNS5);
    }
  }

  static #isEndpoint(value: unknown): value is Endpoint {
    return typeof value === "object" && value !== null && #brand in value;
  }

  /** The core endpoint behind `fd` (TBADF once it is closed). */
  private core(): CoreEndpoint {
    return endpointOf(this.fd);
  }

  /** A failure of `call` as the XTIError this API throws. */
  private error(call: string, e: unknown): XTIError {
    return toXTIError(call, e, callSemantics(this.profile, call));
  }

  /** A failure met before `call` could wait: a rejected Promise (a method never throws). */
  private rejected(call: string, e: unknown): Promise<never> {
    return Promise.reject(this.error(call, e));
  }

  /** The outcome of a core call that had to wait, its failures as XTIError. */
  private later<T>(call: string, pending: Promise<T>): Promise<T> {
    return pending.then(undefined, (e: unknown) => {
      throw this.error(call, e);
    });
  }

  private now<T>(call: string, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      throw toXTIError(call, e, this.profile);
    }
  }

  /** O_NONBLOCK: read or switch it (a closed endpoint throws TBADF). */
  get nonblocking(): boolean {
    return this.now("fcntl", () => endpointOf(this.fd).nonblock);
  }
  /** Switch O_NONBLOCK (a non-boolean throws TSYSERR/EINVAL, a closed endpoint TBADF). */
  set nonblocking(on: boolean) {
    this.now("fcntl", () => {
      if (typeof on !== "boolean") fail(C.TSYSERR, EINVAL, `nonblocking is ${show(on)}, not a boolean`);
      endpointOf(this.fd).setNonblocking(on);
    });
  }

  /** t_getinfo. */
  getinfo(): t_info {
    const info: t_info = { addr: 0, options: 0, tsdu: 0, etsdu: 0, connect: 0, discon: 0, servtype: 0, flags: 0 };
    this.now("t_getinfo", () => control.t_getinfo(this.core(), info));
    return info;
  }

  /** t_getstate. */
  getstate(): number {
    return this.now("t_getstate", () => control.t_getstate(this.core()));
  }

  /** t_look: the pending event, or 0. */
  look(): number {
    return this.now("t_look", () => control.t_look(this.core()));
  }

  /** t_getprotaddr: the bound and peer addresses (empty when there is none). */
  getprotaddr(): { local: Uint8Array; remote: Uint8Array } {
    return this.now("t_getprotaddr", () => {
      const { local, remote } = control.protocolAddresses(this.core());
      return { local: local === null ? new Uint8Array(0) : copyBytes(local), remote: remote === null ? new Uint8Array(0) : copyBytes(remote) };
    });
  }

  /** t_bind: null address = provider's choice. Returns the bound address and negotiated qlen. */
  async bind(addr: Uint8Array | null = null, qlen = 0): Promise<{ addr: Uint8Array; qlen: number }> {
    try {
      const a = addr === null ? null : bytesArg(addr, "addr");
      const q = sizeArg(qlen, "qlen");
      return await control.bind(this.core(), a === null || a.length === 0 ? null : copyBytes(a), q);
    } catch (e) {
      throw this.error("t_bind", e);
    }
  }

  /** t_unbind. */
  async unbind(): Promise<void> {
    try {
      await control.t_unbind(this.core());
    } catch (e) {
      throw this.error("t_unbind", e);
    }
  }

  /** t_connect (blocking endpoints wait for the confirmation; non-blocking ones throw TNODATA). */
  async connect(addr: Uint8Array, data: { opt?: Uint8Array; udata?: Uint8Array } = {}): Promise<ConnectionInfo> {
    try {
      const bag = optionBag(data, "data");
      const a = bytesArg(addr, "addr");
      const opt = optionalBytes(bag, "opt", "data");
      const udata = optionalBytes(bag, "udata", "data");
      const con = await connection.connect(this.core(), a, opt, udata);
      return { addr: con.addr, opt: con.opt, udata: con.udata };
    } catch (e) {
      throw this.error("t_connect", e);
    }
  }

  /** t_rcvconnect: complete a non-blocking connect. */
  async rcvconnect(): Promise<ConnectionInfo> {
    try {
      const con = await connection.rcvconnect(this.core());
      return { addr: con.addr, opt: con.opt, udata: con.udata };
    } catch (e) {
      throw this.error("t_rcvconnect", e);
    }
  }

  /** t_listen: the next connection indication. */
  async listen(): Promise<ConnectIndication> {
    try {
      const ind = await connection.listen(this.core());
      return { sequence: ind.sequence, addr: ind.addr, opt: ind.opt, udata: ind.udata };
    } catch (e) {
      throw this.error("t_listen", e);
    }
  }

  /** t_accept the indication `sequence` onto `acceptor` (default: this endpoint). */
  async accept(sequence: number, acceptor: Endpoint = this, data: { opt?: Uint8Array; udata?: Uint8Array } = {}): Promise<void> {
    try {
      const bag = optionBag(data, "data");
      if (!Endpoint.#isEndpoint(acceptor)) fail(C.TBADF, 0, `acceptor is ${show(acceptor)}, not an Endpoint`);
      const opt = optionalBytes(bag, "opt", "data");
      const udata = optionalBytes(bag, "udata", "data");
      const seq = intArg(sequence, "sequence");
      const ep = this.core();
      await connection.accept(ep, endpointOf(acceptor.fd), seq, opt, udata);
    } catch (e) {
      throw this.error("t_accept", e);
    }
  }

  /** t_snd: returns the bytes taken (all of them unless non-blocking). */
  snd(data: Uint8Array, flags = 0): Promise<number> {
    try {
      const b = bytesArg(data, "data");
      const f = intArg(flags, "flags");
      const r = transfer.t_snd(this.core(), b, b.length, f);
      return typeof r === "number" ? Promise.resolve(r) : this.later("t_snd", r);
    } catch (e) {
      return this.rejected("t_snd", e);
    }
  }

  /** t_sndv: send the parts as one piece of a unit. */
  sndv(parts: readonly Uint8Array[], flags = 0): Promise<number> {
    try {
      const iov: t_iovec[] = byteList(parts, "parts").map((p) => ({ iov_base: p, iov_len: p.length }));
      const f = intArg(flags, "flags");
      const r = transfer.t_sndv(this.core(), iov, iov.length, f);
      return typeof r === "number" ? Promise.resolve(r) : this.later("t_sndv", r);
    } catch (e) {
      return this.rejected("t_sndv", e);
    }
  }

  /** t_rcv into `buf`: the byte count and T_MORE / T_EXPEDITED. */
  rcv(buf: Uint8Array): Promise<Received> {
    try {
      const b = bytesArg(buf, "buf");
      const flags = { value: 0 };
      const r = transfer.t_rcv(this.core(), b, b.length, flags);
      if (typeof r === "number") return Promise.resolve({ n: r, flags: flags.value });
      return this.later("t_rcv", r.then((n) => ({ n, flags: flags.value })));
    } catch (e) {
      return this.rejected("t_rcv", e);
    }
  }

  /** t_rcvv into the buffers, filled in order. */
  rcvv(bufs: readonly Uint8Array[]): Promise<Received> {
    try {
      const flags = { value: 0 };
      const iov: t_iovec[] = byteList(bufs, "bufs").map((b) => ({ iov_base: b, iov_len: b.length }));
      const r = transfer.t_rcvv(this.core(), iov, iov.length, flags);
      if (typeof r === "number") return Promise.resolve({ n: r, flags: flags.value });
      return this.later("t_rcvv", r.then((n) => ({ n, flags: flags.value })));
    } catch (e) {
      return this.rejected("t_rcvv", e);
    }
  }

  /**
   * Receive one whole unit: reads pieces of at most `chunk` bytes until one arrives with T_MORE
   * clear, and returns its bytes and whether it was an ETSDU. An ETSDU may overtake a TSDU being
   * read (and normal data may follow an ETSDU that has not fully arrived): the pieces of the
   * unfinished unit are kept, and a later call completes it, so nothing read is lost. A unit that
   * arrived in one piece with a buffer of its own is returned as the library received it, without
   * a copy; a piece that shares its buffer (a view into a provider's receive arena, at an offset)
   * is copied, so the unit's `.buffer` holds only its own bytes and may be kept or transferred.
   */
  rcvUnit(chunk = RETURN_BUFFER): Promise<{ data: Uint8Array; expedited: boolean }> {
    try {
      const max = sizeArg(chunk, "chunk");
      if (max === 0) fail(C.TSYSERR, EINVAL, "chunk must be at least 1 byte");
      const flags = { value: 0 };
      const r = transfer.receiveParts(this.core(), max, this.unfinished, flags);
      if (typeof r === "number") {
        const unit = this.completeUnit(flags.value);
        if (unit !== null) return Promise.resolve(unit);
      }
      return this.rcvUnitAfterWaits(r, max, flags);
    } catch (e) {
      return this.rejected("t_rcv", e);
    }
  }

  private async rcvUnitAfterWaits(first: number | Promise<number>, max: number, flags: IntRef): Promise<{ data: Uint8Array; expedited: boolean }> {
    try {
      await first;
      for (;;) {
        const unit = this.completeUnit(flags.value);
        if (unit !== null) return unit;
        await transfer.receiveParts(this.core(), max, this.unfinished, flags);
      }
    } catch (e) {
      throw this.error("t_rcv", e);
    }
  }

  /** The unit whose last piece was just read (T_MORE clear in `flags`), or null while it goes on. */
  private completeUnit(flags: number): { data: Uint8Array; expedited: boolean } | null {
    if ((flags & C.T_MORE) !== 0) return null;
    const expedited = (flags & C.T_EXPEDITED) !== 0;
    const parts = expedited ? this.unfinished.expedited : this.unfinished.normal;
    if (parts.length === 1) {
      const piece = parts.pop() as Uint8Array;
      return { data: sharesItsBuffer(piece) ? new Uint8Array(piece) : piece, expedited };
    }
    let size = 0;
    for (const p of parts) size += p.length;
    const data = new Uint8Array(size);
    let at = 0;
    for (const p of parts) {
      data.set(p, at);
      at += p.length;
    }
    parts.length = 0;
    return { data, expedited };
  }

  /** t_snddis: abort the connection, or reject the indication `sequence` (a listener). */
  async snddis(udata: Uint8Array = new Uint8Array(0), sequence?: number): Promise<void> {
    try {
      const u = bytesArg(udata, "udata");
      const seq = sequence === undefined ? 0 : intArg(sequence, "sequence");
      await release.disconnect(this.core(), seq, u);
    } catch (e) {
      throw this.error("t_snddis", e);
    }
  }

  /** t_rcvdis: the disconnect's reason, sequence and user data. */
  async rcvdis(): Promise<Disconnect> {
    try {
      const ind = release.rcvdis(this.core());
      return { reason: ind.reason, sequence: ind.sequence, udata: ind.udata };
    } catch (e) {
      throw this.error("t_rcvdis", e);
    }
  }

  /** t_sndrel. */
  async sndrel(): Promise<void> {
    try {
      await release.t_sndrel(this.core());
    } catch (e) {
      throw this.error("t_sndrel", e);
    }
  }

  /** t_rcvrel. */
  async rcvrel(): Promise<void> {
    try {
      await release.t_rcvrel(this.core());
    } catch (e) {
      throw this.error("t_rcvrel", e);
    }
  }

  /** t_sndreldata: an orderly release carrying `udata`. */
  async sndreldata(udata: Uint8Array): Promise<void> {
    try {
      const u = bytesArg(udata, "udata");
      await release.sndreldata(this.core(), u);
    } catch (e) {
      throw this.error("t_sndreldata", e);
    }
  }

  /** t_rcvreldata: the release data of the peer's orderly release. */
  async rcvreldata(): Promise<Uint8Array> {
    try {
      return release.rcvreldata(this.core()) ?? new Uint8Array(0);
    } catch (e) {
      throw this.error("t_rcvreldata", e);
    }
  }

  /** t_sndudata: one datagram to `addr`. */
  sndudata(addr: Uint8Array, data: Uint8Array, opt: Uint8Array = new Uint8Array(0)): Promise<void> {
    try {
      const a = bytesArg(addr, "addr");
      const o = bytesArg(opt, "opt");
      const d = bytesArg(data, "data");
      const r = unitdata.sndudata(this.core(), a, o, d);
      return typeof r === "number" ? Promise.resolve() : this.later("t_sndudata", r.then(() => undefined));
    } catch (e) {
      return this.rejected("t_sndudata", e);
    }
  }

  /** t_rcvudata with a `size`-byte data buffer (a larger datagram comes in pieces with T_MORE). */
  rcvudata(size = RETURN_BUFFER): Promise<Datagram> {
    try {
      const room = sizeArg(size, "size");
      const r = unitdata.rcvudata(this.core(), room);
      return r instanceof Promise ? this.later("t_rcvudata", r) : Promise.resolve(r);
    } catch (e) {
      return this.rejected("t_rcvudata", e);
    }
  }

  /** t_rcvuderr: the pending unit data error. */
  async rcvuderr(): Promise<{ addr: Uint8Array; opt: Uint8Array; error: number }> {
    try {
      const e = unitdata.rcvuderr(this.core());
      return { addr: e.addr, opt: e.opt, error: e.error };
    } catch (e) {
      throw this.error("t_rcvuderr", e);
    }
  }

  /**
   * t_optmgmt with decoded options; returns the options as the provider answered them. Like every
   * method here it checks its arguments before the endpoint: a malformed option record (level or
   * name not a 32-bit integer, value not a Uint8Array) throws TBADOPT, even on a closed endpoint.
   */
  async optmgmt(flags: number, options: ReadonlyArray<{ level: number; name: number; value?: Uint8Array }>): Promise<{ flags: number; options: XtiOption[] }> {
    try {
      const f = intArg(flags, "flags");
      const requested = optionRecords(options);
      const ep = this.core();
      // Only the C-style path speaks the legacy TLI option format: a TLI endpoint goes through it.
      if (ep.profile.optmgmtFormat === "tli") return optmgmtThroughNetbufs(ep, f, requested);
      const answer = optmgmt.optmgmtRecords(ep, f, requested);
      return { flags: answer.flags, options: answer.options.map(ownedOption) };
    } catch (e) {
      throw this.error("t_optmgmt", e);
    }
  }

  /** t_close. */
  async close(): Promise<void> {
    try {
      await control.t_close(this.core());
    } catch (e) {
      throw this.error("t_close", e);
    }
  }
}
