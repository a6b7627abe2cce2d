/**
 * Loss recovery between two engines with a known fate for each segment: NewReno partial ACKs
 * (RFC 6582), SACK recovery (RFC 6675), RACK finding a lost retransmission, the tail loss probe
 * (RFC 8985 §7), limited transmit (RFC 3042), and D-SACK undoing a spurious recovery (RFC 3708);
 * then the same recovery under BBR, which paces and keeps a larger window.
 */
import { expect } from "chai";
import type { TcpConfig } from "../../../providers/packet/stack/tcp/config.js";
import type { ConnectionStats } from "../../../providers/packet/stack/tcp/types.js";
import { type FilterVerdict, connectPair, enginePair, payload, pump } from "./harness.js";

const RTT = 20; // 10 ms each way

interface Send {
  /** Segment index in the burst. */
  index: number;
  /** Time since the burst began. */
  at: number;
  /** 0 for the first transmission. */
  attempt: number;
}

interface Outcome {
  sends: Send[];
  /** Counters of the burst alone. */
  stats: ConnectionStats;
  cwndBefore: number;
  cwndAfter: number;
}

type Counter = "retransmits" | "rtoEvents" | "fastRetransmits" | "lossProbes" | "rackLosses" | "dsacksReceived" | "undoneRecoveries" | "rescueRetransmits";
const COUNTERS: Counter[] = ["retransmits", "rtoEvents", "fastRetransmits", "lossProbes", "rackLosses", "dsacksReceived", "undoneRecoveries", "rescueRetransmits"];

/**
 * Send `count` full segments at once from A to B and let `fate(index, attempt)` decide what
 * happens to each transmission of each. `warm` first moves 200 KiB, so that cwnd covers the burst.
 */
function burst(options: { count: number; fate: (index: number, attempt: number) => FilterVerdict; config?: Partial<TcpConfig>; warm?: boolean }): Outcome {
  const pair = enginePair({ latencyMs: RTT / 2, config: options.config ?? {} });
  const c = connectPair(pair);
  const mss = c.client.mss;
  let received = 0;
  if (options.warm !== false) {
    const warm = payload(200 * 1024, 1);
    pump(c.client, c.clientRec, warm);
    pair.clock.runUntil(() => c.serverRec.received === warm.length, 60_000);
    pair.clock.advance(100);
    received = warm.length;
  }
  const last = pair.a.host.segments((s) => s.payload.length > 0).at(-1);
  const start = last === undefined ? (pair.a.host.sent[0]!.seg.seq + 1) >>> 0 : (last.seq + last.payload.length) >>> 0;
  const attempts = new Map<number, number>();
  const sends: Send[] = [];
  let t0 = -1;
  pair.a.host.filter = (seg) => {
    if (seg.payload.length === 0) return "pass";
    if (t0 < 0) t0 = pair.clock.now();
    const index = ((seg.seq - start) >>> 0) / mss;
    const attempt = attempts.get(index) ?? 0;
    attempts.set(index, attempt + 1);
    sends.push({ index, at: pair.clock.now() - t0, attempt });
    return options.fate(index, attempt);
  };
  const before = c.client.stats();
  const data = payload(options.count * mss, 2);
  expect(c.client.sendPiece(data)).to.equal(true);
  expect(pair.clock.runUntil(() => c.serverRec.received === received + data.length, 60_000), "the burst arrived").to.equal(true);
  pair.clock.advance(200); // late ACKs, D-SACKs
  expect(Buffer.compare(c.serverRec.bytes().subarray(received), data)).to.equal(0);
  const after = c.client.stats();
  const stats = { ...after };
  for (const k of COUNTERS) stats[k] = after[k] - before[k];
  pair.close();
  return { sends, stats, cwndBefore: before.cwnd, cwndAfter: after.cwnd };
}

const retransmissions = (o: Outcome): Send[] => o.sends.filter((s) => s.attempt > 0);
const firstTimeLost = (lost: readonly number[]) => (index: number, attempt: number): FilterVerdict => (attempt === 0 && lost.includes(index) ? "drop" : "pass");

