/** The tail loss probe's timer and its ACK (RFC 8985 §7). */
import { expect } from "chai";
import { LossProbe, MAX_ACK_DELAY_MS } from "../../../providers/packet/stack/tcp/loss-probe.js";

describe("packet/tcp tail loss probe (RFC 8985 §7)", () => {
  it("times out after 2·SRTT, plus the worst delayed ACK with one segment in flight, floored, never after the RTO", () => {
    expect(LossProbe.timeout(30, false, 1000, 10)).to.equal(60);
    expect(LossProbe.timeout(30, true, 1000, 10)).to.equal(60 + MAX_ACK_DELAY_MS);
    expect(LossProbe.timeout(2, false, 1000, 10), "floor").to.equal(10);
    expect(LossProbe.timeout(-1, false, 5000, 10), "no RTT sample yet: 1 s").to.equal(1000);
    expect(LossProbe.timeout(300, false, 250, 10), "capped at the RTO").to.equal(250);
  });

  it("calls a probe of new data, or a retransmission the peer reports twice (D-SACK), harmless", () => {
    const p = new LossProbe();
    expect(p.onAck(100, false, false)).to.equal("pending");
    p.sent(90, 100, false);
    expect(p.outstanding).to.equal(true);
    expect(p.onAck(95, false, false)).to.equal("pending");
    expect(p.onAck(100, false, false)).to.equal("harmless");
    expect(p.outstanding).to.equal(false);
    p.sent(90, 100, true);
    expect(p.overlaps(90, 100)).to.equal(true);
    expect(p.overlaps(100, 110)).to.equal(false);
    expect(p.onAck(100, true, false)).to.equal("harmless");
    expect(p.probesSent).to.equal(2);
  });

  it("calls a retransmitted probe a repaired loss once an ACK goes past it without a D-SACK, or repeats it without SACK", () => {
    const p = new LossProbe();
    p.sent(90, 100, true);
    expect(p.onAck(100, false, false), "maybe the original's ACK: wait").to.equal("pending");
    expect(p.onAck(120, false, false)).to.equal("repaired");
    p.sent(190, 200, true);
    expect(p.onAck(200, false, true), "a duplicate ACK without SACK: the receiver cannot D-SACK").to.equal("repaired");
    p.sent(290, 300, true);
    p.reset();
    expect(p.onAck(400, false, false)).to.equal("pending");
  });
});
