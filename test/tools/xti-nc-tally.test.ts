import { createHash } from "node:crypto";
import { expect } from "chai";
import { TransferTally } from "../../tools/xti-nc/tally.js";

const sha256 = (data: Uint8Array): string => createHash("sha256").update(data).digest("hex");

describe("tools/xti-nc: TransferTally", () => {
  it("counts bytes and digests each direction over all its pieces, and keeps running after a snapshot", () => {
    const tally = new TransferTally();
    tally.countSent(Buffer.from("hello, "));
    tally.countReceived(Buffer.from("abc"));
    const first = tally.totals();
    expect(first).to.deep.equal({
      sent: 7,
      sentSha256: sha256(Buffer.from("hello, ")),
      received: 3,
      receivedSha256: sha256(Buffer.from("abc")),
    });
    tally.countSent(Buffer.from("world"));
    expect(tally.sent).to.equal(12);
    expect(tally.totals().sentSha256).to.equal(sha256(Buffer.from("hello, world")));
    expect(tally.totals().receivedSha256, "an untouched direction keeps its digest").to.equal(first.receivedSha256);
  });

  it("reports the digest of nothing before anything is counted", () => {
    const empty = sha256(new Uint8Array(0));
    expect(new TransferTally().totals()).to.deep.equal({ sent: 0, sentSha256: empty, received: 0, receivedSha256: empty });
  });
});
