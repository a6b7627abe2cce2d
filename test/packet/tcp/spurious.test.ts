/** D-SACK based detection of spurious retransmissions (RFC 3708). */
import { expect } from "chai";
import { SpuriousRetransmitDetector } from "../../../providers/packet/stack/tcp/spurious.js";

describe("packet/tcp spurious retransmission detection (RFC 3708)", () => {
  it("declares an episode spurious only once every retransmission in it was D-SACKed", () => {
    const d = new SpuriousRetransmitDetector();
    d.begin(1000);
    d.retransmitted(1000, 1100);
    d.retransmitted(1300, 1400);
    expect(d.allSpurious).to.equal(false);
    expect(d.dsack(1000, 1100)).to.equal(true);
    expect(d.allSpurious).to.equal(false);
    expect(d.dsack(1000, 1100), "the same D-SACK again retires nothing").to.equal(false);
    expect(d.dsack(1300, 1400)).to.equal(true);
    expect(d.allSpurious).to.equal(true);
    d.end();
    expect(d.allSpurious).to.equal(false);
  });

  it("ignores D-SACKs of segments the network duplicated, and D-SACKs from before the episode", () => {
    const d = new SpuriousRetransmitDetector();
    d.begin(5000);
    d.retransmitted(5000, 5100);
    expect(d.dsack(6000, 6100), "an original the network duplicated").to.equal(false);
    expect(d.dsack(4000, 4100), "an older episode's").to.equal(false);
    expect(d.allSpurious).to.equal(false);
    expect(d.dsack(5000, 5100)).to.equal(true);
    expect(d.allSpurious).to.equal(true);
  });

  it("leaves retransmissions made after the recovery ended out of the episode", () => {
    const d = new SpuriousRetransmitDetector();
    d.begin(0);
    d.retransmitted(0, 100);
    d.recoveryEnded();
    d.retransmitted(900, 1000); // a loss probe, say: not the episode's
    expect(d.dsack(0, 100)).to.equal(true);
    expect(d.allSpurious).to.equal(true);
  });

  it("cannot call an episode without D-SACKs spurious, nor one too large to track", () => {
    const d = new SpuriousRetransmitDetector();
    d.begin(0);
    expect(d.allSpurious, "nothing retransmitted, nothing D-SACKed").to.equal(false);
    for (let i = 0; i < 1025; i++) d.retransmitted(i * 10, i * 10 + 10);
    for (let i = 0; i < 1025; i++) d.dsack(i * 10, i * 10 + 10);
    expect(d.allSpurious).to.equal(false);
  });
});
