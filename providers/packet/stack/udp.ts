/**
 * UDP sockets (RFC 768, RFC 1122 §4.1): bind an address (or every local address) and a port (or
 * an ephemeral one) through UDP's own port table, send, receive with source address and port, and
 * learn about ICMP errors quoting what the socket sent. The checksum is sent unless the socket
 * turns it off, and checked whenever the sender computed one. Datagrams for an unbound port are
 * answered with ICMP port unreachable. A datagram goes to the socket bound to its destination
 * address, else to the one bound to every address; among sockets sharing a port through
 * reuseAddress, to the one bound last.
 */
import type { Random } from "../random.js";
import type { WireCounters } from "../wire/counters.js";
import { UDP_HEADER_LEN, UDP_MAX_PAYLOAD, UdpHeader, parseUdp, writeUdp } from "../wire/udp.js";
import { readU16 } from "../wire/bytes.js";
import type { UdpCounters } from "./counters.js";
import { PortTable, type PortReservation } from "./port-table.js";
import { SocketError } from "./socket-error.js";
import { IPPROTO_UDP, outputPacket, type IcmpErrorKind, type IpSendOptions, type Ipv4Address, type TransportHost, type TransportProtocol } from "./transport-host.js";


/** An ICMP error about a datagram this socket sent to `address`:`port`. */
export interface UdpError {
  kind: IcmpErrorKind;
  address: Ipv4Address;
  port: number;
}

export interface UdpHandlers {
  /**
   * A datagram for this socket; `data` is the handler's to keep. `checksummed`: the sender
   * filled in the checksum (XTI's UDP_CHECKSUM on receive).
   */
  message(data: Uint8Array, src: Ipv4Address, srcPort: number, checksummed: boolean): void;
  error?(error: UdpError): void;
}

/** What UDP needs beyond TransportHost: a way to answer the packet being delivered with an error. */
export interface UdpNetwork extends TransportHost {
  sendPortUnreachable(payload: Uint8Array): void;
}

export interface UdpBindOptions {
  /** Local address; 0 or absent = every local address. */
  address?: Ipv4Address;
  /** Local port; 0 or absent = an ephemeral port. */
  port?: number;
  /** SO_REUSEADDR / T_IP_REUSEADDR: share the port with other sockets that ask for it too. */
  reuseAddress?: boolean;
}

export class UdpSocket {
  /** IP settings of the datagrams this socket sends (TTL, TOS); absent = the stack's defaults. */
  readonly ipOptions: IpSendOptions = {};
  /** Compute the checksum of what this socket sends (XTI's UDP_CHECKSUM; RFC 1122 wants it on by default). */
  checksum = true;
  private closed = false;

  constructor(
    private readonly udp: Udp,
    private readonly reservation: PortReservation,
    /** @internal */ readonly handlers: UdpHandlers,
  ) {}

  /** The bound address: 0 = every local address. */
  get address(): Ipv4Address {
    return this.reservation.address;
  }

  get port(): number {
    return this.reservation.port;
  }

  /** Send one datagram; false if it was dropped at once (closed socket, too large, no route, ARP queue full). */
  sendTo(dst: Ipv4Address, dstPort: number, data: Uint8Array): boolean {
    if (this.closed) return false;
    return this.udp.send(this, dst, dstPort, data);
  }

  /** The user dropped a datagram `message` handed it, for want of receive buffer: counted. */
  receiveBufferFull(): void {
    this.udp.receiveBufferFull();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.udp.unbind(this);
    this.reservation.release();
  }
}

export class Udp implements TransportProtocol {
  /** port → sockets on it, in the order they were bound. */
  private readonly sockets = new Map<number, UdpSocket[]>();
  private readonly ports: PortTable;
  private readonly header = new UdpHeader();

  constructor(
    private readonly network: UdpNetwork,
    random: Random,
    private readonly counters: UdpCounters,
    private readonly wire: WireCounters,
  ) {
    this.ports = new PortTable(random);
  }

