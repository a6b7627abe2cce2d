import { expect } from "chai";
import { ARP_REPLY, ARP_REQUEST, ArpPacket, parseArp } from "../../../providers/packet/wire/arp.js";
import { WireCounters } from "../../../providers/packet/wire/counters.js";
import { ETHERTYPE_ARP, ETHERTYPE_IPV4 } from "../../../providers/packet/wire/ethernet.js";
import { formatMac } from "../../../providers/packet/wire/mac.js";
import { IPPROTO_UDP } from "../../../providers/packet/stack/transport-host.js";
import type { UdpError } from "../../../providers/packet/stack/udp.js";
import { Recorder } from "../tcp/harness.js";
import { Net, bytes, ip, mac } from "./harness.js";
import { encodeArpFrame } from "./packets.js";

const BROADCAST = new Uint8Array(6).fill(0xff);

function arpOf(frame: Uint8Array): ArpPacket {
  const p = new ArpPacket();
  if (!parseArp(frame, 14, frame.length - 14, p, new WireCounters())) throw new Error("not ARP");
  return p;
}

describe("packet/net stack: ARP", () => {
  it("resolves from a cold cache: request, reply, then the queued packet goes out", async () => {
    const net = new Net({ latencyMs: 1 });
    const a = net.stack(1);
    const b = net.stack(2);
    const sniff = net.raw(200);
    const got: string[] = [];
    b.udp.bind(7, { message: (d) => got.push(Buffer.from(d).toString()) });
    const sock = a.udp.bind(0, { message: () => undefined })!;
    expect(sock.sendTo(ip(2), 7, Buffer.from("first"))).to.equal(true);
    expect(a.counters.arp.framesQueued).to.equal(1);
    net.clock.runUntil(() => got.length === 1);
    expect(got).to.deep.equal(["first"]);
    expect(net.clock.now()).to.equal(3); // request, reply, data: one hop each
    const [request, reply] = sniff.seen(ETHERTYPE_ARP);
    expect(arpOf(request!)).to.deep.include({ op: ARP_REQUEST, senderIp: ip(1), targetIp: ip(2) });
    expect(formatMac(request!.subarray(0, 6))).to.equal("ff:ff:ff:ff:ff:ff");
    expect(arpOf(reply!)).to.deep.include({ op: ARP_REPLY, senderIp: ip(2), targetIp: ip(1) });
    expect(formatMac(reply!.subarray(0, 6))).to.equal(formatMac(mac(1)));
    expect(formatMac(a.arp.lookup(ip(2))!)).to.equal(formatMac(mac(2)));
    // B learned A from the request addressed to it, so it answers without asking.
    expect(formatMac(b.arp.lookup(ip(1))!)).to.equal(formatMac(mac(1)));
    expect(b.counters.arp.entriesLearned).to.equal(1);
    expect(b.counters.arp.requestsSent).to.equal(0);
    await net.close();
  });

  it("releases queued packets in order and refuses those past the queue limit", async () => {
    const net = new Net();
    const a = net.stack(1, { arp: { queueLimit: 4 } });
    const b = net.stack(2);
    const got: number[] = [];
    b.udp.bind(7, { message: (d) => got.push(d[0]!) });
    const sock = a.udp.bind(1000, { message: () => undefined })!;
    const accepted = [0, 1, 2, 3, 4, 5].map((i) => sock.sendTo(ip(2), 7, Uint8Array.of(i)));
    expect(accepted).to.deep.equal([true, true, true, true, false, false]);
    expect(a.counters.arp.queueOverflows).to.equal(2);
    net.clock.runUntil(() => got.length === 4);
    expect(got).to.deep.equal([0, 1, 2, 3]);
    await net.close();
  });

  it("gives up after the configured requests and drops what waited, counted", async () => {
    const net = new Net();
    const a = net.stack(1, { arp: { retransmitMs: 1000, maxRequests: 3 } });
    const sniff = net.raw(200);
    const sock = a.udp.bind(1000, { message: () => undefined })!;
    sock.sendTo(ip(99), 7, bytes(10));
    sock.sendTo(ip(99), 7, bytes(10));
    net.clock.advance(2999);
    expect(sniff.seen(ETHERTYPE_ARP).map((f) => arpOf(f).targetIp)).to.deep.equal([ip(99), ip(99), ip(99)]);
    expect(a.counters.arp.resolutionFailures).to.equal(0);
    net.clock.advance(1);
    expect(a.counters.arp.resolutionFailures).to.equal(1);
    expect(a.counters.arp.unresolvedDropped).to.equal(2);
    expect(net.clock.pending()).to.equal(0);
    // A later packet starts a fresh resolution.
    sock.sendTo(ip(99), 7, bytes(10));
    expect(sniff.seen(ETHERTYPE_ARP)).to.have.length(3);
    net.clock.advance(0);
    expect(sniff.seen(ETHERTYPE_ARP)).to.have.length(4);
    await net.close();
    expect(net.clock.pending()).to.equal(0);
  });

  it("reports each datagram dropped for want of a MAC to its UDP socket as host unreachable", async () => {
    const net = new Net();
    const a = net.stack(1, { arp: { retransmitMs: 1000, maxRequests: 3 } });
    const errors: UdpError[] = [];
    const sock = a.udp.bind(1000, { message: () => undefined, error: (e) => errors.push(e) })!;
    sock.sendTo(ip(99), 7, bytes(10));
    sock.sendTo(ip(99), 9, bytes(10));
    net.clock.advance(2999);
    expect(errors).to.deep.equal([]);
    net.clock.advance(1);
    expect(errors).to.deep.equal([
      { kind: "host-unreachable", address: ip(99), port: 7 },
      { kind: "host-unreachable", address: ip(99), port: 9 },
    ]);
    expect(a.counters.ip.outUnresolvedReported).to.equal(2);
    await net.close();
  });

  it("fails a TCP connect with EHOSTUNREACH when the next hop never answers ARP (as Linux), not ETIMEDOUT", async () => {
    const net = new Net();
    const tcp = net.host(1, { arp: { retransmitMs: 1000, maxRequests: 3 } }).tcp;
    const rec = new Recorder(net.clock);
    tcp.connect({ remote: { address: ip(99), port: 80 } }, rec);
    net.clock.runUntil(() => rec.disconnectReason !== null, 60_000);
    expect(rec.disconnectReason).to.equal("EHOSTUNREACH");
    expect(net.clock.now(), "after the third unanswered request").to.equal(3000);
    await net.close();
    expect(net.clock.pending()).to.equal(0);
  });

  it("re-resolves a stale entry with a unicast request while still sending, and forgets a host that went away", async () => {
    const net = new Net();
    const a = net.stack(1, { arp: { reachableMs: 10_000, retransmitMs: 500, maxRequests: 2 } });
    const b = net.stack(2);
    const sniff = net.raw(200);
    let got = 0;
    b.udp.bind(7, { message: () => got++ });
    const sock = a.udp.bind(1000, { message: () => undefined })!;
    sock.sendTo(ip(2), 7, bytes(4));
    net.clock.advance(10);
    expect(got).to.equal(1);
    net.clock.advance(10_000);
    sniff.frames.length = 0;
    sock.sendTo(ip(2), 7, bytes(4)); // stale: goes out at once, and a unicast probe with it
    net.clock.advance(0);
    expect(got).to.equal(2);
    const probes = sniff.seen(ETHERTYPE_ARP).filter((f) => arpOf(f).op === ARP_REQUEST);
    expect(probes).to.have.length(1);
    expect(formatMac(probes[0]!.subarray(0, 6))).to.equal(formatMac(mac(2)));
    net.clock.advance(10);
    expect(a.counters.arp.requestsSent).to.equal(2);
    // B goes away; once stale again, the probes go unanswered and the entry is dropped.
    await b.close();
    net.clock.advance(10_000);
    sock.sendTo(ip(2), 7, bytes(4));
    net.clock.advance(999);
    expect(a.arp.lookup(ip(2))).to.not.equal(null);
    net.clock.advance(1);
    expect(a.arp.lookup(ip(2))).to.equal(null);
    expect(a.counters.arp.resolutionFailures).to.equal(1);
    await net.close();
  });

  it("answers requests for its own address only", async () => {
    const net = new Net();
    const a = net.stack(1);
    const raw = net.raw(50);
    // Someone else's request first: A knows nothing of host 50 yet, so it neither answers nor learns.
    raw.send(encodeArpFrame(BROADCAST, ARP_REQUEST, mac(50), ip(50), new Uint8Array(6), ip(77)));
    raw.send(encodeArpFrame(BROADCAST, ARP_REQUEST, mac(50), ip(50), new Uint8Array(6), ip(1)));
    net.clock.advance(1);
    const replies = raw.seen(ETHERTYPE_ARP);
    expect(replies).to.have.length(1);
    expect(arpOf(replies[0]!)).to.deep.include({ op: ARP_REPLY, senderIp: ip(1), targetIp: ip(50) });
    expect(formatMac(arpOf(replies[0]!).senderMac)).to.equal(formatMac(mac(1)));
    expect(a.counters.arp.repliesSent).to.equal(1);
    expect(a.counters.arp.ignored).to.equal(1);
    expect(a.counters.arp.entriesLearned).to.equal(1);
    await net.close();
  });

  it("updates a known entry from gratuitous ARP, but learns nothing from strangers' gratuitous ARP", async () => {
    const net = new Net();
    const a = net.stack(1);
    const b = net.stack(2);
    const raw = net.raw(60);
    b.udp.bind(7, { message: () => undefined });
    a.udp.bind(1000, { message: () => undefined })!.sendTo(ip(2), 7, bytes(1));
    net.clock.advance(1);
    expect(formatMac(a.arp.lookup(ip(2))!)).to.equal(formatMac(mac(2)));
    // Host 2 moved to the MAC of port 60 and announces it.
    raw.send(encodeArpFrame(BROADCAST, ARP_REQUEST, mac(60), ip(2), new Uint8Array(6), ip(2)));
    // A stranger announces itself.
    raw.send(encodeArpFrame(BROADCAST, ARP_REPLY, mac(60), ip(61), BROADCAST, ip(61)));
    net.clock.advance(1);
    expect(formatMac(a.arp.lookup(ip(2))!)).to.equal(formatMac(mac(60)));
    expect(a.arp.lookup(ip(61))).to.equal(null);
    expect(a.counters.arp.entriesUpdated).to.be.at.least(1);
    await net.close();
  });

  it("counts another host claiming our address and does not learn from it", async () => {
    const net = new Net();
    const a = net.stack(1);
    const raw = net.raw(70);
    raw.send(encodeArpFrame(BROADCAST, ARP_REQUEST, mac(70), ip(1), new Uint8Array(6), ip(1)));
    net.clock.advance(1);
    expect(a.counters.arp.addressConflicts).to.equal(1);
    expect(raw.seen(ETHERTYPE_ARP)).to.have.length(0);
    await net.close();
  });

  it("bounds the cache, evicting the entry closest to going stale", async () => {
    const net = new Net();
    const a = net.stack(1, { arp: { maxEntries: 2 } });
    const raw = net.raw(80);
    for (const host of [81, 82, 83]) {
      raw.send(encodeArpFrame(mac(1), ARP_REQUEST, mac(80), ip(host), new Uint8Array(6), ip(1)));
      net.clock.advance(1);
    }
    expect(a.arp.lookup(ip(81))).to.equal(null);
    expect(a.arp.lookup(ip(82))).to.not.equal(null);
    expect(a.arp.lookup(ip(83))).to.not.equal(null);
    expect(a.counters.arp.evictions).to.equal(1);
    expect(raw.seen(ETHERTYPE_IPV4, IPPROTO_UDP)).to.have.length(0);
    await net.close();
  });
});
