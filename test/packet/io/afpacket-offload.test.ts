/**
 * The AF_PACKET device's fallback when the kernel refuses a TCP super-frame at send time: the
 * device stops offering segmentation for the rest of its life, TCP sends MSS-sized frames from
 * then on and resends what was refused, and the transfer completes intact.
 *
 * No real interface refuses a well-formed GSO_TCPV4 frame (without TSO the kernel segments in
 * software), so the device's test hook gives the first super-frame a gso_type no kernel knows;
 * virtio_net_hdr_to_skb() refuses that with EINVAL on every kernel, as packet_snd() would refuse a
 * segmentation the kernel cannot do.
 *
 * Its own topology (OFFLOAD_TOPOLOGY), so that it never shares a link or a subnet with the other
 * suites.
 */
import { expect } from "chai";
import { constants } from "node:os";
import { parseIpv4Address } from "../../../providers/packet/wire/ipv4-address.js";
import { kernelTcp } from "../interop/helpers/kernel-peer.js";
import { OFFLOAD_TOPOLOGY as TOPOLOGY } from "../interop/helpers/topology.js";
import { StreamEnd, openUserHost, suiteOn, within } from "../interop/helpers/user-side.js";

const MB = 1024 * 1024;
const BYTES = 8 * MB;
const KERNEL = parseIpv4Address(TOPOLOGY.kernelIp)!;
/** TCP payload per MTU-sized segment with timestamps on a 1500-byte link. */
const MSS = 1448;
/** Largest TCP super-frame payload the device hands the kernel. */
const SUPER_PAYLOAD = 65535;

describe("packet/io: AfPacketDevice falls back from segmentation offload when the kernel refuses a super-frame", function () {
  this.timeout(60_000);
  const ends = suiteOn(TOPOLOGY);

  it("our upload: the refused super-frame is resent, later frames are MSS-sized, every byte arrives", async function () {
    ends.host = await openUserHost(undefined, TOPOLOGY);
    const device = ends.host.device;
    expect(device.offloads, "the kernel took PACKET_VNET_HDR").to.deep.equal({ checksum: true, tcpSegmentation: 14 + 65535 });
    ends.peer = kernelTcp({ listen: 5301, order: "recv-first", namespace: TOPOLOGY.namespace });
    await ends.peer.ready;

    device.spoilNextSuperFrameForTest();
    const end = new StreamEnd({ sendBytes: BYTES, seed: 31 });
    end.conn = ends.host.tcp.connect({ remote: { address: KERNEL, port: 5301 } }, end);
    const ours = await within(end.done, 50_000, "our upload");
    const kernel = await ends.peer.result;

    expect(ours.outcome).to.equal("closed");
    expect(kernel["error"]).to.equal(undefined);
    expect(kernel["received"]).to.equal(BYTES);
    expect(kernel["received_sha256"], "the kernel received what we sent").to.equal(ours.sentSha256);

    const stats = device.stats();
    expect(stats.txOffloadRefused, "super-frames refused").to.be.at.least(1);
    expect(stats.txOffloadRefusedErrno).to.equal(constants.errno.EINVAL);
    expect(stats.txErrors, "a refused super-frame is a send error too").to.be.at.least(stats.txOffloadRefused);
    expect(device.offloads, "segmentation off for good, checksum offload kept").to.deep.equal({ checksum: true, tcpSegmentation: 0 });
    expect(end.conn.stats().retransmits, "the refused data came back by retransmission").to.be.greaterThan(0);
    // Only the super-frames queued with the refused one can still have left as such (the arena
    // holds at most five): everything else went out in MSS-sized frames. With segmentation on
    // throughout, 8 MB would take some 130 frames.
    const leastFrames = Math.ceil((BYTES - 5 * SUPER_PAYLOAD) / MSS);
    expect(stats.txFrames, "frames sent (MSS-sized after the refusal)").to.be.at.least(leastFrames);
  });
});
