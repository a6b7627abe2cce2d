/**
 * The stack's transmit offloads, over the in-memory hub: a device that advertises checksum and
 * TCP segmentation offload gets TCP super-frames with partial checksums and completes them in
 * software here, as the kernel does behind PACKET_VNET_HDR; the receiving stack checks every
 * segment's checksums, so what it accepts is what a wire would carry.
 */
import { expect } from "chai";
import { ManualClock } from "../../../providers/packet/clock.js";
import { UserHost } from "../../../providers/packet/host.js";
import type { FrameInfo, LinkDevice, LinkOffloads, LinkStats, TxOffload } from "../../../providers/packet/link/device.js";
import { MemoryHub, type MemoryLinkDevice } from "../../../providers/packet/link/memory.js";
import { SeededRandom } from "../../../providers/packet/random.js";
import type { TcpConnection } from "../../../providers/packet/stack/tcp/connection.js";
import { readU16, readU32, writeU16, writeU32 } from "../../../providers/packet/wire/bytes.js";
import { finishChecksum, foldSum, internetChecksum, onesComplementSum, pseudoHeaderSum } from "../../../providers/packet/wire/checksum.js";
import { TCP_FIN, TCP_PSH } from "../../../providers/packet/wire/tcp-segment.js";
import { Recorder } from "../tcp/harness.js";

const NET = 0xc6120000;
const mac = (n: number): Uint8Array => Uint8Array.from([2, 0, 0, 0, 0, n]);
const IP_AT = 14;

/** A memory port that claims the offloads and does their work in software before the wire. */
class OffloadingPort implements LinkDevice {
  readonly offloads: LinkOffloads = { checksum: true, tcpSegmentation: 14 + 65535 };
  readonly requests: TxOffload[] = [];
  superFrames = 0;

  constructor(private readonly inner: MemoryLinkDevice) {}

  get mac(): Uint8Array {
    return this.inner.mac;
  }

  get mtu(): number {
    return this.inner.mtu;
  }

  send(frame: Uint8Array, offload?: TxOffload): void {
    if (offload === undefined) {
      this.inner.send(frame);
      return;
    }
    this.requests.push({ ...offload });
    if (offload.segmentSize === 0) {
      this.inner.send(complete(frame.slice(), offload));
      return;
    }
    this.superFrames++;
    for (const segment of segments(frame, offload)) this.inner.send(segment);
  }

  setReceiver(receiver: ((frame: Uint8Array, info?: FrameInfo) => void) | null): void {
    this.inner.setReceiver(receiver);
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  stats(): LinkStats {
    return this.inner.stats();
  }
}

/**
 * An offloading port that, like the AF_PACKET device, hands out the place of the next frame in
 * its transmit memory (frameBuffer) and copies any other frame sent to that same place.
 */
class ArenaPort extends OffloadingPort {
  private readonly arena = new Uint8Array(14 + 65535);
  /** The ethertype of each frame sent with an offload (the stack's TCP frames), as it left. */
  readonly offloadedEthertypes: number[] = [];

  frameBuffer(length: number): Uint8Array {
    return this.arena.subarray(0, length);
  }

