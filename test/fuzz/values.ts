/**
 * Argument values for the API fuzzer, drawn from a seeded generator: plausible values of each
 * kind of argument the API takes (so that calls reach deep into the core) and hostile ones of
 * every type (prototype-key strings, proxies, getters that throw, huge numbers, NaN, negative
 * lengths, detached, shared and resizable buffers, structures with missing or wrong fields).
 */
import { SeededRandom } from "../../providers/packet/random.js";
import { encodeLegacyOptions } from "../../src/options/legacy.js";
import { encodeOptions, scalarValue, scalarsValue } from "../../src/options/opthdr.js";

/** The kinds of argument the fuzzer knows how to make plausible. */
export type Kind =
  | "fd"
  | "bytes"
  | "count"
  | "flags"
  | "int"
  | "call"
  | "bind"
  | "optmgmt"
  | "discon"
  | "unitdata"
  | "uderr"
  | "iov"
  | "intref"
  | "info"
  | "device"
  | "oflag"
  | "openopts"
  | "netconfig"
  | "hostserv"
  | "ref"
  | "netbuf"
  | "uaddr"
  | "pollfds"
  | "timeout"
  | "handle"
  | "string"
  | "options"
  | "config"
  | "provider"
  | "endpoint"
  | "any";

/** ES2024 resizable ArrayBuffers (Node 20 has them; this project's lib is ES2023). */
type Resizable = ArrayBuffer & { readonly resizable: boolean; resize(n: number): void };
const ResizableBuffer = ArrayBuffer as unknown as new (n: number, options: { maxByteLength: number }) => Resizable;

const PROTO_KEYS = ["toString", "__proto__", "constructor", "hasOwnProperty", "valueOf", "isPrototypeOf", "propertyIsEnumerable", "toLocaleString", "__defineGetter__"];
// No device of a real network here: random binds and connects must stay inside the process.
const DEVICES = ["/dev/ticots", "/dev/ticotsord", "/dev/ticlts", "/dev/fuzz-chaos", "/dev/fuzz-small", "/dev/fuzz-reg-0", "/dev/fuzz-made-1", "/dev/nonexistent", "", "ticots"];
const HUGE = [2 ** 31, 2 ** 31 - 1, 2 ** 32, 2 ** 32 + 1, 2 ** 53, -(2 ** 53), Number.MAX_SAFE_INTEGER, Number.MAX_VALUE, 1e300];
const ODD_NUMBERS = [Number.NaN, Infinity, -Infinity, -0, 0.5, -1, -2, -3, 1.5, -(2 ** 31)];

export class Values {
  readonly rng: SeededRandom;
  /** Descriptors that exist now (the world's), used for plausible fds. */
  fds: number[] = [];
  /** Netconfig entries and handles the world made, for plausible netconfig arguments. */
  netconfigs: unknown[] = [];
  handles: unknown[] = [];
  endpoints: unknown[] = [];
  /** Addresses bound in the world (listeners, datagram endpoints), so that calls can reach them. */
  addresses: Uint8Array[] = [];
  /** Every ArrayBuffer handed out, so that some can be detached while calls use them. */
  readonly buffers: ArrayBuffer[] = [];

  constructor(seed: number) {
    this.rng = new SeededRandom(seed);
  }

  int(n: number): number {
    return Math.floor(this.rng.next() * n);
  }
  chance(p: number): boolean {
    return this.rng.next() < p;
  }
  pick<T>(list: readonly T[]): T {
    return list[this.int(list.length)] as T;
  }

  /** A well-formed value of `kind` often (so calls get far), an edge case or anything at all otherwise. */
  of(kind: Kind): unknown {
    const r = this.rng.next();
    if (kind === "any" || r < 0.2) return this.any(2);
    if (r < 0.65) return this.good(kind);
    return this.plausible(kind);
  }

  private goodBytes(): Uint8Array {
    const ab = new ArrayBuffer(8 + this.int(17));
    this.buffers.push(ab);
    return new Uint8Array(ab).fill(0x61);
  }

  private goodNetbuf(filled: boolean): { maxlen: number; len: number; buf: Uint8Array } {
    const buf = this.goodBytes();
    return { maxlen: buf.length, len: filled ? this.int(buf.length + 1) : 0, buf };
  }

  /** A netbuf holding an address of the world, often. */
  private knownAddress(): unknown {
    if (this.addresses.length === 0 || this.chance(0.4)) return undefined;
    const a = this.pick(this.addresses).slice();
    return { maxlen: a.length, len: a.length, buf: a };
  }

