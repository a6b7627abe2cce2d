/**
 * Test set-up for the TCP engine. `WireHost` is a TransportHost that joins two engines directly
 * at the IP level (no Ethernet, no ARP) over a ManualClock, records every segment each side sends
 * and lets a test drop, hold or rewrite segments in flight. `ScriptedPeer` plays the remote side by
 * hand, packetdrill-style: it injects crafted segments and reads what the engine answers.
 */
import { ManualClock } from "../../../providers/packet/clock.js";
import { SeededRandom, type Random } from "../../../providers/packet/random.js";
import type { TcpConfig } from "../../../providers/packet/stack/tcp/config.js";
import { TcpEngine } from "../../../providers/packet/stack/tcp/engine.js";
import type { TcpConnection } from "../../../providers/packet/stack/tcp/connection.js";
import type { ConnectionHandlers } from "../../../providers/packet/stack/tcp/types.js";
import { IPPROTO_TCP, type Ipv4Address, type TransportHost, type TransportProtocol } from "../../../providers/packet/stack/transport-host.js";
import { TCP_ACK, type TcpSegment } from "../../../providers/packet/wire/tcp-segment.js";
import { decodeTcp, encodeTcp } from "../net/packets.js";

export const ADDR_A = 0xc6120001; // 198.18.0.1
export const ADDR_B = 0xc6120002; // 198.18.0.2
export const MTU = 1500;

export interface Captured {
  at: number;
  src: Ipv4Address;
  dst: Ipv4Address;
  seg: TcpSegment;
}

/** What a filter decides for one segment in flight: pass it, drop it, or delay it by that many extra ms. */
export type FilterVerdict = "pass" | "drop" | number;

export class WireHost implements TransportHost {
  readonly sent: Captured[] = [];
  peer: WireHost | null = null;
  protocol: TransportProtocol | null = null;
  latencyMs = 1;
  /** Inspect (and possibly drop) each segment this host sends. */
  filter: ((seg: TcpSegment, index: number) => FilterVerdict) | null = null;
  /** Keep the `sent` log (tests of bulk transfers turn it off to save memory). */
  record = true;
  /**
   * Deliver the segments that reach this host at the same instant as one receive burst
   * (TransportHost.inReceiveBurst), ended by the protocol's burstEnd(), as the AF_PACKET device
   * delivers what one wake-up brought.
   */
  bursts = false;
  inReceiveBurst = false;
  private readonly arrivals: Array<{ at: number; src: Ipv4Address; dst: Ipv4Address; payload: Uint8Array }> = [];

  constructor(
    readonly clock: ManualClock,
    readonly random: Random,
    readonly address: Ipv4Address,
  ) {}

  sourceFor(): Ipv4Address {
    return this.address;
  }

  isLocal(addr: Ipv4Address): boolean {
    return addr === this.address;
  }

  maxPayload(): number {
    return MTU - 20;
  }

  private count = 0;

  output(protocol: number, src: Ipv4Address, dst: Ipv4Address, payload: Uint8Array): boolean {
    if (protocol !== IPPROTO_TCP) return false;
    const seg = decodeTcp(payload, src, dst);
    if (seg === null) throw new Error("engine emitted an undecodable segment");
    if (this.record) this.sent.push({ at: this.clock.now(), src, dst, seg });
    const index = this.count++;
    const verdict = this.filter === null ? "pass" : this.filter(seg, index);
    if (verdict === "drop") return true;
    const peer = this.peer;
    if (peer !== null) peer.arrive(this.clock.now() + this.latencyMs + (verdict === "pass" ? 0 : verdict), src, dst, payload);
    return true;
  }

  /** A segment reaches this host at `at`. */
  private arrive(at: number, src: Ipv4Address, dst: Ipv4Address, payload: Uint8Array): void {
    if (!this.bursts) {
      this.clock.setTimer(at - this.clock.now(), () => this.input(src, dst, payload));
      return;
    }
    let i = this.arrivals.length;
    while (i > 0 && this.arrivals[i - 1]!.at > at) i--;
    this.arrivals.splice(i, 0, { at, src, dst, payload });
    this.clock.setTimer(at - this.clock.now(), () => this.deliverBurst());
  }

