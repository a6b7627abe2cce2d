/**
 * The idiomatic API: an Endpoint object whose methods return results and throw XTIError, over the
 * same core as the C-style functions. Concurrent async flows each get their own error object, so
 * nothing races on a shared t_errno.
 */
import { dialectFailure } from "./api.js";
import * as C from "./constants.js";
import * as connection from "./core/connection.js";
import * as control from "./core/control.js";
import { endpointOf } from "./core/endpoint.js";
import * as optmgmt from "./core/optmgmt.js";
import * as release from "./core/release.js";
import * as transfer from "./core/transfer.js";
import * as unitdata from "./core/unitdata.js";
import { decodeOptions, encodeOptions, type XtiOption } from "./options/opthdr.js";
import { PROFILES, type SemanticsName, type SemanticsProfile } from "./profile.js";
import { netbuf, netbufBytes, type t_info, type t_iovec } from "./structs.js";
import { XTIError } from "./xtierror.js";

/** Size of the buffers the idiomatic API offers for returned addresses, options and user data. */
const RETURN_BUFFER = 65536;

export interface ConnectionInfo {
  addr: Uint8Array;
  opt: Uint8Array;
  udata: Uint8Array;
}
export interface ConnectIndication extends ConnectionInfo {
  sequence: number;
}
export interface Disconnect {
  reason: number;
  sequence: number;
  udata: Uint8Array;
}
export interface Received {
  /** Bytes placed in the buffer. */
  n: number;
  /** T_MORE and/or T_EXPEDITED. */
  flags: number;
}
export interface Datagram {
  addr: Uint8Array;
  opt: Uint8Array;
  udata: Uint8Array;
  /** T_MORE when the rest of the datagram follows in the next call. */
  flags: number;
}

/** Spare return buffers an Endpoint keeps for its datagram calls. */
const SPARE_BUFFERS = 8;

export class Endpoint {
  /** Pieces of units rcvUnit has begun but not finished, per band. */
  private readonly unfinished: { normal: Buffer[]; expedited: Buffer[] } = { normal: [], expedited: [] };
  /**
   * Return buffers for the datagram path, reused so that each datagram does not allocate its own
   * (results are copied out before a buffer comes back; concurrent calls each take their own).
   */
  private readonly spare: Uint8Array[] = [];

  private constructor(
    readonly fd: number,
    private readonly profile: SemanticsProfile,
  ) {}

  /** t_open. */
  static open(device: string, options: { nonblock?: boolean; semantics?: SemanticsName } = {}): Endpoint {
    const profile = PROFILES[options.semantics ?? "XNS5"];
    const oflag = C.O_RDWR | (options.nonblock === true ? C.O_NONBLOCK : 0);
    try {
      return new Endpoint(control.t_open(device, oflag, null, profile), profile);
    } catch (e) {
      throw Endpoint.error("t_open", e, profile);
    }
  }

  /** Wrap a descriptor opened with the C-style t_open. */
  static fromFd(fd: number): Endpoint {
    try {
      return new Endpoint(fd, endpointOf(fd).profile);
    } catch (e) {
      throw Endpoint.error("fromFd", e, PROFILES.XNS5);
    }
  }

  private static error(call: string, e: unknown, profile: SemanticsProfile): XTIError {
    const f = dialectFailure(e, profile);
    return new XTIError(call, f.t_errno, f.errno, f.detail);
  }

