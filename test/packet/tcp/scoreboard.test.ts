/** The per-segment scoreboard (RFC 6675 §3-4): SACK marking, pipe, NextSeg() candidates, across the sequence wrap. */
import { expect } from "chai";
import { Scoreboard, type SentSegment } from "../../../providers/packet/stack/tcp/scoreboard.js";
import { seqAdd } from "../../../providers/packet/stack/tcp/seq.js";

const UNA = 0xffff_f000; // ten 1000-byte segments straddle 2^32
const MSS = 1000;
const at = (k: number): number => seqAdd(UNA, k * MSS);
/** Segment index of a scoreboard entry. */
const index = (seg: SentSegment | null | undefined): number | null => (seg == null ? null : ((seg.start - UNA) >>> 0) / MSS);

function tenSegments(): Scoreboard {
  const sb = new Scoreboard();
  for (let k = 0; k < 10; k++) sb.sent(at(k), at(k + 1), k); // segment k left at time k
  return sb;
}

describe("packet/tcp scoreboard (RFC 6675)", () => {
  it("marks whole segments a SACK block covers, tells who was delivered, and counts pipe", () => {
    const sb = tenSegments();
    const delivered: Array<number | null> = [];
    expect(sb.sack(at(2), at(5), (s) => delivered.push(index(s)))).to.equal(3 * MSS);
    expect(delivered).to.deep.equal([2, 3, 4]);
    expect(sb.sack(at(2), at(5), () => delivered.push(-1)), "nothing new").to.equal(0);
    expect(sb.sack(at(6) + 500, at(8), () => undefined), "a block covering part of a segment marks only whole ones").to.equal(MSS);
    expect(sb.sackedSegments).to.equal(4);
    expect(sb.highSacked).to.equal(at(8));
    const flight = 10 * MSS;
    expect(sb.pipe(flight)).to.equal(6 * MSS);
    // Deemed lost: out of the pipe; retransmitted: back in it.
    sb.markLost(sb.first!);
    expect(sb.pipe(flight)).to.equal(5 * MSS);
    expect(index(sb.nextLost())).to.equal(0);
    sb.resent(at(0), at(1), 20);
    expect(sb.pipe(flight)).to.equal(6 * MSS);
    expect(sb.nextLost(), "a lost segment being resent is not offered again").to.equal(null);
    // Resent without being deemed lost (a rescue): it counts twice until acknowledged.
    sb.resent(at(9), at(10), 21);
    expect(sb.pipe(flight)).to.equal(7 * MSS);
    // Lost again (RACK saw a later transmission delivered): out of the pipe, offered again.
    sb.markLost(sb.first!);
    expect(sb.pipe(flight)).to.equal(6 * MSS);
    expect(index(sb.nextLost())).to.equal(0);
  });

  it("offers NextSeg() rule 3 (unSACKed below the highest SACK) and rule 4 (the last unSACKed) candidates", () => {
    const sb = tenSegments();
    sb.sack(at(3), at(4), () => undefined);
    sb.sack(at(6), at(7), () => undefined);
    sb.markLost(sb.first!);
    expect(index(sb.nextUnsackedBelowHighSack()), "0 is lost: rule 1's, not rule 3's").to.equal(1);
    sb.resent(at(1), at(2), 30);
    expect(index(sb.nextUnsackedBelowHighSack())).to.equal(2);
    expect(index(sb.lastUnsacked())).to.equal(9);
    sb.sack(at(9), at(10), () => undefined);
    expect(index(sb.lastUnsacked())).to.equal(8);
    expect(index(sb.firstUnsacked())).to.equal(0);
  });

  it("walks the segments in flight in transmission order, retransmissions last, without lost or SACKed ones", () => {
    const sb = tenSegments();
    sb.sack(at(4), at(5), () => undefined);
    sb.markLost(sb.first!);
    sb.resent(at(0), at(1), 50);
    sb.markLost(sb.last!);
    const order: Array<number | null> = [];
    for (let s = sb.oldestInFlight; s !== null; s = s.nextSent) order.push(index(s));
    expect(order).to.deep.equal([1, 2, 3, 5, 6, 7, 8, 0]);
  });

  it("resends small neighbours together as one full segment and splits a segment a shorter retransmission cuts", () => {
    const sb = new Scoreboard();
    sb.sent(at(0), at(0) + 1, 0); // a zero-window probe's byte
    sb.sent(at(0) + 1, at(1), 1);
    sb.sent(at(1), at(2), 2);
    sb.markAllLost();
    const first = sb.nextLost()!;
    const end = sb.extentFrom(first, MSS);
    expect(end, "the probe's byte and the rest of its segment").to.equal(at(1));
    sb.resent(at(0), end, 10);
    expect(sb.pipe(2 * MSS)).to.equal(MSS);
    // Now resend only 600 bytes of the next one: the remaining 400 stay lost and unsent.
    sb.resent(at(1), at(1) + 600, 11);
    expect(sb.nextLost()!.start).to.equal(at(1) + 600);
    expect(sb.pipe(2 * MSS)).to.equal(MSS + 600);
  });

  it("forgets what a cumulative ACK covers, partly acknowledged segments included, and clears SACKs into losses", () => {
    const sb = tenSegments();
    sb.sack(at(5), at(7), () => undefined);
    const delivered: Array<number | null> = [];
    sb.ackTo(at(2), (s) => delivered.push(index(s)));
    expect(delivered).to.deep.equal([0, 1]);
    sb.ackTo(at(2) + 300, () => undefined);
    expect(sb.first!.start).to.equal(at(2) + 300);
    expect(sb.pipe(8 * MSS - 300), "the flight less the two SACKed segments").to.equal(6 * MSS - 300);
    // The receiver may have reneged: its SACKs become losses to resend.
    sb.clearSacks();
    expect(sb.sackedBytes).to.equal(0);
    expect(sb.lostBytes).to.equal(2 * MSS);
    expect(index(sb.nextLost())).to.equal(5);
    sb.ackTo(at(10), () => undefined);
    expect(sb.isEmpty).to.equal(true);
    expect([sb.sackedBytes, sb.lostBytes, sb.retransBytes, sb.highSacked]).to.deep.equal([0, 0, 0, null]);
  });
});
