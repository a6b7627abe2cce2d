/**
 * BBR against the Linux kernel's TCP: our upload of 20 MB while nftables drops 5 % of our frames
 * on the kernel's receive side (numgen random at prerouting). What arrives must hash to what was
 * sent, BBR must have paced, and the losses must have been repaired by RACK, not by timeouts.
 * How fast it goes is the benchmark's business (`npm run bench -- stack-loss`); the line printed
 * here is for the curious.
 */
import { expect } from "chai";
import { parseIpv4Address } from "../../../providers/packet/wire/ipv4-address.js";
import { kernelTcp } from "./helpers/kernel-peer.js";
import { BBR_TOPOLOGY as TOPOLOGY } from "./helpers/topology.js";
import { StreamEnd, openUserHost, suiteOn, within } from "./helpers/user-side.js";

const MB = 1024 * 1024;
const BYTES = 20 * MB;
const KERNEL = parseIpv4Address(TOPOLOGY.kernelIp)!;
const SEGMENTS = Math.ceil(BYTES / 1448);

describe("packet/interop: BBR, 20 MB at 5 % loss against the Linux kernel's TCP", function () {
  this.timeout(120_000);
  const ends = suiteOn(TOPOLOGY);

  it("our upload with BBR, 5 % of our frames dropped by nftables on the kernel's receive side: SHA-256 equal", async function () {
    TOPOLOGY.kernelReceiveLoss(5);
    try {
      ends.host = await openUserHost(undefined, TOPOLOGY, { tcp: { congestionControl: "bbr" } });
      ends.peer = kernelTcp({ listen: 5201, order: "recv-first", namespace: TOPOLOGY.namespace });
      await ends.peer.ready;
      const end = new StreamEnd({ sendBytes: BYTES, seed: 23 });
      const started = performance.now();
      end.conn = ends.host.tcp.connect({ remote: { address: KERNEL, port: 5201 } }, end);
      let paced = 0;
      const watch = setInterval(() => (paced = Math.max(paced, end.conn?.stats().pacingRate ?? 0)), 20);
      const ours = await within(end.done, 100_000, "our upload").finally(() => clearInterval(watch));
      const kernel = await ends.peer.result;
      const seconds = (performance.now() - started) / 1000;
      expect(ours.outcome).to.equal("closed");
      expect(kernel["error"]).to.equal(undefined);
      expect(kernel["received"]).to.equal(BYTES);
      expect(kernel["received_sha256"], "the kernel received what we sent").to.equal(ours.sentSha256);
      const dropped = TOPOLOGY.kernelReceiveLossDropped();
      expect(dropped, "frames nftables dropped").to.be.greaterThan(0.03 * SEGMENTS);
      const s = end.conn.stats();
      expect(paced, "BBR paced its segments").to.be.greaterThan(0);
      expect(s.retransmits, "every loss resent").to.be.at.least(dropped * 0.9);
      // Fast recovery repairs the losses; a timeout is the odd tail, or a stall of this loaded machine.
      expect(s.rtoEvents, "losses repaired without timeouts (but the odd one)").to.be.at.most(Math.max(3, dropped / 100));
      console.log(`      upload (BBR): ${(BYTES / 1e6 / seconds).toFixed(1)} MB/s, ${dropped} dropped, ${s.retransmits} resent, ${s.fastRetransmits} recoveries, ${s.rtoEvents} RTOs, ${s.dsacksReceived} D-SACKs`);
    } finally {
      TOPOLOGY.removeKernelReceiveLoss();
    }
  });
});