  /**
   * Bind a local address and port (XTI's t_bind on /dev/rawudp). Throws SocketError: EADDRINUSE
   * (taken, or no ephemeral port free), EADDRNOTAVAIL (not one of our addresses), EINVAL (bad port).
   */
  open(options: UdpBindOptions, handlers: UdpHandlers): UdpSocket {
    const address = options.address ?? 0;
    if (address !== 0 && !this.network.isLocal(address)) throw new SocketError("EADDRNOTAVAIL", "not a local address");
    const reservation = this.ports.reserve({ address, port: options.port ?? 0, ...(options.reuseAddress === undefined ? {} : { reuseAddress: options.reuseAddress }) });
    if (reservation === "EINVAL") throw new SocketError("EINVAL", `bad port ${String(options.port)}`);
    if (reservation === "EADDRINUSE") throw new SocketError("EADDRINUSE", options.port === undefined || options.port === 0 ? "no ephemeral port left" : `port ${options.port} is in use`);
    const socket = new UdpSocket(this, reservation, handlers);
    const list = this.sockets.get(socket.port);
    if (list === undefined) this.sockets.set(socket.port, [socket]);
    else list.push(socket);
    return socket;
  }

  /** Bind `port` on every local address (0: an unused ephemeral port). Null if open() would throw. */
  bind(port: number, handlers: UdpHandlers): UdpSocket | null {
    try {
      return this.open({ port }, handlers);
    } catch (err) {
      if (err instanceof SocketError) return null;
      throw err;
    }
  }

  input(src: Ipv4Address, dst: Ipv4Address, payload: Uint8Array, checksumTrusted?: boolean): void {
    const h = this.header;
    if (!parseUdp(payload, 0, payload.length, src, dst, h, this.wire, checksumTrusted !== true)) return;
    this.counters.received++;
    const socket = this.lookup(dst, h.dstPort);
    if (socket === undefined) {
      this.counters.noPort++;
      this.network.sendPortUnreachable(payload);
      return;
    }
    this.counters.delivered++;
    // A copy: the payload is lent for this call (TransportProtocol.input), the datagram is the user's.
    socket.handlers.message(payload.slice(UDP_HEADER_LEN, h.length), src, h.srcPort, h.checksummed);
  }

  icmpError(kind: IcmpErrorKind, src: Ipv4Address, dst: Ipv4Address, quoted: Uint8Array): void {
    const socket = this.lookup(src, readU16(quoted, 0));
    if (socket?.handlers.error === undefined) return;
    this.counters.errorsDelivered++;
    socket.handlers.error({ kind, address: dst, port: readU16(quoted, 2) });
  }

  /** Close every socket (stack shutdown). */
  closeAll(): void {
    for (const list of [...this.sockets.values()]) for (const socket of [...list]) socket.close();
  }

  /** @internal */
  send(socket: UdpSocket, dst: Ipv4Address, dstPort: number, data: Uint8Array): boolean {
    const routed = this.network.sourceFor(dst);
    const src = socket.address !== 0 ? socket.address : routed;
    if (routed === null || src === null || data.length > UDP_MAX_PAYLOAD || !Number.isInteger(dstPort) || dstPort < 1 || dstPort > 65535) {
      this.counters.sendFailed++;
      return false;
    }
    const srcPort = socket.port;
    const checksum = socket.checksum;
    const write = (buf: Uint8Array, off: number): void => writeUdp(buf, off, srcPort, dstPort, data, src, dst, checksum);
    if (!outputPacket(this.network, IPPROTO_UDP, src, dst, UDP_HEADER_LEN + data.length, write, socket.ipOptions)) {
      this.counters.sendFailed++;
      return false;
    }
    this.counters.sent++;
    return true;
  }

  /** @internal */
  receiveBufferFull(): void {
    this.counters.receiveBufferErrors++;
  }

  /** @internal */
  unbind(socket: UdpSocket): void {
    const list = this.sockets.get(socket.port);
    if (list === undefined) return;
    const rest = list.filter((s) => s !== socket);
    if (rest.length > 0) this.sockets.set(socket.port, rest);
    else this.sockets.delete(socket.port);
  }

  /** The socket for a datagram to (address, port): bound to that address, else to every address; the last bound first. */
  private lookup(address: Ipv4Address, port: number): UdpSocket | undefined {
    const list = this.sockets.get(port);
    if (list === undefined) return undefined;
    let wildcard: UdpSocket | undefined;
    for (let i = list.length - 1; i >= 0; i--) {
      const socket = list[i]!;
      if (socket.address === address) return socket;
      if (socket.address === 0) wildcard ??= socket;
    }
    return wildcard;
  }
}