  private deliverBurst(): void {
    const now = this.clock.now();
    if (this.arrivals.length === 0 || this.arrivals[0]!.at > now) return; // an earlier timer took them
    this.inReceiveBurst = true;
    while (this.arrivals.length > 0 && this.arrivals[0]!.at <= now) {
      const a = this.arrivals.shift()!;
      this.input(a.src, a.dst, a.payload);
    }
    this.inReceiveBurst = false;
    this.protocol?.burstEnd?.();
  }

  /** The payload is lent for the call, as a link lends its frames: poisoned once input() returns. */
  private input(src: Ipv4Address, dst: Ipv4Address, payload: Uint8Array): void {
    const lent = payload.slice();
    this.protocol?.input(src, dst, lent);
    lent.fill(0xdb);
  }

  /** Segments sent so far that match `pred`. */
  segments(pred: (seg: TcpSegment) => boolean = () => true): TcpSegment[] {
    return this.sent.filter((c) => pred(c.seg)).map((c) => c.seg);
  }
}

export interface PairOptions {
  seed?: number;
  config?: Partial<TcpConfig>;
  configB?: Partial<TcpConfig>;
  latencyMs?: number;
  clockStart?: number;
}

export interface Side {
  host: WireHost;
  engine: TcpEngine;
}

export interface Pair {
  clock: ManualClock;
  a: Side;
  b: Side;
  close(): void;
}

/** Two engines (A = 198.18.0.1, B = 198.18.0.2) joined by WireHosts with a one-way latency. */
export function enginePair(options: PairOptions = {}): Pair {
  const clock = new ManualClock(options.clockStart ?? 0);
  const seed = options.seed ?? 1;
  const hostA = new WireHost(clock, new SeededRandom(seed), ADDR_A);
  const hostB = new WireHost(clock, new SeededRandom(seed + 1000), ADDR_B);
  hostA.peer = hostB;
  hostB.peer = hostA;
  hostA.latencyMs = hostB.latencyMs = options.latencyMs ?? 1;
  const engineA = new TcpEngine(hostA, options.config ?? {});
  const engineB = new TcpEngine(hostB, options.configB ?? options.config ?? {});
  hostA.protocol = engineA;
  hostB.protocol = engineB;
  return {
    clock,
    a: { host: hostA, engine: engineA },
    b: { host: hostB, engine: engineB },
    close() {
      engineA.close();
      engineB.close();
    },
  };
}

/** Records every callback of a connection; consumes data at once unless told not to. */
export class Recorder implements ConnectionHandlers {
  readonly events: string[] = [];
  readonly chunks: Uint8Array[] = [];
  readonly urgentOffsets: number[] = [];
  /** Stream offsets (end of chunk) where a chunk ended with the urgent byte. */
  readonly urgentMarks: number[] = [];
  received = 0;
  ended = false;
  connectedAt = -1;
  disconnectReason: string | null = null;
  autoConsume = true;
  conn: TcpConnection | null = null;

  constructor(private readonly clock?: ManualClock) {}

  connected(): void {
    this.events.push("connected");
    this.connectedAt = this.clock?.now() ?? 0;
  }
  data(data: Uint8Array, urgent: boolean): void {
    this.chunks.push(data.slice());
    this.received += data.length;
    if (urgent) this.urgentMarks.push(this.received);
    if (this.autoConsume) this.conn?.consumed(data.length);
  }
  urgentPending(offset: number): void {
    this.urgentOffsets.push(offset);
    this.events.push(`urgent@${offset}`);
  }
  writable(): void {
    this.events.push("writable");
  }
  end(): void {
    this.ended = true;
    this.events.push("end");
  }
  disconnect(reason: string): void {
    this.disconnectReason = reason;
    this.events.push(`disconnect:${reason}`);
  }
  closed(): void {
    this.events.push("closed");
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.received);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }
}

