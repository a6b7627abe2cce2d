/**
 * The TCP engine of one stack: the TransportProtocol for IP protocol 6. It decodes segments,
 * finds their connection (or listener), answers segments for closed ports with RST, keeps the TCP
 * port table (bindings, listeners and connections each hold their local port there), generates
 * ISNs and rate-limits challenge ACKs. Every timer runs on the host's Clock; several engines (one
 * per Stack) coexist without shared state.
 */
import { TCP_CHECKSUM_OFFSET, TCP_HEADER_LEN, emptyTcpSegment, parseTcp, tcpLength, writeTcp } from "../../wire/tcp.js";
import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN, type TcpSegment } from "../../wire/tcp-segment.js";
import { PortTable, type PortReservation } from "../port-table.js";
import { IPPROTO_TCP, outputPacket, type AddressPort, type IcmpErrorKind, type IpSendOptions, type Ipv4Address, type TransportHost, type TransportOffload, type TransportProtocol } from "../transport-host.js";
import { TcpBinding, type BindingConnectOptions, type BindingHost, type BindingListenOptions } from "./binding.js";
import { resolveTcpConfig, type TcpConfig } from "./config.js";
import { TcpConnection, type ConnectionContext } from "./connection.js";
import { InputClock } from "./input-clock.js";
import { applyConnectionOptions, checkConnectionOptions, connectionOptionsOf } from "./connection-options.js";
import { IsnGenerator } from "./isn.js";
import { DEFAULT_PEER_MSS, windowShiftFor } from "./options.js";
import { COOKIE_PERIOD_MS, SynCookies, cookiePeerOptions, cookieSynAckOptions } from "./syn-cookies.js";
import { TcpListener, type ListenerHost } from "./listener.js";
import { seqAdd } from "./seq.js";
import { TcpError, TcpState, type ConnectionHandlers, type EngineStats, type ListenerHandlers, type TcpDisconnectReason } from "./types.js";

const EMPTY = new Uint8Array(0);
/** A listener checks ACKs for cookies while its last cookie may still come back (three periods). */
const COOKIE_LIFETIME_MS = 3 * COOKIE_PERIOD_MS;

export interface BindOptions {
  /** Local address; 0 or absent = every local address. */
  address?: Ipv4Address;
  /** Local port; 0 or absent = an ephemeral port. */
  port?: number;
  /** SO_REUSEADDR / T_IP_REUSEADDR: share the port with connections still on it (see port-table.ts). */
  reuseAddress?: boolean;
}

export interface ListenOptions extends BindOptions, BindingListenOptions {}

export interface ConnectOptions extends BindingConnectOptions {
  /** Local port; absent = an ephemeral port. */
  localPort?: number;
  /** Local address; absent = the one routing chooses for the remote. */
  localAddress?: Ipv4Address;
}

function tupleKey(localAddress: number, localPort: number, remoteAddress: number, remotePort: number): string {
  return `${localAddress}:${localPort}:${remoteAddress}:${remotePort}`;
}

function disconnectReasonFor(kind: IcmpErrorKind): TcpDisconnectReason | null {
  switch (kind) {
    case "net-unreachable":
      return "ENETUNREACH";
    case "host-unreachable":
      return "EHOSTUNREACH";
    case "port-unreachable":
    case "protocol-unreachable":
      return "ECONNREFUSED";
    default:
      return null;
  }
}

function validPort(port: number): boolean {
  return Number.isInteger(port) && port > 0 && port <= 65535;
}


