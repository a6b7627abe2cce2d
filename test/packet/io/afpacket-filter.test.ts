import { expect } from "chai";
import type { SockFilter } from "../../../providers/native/ffi/structs.js";
import { arpAndIpv4ToUs, FILTER_ACCEPT_BYTES } from "../../../providers/packet/link/afpacket-filter.js";
import { arp, BROADCAST, ETHERTYPE_IPV4, ETHERTYPE_IPV6, ethernet, ipv4 } from "./helpers/frames.js";

/**
 * A classic BPF interpreter for the four instructions the filter uses, with the kernel's rules:
 * absolute loads are big-endian, a load past the end of the frame drops it, jumps are relative
 * to the next instruction.
 */
function runFilter(program: readonly SockFilter[], frame: Uint8Array): number {
  let a = 0;
  for (let pc = 0; pc < program.length; pc++) {
    const { code, jt, jf, k } = program[pc]!;
    switch (code) {
      case 0x20:
        if (k + 4 > frame.length) return 0;
        a = ((frame[k]! << 24) | (frame[k + 1]! << 16) | (frame[k + 2]! << 8) | frame[k + 3]!) >>> 0;
        break;
      case 0x28:
        if (k + 2 > frame.length) return 0;
        a = (frame[k]! << 8) | frame[k + 1]!;
        break;
      case 0x15:
        pc += a === k >>> 0 ? jt : jf;
        break;
      case 0x06:
        return k;
      default:
        throw new Error(`unexpected opcode ${code}`);
    }
  }
  throw new Error("fell off the end of the program");
}

const US = Uint8Array.of(0x02, 0, 0, 0, 0, 0x02);
const OTHER = Uint8Array.of(0x02, 0, 0, 0, 0, 0x03);
const ipFrame = (dst: Uint8Array): Uint8Array => ethernet(dst, OTHER, ETHERTYPE_IPV4, new Uint8Array(20));
const zero = new Uint8Array(6);

describe("packet/io: AF_PACKET BPF filter", () => {
  const program = arpAndIpv4ToUs(US);

  it("accepts ARP and IPv4 for our MAC or broadcast, in full", () => {
    expect(runFilter(program, ipFrame(US))).to.equal(FILTER_ACCEPT_BYTES);
    expect(runFilter(program, ipFrame(BROADCAST))).to.equal(FILTER_ACCEPT_BYTES);
    expect(runFilter(program, arp(1, BROADCAST, OTHER, ipv4("198.18.0.1"), zero, ipv4("198.18.0.2")))).to.equal(
      FILTER_ACCEPT_BYTES,
    );
    expect(runFilter(program, arp(2, US, OTHER, ipv4("198.18.0.1"), US, ipv4("198.18.0.2")))).to.equal(FILTER_ACCEPT_BYTES);
  });

  it("drops other MACs, near misses, multicast, other EtherTypes and runts", () => {
    expect(runFilter(program, ipFrame(OTHER)), "last byte differs").to.equal(0);
    expect(runFilter(program, ipFrame(Uint8Array.of(0x03, 0, 0, 0, 0, 0x02))), "first byte differs").to.equal(0);
    expect(runFilter(program, ipFrame(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0, 0x02))), "half broadcast").to.equal(0);
    expect(runFilter(program, ipFrame(Uint8Array.of(0x01, 0, 0x5e, 0, 0, 1))), "IPv4 multicast").to.equal(0);
    expect(runFilter(program, ethernet(US, OTHER, ETHERTYPE_IPV6, new Uint8Array(40))), "IPv6").to.equal(0);
    expect(runFilter(program, ipFrame(US).subarray(0, 13)), "shorter than an Ethernet header").to.equal(0);
  });

  it("refuses to build a filter for a multicast or malformed MAC", () => {
    expect(() => arpAndIpv4ToUs(Uint8Array.of(0x01, 0, 0x5e, 0, 0, 1))).to.throw(RangeError);
    expect(() => arpAndIpv4ToUs(new Uint8Array(5))).to.throw(RangeError);
  });
});
