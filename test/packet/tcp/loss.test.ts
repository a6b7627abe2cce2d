/**
 * Bulk transfers through the whole user-space stack (Ethernet, ARP, IPv4) of two Stack instances
 * on an in-memory hub, with the seeded fault injector dropping, duplicating, reordering (and in
 * one case corrupting and truncating) frames in both directions. Everything runs on one
 * ManualClock, so a seed always gives the same run.
 */
import { expect } from "chai";
import { createHash } from "node:crypto";
import { ManualClock } from "../../../providers/packet/clock.js";
import { UserHost } from "../../../providers/packet/host.js";
import type { FaultConfig } from "../../../providers/packet/link/faults.js";
import { MemoryHub } from "../../../providers/packet/link/memory.js";
import { SeededRandom } from "../../../providers/packet/random.js";
import type { TcpConfig } from "../../../providers/packet/stack/tcp/config.js";
import type { TcpConnection } from "../../../providers/packet/stack/tcp/connection.js";
import { Recorder, connectPair, enginePair, payload, pump } from "./harness.js";

const MB = 1024 * 1024;
const NET = 0xc6120000;

interface RunResult {
  sha256Sent: string;
  sha256Received: string;
  virtualMs: number;
  retransmits: number;
  rtoEvents: number;
  segmentsSent: number;
  fastRetransmits: number;
  faults: { dropped: number; duplicated: number; reordered: number; corrupted: number };
  malformed: number;
}

async function transfer(bytes: number, faults: FaultConfig, seed: number, config: Partial<TcpConfig> = {}): Promise<RunResult> {
  const clock = new ManualClock();
  const hub = new MemoryHub(clock, { latencyMs: 2 });
  const mac = (n: number): Uint8Array => Uint8Array.from([2, 0, 0, 0, 0, n]);
  const host = (n: number, faultSeed: number, randomSeed: number): UserHost =>
    UserHost.over(hub.attach(mac(n)), { address: NET + n, prefixLength: 24, clock, random: new SeededRandom(randomSeed), faults: { seed: faultSeed, tx: faults }, tcp: config });
  const hostA = host(1, seed, seed + 2);
  const hostB = host(2, seed + 1, seed + 3);
  const tcpA = hostA.tcp;
  const tcpB = hostB.tcp;

  const serverRec = new Recorder(clock);
  const hash = createHash("sha256");
  let received = 0;
  serverRec.data = (data: Uint8Array) => {
    hash.update(data);
    received += data.length;
    server?.consumed(data.length);
  };
  let server: TcpConnection | null = null;
  const listener = tcpB.listen({ port: 5001 }, { connectionIndication: (ind) => (server = listener.accept(ind.sequence, serverRec)) });
  const clientRec = new Recorder(clock);
  const client = tcpA.connect({ remote: { address: NET + 2, port: 5001 } }, clientRec);
  const data = payload(bytes, seed);
  const handedOver = pump(client, clientRec, data);
  const done = clock.runUntil(() => received === bytes || clientRec.disconnectReason !== null, 24 * 3600 * 1000);
  expect(done, "transfer finished").to.equal(true);
  expect(clientRec.disconnectReason).to.equal(null);
  expect(handedOver()).to.equal(true);
  // An orderly close after the data, to see both FINs through the same faults.
  client.shutdown();
  clock.runUntil(() => serverRec.ended, 3600 * 1000);
  expect(serverRec.ended).to.equal(true);

  const stats = client.stats();
  const tx = [hostA.faults!.txFaults, hostB.faults!.txFaults];
  const result: RunResult = {
    sha256Sent: createHash("sha256").update(data).digest("hex"),
    sha256Received: hash.digest("hex"),
    virtualMs: clock.now(),
    retransmits: stats.retransmits,
    rtoEvents: stats.rtoEvents,
    segmentsSent: stats.segmentsSent,
    fastRetransmits: stats.fastRetransmits,
    faults: {
      dropped: tx[0]!.dropped + tx[1]!.dropped,
      duplicated: tx[0]!.duplicated + tx[1]!.duplicated,
      reordered: tx[0]!.reordered + tx[1]!.reordered,
      corrupted: tx[0]!.corrupted + tx[1]!.corrupted,
    },
    malformed: tcpA.stats().malformed + tcpB.stats().malformed,
  };
  await hostA.close();
  await hostB.close();
  expect(clock.pending()).to.equal(0);
  return result;
}

