import { expect } from "chai";
import { TcpState } from "../../../providers/packet/stack/tcp/types.js";
import { TCP_ACK } from "../../../providers/packet/wire/tcp-segment.js";
import { ADDR_A, ADDR_B, connectPair, enginePair, payload, pump } from "./harness.js";
import { encodeTcp } from "../net/packets.js";

describe("packet/tcp timers", () => {
  it("RTO: floors at the configured minimum, doubles per timeout, caps at the maximum, gives up with ETIMEDOUT", () => {
    const pair = enginePair({ latencyMs: 1, config: { rtoMinMs: 200, rtoMaxMs: 1600, dataRetries: 6 } });
    const c = connectPair(pair);
    c.client.sendPiece(payload(1000));
    pair.clock.advance(100);
    expect(c.client.stats().rto).to.equal(200); // 2 ms RTT, clamped up to the minimum
    pair.a.host.filter = () => "drop";
    const from = pair.a.host.sent.length;
    const t0 = pair.clock.now();
    c.client.sendPiece(payload(1000));
    pair.clock.runUntil(() => c.clientRec.disconnectReason !== null, 3_600_000);
    expect(c.clientRec.disconnectReason).to.equal("ETIMEDOUT");
    const times = pair.a.host.sent.slice(from).map((x) => x.at - t0);
    // Original, then retransmissions after 200, 400, 800, 1600, 1600, 1600 ms.
    expect(times).to.deep.equal([0, 200, 600, 1400, 3000, 4600, 6200]);
    expect(pair.clock.now() - t0).to.equal(7800);
    expect(c.client.stats().rtoEvents).to.equal(6);
    expect(c.client.state).to.equal(TcpState.CLOSED);
    pair.close();
  });

  it("Karn: no RTT sample from a retransmitted segment; the backed-off RTO stays until a clean sample", () => {
    const pair = enginePair({ latencyMs: 50, config: { timestamps: false } });
    const c = connectPair(pair, 80, { noDelay: true });
    expect(c.client.stats().srtt).to.equal(100); // from the SYN / SYN-ACK exchange
    const rtoBefore = c.client.stats().rto;
    const from = pair.a.host.sent.length;
    pair.a.host.filter = (_s, i) => (i === from ? "drop" : "pass");
    c.client.sendPiece(payload(100));
    pair.clock.runUntil(() => c.serverRec.received === 100, 10_000);
    pair.clock.advance(200); // the ACK of the retransmission arrives
    const after = c.client.stats();
    expect(after.retransmits).to.equal(1);
    expect(after.srtt).to.equal(100); // unchanged: the ambiguous ACK was not measured
    expect(after.rto).to.equal(rtoBefore * 2); // still backed off
    c.client.sendPiece(payload(100));
    pair.clock.advance(200);
    // A clean sample: 100 ms RTT plus the peer's 40 ms delayed ACK → SRTT = 7/8·100 + 1/8·140.
    expect(c.client.stats().srtt).to.equal(105);
    expect(c.client.stats().rto).to.be.lessThan(rtoBefore);
    pair.close();
  });

  it("with timestamps, RTT is measured from the echo even across a retransmission", () => {
    const pair = enginePair({ latencyMs: 50 });
    const c = connectPair(pair, 80, { noDelay: true });
    const from = pair.a.host.sent.length;
    pair.a.host.filter = (_s, i) => (i === from ? "drop" : "pass");
    c.client.sendPiece(payload(100));
    pair.clock.runUntil(() => c.serverRec.received === 100, 10_000);
    pair.clock.advance(200);
    const s = c.client.stats();
    expect(s.retransmits).to.equal(1);
    // The echoed timestamp is the retransmission's: a true 100 ms (+ delayed ACK) sample.
    expect(s.srtt).to.be.within(100, 150);
    pair.close();
  });

  it("an ICMP host unreachable on an open connection is the reason given when it times out", () => {
    const pair = enginePair({ latencyMs: 1, config: { dataRetries: 2 } });
    const c = connectPair(pair);
    pair.a.host.filter = () => "drop";
    c.client.sendPiece(payload(100));
    const seg = pair.a.host.sent[pair.a.host.sent.length - 1]!.seg;
    pair.a.engine.icmpError("host-unreachable", ADDR_A, ADDR_B, encodeTcp(seg, ADDR_A, ADDR_B).subarray(0, 8));
    expect(c.client.state).to.equal(TcpState.ESTABLISHED); // a soft error (RFC 1122 §4.2.3.9)
    pair.clock.runUntil(() => c.clientRec.disconnectReason !== null, 600_000);
    expect(c.clientRec.disconnectReason).to.equal("EHOSTUNREACH");
    pair.close();
  });

  it("ignores ICMP fragmentation-needed (segments go without DF), even one claiming a next-hop MTU of 0", () => {
    const pair = enginePair({ latencyMs: 1 });
    const c = connectPair(pair);
    const mss = c.client.mss;
    pair.a.host.filter = () => "drop";
    c.client.sendPiece(payload(5000));
    const seg = pair.a.host.sent[pair.a.host.sent.length - 1]!.seg;
    for (const mtu of [1000, 0]) pair.a.engine.icmpError("fragmentation-needed", ADDR_A, ADDR_B, encodeTcp(seg, ADDR_A, ADDR_B).subarray(0, 8), mtu);
    expect(c.client.mss).to.equal(mss);
    pair.a.host.filter = null;
    pair.clock.runUntil(() => c.serverRec.received === 5000, 10_000);
    expect(c.clientRec.disconnectReason).to.equal(null);
    pair.close();
  });

  it("restarts from the initial window after an idle period longer than the RTO (RFC 5681 §4.1)", () => {
    const pair = enginePair({ latencyMs: 5 });
    const c = connectPair(pair);
    const data = payload(1_000_000);
    pump(c.client, c.clientRec, data);
    pair.clock.runUntil(() => c.serverRec.received === data.length, 60_000);
    expect(c.client.stats().cwnd).to.be.greaterThan(100_000);
    pair.clock.advance(5000);
    const from = pair.a.host.sent.length;
    c.client.sendPiece(payload(100_000, 2));
    const burst = pair.a.host.sent.slice(from).filter((x) => x.seg.payload.length > 0);
    expect(burst).to.have.length(10); // IW10 segments, not the old window
    expect(c.client.stats().cwnd).to.equal(10 * c.client.mss);
    pair.close();
  });

  it("stops delivering once a data callback aborts the connection", () => {
    const pair = enginePair({ latencyMs: 5 });
    const c = connectPair(pair);
    let calls = 0;
    c.serverRec.data = () => {
      calls++;
      c.server.abort();
    };
    // Out-of-order data first, then the hole: one in-order push would deliver several chunks.
    const firstData = pair.a.host.sent.length;
    pair.a.host.filter = (_s, i) => (i === firstData ? "drop" : "pass");
    c.client.setNoDelay(true);
    c.client.sendPiece(payload(3 * c.client.mss));
    pair.clock.runUntil(() => calls > 0, 10_000);
    pair.clock.advance(100);
    expect(calls).to.equal(1);
    expect(c.server.state).to.equal(TcpState.CLOSED);
    pair.close();
  });

  describe("keepalive", () => {
    it("is off by default", () => {
      const pair = enginePair({ latencyMs: 1 });
      const c = connectPair(pair);
      const from = pair.a.host.sent.length;
      pair.clock.advance(10 * 3600 * 1000);
      expect(pair.a.host.sent.length).to.equal(from);
      expect(pair.clock.pending()).to.equal(0);
      expect(c.client.state).to.equal(TcpState.ESTABLISHED);
      pair.close();
    });

    it("probes after the idle time, is satisfied by an answer, and times out after `count` unanswered probes", () => {
      const pair = enginePair({ latencyMs: 1 });
      const c = connectPair(pair);
      c.client.setKeepAlive(true, { idleMs: 10_000, intervalMs: 1000, count: 3 });
      const t0 = pair.clock.now();
      let from = pair.a.host.sent.length;
      pair.clock.advance(10_001);
      const probe = pair.a.host.sent.slice(from);
      expect(probe).to.have.length(1);
      expect(probe[0]!.at - t0).to.equal(10_000);
      expect(probe[0]!.seg.flags).to.equal(TCP_ACK);
      expect(probe[0]!.seg.payload.length).to.equal(0);
      // SEQ = SND.NXT - 1: the peer finds it outside its window and must ACK it.
      const sndNxt = pair.b.host.sent[pair.b.host.sent.length - 1]!.seg.ack;
      expect(probe[0]!.seg.seq).to.equal((sndNxt - 1) >>> 0);
      pair.clock.advance(10);
      expect(pair.b.host.sent[pair.b.host.sent.length - 1]!.at).to.equal(t0 + 10_001);
      // Answered: the next probe only after another idle period.
      from = pair.a.host.sent.length;
      pair.clock.advance(9000);
      expect(pair.a.host.sent.length).to.equal(from);
      // Now the peer goes silent.
      pair.b.host.filter = () => "drop";
      pair.clock.runUntil(() => c.clientRec.disconnectReason !== null, 100_000);
      expect(c.clientRec.disconnectReason).to.equal("ETIMEDOUT");
      const probes = pair.a.host.sent.slice(from).map((x) => x.at - (t0 + 10_002));
      expect(probes).to.deep.equal([10_000, 11_000, 12_000]);
      expect(pair.clock.now() - (t0 + 10_002)).to.equal(13_000);
      expect(c.client.stats().keepaliveProbes).to.equal(4);
      pair.close();
    });
  });

  it("closing the engine cancels every timer", () => {
    const pair = enginePair({ latencyMs: 1 });
    const c = connectPair(pair);
    c.client.setKeepAlive(true, { idleMs: 1000 });
    pair.a.host.filter = () => "drop";
    c.client.sendPiece(payload(100_000));
    c.server.shutdown();
    pair.clock.advance(5);
    expect(pair.clock.pending()).to.be.greaterThan(0);
    pair.a.engine.close();
    pair.b.engine.close();
    pair.clock.advance(10); // let in-flight deliveries land on the closed engines
    expect(pair.clock.pending()).to.equal(0);
    expect(c.clientRec.disconnectReason).to.equal("ECONNABORTED");
    expect(pair.a.engine.connectionCount + pair.b.engine.connectionCount).to.equal(0);
  });
});
