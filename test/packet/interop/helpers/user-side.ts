/**
 * The user-space side of an interop test, in-process: a UserHost on the topology's stack interface
 * and `StreamEnd`, connection handlers that send a pattern, hash and count what arrives, consume
 * it at once and settle when the connection is over.
 */
import { createHash, type Hash } from "node:crypto";
import { UserHost, type AfPacketHostConfig } from "../../../../providers/packet/host.js";
import { PatternStream } from "../../../../tools/xti-nc/pattern.js";
import type { AfPacketDevice } from "../../../../providers/packet/link/afpacket.js";
import type { FaultInjectorConfig } from "../../../../providers/packet/link/faults.js";
import type { TcpConnection } from "../../../../providers/packet/stack/tcp/connection.js";
import type { ConnectionHandlers, TcpDisconnectReason } from "../../../../providers/packet/stack/tcp/types.js";
import type { KernelProcess } from "./kernel-peer.js";
import { INTEROP, type InteropTopology } from "./topology.js";

/** A host on the topology's stack interface (by default the default interop topology's). */
export function openUserHost(faults?: FaultInjectorConfig & { seed: number }, topology: InteropTopology = INTEROP, config: Partial<AfPacketHostConfig> = {}): Promise<UserHost<AfPacketDevice>> {
  return UserHost.openAfPacket({
    ifname: topology.stackIf,
    address: topology.stackIp,
    prefixLength: topology.prefixLength,
    mac: topology.stackMac,
    ...(faults === undefined ? {} : { faults }),
    ...config,
  });
}

/** What a suite on a topology of its own drives: our host and the kernel's process, each test's to set. */
export interface SuiteEnds {
  host?: UserHost<AfPacketDevice>;
  peer?: KernelProcess;
}

/**
 * Bring `topology` up for the suite and down after it; after each test kill the kernel's process
 * and close our host, so that a failing test leaves nothing running.
 */
export function suiteOn(topology: InteropTopology): SuiteEnds {
  const ends: SuiteEnds = {};
  topology.use(async () => {
    await ends.host?.close();
  });
  afterEach(async function () {
    ends.peer?.kill();
    delete ends.peer;
    await ends.host?.close();
    delete ends.host;
  });
  return ends;
}

export interface StreamEndOptions {
  /** Bytes of the pattern to send (0: none). */
  sendBytes?: number;
  seed?: number;
  /** When to send the FIN: after sending ("after-send", default), only after the peer's FIN ("after-peer-fin"), or never. */
  shutdown?: "after-send" | "after-peer-fin" | "never";
  /** Send this many bytes only after the peer's FIN (half-close test), then shut down. */
  sendAfterPeerFin?: number;
  /** Mark this stream offset as urgent. */
  urgentAt?: number;
  /** Keep the received bytes (small transfers only). */
  keep?: boolean;
}

export interface StreamSummary {
  sent: number;
  sentSha256: string;
  received: number;
  receivedSha256: string;
  /** Stream offsets of bytes delivered as urgent. */
  urgentOffsets: number[];
  /** Offsets announced by urgentPending. */
  urgentAnnounced: number[];
  /** Bytes received before the peer's FIN arrived when we had already sent ours, and after. */
  receivedAfterOurFin: number;
  peerFinAt: number | null;
  outcome: "closed" | TcpDisconnectReason;
  bytes: Uint8Array | null;
}

export class StreamEnd implements ConnectionHandlers {
  conn: TcpConnection | null = null;
  readonly done: Promise<StreamSummary>;
  private settle!: (summary: StreamSummary) => void;
  private readonly sentHash: Hash = createHash("sha256");
  private readonly receivedHash: Hash = createHash("sha256");
  private sent = 0;
  private received = 0;
  private receivedAfterOurFin = 0;
  private ourFinSent = false;
  private peerFinAt: number | null = null;
  private readonly urgentOffsets: number[] = [];
  private readonly urgentAnnounced: number[] = [];
  private readonly kept: Uint8Array[] = [];
  private source: PatternStream | null;
  private chunk: Uint8Array | null = null;
  private chunkPos = 0;
  private offset = 0;
  private finished = false;
  private consumedBeforeAttach = 0;

