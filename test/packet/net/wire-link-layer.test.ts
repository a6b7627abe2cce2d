import { expect } from "chai";
import { WireCounters } from "../../../providers/packet/wire/counters.js";
import { ETHERTYPE_ARP, ETHERTYPE_IPV4, parseEthernet, writeEthernetHeader } from "../../../providers/packet/wire/ethernet.js";
import { ARP_REPLY, ARP_REQUEST, ArpPacket, parseArp } from "../../../providers/packet/wire/arp.js";
import { formatMac, isBroadcastMac, isGroupMac, macEquals, parseMac } from "../../../providers/packet/wire/mac.js";
import { fromHex, toHex } from "./hex.js";
import { encodeArpFrame } from "./packets.js";

// scapy: Ether(dst=broadcast, src='02:00:00:00:00:01')/ARP(op=1, psrc='198.18.0.1', pdst='198.18.0.2')
const SCAPY_ARP_REQUEST = "ffffffffffff02000000000108060001080006040001020000000001c6120001000000000000c6120002";

describe("packet/net wire: MAC, Ethernet, ARP", () => {
  it("parses and formats MAC addresses and classifies group addresses", () => {
    const mac = parseMac("02:00:5e:10:00:0a")!;
    expect(Array.from(mac)).to.deep.equal([2, 0, 0x5e, 0x10, 0, 10]);
    expect(formatMac(mac)).to.equal("02:00:5e:10:00:0a");
    expect(parseMac("02-00-5E-10-00-0A")).to.deep.equal(mac);
    for (const bad of ["", "02:00:5e:10:00", "02:00:5e:10:00:0g", "02:00:5e:10:00:0a:01", "002:00:5e:10:00:0a"]) expect(parseMac(bad), bad).to.equal(null);
    expect(macEquals(Uint8Array.from([9, 2, 0, 0x5e, 0x10, 0, 10]), 1, mac)).to.equal(true);
    expect(isBroadcastMac(parseMac("ff:ff:ff:ff:ff:ff")!, 0)).to.equal(true);
    expect(isGroupMac(parseMac("01:00:5e:00:00:01")!, 0)).to.equal(true);
    expect(isGroupMac(mac, 0)).to.equal(false);
  });

  it("returns the EtherType of untagged frames and drops short or VLAN-tagged ones with a counter", () => {
    const counters = new WireCounters();
    const frame = new Uint8Array(60);
    writeEthernetHeader(frame, parseMac("02:00:00:00:00:02"), parseMac("02:00:00:00:00:01")!, ETHERTYPE_IPV4);
    expect(parseEthernet(frame, counters)).to.equal(ETHERTYPE_IPV4);
    expect(toHex(frame.subarray(0, 14))).to.equal("020000000002020000000001" + "0800");
    expect(parseEthernet(frame.subarray(0, 13), counters)).to.equal(-1);
    expect(counters.ethernetTooShort).to.equal(1);
    frame[12] = 0x81;
    frame[13] = 0x00;
    expect(parseEthernet(frame, counters)).to.equal(-1);
    frame[12] = 0x88;
    frame[13] = 0xa8;
    expect(parseEthernet(frame, counters)).to.equal(-1);
    expect(counters.ethernetVlanDropped).to.equal(2);
    frame[12] = 0x00;
    frame[13] = 0x40; // an 802.3 length field: returned as is, it matches no EtherType
    expect(parseEthernet(frame, counters)).to.equal(0x40);
  });

  it("emits an ARP request byte for byte like scapy and parses it back", () => {
    const ours = parseMac("02:00:00:00:00:01")!;
    const frame = encodeArpFrame(parseMac("ff:ff:ff:ff:ff:ff")!, ARP_REQUEST, ours, 0xc6120001, new Uint8Array(6), 0xc6120002);
    expect(toHex(frame)).to.equal(SCAPY_ARP_REQUEST);
    const counters = new WireCounters();
    expect(parseEthernet(frame, counters)).to.equal(ETHERTYPE_ARP);
    const arp = new ArpPacket();
    expect(parseArp(frame, 14, frame.length - 14, arp, counters)).to.equal(true);
    expect(arp.op).to.equal(ARP_REQUEST);
    expect(formatMac(arp.senderMac)).to.equal("02:00:00:00:00:01");
    expect(arp.senderIp).to.equal(0xc6120001);
    expect(arp.targetIp).to.equal(0xc6120002);
  });

  it("rejects short, non-Ethernet/IPv4 and unknown-opcode ARP packets with a counter", () => {
    const counters = new WireCounters();
    const arp = new ArpPacket();
    const good = fromHex(SCAPY_ARP_REQUEST);
    expect(parseArp(good, 14, 27, arp, counters)).to.equal(false);
    const mutations: Array<[number, number]> = [
      [15, 6], // hardware type 6 (IEEE 802)
      [16, 0x86], // protocol type 0x86dd
      [18, 8], // hardware length 8
      [19, 16], // protocol length 16
      [21, 3], // opcode 3 (RARP)
    ];
    for (const [at, value] of mutations) {
      const bad = good.slice();
      bad[at] = value;
      expect(parseArp(bad, 14, bad.length - 14, arp, counters), `byte ${at}`).to.equal(false);
    }
    expect(counters.arpMalformed).to.equal(6);
    const reply = good.slice();
    reply[21] = ARP_REPLY;
    expect(parseArp(reply, 14, reply.length - 14, arp, counters)).to.equal(true);
    expect(arp.op).to.equal(ARP_REPLY);
  });
});
