/**
 * The XTI Internet options of one endpoint, each mapped onto the socket option that implements it
 * (xti-spec.md §7.2). T_CURRENT reads the kernel back (getsockopt), so what t_optmgmt reports is
 * what the socket really does; a negotiated value is also recorded, to be applied again to the
 * next socket the endpoint uses (after t_unbind, or a connection accepted onto it).
 *
 *   T_INET_TCP  T_TCP_NODELAY      TCP_NODELAY
 *               T_TCP_MAXSEG       TCP_MAXSEG (read-only)
 *               T_TCP_KEEPALIVE    SO_KEEPALIVE + TCP_KEEPIDLE (kp_timeout minutes; T_GARBAGE unsupported)
 *   T_INET_UDP  T_UDP_CHECKSUM     SO_NO_CHECK (IPv4; IPv6 requires checksums: read-only T_YES)
 *   T_INET_IP   T_IP_TOS           IP_TOS / IPV6_TCLASS (unsigned char)
 *               T_IP_TTL           IP_TTL / IPV6_UNICAST_HOPS (unsigned char)
 *               T_IP_REUSEADDR     SO_REUSEADDR
 *               T_IP_DONTROUTE     SO_DONTROUTE
 *               T_IP_BROADCAST     SO_BROADCAST (UDP over IPv4 only)
 *   XTI_GENERIC XTI_SNDBUF/RCVBUF  SO_SNDBUF/SO_RCVBUF (Linux doubles what is set and reports the
 *                                  double; the XTI value is the half, what was asked for)
 *               XTI_LINGER         kept here only, never SO_LINGER: the provider aborts a linger-0
 *                                  t_close itself and waits for a positive one itself (a close()
 *                                  with SO_LINGER would block the event loop, and a socket option
 *                                  would also turn the end of an orderly release into a reset)
 * The other XTI_GENERIC options (XTI_DEBUG, XTI_RCVLOWAT, XTI_SNDLOWAT) stay with the library.
 *
 * The kernel may apply another value than the one asked for (it rounds buffer sizes up to its
 * minimum, and keeps the ECN bits of a TCP socket's TOS): check() tries each value on a scratch
 * socket first, so T_CHECK and T_NEGOTIATE answer T_PARTSUCCESS with the value the kernel really
 * uses, or T_FAILURE when it refuses it. TCP-level options and UDP_CHECKSUM are read-only until the
 * endpoint is bound (the appendix: "read-only in T_UNBND").
 */
import { readFileSync } from "node:fs";
import {
  T_FAILURE,
  T_INET_IP,
  T_INET_TCP,
  T_INET_UDP,
  T_IP_BROADCAST,
  T_IP_DONTROUTE,
  T_IP_REUSEADDR,
  T_IP_TOS,
  T_IP_TTL,
  T_NO,
  T_OPTHDR_SIZE,
  T_PARTSUCCESS,
  T_TCP_KEEPALIVE,
  T_TCP_MAXSEG,
  T_TCP_NODELAY,
  T_UDP_CHECKSUM,
  T_UNSPEC,
  T_YES,
  XTI_GENERIC,
  XTI_LINGER,
  XTI_RCVBUF,
  XTI_SNDBUF,
  bufferSizeRule,
  lingerRule,
  readScalar,
  readUscalar,
  scalarValue,
  scalarsValue,
  type ProviderOption,
  byteAtLeastRule,
  keepaliveRule,
  yesNoRule,
  yesNoValue,
} from "../../src/spi/index.js";
import {
  AF_INET,
  IP_TOS,
  IP_TTL,
  IPPROTO_IP,
  IPPROTO_IPV6,
  IPPROTO_TCP,
  IPV6_TCLASS,
  IPV6_UNICAST_HOPS,
  SO_BROADCAST,
  SO_DONTROUTE,
  SO_KEEPALIVE,
  SO_NO_CHECK,
  SO_RCVBUF,
  SO_REUSEADDR,
  SO_SNDBUF,
  SOL_SOCKET,
  TCP_KEEPIDLE,
  TCP_MAXSEG,
  TCP_NODELAY,
} from "../native/ffi/linux.js";
import type { KernelSocket } from "../native/socket.js";

type Judged = { status: number; value: Uint8Array };
export type Transport = "tcp" | "udp";

