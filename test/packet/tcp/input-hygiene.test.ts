/**
 * Input hygiene through a whole host (Ethernet, IPv4, TCP over the memory hub): malformed TCP
 * segments are counted by reason in the host's wire counters, and SYNs from martian sources
 * (including a "land" SYN from the listener's own address and port) never reach the listener.
 */
import { expect } from "chai";
import { IPPROTO_TCP } from "../../../providers/packet/stack/transport-host.js";
import { TCP_ACK, TCP_SYN, type TcpSegment } from "../../../providers/packet/wire/tcp-segment.js";
import { Net, ip, ipv4Frame, mac } from "../net/harness.js";
import { encodeTcp } from "../net/packets.js";

function segment(fields: Partial<TcpSegment>): TcpSegment {
  return { srcPort: 40000, dstPort: 80, seq: 1000, ack: 0, flags: TCP_SYN, window: 65535, urgentPointer: 0, options: { mss: 1460 }, payload: new Uint8Array(0), ...fields };
}

describe("packet/tcp input hygiene through a whole host", () => {
  it("counts why it dropped malformed TCP segments, in the counters the host reports", async () => {
    const net = new Net();
    const host = net.host(1);
    const raw = net.raw(2);
    host.tcp.listen({ port: 80 });
    const good = encodeTcp(segment({}), ip(2), ip(1));
    const badChecksum = good.slice();
    badChecksum[16]! ^= 0x55;
    const badOffset = good.slice();
    badOffset[12] = 0x40; // 16 bytes of header: less than the minimum
    const zeroPort = encodeTcp(segment({ srcPort: 0 }), ip(2), ip(1));
    for (const payload of [badChecksum, badChecksum, good.subarray(0, 12), badOffset, zeroPort]) {
      raw.send(ipv4Frame(mac(1), mac(2), ip(2), ip(1), IPPROTO_TCP, payload));
    }
    net.clock.advance(1);
    const stats = host.stats();
    expect({
      tcpBadChecksum: stats.stack.wire.tcpBadChecksum,
      tcpTooShort: stats.stack.wire.tcpTooShort,
      tcpBadDataOffset: stats.stack.wire.tcpBadDataOffset,
      zeroPort: stats.tcp.zeroPort,
      malformed: stats.tcp.malformed,
    }).to.deep.equal({ tcpBadChecksum: 2, tcpTooShort: 1, tcpBadDataOffset: 1, zeroPort: 1, malformed: 5 });
    expect(stats.tcp.segmentsReceived, "none of them reached a connection or listener").to.equal(0);
    await net.close();
  });

  it("drops land and martian SYNs before the listener sees them, and still serves a real client", async () => {
    const net = new Net();
    const host = net.host(1);
    const raw = net.raw(2);
    const indications: number[] = [];
    host.tcp.listen({ port: 80 }, { connectionIndication: (ind) => indications.push(ind.remote.address) });
    const synFrom = (src: number, srcPort = 40000): Uint8Array => ipv4Frame(mac(1), mac(2), src, ip(1), IPPROTO_TCP, encodeTcp(segment({ srcPort }), src, ip(1)));
    raw.send(synFrom(ip(1), 80)); // land: our own address and port
    raw.send(synFrom(0x7f000001));
    raw.send(synFrom(0xe0000005));
    raw.send(synFrom(0xffffffff));
    raw.send(synFrom(0xf0000009));
    raw.send(synFrom(0x00000001));
    net.clock.advance(5);
    const ipCounters = host.stats().stack.ip;
    expect([ipCounters.martianOwnAddress, ipCounters.martianLoopback, ipCounters.martianMulticast, ipCounters.martianBroadcast, ipCounters.martianReserved, ipCounters.martianThisNetwork]).to.deep.equal([1, 1, 1, 1, 1, 1]);
    expect(host.stats().tcp.segmentsReceived).to.equal(0);
    expect(raw.seen(0x0800, IPPROTO_TCP), "no SYN-ACK to anyone").to.have.length(0);
    // A real client on another host still connects.
    const client = net.host(3);
    client.tcp.connect({ remote: { address: ip(1), port: 80 } });
    expect(net.clock.runUntil(() => indications.length === 1, 10_000)).to.equal(true);
    expect(indications).to.deep.equal([ip(3)]);
    const synAcks = raw.seen(0x0800, IPPROTO_TCP).filter((f) => (f[14 + 20 + 13]! & (TCP_SYN | TCP_ACK)) === (TCP_SYN | TCP_ACK));
    expect(synAcks.length, "the hub shows the one SYN-ACK, to the real client").to.equal(1);
    await net.close();
  });
});
