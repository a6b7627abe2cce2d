import { expect } from "chai";
import { emptyTcpSegment, parseTcp, tcpLength, writeTcp } from "../../../providers/packet/wire/tcp.js";
import { finishChecksum, onesComplementSum } from "../../../providers/packet/wire/checksum.js";
import { WireCounters } from "../../../providers/packet/wire/counters.js";
import { TCP_ACK, TCP_PSH, TCP_SYN, type TcpSegment } from "../../../providers/packet/wire/tcp-segment.js";
import { fromHex, toHex } from "./hex.js";
import { decodeTcp, encodeTcp } from "./packets.js";

const A = 0xc6120001; // 198.18.0.1
const B = 0xc6120002; // 198.18.0.2

// Produced once with scapy 2.5 (/usr/bin/python3):
// TCP(sport=40000, dport=80, seq=0x01020304, flags='S', window=64240,
//     options=[MSS 1460, SAckOK, Timestamp(123456,0), NOP, WScale 7]) from 198.18.0.1 to 198.18.0.2
const SCAPY_SYN = "9c4000500102030400000000a002faf03e0f0000020405b40402080a0001e2400000000001030307";
// TCP(sport=80, dport=40000, seq=0xfffffff0, ack=0x01020305, flags='PA', window=502,
//     options=[NOP, NOP, Timestamp(7,123456), NOP, NOP, SAck(100,200,300,400)]) / b'hello', B to A
const SCAPY_DATA =
  "00509c40fffffff001020305d01801f6c7df00000101080a000000070001e2400101051200000064000000c80000012c0000019068656c6c6f";

function segment(overrides: Partial<TcpSegment>): TcpSegment {
  return { srcPort: 1, dstPort: 2, seq: 0, ack: 0, flags: TCP_ACK, window: 0, urgentPointer: 0, options: {}, payload: new Uint8Array(0), ...overrides };
}

