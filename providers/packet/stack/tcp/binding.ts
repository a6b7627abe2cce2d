/**
 * A TCP port reserved before listening or connecting: what XTI's t_bind makes (a T_BIND_REQ with
 * qlen 0, or the address a listener then uses). The reservation is made at bind time, so a port in
 * use fails there. A binding may listen (once), or connect (again after a connection ended, which
 * XTI does from T_IDLE); the listener and each connection hold the port for as long as they live,
 * TIME_WAIT included, so close() gives up only the binding's own hold.
 */
import type { PortReservation } from "../port-table.js";
import type { AddressPort } from "../transport-host.js";
import type { TcpConnection } from "./connection.js";
import type { TcpListener } from "./listener.js";
import { TcpError, type ConnectionHandlers, type ConnectionOptions, type ListenerHandlers } from "./types.js";

export interface BindingListenOptions extends ConnectionOptions {
  /**
   * Completed connections that may wait for accept() (XTI qlen; default 128, at least 1). The
   * connection options apply to every connection the listener makes.
   */
  backlog?: number;
}

export interface BindingConnectOptions extends ConnectionOptions {
  remote: AddressPort;
}

/** What a binding needs from its engine. */
export interface BindingHost {
  listenOn(reservation: PortReservation, options: BindingListenOptions, handlers: ListenerHandlers): TcpListener;
  connectFrom(reservation: PortReservation, options: BindingConnectOptions, handlers: ConnectionHandlers): TcpConnection;
}

export class TcpBinding {
  /** The bound address (0 = every local address) and port, ephemeral or not. */
  readonly local: Readonly<AddressPort>;
  readonly reuseAddress: boolean;
  private reservation: PortReservation | null;

  /** @internal Made by TcpEngine.bind. */
  constructor(
    private readonly host: BindingHost,
    reservation: PortReservation,
  ) {
    this.reservation = reservation;
    this.local = { address: reservation.address, port: reservation.port };
    this.reuseAddress = reservation.reuseAddress;
  }

  /** Until close(). */
  get isOpen(): boolean {
    return this.reservation !== null;
  }

  /** Listen on the bound address. EADDRINUSE if another listener holds the port; EINVAL if this binding already listens. */
  listen(options: BindingListenOptions = {}, handlers: ListenerHandlers = {}): TcpListener {
    return this.host.listenOn(this.held(), options, handlers);
  }

  /**
   * Active open from the bound address and port; a wildcard address becomes the one routing
   * chooses for the remote. EADDRINUSE if that 4-tuple is in use (possibly in TIME_WAIT).
   */
  connect(options: BindingConnectOptions, handlers: ConnectionHandlers = {}): TcpConnection {
    return this.host.connectFrom(this.held(), options, handlers);
  }

  /** Give up the binding's hold on the port (t_unbind); a listener or connection made from it keeps its own. */
  close(): void {
    const reservation = this.reservation;
    this.reservation = null;
    reservation?.release();
  }

  private held(): PortReservation {
    if (this.reservation === null) throw new TcpError("EINVAL", "the binding is closed");
    return this.reservation;
  }
}