  private async run<T>(call: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw Endpoint.error(call, e, this.profile);
    }
  }

  private now<T>(call: string, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      throw Endpoint.error(call, e, this.profile);
    }
  }

  private returnBuffer(): netbuf {
    const buf = this.spare.pop() ?? new Uint8Array(RETURN_BUFFER);
    return { maxlen: buf.length, len: 0, buf };
  }

  private recycle(...buffers: netbuf[]): void {
    for (const nb of buffers) if (nb.buf.length === RETURN_BUFFER && this.spare.length < SPARE_BUFFERS) this.spare.push(nb.buf);
  }

  get nonblocking(): boolean {
    return endpointOf(this.fd).nonblock;
  }
  set nonblocking(on: boolean) {
    endpointOf(this.fd).setNonblocking(on);
  }

  getinfo(): t_info {
    const info: t_info = { addr: 0, options: 0, tsdu: 0, etsdu: 0, connect: 0, discon: 0, servtype: 0, flags: 0 };
    this.now("t_getinfo", () => control.t_getinfo(this.fd, info));
    return info;
  }

  getstate(): number {
    return this.now("t_getstate", () => control.t_getstate(this.fd));
  }

  look(): number {
    return this.now("t_look", () => control.t_look(this.fd));
  }

  /** t_getprotaddr: the bound and peer addresses (empty when there is none). */
  getprotaddr(): { local: Uint8Array; remote: Uint8Array } {
    const bound = { addr: netbuf(RETURN_BUFFER), qlen: 0 };
    const peer = { addr: netbuf(RETURN_BUFFER), qlen: 0 };
    this.now("t_getprotaddr", () => control.t_getprotaddr(this.fd, bound, peer));
    return { local: netbufBytes(bound.addr).slice(), remote: netbufBytes(peer.addr).slice() };
  }

  /** t_bind: null address = provider's choice. Returns the bound address and negotiated qlen. */
  async bind(addr: Uint8Array | null = null, qlen = 0): Promise<{ addr: Uint8Array; qlen: number }> {
    const ret = { addr: netbuf(RETURN_BUFFER), qlen: 0 };
    await this.run("t_bind", () => control.t_bind(this.fd, { addr: netbuf(addr ?? new Uint8Array(0)), qlen }, ret));
    return { addr: netbufBytes(ret.addr).slice(), qlen: ret.qlen };
  }

  async unbind(): Promise<void> {
    await this.run("t_unbind", () => control.t_unbind(this.fd));
  }

  /** t_connect (blocking endpoints wait for the confirmation; non-blocking ones throw TNODATA). */
  async connect(addr: Uint8Array, data: { opt?: Uint8Array; udata?: Uint8Array } = {}): Promise<ConnectionInfo> {
    const snd = { addr: netbuf(addr), opt: netbuf(data.opt ?? new Uint8Array(0)), udata: netbuf(data.udata ?? new Uint8Array(0)), sequence: 0 };
    const rcv = { addr: netbuf(RETURN_BUFFER), opt: netbuf(RETURN_BUFFER), udata: netbuf(RETURN_BUFFER), sequence: 0 };
    await this.run("t_connect", () => connection.t_connect(this.fd, snd, rcv));
    return { addr: netbufBytes(rcv.addr).slice(), opt: netbufBytes(rcv.opt).slice(), udata: netbufBytes(rcv.udata).slice() };
  }

  async rcvconnect(): Promise<ConnectionInfo> {
    const rcv = { addr: netbuf(RETURN_BUFFER), opt: netbuf(RETURN_BUFFER), udata: netbuf(RETURN_BUFFER), sequence: 0 };
    await this.run("t_rcvconnect", () => connection.t_rcvconnect(this.fd, rcv));
    return { addr: netbufBytes(rcv.addr).slice(), opt: netbufBytes(rcv.opt).slice(), udata: netbufBytes(rcv.udata).slice() };
  }

  async listen(): Promise<ConnectIndication> {
    const call = { addr: netbuf(RETURN_BUFFER), opt: netbuf(RETURN_BUFFER), udata: netbuf(RETURN_BUFFER), sequence: 0 };
    await this.run("t_listen", () => connection.t_listen(this.fd, call));
    return { sequence: call.sequence, addr: netbufBytes(call.addr).slice(), opt: netbufBytes(call.opt).slice(), udata: netbufBytes(call.udata).slice() };
  }

  /** t_accept the indication `sequence` onto `acceptor` (default: this endpoint). */
  async accept(sequence: number, acceptor: Endpoint = this, data: { opt?: Uint8Array; udata?: Uint8Array } = {}): Promise<void> {
    const call = { addr: netbuf(0), opt: netbuf(data.opt ?? new Uint8Array(0)), udata: netbuf(data.udata ?? new Uint8Array(0)), sequence };
    await this.run("t_accept", () => connection.t_accept(this.fd, acceptor.fd, call));
  }

  async snd(data: Uint8Array, flags = 0): Promise<number> {
    return this.run("t_snd", () => transfer.t_snd(this.fd, data, data.length, flags));
  }

  async sndv(parts: readonly Uint8Array[], flags = 0): Promise<number> {
    const iov: t_iovec[] = parts.map((p) => ({ iov_base: p, iov_len: p.length }));
    return this.run("t_sndv", () => transfer.t_sndv(this.fd, iov, iov.length, flags));
  }

  async rcv(buf: Uint8Array): Promise<Received> {
    const flags = { value: 0 };
    const n = await this.run("t_rcv", () => transfer.t_rcv(this.fd, buf, buf.length, flags));
    return { n, flags: flags.value };
  }

  async rcvv(bufs: readonly Uint8Array[]): Promise<Received> {
    const flags = { value: 0 };
    const iov: t_iovec[] = bufs.map((b) => ({ iov_base: b, iov_len: b.length }));
    const n = await this.run("t_rcvv", () => transfer.t_rcvv(this.fd, iov, iov.length, flags));
    return { n, flags: flags.value };
  }

  /**
   * Receive one whole unit: reads pieces until one arrives with T_MORE clear, and returns its
   * bytes and whether it was an ETSDU. An ETSDU may overtake a TSDU being read (and normal data
   * may follow an ETSDU that has not fully arrived): the pieces of the unfinished unit are kept,
   * and a later call completes it, so nothing read is lost.
   */
  async rcvUnit(chunk = 65536): Promise<{ data: Uint8Array; expedited: boolean }> {
    const buf = new Uint8Array(chunk);
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

  async snddis(udata: Uint8Array = new Uint8Array(0), sequence?: number): Promise<void> {
    const call = { addr: netbuf(0), opt: netbuf(0), udata: netbuf(udata), sequence: sequence ?? 0 };
    await this.run("t_snddis", () => release.t_snddis(this.fd, call));
  }

  async rcvdis(): Promise<Disconnect> {
    const d = { udata: netbuf(RETURN_BUFFER), reason: 0, sequence: 0 };
    await this.run("t_rcvdis", () => release.t_rcvdis(this.fd, d));
    return { reason: d.reason, sequence: d.sequence, udata: netbufBytes(d.udata).slice() };
  }

  async sndrel(): Promise<void> {
    await this.run("t_sndrel", () => release.t_sndrel(this.fd));
  }

  async rcvrel(): Promise<void> {
    await this.run("t_rcvrel", () => release.t_rcvrel(this.fd));
  }

  async sndreldata(udata: Uint8Array): Promise<void> {
    await this.run("t_sndreldata", () => release.t_sndreldata(this.fd, { udata: netbuf(udata), reason: 0, sequence: 0 }));
  }

  async rcvreldata(): Promise<Uint8Array> {
    const d = { udata: netbuf(RETURN_BUFFER), reason: 0, sequence: 0 };
    await this.run("t_rcvreldata", () => release.t_rcvreldata(this.fd, d));
    return netbufBytes(d.udata).slice();
  }

  async sndudata(addr: Uint8Array, data: Uint8Array, opt: Uint8Array = new Uint8Array(0)): Promise<void> {
    await this.run("t_sndudata", () => unitdata.t_sndudata(this.fd, { addr: netbuf(addr), opt: netbuf(opt), udata: netbuf(data) }));
  }

  /** t_rcvudata with a `size`-byte data buffer (a larger datagram comes in pieces with T_MORE). */
  async rcvudata(size = RETURN_BUFFER): Promise<Datagram> {
    const ud = { addr: this.returnBuffer(), opt: this.returnBuffer(), udata: size === RETURN_BUFFER ? this.returnBuffer() : netbuf(size) };
    const flags = { value: 0 };
    try {
      await this.run("t_rcvudata", () => unitdata.t_rcvudata(this.fd, ud, flags));
      return { addr: netbufBytes(ud.addr).slice(), opt: netbufBytes(ud.opt).slice(), udata: netbufBytes(ud.udata).slice(), flags: flags.value };
    } finally {
      this.recycle(ud.addr, ud.opt, ud.udata);
    }
  }

  async rcvuderr(): Promise<{ addr: Uint8Array; opt: Uint8Array; error: number }> {
    const e = { addr: this.returnBuffer(), opt: this.returnBuffer(), error: 0 };
    try {
      await this.run("t_rcvuderr", () => unitdata.t_rcvuderr(this.fd, e));
      return { addr: netbufBytes(e.addr).slice(), opt: netbufBytes(e.opt).slice(), error: e.error };
    } finally {
      this.recycle(e.addr, e.opt);
    }
  }

  /** t_optmgmt with decoded options; returns the options as the provider answered them. */
  async optmgmt(flags: number, options: ReadonlyArray<{ level: number; name: number; value?: Uint8Array }>): Promise<{ flags: number; options: XtiOption[] }> {
    const req = { opt: netbuf(encodeOptions(options)), flags };
    const ret = { opt: netbuf(RETURN_BUFFER), flags: 0 };
    await this.run("t_optmgmt", () => optmgmt.t_optmgmt(this.fd, req, ret));
    return { flags: ret.flags, options: (decodeOptions(netbufBytes(ret.opt)) ?? []).map((o) => ({ ...o, value: o.value.slice() })) };
  }

  async close(): Promise<void> {
    await this.run("t_close", () => control.t_close(this.fd));
  }
}
