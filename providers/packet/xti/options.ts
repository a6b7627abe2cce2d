/**
 * The XTI options of /dev/rawtcp and /dev/rawudp endpoints (xti-spec.md §7.2), the same table
 * /dev/tcp and /dev/udp offer less what the stack does not implement (T_IP_DONTROUTE,
 * T_IP_BROADCAST). An endpoint keeps its values and makes the stack object it has use them: the
 * connection (TCP) or the socket (UDP); T_CURRENT reads that object back when there is one.
 *
 *   T_INET_TCP  T_TCP_NODELAY     TcpConnection.setNoDelay
 *               T_TCP_MAXSEG      the connection's send MSS (read-only; 536 before one exists, as Linux)
 *               T_TCP_KEEPALIVE   setKeepAlive (kp_timeout minutes; T_GARBAGE is not sent)
 *   T_INET_UDP  T_UDP_CHECKSUM    UdpSocket.checksum
 *   T_INET_IP   T_IP_TTL, T_IP_TOS   the connection's or socket's IP header bytes
 *               T_IP_REUSEADDR    the port table's reuse rule, at t_bind
 *   XTI_GENERIC XTI_SNDBUF, XTI_RCVBUF   TCP: the send buffer's nominal size and the receive window;
 *                                        UDP: XTI_RCVBUF bounds the datagrams indicated and unread
 *               XTI_LINGER        kept here; t_close applies it
 * Values set before a connection exists go into it when it is made: at t_connect, or, on a
 * listener, when a SYN arrives (the listener's values, those negotiated after t_bind too, so the
 * SYN-ACK's window and scale follow its XTI_RCVBUF). A connection accepted onto another endpoint
 * then takes that endpoint's options (XTI: with no options in t_accept, resfd's are used).
 */
import {
  MAX_BUFFER_OPTION,
  T_FAILURE,
  T_INET_IP,
  T_INET_TCP,
  T_INET_UDP,
  T_IP_REUSEADDR,
  T_IP_TOS,
  T_IP_TTL,
  T_NO,
  T_OPTHDR_SIZE,
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
} from "../../../src/spi/index.js";
import type { TcpConnection } from "../stack/tcp/connection.js";
import type { ConnectionOptions } from "../stack/tcp/types.js";
import type { UdpSocket } from "../stack/udp.js";

type Judged = { status: number; value: Uint8Array };

/** RFC 1122's keep-alive interval ("no less than two hours"), for kp_timeout T_UNSPEC. */
const KEEPALIVE_DEFAULT_MINUTES = 120;
/** The longest idle time a timer can wait (setTimeout's limit, 2^31-1 ms), in minutes. */
const KEEPALIVE_MAX_MINUTES = Math.floor(0x7fffffff / 60_000);
/** TCP_MAXSEG before a connection: RFC 1122's default MSS, what Linux reports then too. */
const MSS_DEFAULT = 536;
/** The IP TTL the stack gives its packets (StackConfig.defaultTtl's default). */
const DEFAULT_TTL = 64;

/** Per-endpoint values of the buffer options, before the stack has an object for them. */
export interface BufferDefaults {
  sendBuffer: number;
  receiveBuffer: number;
}

/** One option: its encoding, its rule, and how it maps onto the stack object `L`. */
interface Setting<L> {
  level: number;
  name: number;
  length: number;
  readOnly?: boolean;
  /** Read-only until the endpoint is bound (xti-spec.md §7.2: TCP-level options, UDP_CHECKSUM). */
  readOnlyUnbound?: boolean;
  initial: Uint8Array;
  check(value: Uint8Array): Judged;
  /** The value `live` uses now (absent: the value kept here is the answer). */
  read?(live: L): Uint8Array;
  /** Make `live` use a value check() accepted. */
  write?(live: L, value: Uint8Array): void;
  /** Put `live` back to what it does when the option was never set (absent: write `initial`). */
  reset?(live: L): void;
}

const isYes = (value: Uint8Array): boolean => readUscalar(value) === T_YES;
/** A t_kpalive's kp_timeout (minutes, T_UNSPEC for the default) in milliseconds. */
function keepaliveIdleMs(value: Uint8Array): number {
  const minutes = readScalar(value, 1);
  return (minutes === T_UNSPEC ? KEEPALIVE_DEFAULT_MINUTES : minutes) * 60_000;
}
const refuse = (value: Uint8Array): Judged => ({ status: T_FAILURE, value });


function ipSettings<L extends TcpConnection | UdpSocket>(ttl: (l: L) => number, setTtl: (l: L, v: number) => void, tos: (l: L) => number, setTos: (l: L, v: number) => void): Setting<L>[] {
  return [
    { level: T_INET_IP, name: T_IP_TTL, length: 1, initial: Uint8Array.of(DEFAULT_TTL), check: byteAtLeastRule(1), read: (l) => Uint8Array.of(ttl(l)), write: (l, v) => setTtl(l, v[0]!) },
    { level: T_INET_IP, name: T_IP_TOS, length: 1, initial: Uint8Array.of(0), check: byteAtLeastRule(0), read: (l) => Uint8Array.of(tos(l)), write: (l, v) => setTos(l, v[0]!) },
    { level: T_INET_IP, name: T_IP_REUSEADDR, length: 4, initial: yesNoValue(false), check: yesNoRule },
  ];
}