  /** A well-formed value of `kind` (the values a correct C program passes). */
  good(kind: Kind): unknown {
    const nb = (): unknown => this.goodNetbuf(this.chance(0.5));
    switch (kind) {
      case "bytes":
        return this.goodBytes();
      case "count":
        return this.int(9);
      case "flags":
        return this.pick([0, 0, 1, 2, 3]);
      case "int":
        return this.chance(0.05) ? 79 : this.int(8); // 79: _SC_T_IOV_MAX
      case "call":
        return { addr: this.knownAddress() ?? nb(), opt: this.goodNetbuf(false), udata: nb(), sequence: this.int(3) };
      case "bind":
        return { addr: this.chance(0.5) ? this.goodNetbuf(false) : nb(), qlen: this.int(3) };
      case "optmgmt": {
        const options = [{ level: 0xfffe, name: this.pick([0x1001, 0x1002, 0x80, 0x1004]), value: this.chance(0.5) ? scalarValue(4096) : scalarsValue(1, 5) }];
        const encoded = this.chance(0.7) ? encodeOptions(options) : encodeLegacyOptions(options);
        const buf = new Uint8Array(512);
        buf.set(encoded);
        return { opt: { maxlen: buf.length, len: encoded.length, buf }, flags: this.pick([4, 8, 0x10, 0x80]) };
      }
      case "discon":
        return { udata: nb(), reason: 0, sequence: this.int(3) };
      case "unitdata":
        return { addr: this.knownAddress() ?? nb(), opt: this.goodNetbuf(false), udata: nb() };
      case "uderr":
        return { addr: nb(), opt: nb(), error: 0 };
      case "iov":
        return Array.from({ length: 1 + this.int(3) }, () => {
          const b = this.goodBytes();
          return { iov_base: b, iov_len: this.int(b.length + 1) };
        });
      case "intref":
        return { value: 0 };
      case "info":
        return { addr: 0, options: 0, tsdu: 0, etsdu: 0, connect: 0, discon: 0, servtype: 0, flags: 0 };
      case "netbuf":
        return nb();
      case "pollfds":
        return Array.from({ length: 1 + this.int(3) }, () => ({ fd: this.plausible("fd"), events: this.pick([1, 4, 5, 0x41, 0x80]), revents: 0 }));
      case "timeout":
        return this.pick([0, 1, 2, -1]);
      case "ref":
        return { value: null };
      default:
        return this.plausible(kind);
    }
  }

  number(): number {
    switch (this.int(6)) {
      case 0:
        return this.pick(HUGE);
      case 1:
        return this.pick(ODD_NUMBERS);
      case 2:
        return this.int(64);
      case 3:
        return this.int(0x10000) - 0x8000;
      default:
        return this.int(8);
    }
  }

  string(): string {
    switch (this.int(6)) {
      case 0:
        return this.pick(PROTO_KEYS);
      case 1:
        return this.pick(DEVICES);
      case 2:
        return this.pick(["XNS5", "XNS4", "TLI", "xns5", "\\1", "\\2", "\\3", "\\4", "localhost", "127.0.0.1", "::1", "1.2.3.4.0.13", "localhost.echo"]);
      case 3:
        return "x".repeat(this.int(3) === 0 ? 100000 : this.int(40));
      case 4:
        return String.fromCharCode(...Array.from({ length: this.int(8) }, () => this.int(0x10000)));
      default:
        return this.pick(["", "tcp", "udp", "ticotsord", "daytime", "rpcbind", "123", "70000", "a:b", "%s%n", "\u0000"]);
    }
  }

  /** A byte array, often hostile: detached, shared, resizable, a proxy, or a plain array. */
  bytes(): unknown {
    const n = this.chance(0.1) ? this.int(70000) : this.int(24);
    switch (this.int(10)) {
      case 0: {
        const ab = new ArrayBuffer(n);
        const view = new Uint8Array(ab);
        structuredClone(ab, { transfer: [ab] }); // detached
        return view;
      }
      case 1:
        return new Uint8Array(new SharedArrayBuffer(n + 1));
      case 2: {
        const ab = new ResizableBuffer(n, { maxByteLength: n + 64 });
        this.buffers.push(ab);
        return new Uint8Array(ab); // length-tracking: shrinks when the buffer does
      }
      case 3:
        return new Proxy(new Uint8Array(n), {});
      case 4:
        return new Uint8Array(n + 8).subarray(4, 4 + n);
      case 5:
        return Array.from({ length: n }, () => this.int(256));
      case 6:
        return Buffer.alloc(n, 0x61);
      default: {
        const ab = new ArrayBuffer(n);
        this.buffers.push(ab);
        return new Uint8Array(ab).fill(0x41);
      }
    }
  }

