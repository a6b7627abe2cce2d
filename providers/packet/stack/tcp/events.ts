/**
 * Delivery of a connection's callbacks. A passively opened connection exists before the user
 * accepts it, and data, the FIN or an urgent mark may already arrive then: those callbacks are
 * held in order and replayed when accept() installs the user's handlers.
 */
import type { ConnectionHandlers, TcpDisconnectReason } from "./types.js";

/** Held data: `length` bytes at the start of `buf` (which may have room to grow). */
type HeldData = { kind: "data"; buf: Uint8Array; length: number; urgent: boolean };
type HeldEvent = HeldData | { kind: "urgent"; offset: number } | { kind: "end" };

/**
 * Append `data` to held data, growing its buffer by doubling. Consecutive pieces are merged so
 * that a peer sending many tiny segments before accept() costs bytes, not an object and a kept
 * frame per segment (the receive window bounds the bytes).
 */
function append(held: HeldData, data: Uint8Array): void {
  const needed = held.length + data.length;
  if (needed > held.buf.length || held.buf.byteOffset !== 0 || held.buf.buffer.byteLength !== held.buf.length) {
    const grown = new Uint8Array(Math.max(needed, 2 * held.length, 4096));
    grown.set(held.buf.subarray(0, held.length));
    held.buf = grown;
  }
  held.buf.set(data, held.length);
  held.length = needed;
}

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
      if (e.kind === "data") handlers.data?.(e.buf.subarray(0, e.length), e.urgent);
      else if (e.kind === "urgent") handlers.urgentPending?.(e.offset);
      else handlers.end?.();
    }
  }

  /** The connection ended before accept: nothing held will ever be delivered. */
  discard(): void {
    if (this.held !== null) this.held = [];
  }

  data(data: Uint8Array, urgent: boolean): void {
    if (this.held === null) {
      this.handlers?.data?.(data, urgent);
      return;
    }
    const last = this.held[this.held.length - 1];
    if (!urgent && last?.kind === "data" && !last.urgent) append(last, data);
    else this.held.push({ kind: "data", buf: data, length: data.length, urgent });
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
