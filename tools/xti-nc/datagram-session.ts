/**
 * xti-nc on a connectionless (T_CLTS) device, through t_* calls only. The input is cut into
 * datagrams that fit one unfragmented packet (and the device's TSDU) and sent with t_sndudata;
 * each datagram t_rcvudata returns is written to the output. Listening, the source of the first
 * datagram becomes the peer, and only the peer's datagrams count afterwards, as with a connected
 * UDP socket. Datagrams have no end of stream: the session ends once the input is sent and
 * nothing has arrived for `idleMs`, counted from the last send or arrival, whichever is later.
 * Unit data errors (T_UDERR) are reported on standard error.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { T_UDERR, errnoName, t_look, t_rcvudata, t_rcvuderr, t_sndudata, t_uderr_of, t_unitdata_of } from "../../src/index.js";
import { describeAddress } from "./address.js";
import type { ByteSink } from "./byte-sink.js";
import type { ByteSource } from "./byte-source.js";
import { TransferTally, type TransferTotals } from "./tally.js";

/** An IPv4 packet of a 1500-byte MTU less the IPv4 and UDP headers: the largest unfragmented datagram. */
const UNFRAGMENTED = 1500 - 20 - 8;
/** Datagrams sent per event-loop turn, so that the answers (ARP first) can come in between. */
const DATAGRAMS_PER_TURN = 32;

export interface DatagramIo {
  source: ByteSource;
  sink: ByteSink;
  idleMs: number;
  note(message: string): void;
}

export class DatagramSession {
  private peer: Uint8Array | null;
  private readonly peerKnown: Promise<void>;
  private announcePeer: () => void = () => undefined;
  private readonly tally = new TransferTally();
  /** When the last datagram arrived, or the input was all sent if that was later: the idle wait counts from it. */
  private lastActivity = performance.now();
  private stopped = false;
  private readonly size: number;

  /** `peer` null: learn it from the first datagram. `tsdu` is the device's t_info.tsdu. */
  constructor(
    private readonly fd: number,
    peer: Uint8Array | null,
    tsdu: number,
    private readonly io: DatagramIo,
  ) {
    this.peer = peer;
    this.peerKnown = peer === null ? new Promise((resolve) => (this.announcePeer = resolve)) : Promise.resolve();
    this.size = tsdu > 0 ? Math.min(tsdu, UNFRAGMENTED) : UNFRAGMENTED;
  }

  totals(): TransferTotals {
    return this.tally.totals();
  }

  /** Send the whole input, receiving all along, then wait until the peer has been quiet for `idleMs`. */
  async run(): Promise<void> {
    const receiving = this.receive();
    await this.peerKnown;
    let inTurn = 0;
    for (;;) {
      const chunk = this.stopped ? null : await this.io.source.read();
      if (chunk === null || this.stopped) break;
      for (let pos = 0; pos < chunk.length && !this.stopped; ) {
        const datagram = chunk.subarray(pos, Math.min(chunk.length, pos + this.size));
        if ((await t_sndudata(this.fd, t_unitdata_of({ addr: this.peer!, udata: datagram }))) < 0) {
          // TLOOK: an earlier datagram's error is in the way; anything else ends the session.
          if (t_look(this.fd) !== T_UDERR) {
            this.stopped = true;
            break;
          }
          await this.reportError();
          continue;
        }
        this.tally.countSent(datagram);
        pos += datagram.length;
        if (++inTurn === DATAGRAMS_PER_TURN) {
          inTurn = 0;
          await new Promise((resolve) => setImmediate(resolve));
        }
      }
    }
    // The answer to the last datagram takes its time to come (ARP, the peer's turn): wait for it
    // from now, not from when the session began.
    this.lastActivity = performance.now();
    while (!this.stopped) {
      const quiet = performance.now() - this.lastActivity;
      if (quiet >= this.io.idleMs) break;
      await sleep(this.io.idleMs - quiet);
    }
    this.stop();
    void receiving;
  }

  /** Stop sending and waiting; the caller's t_close ends the pending t_rcvudata. */
  stop(): void {
    this.stopped = true;
    this.io.source.close();
    this.announcePeer();
  }

  private async receive(): Promise<void> {
    const ud = t_unitdata_of({ addr: 64, opt: 64, udata: 65536 });
    while (!this.stopped) {
      const r = await t_rcvudata(this.fd, ud, { value: 0 });
      if (this.stopped) return;
      if (r < 0) {
        if (t_look(this.fd) === T_UDERR) {
          await this.reportError();
          continue;
        }
        return; // closed
      }
      const from = ud.addr.buf.slice(0, ud.addr.len);
      if (this.peer === null) {
        this.peer = from;
        this.announcePeer();
      } else if (Buffer.compare(from, this.peer) !== 0) {
        continue; // as a connected socket: only the peer's datagrams count
      }
      this.lastActivity = performance.now();
      const data = ud.udata.buf.slice(0, ud.udata.len);
      this.tally.countReceived(data);
      this.io.sink.write(data, () => undefined);
    }
  }

  private async reportError(): Promise<void> {
    const e = t_uderr_of({ addr: 64, opt: 64 });
    if ((await t_rcvuderr(this.fd, e)) === 0) this.io.note(`a datagram to ${describeAddress(e.addr.buf.subarray(0, e.addr.len))} failed: ${errnoName(e.error)}`);
  }
}
