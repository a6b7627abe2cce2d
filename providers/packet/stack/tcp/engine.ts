/**
 * The TCP engine of one stack: the TransportProtocol for IP protocol 6. It decodes segments,
 * finds their connection (or listener), answers segments for closed ports with RST, allocates
 * ephemeral ports, generates ISNs and rate-limits challenge ACKs. Every timer runs on the host's
 * Clock; several engines (one per Stack) coexist without shared state.
 */
import { TCP_HEADER_LEN, decodeTcp, encodeTcp } from "../../wire/tcp.js";
import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN, type TcpSegment } from "../../wire/tcp-segment.js";
import { IPPROTO_TCP, type AddressPort, type IcmpErrorKind, type Ipv4Address, type TransportHost, type TransportProtocol } from "../transport-host.js";
import { resolveTcpConfig, type TcpConfig } from "./config.js";
import { TcpConnection, type ConnectionContext } from "./connection.js";
import { IsnGenerator } from "./isn.js";
import { TcpListener, type ListenerHost } from "./listener.js";
import { seqAdd } from "./seq.js";
import { TcpError, TcpState, type ConnectionHandlers, type EngineStats, type ListenerHandlers, type TcpDisconnectReason } from "./types.js";

const EMPTY = new Uint8Array(0);

export interface ListenOptions {
  port: number;
  /** Local address to listen on; 0 or absent = every local address. */
  address?: Ipv4Address;
  /** Completed connections that may wait for accept() (default 128, at least 1). */
  backlog?: number;
}

export interface ConnectOptions {
  remote: AddressPort;
  /** Local port; absent = an ephemeral port. */
  localPort?: number;
  /** Local address; absent = the one routing chooses for the remote. */
  localAddress?: Ipv4Address;
  noDelay?: boolean;
  sendBufferSize?: number;
  receiveBufferSize?: number;
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

export class TcpEngine implements TransportProtocol, ListenerHost {
  readonly config: TcpConfig;
  private readonly host: TransportHost;
  private readonly isn: IsnGenerator;
  private readonly connections = new Map<string, TcpConnection>();
  /** port → listeners on it (one per local address, 0 = any). */
  private readonly listeners = new Map<number, TcpListener[]>();
  private readonly context: ConnectionContext;
  private challengeWindowStart = -Infinity;
  private challengeBudget = 0;
  private closed = false;
  private readonly counters = {
    segmentsReceived: 0,
    segmentsSent: 0,
    malformed: 0,
    resetsSent: 0,
    challengeAcksSuppressed: 0,
    listenOverflows: 0,
  };

  constructor(host: TransportHost, config: Partial<TcpConfig> = {}) {
    this.host = host;
    this.config = resolveTcpConfig(config);
    this.isn = new IsnGenerator(host.clock, host.random);
    this.context = {
      clock: host.clock,
      config: this.config,
      transmit: (conn, seg) => this.send(conn.local.address, conn.remote.address, seg),
      allowChallengeAck: () => this.allowChallengeAck(),
      release: (conn) => this.release(conn),
    };
  }

  stats(): EngineStats {
    return { ...this.counters, activeConnections: this.connections.size };
  }

  /** Connections the engine holds (any state but CLOSED, TIME_WAIT included). */
  get connectionCount(): number {
    return this.connections.size;
  }

  listen(options: ListenOptions, handlers: ListenerHandlers = {}): TcpListener {
    this.assertOpen();
    const address = options.address ?? 0;
    if (!validPort(options.port)) throw new TcpError("EINVAL", `bad port ${options.port}`);
    if (address !== 0 && !this.host.isLocal(address)) throw new TcpError("EADDRNOTAVAIL", "not a local address");
    const onPort = this.listeners.get(options.port) ?? [];
    if (onPort.some((l) => l.address === 0 || address === 0 || l.address === address)) {
      throw new TcpError("EADDRINUSE", `port ${options.port} is already listening`);
    }
    const listener = new TcpListener(this, address, options.port, Math.max(1, options.backlog ?? 128), handlers);
    onPort.push(listener);
    this.listeners.set(options.port, onPort);
    return listener;
  }

