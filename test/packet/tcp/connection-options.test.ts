/**
 * Per-connection settings chosen before the connection exists (XTI options set before t_connect,
 * or on the listener before T_LISTEN) and read or changed afterwards: TTL, TOS, no-delay, buffer
 * sizes, linger and keepalive. Two hosts on the in-memory hub, a third port sniffing the frames.
 */
import { expect } from "chai";
import type { TcpConnection } from "../../../providers/packet/stack/tcp/connection.js";
import { TcpError } from "../../../providers/packet/stack/tcp/types.js";
import { ETHERTYPE_IPV4 } from "../../../providers/packet/wire/ethernet.js";
import { TCP_ACK, TCP_SYN } from "../../../providers/packet/wire/tcp-segment.js";
import { IPPROTO_TCP } from "../../../providers/packet/stack/transport-host.js";
import { Net, ip, type RawPort } from "../net/harness.js";
import { Recorder } from "./harness.js";

const IP = 14; // the IPv4 header's offset in a frame
const TCP = IP + 20;

/** TTL and TOS of the TCP segments from `src` with exactly the flags `flags` (e.g. SYN, SYN|ACK). */
function ipFieldsOf(sniff: RawPort, src: number, flags: number): Array<[number, number]> {
  return sniff
    .seen(ETHERTYPE_IPV4, IPPROTO_TCP)
    .filter((f) => new DataView(f.buffer, f.byteOffset).getUint32(IP + 12) === src && (f[TCP + 13]! & 0x3f) === flags)
    .map((f) => [f[IP + 8]!, f[IP + 1]!]);
}

describe("packet/tcp per-connection options", () => {
  it("sends an active open's segments with its TTL and TOS, changeable later, null restoring the default", async () => {
    const net = new Net({ latencyMs: 1 });
    const a = net.host(1);
    const b = net.host(2);
    const sniff = net.raw(3);
    b.tcp.listen({ port: 80 }, { connectionIndication: () => undefined });
    const rec = new Recorder(net.clock);
    const conn = a.tcp.connect({ remote: { address: ip(2), port: 80 }, ttl: 7, tos: 0x28 }, rec);
    expect([conn.ttl, conn.tos]).to.deep.equal([7, 0x28]);
    net.clock.runUntil(() => rec.connectedAt >= 0, 10_000);
    expect(ipFieldsOf(sniff, ip(1), TCP_SYN)).to.deep.equal([[7, 0x28]]);
    expect(() => conn.setTtl(0)).to.throw(TcpError, /EINVAL/);
    expect(() => conn.setTos(256)).to.throw(TcpError, /EINVAL/);
    conn.setTtl(null);
    conn.setTos(0);
    expect(conn.ttl).to.equal(null);
    conn.sendPiece(Uint8Array.of(1));
    net.clock.advance(50);
    expect(ipFieldsOf(sniff, ip(1), TCP_ACK | 0x08).at(-1), "the data segment (PSH|ACK)").to.deep.equal([64, 0]);
    await net.close();
  });

  it("gives every connection a listener makes the listener's options", async () => {
    const net = new Net({ latencyMs: 1 });
    const a = net.host(1);
    const b = net.host(2);
    const sniff = net.raw(3);
    let server: TcpConnection | null = null;
    const listener = b.tcp.listen(
      { port: 80, ttl: 9, tos: 0x10, noDelay: true, sendBufferSize: 10_000, receiveBufferSize: 20_000 },
      { connectionIndication: (ind) => (server = listener.accept(ind.sequence, new Recorder())) },
    );
    a.tcp.connect({ remote: { address: ip(2), port: 80 } }, new Recorder(net.clock));
    net.clock.runUntil(() => server !== null, 10_000);
    const s = server as unknown as TcpConnection;
    expect([s.ttl, s.tos, s.noDelay, s.sendBufferSize, s.receiveBufferSize]).to.deep.equal([9, 0x10, true, 10_000, 20_000]);
    expect(ipFieldsOf(sniff, ip(2), TCP_SYN | TCP_ACK)).to.deep.equal([[9, 0x10]]);
    await net.close();
  });

  it("options a listener is given after listen() (configure) are those of the connections it makes from then on, SYN-ACK included", async () => {
    const net = new Net({ latencyMs: 1 });
    const a = net.host(1);
    const b = net.host(2);
    const sniff = net.raw(3);
    const servers: TcpConnection[] = [];
    const listener = b.tcp.listen({ port: 80 }, { connectionIndication: (ind) => servers.push(listener.accept(ind.sequence, new Recorder())) });
    const connect = (): void => void a.tcp.connect({ remote: { address: ip(2), port: 80 } }, new Recorder(net.clock));
    connect();
    net.clock.runUntil(() => servers.length === 1, 10_000);
    listener.configure({ receiveBufferSize: 4 << 20, sendBufferSize: 50_000, ttl: 33, tos: 0x08, noDelay: true, keepAlive: true, keepAliveIdleMs: 600_000 });
    expect(() => listener.configure({ ttl: 0 })).to.throw(TcpError, /EINVAL/);
    connect();
    net.clock.runUntil(() => servers.length === 2, 10_000);
    const [before, after] = servers as [TcpConnection, TcpConnection];
    expect([before.receiveBufferSize, before.info().receiveWindowScale, before.ttl, before.noDelay, before.keepAlive.on]).to.deep.equal([256 << 10, 3, null, false, false]);
    expect([after.receiveBufferSize, after.sendBufferSize, after.ttl, after.tos, after.noDelay]).to.deep.equal([4 << 20, 50_000, 33, 0x08, true]);
    expect(after.keepAlive).to.include({ on: true, idleMs: 600_000 });
    expect(after.info().receiveWindowScale, "the scale a 4 MiB buffer needs, offered in the SYN-ACK").to.equal(7);
    expect(ipFieldsOf(sniff, ip(2), TCP_SYN | TCP_ACK)).to.deep.equal([
      [64, 0],
      [33, 0x08],
    ]);
    await net.close();
  });

  it("reads back linger and keepalive as set", async () => {
    const net = new Net({ latencyMs: 1 });
    const a = net.host(1);
    net.host(2).tcp.listen({ port: 80 });
    const conn = a.tcp.connect({ remote: { address: ip(2), port: 80 } });
    expect(conn.linger).to.equal(null);
    expect(conn.keepAlive.on).to.equal(false);
    conn.setLinger(5000);
    conn.setKeepAlive(true, { idleMs: 60_000, count: 3 });
    expect(conn.linger).to.equal(5000);
    expect(conn.keepAlive).to.deep.equal({ on: true, idleMs: 60_000, intervalMs: 75_000, count: 3 });
    await net.close();
  });

  it("refuses bad values with EINVAL before anything is sent", async () => {
    const net = new Net({ latencyMs: 1 });
    const a = net.host(1);
    const remote = { address: ip(2), port: 80 };
    for (const bad of [{ ttl: 0 }, { ttl: 256 }, { tos: -1 }, { tos: 1.5 }, { sendBufferSize: 0 }, { receiveBufferSize: -5 }]) {
      expect(() => a.tcp.connect({ remote, ...bad }), JSON.stringify(bad)).to.throw(TcpError, /EINVAL/);
      expect(() => a.tcp.listen({ port: 81, ...bad }), JSON.stringify(bad)).to.throw(TcpError, /EINVAL/);
    }
    expect(a.tcp.reservedPorts).to.equal(0);
    expect(a.stats().tcp.segmentsSent).to.equal(0);
    await net.close();
  });
});