  netbuf(): unknown {
    const buf = this.bytes();
    let len = 0;
    try {
      len = (buf as { length?: number }).length ?? 0;
    } catch {
      // a proxied Uint8Array: its length cannot be read either
    }
    switch (this.int(8)) {
      case 0:
        return { maxlen: this.number(), len: this.number(), buf };
      case 1:
        return { maxlen: len + this.int(3), len: len + this.int(3), buf };
      case 2:
        return { len, buf };
      case 3:
        return this.throwingGetters({ maxlen: len, len, buf });
      case 4:
        return Object.freeze({ maxlen: len, len, buf });
      default:
        return { maxlen: len, len: this.int(len + 1), buf };
    }
  }

  /** An object whose named fields throw when read. */
  throwingGetters(base: Record<string, unknown>): Record<string, unknown> {
    const o: Record<string, unknown> = {};
    for (const key of Object.keys(base)) {
      if (this.chance(0.5)) {
        Object.defineProperty(o, key, {
          get: () => {
            throw new Error(`getter ${key}`);
          },
          set: () => {
            throw new Error(`setter ${key}`);
          },
          enumerable: true,
        });
      } else o[key] = base[key];
    }
    return o;
  }

  /** A proxy whose every trap throws (or returns something odd). */
  hostileProxy(): unknown {
    const throwing = this.chance(0.5);
    const trap = (): never => {
      throw new TypeError("hostile proxy");
    };
    return new Proxy(
      {},
      throwing
        ? { get: trap, set: trap, has: trap, ownKeys: trap, getPrototypeOf: trap, defineProperty: trap, getOwnPropertyDescriptor: trap }
        : { get: (_t, k) => (k === Symbol.toPrimitive ? () => 42 : k === "then" ? undefined : this.int(3) === 0 ? -1 : "odd") },
    );
  }

  struct(fields: string[]): unknown {
    const o: Record<string, unknown> = {};
    for (const f of fields) {
      if (this.chance(0.1)) continue; // missing field
      o[f] = f === "sequence" || f === "qlen" || f === "flags" || f === "reason" || f === "error" ? (this.chance(0.7) ? this.int(4) : this.number()) : this.netbuf();
    }
    if (this.chance(0.15)) return this.throwingGetters(o);
    if (this.chance(0.1)) return Object.freeze(o);
    return o;
  }

