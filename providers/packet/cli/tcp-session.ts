/**
 * One TCP connection of xti-nc: pumps the input into the connection (marking the urgent byte if
 * asked), half-closes at the end of the input, writes what arrives to the output and reports the
 * received data consumed only once the output has taken it. Settles when both directions are
 * released in order, or with the errno name when the connection ends abnormally.
 */
import type { TcpConnection } from "../stack/tcp/connection.js";
import type { ConnectionHandlers, ConnectionStats, TcpDisconnectReason } from "../stack/tcp/types.js";
import type { ByteSink } from "./byte-sink.js";
import type { ByteSource } from "./byte-source.js";
import { TransferTally, type TransferTotals } from "./tally.js";

export type SessionOutcome = { ok: true } | { ok: false; reason: TcpDisconnectReason | "EIO"; detail?: string };

export interface TcpSessionIo {
  source: ByteSource;
  sink: ByteSink;
  /** Stream offset of the byte to send as urgent data, or null. */
  urgentAt: number | null;
  /** Diagnostics for standard error. */
  note(message: string): void;
  /** Called when an active open completes. */
  onConnected?(): void;
}

export class TcpSession implements ConnectionHandlers {
  private conn: TcpConnection | null = null;
  private readonly tally = new TransferTally();
  private finished = false;
  private pumping = false;
  private wakeWriter: (() => void) | null = null;
  private settle!: (outcome: SessionOutcome) => void;
  /** Settles when the connection is over, either way. */
  readonly outcome: Promise<SessionOutcome> = new Promise((resolve) => (this.settle = resolve));

  constructor(private readonly io: TcpSessionIo) {}

  /** The connection these handlers belong to; starts sending at once when `established`. */
  attach(conn: TcpConnection, established: boolean): void {
    this.conn = conn;
    if (established) this.startPump();
  }

  totals(): TransferTotals {
    return this.tally.totals();
  }

  /** The connection's counters (null before there is a connection). */
  connectionStats(): ConnectionStats | null {
    return this.conn?.stats() ?? null;
  }

  /** Give up (timeout, signal): reset the connection. */
  abort(reason: TcpDisconnectReason | "EIO", detail?: string): void {
    this.conn?.abort();
    this.finish(detail === undefined ? { ok: false, reason } : { ok: false, reason, detail });
  }

  // ---------------------------------------------------------------- ConnectionHandlers

  connected(): void {
    this.io.onConnected?.();
    this.startPump();
  }

  data(data: Uint8Array, urgent: boolean): void {
    this.tally.countReceived(data);
    if (urgent) this.io.note(`urgent byte 0x${data[data.length - 1]!.toString(16).padStart(2, "0")} at offset ${this.tally.received - 1}`);
    // The write callback always runs later, so a chunk replayed by accept() (before attach())
    // is still reported consumed on the connection.
    this.io.sink.write(data, () => this.conn?.consumed(data.length));
  }

  urgentPending(offset: number): void {
    this.io.note(`urgent data announced at offset ${offset}`);
  }

  writable(): void {
    this.wake();
  }

  end(): void {
    this.io.note("peer closed its side");
  }

  closed(): void {
    this.finish({ ok: true });
  }

  disconnect(reason: TcpDisconnectReason): void {
    this.finish({ ok: false, reason });
  }

  // ---------------------------------------------------------------- internals

  private finish(outcome: SessionOutcome): void {
    if (this.finished) return;
    this.finished = true;
    this.io.source.close();
    this.wake();
    this.settle(outcome);
  }

  private wake(): void {
    const wake = this.wakeWriter;
    this.wakeWriter = null;
    wake?.();
  }

  private startPump(): void {
    if (this.pumping) return;
    this.pumping = true;
    this.pump().catch((err: unknown) => this.abort("EIO", `reading the input failed: ${err instanceof Error ? err.message : String(err)}`));
  }

  private async pump(): Promise<void> {
    const urgentAt = this.io.urgentAt;
    let offset = 0;
    for (;;) {
      const chunk = await this.io.source.read();
      if (this.finished) return;
      if (chunk === null) break;
      let pos = 0;
      while (pos < chunk.length) {
        // A piece ends at the urgent byte (inclusive), so that sendPiece() marks exactly that byte.
        const urgentInChunk = urgentAt !== null && urgentAt >= offset + pos && urgentAt < offset + chunk.length;
        const end = urgentInChunk ? urgentAt - offset + 1 : chunk.length;
        const piece = chunk.subarray(pos, end);
        if (!this.conn!.sendPiece(piece, { urgent: urgentInChunk })) {
          // Refused whole: wait for "writable" and offer the same piece again.
          await new Promise<void>((resolve) => (this.wakeWriter = resolve));
          if (this.finished) return;
          continue;
        }
        this.tally.countSent(piece);
        pos = end;
      }
      offset += chunk.length;
    }
    this.conn!.shutdown();
  }
}