export class TcpEngine implements TransportProtocol, ListenerHost, BindingHost {
  readonly config: TcpConfig;
  private readonly host: TransportHost;
  private readonly isn: IsnGenerator;
  private readonly cookies: SynCookies;
  private readonly connections = new Map<string, TcpConnection>();
  /** port → listeners on it (one per local address, 0 = any). */
  private readonly listeners = new Map<number, TcpListener[]>();
  private readonly ports: PortTable;
  /** The port reservation each listener and each connection holds. */
  private readonly listenerPorts = new Map<TcpListener, PortReservation>();
  private readonly connectionPorts = new Map<TcpConnection, PortReservation>();
  private readonly context: ConnectionContext;
  /** The connections' clock: one instant per received segment (input-clock.ts). */
  private readonly clock: InputClock;
  /** Where every segment's checksum is, for outputWith (reused: read during the call only). */
  private readonly offload: TransportOffload = { checksumOffset: TCP_CHECKSUM_OFFSET, headerLength: 0, segmentSize: 0 };
  /** The record every received segment is parsed into (see input). */
  private readonly segment = emptyTcpSegment();
  private parsing = false;
  /** Connections with something outstanding, and those not yet in TIME_WAIT or CLOSED. */
  private readonly busy = new Set<TcpConnection>();
  private readonly open = new Set<TcpConnection>();
  /**
   * Called (synchronously, from inside segment processing or a timer) after `busyConnections` or
   * `openConnections` may have changed. Whoever reacts by closing the engine must do so later.
   */
  onActivity: (() => void) | null = null;
  private challengeWindowStart = -Infinity;
  private challengeBudget = 0;
  private closed = false;
  private readonly counters = {
    segmentsReceived: 0,
    segmentsSent: 0,
    malformed: 0,
    zeroPort: 0,
    resetsSent: 0,
    challengeAcksSuppressed: 0,
    listenOverflows: 0,
    synCookiesSent: 0,
    synCookiesValidated: 0,
    synCookiesRejected: 0,
    orphansAborted: 0,
    timeWaitOverflows: 0,
  };
  /** Connections closed by the user and not yet in TIME_WAIT or CLOSED (TcpConfig.maxOrphans). */
  private readonly orphans = new Set<TcpConnection>();
  /** Connections in TIME_WAIT (TcpConfig.maxTimeWait). */
  private readonly timeWaits = new Set<TcpConnection>();
  /** Connections whose ACK waits for the end of the receive burst. */
  private ackWaiters: TcpConnection[] = [];
  /** The connection the last segment went to (cleared when it is released). */
  private lastFound: TcpConnection | null = null;

  constructor(host: TransportHost, config: Partial<TcpConfig> = {}) {
    this.host = host;
    this.config = resolveTcpConfig(config);
    this.clock = new InputClock(host.clock);
    this.isn = new IsnGenerator(host.clock, host.random);
    this.cookies = new SynCookies(host.clock, host.random);
    this.ports = new PortTable(host.random, { min: this.config.ephemeralPortMin, max: this.config.ephemeralPortMax });
    this.context = {
      clock: this.clock,
      random: host.random,
      config: this.config,
      transmit: (conn, seg, segmentSize) => this.send(conn.local.address, conn.remote.address, seg, conn.ipOptions, segmentSize),
      maxSuperSegment: (conn) => this.host.offloads?.(conn.remote.address).maxSuperPacket ?? 0,
      allowChallengeAck: () => this.allowChallengeAck(),
      release: (conn) => this.release(conn),
      adoptOrphan: (conn) => this.adoptOrphan(conn),
      admitTimeWait: (conn) => this.admitTimeWait(conn),
      activity: (conn) => this.connectionActivity(conn),
      deferAck: (conn) => this.deferAck(conn),
    };
  }

  stats(): EngineStats {
    return { ...this.counters, orphans: this.orphans.size, timeWait: this.timeWaits.size, activeConnections: this.connections.size };
  }

  /** Connections the engine holds (any state but CLOSED, TIME_WAIT included). */
  get connectionCount(): number {
    return this.connections.size;
  }

  /**
   * Connections with a SYN, data or a FIN not yet sent or acknowledged (TcpConnection.outstanding):
   * while there are any, a process that ends loses something it sent.
   */
  get busyConnections(): number {
    return this.busy.size;
  }

  /** Connections neither in TIME_WAIT nor CLOSED: closing the engine now would reset them. */
  get openConnections(): number {
    return this.open.size;
  }

  /** Port reservations in force (bindings, listeners and connections hold them). */
  get reservedPorts(): number {
    return this.ports.size;
  }

