import { expect } from "chai";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { AfPacketDevice } from "../../../providers/packet/link/afpacket.js";
import { PcapDevice } from "../../../providers/packet/link/pcap.js";
import { OsError } from "../../../providers/native/ffi/os-error.js";
import { FrameQueue } from "./helpers/frame-queue.js";
import {
  arp,
  BROADCAST,
  ETHERTYPE_IPV4,
  ETHERTYPE_IPV6,
  ethernet,
  icmpEchoReply,
  ipv4,
  ipv4Packet,
  macText,
  parseArp,
  parseIpv4,
} from "./helpers/frames.js";
import { requireRoot } from "./helpers/privileges.js";
import {
  flushKernelNeighbours,
  pingFromKernel,
  injectFromKernelSide,
  KERNEL_IP,
  linkInfo,
  sendUdpFromKernel,
  setLinkMtu,
  setKernelNeighbour,
  setKernelTxChecksum,
  sendFromStackSide,
  STACK_IF,
  STACK_IP,
  STACK_MAC,
  topologyDown,
  topologyUp,
} from "./helpers/topology.js";

const ZERO_MAC = new Uint8Array(6);

function arpRequestForKernel(): Uint8Array {
  return arp(1, BROADCAST, STACK_MAC, ipv4(STACK_IP), ZERO_MAC, ipv4(KERNEL_IP));
}

/** An IPv4/UDP-shaped frame from the kernel side whose payload tags it for the test. */
function taggedIpv4(dst: Uint8Array, tag: number): Uint8Array {
  const src = Uint8Array.of(0x02, 0, 0, 0, 0, 0x01);
  return ethernet(dst, src, ETHERTYPE_IPV4, ipv4Packet(253, ipv4(KERNEL_IP), ipv4(STACK_IP), Uint8Array.of(tag)));
}

function tagOf(frame: Uint8Array): number | undefined {
  const ip = parseIpv4(frame);
  return ip?.protocol === 253 ? ip.payload[0] : undefined;
}

