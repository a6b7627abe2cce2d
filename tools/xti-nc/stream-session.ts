/**
 * One connection of xti-nc, through t_* calls only: the input goes out with t_snd (the bytes at
 * the chosen offsets alone, with T_EXPEDITED), then t_sndrel; what arrives is read with t_rcv and
 * written to the output, one read at a time, so a slow output stops reading and the provider's
 * flow control (the TCP window) stops the sender. Settles when both directions are released, or
 * with the errno of the disconnect.
 *
 * Sending and receiving run side by side on one endpoint: each decides from t_look (synchronous,
 * its own) rather than from t_errno, which the two flows share.
 */
import { setTimeout as sleep } from "node:timers/promises";
import {
  T_COTS_ORD,
  T_DISCONNECT,
  T_EXPEDITED,
  T_ORDREL,
  errnoName,
  t_discon_of,
  t_errno,
  t_look,
  t_rcv,
  t_rcvdis,
  t_rcvrel,
  t_snd,
  t_snddis,
  t_sndrel,
  tErrnoName,
} from "../../src/index.js";
import type { ByteSink } from "./byte-sink.js";
import type { ByteSource } from "./byte-source.js";
import { TransferTally, type TransferTotals } from "./tally.js";

export type SessionOutcome = { ok: true } | { ok: false; reason: string; detail?: string };

export interface StreamIo {
  source: ByteSource;
  sink: ByteSink;
  /** Stream offsets of the bytes to send as expedited data, ascending. */
  urgentAt: readonly number[];
  /** Keep received expedited bytes out of the output (they are reported either way). */
  urgentApart: boolean;
  /** Pause after each expedited byte sent. */
  paceMs: number;
  note(message: string): void;
}

const RECEIVE_SIZE = 65536;

export class StreamSession {
  private readonly tally = new TransferTally();
  private finished = false;
  private settle!: (outcome: SessionOutcome) => void;
  readonly outcome: Promise<SessionOutcome> = new Promise((resolve) => (this.settle = resolve));

  constructor(
    private readonly fd: number,
    private readonly servtype: number,
    private readonly io: StreamIo,
  ) {}

  totals(): TransferTotals {
    return this.tally.totals();
  }

  /** Send and receive until the connection is over either way. */
  run(): Promise<SessionOutcome> {
    const sending = this.send().catch((err: unknown) => this.abort("EIO", `reading the input failed: ${err instanceof Error ? err.message : String(err)}`));
    const receiving = this.receive();
    void Promise.all([sending, receiving]).then(([sent, received]) => {
      if (sent === true && received === true) this.finish({ ok: true });
    });
    return this.outcome;
  }

  /** Give up (timeout, signal): an abortive disconnect. */
  abort(reason: string, detail?: string): void {
    if (this.finished) return;
    void t_snddis(this.fd, null);
    this.finish(detail === undefined ? { ok: false, reason } : { ok: false, reason, detail });
  }

  private finish(outcome: SessionOutcome): void {
    if (this.finished) return;
    this.finished = true;
    this.io.source.close();
    this.settle(outcome);
  }

  /** True once the input has gone out and our side is released. */
  private async send(): Promise<boolean> {
    const urgent = this.io.urgentAt;
    let next = 0;
    let offset = 0;
    for (;;) {
      const chunk = await this.io.source.read();
      if (this.finished) return false;
      if (chunk === null) break;
      let pos = 0;
      while (pos < chunk.length) {
        while (next < urgent.length && urgent[next]! < offset + pos) next++;
        const at = next < urgent.length ? urgent[next]! - offset : Infinity;
        // A normal piece up to the next expedited byte, or that byte alone.
        const expedited = at === pos;
        const end = expedited ? pos + 1 : Math.min(chunk.length, at);
        const piece = chunk.subarray(pos, end);
        if ((await t_snd(this.fd, piece, piece.length, expedited ? T_EXPEDITED : 0)) < 0) return this.sendFailed("t_snd");
        this.tally.countSent(piece);
        pos = end;
        if (expedited && this.io.paceMs > 0) await sleep(this.io.paceMs);
        if (this.finished) return false;
      }
      offset += chunk.length;
    }
    if (this.servtype !== T_COTS_ORD) {
      // No orderly release on T_COTS: the end of the input ends the connection.
      await t_snddis(this.fd, null);
      this.finish({ ok: true });
      return true;
    }
    if ((await t_sndrel(this.fd)) < 0) return this.sendFailed("t_sndrel");
    return true;
  }

  /** A send failed: a disconnect (the receiver reports it) or something else (reported here). */
  private sendFailed(call: string): false {
    const failure = tErrnoName(t_errno);
    if (t_look(this.fd) !== T_DISCONNECT && !this.finished) this.finish({ ok: false, reason: failure, detail: `${call} failed` });
    return false;
  }

  /** True once the peer's orderly release has been received after all its data. */
  private async receive(): Promise<boolean> {
    const buf = new Uint8Array(RECEIVE_SIZE);
    const flags = { value: 0 };
    while (!this.finished) {
      const n = await t_rcv(this.fd, buf, buf.length, flags);
      if (this.finished) return false;
      if (n >= 0) {
        const piece = buf.slice(0, n);
        const expedited = (flags.value & T_EXPEDITED) !== 0;
        if (expedited) {
          for (const [i, byte] of piece.entries()) this.io.note(`urgent byte 0x${byte.toString(16).padStart(2, "0")} at offset ${this.tally.received + i}`);
        }
        this.tally.countReceived(piece);
        if (!(expedited && this.io.urgentApart)) await new Promise<void>((resolve) => this.io.sink.write(piece, resolve));
        continue;
      }
      const event = t_look(this.fd);
      if (event === T_ORDREL) {
        await t_rcvrel(this.fd);
        return true;
      }
      if (event === T_DISCONNECT) {
        const d = t_discon_of(0);
        await t_rcvdis(this.fd, d);
        this.finish({ ok: false, reason: errnoName(d.reason) });
        return false;
      }
      this.finish({ ok: false, reason: tErrnoName(t_errno), detail: "t_rcv failed" });
      return false;
    }
    return false;
  }
}