  /**
   * Reserve a local address and port without listening or connecting (XTI's t_bind): a port taken
   * at an overlapping address fails here, with EADDRINUSE, not later. Port 0 or absent = ephemeral.
   */
  bind(options: BindOptions = {}): TcpBinding {
    this.assertOpen();
    const address = options.address ?? 0;
    if (address !== 0 && !this.host.isLocal(address)) throw new TcpError("EADDRNOTAVAIL", "not a local address");
    const reservation = this.ports.reserve({ address, port: options.port ?? 0, ...(options.reuseAddress === undefined ? {} : { reuseAddress: options.reuseAddress }) });
    if (reservation === "EINVAL") throw new TcpError("EINVAL", `bad port ${String(options.port)}`);
    if (reservation === "EADDRINUSE") {
      throw new TcpError("EADDRINUSE", options.port === undefined || options.port === 0 ? "no ephemeral port left" : `port ${options.port} is in use`);
    }
    return new TcpBinding(this, reservation);
  }

  /** Bind and listen in one step (the binding is the listener's alone). */
  listen(options: ListenOptions, handlers: ListenerHandlers = {}): TcpListener {
    const binding = this.bind(options);
    try {
      return binding.listen(options, handlers);
    } finally {
      binding.close();
    }
  }

  /** Active open from a port of its own. The SYN leaves at once; `connected` or `disconnect` follows. */
  connect(options: ConnectOptions, handlers: ConnectionHandlers = {}): TcpConnection {
    this.assertOpen();
    this.checkRemote(options.remote);
    if (options.localPort !== undefined && !validPort(options.localPort)) throw new TcpError("EINVAL", `bad port ${options.localPort}`);
    const localAddress = options.localAddress ?? this.host.sourceFor(options.remote.address);
    if (localAddress === null) throw new TcpError("ENETUNREACH", "no route to the remote address");
    const binding = this.bind({ address: localAddress, port: options.localPort ?? 0 });
    try {
      return binding.connect(options, handlers);
    } finally {
      binding.close();
    }
  }

  // ---------------------------------------------------------------- BindingHost

  listenOn(reservation: PortReservation, options: BindingListenOptions, handlers: ListenerHandlers): TcpListener {
    this.assertOpen();
    checkConnectionOptions(options);
    if (reservation.listening) throw new TcpError("EINVAL", "already listening");
    if (!reservation.listen()) throw new TcpError("EADDRINUSE", `port ${reservation.port} is already listening`);
    const listener = new TcpListener(this, reservation.address, reservation.port, Math.max(1, options.backlog ?? 128), handlers, connectionOptionsOf(options));
    this.listenerPorts.set(listener, reservation.retain());
    const onPort = this.listeners.get(reservation.port);
    if (onPort === undefined) this.listeners.set(reservation.port, [listener]);
    else onPort.push(listener);
    return listener;
  }

  connectFrom(reservation: PortReservation, options: BindingConnectOptions, handlers: ConnectionHandlers): TcpConnection {
    this.assertOpen();
    const remote = options.remote;
    this.checkRemote(remote);
    checkConnectionOptions(options);
    if (reservation.listening) throw new TcpError("EINVAL", "a listening port cannot connect");
    const localAddress = reservation.address !== 0 ? reservation.address : this.host.sourceFor(remote.address);
    if (localAddress === null) throw new TcpError("ENETUNREACH", "no route to the remote address");
    const localPort = reservation.port;
    const key = tupleKey(localAddress, localPort, remote.address, remote.port);
    if (this.connections.has(key)) throw new TcpError("EADDRINUSE", "that 4-tuple is in use (possibly in TIME_WAIT)");
    const numbers = this.isn.generate(localAddress, localPort, remote.address, remote.port);
    const conn = new TcpConnection(this.context, {
      local: { address: localAddress, port: localPort },
      remote: { address: remote.address, port: remote.port },
      iss: numbers.iss,
      timestampOffset: numbers.timestampOffset,
      ourMss: this.mssFor(remote.address),
      sendBufferSize: options.sendBufferSize ?? this.config.sendBufferSize,
      sendBufferGrowsTo: options.sendBufferSize === undefined ? this.config.sendBufferMax : 0,
      receiveBufferSize: options.receiveBufferSize ?? this.config.receiveBufferSize,
      handlers,
      owner: null,
    });
    applyConnectionOptions(conn, options);
    this.connections.set(key, conn);
    this.lastFound = null;
    this.connectionPorts.set(conn, reservation.retain());
    conn.openActive();
    return conn;
  }

