/**
 * What a case works with: endpoints on the target's device (closed after the case whatever
 * happens), connected pairs, datagram pairs, waiting for events with the target's timeout, and
 * assertions that fail with "expected / actual".
 */
import {
  O_NONBLOCK,
  O_RDWR,
  T_EXPEDITED,
  T_INVALID,
  T_MORE,
  T_SENDZERO,
  STATE_NAMES,
  netbuf,
  t_accept,
  t_bind,
  t_call_of,
  t_close,
  t_connect,
  t_errno,
  errno,
  errnoName,
  t_getprotaddr,
  t_getstate,
  t_listen,
  t_look,
  t_open,
  t_rcv,
  tErrnoName,
  TNODATA,
  TSYSERR,
  type t_info,
} from "../src/index.js";
import { CaseFailure, type ConformanceTarget } from "./types.js";

export const EVENT_NAMES: Record<number, string> = {
  0: "no event",
  0x1: "T_LISTEN",
  0x2: "T_CONNECT",
  0x4: "T_DATA",
  0x8: "T_EXDATA",
  0x10: "T_DISCONNECT",
  0x40: "T_UDERR",
  0x80: "T_ORDREL",
  0x100: "T_GODATA",
  0x200: "T_GOEXDATA",
};

export function describeResult(r: number): string {
  if (r >= 0) return `success (${r})`;
  return t_errno === TSYSERR ? `-1 with TSYSERR/${errnoName(errno)}` : `-1 with ${tErrnoName(t_errno)}`;
}

export interface Piece {
  n: number;
  flags: number;
}

/** What a case works with: its target, assertions, and endpoints it opens (closed after the case). */
export class CaseContext {
  private readonly fds: number[] = [];
  private serial = 0;

  constructor(
    readonly target: ConformanceTarget,
    /** t_info of the target's device. */
    readonly info: t_info,
    /** How long to wait for something the peer causes. */
    readonly timeoutMs: number,
  ) {}

  // ---- assertions ----

  /** Fail the case. */
  fail(message: string, expected: string, actual: string): never {
    throw new CaseFailure(message, expected, actual);
  }

  /** The call must succeed; returns its result. */
  ok(r: number, what: string): number {
    if (r < 0) this.fail(`${what} failed`, "success", describeResult(r));
    return r;
  }

  /** The call must fail with `expected` (a t_errno value). */
  error(r: number, expected: number, what: string): void {
    if (r !== -1 || t_errno !== expected) this.fail(`${what}`, `-1 with ${tErrnoName(expected)}`, describeResult(r));
  }

  /** The values must be equal (compared as JSON). */
  equal<T>(actual: T, expected: T, what: string): void {
    const a = JSON.stringify(actual);
    const e = JSON.stringify(expected);
    if (a !== e) this.fail(what, e, a);
  }

  /** The condition must hold. */
  truthy(cond: boolean, what: string, expected: string, actual: string): void {
    if (!cond) this.fail(what, expected, actual);
  }

  /** The endpoint must be in state `expected`. */
  state(fd: number, expected: number, what: string): void {
    const s = t_getstate(fd);
    if (s !== expected) this.fail(what, STATE_NAMES[expected] ?? String(expected), s < 0 ? describeResult(s) : (STATE_NAMES[s] ?? String(s)));
  }

  // ---- endpoints ----

  /** An endpoint of the target's device (or `device`). */
  open(options: { nonblock?: boolean; device?: string } = {}): number {
    const device = options.device ?? this.target.device;
    const fd = t_open(device, O_RDWR | (options.nonblock === true ? O_NONBLOCK : 0), null);
    if (fd < 0) this.fail(`t_open ${device} failed`, "a descriptor", describeResult(fd));
    this.fds.push(fd);
    return fd;
  }

  /** An endpoint bound with `qlen` (a listener when qlen > 0); returns it and its dial address. */
  async listener(qlen = 1, options: { nonblock?: boolean; device?: string } = {}): Promise<{ fd: number; addr: Uint8Array; qlen: number }> {
    const fd = this.open(options);
    const want = this.target.bindAddress?.(this.serial++) ?? null;
    const ret = { addr: netbuf(1024), qlen: 0 };
    this.ok(await t_bind(fd, { addr: netbuf(want ?? new Uint8Array(0)), qlen }, ret), "t_bind");
    // XNS5 t_bind(3): the provider may lower qlen, but never to 0 from a positive request.
    if (ret.qlen > qlen || (qlen > 0 && ret.qlen === 0)) this.fail("the qlen t_bind negotiated", `between 1 and the ${qlen} requested`, String(ret.qlen));
    const bound = ret.addr.buf.slice(0, ret.addr.len);
    return { fd, addr: this.target.dialAddress?.(bound) ?? bound, qlen: ret.qlen };
  }