function tcpSettings(defaults: BufferDefaults): Setting<TcpConnection>[] {
  return [
    { level: T_INET_TCP, name: T_TCP_NODELAY, length: 4, readOnlyUnbound: true, initial: yesNoValue(false), check: yesNoRule, read: (c) => yesNoValue(c.noDelay), write: (c, v) => c.setNoDelay(isYes(v)) },
    { level: T_INET_TCP, name: T_TCP_MAXSEG, length: 4, readOnly: true, initial: scalarValue(MSS_DEFAULT), check: refuse, read: (c) => scalarValue(c.mss) },
    {
      level: T_INET_TCP,
      name: T_TCP_KEEPALIVE,
      length: 8,
      readOnlyUnbound: true,
      initial: scalarsValue(T_NO, KEEPALIVE_DEFAULT_MINUTES),
      check: keepaliveRule(KEEPALIVE_MAX_MINUTES),
      read: (c) => {
        const k = c.keepAlive;
        return scalarsValue(k.on ? T_YES : T_NO, Math.max(1, Math.round(k.idleMs / 60_000)));
      },
      write: (c, v) => c.setKeepAlive((readScalar(v, 0) & T_YES) !== 0, { idleMs: keepaliveIdleMs(v) }),
    },
    {
      level: XTI_GENERIC,
      name: XTI_SNDBUF,
      length: 4,
      initial: scalarValue(defaults.sendBuffer),
      check: bufferSizeRule(MAX_BUFFER_OPTION),
      read: (c) => scalarValue(c.sendBufferSize),
      write: (c, v) => c.setSendBufferSize(readUscalar(v)),
      // Never set, the stack sizes it (connectionOptions leaves it out): writing the default would pin it.
      reset: (c) => c.autoSizeSendBuffer(),
    },
    {
      level: XTI_GENERIC,
      name: XTI_RCVBUF,
      length: 4,
      initial: scalarValue(defaults.receiveBuffer),
      check: bufferSizeRule(MAX_BUFFER_OPTION),
      read: (c) => scalarValue(c.receiveBufferSize),
      write: (c, v) => c.setReceiveBufferSize(readUscalar(v)),
    },
    { level: XTI_GENERIC, name: XTI_LINGER, length: 8, initial: scalarsValue(T_NO, T_UNSPEC), check: lingerRule },
    ...ipSettings<TcpConnection>(
      (c) => c.ttl ?? DEFAULT_TTL,
      (c, v) => c.setTtl(v),
      (c) => c.tos,
      (c, v) => c.setTos(v),
    ),
  ];
}

function udpSettings(defaults: BufferDefaults): Setting<UdpSocket>[] {
  return [
    { level: T_INET_UDP, name: T_UDP_CHECKSUM, length: 4, readOnlyUnbound: true, initial: yesNoValue(true), check: yesNoRule, read: (s) => yesNoValue(s.checksum), write: (s, v) => (s.checksum = isYes(v)) },
    { level: XTI_GENERIC, name: XTI_RCVBUF, length: 4, initial: scalarValue(defaults.receiveBuffer), check: bufferSizeRule(MAX_BUFFER_OPTION) },
    ...ipSettings<UdpSocket>(
      (s) => s.ipOptions.ttl ?? DEFAULT_TTL,
      (s, v) => (s.ipOptions.ttl = v),
      (s) => s.ipOptions.tos ?? 0,
      (s, v) => (s.ipOptions.tos = v),
    ),
  ];
}

/** The size of a t_opthdr buffer holding every option of a table (t_info.options). */
function bufferSize(settings: readonly Setting<never>[]): number {
  return settings.reduce((size, s) => size + ((T_OPTHDR_SIZE + s.length + 3) & ~3), 0);
}

/** One endpoint's option values, and the table t_optmgmt works on. `L` is the stack object they apply to. */
class EndpointOptions<L> {
  readonly table: readonly ProviderOption[];
  private readonly values = new Map<Setting<L>, Uint8Array>();
  /** Settings negotiated on this endpoint (rather than left at their defaults), in order. */
  private readonly negotiated = new Set<Setting<L>>();

  constructor(
    private readonly settings: readonly Setting<L>[],
    /** The stack object the endpoint uses now, if any. */
    private readonly live: () => L | null,
    /** Whether the endpoint is bound (some options are read-only before). */
    private readonly bound: () => boolean,
    /** Called after a value was negotiated (a listener passes it on to the connections it makes). */
    private readonly changed: () => void = () => undefined,
  ) {
    this.table = settings.map((s) => this.option(s));
  }

  /** The value kept for an option (what the next stack object will get). */
  protected value(level: number, name: number): Uint8Array {
    const s = this.settings.find((x) => x.level === level && x.name === name);
    if (s === undefined) throw new Error(`no option ${level}/${name}`);
    return this.values.get(s) ?? s.initial;
  }

