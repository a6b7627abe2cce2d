import { expect } from "chai";
import { SeededRandom } from "../../../providers/packet/random.js";
import { FaultInjector } from "../../../providers/packet/link/faults.js";
import { ARP_REPLY } from "../../../providers/packet/wire/arp.js";
import { ETHERTYPE_IPV4 } from "../../../providers/packet/wire/ethernet.js";
import { IPPROTO_ICMP, IPPROTO_UDP } from "../../../providers/packet/stack/transport-host.js";
import { EPHEMERAL_PORT_MIN } from "../../../providers/packet/stack/port-table.js";
import { SocketError } from "../../../providers/packet/stack/socket-error.js";
import type { UdpError } from "../../../providers/packet/stack/udp.js";
import { Stack } from "../../../providers/packet/stack/stack.js";
import { MemoryHub } from "../../../providers/packet/link/memory.js";
import { ManualClock } from "../../../providers/packet/clock.js";
import { Net, bytes, ip, ipv4Frame, mac } from "./harness.js";
import { encodeArpFrame, encodeUdp } from "./packets.js";

const text = (d: Uint8Array): string => Buffer.from(d).toString();

describe("packet/net stack: UDP", () => {
  it("exchanges datagrams both ways with source address and port", async () => {
    const net = new Net({ latencyMs: 1 });
    const a = net.stack(1);
    const b = net.stack(2);
    const atA: string[] = [];
    const atB: string[] = [];
    const server = b.udp.bind(53, {
      message: (d, src, port) => {
        atB.push(`${text(d)} ${src === ip(1)} ${port}`);
        server.sendTo(src, port, Buffer.from(`re: ${text(d)}`));
      },
    })!;
    const client = a.udp.bind(0, { message: (d, src, port) => atA.push(`${text(d)} ${src === ip(2)} ${port}`) })!;
    expect(client.port).to.be.within(EPHEMERAL_PORT_MIN, 65535);
    for (const m of ["one", "two", "three"]) client.sendTo(ip(2), 53, Buffer.from(m));
    net.clock.runUntil(() => atA.length === 3);
    expect(atB).to.deep.equal([`one true ${client.port}`, `two true ${client.port}`, `three true ${client.port}`]);
    expect(atA).to.deep.equal(["re: one true 53", "re: two true 53", "re: three true 53"]);
    expect(a.counters.udp.sent).to.equal(3);
    expect(b.counters.udp.delivered).to.equal(3);
    await net.close();
  });

  it("hands each datagram over for the socket to keep, though the link lends its frames", async () => {
    const net = new Net();
    const a = net.stack(1);
    const b = net.stack(2);
    const kept: Uint8Array[] = [];
    b.udp.bind(53, { message: (d) => kept.push(d) });
    const client = a.udp.bind(0, { message: () => undefined })!;
    for (const m of ["one", "two"]) client.sendTo(ip(2), 53, Buffer.from(m));
    net.clock.runUntil(() => kept.length === 2);
    net.clock.advance(10);
    expect(kept.map(text)).to.deep.equal(["one", "two"]);
    await net.close();
  });

  it("reports ICMP port unreachable from a closed port to the sending socket", async () => {
    const net = new Net();
    const a = net.stack(1);
    const b = net.stack(2);
    const errors: UdpError[] = [];
    const sock = a.udp.bind(4000, { message: () => undefined, error: (e) => errors.push(e) })!;
    sock.sendTo(ip(2), 9, bytes(20));
    net.clock.runUntil(() => errors.length === 1);
    expect(errors).to.deep.equal([{ kind: "port-unreachable", address: ip(2), port: 9 }]);
    expect(b.counters.udp.noPort).to.equal(1);
    expect(b.counters.icmp.unreachableSent).to.equal(1);
    expect(a.counters.udp.errorsDelivered).to.equal(1);
    await net.close();
  });

  it("does not answer a broadcast datagram to a closed port", async () => {
    const net = new Net();
    const a = net.stack(1);
    const raw = net.raw(2);
    raw.send(ipv4Frame(new Uint8Array(6).fill(0xff), mac(2), ip(2), ip(255), IPPROTO_UDP, encodeUdp(5, 9, bytes(4), ip(2), ip(255))));
    net.clock.advance(5);
    expect(a.counters.udp.noPort).to.equal(1);
    expect(raw.seen(ETHERTYPE_IPV4, IPPROTO_ICMP)).to.have.length(0);
    await net.close();
  });

  it("delivers broadcast datagrams to a bound port and can send them", async () => {
    const net = new Net();
    const a = net.stack(1);
    const b = net.stack(2);
    const c = net.stack(3);
    const got: string[] = [];
    b.udp.bind(67, { message: (d) => got.push(`b ${text(d)}`) });
    c.udp.bind(67, { message: (d) => got.push(`c ${text(d)}`) });
    expect(a.udp.bind(68, { message: () => undefined })!.sendTo(0xffffffff, 67, Buffer.from("hello all"))).to.equal(true);
    net.clock.advance(1);
    expect(got.sort()).to.deep.equal(["b hello all", "c hello all"]);
    expect(a.counters.arp.requestsSent).to.equal(0);
    await net.close();
  });

  it("checks the UDP checksum unless the device vouches for it, and accepts a zero checksum", async () => {
    const net = new Net();
    const a = net.stack(1);
    const raw = net.raw(2);
    const got: string[] = [];
    a.udp.bind(7, { message: (d) => got.push(text(d)) });
    const good = encodeUdp(9, 7, Buffer.from("good"), ip(2), ip(1));
    const bad = good.slice();
    bad[6]! ^= 0xff;
    const none = encodeUdp(9, 7, Buffer.from("none"), ip(2), ip(1));
    none[6] = 0;
    none[7] = 0;
    raw.send(ipv4Frame(mac(1), mac(2), ip(2), ip(1), IPPROTO_UDP, good));
    raw.send(ipv4Frame(mac(1), mac(2), ip(2), ip(1), IPPROTO_UDP, bad));
    raw.send(ipv4Frame(mac(1), mac(2), ip(2), ip(1), IPPROTO_UDP, none));
    net.clock.advance(1);
    expect(got).to.deep.equal(["good", "none"]);
    expect(a.counters.wire.udpBadChecksum).to.equal(1);
    await net.close();
  });

  it("takes the device's checksumTrusted verdict for offloaded frames", async () => {
    const clock = new ManualClock();
    const hub = new MemoryHub(clock);
    const port = hub.attach(mac(1));
    const raw = hub.attach(mac(2));
    // Stand in for the AF_PACKET device reporting TP_STATUS_CSUMNOTREADY on every frame.
    let receiver: ((f: Uint8Array, info?: { checksumTrusted?: boolean }) => void) | null = null;
    port.setReceiver((f) => receiver?.(f, { checksumTrusted: true }));
    const device = { mac: port.mac, mtu: port.mtu, send: (f: Uint8Array) => port.send(f), setReceiver: (r: typeof receiver) => void (receiver = r), close: () => port.close(), stats: () => port.stats() };
    const a = new Stack(device, clock, new SeededRandom(1), { address: ip(1), prefixLength: 24 });
    const got: string[] = [];
    a.udp.bind(7, { message: (d) => got.push(text(d)) });
    const partial = encodeUdp(9, 7, Buffer.from("offloaded"), ip(2), ip(1));
    partial[6] = 0x12; // only a pseudo-header sum, as veth leaves it
    partial[7] = 0x34;
    raw.send(ipv4Frame(mac(1), mac(2), ip(2), ip(1), IPPROTO_UDP, partial));
    clock.advance(1);
    expect(got).to.deep.equal(["offloaded"]);
    await a.close();
    await raw.close();
  });

  it("binds, refuses a taken port, frees a closed one and refuses to send when closed", async () => {
    const net = new Net();
    const a = net.stack(1);
    const first = a.udp.bind(5000, { message: () => undefined })!;
    expect(a.udp.bind(5000, { message: () => undefined })).to.equal(null);
    expect(a.udp.bind(70000, { message: () => undefined })).to.equal(null);
    expect(a.udp.bind(-1, { message: () => undefined })).to.equal(null);
    first.close();
    expect(first.sendTo(ip(2), 7, bytes(1))).to.equal(false);
    const second = a.udp.bind(5000, { message: () => undefined });
    expect(second?.port).to.equal(5000);
    expect(second!.sendTo(ip(2), 0, bytes(1))).to.equal(false);
    expect(second!.sendTo(ip(2), 7, new Uint8Array(65508))).to.equal(false);
    expect(a.counters.udp.sendFailed).to.equal(2);
    const ports = new Set<number>();
    for (let i = 0; i < 50; i++) ports.add(a.udp.bind(0, { message: () => undefined })!.port);
    expect(ports.size).to.equal(50);
    await net.close();
  });

  it("binds a specific address or every address, with errno-named errors for what it cannot bind", async () => {
    const net = new Net({ latencyMs: 1 });
    const a = net.stack(1);
    const b = net.stack(2);
    const handlers = { message: () => undefined };
    const code = (fn: () => unknown): string => {
      try {
        fn();
        return "no error";
      } catch (err) {
        return err instanceof SocketError ? err.code : String(err);
      }
    };
    const specific = a.udp.open({ address: ip(1), port: 6000 }, handlers);
    expect([specific.address, specific.port]).to.deep.equal([ip(1), 6000]);
    expect(code(() => a.udp.open({ port: 6000 }, handlers)), "the wildcard overlaps it").to.equal("EADDRINUSE");
    expect(code(() => a.udp.open({ address: ip(2), port: 6001 }, handlers))).to.equal("EADDRNOTAVAIL");
    expect(code(() => a.udp.open({ port: 65536 }, handlers))).to.equal("EINVAL");
    const ephemeral = a.udp.open({}, handlers);
    expect([ephemeral.address, ephemeral.port >= EPHEMERAL_PORT_MIN]).to.deep.equal([0, true]);
    // A datagram from the specific socket carries its address as the source.
    const seen: string[] = [];
    b.udp.bind(7, { message: (_d, src, port) => seen.push(`${src === ip(1)} ${port}`) });
    specific.sendTo(ip(2), 7, bytes(3));
    net.clock.runUntil(() => seen.length === 1);
    expect(seen).to.deep.equal(["true 6000"]);
    await net.close();
  });

  it("shares a port under reuseAddress, delivering to the socket bound to the destination address before the wildcard one", async () => {
    const net = new Net({ latencyMs: 1 });
    const a = net.stack(1);
    const b = net.stack(2);
    const got: string[] = [];
    const wildcard = a.udp.open({ port: 5000, reuseAddress: true }, { message: (d) => got.push(`wildcard ${text(d)}`) });
    const specific = a.udp.open({ address: ip(1), port: 5000, reuseAddress: true }, { message: (d) => got.push(`specific ${text(d)}`) });
    expect(a.udp.bind(5000, { message: () => undefined }), "without reuse").to.equal(null);
    const sender = b.udp.bind(0, { message: () => undefined })!;
    sender.sendTo(ip(1), 5000, Buffer.from("one"));
    net.clock.runUntil(() => got.length === 1);
    specific.close();
    sender.sendTo(ip(1), 5000, Buffer.from("two"));
    net.clock.runUntil(() => got.length === 2);
    expect(got).to.deep.equal(["specific one", "wildcard two"]);
    wildcard.close();
    sender.sendTo(ip(1), 5000, Buffer.from("three"));
    net.clock.advance(10);
    expect(a.counters.udp.noPort).to.equal(1);
    await net.close();
  });

  it("sends without a checksum when the socket turns it off, and tells the receiver whether there was one", async () => {
    const net = new Net({ latencyMs: 1 });
    const a = net.stack(1);
    const b = net.stack(2);
    const got: string[] = [];
    b.udp.bind(7, { message: (d, _src, _port, checksummed) => got.push(`${text(d)} ${checksummed}`) });
    const socket = a.udp.bind(0, { message: () => undefined })!;
    socket.sendTo(ip(2), 7, Buffer.from("with"));
    socket.checksum = false;
    socket.sendTo(ip(2), 7, Buffer.from("without"));
    net.clock.runUntil(() => got.length === 2);
    expect(got).to.deep.equal(["with true", "without false"]);
    await net.close();
  });

  it("sends with the socket's TTL and TOS", async () => {
    const net = new Net({ latencyMs: 1 });
    const a = net.stack(1);
    net.stack(2);
    const sniff = net.raw(3); // the hub repeats every frame to every port
    const socket = a.udp.bind(0, { message: () => undefined })!;
    socket.ipOptions.ttl = 3;
    socket.ipOptions.tos = 0x10;
    socket.sendTo(ip(2), 9, bytes(4));
    net.clock.runUntil(() => sniff.seen(ETHERTYPE_IPV4, IPPROTO_UDP).length === 1, 10_000);
    const frame = sniff.seen(ETHERTYPE_IPV4, IPPROTO_UDP)[0]!;
    expect([frame[14 + 8], frame[14 + 1]]).to.deep.equal([3, 0x10]);
    await net.close();
  });

  it("delivers intact datagrams only across a faulty link, deterministically per seed", async () => {
    const runOnce = async (seed: number): Promise<{ got: string[]; faults: unknown; wireRejects: number }> => {
      const net = new Net({ latencyMs: 1 });
      let injector: FaultInjector | null = null;
      const faults = { drop: 0.1, duplicate: 0.05, reorder: 0.1, corrupt: 0.1, truncate: 0.05, delay: 0.1, delayMs: 3 };
      const a = net.stack(1, {}, (port) => (injector = new FaultInjector(port, net.clock, new SeededRandom(seed), { tx: faults, rx: faults })));
      const b = net.stack(2);
      // Resolve ARP first so that the ARP exchange itself is not what the faults hit.
      a.arp.input(encodeArpFrame(mac(1), ARP_REPLY, mac(2), ip(2), mac(1), ip(1)), 14, 28);
      b.arp.input(encodeArpFrame(mac(2), ARP_REPLY, mac(1), ip(1), mac(2), ip(2)), 14, 28);
      const got: string[] = [];
      const sent = new Set<string>();
      const sa = a.udp.bind(1111, { message: (d) => got.push(`a<${text(d)}`) })!;
      const sb = b.udp.bind(2222, {
        message: (d) => {
          got.push(`b<${text(d)}`);
          sb.sendTo(ip(1), 1111, Buffer.from(`echo ${text(d)}`));
        },
      })!;
      for (let i = 0; i < 200; i++) {
        const m = `datagram ${i} ${"x".repeat(i % 50)}`;
        sent.add(m);
        sa.sendTo(ip(2), 2222, Buffer.from(m));
        net.clock.advance(1);
      }
      net.clock.advance(1000);
      for (const g of got) {
        const body = g.startsWith("a<echo ") ? g.slice(7) : g.slice(2);
        expect(sent.has(body), g).to.equal(true);
      }
      const fb = injector as FaultInjector | null;
      const w = a.counters.wire;
      const wb = b.counters.wire;
      const rejects = w.ipv4BadChecksum + w.udpBadChecksum + w.udpBadLength + w.ipv4BadTotalLength + wb.ipv4BadChecksum + wb.udpBadChecksum + wb.udpBadLength + wb.ipv4BadTotalLength;
      await net.close();
      return { got, faults: { tx: fb?.txFaults, rx: fb?.rxFaults }, wireRejects: rejects };
    };
    const one = await runOnce(2024);
    const again = await runOnce(2024);
    expect(again).to.deep.equal(one);
    // Enough got through, some did not, and corruption was caught by checksums rather than delivered.
    const toB = one.got.filter((g) => g.startsWith("b<")).length;
    expect(toB).to.be.within(120, 199);
    expect(one.wireRejects).to.be.above(0);
  });

  it("delivers a burst of 20,000 full-size datagrams without loss on a clean link", async () => {
    const net = new Net();
    const a = net.stack(1);
    const b = net.stack(2);
    let received = 0;
    b.udp.bind(9, { message: (d) => (received += d.length) });
    const sock = a.udp.bind(0, { message: () => undefined })!;
    const payload = bytes(1472);
    sock.sendTo(ip(2), 9, payload);
    net.clock.advance(1);
    const rounds = 200;
    for (let r = 0; r < rounds; r++) {
      for (let i = 0; i < 100; i++) sock.sendTo(ip(2), 9, payload);
      net.clock.advance(0);
    }
    expect(received).to.equal(1472 * (rounds * 100 + 1));
    await net.close();
  });
});
