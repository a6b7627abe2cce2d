/**
 * UDP sockets (RFC 768, RFC 1122 §4.1): bind to a port or an ephemeral one, send with the checksum
 * always filled in, receive with source address and port, and learn about ICMP errors quoting what
 * the socket sent. Datagrams for an unbound port are answered with ICMP port unreachable.
 */
import type { Random } from "../random.js";
import type { WireCounters } from "../wire/counters.js";
import { UDP_HEADER_LEN, UDP_MAX_PAYLOAD, UdpHeader, encodeUdp, parseUdp } from "../wire/udp.js";
import { readU16 } from "../wire/bytes.js";
import type { UdpCounters } from "./counters.js";
import { IPPROTO_UDP, type IcmpErrorKind, type Ipv4Address, type TransportHost, type TransportProtocol } from "./transport-host.js";

/** IANA dynamic port range (RFC 6335), used for ephemeral ports. */
export const EPHEMERAL_PORT_MIN = 49152;
export const EPHEMERAL_PORT_MAX = 65535;

/** An ICMP error about a datagram this socket sent to `address`:`port`. */
export interface UdpError {
  kind: IcmpErrorKind;
  address: Ipv4Address;
  port: number;
}

export interface UdpHandlers {
  /** A datagram for this socket; `data` is a view the handler may keep. */
  message(data: Uint8Array, src: Ipv4Address, srcPort: number): void;
  error?(error: UdpError): void;
}

/** What UDP needs beyond TransportHost: a way to answer the packet being delivered with an error. */
export interface UdpNetwork extends TransportHost {
  sendPortUnreachable(payload: Uint8Array): void;
}

export class UdpSocket {
  private closed = false;

  constructor(
    private readonly udp: Udp,
    readonly port: number,
    /** @internal */ readonly handlers: UdpHandlers,
  ) {}

  /** Send one datagram; false if it was dropped at once (closed socket, too large, no route, ARP queue full). */
  sendTo(dst: Ipv4Address, dstPort: number, data: Uint8Array): boolean {
    if (this.closed) return false;
    return this.udp.send(this.port, dst, dstPort, data);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.udp.unbind(this);
  }
}

export class Udp implements TransportProtocol {
  private readonly sockets = new Map<number, UdpSocket>();
  private readonly header = new UdpHeader();

  constructor(
    private readonly network: UdpNetwork,
    private readonly random: Random,
    private readonly counters: UdpCounters,
    private readonly wire: WireCounters,
  ) {}

  /** Bind `port` (0: an unused ephemeral port). Null if the port is taken, out of range, or no ephemeral port is free. */
  bind(port: number, handlers: UdpHandlers): UdpSocket | null {
    if (port === 0) {
      const chosen = this.freeEphemeralPort();
      if (chosen === null) return null;
      port = chosen;
    } else if (!Number.isInteger(port) || port < 1 || port > 65535 || this.sockets.has(port)) {
      return null;
    }
    const socket = new UdpSocket(this, port, handlers);
    this.sockets.set(port, socket);
    return socket;
  }

  input(src: Ipv4Address, dst: Ipv4Address, payload: Uint8Array, checksumTrusted?: boolean): void {
    const h = this.header;
    if (!parseUdp(payload, 0, payload.length, src, dst, h, this.wire, checksumTrusted !== true)) return;
    this.counters.received++;
    const socket = this.sockets.get(h.dstPort);
    if (socket === undefined) {
      this.counters.noPort++;
      this.network.sendPortUnreachable(payload);
      return;
    }
    this.counters.delivered++;
    socket.handlers.message(payload.subarray(UDP_HEADER_LEN, h.length), src, h.srcPort);
  }

  icmpError(kind: IcmpErrorKind, _src: Ipv4Address, dst: Ipv4Address, quoted: Uint8Array): void {
    const socket = this.sockets.get(readU16(quoted, 0));
    if (socket?.handlers.error === undefined) return;
    this.counters.errorsDelivered++;
    socket.handlers.error({ kind, address: dst, port: readU16(quoted, 2) });
  }

  /** Close every socket (stack shutdown). */
  closeAll(): void {
    for (const socket of [...this.sockets.values()]) socket.close();
  }

  /** @internal */
  send(srcPort: number, dst: Ipv4Address, dstPort: number, data: Uint8Array): boolean {
    const src = this.network.sourceFor(dst);
    if (src === null || data.length > UDP_MAX_PAYLOAD || !Number.isInteger(dstPort) || dstPort < 1 || dstPort > 65535) {
      this.counters.sendFailed++;
      return false;
    }
    if (!this.network.output(IPPROTO_UDP, src, dst, encodeUdp(srcPort, dstPort, data, src, dst))) {
      this.counters.sendFailed++;
      return false;
    }
    this.counters.sent++;
    return true;
  }

  /** @internal */
  unbind(socket: UdpSocket): void {
    if (this.sockets.get(socket.port) === socket) this.sockets.delete(socket.port);
  }

  /** Start at a random point of the range and walk it (RFC 6056 algorithm 1 style). */
  private freeEphemeralPort(): number | null {
    const size = EPHEMERAL_PORT_MAX - EPHEMERAL_PORT_MIN + 1;
    const start = this.random.nextU32() % size;
    for (let i = 0; i < size; i++) {
      const port = EPHEMERAL_PORT_MIN + ((start + i) % size);
      if (!this.sockets.has(port)) return port;
    }
    return null;
  }
}
