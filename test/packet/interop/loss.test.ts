/**
 * 50 MB through 5 % random loss against the Linux kernel's TCP, each direction on its own: our
 * upload with nftables dropping 5 % of our frames on the kernel's receive side (numgen random at
 * prerouting), and our download with the seeded fault injector dropping 5 % of the kernel's frames
 * on ours. What arrives must hash to what was sent. How fast it goes is the benchmark's business
 * (`npm run bench -- stack-loss`); the line printed here is for the curious.
 */
import { expect } from "chai";
import { parseIpv4Address } from "../../../providers/packet/wire/ipv4-address.js";
import { kernelTcp } from "./helpers/kernel-peer.js";
import { LOSS_TOPOLOGY as TOPOLOGY } from "./helpers/topology.js";
import { StreamEnd, openUserHost, suiteOn, within } from "./helpers/user-side.js";

const MB = 1024 * 1024;
const BYTES = 50 * MB;
const KERNEL = parseIpv4Address(TOPOLOGY.kernelIp)!;
const SEGMENTS = Math.ceil(BYTES / 1448);

describe("packet/interop: 50 MB at 5 % loss against the Linux kernel's TCP", function () {
  this.timeout(180_000);
  const ends = suiteOn(TOPOLOGY);

  it("our upload, 5 % of our frames dropped by nftables on the kernel's receive side: SHA-256 equal", async function () {
    TOPOLOGY.kernelReceiveLoss(5);
    try {
      ends.host = await openUserHost(undefined, TOPOLOGY);
      ends.peer = kernelTcp({ listen: 5101, order: "recv-first", namespace: TOPOLOGY.namespace });
      await ends.peer.ready;
      const end = new StreamEnd({ sendBytes: BYTES, seed: 21 });
      const started = performance.now();
      end.conn = ends.host.tcp.connect({ remote: { address: KERNEL, port: 5101 } }, end);
      const ours = await within(end.done, 150_000, "our upload");
      const kernel = await ends.peer.result;
      const seconds = (performance.now() - started) / 1000;
      expect(ours.outcome).to.equal("closed");
      expect(kernel["error"]).to.equal(undefined);
      expect(kernel["received"]).to.equal(BYTES);
      expect(kernel["received_sha256"], "the kernel received what we sent").to.equal(ours.sentSha256);
      const dropped = TOPOLOGY.kernelReceiveLossDropped();
      expect(dropped, "frames nftables dropped").to.be.greaterThan(0.03 * SEGMENTS);
      const s = end.conn.stats();
      console.log(`      upload: ${(BYTES / 1e6 / seconds).toFixed(1)} MB/s, ${dropped} dropped, ${s.retransmits} resent, ${s.fastRetransmits} recoveries, ${s.lossProbes} probes, ${s.rtoEvents} RTOs, ${s.undoneRecoveries} undone`);
    } finally {
      TOPOLOGY.removeKernelReceiveLoss();
    }
  });

  it("our download, 5 % of the kernel's frames dropped by our fault injector: SHA-256 equal", async function () {
    ends.host = await openUserHost({ seed: 5, rx: { drop: 0.05 } }, TOPOLOGY);
    ends.peer = kernelTcp({ listen: 5102, sendBytes: BYTES, seed: 22, order: "send-first", namespace: TOPOLOGY.namespace });
    await ends.peer.ready;
    const end = new StreamEnd({ shutdown: "after-peer-fin" });
    const started = performance.now();
    end.conn = ends.host.tcp.connect({ remote: { address: KERNEL, port: 5102 } }, end);
    const ours = await within(end.done, 150_000, "our download");
    const kernel = await ends.peer.result;
    const seconds = (performance.now() - started) / 1000;
    expect(ours.outcome).to.equal("closed");
    expect(kernel["error"]).to.equal(undefined);
    expect(ours.received).to.equal(BYTES);
    expect(ours.receivedSha256, "we received what the kernel sent").to.equal(kernel["sent_sha256"]);
    const rx = ends.host.stats().faults!.rx;
    expect(rx.dropped / rx.frames, "fraction our injector dropped").to.be.within(0.04, 0.06);
    const s = end.conn.stats();
    console.log(`      download: ${(BYTES / 1e6 / seconds).toFixed(1)} MB/s, ${rx.dropped} dropped, ${s.outOfOrderSegments} out of order, ${s.dsacksSent} D-SACKs sent`);
  });
});