  override send(frame: Uint8Array, offload?: TxOffload): void {
    if (frame.buffer !== this.arena.buffer) this.arena.set(frame, 0);
    const sent = this.arena.slice(0, frame.length);
    if (offload !== undefined) this.offloadedEthertypes.push(readU16(sent, 12));
    super.send(sent, offload);
  }
}

/** Fill in the transport checksum the frame left partial (the field holds the pseudo-header sum). */
function complete(frame: Uint8Array, o: TxOffload): Uint8Array {
  writeU16(frame, o.checksumStart + o.checksumOffset, finishChecksum(onesComplementSum(frame, o.checksumStart, frame.length - o.checksumStart)));
  return frame;
}

/** Cut a TCP/IPv4 super-frame as the kernel's GSO does: same headers, seq and IP id advancing, FIN/PSH on the last only. */
function segments(frame: Uint8Array, o: TxOffload): Uint8Array[] {
  const out: Uint8Array[] = [];
  const tcpAt = o.checksumStart;
  const src = readU32(frame, IP_AT + 12);
  const dst = readU32(frame, IP_AT + 16);
  const seq = readU32(frame, tcpAt + 4);
  const id = readU16(frame, IP_AT + 4);
  for (let at = o.headerLength, i = 0; at < frame.length; at += o.segmentSize, i++) {
    const end = Math.min(frame.length, at + o.segmentSize);
    const seg = new Uint8Array(o.headerLength + end - at);
    seg.set(frame.subarray(0, o.headerLength));
    seg.set(frame.subarray(at, end), o.headerLength);
    writeU16(seg, IP_AT + 2, seg.length - IP_AT);
    writeU16(seg, IP_AT + 4, (id + i) & 0xffff);
    writeU16(seg, IP_AT + 10, 0);
    writeU16(seg, IP_AT + 10, internetChecksum(seg, IP_AT, tcpAt - IP_AT));
    writeU32(seg, tcpAt + 4, (seq + (at - o.headerLength)) >>> 0);
    if (end < frame.length) seg[tcpAt + 13]! &= ~(TCP_FIN | TCP_PSH);
    writeU16(seg, tcpAt + o.checksumOffset, foldSum(pseudoHeaderSum(src, dst, 6, seg.length - tcpAt)));
    out.push(complete(seg, o));
  }
  return out;
}

/** Two hosts on a memory hub, `a` over `device` (made from its hub port), and a connection from a to b. */
function connected<D extends LinkDevice>(wrap: (port: MemoryLinkDevice) => D) {
  const clock = new ManualClock();
  const hub = new MemoryHub(clock, { latencyMs: 1 });
  const port = wrap(hub.attach(mac(1)));
  const a = UserHost.over(port, { address: NET + 1, prefixLength: 24, clock, random: new SeededRandom(1) });
  const b = UserHost.over(hub.attach(mac(2)), { address: NET + 2, prefixLength: 24, clock, random: new SeededRandom(2) });
  const serverRec = new Recorder(clock);
  const listener = b.tcp.listen({ port: 80 }, { connectionIndication: (ind) => void (serverRec.conn = listener.accept(ind.sequence, serverRec)) });
  const clientRec = new Recorder(clock);
  const client: TcpConnection = a.tcp.connect({ remote: { address: NET + 2, port: 80 } }, clientRec);
  clientRec.conn = client;
  expect(clock.runUntil(() => clientRec.connectedAt >= 0, 60_000), "connected").to.equal(true);
  const close = async (): Promise<void> => {
    listener.close();
    await a.close();
    await b.close();
  };
  return { clock, port, a, b, client, serverRec, close };
}

describe("packet: transmit offloads (checksum, TCP segmentation) over a device that has them", () => {
  it("sends bulk data as super-frames with partial checksums that, cut as the kernel cuts them, arrive whole and valid", async () => {
    const { clock, port, a, b, client, serverRec, close } = connected((p) => new OffloadingPort(p));
    const data = new Uint8Array(3_000_000).map((_, i) => (i * 31) >>> 3);
    expect(client.sendPiece(data)).to.equal(true);
    expect(clock.runUntil(() => serverRec.received === data.length, 600_000), "all data arrived").to.equal(true);

    expect(Buffer.compare(serverRec.bytes(), data)).to.equal(0);
    expect(port.superFrames, "super-frames sent").to.be.above(0);
    expect(port.requests.every((o) => o.checksumStart === 34 && o.checksumOffset === 16)).to.equal(true);
    const sizes = new Set(port.requests.filter((o) => o.segmentSize > 0).map((o) => o.segmentSize));
    expect(sizes.size, "one segment size: the SMSS").to.equal(1);
    expect([...sizes][0]).to.be.within(1400, 1460);
    expect(b.stats().stack.wire.tcpBadChecksum, "segments with a bad checksum").to.equal(0);
    expect(a.stats().device.txDropped, "frames longer than the MTU").to.equal(0);
    expect(client.stats().segmentsSent, "segments counted one by one").to.be.above(data.length / 1460);
    const stats = a.stats();
    expect(stats.tcp.segmentsSent, "the engine counts the segments on the wire too").to.be.at.least(client.stats().segmentsSent);
    expect(stats.stack.ip.sent, "and so does IP").to.be.at.least(client.stats().segmentsSent);
    await close();
  });

  it("a frame built in the device's transmit memory leaves before the ARP probe of a stale neighbour, not overwritten by it", async () => {
    const { clock, port, a, client, serverRec, close } = connected((p) => new ArenaPort(p));
    expect(client.sendPiece(new Uint8Array(100_000).fill(1))).to.equal(true);
    expect(clock.runUntil(() => serverRec.received === 100_000, 600_000)).to.equal(true);
    clock.advance(31_000); // idle past ARP's reachable time: the neighbour entry is stale
    const sentBefore = a.stats().stack.arp.requestsSent;
    expect(client.sendPiece(new Uint8Array(100_000).fill(2))).to.equal(true);
    expect(clock.runUntil(() => serverRec.received === 200_000, 600_000)).to.equal(true);
    expect(a.stats().stack.arp.requestsSent, "a probe went out").to.be.above(sentBefore);
    expect(port.offloadedEthertypes.filter((t) => t !== 0x0800), "TCP frames that left as something else").to.deep.equal([]);
    expect(client.stats().retransmits, "nothing lost, nothing resent").to.equal(0);
    await close();
  });

  it("sends complete frames, one per segment, through a device without offloads (the memory port itself)", async () => {
    const { clock, a, b, client, serverRec, close } = connected((p) => p);
    const data = new Uint8Array(300_000).fill(7);
    expect(client.sendPiece(data)).to.equal(true);
    expect(clock.runUntil(() => serverRec.received === data.length, 600_000)).to.equal(true);
    expect(a.stats().device.txDropped).to.equal(0);
    expect(a.stats().device.txFrames, "one frame per segment at least").to.be.above(data.length / 1460);
    expect(b.stats().stack.wire.tcpBadChecksum).to.equal(0);
    await close();
  });
});
