/** Loss recovery with a known loss pattern: NewReno partial ACKs (RFC 6582) and SACK (RFC 6675). */
import { expect } from "chai";
import type { ConnectionStats } from "../../../providers/packet/stack/tcp/types.js";
import { connectPair, enginePair, payload, pump } from "./harness.js";

interface Outcome {
  /** When each retransmission left, relative to the first transmission of the burst. */
  retransmitTimes: number[];
  stats: ConnectionStats;
}

/**
 * Warm the connection up (so cwnd covers the burst), then send 40 segments at once losing the
 * first transmission of segments 5, 9 and 14 of them.
 */
function burstWithThreeLosses(sack: boolean): Outcome {
  const pair = enginePair({ latencyMs: 10, config: { sack } });
  const c = connectPair(pair);
  const mss = c.client.mss;
  const warm = payload(200 * 1024, 1);
  pump(c.client, c.clientRec, warm);
  pair.clock.runUntil(() => c.serverRec.received === warm.length, 60_000);
  pair.clock.advance(100);
  const last = pair.a.host.sent[pair.a.host.sent.length - 1]!.seg;
  const start = (last.seq + last.payload.length) >>> 0;
  const lost = new Set([5, 9, 14]);
  const seen = new Set<number>();
  pair.a.host.filter = (seg) => {
    if (seg.payload.length === 0) return "pass";
    const index = ((seg.seq - start) >>> 0) / mss;
    const first = !seen.has(index);
    seen.add(index);
    return first && lost.has(index) ? "drop" : "pass";
  };
  const base = pair.a.host.sent.length;
  const before = c.client.stats();
  const data = payload(40 * mss, 2);
  expect(c.client.sendPiece(data)).to.equal(true);
  pair.clock.runUntil(() => c.serverRec.received === warm.length + data.length, 60_000);
  expect(Buffer.compare(c.serverRec.bytes().subarray(warm.length), data)).to.equal(0);
  const after = c.client.stats();
  const t0 = pair.a.host.sent[base]!.at;
  const firstSeen = new Set<number>();
  const retransmitTimes: number[] = [];
  for (const x of pair.a.host.sent.slice(base)) {
    if (x.seg.payload.length === 0) continue;
    if (firstSeen.has(x.seg.seq)) retransmitTimes.push(x.at - t0);
    firstSeen.add(x.seg.seq);
  }
  pair.close();
  return {
    retransmitTimes,
    stats: { ...after, retransmits: after.retransmits - before.retransmits, rtoEvents: after.rtoEvents - before.rtoEvents, fastRetransmits: after.fastRetransmits - before.fastRetransmits },
  };
}

describe("packet/tcp loss recovery", () => {
  it("NewReno without SACK: one fast retransmit, then one hole per partial ACK, no timeout", () => {
    const r = burstWithThreeLosses(false);
    expect(r.stats.fastRetransmits).to.equal(1);
    expect(r.stats.rtoEvents).to.equal(0);
    expect(r.stats.retransmits).to.equal(3);
    // The first goes after one RTT (20 ms, three duplicate ACKs); each partial ACK then costs a round trip.
    expect(r.retransmitTimes).to.deep.equal([20, 40, 60]);
  });

  it("SACK: one recovery episode resends all three holes in the same round trip", () => {
    const r = burstWithThreeLosses(true);
    expect(r.stats.fastRetransmits).to.equal(1);
    expect(r.stats.rtoEvents).to.equal(0);
    expect(r.stats.retransmits).to.equal(3);
    expect(r.retransmitTimes).to.deep.equal([20, 20, 20]);
  });
});
