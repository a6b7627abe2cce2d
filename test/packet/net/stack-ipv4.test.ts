import { expect } from "chai";
import { SeededRandom } from "../../../providers/packet/random.js";
import { WireCounters } from "../../../providers/packet/wire/counters.js";
import { ETHERTYPE_ARP, ETHERTYPE_IPV4 } from "../../../providers/packet/wire/ethernet.js";
import { ARP_REPLY } from "../../../providers/packet/wire/arp.js";
import { ICMP_DEST_UNREACHABLE, ICMP_ECHO_REPLY, ICMP_ECHO_REQUEST, ICMP_TIME_EXCEEDED, ICMP_UNREACH_PROTOCOL, IcmpHeader, parseIcmp } from "../../../providers/packet/wire/icmp.js";
import { IPV4_FLAG_DF, IPV4_FLAG_MF, Ipv4Header, parseIpv4 } from "../../../providers/packet/wire/ipv4.js";
import { formatMac } from "../../../providers/packet/wire/mac.js";
import { IPPROTO_ICMP, IPPROTO_UDP, type IcmpErrorKind, type TransportProtocol } from "../../../providers/packet/stack/transport-host.js";
import { Net, bytes, ip, ipv4Frame, mac } from "./harness.js";
import { fromHex } from "./hex.js";
import { encodeArpFrame, encodeIcmp, encodeIcmpEcho, encodeUdp } from "./packets.js";

function parsedIcmp(frame: Uint8Array): { ip: Ipv4Header; icmp: IcmpHeader; body: Uint8Array } {
  const h = new Ipv4Header();
  const c = new WireCounters();
  if (!parseIpv4(frame, 14, frame.length - 14, h, c)) throw new Error("bad IPv4");
  const icmp = new IcmpHeader();
  if (!parseIcmp(frame, 14 + h.headerLength, h.totalLength - h.headerLength, icmp, c)) throw new Error("bad ICMP");
  return { ip: h, icmp, body: frame.subarray(14 + h.headerLength + 8, 14 + h.totalLength) };
}

/** A transport that records what the IP layer hands it. */
/** Keeps copies: what a transport is handed is lent for the call (TransportProtocol). */
class RecordingTransport implements TransportProtocol {
  readonly inputs: Array<{ src: number; dst: number; payload: Uint8Array; trusted: boolean | undefined }> = [];
  readonly errors: Array<{ kind: IcmpErrorKind; src: number; dst: number; quoted: Uint8Array; mtu: number | undefined }> = [];
  input(src: number, dst: number, payload: Uint8Array, checksumTrusted?: boolean): void {
    this.inputs.push({ src, dst, payload: payload.slice(), trusted: checksumTrusted });
  }
  icmpError(kind: IcmpErrorKind, src: number, dst: number, quoted: Uint8Array, nextHopMtu?: number): void {
    this.errors.push({ kind, src, dst, quoted: quoted.slice(), mtu: nextHopMtu });
  }
}

