/** RACK loss detection (RFC 8985 §6) over a scoreboard, on hand-made transmit times. */
import { expect } from "chai";
import { Rack } from "../../../providers/packet/stack/tcp/rack.js";
import { Scoreboard, type SentSegment } from "../../../providers/packet/stack/tcp/scoreboard.js";
import { seqAdd } from "../../../providers/packet/stack/tcp/seq.js";

const BASE = 0xffff_fc00;
const MSS = 100;
const at = (k: number): number => seqAdd(BASE, k * MSS);
const index = (seg: SentSegment): number => ((seg.start - BASE) >>> 0) / MSS;

/** `count` segments, segment k sent at time k. */
function flight(count: number): { sb: Scoreboard; rack: Rack } {
  const sb = new Scoreboard();
  for (let k = 0; k < count; k++) sb.sent(at(k), at(k + 1), k);
  return { sb, rack: new Rack() };
}

function sackOne(sb: Scoreboard, rack: Rack, k: number, now: number, echo: number | null = null): void {
  sb.sack(at(k), at(k + 1), (seg) => rack.delivered(seg, now, echo));
}

function detect(sb: Scoreboard, rack: Rack, now: number, reoWnd: number): { lost: number[]; wait: number } {
  const lost: number[] = [];
  const wait = rack.detectLoss(sb, now, reoWnd, (seg) => {
    lost.push(index(seg));
    sb.markLost(seg);
  });
  return { lost, wait };
}

describe("packet/tcp RACK (RFC 8985 §6)", () => {
  it("deems lost what was sent before a delivered segment once RACK.rtt + reo_wnd have passed, and says when to look again", () => {
    const { sb, rack } = flight(5);
    sackOne(sb, rack, 3, 10); // segment 3 (sent at 3) delivered at 10: RACK.rtt = 7
    expect(rack.rtt).to.equal(7);
    expect(rack.minRtt).to.equal(7);
    const reo = rack.reorderWindow(false, sb.sackedSegments, 7);
    expect(reo).to.equal(7 / 4);
    const first = detect(sb, rack, 10, reo);
    // 0: 0 + 7 + 1.75 <= 10 (lost); 1: 1 + 8.75 <= 10 (lost); 2: due 0.75 ms from now; 4 was sent later.
    expect(first.lost).to.deep.equal([0, 1]);
    expect(first.wait).to.equal(0.75);
    expect(detect(sb, rack, 10.75, reo).lost).to.deep.equal([2]);
  });

  it("finds a lost retransmission by its new transmit time, without a timeout", () => {
    const { sb, rack } = flight(4);
    sackOne(sb, rack, 1, 10);
    sackOne(sb, rack, 2, 10);
    sackOne(sb, rack, 3, 10);
    expect(detect(sb, rack, 10, rack.reorderWindow(true, 3, 10)).lost).to.deep.equal([0]);
    sb.resent(at(0), at(1), 12); // the retransmission
    sb.sent(at(4), at(5), 13); // new data after it
    sackOne(sb, rack, 4, 22); // delivered: the retransmission, sent before it, should have been too
    expect(detect(sb, rack, 22, 0).lost).to.deep.equal([0]);
    expect(sb.nextLost()?.start).to.equal(at(0));
  });

  it("takes no RTT from a retransmission whose ACK answers the original (timestamp echo) or came back impossibly fast", () => {
    const { sb, rack } = flight(2);
    sackOne(sb, rack, 1, 10); // min RTT 9
    sb.markLost(sb.first!);
    sb.resent(at(0), at(1), 20);
    sb.ackTo(at(1), (seg) => rack.delivered(seg, 30, 0)); // echo from time 0: the original's ACK
    expect([rack.rtt, rack.xmitTime]).to.deep.equal([9, 1]);
    const again = flight(2);
    sackOne(again.sb, again.rack, 1, 10);
    again.sb.markLost(again.sb.first!);
    again.sb.resent(at(0), at(1), 20);
    again.sb.ackTo(at(1), (seg) => again.rack.delivered(seg, 21, 20)); // 1 ms < min RTT 9
    expect(again.rack.xmitTime).to.equal(1);
    again.sb.sent(at(2), at(3), 22);
    again.sb.ackTo(at(3), (seg) => again.rack.delivered(seg, 31, 22));
    expect([again.rack.rtt, again.rack.xmitTime]).to.deep.equal([9, 22]);
  });

  it("sizes the reordering window: zero with no reordering seen in recovery or past DupThresh SACKs, min_RTT/4 otherwise, capped at SRTT", () => {
    const { sb, rack } = flight(6);
    sackOne(sb, rack, 4, 12); // min RTT 8
    expect(rack.reorderWindow(false, 1, 20)).to.equal(2);
    expect(rack.reorderWindow(true, 1, 20)).to.equal(0);
    expect(rack.reorderWindow(false, 3, 20)).to.equal(0);
    // Segment 2 (never retransmitted) delivered after 4: the network reorders.
    sackOne(sb, rack, 2, 13);
    expect(rack.reorderingSeen).to.equal(true);
    expect(rack.reorderWindow(true, 3, 20)).to.equal(2);
    expect(rack.reorderWindow(true, 3, 1)).to.equal(1); // capped at SRTT
  });

  it("widens the reordering window once per round trip with D-SACKs, and narrows it back after 16 recoveries without", () => {
    const { sb, rack } = flight(3);
    sackOne(sb, rack, 2, 10); // min RTT 8
    sackOne(sb, rack, 0, 11); // reordering seen
    expect(rack.reorderWindow(false, 0, 100)).to.equal(2);
    rack.noteDsack(at(0), at(3));
    rack.noteDsack(at(0), at(3)); // same round: no second widening
    expect(rack.reorderWindow(false, 0, 100)).to.equal(4);
    rack.noteDsack(at(3), at(3)); // SND.UNA passed the round's SND.NXT: a new round
    expect(rack.reorderWindow(false, 0, 100)).to.equal(6);
    for (let i = 0; i < 15; i++) rack.recoveryEnded(at(3));
    expect(rack.reorderWindow(false, 0, 100)).to.equal(6);
    rack.recoveryEnded(at(3));
    expect(rack.reorderWindow(false, 0, 100)).to.equal(2);
  });

  it("on a timeout deems lost the first unSACKed segment and those in flight for RACK.rtt + reo_wnd", () => {
    const { sb, rack } = flight(6);
    sackOne(sb, rack, 1, 10); // RACK.rtt 9
    const lost: number[] = [];
    rack.markLossesOnTimeout(sb, 14, 0, (seg) => {
      lost.push(index(seg));
      sb.markLost(seg);
    });
    // 0 is the head; 2..5 were sent at 2..5: 2+9 <= 14, ..., 5+9 <= 14.
    expect(lost).to.deep.equal([0, 2, 3, 4, 5]);
    const fresh = flight(6);
    sackOne(fresh.sb, fresh.rack, 1, 10);
    const few: number[] = [];
    fresh.rack.markLossesOnTimeout(fresh.sb, 12, 0, (seg) => {
      few.push(index(seg));
      fresh.sb.markLost(seg);
    });
    expect(few).to.deep.equal([0, 2, 3]);
  });
});
