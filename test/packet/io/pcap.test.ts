import { expect } from "chai";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ManualClock } from "../../../providers/packet/clock.js";
import type { FrameInfo, LinkDevice, LinkStats } from "../../../providers/packet/link/device.js";
import { LINKTYPE_ETHERNET, PcapDevice } from "../../../providers/packet/link/pcap.js";
import { arp, BROADCAST, ETHERTYPE_IPV4, ethernet, ipv4 } from "./helpers/frames.js";
import { readPcap } from "./helpers/pcap-reader.js";

/** A LinkDevice double: records what is sent, lets the test deliver frames, counts closes. */
class StubDevice implements LinkDevice {
  readonly mac = Uint8Array.of(0x02, 0, 0, 0, 0, 0x02);
  readonly mtu = 1500;
  readonly sent: Uint8Array[] = [];
  closes = 0;
  private receiver: ((frame: Uint8Array, info?: FrameInfo) => void) | null = null;
  send(frame: Uint8Array): void {
    this.sent.push(frame);
  }
  setReceiver(receiver: ((frame: Uint8Array, info?: FrameInfo) => void) | null): void {
    this.receiver = receiver;
  }
  deliver(frame: Uint8Array, info?: FrameInfo): void {
    this.receiver?.(frame, info);
  }
  close(): Promise<void> {
    this.closes++;
    return Promise.resolve();
  }
  stats(): LinkStats {
    return { txFrames: this.sent.length, rxFrames: 0, txDropped: 0, rxDropped: 0 };
  }
}

const US = Uint8Array.of(0x02, 0, 0, 0, 0, 0x02);
const PEER = Uint8Array.of(0x02, 0, 0, 0, 0, 0x01);
const request = arp(1, BROADCAST, US, ipv4("198.18.0.2"), new Uint8Array(6), ipv4("198.18.0.1"));
const reply = arp(2, US, PEER, ipv4("198.18.0.1"), US, ipv4("198.18.0.2"));
const START_MS = 1_700_000_000_000 + 123.456;

describe("packet/io: pcap writer", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "xti-pcap-"));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("records both directions with the injected clock, and still forwards them", async () => {
    const file = join(dir, "both.pcap");
    const inner = new StubDevice();
    const clock = new ManualClock(START_MS);
    const capture = new PcapDevice(inner, { file, clock });
    const received: Array<[Uint8Array, FrameInfo | undefined]> = [];
    capture.setReceiver((frame, info) => received.push([frame, info]));
    capture.send(request);
    clock.advance(1.5);
    inner.deliver(reply, { checksumTrusted: true });
    await capture.close();

    expect(inner.sent).to.deep.equal([request]);
    expect(received).to.deep.equal([[reply, { checksumTrusted: true }]]);
    expect(inner.closes).to.equal(1);
    const pcap = readPcap(readFileSync(file));
    expect(pcap).to.include({ versionMajor: 2, versionMinor: 4, snapLength: 65535, linkType: LINKTYPE_ETHERNET });
    expect(pcap.records.map((r) => [r.seconds, r.micros, r.originalLength])).to.deep.equal([
      [1_700_000_000, 123_456, 42],
      [1_700_000_000, 124_956, 42],
    ]);
    expect(pcap.records.map((r) => r.data)).to.deep.equal([request, reply]);
  });

  it("is readable by tshark, which decodes the frames", async () => {
    const file = join(dir, "tshark.pcap");
    const inner = new StubDevice();
    const capture = new PcapDevice(inner, { file, clock: new ManualClock(START_MS) });
    capture.setReceiver(() => undefined);
    capture.send(request);
    inner.deliver(reply);
    capture.send(ethernet(PEER, US, ETHERTYPE_IPV4, new Uint8Array(1486)));
    await capture.close();
    const out = execFileSync(
      "tshark",
      ["-r", file, "-T", "fields", "-E", "separator=,", "-e", "frame.time_epoch", "-e", "eth.src", "-e", "eth.type", "-e", "frame.len", "-e", "arp.opcode"],
      { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] },
    );
    expect(out.trim().split("\n")).to.deep.equal([
      "1700000000.123456000,02:00:00:00:00:02,0x0806,42,1",
      "1700000000.123456000,02:00:00:00:00:01,0x0806,42,2",
      "1700000000.123456000,02:00:00:00:00:02,0x0800,1500,",
    ]);
  });

  it("honours direction and snap length", async () => {
    const file = join(dir, "rx.pcap");
    const inner = new StubDevice();
    const capture = new PcapDevice(inner, { file, direction: "rx", snapLength: 20 });
    capture.setReceiver(() => undefined);
    capture.send(request);
    inner.deliver(reply);
    await capture.close();
    const pcap = readPcap(readFileSync(file));
    expect(pcap.snapLength).to.equal(20);
    expect(pcap.records).to.have.length(1);
    expect(pcap.records[0]!.originalLength).to.equal(42);
    expect(pcap.records[0]!.data).to.deep.equal(reply.subarray(0, 20));
  });

  it("writes to a sink: the file header first, then one chunk per record", async () => {
    const chunks: Uint8Array[] = [];
    const inner = new StubDevice();
    const capture = new PcapDevice(inner, { sink: (bytes) => chunks.push(bytes), clock: new ManualClock(START_MS), direction: "tx" });
    capture.setReceiver(() => undefined);
    capture.send(request);
    inner.deliver(reply);
    await capture.close();
    expect(chunks.map((c) => c.length)).to.deep.equal([24, 16 + 42]);
    const pcap = readPcap(Uint8Array.from(Buffer.concat(chunks)));
    expect(pcap.records.map((r) => r.data)).to.deep.equal([request]);
  });

  it("writes a long capture through its buffer without losing or reordering records", async () => {
    const file = join(dir, "long.pcap");
    const inner = new StubDevice();
    const capture = new PcapDevice(inner, { file, direction: "tx" });
    const frames = Array.from({ length: 200 }, (_, i) => ethernet(PEER, US, ETHERTYPE_IPV4, new Uint8Array(1000).fill(i)));
    for (const frame of frames) capture.send(frame);
    await capture.close();
    expect(readPcap(readFileSync(file)).records.map((r) => r.data)).to.deep.equal(frames);
  });

  it("needs exactly one destination", () => {
    const inner = new StubDevice();
    expect(() => new PcapDevice(inner, {})).to.throw(TypeError);
    expect(() => new PcapDevice(inner, { file: join(dir, "x.pcap"), sink: () => undefined })).to.throw(TypeError);
  });
});
