/**
 * Binding a TCP address before listening or connecting (what XTI's t_bind needs), over two hosts
 * on the in-memory hub: the port is reserved at bind time, held by what is made from it, and given
 * back when the last holder is gone.
 */
import { expect } from "chai";
import type { UserHost } from "../../../providers/packet/host.js";
import type { MemoryLinkDevice } from "../../../providers/packet/link/memory.js";
import { EPHEMERAL_PORT_MAX, EPHEMERAL_PORT_MIN } from "../../../providers/packet/stack/port-table.js";
import type { TcpConnection } from "../../../providers/packet/stack/tcp/connection.js";
import { TcpError, TcpState } from "../../../providers/packet/stack/tcp/types.js";
import { Net, ip } from "../net/harness.js";
import { Recorder } from "./harness.js";

/** A listener on `server` port `port` that accepts everything, keeping the connections. */
function acceptAll(server: UserHost, port: number): TcpConnection[] {
  const accepted: TcpConnection[] = [];
  const listener = server.tcp.listen({ port, reuseAddress: true }, {
    connectionIndication: (ind) => {
      const rec = new Recorder();
      rec.conn = listener.accept(ind.sequence, rec);
      accepted.push(rec.conn);
    },
  });
  return accepted;
}

function errorCode(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof TcpError) return err.code;
    throw err;
  }
  return "no error";
}