describe("packet/net stack: IPv4 and ICMP", () => {
  it("pings between two stacks", async () => {
    const net = new Net({ latencyMs: 2 });
    const a = net.stack(1);
    const b = net.stack(2);
    const replies: Array<[number, number, number, string, number]> = [];
    a.icmp.setEchoReplyHandler((src, id, seq, data) => replies.push([src, id, seq, Buffer.from(data).toString(), net.clock.now()]));
    expect(a.icmp.sendEcho(ip(2), 0x1234, 1, Buffer.from("ping one"))).to.equal(true);
    net.clock.runUntil(() => replies.length === 1);
    a.icmp.sendEcho(ip(2), 0x1234, 2, Buffer.from("ping two"));
    net.clock.runUntil(() => replies.length === 2);
    // The first ping waits for ARP (request + reply), the second does not: 4 ms RTT.
    expect(replies).to.deep.equal([
      [ip(2), 0x1234, 1, "ping one", 8],
      [ip(2), 0x1234, 2, "ping two", 12],
    ]);
    expect(b.counters.icmp.echoRepliesSent).to.equal(2);
    expect(a.counters.icmp.echoRepliesReceived).to.equal(2);
    await net.close();
  });

  it("answers an echo request built by scapy the way the kernel's ping expects", async () => {
    const net = new Net();
    const a = net.stack(1);
    const raw = net.raw(2);
    expect(a.counters.icmp.echoRequestsReceived).to.equal(0);
    // scapy: IP(src=198.18.0.2, dst=198.18.0.1, id=1, ttl=64)/ICMP(type=8, id=0x4242, seq=7)/b'pingdata'
    const packet = fromHex("45000024000100004001eeb0c6120002c61200010800fe224242000770696e6764617461");
    const frame = new Uint8Array(14 + packet.length);
    frame.set(mac(1), 0);
    frame.set(mac(2), 6);
    frame.set([0x08, 0x00], 12);
    frame.set(packet, 14);
    // A learns nothing from an IP packet, so it must ARP for the sender before replying.
    raw.send(frame);
    net.clock.advance(1);
    expect(raw.seen(ETHERTYPE_ARP)).to.have.length(1);
    raw.send(encodeArpFrame(mac(1), ARP_REPLY, mac(2), ip(2), mac(1), ip(1)));
    net.clock.advance(1);
    const [reply] = raw.seen(ETHERTYPE_IPV4, IPPROTO_ICMP);
    const r = parsedIcmp(reply!);
    expect(r.ip).to.include({ src: ip(1), dst: ip(2), ttl: 64, protocol: IPPROTO_ICMP });
    expect(r.icmp).to.include({ type: ICMP_ECHO_REPLY, code: 0, identifier: 0x4242, sequence: 7 });
    expect(Buffer.from(r.body).toString()).to.equal("pingdata");
    expect(a.counters.icmp.echoRequestsReceived).to.equal(1);
    await net.close();
  });

  it("does not answer pings sent to the broadcast address", async () => {
    const net = new Net();
    const a = net.stack(1);
    const raw = net.raw(2);
    raw.send(ipv4Frame(new Uint8Array(6).fill(0xff), mac(2), ip(2), ip(255), IPPROTO_ICMP, encodeIcmpEcho(ICMP_ECHO_REQUEST, 1, 1, bytes(8))));
    net.clock.advance(5);
    expect(a.counters.icmp.broadcastEchoIgnored).to.equal(1);
    expect(raw.frames).to.have.length(0);
    await net.close();
  });

  it("hands an echo reply's data over for the handler to keep", async () => {
    const net = new Net();
    const a = net.stack(1);
    net.stack(2);
    const kept: Uint8Array[] = [];
    a.icmp.setEchoReplyHandler((_src, _id, _seq, data) => kept.push(data));
    a.icmp.sendEcho(ip(2), 7, 1, Buffer.from("first"));
    a.icmp.sendEcho(ip(2), 7, 2, Buffer.from("second"));
    net.clock.runUntil(() => kept.length === 2);
    expect(kept.map((d) => Buffer.from(d).toString())).to.deep.equal(["first", "second"]);
    await net.close();
  });

  it("sends protocol unreachable for an unknown protocol, quoting the packet", async () => {
    const net = new Net();
    const a = net.stack(1);
    const b = net.stack(2);
    const probe = new RecordingTransport();
    a.registerProtocol(253, probe);
    a.output(253, a.address, ip(2), bytes(12));
    net.clock.runUntil(() => probe.errors.length === 1);
    expect(b.counters.ip.unknownProtocol).to.equal(1);
    expect(b.counters.icmp.unreachableSent).to.equal(1);
    const e = probe.errors[0]!;
    expect(e.kind).to.equal("protocol-unreachable");
    expect(e.src).to.equal(ip(1));
    expect(e.dst).to.equal(ip(2));
    expect(Array.from(e.quoted)).to.deep.equal(Array.from(bytes(12)));
    expect(a.counters.icmp.errorsDelivered).to.equal(1);
    await net.close();
  });

  it("passes fragmentation-needed with its MTU and time-exceeded to the transport", async () => {
    const net = new Net();
    const a = net.stack(1);
    const raw = net.raw(9);
    const probe = new RecordingTransport();
    a.registerProtocol(253, probe);
    const ours = ipv4Frame(mac(9), mac(1), ip(1), ip(9), 253, bytes(30)).subarray(14, 14 + 28);
    raw.send(ipv4Frame(mac(1), mac(9), ip(9), ip(1), IPPROTO_ICMP, encodeIcmp(ICMP_DEST_UNREACHABLE, 4, 1400, ours)));
    raw.send(ipv4Frame(mac(1), mac(9), ip(9), ip(1), IPPROTO_ICMP, encodeIcmp(ICMP_TIME_EXCEEDED, 0, 0, ours)));
    // Too short a quote, and a quote of somebody else's packet: both ignored.
    raw.send(ipv4Frame(mac(1), mac(9), ip(9), ip(1), IPPROTO_ICMP, encodeIcmp(ICMP_DEST_UNREACHABLE, 1, 0, ours.subarray(0, 24))));
    const theirs = ipv4Frame(mac(9), mac(1), ip(7), ip(9), 253, bytes(30)).subarray(14, 14 + 28);
    raw.send(ipv4Frame(mac(1), mac(9), ip(9), ip(1), IPPROTO_ICMP, encodeIcmp(ICMP_DEST_UNREACHABLE, 1, 0, theirs)));
    net.clock.advance(1);
    expect(probe.errors.map((e) => [e.kind, e.mtu, e.dst])).to.deep.equal([
      ["fragmentation-needed", 1400, ip(9)],
      ["time-exceeded", undefined, ip(9)],
    ]);
    expect(a.counters.icmp.errorsMalformed).to.equal(2);
    await net.close();
  });

  it("drops packets for other addresses and other MACs, and frames it does not speak", async () => {
    const net = new Net();
    const a = net.stack(1);
    const raw = net.raw(2);
    const probe = new RecordingTransport();
    a.registerProtocol(253, probe);
    raw.send(ipv4Frame(mac(1), mac(2), ip(2), ip(3), 253, bytes(4)));
    raw.send(ipv4Frame(mac(3), mac(2), ip(2), ip(1), 253, bytes(4)));
    raw.send(ipv4Frame(mac(1), mac(2), ip(255), ip(1), 253, bytes(4)));
    const ipv6 = ipv4Frame(mac(1), mac(2), ip(2), ip(1), 253, bytes(4));
    ipv6[12] = 0x86;
    ipv6[13] = 0xdd;
    raw.send(ipv6);
    net.clock.advance(1);
    expect(probe.inputs).to.have.length(0);
    expect(a.counters.ip.notForUs).to.equal(1);
    expect(a.counters.link.notOurMac).to.equal(1);
    expect(a.counters.ip.martianBroadcast).to.equal(1);
    expect(a.counters.link.unknownEtherType).to.equal(1);
    await net.close();
  });

  it("drops martian sources before any transport sees them, counting each reason, but not its own looped-back packets", async () => {
    const net = new Net();
    const a = net.stack(1);
    const raw = net.raw(2);
    const probe = new RecordingTransport();
    a.registerProtocol(253, probe);
    const from = (src: number): Uint8Array => ipv4Frame(mac(1), mac(2), src, ip(1), 253, bytes(4));
    const martians: Array<[number, keyof typeof a.counters.ip]> = [
      [ip(1), "martianOwnAddress"], // our own address from the wire: a spoof ("land" with our port)
      [0x7f000001, "martianLoopback"],
      [0x7f123456, "martianLoopback"],
      [0, "martianThisNetwork"],
      [0x00010203, "martianThisNetwork"],
      [0xffffffff, "martianBroadcast"],
      [ip(255), "martianBroadcast"], // the subnet broadcast
      [0xe0000001, "martianMulticast"],
      [0xefffffff, "martianMulticast"],
      [0xf0000001, "martianReserved"],
      [0xfffffffe, "martianReserved"],
    ];
    for (const [src] of martians) raw.send(from(src));
    raw.send(from(ip(2))); // a real neighbour gets through
    net.clock.advance(1);
    expect(probe.inputs.map((i) => i.src)).to.deep.equal([ip(2)]);
    const counted = Object.fromEntries(martians.map(([, name]) => [name, a.counters.ip[name]]));
    expect(counted).to.deep.equal({ martianOwnAddress: 1, martianLoopback: 2, martianThisNetwork: 2, martianBroadcast: 2, martianMulticast: 2, martianReserved: 2 });
    // A packet we send to our own address comes back through the loopback queue and is delivered.
    const looped = a.udp.bind(9, { message: () => undefined })!;
    const got: number[] = [];
    a.udp.bind(7, { message: (_d, src) => got.push(src) });
    looped.sendTo(ip(1), 7, bytes(3));
    net.clock.advance(1);
    expect(got).to.deep.equal([ip(1)]);
    expect(a.counters.ip.martianOwnAddress).to.equal(1);
    await net.close();
  });

  it("hands transports a payload view without Ethernet padding, with the device's checksum verdict", async () => {
    const net = new Net();
    const a = net.stack(1);
    const raw = net.raw(2);
    const probe = new RecordingTransport();
    a.registerProtocol(253, probe);
    const short = ipv4Frame(mac(1), mac(2), ip(2), ip(1), 253, bytes(3));
    const padded = new Uint8Array(60);
    padded.set(short);
    raw.send(padded);
    net.clock.advance(1);
    expect(probe.inputs).to.have.length(1);
    expect(Array.from(probe.inputs[0]!.payload)).to.deep.equal(Array.from(bytes(3)));
    expect(probe.inputs[0]!.trusted).to.equal(false);
    await net.close();
  });

  it("survives random garbage and random corruption of valid frames, counting and never throwing", async () => {
    const net = new Net();
    const a = net.stack(1);
    const b = net.stack(2);
    b.udp.bind(7, { message: () => undefined });
    const raw = net.raw(3);
    const rnd = new SeededRandom(77);
    const valid = ipv4Frame(mac(1), mac(3), ip(3), ip(1), IPPROTO_UDP, encodeUdp(9, 7, bytes(40), ip(3), ip(1)));
    for (let i = 0; i < 3000; i++) {
      let f: Uint8Array;
      if (i % 2 === 0) {
        // Random bytes behind a valid Ethernet header, half claiming IPv4, half ARP.
        f = new Uint8Array(14 + (rnd.nextU32() % 100));
        rnd.fill(f);
        f.set(mac(1), 0);
        f.set([0x08, i % 4 === 0 ? 0x00 : 0x06], 12);
      } else {
        f = valid.slice(0, 14 + (rnd.nextU32() % (valid.length - 13)));
        f[14 + (rnd.nextU32() % Math.max(1, f.length - 14))]! ^= 1 << (rnd.nextU32() % 8);
      }
      raw.send(f);
    }
    net.clock.advance(10_000);
    const w = a.counters.wire;
    const rejected = w.ethernetTooShort + w.ipv4TooShort + w.ipv4BadVersion + w.ipv4BadHeaderLength + w.ipv4BadTotalLength + w.ipv4BadChecksum + w.udpBadChecksum + w.udpBadLength + w.udpTooShort + w.arpMalformed;
    expect(rejected).to.be.above(1000);
    expect(a.counters.link.rxFrames).to.equal(3000);
    await net.close();
  });

  it("routes off-link destinations through the gateway and refuses them without one", async () => {
    const net = new Net();
    const a = net.stack(1, { gateway: ip(254) });
    const noGateway = net.stack(2);
    const gw = net.raw(254);
    const off = 0xc6130005; // 198.19.0.5, outside 198.18.0.0/24
    expect(a.sourceFor(off)).to.equal(ip(1));
    expect(noGateway.sourceFor(off)).to.equal(null);
    expect(noGateway.output(253, 0, off, bytes(4))).to.equal(false);
    expect(noGateway.counters.ip.outNoRoute).to.equal(1);
    expect(a.output(253, 0, off, bytes(4))).to.equal(true);
    net.clock.advance(1);
    gw.send(encodeArpFrame(mac(1), ARP_REPLY, mac(254), ip(254), mac(1), ip(1)));
    net.clock.advance(1);
    const [packet] = gw.seen(ETHERTYPE_IPV4, 253);
    expect(formatMac(packet!.subarray(0, 6))).to.equal(formatMac(mac(254)));
    const h = new Ipv4Header();
    parseIpv4(packet!, 14, packet!.length - 14, h, new WireCounters());
    expect(h.dst).to.equal(off);
    await net.close();
  });

  it("sets TTL, TOS and DF as asked and refuses oversized DF packets", async () => {
    const net = new Net();
    const a = net.stack(1, { defaultTtl: 32 });
    const raw = net.raw(2);
    raw.send(encodeArpFrame(mac(1), ARP_REPLY, mac(2), ip(2), mac(1), ip(1)));
    net.clock.advance(1);
    a.output(253, 0, ip(2), bytes(4));
    a.output(253, 0, ip(2), bytes(4), { ttl: 5, tos: 0x10, dontFragment: true });
    expect(a.maxPayload(ip(2))).to.equal(1480);
    expect(a.output(253, 0, ip(2), bytes(1481), { dontFragment: true })).to.equal(false);
    expect(a.counters.ip.outNeedsFragmentation).to.equal(1);
    expect(a.output(253, ip(9), ip(2), bytes(4))).to.equal(false);
    expect(a.counters.ip.outBadSource).to.equal(1);
    net.clock.advance(1);
    const hs = raw.seen(ETHERTYPE_IPV4, 253).map((f) => {
      const h = new Ipv4Header();
      parseIpv4(f, 14, f.length - 14, h, new WireCounters());
      return [h.ttl, h.tos, h.dontFragment];
    });
    expect(hs).to.deep.equal([
      [32, 0, false],
      [5, 0x10, true],
    ]);
    await net.close();
  });

  it("loops packets to its own address back through the clock", async () => {
    const net = new Net();
    const a = net.stack(1);
    const got: string[] = [];
    const server = a.udp.bind(7, { message: (d, src, port) => got.push(`${Buffer.from(d).toString()} from ${src === ip(1)}:${port}`) })!;
    const client = a.udp.bind(1234, { message: () => undefined })!;
    expect(client.sendTo(ip(1), 7, Buffer.from("self"))).to.equal(true);
    expect(got).to.deep.equal([]);
    net.clock.advance(0);
    expect(got).to.deep.equal(["self from true:1234"]);
    expect(a.counters.ip.loopedBack).to.equal(1);
    server.close();
    await net.close();
  });

  it("rate-limits the ICMP errors it generates", async () => {
    const net = new Net();
    const a = net.stack(1, { icmp: { errorsPerSecond: 10, errorBurst: 5 } });
    const raw = net.raw(2);
    raw.send(encodeArpFrame(mac(1), ARP_REPLY, mac(2), ip(2), mac(1), ip(1)));
    net.clock.advance(1);
    for (let i = 0; i < 20; i++) raw.send(ipv4Frame(mac(1), mac(2), ip(2), ip(1), 253, bytes(4)));
    net.clock.advance(1);
    expect(a.counters.icmp.unreachableSent).to.equal(5);
    expect(a.counters.icmp.errorsRateLimited).to.equal(15);
    net.clock.advance(200); // two tokens back
    for (let i = 0; i < 3; i++) raw.send(ipv4Frame(mac(1), mac(2), ip(2), ip(1), 253, bytes(4)));
    net.clock.advance(1);
    expect(a.counters.icmp.unreachableSent).to.equal(7);
    const errs = raw.seen(ETHERTYPE_IPV4, IPPROTO_ICMP).map((f) => parsedIcmp(f).icmp);
    expect(errs.every((e) => e.type === ICMP_DEST_UNREACHABLE && e.code === ICMP_UNREACH_PROTOCOL)).to.equal(true);
    await net.close();
  });

  it("follows RFC 1122 §3.2.2 on which packets never get an ICMP error", async () => {
    const net = new Net();
    const a = net.stack(1);
    const raw = net.raw(2);
    raw.send(encodeArpFrame(mac(1), ARP_REPLY, mac(2), ip(2), mac(1), ip(1)));
    net.clock.advance(1);
    // Through the whole receive path: unknown protocol in a link-layer broadcast frame.
    raw.send(ipv4Frame(new Uint8Array(6).fill(0xff), mac(2), ip(2), ip(255), 253, bytes(4)));
    net.clock.advance(1);
    expect(a.counters.ip.unknownProtocol).to.equal(1);
    expect(a.counters.icmp.errorsSuppressed).to.equal(1);
    // Directly: packets whose errors are forbidden, then one that is allowed.
    const forbidden: Array<[Uint8Array, boolean]> = [
      [ipv4Frame(mac(1), mac(2), ip(2), ip(1), IPPROTO_ICMP, encodeIcmp(ICMP_DEST_UNREACHABLE, 3, 0, bytes(28))), false], // about an ICMP error
      [ipv4Frame(mac(1), mac(2), ip(2), ip(1), 253, bytes(8), { fragmentField: 1 }), false], // not the first fragment
      [ipv4Frame(mac(1), mac(2), ip(2), 0xe0000001, 253, bytes(8)), false], // to a multicast group
      [ipv4Frame(mac(1), mac(2), 0, ip(1), 253, bytes(8)), false], // from 0.0.0.0
      [ipv4Frame(mac(1), mac(2), 0x7f000001, ip(1), 253, bytes(8)), false], // from loopback
      [ipv4Frame(mac(1), mac(2), ip(2), ip(1), 253, bytes(8)), true], // sent as link-layer broadcast
    ];
    const allowed = ipv4Frame(mac(1), mac(2), ip(2), ip(1), IPPROTO_ICMP, encodeIcmpEcho(ICMP_ECHO_REQUEST, 1, 1, bytes(4)));
    for (const [frame, linkBroadcast] of [...forbidden, [allowed, false] as [Uint8Array, boolean]]) {
      const h = new Ipv4Header();
      expect(parseIpv4(frame, 14, frame.length - 14, h, new WireCounters())).to.equal(true);
      a.icmp.sendError(ICMP_DEST_UNREACHABLE, ICMP_UNREACH_PROTOCOL, 0, frame, 14, h.totalLength, h, linkBroadcast);
    }
    expect(a.counters.icmp.errorsSuppressed).to.equal(1 + forbidden.length);
    expect(a.counters.icmp.unreachableSent).to.equal(1);
    net.clock.advance(1);
    expect(raw.seen(ETHERTYPE_IPV4, IPPROTO_ICMP)).to.have.length(1);
    await net.close();
  });
});