/** RFC 1122's keep-alive interval ("no less than two hours"), for kp_timeout T_UNSPEC. */
const KEEPALIVE_DEFAULT_MINUTES = 120;
/** Linux's largest TCP_KEEPIDLE (MAX_TCP_KEEPIDLE, seconds). */
const KEEPIDLE_MAX_SECONDS = 32767;
/** TCP_MAXSEG before a connection (TCP_MSS_DEFAULT, RFC 1122's default MSS). */
const MSS_DEFAULT = 536;

/** The kernel's cap on SO_SNDBUF / SO_RCVBUF for unprivileged setting (net.core.[wr]mem_max). */
function sysctl(path: string, fallback: number): number {
  try {
    const n = Number.parseInt(readFileSync(path, "utf8"), 10);
    return Number.isFinite(n) && n > 0 ? n : fallback;
  } catch {
    return fallback;
  }
}
let bufferLimits: { sndbuf: number; rcvbuf: number } | undefined;
function limits(): { sndbuf: number; rcvbuf: number } {
  bufferLimits ??= { sndbuf: sysctl("/proc/sys/net/core/wmem_max", 212992), rcvbuf: sysctl("/proc/sys/net/core/rmem_max", 212992) };
  return bufferLimits;
}


/** One option: where it lives and how its value maps onto the socket. */
interface OptionSpec {
  level: number;
  name: number;
  length: number;
  readOnly?: boolean;
  /** Read-only until the endpoint is bound (xti-spec.md §7.2: TCP-level options, UDP_CHECKSUM). */
  readOnlyUnbound?: boolean;
  /** The value now, read from the kernel (or, for XTI_LINGER, kept here). */
  read(s: KernelSocket, self: InetOptions): Uint8Array;
  /** Apply a value check() accepted to a socket: 0, or -errno if the kernel refuses it. */
  write?(s: KernelSocket, value: Uint8Array): number;
  /** For an option the provider keeps instead of the kernel: record a value check() accepted. */
  keep?(value: Uint8Array, self: InetOptions): void;
  check(value: Uint8Array): Judged;
  /** The default when the kernel's own default is not the answer. */
  fixedDefault?: Uint8Array;
}

/** An int socket option exposed as a t_uscalar_t T_YES/T_NO. */
function booleanOption(level: number, name: number, sockLevel: number, sockName: number, invert = false): OptionSpec {
  return {
    level,
    name,
    length: 4,
    read: (s) => yesNoValue(((s.getInt(sockLevel, sockName) ?? 0) !== 0) !== invert),
    write: (s, v) => s.setInt(sockLevel, sockName, (readUscalar(v) === T_YES) !== invert ? 1 : 0),
    check: yesNoRule,
  };
}

/** An int socket option exposed as XTI's unsigned char (T_IP_TOS, T_IP_TTL). */
function byteOption(name: number, sockLevel: number, sockName: number, low: number): OptionSpec {
  return {
    level: T_INET_IP,
    name,
    length: 1,
    read: (s) => Uint8Array.of((s.getInt(sockLevel, sockName) ?? 0) & 0xff),
    write: (s, v) => s.setInt(sockLevel, sockName, v[0] ?? 0),
    check: byteAtLeastRule(low),
  };
}

/** SO_SNDBUF / SO_RCVBUF, whose kernel value is twice the one set. */
function bufferOption(name: number, sockName: number, max: number): OptionSpec {
  return {
    level: XTI_GENERIC,
    name,
    length: 4,
    read: (s) => scalarValue(Math.floor((s.getInt(SOL_SOCKET, sockName) ?? 0) / 2)),
    write: (s, v) => s.setInt(SOL_SOCKET, sockName, readUscalar(v)),
    check: bufferSizeRule(max),
  };
}