describe("packet/tcp binding a port before listen or connect", () => {
  let net: Net;
  let a: UserHost<MemoryLinkDevice>;
  let b: UserHost<MemoryLinkDevice>;
  beforeEach(() => {
    net = new Net({ latencyMs: 1 });
    a = net.host(1, { tcp: { mslMs: 1000 } });
    b = net.host(2, { tcp: { mslMs: 1000 } });
  });
  afterEach(async () => {
    await net.close();
    expect(net.clock.pending(), "timers left behind").to.equal(0);
  });

  it("binds the wildcard address and an ephemeral port for an empty request, a different port each time", () => {
    const first = a.tcp.bind();
    const second = a.tcp.bind({});
    expect(first.local.address).to.equal(0);
    expect(first.local.port).to.be.within(EPHEMERAL_PORT_MIN, EPHEMERAL_PORT_MAX);
    expect(second.local.port).to.not.equal(first.local.port);
    expect(a.tcp.reservedPorts).to.equal(2);
    first.close();
    second.close();
    expect(a.tcp.reservedPorts).to.equal(0);
  });

  it("refuses a taken port at bind time, also when its holder never listens", () => {
    const idle = a.tcp.bind({ port: 7000 });
    expect(errorCode(() => a.tcp.bind({ port: 7000 }))).to.equal("EADDRINUSE");
    expect(errorCode(() => a.tcp.bind({ port: 7000, address: ip(1) })), "the wildcard covers our address").to.equal("EADDRINUSE");
    expect(errorCode(() => a.tcp.listen({ port: 7000 }))).to.equal("EADDRINUSE");
    expect(errorCode(() => a.tcp.connect({ remote: { address: ip(2), port: 80 }, localPort: 7000 }))).to.equal("EADDRINUSE");
    idle.close();
    idle.close(); // idempotent
    a.tcp.bind({ port: 7000, address: ip(1) }).close();
  });

  it("rejects addresses that are not ours and bad ports, and a closed binding", () => {
    expect(errorCode(() => a.tcp.bind({ address: ip(2) }))).to.equal("EADDRNOTAVAIL");
    for (const port of [-1, 65536, 2.5]) expect(errorCode(() => a.tcp.bind({ port })), String(port)).to.equal("EINVAL");
    const binding = a.tcp.bind();
    binding.close();
    expect(binding.isOpen).to.equal(false);
    expect(errorCode(() => binding.listen())).to.equal("EINVAL");
    expect(errorCode(() => binding.connect({ remote: { address: ip(2), port: 80 } }))).to.equal("EINVAL");
    expect(a.tcp.reservedPorts).to.equal(0);
  });

  it("listens on the bound port, once, and holds it while the listener lives", () => {
    const binding = b.tcp.bind({ reuseAddress: true });
    const other = b.tcp.bind({ port: binding.local.port, reuseAddress: true });
    const listener = binding.listen({ backlog: 2 }, {});
    expect(listener.port).to.equal(binding.local.port);
    expect(errorCode(() => binding.listen())).to.equal("EINVAL");
    expect(errorCode(() => binding.connect({ remote: { address: ip(1), port: 80 } })), "a listening port cannot connect").to.equal("EINVAL");
    expect(errorCode(() => other.listen()), "a second listener on the port").to.equal("EADDRINUSE");
    expect(errorCode(() => b.tcp.bind({ port: binding.local.port, reuseAddress: true })), "reuse never shares with a listener").to.equal("EADDRINUSE");
    other.close();
    binding.close();
    expect(b.tcp.reservedPorts, "the listener still holds the port").to.equal(1);
    const rec = new Recorder(net.clock);
    a.tcp.connect({ remote: { address: ip(2), port: listener.port } }, rec);
    net.clock.runUntil(() => rec.connectedAt >= 0, 10_000);
    expect(rec.events).to.deep.equal(["connected"]);
    listener.close();
    expect(b.tcp.reservedPorts).to.equal(0);
  });

  it("connects from the bound port, the address chosen by routing, and again after the connection is over", () => {
    const accepted = acceptAll(b, 80);
    acceptAll(b, 81);
    const binding = a.tcp.bind({ port: 6000 });
    const rec = new Recorder(net.clock);
    const conn = binding.connect({ remote: { address: ip(2), port: 80 } }, rec);
    expect(conn.local).to.deep.equal({ address: ip(1), port: 6000 });
    net.clock.runUntil(() => accepted.length === 1, 10_000);
    expect(accepted[0]!.remote).to.deep.equal({ address: ip(1), port: 6000 });

    // We close first: our side ends in TIME_WAIT, which keeps that 4-tuple from being reused.
    conn.shutdown();
    accepted[0]!.shutdown();
    net.clock.runUntil(() => conn.state === TcpState.TIME_WAIT, 10_000);
    expect(errorCode(() => binding.connect({ remote: { address: ip(2), port: 80 } }))).to.equal("EADDRINUSE");
    // Another peer port is another 4-tuple.
    const second = binding.connect({ remote: { address: ip(2), port: 81 } }, new Recorder(net.clock));
    net.clock.runUntil(() => second.state === TcpState.ESTABLISHED, 10_000);
    second.abort();
    net.clock.runUntil(() => conn.state === TcpState.CLOSED, 10_000);
    const third = binding.connect({ remote: { address: ip(2), port: 80 } }, new Recorder(net.clock));
    net.clock.runUntil(() => third.state === TcpState.ESTABLISHED, 10_000);
    expect(third.local.port).to.equal(6000);
    third.abort();
    binding.close();
    expect(a.tcp.reservedPorts).to.equal(0);
  });

  it("keeps a port a connection still uses after its binding is closed, until the connection is gone", () => {
    acceptAll(b, 80);
    const binding = a.tcp.bind({ port: 6001 });
    const conn = binding.connect({ remote: { address: ip(2), port: 80 } }, new Recorder(net.clock));
    binding.close();
    net.clock.runUntil(() => conn.state === TcpState.ESTABLISHED, 10_000);
    expect(errorCode(() => a.tcp.bind({ port: 6001 }))).to.equal("EADDRINUSE");
    conn.abort();
    expect(a.tcp.reservedPorts).to.equal(0);
    a.tcp.bind({ port: 6001 }).close();
  });

  it("gives an ephemeral port back when the connection that drew it ends", () => {
    acceptAll(b, 80);
    const rec = new Recorder(net.clock);
    const conn = a.tcp.connect({ remote: { address: ip(2), port: 80 } }, rec);
    expect(conn.local.port).to.be.within(EPHEMERAL_PORT_MIN, EPHEMERAL_PORT_MAX);
    expect(a.tcp.reservedPorts).to.equal(1);
    net.clock.runUntil(() => rec.connectedAt >= 0, 10_000);
    conn.shutdown();
    net.clock.runUntil(() => conn.state === TcpState.TIME_WAIT || conn.state === TcpState.FIN_WAIT_2, 10_000);
    expect(a.tcp.reservedPorts, "held through the close").to.equal(1);
    conn.abort();
    expect(a.tcp.reservedPorts).to.equal(0);
  });

  it("lets connections accepted by a listener hold its port after the listener closes", () => {
    let server: TcpConnection | null = null;
    const listener = b.tcp.listen({ port: 90 }, { connectionIndication: (ind) => (server = listener.accept(ind.sequence, new Recorder())) });
    a.tcp.connect({ remote: { address: ip(2), port: 90 } }, new Recorder(net.clock));
    net.clock.runUntil(() => server !== null, 10_000);
    listener.close();
    expect(b.tcp.reservedPorts).to.equal(1);
    expect(errorCode(() => b.tcp.listen({ port: 90 }))).to.equal("EADDRINUSE");
    expect(errorCode(() => b.tcp.listen({ port: 90, reuseAddress: true })), "the old listener did not ask for reuse").to.equal("EADDRINUSE");
    server!.abort();
    expect(b.tcp.reservedPorts).to.equal(0);
    b.tcp.listen({ port: 90 }).close();
  });

  it("keeps TCP's ports apart from UDP's", () => {
    const binding = a.tcp.bind({ port: 5353 });
    const socket = a.stack.udp.open({ port: 5353 }, { message: () => undefined });
    expect(socket.port).to.equal(5353);
    socket.close();
    binding.close();
  });
});
