/**
 * BBR between two whole hosts on the in-memory hub, on virtual time: a rate-limited link (the
 * hub serialises each port's frames at its rate behind a 64 KiB queue), the seeded fault
 * injector for random loss, and a third port on the hub that watches every frame, as a capture
 * on the wire would. What is checked is what the path shows: the rate BBR settles at, its
 * throughput through loss, the flight while it probes the RTT, and the spacing of its segments.
 */
import { expect } from "chai";
import { createHash } from "node:crypto";
import { ManualClock } from "../../../providers/packet/clock.js";
import { UserHost } from "../../../providers/packet/host.js";
import type { FaultConfig } from "../../../providers/packet/link/faults.js";
import { MemoryHub } from "../../../providers/packet/link/memory.js";
import { SeededRandom } from "../../../providers/packet/random.js";
import { PACING_BURST_MS } from "../../../providers/packet/stack/tcp/pacer.js";
import type { CongestionControlName } from "../../../providers/packet/stack/tcp/congestion.js";
import type { TcpConnection } from "../../../providers/packet/stack/tcp/connection.js";
import type { ConnectionStats } from "../../../providers/packet/stack/tcp/types.js";
import { parseEthernet } from "../../../providers/packet/wire/ethernet.js";
import { Ipv4Header, parseIpv4 } from "../../../providers/packet/wire/ipv4.js";
import { WireCounters } from "../../../providers/packet/wire/counters.js";
import { payload } from "./harness.js";
import { decodeTcp } from "../net/packets.js";

const NET = 0xc6120000;
const SENDER = NET + 1;
/** Payload bytes per full segment (MTU 1500, timestamps on) and the frame that carries them. */
const MSS = 1448;
const FRAME = MSS + 12 + 20 + 20 + 14;
const MB = 1e6;

/** A data segment or an ACK, as the watching port saw it arrive. */
interface Seen {
  at: number;
  fromSender: boolean;
  /** One past the last data byte (data segments), or the ACK number (ACKs). */
  seq: number;
  ack: number;
  len: number;
}

interface PathOptions {
  congestionControl: CongestionControlName;
  bytes: number;
  /** Link rate in bytes per second (Infinity: no bottleneck). */
  rate: number;
  latencyMs: number;
  /** Faults on the sender's frames (the data direction). */
  faults?: FaultConfig;
  seed?: number;
  /** Take the sender's stats every `sampleMs` (ms of virtual time). */
  sampleMs?: number;
}

interface PathRun {
  /** When the connection was established, and when the last byte arrived (virtual ms). */
  connectedAt: number;
  doneAt: number;
  sentSha256: string;
  receivedSha256: string;
  stats: ConnectionStats;
  samples: Array<{ at: number; stats: ConnectionStats }>;
  seen: Seen[];
  /** Frames the bottleneck queue dropped, and when (virtual ms). */
  queueDrops: number[];
}