describe("packet/net stack: IPv4 fragments", () => {
  it("fragments a large UDP datagram on output and reassembles it on input", async () => {
    const net = new Net();
    const a = net.stack(1);
    const b = net.stack(2);
    const sniff = net.raw(200);
    const got: Uint8Array[] = [];
    b.udp.bind(7, { message: (d) => got.push(d) });
    const data = bytes(4000);
    expect(a.udp.bind(1000, { message: () => undefined })!.sendTo(ip(2), 7, data)).to.equal(true);
    net.clock.runUntil(() => got.length === 1);
    expect(Array.from(got[0]!)).to.deep.equal(Array.from(data));
    expect(a.counters.ip.fragmentsSent).to.equal(3);
    expect(b.counters.ip.fragmentsReceived).to.equal(3);
    expect(b.counters.ip.reassembled).to.equal(1);
    const offsets = sniff.seen(ETHERTYPE_IPV4, IPPROTO_UDP).map((f) => {
      const h = new Ipv4Header();
      parseIpv4(f, 14, f.length - 14, h, new WireCounters());
      return [h.fragmentOffset, h.moreFragments, h.totalLength];
    });
    expect(offsets).to.deep.equal([
      [0, true, 1500],
      [1480, true, 1500],
      [2960, false, 20 + 4008 - 2960],
    ]);
    await net.close();
  });

  it("reassembles fragments arriving in any order, ignores duplicates and drops overlaps", async () => {
    const net = new Net();
    const a = net.stack(1);
    const raw = net.raw(2);
    const probe = new RecordingTransport();
    a.registerProtocol(253, probe);
    const data = bytes(40);
    const frag = (id: number, offset: number, end: number, more: boolean): Uint8Array =>
      ipv4Frame(mac(1), mac(2), ip(2), ip(1), 253, data.subarray(offset, end), { id, fragmentField: (offset / 8) | (more ? IPV4_FLAG_MF : 0) });
    raw.send(frag(1, 32, 40, false));
    raw.send(frag(1, 16, 32, true));
    raw.send(frag(1, 16, 32, true)); // duplicate
    raw.send(frag(1, 0, 16, true));
    // Datagram 2 overlaps: [0,16) then [8,24).
    raw.send(frag(2, 0, 16, true));
    raw.send(frag(2, 8, 24, true));
    raw.send(frag(2, 24, 40, false));
    // A middle fragment whose length is not a multiple of 8.
    raw.send(frag(3, 0, 12, true));
    net.clock.advance(1);
    expect(probe.inputs).to.have.length(1);
    expect(Array.from(probe.inputs[0]!.payload)).to.deep.equal(Array.from(data));
    const c = a.counters.ip;
    expect([c.reassembled, c.reassemblyDuplicates, c.reassemblyOverlaps, c.reassemblyMalformed]).to.deep.equal([1, 1, 1, 1]);
    await net.close();
  });

  it("times out a partial datagram and answers with ICMP time exceeded (reassembly)", async () => {
    const net = new Net();
    const a = net.stack(1, { reassembly: { timeoutMs: 30_000 }, arp: { reachableMs: 60_000 } });
    const raw = net.raw(2);
    raw.send(encodeArpFrame(mac(1), ARP_REPLY, mac(2), ip(2), mac(1), ip(1)));
    raw.send(ipv4Frame(mac(1), mac(2), ip(2), ip(1), 253, bytes(16), { id: 9, fragmentField: IPV4_FLAG_MF }));
    net.clock.advance(29_999);
    expect(a.counters.ip.reassemblyTimeouts).to.equal(0);
    net.clock.advance(1);
    expect(a.counters.ip.reassemblyTimeouts).to.equal(1);
    net.clock.advance(1);
    const [err] = raw.seen(ETHERTYPE_IPV4, IPPROTO_ICMP);
    const e = parsedIcmp(err!);
    expect(e.icmp).to.include({ type: ICMP_TIME_EXCEEDED, code: 1 });
    expect(e.body).to.have.length(28); // the fragment's header and 8 bytes of its data
    expect(net.clock.pending()).to.equal(0);
    await net.close();
  });

  it("bounds the memory held by partial datagrams", async () => {
    const net = new Net();
    const a = net.stack(1, { reassembly: { maxBytes: 4000 } });
    const raw = net.raw(2);
    for (let id = 1; id <= 5; id++) raw.send(ipv4Frame(mac(1), mac(2), ip(2), ip(1), 253, bytes(1000), { id, fragmentField: IPV4_FLAG_MF }));
    net.clock.advance(1);
    expect(a.counters.ip.reassemblyEvicted).to.equal(1);
    // The oldest (id 1) was evicted: id 2's last fragment completes it, id 1's completes nothing.
    const probe = new RecordingTransport();
    a.registerProtocol(253, probe);
    raw.send(ipv4Frame(mac(1), mac(2), ip(2), ip(1), 253, bytes(8), { id: 2, fragmentField: 125 }));
    raw.send(ipv4Frame(mac(1), mac(2), ip(2), ip(1), 253, bytes(8), { id: 1, fragmentField: 125 }));
    net.clock.advance(1);
    expect(probe.inputs).to.have.length(1);
    expect(probe.inputs[0]!.payload).to.have.length(1008);
    await net.close();
  });

  it("keeps DF out of fragmentation: unfragmented packets carry it, fragments never do", async () => {
    const net = new Net();
    const a = net.stack(1);
    const b = net.stack(2);
    const sniff = net.raw(200);
    b.registerProtocol(253, new RecordingTransport());
    a.output(253, 0, ip(2), bytes(100), { dontFragment: true });
    a.output(253, 0, ip(2), bytes(3000));
    net.clock.advance(5);
    const flags = sniff.seen(ETHERTYPE_IPV4, 253).map((f) => ((f[20]! << 8) | f[21]!) & (IPV4_FLAG_DF | IPV4_FLAG_MF));
    expect(flags).to.deep.equal([IPV4_FLAG_DF, IPV4_FLAG_MF, IPV4_FLAG_MF, 0]);
    await net.close();
  });
});