function specsFor(transport: Transport, af: number): OptionSpec[] {
  const v4 = af === AF_INET;
  const ipLevel = v4 ? IPPROTO_IP : IPPROTO_IPV6;
  const { sndbuf, rcvbuf } = limits();
  const specs: OptionSpec[] = [
    byteOption(T_IP_TOS, ipLevel, v4 ? IP_TOS : IPV6_TCLASS, 0),
    byteOption(T_IP_TTL, ipLevel, v4 ? IP_TTL : IPV6_UNICAST_HOPS, 1),
    booleanOption(T_INET_IP, T_IP_REUSEADDR, SOL_SOCKET, SO_REUSEADDR),
    booleanOption(T_INET_IP, T_IP_DONTROUTE, SOL_SOCKET, SO_DONTROUTE),
    bufferOption(XTI_SNDBUF, SO_SNDBUF, sndbuf),
    bufferOption(XTI_RCVBUF, SO_RCVBUF, rcvbuf),
  ];
  if (transport === "tcp") {
    specs.push(
      { ...booleanOption(T_INET_TCP, T_TCP_NODELAY, IPPROTO_TCP, TCP_NODELAY), readOnlyUnbound: true },
      {
        level: T_INET_TCP,
        name: T_TCP_MAXSEG,
        length: 4,
        readOnly: true,
        read: (s) => scalarValue(s.getInt(IPPROTO_TCP, TCP_MAXSEG) ?? MSS_DEFAULT),
        check: (value) => ({ status: T_FAILURE, value }),
        fixedDefault: scalarValue(MSS_DEFAULT),
      },
      {
        level: T_INET_TCP,
        name: T_TCP_KEEPALIVE,
        length: 8,
        readOnlyUnbound: true,
        read: (s) => {
          const on = (s.getInt(SOL_SOCKET, SO_KEEPALIVE) ?? 0) !== 0;
          const idle = s.getInt(IPPROTO_TCP, TCP_KEEPIDLE) ?? KEEPALIVE_DEFAULT_MINUTES * 60;
          return scalarsValue(on ? T_YES : T_NO, Math.max(1, Math.round(idle / 60)));
        },
        write: (s, v) => {
          const minutes = readScalar(v, 1);
          const idle = s.setInt(IPPROTO_TCP, TCP_KEEPIDLE, (minutes === T_UNSPEC ? KEEPALIVE_DEFAULT_MINUTES : minutes) * 60);
          return idle < 0 ? idle : s.setInt(SOL_SOCKET, SO_KEEPALIVE, (readScalar(v, 0) & T_YES) !== 0 ? 1 : 0);
        },
        // Linux sends no garbage octet with its probes and caps the idle time; T_UNSPEC is its default.
        check: keepaliveRule(Math.floor(KEEPIDLE_MAX_SECONDS / 60), KEEPALIVE_DEFAULT_MINUTES),
      },
      {
        level: XTI_GENERIC,
        name: XTI_LINGER,
        length: 8,
        read: (_s, self) => self.lingerValue(),
        keep: (v, self) => self.recordLinger(v),
        check: lingerRule,
        fixedDefault: scalarsValue(T_NO, T_UNSPEC),
      },
    );
  } else {
    specs.push(
      v4
        ? { ...booleanOption(T_INET_UDP, T_UDP_CHECKSUM, SOL_SOCKET, SO_NO_CHECK, true), readOnlyUnbound: true }
        : { level: T_INET_UDP, name: T_UDP_CHECKSUM, length: 4, readOnly: true, read: () => yesNoValue(true), check: (value) => ({ status: T_FAILURE, value }) },
    );
    if (v4) specs.push(booleanOption(T_INET_IP, T_IP_BROADCAST, SOL_SOCKET, SO_BROADCAST));
  }
  return specs;
}

/** What the options need of their endpoint. */
export interface OptionHost {
  /** The sockets the options apply to now: the first is the one read back. */
  sockets(): readonly KernelSocket[];
  /** Whether the endpoint is bound (some options are read-only before). */
  bound(): boolean;
  /** A fresh socket of the endpoint's kind, to try a value on (the caller closes it). */
  scratch(): KernelSocket;
}

export class InetOptions {
  readonly table: readonly ProviderOption[];
  private readonly specs: OptionSpec[];
  /** Values negotiated on this endpoint, by spec, to apply to later sockets. */
  private readonly negotiated = new Map<OptionSpec, Uint8Array>();
  private linger = scalarsValue(T_NO, T_UNSPEC);
  private rcvbufBytes: number;

  /**
   * `defaults` are the values of a socket nobody has configured (read once per provider); the
   * endpoint's sockets come from `host`.
   */
  constructor(
    transport: Transport,
    af: number,
    private readonly host: OptionHost,
    defaults: ReadonlyMap<string, Uint8Array>,
  ) {
    this.specs = specsFor(transport, af);
    this.table = this.specs.map((spec) => this.option(spec, defaults.get(key(spec)) ?? spec.fixedDefault ?? new Uint8Array(spec.length)));
    const first = host.sockets()[0];
    this.rcvbufBytes = first === undefined ? 65536 : readUscalar(this.spec(XTI_GENERIC, XTI_RCVBUF).read(first, this));
  }

