import { expect } from "chai";
import { RealClock } from "../../../providers/packet/clock.js";
import { SeededRandom } from "../../../providers/packet/random.js";
import { memoryPair } from "../../../providers/packet/link/memory.js";
import { Stack } from "../../../providers/packet/stack/stack.js";
import { IPV4_FLAG_MF } from "../../../providers/packet/wire/ipv4.js";
import { IPPROTO_TCP } from "../../../providers/packet/stack/transport-host.js";
import { Recorder } from "../tcp/harness.js";
import { Net, bytes, ip, ipv4Frame, mac } from "./harness.js";

describe("packet/net stack: lifecycle and coexistence", () => {
  it("runs several stacks on one hub, each pinging every other", async () => {
    const net = new Net({ latencyMs: 1 });
    const stacks = [1, 2, 3, 4].map((h) => net.stack(h));
    const replies = new Set<string>();
    for (const s of stacks) s.icmp.setEchoReplyHandler((src, id) => replies.add(`${id}<-${src & 0xff}`));
    for (const s of stacks) for (const t of stacks) if (s !== t) s.icmp.sendEcho(t.address, s.address & 0xff, 1, bytes(8));
    net.clock.runUntil(() => replies.size === 12);
    expect(replies.size).to.equal(12);
    for (const s of stacks) expect(s.counters.icmp.echoRepliesSent).to.equal(3);
    await net.close();
  });

  it("close() cancels every timer, stops sending and is idempotent", async () => {
    const net = new Net();
    const a = net.stack(1);
    const raw = net.raw(2);
    const sock = a.udp.bind(1000, { message: () => undefined })!;
    sock.sendTo(ip(50), 7, bytes(8)); // ARP resolution pending
    raw.send(ipv4Frame(mac(1), mac(2), ip(2), ip(1), 17, bytes(16), { id: 3, fragmentField: IPV4_FLAG_MF })); // reassembly pending
    net.clock.advance(1);
    expect(net.clock.pending()).to.be.at.least(2);
    await a.close();
    await a.close();
    expect(net.clock.pending()).to.equal(0);
    expect(a.output(17, 0, ip(2), bytes(8))).to.equal(false);
    expect(sock.sendTo(ip(2), 7, bytes(8))).to.equal(false);
    raw.send(ipv4Frame(mac(1), mac(2), ip(2), ip(1), 17, bytes(16)));
    net.clock.advance(1);
    expect(a.counters.link.rxFrames).to.equal(1);
  });

  it("close() closes a registered TCP engine: its connections are aborted and its timers stop", async () => {
    const net = new Net({ latencyMs: 1 });
    const hostA = net.host(1);
    const hostB = net.host(2);
    const a = hostA.stack;
    const b = hostB.stack;
    const tcpA = hostA.tcp;
    const tcpB = hostB.tcp;
    const serverRec = new Recorder(net.clock);
    const listener = tcpB.listen({ port: 80 }, { connectionIndication: (ind) => void listener.accept(ind.sequence, serverRec) });
    const clientRec = new Recorder(net.clock);
    tcpA.connect({ remote: { address: ip(2), port: 80 } }, clientRec);
    net.clock.runUntil(() => clientRec.connectedAt >= 0, 10_000);
    await a.close();
    expect(tcpA.connectionCount).to.equal(0);
    expect(clientRec.disconnectReason, "the open connection was aborted").to.equal("ECONNABORTED");
    expect(tcpA.connect.bind(tcpA, { remote: { address: ip(2), port: 80 } }, new Recorder(net.clock))).to.throw();
    await b.close();
    expect(net.clock.pending(), "timers left behind").to.equal(0);
  });

  it("lets a transport plug in by protocol number, once", async () => {
    const net = new Net();
    const a = net.stack(1);
    const b = net.stack(2);
    const seen: number[] = [];
    b.registerProtocol(IPPROTO_TCP, { input: (src, _dst, payload) => seen.push(src, payload.length) });
    expect(() => b.registerProtocol(IPPROTO_TCP, { input: () => undefined })).to.throw();
    expect(() => b.registerProtocol(17, { input: () => undefined })).to.throw();
    expect(() => b.registerProtocol(256, { input: () => undefined })).to.throw();
    a.output(IPPROTO_TCP, 0, ip(2), bytes(20), { dontFragment: true });
    net.clock.runUntil(() => seen.length === 2);
    expect(seen).to.deep.equal([ip(1), 20]);
    await net.close();
  });

  it("rejects a configuration it cannot route with", () => {
    const [dev] = memoryPair(new RealClock(), mac(1), mac(2));
    expect(() => new Stack(dev, new RealClock(), new SeededRandom(1), { address: "198.18.0.1", prefixLength: 33 })).to.throw(RangeError);
    expect(() => new Stack(dev, new RealClock(), new SeededRandom(1), { address: "198.18.0.300", prefixLength: 24 })).to.throw(RangeError);
    expect(() => new Stack(dev, new RealClock(), new SeededRandom(1), { address: "198.18.0.1", prefixLength: 24, gateway: "198.19.0.1" })).to.throw(RangeError);
  });

  it("works on real time with the event loop and leaves nothing running", async () => {
    const clock = new RealClock();
    const [da, db] = memoryPair(clock, mac(1), mac(2), { latencyMs: 1 });
    const a = new Stack(da, clock, new SeededRandom(1), { address: "198.18.0.1", prefixLength: 24 });
    const b = new Stack(db, clock, new SeededRandom(2), { address: "198.18.0.2", prefixLength: 24 });
    const reply = new Promise<number>((resolve) => a.icmp.setEchoReplyHandler((_src, _id, seq) => resolve(seq)));
    a.icmp.sendEcho(b.address, 1, 42, bytes(16));
    expect(await reply).to.equal(42);
    await a.close();
    await b.close();
  });
});
