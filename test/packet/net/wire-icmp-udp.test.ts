import { expect } from "chai";
import { WireCounters } from "../../../providers/packet/wire/counters.js";
import { ICMP_DEST_UNREACHABLE, ICMP_ECHO_REQUEST, ICMP_UNREACH_PORT, IcmpHeader, parseIcmp, writeIcmp } from "../../../providers/packet/wire/icmp.js";
import { UdpHeader, parseUdp, writeUdp } from "../../../providers/packet/wire/udp.js";
import { fromHex, toHex } from "./hex.js";
import { encodeIcmp, encodeIcmpEcho, encodeUdp } from "./packets.js";

const A = 0xc6120001;
const B = 0xc6120002;
// scapy: ICMP(type=8, id=0x4242, seq=7)/b'pingdata' (the IPv4 payload of a packet B → A)
const SCAPY_ECHO = "0800fe224242000770696e6764617461";
// scapy: ICMP(type=3, code=3)/<the 32-byte IP+UDP packet A → B quoted whole>
const SCAPY_PORT_UNREACHABLE = "030389420000000045000020123400004011dc71c6120001c612000213881770000c672078746921";
// scapy: UDP(sport=5000, dport=6000)/b'xti!' from A to B, and UDP(1 → 2, chksum=0)/b'ab'
const SCAPY_UDP = "13881770000c672078746921";
const SCAPY_UDP_NO_CHECKSUM = "00010002000a00006162";

describe("packet/net wire: ICMP", () => {
  it("encodes echo requests and errors byte for byte like scapy", () => {
    expect(toHex(encodeIcmpEcho(ICMP_ECHO_REQUEST, 0x4242, 7, new TextEncoder().encode("pingdata")))).to.equal(SCAPY_ECHO);
    const quoted = fromHex(SCAPY_PORT_UNREACHABLE).subarray(8);
    expect(toHex(encodeIcmp(ICMP_DEST_UNREACHABLE, ICMP_UNREACH_PORT, 0, quoted))).to.equal(SCAPY_PORT_UNREACHABLE);
  });

  it("parses type, code, identifier and sequence", () => {
    const h = new IcmpHeader();
    const bytes = fromHex(SCAPY_ECHO);
    expect(parseIcmp(bytes, 0, bytes.length, h, new WireCounters())).to.equal(true);
    expect(h.type).to.equal(ICMP_ECHO_REQUEST);
    expect(h.code).to.equal(0);
    expect(h.identifier).to.equal(0x4242);
    expect(h.sequence).to.equal(7);
  });

  it("rejects short messages and bad checksums with a counter, unless told not to verify", () => {
    const counters = new WireCounters();
    const h = new IcmpHeader();
    const bytes = fromHex(SCAPY_ECHO);
    expect(parseIcmp(bytes, 0, 7, h, counters)).to.equal(false);
    expect(counters.icmpTooShort).to.equal(1);
    bytes[12]! ^= 1;
    expect(parseIcmp(bytes, 0, bytes.length, h, counters)).to.equal(false);
    expect(counters.icmpBadChecksum).to.equal(1);
    expect(parseIcmp(bytes, 0, bytes.length, h, counters, false)).to.equal(true);
  });
});

describe("packet/net wire: writing into a caller's buffer", () => {
  // A transmit arena holds older frames: the checksum must not sum what its field held before.
  it("writes ICMP and UDP at an offset of a dirty buffer exactly as into a fresh one, touching nothing else", () => {
    const body = new TextEncoder().encode("pingdata");
    const udp = new Uint8Array(40).fill(0xee);
    writeUdp(udp, 20, 5000, 6000, new TextEncoder().encode("xti!"), A, B);
    expect(toHex(udp.subarray(20, 32))).to.equal(SCAPY_UDP);
    const icmp = new Uint8Array(40).fill(0xee);
    writeIcmp(icmp, 20, ICMP_ECHO_REQUEST, 0, 0x42420007, body);
    expect(toHex(icmp.subarray(20, 36))).to.equal(SCAPY_ECHO);
    for (const [buf, end] of [[udp, 32], [icmp, 36]] as const) {
      expect([...buf.subarray(0, 20), ...buf.subarray(end)].every((b) => b === 0xee), "bytes around it").to.equal(true);
    }
  });
});

describe("packet/net wire: UDP", () => {
  it("encodes byte for byte like scapy and parses it back", () => {
    const bytes = encodeUdp(5000, 6000, new TextEncoder().encode("xti!"), A, B);
    expect(toHex(bytes)).to.equal(SCAPY_UDP);
    const h = new UdpHeader();
    expect(parseUdp(bytes, 0, bytes.length, A, B, h, new WireCounters())).to.equal(true);
    expect(h).to.include({ srcPort: 5000, dstPort: 6000, length: 12 });
  });

  it("accepts a zero checksum as 'not computed' and never sends one", () => {
    const h = new UdpHeader();
    const none = fromHex(SCAPY_UDP_NO_CHECKSUM);
    expect(parseUdp(none, 0, none.length, A, B, h, new WireCounters())).to.equal(true);
    // Find a payload whose checksum computes to 0: it must go out as 0xffff and still verify.
    let found = false;
    for (let v = 0; v < 0x10000 && !found; v++) {
      const bytes = encodeUdp(1, 2, Uint8Array.from([v >>> 8, v & 0xff]), A, B);
      if (bytes[6] === 0xff && bytes[7] === 0xff) {
        found = true;
        expect(parseUdp(bytes, 0, bytes.length, A, B, h, new WireCounters())).to.equal(true);
      }
      expect(bytes[6] === 0 && bytes[7] === 0).to.equal(false);
    }
    expect(found).to.equal(true);
  });

  it("rejects short datagrams, bad lengths and bad checksums with a counter", () => {
    const counters = new WireCounters();
    const h = new UdpHeader();
    const good = fromHex(SCAPY_UDP);
    expect(parseUdp(good, 0, 7, A, B, h, counters)).to.equal(false);
    expect(counters.udpTooShort).to.equal(1);
    for (const length of [7, 13]) {
      const bad = good.slice();
      bad[5] = length;
      expect(parseUdp(bad, 0, bad.length, A, B, h, counters, false)).to.equal(false);
    }
    expect(counters.udpBadLength).to.equal(2);
    const flipped = good.slice();
    flipped[9]! ^= 4;
    expect(parseUdp(flipped, 0, flipped.length, A, B, h, counters)).to.equal(false);
    expect(counters.udpBadChecksum).to.equal(1);
    expect(parseUdp(flipped, 0, flipped.length, A, B, h, counters, false)).to.equal(true);
    // A length field shorter than the payload: the datagram ends there and the checksum covers only that.
    const shorter = encodeUdp(5000, 6000, new TextEncoder().encode("xti"), A, B);
    const padded = new Uint8Array(20);
    padded.set(shorter);
    padded[15] = 0xee;
    expect(parseUdp(padded, 0, padded.length, A, B, h, counters)).to.equal(true);
    expect(h.length).to.equal(11);
  });
});
