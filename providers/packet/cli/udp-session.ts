/**
 * xti-nc over UDP. The input is cut into datagrams that fit one unfragmented packet; each arriving
 * datagram is written to the output. In listen mode the source of the first datagram becomes the
 * peer. UDP has no end of stream, so the session ends once the input is sent and nothing has
 * arrived for `idleMs`.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Stack } from "../stack/stack.js";
import type { AddressPort, Ipv4Address } from "../stack/transport-host.js";
import type { UdpSocket } from "../stack/udp.js";
import type { ByteSink } from "./byte-sink.js";
import type { ByteSource } from "./byte-source.js";
import { TransferTally, type TransferTotals } from "./tally.js";

const UDP_HEADER_LEN = 8;
/** Datagrams handed to the stack per event-loop turn: below the ARP wait queue (64), and room for receive. */
const DATAGRAMS_PER_TURN = 32;
/** Back-off when the stack refused a datagram (ARP still resolving, queue full). */
const RETRY_MS = 10;

export interface UdpSessionIo {
  source: ByteSource;
  sink: ByteSink;
  idleMs: number;
  note(message: string): void;
}

export class UdpSession {
  private peer: AddressPort | null;
  private readonly peerKnown: Promise<void>;
  private announcePeer: () => void = () => undefined;
  private readonly tally = new TransferTally();
  private lastArrival = performance.now();
  private stopped = false;

  /** Bind `localPort` (0 = ephemeral); `peer` null means learn it from the first datagram. Null if the port is taken. */
  static open(stack: Stack, localPort: number, peer: AddressPort | null, io: UdpSessionIo): UdpSession | null {
    let session: UdpSession | null = null;
    const socket = stack.udp.bind(localPort, {
      message: (data, src, srcPort) => session?.arrived(data, src, srcPort),
      error: (e) => io.note(`ICMP ${e.kind} for a datagram to port ${e.port}`),
    });
    if (socket === null) return null;
    session = new UdpSession(stack, socket, peer, io);
    return session;
  }

  private constructor(
    private readonly stack: Stack,
    private readonly socket: UdpSocket,
    peer: AddressPort | null,
    private readonly io: UdpSessionIo,
  ) {
    this.peer = peer;
    this.peerKnown = peer === null ? new Promise((resolve) => (this.announcePeer = resolve)) : Promise.resolve();
  }

  totals(): TransferTotals {
    return this.tally.totals();
  }

  /** Send the whole input, then wait until the peer has been quiet for `idleMs`. */
  async run(): Promise<void> {
    await this.peerKnown;
    if (this.stopped) return;
    const peer = this.peer!;
    const size = Math.max(1, this.stack.maxPayload(peer.address) - UDP_HEADER_LEN);
    let inTurn = 0;
    for (;;) {
      const chunk = await this.io.source.read();
      if (chunk === null || this.stopped) break;
      for (let pos = 0; pos < chunk.length && !this.stopped; ) {
        const datagram = chunk.subarray(pos, Math.min(chunk.length, pos + size));
        if (!this.socket.sendTo(peer.address, peer.port, datagram)) {
          await sleep(RETRY_MS);
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
    while (!this.stopped) {
      const quiet = performance.now() - this.lastArrival;
      if (quiet >= this.io.idleMs) break;
      await sleep(this.io.idleMs - quiet);
    }
  }

  stop(): void {
    this.stopped = true;
    this.io.source.close();
    this.announcePeer();
    this.socket.close();
  }

  private arrived(data: Uint8Array, src: Ipv4Address, srcPort: number): void {
    if (this.peer === null) {
      this.peer = { address: src, port: srcPort };
      this.announcePeer();
    } else if (src !== this.peer.address || srcPort !== this.peer.port) {
      return; // like a connected UDP socket: only the peer's datagrams count
    }
    this.lastArrival = performance.now();
    this.tally.countReceived(data);
    this.io.sink.write(data, () => undefined);
  }
}