  constructor(private readonly options: StreamEndOptions = {}) {
    this.done = new Promise((resolve) => (this.settle = resolve));
    this.source = (options.sendBytes ?? 0) > 0 ? new PatternStream(options.sendBytes!, options.seed ?? 1) : null;
  }

  /** For a passive connection: start at once. */
  attach(conn: TcpConnection): this {
    this.conn = conn;
    // accept() replays data that arrived before it, before it returns the connection.
    conn.consumed(this.consumedBeforeAttach);
    this.pump();
    return this;
  }

  connected(): void {
    this.pump();
  }

  data(data: Uint8Array, urgent: boolean): void {
    this.receivedHash.update(data);
    this.received += data.length;
    if (this.ourFinSent) this.receivedAfterOurFin += data.length;
    if (urgent) this.urgentOffsets.push(this.received - 1);
    if (this.options.keep === true) this.kept.push(data.slice());
    if (this.conn === null) this.consumedBeforeAttach += data.length;
    else this.conn.consumed(data.length);
  }

  urgentPending(offset: number): void {
    this.urgentAnnounced.push(offset);
  }

  writable(): void {
    this.pump();
  }

  end(): void {
    this.peerFinAt = this.received;
    const more = this.options.sendAfterPeerFin ?? 0;
    if (more > 0) {
      this.source = new PatternStream(more, (this.options.seed ?? 1) + 1);
      this.pump();
    } else if (this.options.shutdown === "after-peer-fin") {
      this.finSend();
    }
  }

  closed(): void {
    this.finish("closed");
  }

  disconnect(reason: TcpDisconnectReason): void {
    this.finish(reason);
  }

  private finSend(): void {
    if (this.ourFinSent || this.conn === null) return;
    this.ourFinSent = true;
    this.conn.shutdown();
  }

  private pump(): void {
    const conn = this.conn;
    if (conn === null || this.finished) return;
    while (this.source !== null) {
      if (this.chunk === null || this.chunkPos === this.chunk.length) {
        this.chunk = this.source.next();
        this.chunkPos = 0;
        if (this.chunk === null) {
          this.source = null;
          break;
        }
      }
      const u = this.options.urgentAt;
      const base = this.offset - this.chunkPos;
      const urgentHere = u !== undefined && u >= this.offset && u < base + this.chunk.length;
      const end = urgentHere ? u - base + 1 : this.chunk.length;
      const piece = this.chunk.subarray(this.chunkPos, end);
      if (!conn.sendPiece(piece, { urgent: urgentHere })) return; // refused whole: "writable" calls again
      this.sentHash.update(piece);
      this.sent += piece.length;
      this.chunkPos += piece.length;
      this.offset += piece.length;
    }
    const shutdown = this.options.shutdown ?? "after-send";
    if (shutdown === "after-send" || (this.peerFinAt !== null && (this.options.sendAfterPeerFin ?? 0) > 0)) this.finSend();
  }

  private finish(outcome: StreamSummary["outcome"]): void {
    if (this.finished) return;
    this.finished = true;
    let bytes: Uint8Array | null = null;
    if (this.options.keep === true) bytes = Buffer.concat(this.kept);
    this.settle({
      sent: this.sent,
      sentSha256: this.sentHash.digest("hex"),
      received: this.received,
      receivedSha256: this.receivedHash.digest("hex"),
      urgentOffsets: this.urgentOffsets,
      urgentAnnounced: this.urgentAnnounced,
      receivedAfterOurFin: this.receivedAfterOurFin,
      peerFinAt: this.peerFinAt,
      outcome,
      bytes,
    });
  }
}

/** Resolve `promise`, or reject after `ms` with `what` (so a hang fails the test with a reason). */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Resolve once `condition()` holds (checked every few ms), or reject after `ms` with `what`. */
export function eventually(condition: () => boolean, ms: number, what: string): Promise<void> {
  return within(
    new Promise<void>((resolve) => {
      const check = (): void => {
        if (condition()) resolve();
        else setTimeout(check, 5).unref();
      };
      check();
    }),
    ms,
    what,
  );
}