  /** The values of a socket nobody has configured, keyed for the constructor's `defaults`. */
  static defaultsOf(transport: Transport, af: number, s: KernelSocket): Map<string, Uint8Array> {
    const host: OptionHost = {
      sockets: () => [s],
      bound: () => false,
      scratch: () => {
        throw new Error("no values are tried while reading defaults");
      },
    };
    const reader = new InetOptions(transport, af, host, new Map());
    return new Map(reader.specs.filter((spec) => spec.fixedDefault === undefined).map((spec) => [key(spec), spec.read(s, reader)]));
  }

  /** XTI_RCVBUF in bytes: the receive high-water mark of the endpoint's user. */
  receiveBuffer(): number {
    return this.rcvbufBytes;
  }

  /** XTI_LINGER as negotiated: null when off, else the seconds (T_INFINITE, T_UNSPEC or >= 0). */
  lingerSeconds(): number | null {
    return readScalar(this.linger, 0) === T_YES ? readScalar(this.linger, 1) : null;
  }

  /** @internal XTI_LINGER's stored value. */
  lingerValue(): Uint8Array {
    return this.linger;
  }

  /** @internal */
  recordLinger(value: Uint8Array): void {
    this.linger = value.slice();
  }

  /** Apply every value negotiated on this endpoint to a socket it starts using. */
  applyTo(s: KernelSocket): void {
    for (const [spec, value] of this.negotiated) spec.write?.(s, value);
  }

  /**
   * Give a socket accepted from `listener`'s socket this endpoint's options (XTI: with no options
   * in the t_accept call, the acceptor's are used). Linux copies the listening socket's options
   * to every socket it accepts, so each option the listener negotiated and this endpoint did not
   * is set back to this endpoint's own value, read from its socket, before this endpoint's
   * negotiated values are applied. SO_LINGER is cleared: XTI_LINGER never reaches the kernel.
   */
  adoptAccepted(s: KernelSocket, listener: InetOptions): void {
    s.setLinger(false, 0);
    const own = this.host.sockets()[0];
    if (listener !== this && own !== undefined && own !== s) {
      const inherited = new Set([...listener.negotiated.keys()].map(key));
      for (const spec of this.specs) {
        if (inherited.has(key(spec)) && !this.negotiated.has(spec)) spec.write?.(s, spec.read(own, this));
      }
    }
    this.applyTo(s);
  }

  /** The size of a t_opthdr buffer holding every option of the table (t_info.options). */
  static largestBuffer(transport: Transport, af: number): number {
    return specsFor(transport, af).reduce((size, spec) => size + ((T_OPTHDR_SIZE + spec.length + 3) & ~3), 0);
  }

  private spec(level: number, name: number): OptionSpec {
    const found = this.specs.find((s) => s.level === level && s.name === name);
    if (found === undefined) throw new Error(`no option ${level}/${name}`);
    return found;
  }

  private option(spec: OptionSpec, initial: Uint8Array): ProviderOption {
    return {
      level: spec.level,
      name: spec.name,
      length: spec.length,
      readOnly: () => spec.readOnly === true || (spec.readOnlyUnbound === true && !this.host.bound()),
      defaultValue: () => initial,
      currentValue: (): Uint8Array => {
        const s = this.host.sockets()[0];
        return s === undefined ? initial : spec.read(s, this);
      },
      check: (value) => this.judge(spec, value),
      set: (value: Uint8Array): void => {
        const v = value.slice();
        this.negotiated.set(spec, v);
        spec.keep?.(v, this);
        for (const s of this.host.sockets()) spec.write?.(s, v);
        if (spec.level === XTI_GENERIC && spec.name === XTI_RCVBUF) {
          const s = this.host.sockets()[0];
          this.rcvbufBytes = s === undefined ? readUscalar(v) : readUscalar(spec.read(s, this));
        }
      },
    };
  }

  /**
   * The option's rule, then the kernel's say: a value the rule accepts is tried on a scratch
   * socket and read back, so the answer is the value the kernel really uses (T_PARTSUCCESS when
   * it differs from the one asked for) or T_FAILURE when the kernel refuses it. Nothing of the
   * endpoint changes.
   */
  private judge(spec: OptionSpec, value: Uint8Array): Judged {
    const judged = spec.check(value);
    if (judged.status === T_FAILURE || spec.write === undefined) return judged;
    const s = this.host.scratch();
    try {
      if (spec.write(s, judged.value) < 0) return { status: T_FAILURE, value };
      const used = spec.read(s, this);
      return sameBytes(used, judged.value) ? judged : { status: T_PARTSUCCESS, value: used };
    } finally {
      s.close();
    }
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function key(spec: OptionSpec): string {
  return `${spec.level}/${spec.name}`;
}