  /** Abort every connection (peers get a RST), stop listening, cancel every timer. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const list of [...this.listeners.values()]) for (const l of list) l.close();
    for (const conn of [...this.connections.values()]) conn.shutdownEngine();
    this.connections.clear();
    this.ackWaiters = [];
    this.lastFound = null;
  }

  // ---------------------------------------------------------------- TransportProtocol

  input(src: Ipv4Address, dst: Ipv4Address, payload: Uint8Array, checksumTrusted = false): void {
    if (this.closed) return;
    // One record serves every segment; a nested input (a callback feeding the engine) gets its own.
    const nested = this.parsing;
    this.parsing = true;
    this.clock.beginInput();
    try {
      this.inputSegment(src, dst, payload, checksumTrusted, nested ? emptyTcpSegment() : this.segment);
    } finally {
      this.clock.endInput();
      this.parsing = nested;
    }
  }

  private inputSegment(src: Ipv4Address, dst: Ipv4Address, payload: Uint8Array, checksumTrusted: boolean, seg: TcpSegment): void {
    // The parser counts why it rejected a segment in the host's wire counters (tcpBadChecksum...).
    if (!parseTcp(payload, src, dst, seg, !checksumTrusted, this.host.wireCounters)) {
      this.counters.malformed++;
      return;
    }
    if (seg.srcPort === 0 || seg.dstPort === 0) {
      this.counters.malformed++;
      this.counters.zeroPort++;
      return;
    }
    this.counters.segmentsReceived++;
    const conn = this.lookup(dst, seg.dstPort, src, seg.srcPort);
    if (conn !== undefined) {
      const reopening = conn.state === TcpState.TIME_WAIT && (seg.flags & (TCP_SYN | TCP_ACK | TCP_RST)) === TCP_SYN && conn.acceptsReuse(seg);
      if (!reopening || this.findListener(dst, seg.dstPort) === null) {
        conn.input(seg);
        return;
      }
      conn.abort(); // leaves TIME_WAIT without a RST; the SYN goes to the listener below
    }
    const listener = this.findListener(dst, seg.dstPort);
    if (listener !== null) this.listenInput(listener, src, dst, seg);
    else this.refuse(src, dst, seg);
  }

  /** The link's receive burst is over: send the ACKs that waited for it. */
  burstEnd(): void {
    const waiting = this.ackWaiters;
    if (waiting.length === 0) return;
    this.ackWaiters = [];
    for (let i = 0; i < waiting.length; i++) {
      try {
        waiting[i]!.flushDeferredAck();
      } catch (err) {
        // A user callback threw: the connections after it still owe their ACK, at the next burst's end.
        this.ackWaiters.push(...waiting.slice(i + 1));
        throw err;
      }
    }
  }

  /**
   * An ICMP error about one of our segments. "Fragmentation needed" is ignored: our segments go
   * out without DF, so a router fragments them rather than report, and a forged report must not
   * shrink the MSS (Linux ignores it too for sockets without path MTU discovery).
   */
  icmpError(kind: IcmpErrorKind, src: Ipv4Address, dst: Ipv4Address, quoted: Uint8Array, _nextHopMtu?: number): void {
    if (this.closed || quoted.length < 8) return;
    const reason = disconnectReasonFor(kind);
    if (reason === null) return;
    const view = new DataView(quoted.buffer, quoted.byteOffset, quoted.byteLength);
    const conn = this.connections.get(tupleKey(src, view.getUint16(0), dst, view.getUint16(2)));
    conn?.icmpError(reason, view.getUint32(4));
  }

  // ---------------------------------------------------------------- ListenerHost