/** Move `bytes` from one host to the other over the hub, watching the wire. */
async function runPath(o: PathOptions): Promise<PathRun> {
  const clock = new ManualClock();
  const hub = new MemoryHub(clock, { latencyMs: o.latencyMs, bytesPerSecond: o.rate });
  const mac = (n: number): Uint8Array => Uint8Array.from([2, 0, 0, 0, 0, n]);
  const seed = o.seed ?? 1;
  const sender = UserHost.over(hub.attach(mac(1)), {
    address: SENDER,
    prefixLength: 24,
    clock,
    random: new SeededRandom(seed),
    tcp: { congestionControl: o.congestionControl },
    ...(o.faults === undefined ? {} : { faults: { seed: seed + 1, tx: o.faults } }),
  });
  const receiver = UserHost.over(hub.attach(mac(2)), { address: NET + 2, prefixLength: 24, clock, random: new SeededRandom(seed + 2) });

  const seen: Seen[] = [];
  const wire = hub.attach(mac(3));
  const counters = new WireCounters();
  const ip = new Ipv4Header();
  wire.setReceiver((frame) => {
    if (parseEthernet(frame, counters) !== 0x0800 || !parseIpv4(frame, 14, frame.length - 14, ip, counters) || ip.protocol !== 6) return;
    const seg = decodeTcp(frame.subarray(14 + ip.headerLength, 14 + ip.totalLength), ip.src, ip.dst, false);
    if (seg !== null) seen.push({ at: clock.now(), fromSender: ip.src === SENDER, seq: (seg.seq + seg.payload.length) >>> 0, ack: seg.ack, len: seg.payload.length });
  });
  const queueDrops: number[] = [];
  const senderPort = sender.device;
  let dropsSoFar = 0;

  const data = payload(o.bytes, seed);
  const hash = createHash("sha256");
  let received = 0;
  let server: TcpConnection | null = null;
  const listener = receiver.tcp.listen(
    { port: 5001 },
    {
      connectionIndication: (ind) => {
        server = listener.accept(ind.sequence, {
          data: (d) => {
            hash.update(d);
            received += d.length;
            server?.consumed(d.length);
          },
        });
      },
    },
  );
  let queued = 0;
  let connectedAt = -1;
  const pump = (): void => {
    while (queued < o.bytes) {
      const piece = data.subarray(queued, Math.min(o.bytes, queued + 64 * 1024));
      if (!client.sendPiece(piece)) return;
      queued += piece.length;
      if (queued === o.bytes) client.shutdown(); // the FIN lets the last partial segment go at once
    }
  };
  const client: TcpConnection = sender.tcp.connect(
    { remote: { address: NET + 2, port: 5001 } },
    {
      connected: () => {
        connectedAt = clock.now();
        pump();
      },
      writable: pump,
    },
  );
  const samples: PathRun["samples"] = [];
  const sample = (): void => {
    samples.push({ at: clock.now(), stats: client.stats() });
    const drops = senderPort.stats().txDropped;
    for (; dropsSoFar < drops; dropsSoFar++) queueDrops.push(clock.now());
    if (received < o.bytes) clock.setTimer(o.sampleMs ?? 5, sample);
  };
  sample();
  expect(clock.runUntil(() => received === o.bytes, 3_600_000), "the transfer finished").to.equal(true);
  const doneAt = clock.now();
  const run: PathRun = {
    connectedAt,
    doneAt,
    sentSha256: createHash("sha256").update(data).digest("hex"),
    receivedSha256: hash.digest("hex"),
    stats: client.stats(),
    samples,
    seen,
    queueDrops,
  };
  client.abort();
  await sender.close();
  await receiver.close();
  await wire.close();
  clock.advance(1000);
  expect(clock.pending(), "no timer left behind").to.equal(0);
  return run;
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

/**
 * Bytes in flight as the wire halfway shows them: the highest data seen less the highest ACK
 * seen, over time (the data of the last one-way delay).
 */
function flightOverTime(seen: readonly Seen[]): Array<{ at: number; flight: number }> {
  let high = -1;
  let acked = -1;
  const out: Array<{ at: number; flight: number }> = [];
  for (const s of seen) {
    if (s.fromSender && s.len > 0) high = high < 0 || ((s.seq - high) | 0) > 0 ? s.seq : high;
    else if (!s.fromSender) acked = acked < 0 || ((s.ack - acked) | 0) > 0 ? s.ack : acked;
    if (high >= 0 && acked >= 0) out.push({ at: s.at, flight: Math.max(0, (high - acked) | 0) });
  }
  return out;
}

describe("packet/tcp BBR over a path on the in-memory hub", function () {
  this.timeout(30_000);

  it("Startup finds the bottleneck rate of a 5 MB/s link within a few dozen round trips, then BBR runs at it without queue drops", async () => {
    const r = await runPath({ congestionControl: "bbr", bytes: 4 * MB, rate: 5 * MB, latencyMs: 5 });
    expect(r.receivedSha256).to.equal(r.sentSha256);
    const bottleneck = (5 * MB * MSS) / FRAME; // payload bytes per second
    // Startup's pacing rate only rises; its first fall is Drain, the end of Startup.
    const paced = r.samples.filter((s) => s.stats.pacingRate > 0);
    let peak = 0;
    const drainAt = paced.find((s) => {
      if (s.stats.pacingRate < peak) return true;
      peak = s.stats.pacingRate;
      return false;
    })?.at;
    expect(drainAt, "Startup ended").to.not.equal(undefined);
    const rtt = 2 * 5 + FRAME / 5000; // ms
    expect(drainAt! - r.connectedAt, "Startup lasted at most 25 round trips").to.be.below(25 * rtt);
    // From then on: the pacing rate's median is the bottleneck (the gain cycle averages 1), and so
    // is the delivery rate; the link is busy, and the queue never overflows again.
    const steady = r.samples.filter((s) => s.at > drainAt! + 100);
    expect(median(steady.map((s) => s.stats.pacingRate)) / bottleneck).to.be.within(0.97, 1.03);
    expect(median(steady.map((s) => s.stats.deliveryRate)) / bottleneck).to.be.within(0.95, 1.03);
    const from = steady[0]!;
    const goodput = ((r.samples.at(-1)!.stats.bytesSent - from.stats.bytesSent) * 1000) / (r.samples.at(-1)!.at - from.at);
    expect(goodput / bottleneck, "link utilisation").to.be.above(0.95);
    expect(r.queueDrops.filter((t) => t > drainAt! + 100), "queue drops after Startup").to.deep.equal([]);
    expect(r.stats.rtoEvents).to.equal(0);
  });

  it("at 5 % random loss keeps near the bottleneck rate, where CUBIC's window collapses (same link, same losses)", async () => {
    const run = (congestionControl: CongestionControlName): Promise<PathRun> =>
      runPath({ congestionControl, bytes: 4 * MB, rate: 5 * MB, latencyMs: 5, faults: { drop: 0.05 }, seed: 5, sampleMs: 50 });
    const bottleneck = (5 * MB * MSS) / FRAME;
    const bbr = await run("bbr");
    const cubic = await run("cubic");
    for (const r of [bbr, cubic]) expect(r.receivedSha256).to.equal(r.sentSha256);
    const throughput = (r: PathRun): number => (4 * MB * 1000) / (r.doneAt - r.connectedAt);
    expect(throughput(bbr) / bottleneck, "BBR").to.be.above(0.85);
    expect(throughput(cubic) / bottleneck, "CUBIC").to.be.below(0.3);
    // Recovery under BBR: losses repaired by RACK without timeouts, few segments beyond the losses.
    expect(bbr.stats.rtoEvents).to.be.at.most(1);
    const segments = Math.ceil((4 * MB) / MSS);
    expect(bbr.stats.segmentsSent, "segments sent").to.be.below(segments * 1.15);
  });

  it("ProbeRTT: after 10 s without a lower RTT the flight drops to 4 segments for at least 200 ms, then returns", async () => {
    // 0.5 MB/s and an 80 ms RTT: a BDP of about 28 segments, well above ProbeRTT's 4.
    const r = await runPath({ congestionControl: "bbr", bytes: 7.5 * MB, rate: 0.5 * MB, latencyMs: 40, sampleMs: 100 });
    expect(r.receivedSha256).to.equal(r.sentSha256);
    const flight = flightOverTime(r.seen).filter((f) => f.at > r.connectedAt + 2000 && f.at < r.doneAt - 2000);
    // Spans of time during which the wire never showed more than 4 segments in flight.
    const low: Array<[number, number]> = [];
    let start = -1;
    for (const f of flight) {
      if (f.flight <= 4 * MSS) {
        if (start < 0) start = f.at;
      } else if (start >= 0) {
        low.push([start, f.at]);
        start = -1;
      }
    }
    const probes = low.filter(([a, b]) => b - a >= 100);
    expect(probes, "one ProbeRTT in the transfer").to.have.length(1);
    const [begin, end] = probes[0]!;
    expect(end - begin, "ProbeRTTDuration and a round trip").to.be.within(200, 200 + 3 * 90);
    expect(begin - r.connectedAt, "not before RTprop expires").to.be.above(10_000);
    // Outside it the flight is the model's, about a BDP; the wire halfway shows the half of it
    // that is on its way to the receiver (the rest is ACKs on their way back).
    const bdp = ((0.5 * MB * MSS) / FRAME) * 0.086;
    const cruising = flight.filter((f) => f.at < begin - 500 || f.at > end + 1000).map((f) => f.flight);
    expect(median(cruising) / (bdp / 2)).to.be.within(0.8, 1.6);
    expect(r.stats.rtoEvents).to.equal(0);
  });

  it("paces: no more than the pacing rate plus a burst leaves in any millisecond, where CUBIC sends whole windows at once", async () => {
    // No bottleneck: only the receiver's window (256 KiB per 20 ms round trip) limits the rate.
    const run = (congestionControl: CongestionControlName): Promise<PathRun> =>
      runPath({ congestionControl, bytes: 6 * MB, rate: Infinity, latencyMs: 10, sampleMs: 1 });
    const largestMillisecond = (r: PathRun, after: number): number => {
      const sends = r.seen.filter((s) => s.fromSender && s.len > 0 && s.at > after);
      let best = 0;
      let bytes = 0;
      for (let i = 0, j = 0; i < sends.length; i++) {
        bytes += sends[i]!.len;
        while (sends[i]!.at - sends[j]!.at >= 1) bytes -= sends[j++]!.len;
        best = Math.max(best, bytes);
      }
      return best;
    };
    const bbr = await run("bbr");
    const cubic = await run("cubic");
    const after = bbr.connectedAt + 300; // past Startup
    const maxRate = Math.max(...bbr.samples.filter((s) => s.at > after).map((s) => s.stats.pacingRate)) / 1000; // bytes per ms
    expect(maxRate).to.be.above(0);
    expect(largestMillisecond(bbr, after), "BBR").to.be.at.most(maxRate * (1 + PACING_BURST_MS) + MSS);
    expect(largestMillisecond(cubic, cubic.connectedAt + 300), "CUBIC").to.be.above(100 * 1024);
    expect(cubic.samples.every((s) => s.stats.pacingRate === 0), "CUBIC does not pace").to.equal(true);
  });
});