  /** Whether the user negotiated this option on this endpoint (as opposed to its initial value). */
  protected isNegotiated(level: number, name: number): boolean {
    for (const s of this.negotiated) if (s.level === level && s.name === name) return true;
    return false;
  }

  /** Give `target` every value negotiated on this endpoint. */
  applyNegotiated(target: L): void {
    for (const s of this.negotiated) s.write?.(target, this.values.get(s)!);
  }

  /**
   * Give `target`, made by the listener whose options are `listener`, this endpoint's options
   * (XTI t_accept: with no options in the call, the accepting endpoint's are used): each option
   * the listener negotiated and this endpoint did not goes back to this endpoint's value, then this
   * endpoint's negotiated values are applied. As /dev/tcp's adoptAccepted. The window scale the
   * SYN-ACK offered stays the listener's (XTI_RCVBUF then only sets the window).
   */
  adoptAccepted(target: L, listener: EndpointOptions<L>): void {
    if (listener !== this) {
      const inherited = new Set([...listener.negotiated].map((s) => `${s.level}/${s.name}`));
      for (const s of this.settings) {
        if (!inherited.has(`${s.level}/${s.name}`) || this.negotiated.has(s)) continue;
        if (s.reset !== undefined) s.reset(target);
        else s.write?.(target, s.initial);
      }
    }
    this.applyNegotiated(target);
  }

  private option(s: Setting<L>): ProviderOption {
    return {
      level: s.level,
      name: s.name,
      length: s.length,
      readOnly: () => s.readOnly === true || (s.readOnlyUnbound === true && !this.bound()),
      defaultValue: () => s.initial,
      currentValue: () => {
        const l = this.live();
        return l !== null && s.read !== undefined ? s.read(l) : (this.values.get(s) ?? s.initial);
      },
      check: (value) => s.check(value),
      set: (value) => {
        const v = value.slice();
        this.values.set(s, v);
        this.negotiated.add(s);
        const l = this.live();
        if (l !== null) s.write?.(l, v);
        this.changed();
      },
    };
  }
}

export class TcpOptions extends EndpointOptions<TcpConnection> {
  static bufferSize(defaults: BufferDefaults): number {
    return bufferSize(tcpSettings(defaults));
  }

  constructor(defaults: BufferDefaults, live: () => TcpConnection | null, bound: () => boolean, changed?: () => void) {
    super(tcpSettings(defaults), live, bound, changed);
  }

  /** T_IP_REUSEADDR, for t_bind. */
  get reuseAddress(): boolean {
    return isYes(this.value(T_INET_IP, T_IP_REUSEADDR));
  }

  /** What a connection made now starts with (t_connect, or a listener's connections). */
  connectionOptions(): ConnectionOptions {
    const keepalive = this.value(T_INET_TCP, T_TCP_KEEPALIVE);
    return {
      ...((readScalar(keepalive, 0) & T_YES) !== 0 ? { keepAlive: true, keepAliveIdleMs: keepaliveIdleMs(keepalive) } : {}),
      noDelay: isYes(this.value(T_INET_TCP, T_TCP_NODELAY)),
      // Unless the user set XTI_SNDBUF, the stack sizes the send buffer itself (two congestion
      // windows during a transfer), as Linux does for a socket whose SO_SNDBUF was never set.
      ...(this.isNegotiated(XTI_GENERIC, XTI_SNDBUF) ? { sendBufferSize: readUscalar(this.value(XTI_GENERIC, XTI_SNDBUF)) } : {}),
      receiveBufferSize: readUscalar(this.value(XTI_GENERIC, XTI_RCVBUF)),
      ttl: this.value(T_INET_IP, T_IP_TTL)[0]!,
      tos: this.value(T_INET_IP, T_IP_TOS)[0]!,
    };
  }

  /**
   * XTI_LINGER as t_close applies it: null when off, otherwise milliseconds (0 = abort),
   * Infinity for T_INFINITE, or `unspecified` ms for T_UNSPEC.
   */
  lingerMs(unspecified: number): number | null {
    const v = this.value(XTI_GENERIC, XTI_LINGER);
    if (readScalar(v, 0) !== T_YES) return null;
    const seconds = readScalar(v, 1);
    if (seconds === T_UNSPEC) return unspecified;
    return seconds < 0 ? Infinity : seconds * 1000;
  }
}

export class UdpOptions extends EndpointOptions<UdpSocket> {
  static bufferSize(defaults: BufferDefaults): number {
    return bufferSize(udpSettings(defaults));
  }

  constructor(defaults: BufferDefaults, live: () => UdpSocket | null, bound: () => boolean) {
    super(udpSettings(defaults), live, bound);
  }

  get reuseAddress(): boolean {
    return isYes(this.value(T_INET_IP, T_IP_REUSEADDR));
  }

  /** XTI_RCVBUF: the most bytes of datagrams indicated and not yet read. */
  get receiveBuffer(): number {
    return readUscalar(this.value(XTI_GENERIC, XTI_RCVBUF));
  }
}