  removeListener(listener: TcpListener): void {
    const reservation = this.listenerPorts.get(listener);
    if (reservation !== undefined) {
      this.listenerPorts.delete(listener);
      reservation.stopListening();
      reservation.release();
    }
    const onPort = this.listeners.get(listener.port);
    if (onPort === undefined) return;
    const rest = onPort.filter((l) => l !== listener);
    if (rest.length > 0) this.listeners.set(listener.port, rest);
    else this.listeners.delete(listener.port);
  }

  // ---------------------------------------------------------------- internals

  /**
   * RFC 9293 §3.10.7.2: a segment for a LISTEN endpoint. A SYN meeting a full SYN queue gets a
   * SYN cookie instead of a half-open connection (RFC 4987 §3.6); an ACK while cookies are in use
   * may bring one back.
   */
  private listenInput(listener: TcpListener, src: Ipv4Address, dst: Ipv4Address, seg: TcpSegment): void {
    if ((seg.flags & TCP_RST) !== 0) return;
    if ((seg.flags & TCP_ACK) !== 0) {
      if ((seg.flags & TCP_SYN) === 0 && this.acceptCookie(listener, src, dst, seg)) return;
      this.sendReset(dst, src, seg.dstPort, seg.srcPort, seg.ack, 0, TCP_RST);
      return;
    }
    if ((seg.flags & TCP_SYN) === 0 || !listener.isOpen) return;
    if (!listener.canComplete()) {
      this.counters.listenOverflows++; // the accept queue is full: a cookie would not help either
      return;
    }
    if (listener.halfOpenCount >= this.config.synBacklog) {
      if (this.config.synCookies) this.sendCookie(listener, src, dst, seg);
      else this.counters.listenOverflows++;
      return;
    }
    const conn = this.passiveConnection(listener, src, dst, seg);
    listener.adopt(conn);
    conn.openPassive(seg);
  }

  /**
   * A connection of `listener` for the peer of `seg`, registered with the engine and holding the
   * port; its ISS is `iss` (a cookie) or a fresh RFC 6528 one.
   */
  private passiveConnection(listener: TcpListener, src: Ipv4Address, dst: Ipv4Address, seg: TcpSegment, iss?: number): TcpConnection {
    const options = listener.connectionOptions;
    const numbers = this.isn.generate(dst, seg.dstPort, src, seg.srcPort);
    const conn = new TcpConnection(this.context, {
      local: { address: dst, port: seg.dstPort },
      remote: { address: src, port: seg.srcPort },
      iss: iss ?? numbers.iss,
      timestampOffset: numbers.timestampOffset,
      ourMss: this.mssFor(src),
      sendBufferSize: options.sendBufferSize ?? this.config.sendBufferSize,
      sendBufferGrowsTo: options.sendBufferSize === undefined ? this.config.sendBufferMax : 0,
      receiveBufferSize: this.receiveBufferOf(listener),
      handlers: null,
      owner: listener,
    });
    applyConnectionOptions(conn, options);
    this.connections.set(tupleKey(dst, seg.dstPort, src, seg.srcPort), conn);
    this.lastFound = null;
    // The connection occupies the listener's port for as long as it lives (TIME_WAIT included).
    const reservation = this.listenerPorts.get(listener);
    if (reservation !== undefined) this.connectionPorts.set(conn, reservation.retain());
    return conn;
  }

  private receiveBufferOf(listener: TcpListener): number {
    return listener.connectionOptions.receiveBufferSize ?? this.config.receiveBufferSize;
  }

