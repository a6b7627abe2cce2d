import { expect } from "chai";
import { WireCounters } from "../../../providers/packet/wire/counters.js";
import { IPV4_FLAG_DF, IPV4_FLAG_MF, Ipv4Header, parseIpv4, parseQuotedIpv4, writeIpv4Header } from "../../../providers/packet/wire/ipv4.js";
import { formatIpv4Address, parseIpv4Address, prefixMask } from "../../../providers/packet/wire/ipv4-address.js";
import { fromHex, toHex } from "./hex.js";

// scapy: IP(src='198.18.0.1', dst='198.18.0.2', id=0x1234, flags='DF', ttl=64)/UDP(5000 → 6000)/b'xti!'
const SCAPY_IP_UDP = "450000201234400040119c71c6120001c612000213881770000c672078746921";
// scapy: IP(src='198.18.0.2', dst='198.18.0.1', id=7, ttl=3, options=[NOP NOP NOP EOL])/UDP(53 → 1024)/b'opt'
const SCAPY_IP_OPTIONS = "46000023000700000311289bc6120002c61200010101010000350400000b8c0a6f7074";

describe("packet/net wire: IPv4", () => {
  it("converts dotted quads and prefix masks", () => {
    expect(parseIpv4Address("198.18.0.1")).to.equal(0xc6120001);
    expect(parseIpv4Address("255.255.255.255")).to.equal(0xffffffff);
    for (const bad of ["198.18.0", "198.18.0.256", "a.b.c.d", "1.2.3.4.5", "1..2.3", "-1.2.3.4"]) expect(parseIpv4Address(bad), bad).to.equal(null);
    expect(formatIpv4Address(0xc6130a01)).to.equal("198.19.10.1");
    expect(prefixMask(0)).to.equal(0);
    expect(prefixMask(15)).to.equal(0xfffe0000);
    expect(prefixMask(32)).to.equal(0xffffffff);
  });

  it("writes a header byte for byte like scapy", () => {
    const packet = new Uint8Array(32);
    writeIpv4Header(packet, 0, 0, 32, 0x1234, IPV4_FLAG_DF, 64, 17, 0xc6120001, 0xc6120002);
    packet.set(fromHex(SCAPY_IP_UDP).subarray(20), 20);
    expect(toHex(packet)).to.equal(SCAPY_IP_UDP);
  });

  it("parses fields, with the padding of a short frame outside the packet", () => {
    const padded = new Uint8Array(46);
    padded.set(fromHex(SCAPY_IP_UDP));
    const h = new Ipv4Header();
    expect(parseIpv4(padded, 0, padded.length, h, new WireCounters())).to.equal(true);
    expect(h).to.include({ headerLength: 20, totalLength: 32, identification: 0x1234, dontFragment: true, moreFragments: false, fragmentOffset: 0, ttl: 64, protocol: 17, src: 0xc6120001, dst: 0xc6120002 });
    expect(h.isFragment).to.equal(false);
  });

  it("skips header options (IHL 6)", () => {
    const bytes = fromHex(SCAPY_IP_OPTIONS);
    const h = new Ipv4Header();
    expect(parseIpv4(bytes, 0, bytes.length, h, new WireCounters())).to.equal(true);
    expect(h.headerLength).to.equal(24);
    expect(toHex(bytes.subarray(h.headerLength, h.totalLength))).to.equal("00350400000b8c0a6f7074");
  });

  it("decodes fragment fields", () => {
    const packet = new Uint8Array(40);
    writeIpv4Header(packet, 0, 0, 40, 9, IPV4_FLAG_MF | 185, 64, 17, 1, 2);
    const h = new Ipv4Header();
    expect(parseIpv4(packet, 0, 40, h, new WireCounters())).to.equal(true);
    expect(h.moreFragments).to.equal(true);
    expect(h.fragmentOffset).to.equal(1480);
    expect(h.isFragment).to.equal(true);
  });

  it("rejects malformed headers with the matching counter", () => {
    const counters = new WireCounters();
    const h = new Ipv4Header();
    const good = fromHex(SCAPY_IP_UDP);
    expect(parseIpv4(good, 0, 19, h, counters)).to.equal(false);
    expect(counters.ipv4TooShort).to.equal(1);
    const v6 = good.slice();
    v6[0] = 0x65;
    expect(parseIpv4(v6, 0, v6.length, h, counters)).to.equal(false);
    expect(counters.ipv4BadVersion).to.equal(1);
    for (const ihl of [0x40, 0x44, 0x4f]) {
      const bad = good.slice();
      bad[0] = ihl;
      expect(parseIpv4(bad, 0, bad.length, h, counters)).to.equal(false);
    }
    expect(counters.ipv4BadHeaderLength).to.equal(3);
    for (const total of [19, 33, 65535]) {
      const bad = good.slice();
      bad[2] = total >>> 8;
      bad[3] = total & 0xff;
      expect(parseIpv4(bad, 0, bad.length, h, counters)).to.equal(false);
    }
    expect(counters.ipv4BadTotalLength).to.equal(3);
    const flipped = good.slice();
    flipped[8] = 63; // TTL changed without fixing the checksum
    expect(parseIpv4(flipped, 0, flipped.length, h, counters)).to.equal(false);
    expect(counters.ipv4BadChecksum).to.equal(1);
  });

  it("accepts a truncated quoted header as ICMP errors carry it", () => {
    const quoted = fromHex(SCAPY_IP_UDP).subarray(0, 28);
    quoted[10] = 0; // checksums in quotes are not checked
    const h = new Ipv4Header();
    expect(parseQuotedIpv4(quoted, 0, quoted.length, h)).to.equal(true);
    expect(h.protocol).to.equal(17);
    expect(h.totalLength).to.equal(32);
    expect(parseQuotedIpv4(quoted, 0, 19, h)).to.equal(false);
  });
});