  plausible(kind: Kind): unknown {
    switch (kind) {
      case "fd":
        return this.fds.length > 0 && this.chance(0.85) ? this.pick(this.fds) : this.pick([-1, 0, 1, 2, 3, 4242, 2 ** 31, Number.NaN, 3.5]);
      case "bytes":
        return this.bytes();
      case "count":
        return this.chance(0.7) ? this.int(24) : this.number();
      case "flags":
        return this.chance(0.7) ? this.pick([0, 1, 2, 3, 4, 0x10, 0xffff]) : this.number();
      case "int":
        return this.chance(0.7) ? this.int(16) - 2 : this.number();
      case "call":
        return this.struct(["addr", "opt", "udata", "sequence"]);
      case "bind":
        return this.struct(["addr", "qlen"]);
      case "optmgmt":
        return this.struct(["opt", "flags"]);
      case "discon":
        return this.struct(["udata", "reason", "sequence"]);
      case "unitdata":
        return this.struct(["addr", "opt", "udata"]);
      case "uderr":
        return this.struct(["addr", "opt", "error"]);
      case "iov": {
        const n = this.chance(0.1) ? 20 : this.int(4);
        return Array.from({ length: n }, () => (this.chance(0.9) ? { iov_base: this.bytes(), iov_len: this.chance(0.8) ? this.int(16) : this.number() } : this.any(1)));
      }
      case "intref":
        return this.chance(0.8) ? { value: this.int(4) } : this.pick([Object.freeze({ value: 0 }), this.throwingGetters({ value: 0 }), { value: "x" }, {}]);
      case "info":
        return this.chance(0.8) ? { addr: 0, options: 0, tsdu: 0, etsdu: 0, connect: 0, discon: 0, servtype: 0, flags: 0 } : this.pick([Object.freeze({}), this.throwingGetters({ addr: 0, flags: 0 }), {}]);
      case "device":
        return this.chance(0.8) ? this.pick(DEVICES) : this.string();
      case "oflag":
        return this.pick([2, 2, 2 | 0o4000, 0, 1, 3, 0x40000002, this.number()]);
      case "openopts":
        return this.pick([undefined, null, {}, { semantics: "TLI" }, { semantics: "XNS4" }, { semantics: this.pick(PROTO_KEYS) }, { semantics: "nope" }, { nonblock: true }, { nonblock: "yes" }, 5, "x", this.throwingGetters({ semantics: "TLI", nonblock: true })]);
      case "netconfig":
        return this.netconfigs.length > 0 && this.chance(0.8) ? this.pick(this.netconfigs) : this.struct(["nc_netid", "nc_protofmly", "nc_proto", "nc_lookups"]);
      case "hostserv":
        return this.chance(0.8)
          ? { h_host: this.pick(["\\1", "\\2", "\\3", "\\4", "localhost", "127.0.0.1", "alpha", "::1", null, "nohost", "toString"]), h_serv: this.pick(["daytime", "13", null, "", "rpcbind", "70000", "nosuch", "__proto__"]) }
          : this.throwingGetters({ h_host: "localhost", h_serv: "13" });
      case "ref":
        return this.chance(0.85) ? { value: null } : this.pick([Object.freeze({ value: null }), this.throwingGetters({ value: null }), null, 3]);
      case "netbuf":
        return this.netbuf();
      case "uaddr":
        return this.pick(["127.0.0.1.0.13", "::1.0.13", "localhost.echo", "\\000\\020", "bad\\9", "1.2.3.4.5", "", "0.0.0.0.1.12"]);
      case "pollfds": {
        const n = this.int(4);
        return Array.from({ length: n }, () => (this.chance(0.9) ? { fd: this.plausible("fd"), events: this.pick([1, 4, 0x41, 0x3ff, 0, -1]), revents: 0 } : this.any(1)));
      }
      case "timeout":
        return this.pick([0, 0, 1, 2, -1, -5, 2 ** 31 - 1, 2 ** 40, Number.NaN, 1.5, "1"]);
      case "handle":
        return this.handles.length > 0 && this.chance(0.8) ? this.pick(this.handles) : this.any(1);
      case "string":
        return this.string();
      case "options":
        return this.chance(0.8) ? [{ level: this.pick([0xfffe, 0, 6]), name: this.pick([0x1002, 0x80, 0, 99]), value: this.bytes() }] : this.any(1);
      case "config":
        return this.chance(0.7)
          ? { name: `/dev/fuzz-made-${this.int(4)}`, servtype: this.pick([1, 2, 3, 7]), tsdu: this.pick([undefined, 8, -1, -2, -9, 1.5]), tidu: this.pick([undefined, 4, 0]), rcvbuf: this.pick([undefined, 16, 0]) }
          : this.any(1);
      case "provider":
        return this.chance(0.3) ? { name: `/dev/fuzz-reg-${this.int(3)}`, open: () => this.any(1) } : this.any(1);
      case "endpoint":
        return this.endpoints.length > 0 && this.chance(0.8) ? this.pick(this.endpoints) : this.any(1);
      case "any":
        return this.any(2);
    }
  }

  /** A value of any type. */
  any(depth: number): unknown {
    switch (this.int(16)) {
      case 0:
        return undefined;
      case 1:
        return null;
      case 2:
        return this.chance(0.5);
      case 3:
      case 4:
        return this.number();
      case 5:
        return BigInt(this.int(100));
      case 6:
      case 7:
        return this.string();
      case 8:
        return Symbol("fuzz");
      case 9:
        return () => this.int(3);
      case 10:
        return this.bytes();
      case 11:
        return depth > 0 ? Array.from({ length: this.int(4) }, () => this.any(depth - 1)) : [];
      case 12:
        return depth > 0 ? { value: this.any(depth - 1), len: this.number(), buf: this.bytes(), fd: this.plausible("fd") } : {};
      case 13:
        return this.hostileProxy();
      case 14:
        return this.netbuf();
      default:
        return this.plausible("fd");
    }
  }

  /** Detach one of the buffers handed out (a caller freeing memory a pending call still uses). */
  detachOne(): void {
    const ab = this.buffers.splice(this.int(this.buffers.length), 1)[0];
    if (ab === undefined || ab.byteLength === 0) return;
    const r = ab as Resizable;
    if (r.resizable && this.chance(0.5)) r.resize(0);
    else structuredClone(ab, { transfer: [ab] });
  }
}