  /** Answer a SYN with a SYN-ACK whose sequence number is a cookie; nothing is remembered. */
  private sendCookie(listener: TcpListener, src: Ipv4Address, dst: Ipv4Address, syn: TcpSegment): void {
    const tuple = { localAddress: dst, localPort: syn.dstPort, remoteAddress: src, remotePort: syn.srcPort };
    const iss = this.cookies.make(tuple, syn.seq, syn.options.mss ?? DEFAULT_PEER_MSS);
    const c = this.config;
    const offer = { windowScaling: c.windowScaling, sack: c.sack, timestamps: c.timestamps, windowShift: windowShiftFor(this.receiveBufferOf(listener)), mss: this.mssFor(src) };
    // The connection made later uses the same per-connection timestamp offset (it hashes the same
    // 4-tuple); only worth a hash when the SYN asked for timestamps.
    const tsNow = offer.timestamps && syn.options.timestamp !== undefined ? (Math.floor(this.host.clock.now()) + this.isn.generate(dst, syn.dstPort, src, syn.srcPort).timestampOffset) >>> 0 : 0;
    listener.cookieSentAt = this.host.clock.now();
    this.counters.synCookiesSent++;
    this.send(dst, src, {
      srcPort: syn.dstPort,
      dstPort: syn.srcPort,
      seq: iss,
      ack: seqAdd(syn.seq, 1),
      flags: TCP_SYN | TCP_ACK,
      window: Math.min(0xffff, this.receiveBufferOf(listener)),
      urgentPointer: 0,
      options: cookieSynAckOptions(offer, syn.options, tsNow),
      payload: EMPTY,
    });
  }

  /**
   * An ACK for a listener with no connection: if cookies went out recently and this one returns a
   * valid cookie, the handshake is complete. False means "not a cookie" (the caller resets).
   */
  private acceptCookie(listener: TcpListener, src: Ipv4Address, dst: Ipv4Address, ack: TcpSegment): boolean {
    if (!this.config.synCookies || this.host.clock.now() - listener.cookieSentAt > COOKIE_LIFETIME_MS) return false;
    const tuple = { localAddress: dst, localPort: ack.dstPort, remoteAddress: src, remotePort: ack.srcPort };
    const mss = this.cookies.check(tuple, seqAdd(ack.seq, -1), seqAdd(ack.ack, -1));
    if (mss === null) {
      this.counters.synCookiesRejected++;
      return false;
    }
    if (!listener.isOpen || !listener.canComplete()) {
      this.counters.listenOverflows++; // dropped: the client's next segment brings the cookie again
      return true;
    }
    this.counters.synCookiesValidated++;
    const conn = this.passiveConnection(listener, src, dst, ack, seqAdd(ack.ack, -1));
    conn.openFromCookie(ack, cookiePeerOptions(ack, mss));
    if (!conn.isClosed && (ack.payload.length > 0 || (ack.flags & TCP_FIN) !== 0)) conn.input(ack);
    return true;
  }

  /** RFC 9293 §3.10.7.1: no connection, no listener: answer anything but a RST with a RST. */
  private refuse(src: Ipv4Address, dst: Ipv4Address, seg: TcpSegment): void {
    if ((seg.flags & TCP_RST) !== 0) return;
    if ((seg.flags & TCP_ACK) !== 0) {
      this.sendReset(dst, src, seg.dstPort, seg.srcPort, seg.ack, 0, TCP_RST);
    } else {
      const len = seg.payload.length + ((seg.flags & TCP_SYN) !== 0 ? 1 : 0) + ((seg.flags & TCP_FIN) !== 0 ? 1 : 0);
      this.sendReset(dst, src, seg.dstPort, seg.srcPort, 0, seqAdd(seg.seq, len), TCP_RST | TCP_ACK);
    }
  }

  private sendReset(src: Ipv4Address, dst: Ipv4Address, srcPort: number, dstPort: number, seq: number, ack: number, flags: number): void {
    this.counters.resetsSent++;
    this.send(src, dst, { srcPort, dstPort, seq, ack, flags, window: 0, urgentPointer: 0, options: {}, payload: EMPTY });
  }

  private send(src: Ipv4Address, dst: Ipv4Address, seg: TcpSegment, ip?: IpSendOptions, segmentSize = 0): void {
    // A super-segment counts as the segments the link cuts it into.
    this.counters.segmentsSent += segmentSize > 0 ? Math.ceil(seg.payload.length / segmentSize) : 1;
    const length = tcpLength(seg);
    const offload = this.offload;
    offload.headerLength = length - seg.payload.length;
    offload.segmentSize = segmentSize;
    outputPacket(this.host, IPPROTO_TCP, src, dst, length, (buf, off, partial) => void writeTcp(seg, buf, off, src, dst, partial), ip, offload);
  }