describe("packet/tcp loss recovery", () => {
  it("NewReno without SACK: one fast retransmit, then one hole per partial ACK, no timeout", () => {
    const r = burst({ count: 40, fate: firstTimeLost([5, 9, 14]), config: { sack: false } });
    expect(r.stats.fastRetransmits).to.equal(1);
    expect(r.stats.rtoEvents).to.equal(0);
    expect(r.stats.retransmits).to.equal(3);
    // The first goes after one RTT (three duplicate ACKs); each partial ACK then costs a round trip.
    expect(retransmissions(r).map((s) => s.at)).to.deep.equal([RTT, 2 * RTT, 3 * RTT]);
  });

  it("SACK: one recovery episode resends all three holes in the same round trip", () => {
    const r = burst({ count: 40, fate: firstTimeLost([5, 9, 14]) });
    expect(r.stats.fastRetransmits).to.equal(1);
    expect(r.stats.rtoEvents).to.equal(0);
    expect(r.stats.retransmits).to.equal(3);
    expect(retransmissions(r).map((s) => [s.index, s.at])).to.deep.equal([
      [5, RTT],
      [9, RTT],
      [14, RTT],
    ]);
  });

  it("RACK: a lost retransmission is found when data sent after it is delivered, and resent without a timeout", () => {
    // More data than the window: new segments follow the first retransmission and reveal its loss.
    const r = burst({ count: 120, fate: (index, attempt) => (index === 5 && attempt < 2 ? "drop" : "pass") });
    expect(r.stats.rtoEvents).to.equal(0);
    const resends = retransmissions(r);
    expect(resends.map((s) => s.index)).to.deep.equal([5, 5]);
    expect(resends[1]!.at - resends[0]!.at, "one round trip after the first").to.be.at.most(RTT + 2);
    expect(r.stats.rackLosses).to.equal(2);
  });

  it("TLP: the last three segments lost are found by one probe and resent within a few RTTs, with no timeout", () => {
    const r = burst({ count: 10, fate: firstTimeLost([7, 8, 9]) });
    expect(r.stats.rtoEvents).to.equal(0);
    expect(r.stats.lossProbes).to.equal(1);
    const resends = retransmissions(r);
    // The probe resends the last segment 2·SRTT after the last ACK, well before the 200 ms RTO;
    // its SACK shows RACK that 7 and 8 were lost, and they go one RTT later.
    expect(resends.map((s) => s.index)).to.deep.equal([9, 7, 8]);
    expect(resends[0]!.at).to.be.below(200);
    expect(resends[2]!.at - resends[0]!.at).to.equal(RTT);
    const without = burst({ count: 10, fate: firstTimeLost([7, 8, 9]), config: { lossProbes: false } });
    expect(without.stats.rtoEvents, "without probes the same loss costs a timeout").to.equal(1);
    expect(retransmissions(without)[0]!.at).to.be.at.least(200);
  });

  for (const congestionControl of ["cubic", "newreno"] as const) {
    it(`D-SACK: a segment only delayed, resent as lost, is reported twice and the window reduction is undone (${congestionControl})`, () => {
      const r = burst({ count: 20, fate: (index, attempt) => (index === 5 && attempt === 0 ? 30 : "pass"), config: { congestionControl } });
      expect(r.stats.fastRetransmits, "RACK deemed it lost").to.equal(1);
      expect(retransmissions(r).map((s) => s.index)).to.deep.equal([5]);
      expect(r.stats.dsacksReceived).to.equal(1);
      expect(r.stats.undoneRecoveries).to.equal(1);
      expect(r.cwndAfter, "the window is back where it was").to.be.at.least(r.cwndBefore);
      const lost = burst({ count: 20, fate: firstTimeLost([5]), config: { congestionControl } });
      expect(lost.stats.undoneRecoveries, "a real loss is not undone").to.equal(0);
      expect(lost.cwndAfter).to.be.below(lost.cwndBefore);
    });
  }

  for (const sack of [true, false]) {
    it(`limited transmit (RFC 3042): the first two duplicate ACKs each release a new segment before the fast retransmit (${sack ? "SACK" : "no SACK"})`, () => {
      // A fresh connection: the initial window of 10 segments, the first of them lost, more queued.
      const r = burst({ count: 30, warm: false, fate: firstTimeLost([0]), config: { sack } });
      const afterFirstFlight = r.sends.filter((s) => s.at === RTT);
      expect(afterFirstFlight.map((s) => [s.index, s.attempt])).to.deep.include.members([
        [10, 0],
        [11, 0],
        [0, 1],
      ]);
      const order = afterFirstFlight.map((s) => s.index);
      expect(order.indexOf(10)).to.be.below(order.indexOf(0));
      expect(order.indexOf(11)).to.be.below(order.indexOf(0));
      expect(r.stats.rtoEvents).to.equal(0);
    });
  }
});

describe("packet/tcp loss recovery under BBR", () => {
  const bbr = { congestionControl: "bbr" } as const;

  it("SACK: one recovery episode resends all three holes in the same round trip", () => {
    const r = burst({ count: 40, fate: firstTimeLost([5, 9, 14]), config: bbr });
    expect(r.stats.fastRetransmits).to.equal(1);
    expect(r.stats.rtoEvents).to.equal(0);
    expect(retransmissions(r).map((s) => [s.index, s.at])).to.deep.equal([
      [5, RTT],
      [9, RTT],
      [14, RTT],
    ]);
  });

  it("RACK: a lost retransmission is found when data sent after it is delivered, and resent without a timeout", () => {
    // BBR's window holds far more than CUBIC's: enough data that new segments follow the resend.
    const r = burst({ count: 600, fate: (index, attempt) => (index === 5 && attempt < 2 ? "drop" : "pass"), config: bbr });
    expect(r.stats.rtoEvents).to.equal(0);
    const resends = retransmissions(r);
    expect(resends.map((s) => s.index)).to.deep.equal([5, 5]);
    expect(resends[1]!.at - resends[0]!.at, "about one round trip after the first").to.be.at.most(RTT + 5);
  });

  it("TLP: the last three segments lost are found by one probe, with no timeout", () => {
    const r = burst({ count: 10, fate: firstTimeLost([7, 8, 9]), config: bbr });
    expect(r.stats.rtoEvents).to.equal(0);
    expect(r.stats.lossProbes).to.equal(1);
    const resends = retransmissions(r);
    expect(resends.map((s) => s.index)).to.deep.equal([9, 7, 8]);
    expect(resends[2]!.at).to.be.below(200);
  });

  it("D-SACK: a spurious recovery is recognised and undone; a real single loss does not shrink the window (loss is not BBR's signal)", () => {
    const r = burst({ count: 20, fate: (index, attempt) => (index === 5 && attempt === 0 ? 30 : "pass"), config: bbr });
    expect(r.stats.dsacksReceived).to.equal(1);
    expect(r.stats.undoneRecoveries).to.equal(1);
    expect(r.cwndAfter).to.be.at.least(r.cwndBefore);
    const lost = burst({ count: 20, fate: firstTimeLost([5]), config: bbr });
    expect(lost.stats.undoneRecoveries).to.equal(0);
    expect(lost.stats.retransmits).to.equal(1);
    expect(lost.cwndAfter).to.be.at.least(lost.cwndBefore);
  });
});