  /** t_bind of `fd` to exactly `addr` (XTI: that address or an error); returns the call's result and the bound address. */
  async bindAt(fd: number, addr: Uint8Array, qlen = 0): Promise<{ r: number; bound: Uint8Array }> {
    const ret = { addr: netbuf(1024), qlen: 0 };
    const r = await t_bind(fd, { addr: netbuf(addr), qlen }, ret);
    return { r, bound: ret.addr.buf.slice(0, ret.addr.len) };
  }

  /** The addresses t_getprotaddr reports for `fd`: its own and its peer's (empty when none). */
  addresses(fd: number): { local: Uint8Array; remote: Uint8Array } {
    const local = { addr: netbuf(1024), qlen: 0 };
    const remote = { addr: netbuf(1024), qlen: 0 };
    this.ok(t_getprotaddr(fd, local, remote), "t_getprotaddr");
    return { local: local.addr.buf.slice(0, local.addr.len), remote: remote.addr.buf.slice(0, remote.addr.len) };
  }

  /** A bound endpoint that will call out. */
  async caller(options: { nonblock?: boolean; device?: string } = {}): Promise<number> {
    const fd = this.open(options);
    this.ok(await t_bind(fd, null, null), "t_bind (caller)");
    return fd;
  }

  /**
   * A bound non-blocking caller (on the peer device, if the target names one) whose t_connect to
   * `addr` is under way: the call returned TNODATA.
   */
  async callNonblocking(addr: Uint8Array, udata?: Uint8Array): Promise<number> {
    const fd = await this.caller({ nonblock: true, device: this.target.peerDevice ?? this.target.device });
    const call = { ...t_call_of(), addr: netbuf(addr), udata: netbuf(udata ?? new Uint8Array(0)) };
    this.error(await t_connect(fd, call, null), TNODATA, "a non-blocking t_connect");
    return fd;
  }

  /**
   * A connected pair: `client` called `listener`, which accepted onto `server` (or onto itself
   * with `acceptOnListener`). Across providers when the target names a peer device.
   */
  async pair(options: { acceptOnListener?: boolean; clientDevice?: string } = {}): Promise<{ client: number; server: number; listener: number }> {
    const l = await this.listener(1);
    const client = await this.caller({ device: options.clientDevice ?? this.target.peerDevice ?? this.target.device });
    const server = options.acceptOnListener === true ? l.fd : this.open();
    const accepting = this.acceptNext(l.fd, server);
    const callTo = { ...t_call_of(), addr: netbuf(l.addr) };
    this.ok(await this.within(t_connect(client, callTo, null), "t_connect"), "t_connect");
    await accepting;
    return { client, server, listener: l.fd };
  }

  /** t_listen, then t_accept onto `acceptor`: started before the t_connect it answers, awaited after. */
  acceptNext(listener: number, acceptor: number): Promise<void> {
    const call = t_call_of({ addr: 1024, opt: 1024, udata: 1024 });
    return this.alongside(
      (async () => {
        this.ok(await this.within(t_listen(listener, call), "t_listen"), "t_listen");
        this.ok(await this.within(t_accept(listener, acceptor, call), "t_accept"), "t_accept");
      })(),
    );
  }

  /**
   * Work that runs beside the case's next steps and is awaited later. If a step fails first, the
   * case ends and closing its endpoints makes this work fail too: that failure must not escape as
   * an unhandled rejection (which would end the whole run), so it is marked handled here; awaiting
   * the promise still reports it.
   */
  alongside<T>(work: Promise<T>): Promise<T> {
    work.catch(() => undefined);
    return work;
  }

  /** Two bound connectionless endpoints and their dial addresses. */
  async datagramPair(): Promise<{ a: number; b: number; aAddr: Uint8Array; bAddr: Uint8Array }> {
    const a = await this.listener(0);
    const b = await this.listener(0);
    return { a: a.fd, b: b.fd, aAddr: a.addr, bAddr: b.addr };
  }

