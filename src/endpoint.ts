/**
 * The idiomatic API: an Endpoint object whose methods return results and throw XTIError, over the
 * same core as the C-style functions. Concurrent async flows each get their own error object, so
 * nothing races on a shared t_errno. No method throws anything but an XTIError, whatever its
 * arguments.
 */
import * as C from "./constants.js";
import * as connection from "./core/connection.js";
import * as control from "./core/control.js";
import { type CoreEndpoint, endpointOf } from "./core/endpoint.js";
import { fail } from "./core/failure.js";
import * as optmgmt from "./core/optmgmt.js";
import * as release from "./core/release.js";
import { toXTIError } from "./core/report.js";
import * as transfer from "./core/transfer.js";
import * as unitdata from "./core/unitdata.js";
import { EFAULT, EINVAL } from "./errno.js";
import { decodeOptions, encodeOptions, type XtiOption } from "./options/opthdr.js";
import { PROFILES, type SemanticsName, type SemanticsProfile, callSemantics, profileNamed, unknownSemantics } from "./profile.js";
import { isBytes, show } from "./show.js";
import { netbuf, netbufBytes, type t_info, type t_iovec } from "./structs.js";

/** Size of the buffers the idiomatic API offers for returned addresses, options and user data. */
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

/** Spare return buffers an Endpoint keeps for its datagram calls. */
const SPARE_BUFFERS = 8;

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
  /** Pieces of units rcvUnit has begun but not finished, per band. */
  private readonly unfinished: { normal: Buffer[]; expedited: Buffer[] } = { normal: [], expedited: [] };
  /**
   * Return buffers for the datagram path, reused so that each datagram does not allocate its own
   * (results are copied out before a buffer comes back; concurrent calls each take their own).
   */
  private readonly spare: Uint8Array[] = [];

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

  private async run<T>(call: string, fn: () => T | Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw toXTIError(call, e, callSemantics(this.profile, call));
    }
  }

  private now<T>(call: string, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      throw toXTIError(call, e, this.profile);
    }
  }

  private returnBuffer(): netbuf {
    const buf = this.spare.pop() ?? new Uint8Array(RETURN_BUFFER);
    return { maxlen: buf.length, len: 0, buf };
  }

  private recycle(...buffers: netbuf[]): void {
    for (const nb of buffers) if (nb.buf.length === RETURN_BUFFER && this.spare.length < SPARE_BUFFERS) this.spare.push(nb.buf);
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
    const bound = { addr: netbuf(RETURN_BUFFER), qlen: 0 };
    const peer = { addr: netbuf(RETURN_BUFFER), qlen: 0 };
    this.now("t_getprotaddr", () => control.t_getprotaddr(this.core(), bound, peer));
    return { local: netbufBytes(bound.addr).slice(), remote: netbufBytes(peer.addr).slice() };
  }

  /** t_bind: null address = provider's choice. Returns the bound address and negotiated qlen. */
  async bind(addr: Uint8Array | null = null, qlen = 0): Promise<{ addr: Uint8Array; qlen: number }> {
    return this.run("t_bind", async () => {
      const req = { addr: netbuf(addr === null ? new Uint8Array(0) : bytesArg(addr, "addr")), qlen: sizeArg(qlen, "qlen") };
      const ret = { addr: netbuf(RETURN_BUFFER), qlen: 0 };
      await control.t_bind(this.core(), req, ret);
      return { addr: netbufBytes(ret.addr).slice(), qlen: ret.qlen };
    });
  }

  /** t_unbind. */
  async unbind(): Promise<void> {
    await this.run("t_unbind", () => control.t_unbind(this.core()));
  }

  /** t_connect (blocking endpoints wait for the confirmation; non-blocking ones throw TNODATA). */
  async connect(addr: Uint8Array, data: { opt?: Uint8Array; udata?: Uint8Array } = {}): Promise<ConnectionInfo> {
    return this.run("t_connect", async () => {
      const bag = optionBag(data, "data");
      const snd = { addr: netbuf(bytesArg(addr, "addr")), opt: netbuf(optionalBytes(bag, "opt", "data")), udata: netbuf(optionalBytes(bag, "udata", "data")), sequence: 0 };
      const rcv = { addr: netbuf(RETURN_BUFFER), opt: netbuf(RETURN_BUFFER), udata: netbuf(RETURN_BUFFER), sequence: 0 };
      await connection.t_connect(this.core(), snd, rcv);
      return { addr: netbufBytes(rcv.addr).slice(), opt: netbufBytes(rcv.opt).slice(), udata: netbufBytes(rcv.udata).slice() };
    });
  }

  /** t_rcvconnect: complete a non-blocking connect. */
  async rcvconnect(): Promise<ConnectionInfo> {
    return this.run("t_rcvconnect", async () => {
      const rcv = { addr: netbuf(RETURN_BUFFER), opt: netbuf(RETURN_BUFFER), udata: netbuf(RETURN_BUFFER), sequence: 0 };
      await connection.t_rcvconnect(this.core(), rcv);
      return { addr: netbufBytes(rcv.addr).slice(), opt: netbufBytes(rcv.opt).slice(), udata: netbufBytes(rcv.udata).slice() };
    });
  }

  /** t_listen: the next connection indication. */
  async listen(): Promise<ConnectIndication> {
    return this.run("t_listen", async () => {
      const call = { addr: netbuf(RETURN_BUFFER), opt: netbuf(RETURN_BUFFER), udata: netbuf(RETURN_BUFFER), sequence: 0 };
      await connection.t_listen(this.core(), call);
      return { sequence: call.sequence, addr: netbufBytes(call.addr).slice(), opt: netbufBytes(call.opt).slice(), udata: netbufBytes(call.udata).slice() };
    });
  }

  /** t_accept the indication `sequence` onto `acceptor` (default: this endpoint). */
  async accept(sequence: number, acceptor: Endpoint = this, data: { opt?: Uint8Array; udata?: Uint8Array } = {}): Promise<void> {
    await this.run("t_accept", () => {
      const bag = optionBag(data, "data");
      if (!Endpoint.#isEndpoint(acceptor)) fail(C.TBADF, 0, `acceptor is ${show(acceptor)}, not an Endpoint`);
      const call = { addr: netbuf(0), opt: netbuf(optionalBytes(bag, "opt", "data")), udata: netbuf(optionalBytes(bag, "udata", "data")), sequence: intArg(sequence, "sequence") };
      return connection.t_accept(this.core(), acceptor.fd, call);
    });
  }

  /** t_snd: returns the bytes taken (all of them unless non-blocking). */
  async snd(data: Uint8Array, flags = 0): Promise<number> {
    return this.run("t_snd", () => {
      const b = bytesArg(data, "data");
      return transfer.t_snd(this.core(), b, b.length, intArg(flags, "flags"));
    });
  }

  /** t_sndv: send the parts as one piece of a unit. */
  async sndv(parts: readonly Uint8Array[], flags = 0): Promise<number> {
    return this.run("t_sndv", () => {
      const iov: t_iovec[] = byteList(parts, "parts").map((p) => ({ iov_base: p, iov_len: p.length }));
      return transfer.t_sndv(this.core(), iov, iov.length, intArg(flags, "flags"));
    });
  }

  /** t_rcv into `buf`: the byte count and T_MORE / T_EXPEDITED. */
  async rcv(buf: Uint8Array): Promise<Received> {
    return this.run("t_rcv", async () => {
      const b = bytesArg(buf, "buf");
      const flags = { value: 0 };
      const n = await transfer.t_rcv(this.core(), b, b.length, flags);
      return { n, flags: flags.value };
    });
  }

  /** t_rcvv into the buffers, filled in order. */
  async rcvv(bufs: readonly Uint8Array[]): Promise<Received> {
    return this.run("t_rcvv", async () => {
      const flags = { value: 0 };
      const iov: t_iovec[] = byteList(bufs, "bufs").map((b) => ({ iov_base: b, iov_len: b.length }));
      const n = await transfer.t_rcvv(this.core(), iov, iov.length, flags);
      return { n, flags: flags.value };
    });
  }

  /**
   * Receive one whole unit: reads pieces until one arrives with T_MORE clear, and returns its
   * bytes and whether it was an ETSDU. An ETSDU may overtake a TSDU being read (and normal data
   * may follow an ETSDU that has not fully arrived): the pieces of the unfinished unit are kept,
   * and a later call completes it, so nothing read is lost.
   */
  async rcvUnit(chunk = 65536): Promise<{ data: Uint8Array; expedited: boolean }> {
    const buf = this.now("t_rcv", () => {
      const n = sizeArg(chunk, "chunk");
      if (n === 0) fail(C.TSYSERR, EINVAL, "chunk must be at least 1 byte");
      return new Uint8Array(n);
    });
    for (;;) {
      const { n, flags } = await this.rcv(buf);
      const expedited = (flags & C.T_EXPEDITED) !== 0;
      const parts = expedited ? this.unfinished.expedited : this.unfinished.normal;
      parts.push(Buffer.from(buf.subarray(0, n)));
      if ((flags & C.T_MORE) === 0) {
        const data = parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
        parts.length = 0;
        return { data, expedited };
      }
    }
  }

  /** t_snddis: abort the connection, or reject the indication `sequence` (a listener). */
  async snddis(udata: Uint8Array = new Uint8Array(0), sequence?: number): Promise<void> {
    await this.run("t_snddis", () => {
      const call = { addr: netbuf(0), opt: netbuf(0), udata: netbuf(bytesArg(udata, "udata")), sequence: sequence === undefined ? 0 : intArg(sequence, "sequence") };
      return release.t_snddis(this.core(), call);
    });
  }

  /** t_rcvdis: the disconnect's reason, sequence and user data. */
  async rcvdis(): Promise<Disconnect> {
    return this.run("t_rcvdis", async () => {
      const d = { udata: netbuf(RETURN_BUFFER), reason: 0, sequence: 0 };
      await release.t_rcvdis(this.core(), d);
      return { reason: d.reason, sequence: d.sequence, udata: netbufBytes(d.udata).slice() };
    });
  }

  /** t_sndrel. */
  async sndrel(): Promise<void> {
    await this.run("t_sndrel", () => release.t_sndrel(this.core()));
  }

  /** t_rcvrel. */
  async rcvrel(): Promise<void> {
    await this.run("t_rcvrel", () => release.t_rcvrel(this.core()));
  }

  /** t_sndreldata: an orderly release carrying `udata`. */
  async sndreldata(udata: Uint8Array): Promise<void> {
    await this.run("t_sndreldata", () => release.t_sndreldata(this.core(), { udata: netbuf(bytesArg(udata, "udata")), reason: 0, sequence: 0 }));
  }

  /** t_rcvreldata: the release data of the peer's orderly release. */
  async rcvreldata(): Promise<Uint8Array> {
    return this.run("t_rcvreldata", async () => {
      const d = { udata: netbuf(RETURN_BUFFER), reason: 0, sequence: 0 };
      await release.t_rcvreldata(this.core(), d);
      return netbufBytes(d.udata).slice();
    });
  }

  /** t_sndudata: one datagram to `addr`. */
  async sndudata(addr: Uint8Array, data: Uint8Array, opt: Uint8Array = new Uint8Array(0)): Promise<void> {
    await this.run("t_sndudata", () => unitdata.t_sndudata(this.core(), { addr: netbuf(bytesArg(addr, "addr")), opt: netbuf(bytesArg(opt, "opt")), udata: netbuf(bytesArg(data, "data")) }));
  }

  /** t_rcvudata with a `size`-byte data buffer (a larger datagram comes in pieces with T_MORE). */
  async rcvudata(size = RETURN_BUFFER): Promise<Datagram> {
    return this.run("t_rcvudata", async () => {
      const n = sizeArg(size, "size");
      const ud = { addr: this.returnBuffer(), opt: this.returnBuffer(), udata: n === RETURN_BUFFER ? this.returnBuffer() : netbuf(n) };
      const flags = { value: 0 };
      try {
        await unitdata.t_rcvudata(this.core(), ud, flags);
        return { addr: netbufBytes(ud.addr).slice(), opt: netbufBytes(ud.opt).slice(), udata: netbufBytes(ud.udata).slice(), flags: flags.value };
      } finally {
        this.recycle(ud.addr, ud.opt, ud.udata);
      }
    });
  }

  /** t_rcvuderr: the pending unit data error. */
  async rcvuderr(): Promise<{ addr: Uint8Array; opt: Uint8Array; error: number }> {
    return this.run("t_rcvuderr", async () => {
      const e = { addr: this.returnBuffer(), opt: this.returnBuffer(), error: 0 };
      try {
        await unitdata.t_rcvuderr(this.core(), e);
        return { addr: netbufBytes(e.addr).slice(), opt: netbufBytes(e.opt).slice(), error: e.error };
      } finally {
        this.recycle(e.addr, e.opt);
      }
    });
  }

  /** t_optmgmt with decoded options; returns the options as the provider answered them. */
  async optmgmt(flags: number, options: ReadonlyArray<{ level: number; name: number; value?: Uint8Array }>): Promise<{ flags: number; options: XtiOption[] }> {
    return this.run("t_optmgmt", async () => {
      const req = { opt: netbuf(encodeOptions(options)), flags: intArg(flags, "flags") };
      const ret = { opt: netbuf(RETURN_BUFFER), flags: 0 };
      await optmgmt.t_optmgmt(this.core(), req, ret);
      return { flags: ret.flags, options: (decodeOptions(netbufBytes(ret.opt)) ?? []).map((o) => ({ ...o, value: o.value.slice() })) };
    });
  }

  /** t_close. */
  async close(): Promise<void> {
    await this.run("t_close", () => control.t_close(this.core()));
  }
}

