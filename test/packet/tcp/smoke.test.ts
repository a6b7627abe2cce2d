import { expect } from "chai";
import { TcpState } from "../../../providers/packet/stack/tcp/types.js";
import { connectPair, enginePair, payload, pump } from "./harness.js";

describe("tcp smoke", () => {
  it("connects and moves 1 MB", () => {
    const pair = enginePair();
    const c = connectPair(pair);
    expect(c.client.state).to.equal(TcpState.ESTABLISHED);
    expect(c.server.state).to.equal(TcpState.ESTABLISHED);
    const data = payload(1 << 20);
    pump(c.client, c.clientRec, data);
    const ok = pair.clock.runUntil(() => c.serverRec.received >= data.length, 600_000);
    console.log(pair.clock.now(), c.client.stats());
    expect(ok).to.equal(true);
    expect(Buffer.from(c.serverRec.bytes()).equals(Buffer.from(data))).to.equal(true);
    pair.close();
  });
});