  /** Active open. The SYN leaves at once; `connected` or `disconnect` follows. */
  connect(options: ConnectOptions, handlers: ConnectionHandlers = {}): TcpConnection {
    this.assertOpen();
    const remote = options.remote;
    if (!validPort(remote.port) || remote.address === 0) throw new TcpError("EINVAL", "bad remote endpoint");
    const localAddress = options.localAddress ?? this.host.sourceFor(remote.address);
    if (localAddress === null) throw new TcpError("ENETUNREACH", "no route to the remote address");
    if (!this.host.isLocal(localAddress)) throw new TcpError("EADDRNOTAVAIL", "not a local address");
    let localPort: number;
    if (options.localPort !== undefined) {
      if (!validPort(options.localPort)) throw new TcpError("EINVAL", `bad port ${options.localPort}`);
      if (this.connections.has(tupleKey(localAddress, options.localPort, remote.address, remote.port))) {
        throw new TcpError("EADDRINUSE", "that 4-tuple is in use (possibly in TIME_WAIT)");
      }
      localPort = options.localPort;
    } else {
      localPort = this.ephemeralPort(localAddress, remote);
    }
    const numbers = this.isn.generate(localAddress, localPort, remote.address, remote.port);
    const conn = new TcpConnection(this.context, {
      local: { address: localAddress, port: localPort },
      remote: { address: remote.address, port: remote.port },
      iss: numbers.iss,
      timestampOffset: numbers.timestampOffset,
      ourMss: this.mssFor(remote.address),
      sendBufferSize: options.sendBufferSize ?? this.config.sendBufferSize,
      receiveBufferSize: options.receiveBufferSize ?? this.config.receiveBufferSize,
      handlers,
      owner: null,
    });
    if (options.noDelay === true) conn.setNoDelay(true);
    this.connections.set(tupleKey(localAddress, localPort, remote.address, remote.port), conn);
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
  }

  // ---------------------------------------------------------------- TransportProtocol

  input(src: Ipv4Address, dst: Ipv4Address, payload: Uint8Array, checksumTrusted = false): void {
    if (this.closed) return;
    const seg = decodeTcp(payload, src, dst, !checksumTrusted);
    if (seg === null || seg.srcPort === 0 || seg.dstPort === 0) {
      this.counters.malformed++;
      return;
    }
    this.counters.segmentsReceived++;
    const conn = this.connections.get(tupleKey(dst, seg.dstPort, src, seg.srcPort));
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
    const onPort = this.listeners.get(listener.port);
    if (onPort === undefined) return;
    const rest = onPort.filter((l) => l !== listener);
    if (rest.length > 0) this.listeners.set(listener.port, rest);
    else this.listeners.delete(listener.port);
  }

  // ---------------------------------------------------------------- internals

  /** RFC 9293 §3.10.7.2: a segment for a LISTEN endpoint. */
  private listenInput(listener: TcpListener, src: Ipv4Address, dst: Ipv4Address, seg: TcpSegment): void {
    if ((seg.flags & TCP_RST) !== 0) return;
    if ((seg.flags & TCP_ACK) !== 0) {
      this.sendReset(dst, src, seg.dstPort, seg.srcPort, seg.ack, 0, TCP_RST);
      return;
    }
    if ((seg.flags & TCP_SYN) === 0) return;
    if (!listener.admitsSyn(this.config.synBacklog)) {
      this.counters.listenOverflows++;
      return;
    }
    const numbers = this.isn.generate(dst, seg.dstPort, src, seg.srcPort);
    const conn = new TcpConnection(this.context, {
      local: { address: dst, port: seg.dstPort },
      remote: { address: src, port: seg.srcPort },
      iss: numbers.iss,
      timestampOffset: numbers.timestampOffset,
      ourMss: this.mssFor(src),
      sendBufferSize: this.config.sendBufferSize,
      receiveBufferSize: this.config.receiveBufferSize,
      handlers: null,
      owner: listener,
    });
    this.connections.set(tupleKey(dst, seg.dstPort, src, seg.srcPort), conn);
    listener.adopt(conn);
    conn.openPassive(seg);
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

  private send(src: Ipv4Address, dst: Ipv4Address, seg: TcpSegment): void {
    this.counters.segmentsSent++;
    this.host.output(IPPROTO_TCP, src, dst, encodeTcp(seg, src, dst));
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

  private release(conn: TcpConnection): void {
    const key = tupleKey(conn.local.address, conn.local.port, conn.remote.address, conn.remote.port);
    if (this.connections.get(key) === conn) this.connections.delete(key);
  }

  /** The MSS we advertise towards `remote`: the largest TCP payload of an unfragmented packet. */
  private mssFor(remote: Ipv4Address): number {
    return Math.max(64, this.host.maxPayload(remote) - TCP_HEADER_LEN);
  }

  /** RFC 6056-style: start at a random point of the range and take the first free 4-tuple. */
  private ephemeralPort(localAddress: Ipv4Address, remote: AddressPort): number {
    const min = this.config.ephemeralPortMin;
    const span = this.config.ephemeralPortMax - min + 1;
    const start = this.host.random.nextU32() % span;
    for (let i = 0; i < span; i++) {
      const port = min + ((start + i) % span);
      if (this.listeners.has(port)) continue;
      if (!this.connections.has(tupleKey(localAddress, port, remote.address, remote.port))) return port;
    }
    throw new TcpError("EADDRINUSE", "no ephemeral port left for that destination");
  }

  private assertOpen(): void {
    if (this.closed) throw new TcpError("EINVAL", "the TCP engine is closed");
  }
}
