/**
 * What a provider keeping the process alive reads from the engine: a connection has something
 * outstanding from its SYN until its data and FIN are acknowledged (also after close()), the engine
 * counts busy and open (not TIME_WAIT, not CLOSED) connections, and says when they change.
 */
import { expect } from "chai";
import type { UserHost } from "../../../providers/packet/host.js";
import type { MemoryLinkDevice } from "../../../providers/packet/link/memory.js";
import { TcpState } from "../../../providers/packet/stack/tcp/types.js";
import { Net, ip } from "../net/harness.js";
import { Recorder } from "./harness.js";

describe("packet/tcp: outstanding work and the engine's activity", () => {
  let net: Net;
  let a: UserHost<MemoryLinkDevice>;
  let b: UserHost<MemoryLinkDevice>;
  let activity: number;
  beforeEach(() => {
    net = new Net({ latencyMs: 1 });
    a = net.host(1, { tcp: { mslMs: 1000 } });
    b = net.host(2, { tcp: { mslMs: 1000 } });
    activity = 0;
    a.tcp.onActivity = () => activity++;
  });
  afterEach(async () => {
    await net.close();
    expect(net.clock.pending(), "timers left behind").to.equal(0);
  });

  it("is busy from the SYN until the data and the FIN are acknowledged, also after close(); open until TIME_WAIT", () => {
    const server = new Recorder();
    const listener = b.tcp.listen({ port: 80 }, { connectionIndication: (ind) => (server.conn = listener.accept(ind.sequence, server)) });
    const client = new Recorder(net.clock);
    const conn = a.tcp.connect({ remote: { address: ip(2), port: 80 } }, client);
    client.conn = conn;
    expect(conn.outstanding, "a connect under way").to.equal(true);
    expect([a.tcp.busyConnections, a.tcp.openConnections]).to.deep.equal([1, 1]);
    expect(activity).to.be.greaterThan(0);
    expect(net.clock.runUntil(() => conn.state === TcpState.ESTABLISHED && !conn.outstanding, 10_000)).to.equal(true);
    expect(a.tcp.busyConnections, "established, nothing sent").to.equal(0);
    const before = activity;
    expect(conn.sendPiece(new Uint8Array(100_000))).to.equal(true);
    expect(conn.outstanding, "data not yet acknowledged").to.equal(true);
    expect(a.tcp.busyConnections).to.equal(1);
    expect(activity).to.be.greaterThan(before);
    conn.close(); // a FIN after the data; the connection finishes on its own
    expect(conn.outstanding).to.equal(true);
    expect(net.clock.runUntil(() => !conn.outstanding, 10_000), "everything acknowledged").to.equal(true);
    expect(server.received).to.equal(100_000);
    expect([a.tcp.busyConnections, a.tcp.openConnections], "FIN_WAIT_2: not busy, still open").to.deep.equal([0, 1]);
    server.conn!.close();
    expect(net.clock.runUntil(() => conn.state === TcpState.TIME_WAIT, 10_000)).to.equal(true);
    expect([a.tcp.busyConnections, a.tcp.openConnections], "TIME_WAIT: neither").to.deep.equal([0, 0]);
    listener.close();
  });

  it("a reset connection is neither busy nor open", () => {
    const conn = a.tcp.connect({ remote: { address: ip(2), port: 81 } }, new Recorder());
    expect(a.tcp.busyConnections).to.equal(1);
    expect(net.clock.runUntil(() => conn.state === TcpState.CLOSED, 10_000), "refused").to.equal(true);
    expect([a.tcp.busyConnections, a.tcp.openConnections]).to.deep.equal([0, 0]);
  });
});
