/**
 * The local ports of one transport protocol: who holds which (address, port), and the one
 * ephemeral-port allocator. TCP and UDP each have their own table, their port spaces being
 * separate. The table knows numbers only; whether an address is one of ours is the protocol's
 * question (it asks its TransportHost).
 *
 * Overlap: two reservations overlap when their ports are equal and their addresses are equal or
 * either is the wildcard 0 ("every local address"). Overlapping reservations conflict, unless both
 * were made with `reuseAddress` and the one already there is not listening: the SO_REUSEADDR rule
 * of Linux TCP, which XTI's T_IP_REUSEADDR asks for. So with reuse a server can bind a port that
 * its old connections still hold (in TIME_WAIT, say), but never a second listener on it.
 *
 * A reservation may have several holders (a bound endpoint, the listener made from it, each
 * connection made from either); it ends when the last one releases it. That keeps a port from
 * being handed out again while a connection on it still lives, as a kernel's bind table does.
 */
import type { Random } from "../random.js";
import type { Ipv4Address } from "./transport-host.js";

/** IANA dynamic port range (RFC 6335 §6), the default for ephemeral ports. */
export const EPHEMERAL_PORT_MIN = 49152;
export const EPHEMERAL_PORT_MAX = 65535;

/**
 * Why a reservation was refused, as errno names: the port is taken (or, for port 0, no ephemeral
 * port is free, as Linux's bind() reports it), or the request is malformed.
 */
export type PortFailure = "EADDRINUSE" | "EINVAL";

export interface PortRequest {
  /** Local address, 0 = every local address. */
  address: Ipv4Address;
  /** 0 = an ephemeral port. */
  port: number;
  /** SO_REUSEADDR / T_IP_REUSEADDR (see the header). */
  reuseAddress?: boolean;
}

export interface PortRange {
  min: number;
  max: number;
}

export class PortReservation {
  private holders = 1;
  private listeningNow = false;

  /** @internal Made by PortTable.reserve. */
  constructor(
    private readonly table: PortTable,
    readonly address: Ipv4Address,
    readonly port: number,
    readonly reuseAddress: boolean,
  ) {}

  get listening(): boolean {
    return this.listeningNow;
  }

  /** The last holder let go: the port may be reserved again. */
  get released(): boolean {
    return this.holders === 0;
  }

  /** One more holder (a connection made from a binding or a listener). */
  retain(): this {
    if (this.holders === 0) throw new Error("PortReservation.retain after its release");
    this.holders++;
    return this;
  }

  /** One holder fewer; the reservation ends with the last. */
  release(): void {
    if (this.holders === 0) return;
    if (--this.holders === 0) {
      this.listeningNow = false;
      this.table.remove(this);
    }
  }

  /**
   * Mark the reservation as a listener's. False (and nothing changes) when a reservation
   * overlapping it forbids that: one without reuse, or another listener.
   */
  listen(): boolean {
    if (this.holders === 0) return false;
    if (this.table.conflicts(this.address, this.port, this.reuseAddress, this)) return false;
    this.listeningNow = true;
    return true;
  }

  stopListening(): void {
    this.listeningNow = false;
  }
}

export class PortTable {
  private readonly byPort = new Map<number, PortReservation[]>();

  constructor(
    private readonly random: Random,
    readonly range: PortRange = { min: EPHEMERAL_PORT_MIN, max: EPHEMERAL_PORT_MAX },
  ) {
    if (!validPort(range.min) || !validPort(range.max) || range.min > range.max) throw new RangeError("bad ephemeral port range");
  }

  /** Reservations in force (one per reserve() not yet fully released). */
  get size(): number {
    let n = 0;
    for (const list of this.byPort.values()) n += list.length;
    return n;
  }

  /** Reserve (address, port), or an ephemeral port for port 0. */
  reserve(request: PortRequest): PortReservation | PortFailure {
    const { address, port } = request;
    const reuse = request.reuseAddress === true;
    if (!Number.isInteger(address) || address < 0 || address > 0xffffffff) return "EINVAL";
    if (port !== 0 && !validPort(port)) return "EINVAL";
    const chosen = port === 0 ? this.ephemeralPort(address) : port;
    if (chosen === null || (port !== 0 && this.conflicts(address, port, reuse, null))) return "EADDRINUSE";
    const reservation = new PortReservation(this, address, chosen, reuse);
    const list = this.byPort.get(chosen);
    if (list === undefined) this.byPort.set(chosen, [reservation]);
    else list.push(reservation);
    return reservation;
  }

  /** @internal Whether a reservation of (address, port) would conflict with one in force (other than `self`). */
  conflicts(address: Ipv4Address, port: number, reuse: boolean, self: PortReservation | null): boolean {
    const list = this.byPort.get(port);
    if (list === undefined) return false;
    for (const r of list) {
      if (r === self) continue;
      if (r.address !== 0 && address !== 0 && r.address !== address) continue;
      if (reuse && r.reuseAddress && !r.listening) continue;
      return true;
    }
    return false;
  }

  /** @internal */
  remove(reservation: PortReservation): void {
    const list = this.byPort.get(reservation.port);
    if (list === undefined) return;
    const rest = list.filter((r) => r !== reservation);
    if (rest.length > 0) this.byPort.set(reservation.port, rest);
    else this.byPort.delete(reservation.port);
  }

  /**
   * RFC 6056 §3.3.1 (algorithm 1): start at a random point of the range and take the first port
   * nobody holds at an overlapping address. One draw from the Random per allocation, so a seeded
   * run always gets the same ports.
   */
  private ephemeralPort(address: Ipv4Address): number | null {
    const { min, max } = this.range;
    const span = max - min + 1;
    const start = this.random.nextU32() % span;
    for (let i = 0; i < span; i++) {
      const port = min + ((start + i) % span);
      if (!this.conflicts(address, port, false, null)) return port;
    }
    return null;
  }
}

function validPort(port: number): boolean {
  return Number.isInteger(port) && port >= 1 && port <= 65535;
}