describe("packet/io: AfPacketDevice on a veth to the Linux kernel", function () {
  this.timeout(20_000);
  let device: AfPacketDevice | undefined;

  before(function () {
    requireRoot(this);
    topologyUp();
  });

  after(function () {
    if (process.getuid?.() === 0) topologyDown();
  });

  afterEach(async function () {
    await device?.close();
    device = undefined;
  });

  it("opens with the interface's MAC and MTU by default", async function () {
    device = await AfPacketDevice.open({ ifname: STACK_IF });
    const info = linkInfo(STACK_IF);
    expect(macText(device.mac)).to.equal(info.mac);
    expect(device.mtu).to.equal(info.mtu);
  });

  it("sends an ARP request and receives the kernel's reply, but no frame leaving the interface", async function () {
    device = await AfPacketDevice.open({ ifname: STACK_IF, mac: STACK_MAC });
    const frames = new FrameQueue(device);
    // Another socket's broadcast leaving xtiu (PACKET_IGNORE_OUTGOING must hide it; the kernel
    // peer ignores it: nobody owns 198.18.0.77). The kernel never loops a socket's own frames.
    const other = Uint8Array.of(0x02, 0, 0, 0, 0, 0x77);
    sendFromStackSide([arp(1, BROADCAST, other, ipv4("198.18.0.77"), ZERO_MAC, ipv4("198.18.0.78"))]);
    device.send(arpRequestForKernel());
    const { frame } = await frames.next();
    const reply = parseArp(frame);
    expect(reply, "first received frame is the kernel's ARP reply, no outgoing frame").to.deep.include({
      op: 2,
      senderIp: KERNEL_IP,
      targetIp: STACK_IP,
      targetMac: macText(STACK_MAC),
    });
    expect(device.stats()).to.include({ txFrames: 1, rxFrames: 1, txDropped: 0, rxDropped: 0 });
  });

  it("sends the frames queued in one tick with one sendmmsg call", async function () {
    device = await AfPacketDevice.open({ ifname: STACK_IF, mac: STACK_MAC });
    const frames = new FrameQueue(device);
    for (let i = 0; i < 5; i++) device.send(arpRequestForKernel());
    for (let i = 0; i < 5; i++) expect(parseArp((await frames.next()).frame)?.op).to.equal(2);
    expect(device.stats()).to.include({ txFrames: 5, txSyscalls: 1, rxFrames: 5 });
  });

  it("lets only ARP/IPv4 frames for our MAC or broadcast through the BPF filter", async function () {
    device = await AfPacketDevice.open({ ifname: STACK_IF, mac: STACK_MAC });
    const frames = new FrameQueue(device);
    const hardwareMac = Uint8Array.from(linkInfo(STACK_IF).mac.split(":").map((h) => parseInt(h, 16)));
    const other = Uint8Array.of(0x02, 0, 0, 0, 0, 0x99);
    const ipv6ToUs = ethernet(STACK_MAC, other, ETHERTYPE_IPV6, new Uint8Array(40));
    const multicastArp = arp(1, Uint8Array.of(0x01, 0, 0x5e, 0, 0, 1), other, ipv4(KERNEL_IP), ZERO_MAC, ipv4(STACK_IP));
    injectFromKernelSide([
      taggedIpv4(other, 1), // another host's MAC
      taggedIpv4(hardwareMac, 2), // the NIC's own MAC, which is not ours here
      ipv6ToUs, // not ARP/IPv4
      multicastArp, // neither ours nor broadcast
      taggedIpv4(STACK_MAC, 5), // ours
      taggedIpv4(BROADCAST, 6), // broadcast
    ]);
    await frames.next((f) => tagOf(f) === 6);
    expect(frames.all.map((r) => tagOf(r.frame))).to.deep.equal([5, 6]);
  });

  it("receives the kernel's ping: ARP request, then (after our hand-made reply) the ICMP echo", async function () {
    device = await AfPacketDevice.open({ ifname: STACK_IF, mac: STACK_MAC });
    const frames = new FrameQueue(device);
    flushKernelNeighbours(); // else the kernel may still know our MAC from an earlier test and skip ARP
    const ping = pingFromKernel(STACK_IP, 3);

    const who = parseArp((await frames.next((f) => parseArp(f)?.op === 1)).frame);
    expect(who).to.deep.include({ senderIp: KERNEL_IP, targetIp: STACK_IP });
    const kernelMac = Uint8Array.from(who!.senderMac.split(":").map((h) => parseInt(h, 16)));
    device.send(arp(2, kernelMac, STACK_MAC, ipv4(STACK_IP), kernelMac, ipv4(KERNEL_IP)));

    const echo = await frames.next((f) => parseIpv4(f)?.protocol === 1);
    const ip = parseIpv4(echo.frame)!;
    expect(ip).to.include({ src: KERNEL_IP, dst: STACK_IP });
    expect(ip.payload[0], "ICMP type").to.equal(8);
    device.send(icmpEchoReply(echo.frame, STACK_MAC));
    expect(await ping, "kernel ping exit code (0: our echo reply arrived)").to.equal(0);
  });

  it("reports checksumTrusted only when the kernel side leaves the checksum to offload", async function () {
    device = await AfPacketDevice.open({ ifname: STACK_IF, mac: STACK_MAC });
    const frames = new FrameQueue(device);
    setKernelNeighbour(STACK_MAC);
    const isUdp = (f: Uint8Array): boolean => parseIpv4(f)?.protocol === 17;
    try {
      sendUdpFromKernel("full checksum", 9);
      const full = await frames.next(isUdp);
      setKernelTxChecksum(true);
      sendUdpFromKernel("offloaded checksum", 9);
      const offloaded = await frames.next(isUdp);
      expect(full.info?.checksumTrusted, "tx checksum offload off").to.equal(false);
      expect(offloaded.info?.checksumTrusted, "tx checksum offload on").to.equal(true);
    } finally {
      setKernelTxChecksum(false);
    }
  });

  it("lends each frame in place from the shared ring, and ends every burst after its last frame", async function () {
    device = await AfPacketDevice.open({ ifname: STACK_IF, mac: STACK_MAC });
    expect(device.signalsBurstEnd).to.equal(true);
    const events: string[] = [];
    let inRing = 0;
    let done: () => void = () => undefined;
    const allIn = new Promise<void>((resolve) => (done = resolve));
    device.setReceiver(
      (frame) => {
        if (frame.buffer instanceof SharedArrayBuffer) inRing++;
        const tag = tagOf(frame);
        if (tag !== undefined) events.push(`frame ${tag}`);
      },
      () => {
        events.push("end");
        if (events.filter((e) => e !== "end").length === 20) done();
      },
    );
    // injectFromKernelSide blocks the event loop: the frames wait in the ring and come as a burst.
    injectFromKernelSide(Array.from({ length: 20 }, (_, i) => taggedIpv4(STACK_MAC, i)));
    await allIn;
    expect(events.filter((e) => e !== "end")).to.deep.equal(Array.from({ length: 20 }, (_, i) => `frame ${i}`));
    expect(events[events.length - 1]).to.equal("end");
    expect(events.filter((e) => e === "end").length, "no burst without a frame").to.be.within(1, 20);
    expect(events.join(" ")).to.not.include("end end");
    expect(inRing, "every frame a view of the receive ring").to.equal(device.stats().rxFrames);
  });

  it("drops and counts frames when the ring is full, delivering every frame or counting it", async function () {
    device = await AfPacketDevice.open({ ifname: STACK_IF, mac: STACK_MAC, ringSlots: 16 });
    const frames = new FrameQueue(device);
    // injectFromKernelSide blocks the event loop, so the worker fills the 16 slots and must drop.
    injectFromKernelSide([taggedIpv4(STACK_MAC, 7)], 200);
    // Frames may still be in flight in the veth when the injector exits: keep this thread blocked
    // (nothing leaves the ring) until the worker has placed or dropped all of them.
    const pause = new Int32Array(new SharedArrayBuffer(4));
    const blockedUntil = Date.now() + 5000;
    while (device.stats().rxRingFull + 16 < 200 && Date.now() < blockedUntil) Atomics.wait(pause, 0, 0, 5);
    const deadline = Date.now() + 5000;
    const accounted = (): number => device!.stats().rxFrames + device!.stats().rxRingFull;
    while (accounted() < 200 && Date.now() < deadline) await frames.next(() => true, 100).catch(() => undefined);
    const stats = device.stats();
    expect(stats.rxFrames + stats.rxRingFull, "every frame delivered or counted").to.equal(200);
    expect(stats.rxRingFull).to.be.greaterThan(0);
    expect(stats.rxDropped).to.equal(stats.rxRingFull);
    expect(stats.rxFrames).to.be.at.least(16);
  });

  it("drops and counts a frame larger than a ring slot instead of delivering it cut", async function () {
    device = await AfPacketDevice.open({ ifname: STACK_IF, mac: STACK_MAC }); // slots sized for MTU 1500
    const frames = new FrameQueue(device);
    setLinkMtu(9000); // only now, so the device keeps its 1500-byte slots
    try {
      const jumbo = ethernet(STACK_MAC, Uint8Array.of(2, 0, 0, 0, 0, 1), ETHERTYPE_IPV4, new Uint8Array(3000));
      injectFromKernelSide([jumbo, taggedIpv4(STACK_MAC, 9)]);
      expect(tagOf((await frames.next()).frame), "the first frame delivered is the one after the jumbo").to.equal(9);
      expect(device.stats()).to.include({ rxTruncated: 1, rxDropped: 1, rxFrames: 1 });
    } finally {
      setLinkMtu(1500);
    }
  });

  it("uses (almost) no CPU while idle", async function () {
    device = await AfPacketDevice.open({ ifname: STACK_IF, mac: STACK_MAC });
    const before = process.cpuUsage();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const used = process.cpuUsage(before);
    // process.cpuUsage covers every thread, the worker included; a spinning thread would show ~1 s,
    // and V8's own collection of the suites' garbage may take some of this second.
    expect((used.user + used.system) / 1000, "ms of CPU in 1 s idle").to.be.lessThan(250);
  });

  it("records both directions in a pcap file that tshark reads", async function () {
    const dir = mkdtempSync(join(tmpdir(), "xti-pcap-"));
    try {
      const file = join(dir, "arp.pcap");
      device = await AfPacketDevice.open({ ifname: STACK_IF, mac: STACK_MAC });
      const capture = new PcapDevice(device, { file });
      const frames = new FrameQueue(capture);
      capture.send(arpRequestForKernel());
      await frames.next((f) => parseArp(f)?.op === 2);
      await capture.close();
      const lines = execFileSync("tshark", ["-r", file, "-T", "fields", "-e", "arp.opcode", "-e", "arp.src.proto_ipv4"], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "ignore"], // tshark warns on stderr when run as root
      })
        .trim()
        .split("\n");
      expect(lines).to.deep.equal([`1\t${STACK_IP}`, `2\t${KERNEL_IP}`]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("closing twice is harmless and a send after close is counted, not thrown", async function () {
    device = await AfPacketDevice.open({ ifname: STACK_IF, mac: STACK_MAC });
    await device.close();
    await device.close();
    device.send(arpRequestForKernel());
    expect(device.stats()).to.include({ txFrames: 0, txDropped: 1 });
  });

  it("rejects with EPERM and a CAP_NET_RAW hint when the capability is missing", function () {
    const child = fileURLToPath(new URL("./fixtures/open-child.ts", import.meta.url));
    // Root, but with CAP_NET_RAW removed from the bounding set, so the child cannot get it.
    const output = execFileSync("setpriv", ["--bounding-set", "-net_raw", process.execPath, "--import", "tsx", child, STACK_IF], {
      encoding: "utf8",
    });
    const result = JSON.parse(output) as Record<string, unknown>;
    expect(result).to.include({ ok: false, name: "OsError", code: "EPERM" });
    expect(result["message"]).to.be.a("string").and.contain("CAP_NET_RAW");
  });

  it("rejects an unknown interface with ENODEV", async function () {
    const err: unknown = await AfPacketDevice.open({ ifname: "xtinope0" }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(OsError);
    expect(err).to.include({ code: "ENODEV", syscall: "if_nametoindex" });
    expect((err as Error).message).to.contain("xtinope0").and.contain("ENODEV");
  });
});