describe("packet/net wire: TCP", () => {
  it("writes a segment into a caller's dirty buffer at an offset exactly as encodeTcp, touching nothing else", () => {
    const seg = segment({ srcPort: 80, dstPort: 40000, seq: 0xfffffff0, ack: 7, flags: TCP_PSH | TCP_ACK, window: 502, options: { timestamp: { value: 7, echo: 9 }, sack: [[100, 200]] }, payload: Uint8Array.of(1, 2, 3, 4, 5) });
    const length = tcpLength(seg);
    const buf = new Uint8Array(34 + length + 3).fill(0xee);
    const headerLength = writeTcp(seg, buf, 34, B, A, false);
    expect(headerLength).to.equal(length - 5);
    expect(toHex(buf.subarray(34, 34 + length))).to.equal(toHex(encodeTcp(seg, B, A)));
    expect([...buf.subarray(0, 34), ...buf.subarray(34 + length)].every((b) => b === 0xee), "bytes around it").to.equal(true);
  });

  it("with a partial checksum leaves the pseudo-header sum that checksum offload completes into encodeTcp's checksum", () => {
    const seg = segment({ srcPort: 80, dstPort: 40000, seq: 1, ack: 2, window: 502, payload: new Uint8Array(1001).map((_, i) => i) });
    const partial = new Uint8Array(tcpLength(seg));
    writeTcp(seg, partial, 0, A, B, true);
    // What the device does: sum everything from the TCP header on, the field included, and complement.
    const completed = finishChecksum(onesComplementSum(partial, 0, partial.length));
    const full = encodeTcp(seg, A, B);
    expect(completed).to.equal((full[16]! << 8) | full[17]!);
    expect(toHex(partial.subarray(18)), "all but the checksum as encodeTcp").to.equal(toHex(full.subarray(18)));
  });

  it("encodes a SYN with MSS, SACK-permitted, timestamps and window scale byte for byte like scapy", () => {
    const bytes = encodeTcp(
      segment({ srcPort: 40000, dstPort: 80, seq: 0x01020304, flags: TCP_SYN, window: 64240, options: { mss: 1460, sackPermitted: true, timestamp: { value: 123456, echo: 0 }, windowScale: 7 } }),
      A,
      B,
    );
    expect(toHex(bytes)).to.equal(SCAPY_SYN);
  });

  it("encodes a data segment with timestamps and SACK blocks byte for byte like scapy", () => {
    const bytes = encodeTcp(
      segment({
        srcPort: 80,
        dstPort: 40000,
        seq: 0xfffffff0,
        ack: 0x01020305,
        flags: TCP_PSH | TCP_ACK,
        window: 502,
        options: { timestamp: { value: 7, echo: 123456 }, sack: [[100, 200], [300, 400]] },
        payload: new TextEncoder().encode("hello"),
      }),
      B,
      A,
    );
    expect(toHex(bytes)).to.equal(SCAPY_DATA);
  });

  it("decodes scapy's segments, payload as a view into the input", () => {
    const bytes = fromHex(SCAPY_DATA);
    const seg = decodeTcp(bytes, B, A);
    expect(seg).to.not.equal(null);
    expect(seg!.seq).to.equal(0xfffffff0);
    expect(seg!.ack).to.equal(0x01020305);
    expect(seg!.flags).to.equal(TCP_PSH | TCP_ACK);
    expect(seg!.window).to.equal(502);
    expect(seg!.options).to.deep.equal({ timestamp: { value: 7, echo: 123456 }, sack: [[100, 200], [300, 400]] });
    expect(new TextDecoder().decode(seg!.payload)).to.equal("hello");
    expect(seg!.payload.buffer).to.equal(bytes.buffer);
    const syn = decodeTcp(fromHex(SCAPY_SYN), A, B);
    expect(syn!.options).to.deep.equal({ mss: 1460, sackPermitted: true, timestamp: { value: 123456, echo: 0 }, windowScale: 7 });
  });

  it("parses into the caller's record, each field and the options replaced by the next segment's", () => {
    const seg = emptyTcpSegment();
    expect(parseTcp(fromHex(SCAPY_SYN), A, B, seg)).to.equal(true);
    expect(seg.options.windowScale).to.equal(7);
    const data = fromHex(SCAPY_DATA);
    expect(parseTcp(data, B, A, seg)).to.equal(true);
    expect([seg.seq, seg.ack, seg.flags, seg.window]).to.deep.equal([0xfffffff0, 0x01020305, TCP_PSH | TCP_ACK, 502]);
    expect(seg.options).to.deep.equal({ timestamp: { value: 7, echo: 123456 }, sack: [[100, 200], [300, 400]] });
    expect(seg.payload.buffer).to.equal(data.buffer);
    const bare = encodeTcp(segment({ seq: 5 }), B, A);
    expect(parseTcp(bare, B, A, seg)).to.equal(true);
    expect([seg.seq, seg.options, seg.payload.length]).to.deep.equal([5, {}, 0]);
  });

  it("round-trips every option combination", () => {
    const payload = Uint8Array.from({ length: 1001 }, (_, i) => i & 0xff);
    const variants = [
      {},
      { mss: 536 },
      { sackPermitted: true },
      { windowScale: 0 },
      { timestamp: { value: 0xffffffff, echo: 1 } },
      { sack: [[1, 2]] as Array<[number, number]> },
      { sack: [[1, 2], [3, 4], [5, 6], [7, 8]] as Array<[number, number]> },
      { mss: 9000, windowScale: 14, sackPermitted: true },
    ];
    for (const options of variants) {
      const seg = segment({ srcPort: 65535, dstPort: 1, seq: 0xdeadbeef, ack: 0x80000000, flags: 0xff, window: 65535, urgentPointer: 3, options, payload });
      const bytes = encodeTcp(seg, A, B);
      expect(bytes.length % 4).to.equal(payload.length % 4);
      const back = decodeTcp(bytes, A, B);
      expect(back, JSON.stringify(options)).to.deep.equal(seg);
    }
  });

  it("leaves out SACK blocks that do not fit next to the other options", () => {
    const sack: Array<[number, number]> = [[1, 2], [3, 4], [5, 6], [7, 8]];
    const bytes = encodeTcp(segment({ options: { timestamp: { value: 1, echo: 2 }, sack } }), A, B);
    expect(bytes.length).to.equal(60);
    expect(decodeTcp(bytes, A, B)!.options.sack).to.deep.equal(sack.slice(0, 3));
  });

  it("clamps a received window scale above 14", () => {
    const bytes = encodeTcp(segment({ options: { windowScale: 3 } }), A, B);
    bytes[23] = 20;
    expect(decodeTcp(bytes, A, B, false)!.options.windowScale).to.equal(14);
  });

  it("rejects short headers, bad data offsets and bad checksums with a counter", () => {
    const counters = new WireCounters();
    const good = fromHex(SCAPY_DATA);
    expect(decodeTcp(good.subarray(0, 19), B, A, true, counters)).to.equal(null);
    expect(counters.tcpTooShort).to.equal(1);
    for (const offsetWords of [0, 4, 15]) {
      const bad = good.slice(0, 40);
      bad[12] = offsetWords << 4;
      expect(decodeTcp(bad, B, A, false, counters)).to.equal(null);
    }
    expect(counters.tcpBadDataOffset).to.equal(3);
    const flipped = good.slice();
    flipped[good.length - 1]! ^= 0x01;
    expect(decodeTcp(flipped, B, A, true, counters)).to.equal(null);
    expect(counters.tcpBadChecksum).to.equal(1);
    // Wrong pseudo-header (another destination) also fails the checksum.
    expect(decodeTcp(good, B, B, true, counters)).to.equal(null);
    expect(counters.tcpBadChecksum).to.equal(2);
    // Without verification the flipped segment decodes.
    expect(decodeTcp(flipped, B, A, false, counters)).to.not.equal(null);
  });

  it("survives bogus option lengths without throwing or looping", () => {
    const counters = new WireCounters();
    const base = encodeTcp(segment({ options: { mss: 1460, timestamp: { value: 1, echo: 2 }, windowScale: 2 } }), A, B);
    // Option length 0 at the first option: the walk must stop, not spin.
    const zeroLen = base.slice();
    zeroLen[21] = 0;
    expect(decodeTcp(zeroLen, A, B, false, counters)!.options).to.deep.equal({});
    // Length 1 and a length that runs past the header.
    const oneLen = base.slice();
    oneLen[21] = 1;
    expect(decodeTcp(oneLen, A, B, false, counters)!.options).to.deep.equal({});
    const longLen = base.slice();
    longLen[21] = 200;
    expect(decodeTcp(longLen, A, B, false, counters)!.options).to.deep.equal({});
    expect(counters.tcpBadOption).to.equal(3);
    // Known kinds with the wrong length are skipped, the following options still parse.
    const wrongMss = base.slice();
    wrongMss[21] = 4;
    wrongMss[20] = 3; // window scale kind with length 4: not a window scale
    expect(decodeTcp(wrongMss, A, B, false, counters)!.options).to.deep.equal({ timestamp: { value: 1, echo: 2 }, windowScale: 2 });
    // Kind in the last option byte with no room for its length.
    const tail = encodeTcp(segment({ options: { mss: 1 } }), A, B);
    tail.set([1, 1, 1, 8], 20); // NOP NOP NOP, then a timestamp kind in the last byte
    expect(decodeTcp(tail, A, B, false, counters)!.options).to.deep.equal({});
    expect(counters.tcpBadOption).to.equal(4);
    // Every byte value in every option position: never throws.
    for (let pos = 20; pos < base.length; pos++) {
      for (let v = 0; v < 256; v++) {
        const b = base.slice();
        b[pos] = v;
        decodeTcp(b, A, B, false, counters);
      }
    }
  });

  it("stops at EOL and ignores what follows", () => {
    const bytes = encodeTcp(segment({ options: { mss: 1460, windowScale: 5 } }), A, B);
    bytes[24] = 0; // EOL where the NOP before window scale was
    expect(decodeTcp(bytes, A, B, false)!.options).to.deep.equal({ mss: 1460 });
  });
});