  // ---- waiting ----

  /** Resolve with `p`, or fail if it takes longer than the target's event timeout. */
  async within<T>(p: Promise<T>, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new CaseFailure(`${what} did not complete`, `completion within ${this.timeoutMs} ms`, "still waiting")), this.timeoutMs);
    });
    try {
      return await Promise.race([p, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Poll several endpoints until one of them reports its event; returns that entry's label, or
   * "none" when the event timeout passes first.
   */
  async firstEvent(watch: ReadonlyArray<readonly [fd: number, event: number, label: string]>): Promise<string> {
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      for (const [fd, event, label] of watch) if (t_look(fd) === event) return label;
      if (Date.now() > deadline) return "none";
      await new Promise((r) => setTimeout(r, 2));
    }
  }

  /** Wait until t_look(fd) reports `event` (polling; t_look consumes nothing but T_GO* events). */
  async event(fd: number, event: number, what: string): Promise<void> {
    const deadline = Date.now() + this.timeoutMs;
    let seen = 0;
    for (;;) {
      seen = t_look(fd);
      if (seen === event) return;
      if (Date.now() > deadline) this.fail(what, `t_look reports ${EVENT_NAMES[event] ?? event}`, seen < 0 ? describeResult(seen) : (EVENT_NAMES[seen] ?? String(seen)));
      await new Promise((r) => setTimeout(r, seen === 0 ? 2 : 1));
    }
  }

  /**
   * Behaviour that contradicts the provider's own t_info, seen on a read: expedited data from a
   * provider without an expedited service, a zero-length unit from one without T_SENDZERO.
   */
  checkReceived(n: number, flags: number, what: string): void {
    if ((flags & T_EXPEDITED) !== 0 && this.info.etsdu === T_INVALID) {
      this.fail(`${what}: expedited data from a provider whose t_info.etsdu is T_INVALID`, "no T_EXPEDITED", `${n} bytes with T_EXPEDITED`);
    }
    if (n === 0 && (flags & T_MORE) === 0 && (this.info.flags & T_SENDZERO) === 0) {
      this.fail(`${what}: a zero-length unit from a provider without T_SENDZERO in t_info.flags`, "no zero-length units", "0 bytes with T_MORE clear");
    }
  }

  /** Read one unit with `size`-byte reads; returns its bytes and every read's (n, flags). */
  async readUnit(fd: number, size: number, what = "t_rcv"): Promise<{ data: Uint8Array; pieces: Piece[] }> {
    const chunks: Uint8Array[] = [];
    const pieces: Piece[] = [];
    const buf = new Uint8Array(size);
    const flags = { value: 0 };
    for (;;) {
      const n = this.ok(await this.within(t_rcv(fd, buf, size, flags), what), what);
      this.checkReceived(n, flags.value, what);
      chunks.push(buf.slice(0, n));
      pieces.push({ n, flags: flags.value });
      if ((flags.value & T_MORE) === 0) break;
    }
    return { data: Buffer.concat(chunks), pieces };
  }

  /** Nothing more is pending on `fd`: t_look reports no event (a unit delivered twice, data after a release...). */
  quiet(fd: number, what: string): void {
    const ev = t_look(fd);
    if (ev !== 0) this.fail(what, "t_look reports no event", ev < 0 ? describeResult(ev) : (EVENT_NAMES[ev] ?? String(ev)));
  }

  /** Close the case's endpoints; fails (rather than waiting for ever) if the provider does not let them close. */
  async close(): Promise<void> {
    // Every close starts at once (each frees its descriptor right away); then wait for them all.
    const closing = this.fds.splice(0).map((fd) => this.within(t_close(fd), `t_close(${fd})`));
    const outcomes = await Promise.allSettled(closing);
    const failed = outcomes.find((o) => o.status === "rejected");
    if (failed !== undefined) throw failed.reason;
  }
}

/** Deterministic test bytes. */
export function pattern(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

export const text = (s: string): Uint8Array => new TextEncoder().encode(s);
export const hex = (b: Uint8Array): string => (b.length === 0 ? "(empty)" : Buffer.from(b).toString("hex"));
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}