export interface Connected {
  client: TcpConnection;
  server: TcpConnection;
  clientRec: Recorder;
  serverRec: Recorder;
}

/** Listen on B:port, connect from A, accept, run until both sides are established. */
export function connectPair(pair: Pair, port = 80, connect: { localPort?: number; noDelay?: boolean } = {}, listen: { reuseAddress?: boolean } = {}): Connected {
  const serverRec = new Recorder(pair.clock);
  const clientRec = new Recorder(pair.clock);
  let server: TcpConnection | null = null;
  const listener = pair.b.engine.listen(
    { port, backlog: 8, ...listen },
    {
      connectionIndication: (ind) => {
        server = listener.accept(ind.sequence, serverRec);
        serverRec.conn = server;
      },
    },
  );
  const client = pair.a.engine.connect({ remote: { address: ADDR_B, port }, ...connect }, clientRec);
  clientRec.conn = client;
  if (!pair.clock.runUntil(() => server !== null && clientRec.connectedAt >= 0, 60_000)) throw new Error("handshake did not complete");
  listener.close();
  if (server === null) throw new Error("unreachable");
  return { client, server, clientRec, serverRec };
}

/**
 * Push `data` through `conn` in pieces of `chunk` bytes, refilling on "writable"; returns a
 * function telling whether all of it has been handed to the connection.
 */
export function pump(conn: TcpConnection, rec: Recorder, data: Uint8Array, chunk = 64 * 1024): () => boolean {
  let offset = 0;
  const fill = (): void => {
    while (offset < data.length) {
      const end = Math.min(data.length, offset + chunk);
      if (!conn.sendPiece(data.subarray(offset, end))) return;
      offset = end;
    }
  };
  const original = rec.writable.bind(rec);
  rec.writable = () => {
    original();
    fill();
  };
  fill();
  return () => offset === data.length;
}

/** Deterministic pseudo-random payload. */
export function payload(length: number, seed = 7): Uint8Array {
  const out = new Uint8Array(length);
  new SeededRandom(seed).fill(out);
  return out;
}

/**
 * The remote side played by hand: `inject` hands a crafted segment to the engine under test as if
 * it came from `address:port`; what the engine sends is in `host.sent`.
 */
export class ScriptedPeer {
  constructor(
    readonly engine: TcpEngine,
    readonly host: WireHost,
    readonly address: Ipv4Address,
    readonly port: number,
  ) {}

  inject(seg: Partial<TcpSegment> & { seq: number; flags: number; dstPort: number }): void {
    const full: TcpSegment = {
      srcPort: this.port,
      ack: 0,
      window: 65535,
      urgentPointer: 0,
      options: {},
      payload: new Uint8Array(0),
      ...seg,
    };
    this.engine.input(this.address, this.host.address, encodeTcp(full, this.address, this.host.address));
  }

  /** Segments the engine sent to this peer since index `from`. */
  replies(from = 0): TcpSegment[] {
    return this.host.sent.slice(from).filter((c) => c.dst === this.address).map((c) => c.seg);
  }
}

/** One engine on a WireHost with no peer engine: drive it with a ScriptedPeer. */
export function scriptedEngine(options: { seed?: number; config?: Partial<TcpConfig>; clockStart?: number } = {}): {
  clock: ManualClock;
  host: WireHost;
  engine: TcpEngine;
  peer: (port: number) => ScriptedPeer;
} {
  const clock = new ManualClock(options.clockStart ?? 0);
  const host = new WireHost(clock, new SeededRandom(options.seed ?? 1), ADDR_A);
  const engine = new TcpEngine(host, options.config ?? {});
  host.protocol = engine;
  return { clock, host, engine, peer: (port: number) => new ScriptedPeer(engine, host, ADDR_B, port) };
}

export const isAck = (s: TcpSegment): boolean => (s.flags & TCP_ACK) !== 0;