  private findListener(address: Ipv4Address, port: number): TcpListener | null {
    const onPort = this.listeners.get(port);
    if (onPort === undefined) return null;
    return onPort.find((l) => l.address === address) ?? onPort.find((l) => l.address === 0) ?? null;
  }

  /**
   * RFC 5961 §7: the engine's challenge-ACK budget for the current second, drawn anew each second
   * between half and one and a half times `challengeAckLimit` (see the config).
   */
  private allowChallengeAck(): boolean {
    const now = this.host.clock.now();
    if (now - this.challengeWindowStart >= 1000) {
      const limit = this.config.challengeAckLimit;
      this.challengeWindowStart = now;
      this.challengeBudget = Math.ceil(limit / 2) + (limit > 0 ? this.host.random.nextU32() % limit : 0);
    }
    if (this.challengeBudget <= 0) {
      this.counters.challengeAcksSuppressed++;
      return false;
    }
    this.challengeBudget--;
    return true;
  }

  private connectionActivity(conn: TcpConnection): void {
    if (conn.outstanding) this.busy.add(conn);
    else this.busy.delete(conn);
    if (conn.state !== TcpState.CLOSED && conn.state !== TcpState.TIME_WAIT) this.open.add(conn);
    else this.open.delete(conn);
    this.onActivity?.();
  }

  /** The user closed `conn`, which has yet to finish: it becomes an orphan, or false past maxOrphans. */
  private adoptOrphan(conn: TcpConnection): boolean {
    if (this.orphans.size >= this.config.maxOrphans) {
      this.counters.orphansAborted++;
      return false;
    }
    this.orphans.add(conn);
    return true;
  }

  /** `conn` is about to enter TIME_WAIT: false past maxTimeWait. It is no orphan from then on. */
  private admitTimeWait(conn: TcpConnection): boolean {
    this.orphans.delete(conn);
    if (this.timeWaits.size >= this.config.maxTimeWait) {
      this.counters.timeWaitOverflows++;
      return false;
    }
    this.timeWaits.add(conn);
    return true;
  }

  private deferAck(conn: TcpConnection): boolean {
    if (this.host.inReceiveBurst !== true) return false;
    this.ackWaiters.push(conn);
    return true;
  }

  /** The connection of the 4-tuple, the last one found first (a burst is mostly one connection's). */
  private lookup(localAddress: number, localPort: number, remoteAddress: number, remotePort: number): TcpConnection | undefined {
    const last = this.lastFound;
    if (last !== null && last.local.port === localPort && last.remote.port === remotePort && last.local.address === localAddress && last.remote.address === remoteAddress) return last;
    const conn = this.connections.get(tupleKey(localAddress, localPort, remoteAddress, remotePort));
    if (conn !== undefined) this.lastFound = conn;
    return conn;
  }

  private release(conn: TcpConnection): void {
    if (this.lastFound === conn) this.lastFound = null;
    this.orphans.delete(conn);
    this.timeWaits.delete(conn);
    const key = tupleKey(conn.local.address, conn.local.port, conn.remote.address, conn.remote.port);
    if (this.connections.get(key) === conn) this.connections.delete(key);
    const reservation = this.connectionPorts.get(conn);
    if (reservation !== undefined) {
      this.connectionPorts.delete(conn);
      reservation.release();
    }
  }

  /** The MSS we advertise towards `remote`: the largest TCP payload of an unfragmented packet. */
  private mssFor(remote: Ipv4Address): number {
    return Math.max(64, this.host.maxPayload(remote) - TCP_HEADER_LEN);
  }

  private checkRemote(remote: AddressPort): void {
    if (!validPort(remote.port) || remote.address === 0) throw new TcpError("EINVAL", "bad remote address or port");
  }

  private assertOpen(): void {
    if (this.closed) throw new TcpError("EINVAL", "the TCP engine is closed");
  }
}
