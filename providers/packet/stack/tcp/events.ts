/**
 * Delivery of a connection's callbacks. A passively opened connection exists before the user
 * accepts it, and data, the FIN or an urgent mark may already arrive then: those callbacks are
 * held in order and replayed when accept() installs the user's handlers.
 */
import type { ConnectionHandlers, TcpDisconnectReason } from "./types.js";

type HeldEvent = { kind: "data"; data: Uint8Array; urgent: boolean } | { kind: "urgent"; offset: number } | { kind: "end" };

export class ConnectionEvents {
  /** Events waiting for accept(); null once delivered directly. */
  private held: HeldEvent[] | null;

  constructor(
    private handlers: ConnectionHandlers | null,
    holdUntilAccepted: boolean,
  ) {
    this.held = holdUntilAccepted ? [] : null;
  }

  setHandlers(handlers: ConnectionHandlers | null): void {
    this.handlers = handlers;
  }

  /**
   * accept(): install the handlers and replay what arrived before, stopping if a callback ends
   * the connection (`stillOpen` turns false).
   */
  release(handlers: ConnectionHandlers, stillOpen: () => boolean): void {
    const held = this.held ?? [];
    this.held = null;
    this.handlers = handlers;
    for (const e of held) {
      if (!stillOpen()) return;
      if (e.kind === "data") handlers.data?.(e.data, e.urgent);
      else if (e.kind === "urgent") handlers.urgentPending?.(e.offset);
      else handlers.end?.();
    }
  }

  /** The connection ended before accept: nothing held will ever be delivered. */
  discard(): void {
    if (this.held !== null) this.held = [];
  }

  data(data: Uint8Array, urgent: boolean): void {
    if (this.held !== null) this.held.push({ kind: "data", data, urgent });
    else this.handlers?.data?.(data, urgent);
  }

  urgentPending(offset: number): void {
    if (this.held !== null) this.held.push({ kind: "urgent", offset });
    else this.handlers?.urgentPending?.(offset);
  }

  end(): void {
    if (this.held !== null) this.held.push({ kind: "end" });
    else this.handlers?.end?.();
  }

  // The rest cannot happen before accept: the user must have sent a FIN for "closed", only active
  // opens "connect", and a pending connection's disconnect goes to its listener.

  connected(): void {
    this.handlers?.connected?.();
  }

  writable(): void {
    this.handlers?.writable?.();
  }

  closed(): void {
    this.handlers?.closed?.();
  }

  disconnect(reason: TcpDisconnectReason): void {
    this.handlers?.disconnect?.(reason);
  }
}