describe("packet/tcp bulk transfer through the stack with faults", function () {
  this.timeout(60_000);

  it("10 MB, no faults", async () => {
    const r = await transfer(10 * MB, {}, 11);
    expect(r.sha256Received).to.equal(r.sha256Sent);
    expect(r.retransmits).to.equal(0);
  });

  // Loss (of data and ACKs alike), 1 % duplication and 2 % reordering (a frame overtaken by the next
  // three, or held 20 ms) in each direction. The bounds are well above what this stack needs with
  // RACK-TLP and below what it needed with NewReno-style recovery alone (duplicate-ACK counting,
  // no probe, every lost retransmission a timeout): with the same seeds that code made 3, 24 and
  // 159 timeouts and sent 7968, 7845 and 8265 segments. 10 MiB is 7242 full segments.
  for (const { loss, seed, maxTimeouts, maxSegments } of [
    { loss: 0.01, seed: 101, maxTimeouts: 1, maxSegments: 7450 },
    { loss: 0.05, seed: 105, maxTimeouts: 10, maxSegments: 7780 },
    { loss: 0.1, seed: 110, maxTimeouts: 90, maxSegments: 8300 },
  ]) {
    it(`10 MB at ${loss * 100}% loss each way, with duplication and reordering: at most ${maxTimeouts} RTOs and ${maxSegments} segments`, async () => {
      const r = await transfer(10 * MB, { drop: loss, duplicate: 0.01, reorder: 0.02, reorderDepth: 3 }, seed);
      expect(r.sha256Received).to.equal(r.sha256Sent);
      expect(r.faults.dropped, "frames the injector dropped").to.be.greaterThan(loss * 2 * 7242 * 0.7);
      expect(r.faults.duplicated).to.be.greaterThan(0);
      expect(r.faults.reordered).to.be.greaterThan(0);
      expect(r.rtoEvents, "retransmission timeouts").to.be.at.most(maxTimeouts);
      expect(r.segmentsSent, "segments the sender sent").to.be.at.most(maxSegments);
    });
  }

  it("10 MB at 10% loss with 2% duplication, 5% reordering and a little corruption and truncation", async () => {
    const r = await transfer(10 * MB, { drop: 0.1, duplicate: 0.02, reorder: 0.05, corrupt: 0.005, truncate: 0.002 }, 13);
    expect(r.sha256Received).to.equal(r.sha256Sent);
    expect(r.faults.dropped).to.be.greaterThan(700);
    expect(r.faults.corrupted).to.be.greaterThan(10);
    expect(r.retransmits).to.be.greaterThan(500);
  });

  it("SACK recovers the same losses with fewer retransmissions than NewReno alone (same seeded loss pattern)", () => {
    const run = (sack: boolean): { retransmits: number; rtoEvents: number; virtualMs: number; ok: boolean } => {
      const pair = enginePair({ latencyMs: 10, config: { sack } });
      const c = connectPair(pair);
      const iss = pair.a.host.sent[0]!.seg.seq;
      const mss = c.client.mss;
      // Drop bursts of three consecutive segments, and sometimes their retransmissions, chosen by
      // a seeded hash of (burst position in the stream, attempt): identical losses whatever the
      // sender does, so the difference is the recovery algorithm.
      const attempts = new Map<number, number>();
      pair.a.host.filter = (seg) => {
        if (seg.payload.length === 0) return "pass";
        const offset = (seg.seq - iss - 1) >>> 0;
        const attempt = attempts.get(offset) ?? 0;
        attempts.set(offset, attempt + 1);
        const burst = Math.floor(offset / mss / 3);
        const p = attempt === 0 ? 0.04 : 0.3;
        return new SeededRandom((0x5eed ^ burst) + attempt * 0x10000).next() < p ? "drop" : "pass";
      };
      const data = payload(2 * MB, 9);
      pump(c.client, c.clientRec, data);
      pair.clock.runUntil(() => c.serverRec.received === data.length, 3_600_000);
      const st = c.client.stats();
      const result = { retransmits: st.retransmits, rtoEvents: st.rtoEvents, virtualMs: pair.clock.now(), ok: Buffer.compare(c.serverRec.bytes(), data) === 0 };
      pair.close();
      return result;
    };
    const withSack = run(true);
    const withoutSack = run(false);
    expect(withSack.ok && withoutSack.ok).to.equal(true);
    expect(withSack.retransmits).to.be.lessThan(withoutSack.retransmits);
    expect(withSack.rtoEvents).to.be.lessThan(withoutSack.rtoEvents);
    expect(withSack.virtualMs).to.be.lessThan(withoutSack.virtualMs);
  });
});
