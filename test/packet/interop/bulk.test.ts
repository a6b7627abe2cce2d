/**
 * Bulk TCP transfers between the user-space stack (in this process, on AF_PACKET) and the Linux
 * kernel's TCP in a namespace, 50 MB in each direction at once, with and without 3 % random loss in
 * each direction (nftables on the kernel's receive side, the seeded fault injector on ours). The
 * SHA-256 of what each side sent must equal that of what the other received.
 */
import { expect } from "chai";
import type { UserHost } from "../../../providers/packet/host.js";
import { parseIpv4Address } from "../../../providers/packet/wire/ipv4-address.js";
import { kernelTcp, type JsonRecord, type KernelProcess } from "./helpers/kernel-peer.js";
import {
  KERNEL_IP,
  STACK_IP,
  kernelReceiveLoss,
  kernelReceiveLossDropped,
  removeKernelReceiveLoss,
  useInteropTopology,
} from "./helpers/topology.js";
import { StreamEnd, openUserHost, within, type StreamSummary } from "./helpers/user-side.js";

const MB = 1024 * 1024;
const BYTES = 50 * MB;
const KERNEL = parseIpv4Address(KERNEL_IP)!;
const LOSS = 0.03;

function expectDelivered(ours: StreamSummary, kernel: JsonRecord): void {
  expect(ours.outcome, "our side ends in an orderly release").to.equal("closed");
  expect(kernel["error"], "kernel side error").to.equal(undefined);
  expect({ sent: ours.sent, received: kernel["received"] }).to.deep.equal({ sent: BYTES, received: BYTES });
  expect(kernel["received_sha256"], "kernel received what we sent").to.equal(ours.sentSha256);
  expect({ sent: kernel["sent"], received: ours.received }).to.deep.equal({ sent: BYTES, received: BYTES });
  expect(ours.receivedSha256, "we received what the kernel sent").to.equal(kernel["sent_sha256"]);
}

describe("packet/interop: 50 MB each way against the Linux kernel's TCP", function () {
  this.timeout(120_000);
  let host: UserHost | undefined;
  let peer: KernelProcess | undefined;

  useInteropTopology();

  afterEach(async function () {
    peer?.kill();
    peer = undefined;
    await host?.close();
    host = undefined;
  });

  async function ourClient(): Promise<{ ours: StreamSummary; kernel: JsonRecord }> {
    peer = kernelTcp({ listen: 5001, sendBytes: BYTES, order: "duplex" });
    await peer.ready;
    const end = new StreamEnd({ sendBytes: BYTES, seed: 11 });
    end.conn = host!.tcp.connect({ remote: { address: KERNEL, port: 5001 } }, end);
    const ours = await within(end.done, 100_000, "our client's transfer");
    return { ours, kernel: await peer.result };
  }

  async function ourServer(): Promise<{ ours: StreamSummary; kernel: JsonRecord }> {
    const end = new StreamEnd({ sendBytes: BYTES, seed: 12 });
    const listener = host!.tcp.listen({ port: 6001 }, { connectionIndication: (ind) => end.attach(listener.accept(ind.sequence, end)) });
    peer = kernelTcp({ connect: { host: STACK_IP, port: 6001 }, sendBytes: BYTES, order: "duplex" });
    const ours = await within(end.done, 100_000, "our server's transfer");
    listener.close();
    return { ours, kernel: await peer.result };
  }

  it("our client -> kernel server: 50 MB each way, SHA-256 equal", async function () {
    host = await openUserHost();
    const { ours, kernel } = await ourClient();
    expectDelivered(ours, kernel);
    expect(host.stats().tcp.malformed, "no segment from the kernel failed to decode").to.equal(0);
  });

  it("kernel client -> our server: 50 MB each way, SHA-256 equal", async function () {
    host = await openUserHost();
    const { ours, kernel } = await ourServer();
    expectDelivered(ours, kernel);
  });

  describe("with 3 % loss each way (nftables on the kernel's receive side, the fault injector on ours)", function () {
    beforeEach(function () {
      kernelReceiveLoss(LOSS * 100);
    });

    afterEach(function () {
      removeKernelReceiveLoss();
    });

    for (const [name, run] of [
      ["our client -> kernel server", () => ourClient()],
      ["kernel client -> our server", () => ourServer()],
    ] as const) {
      it(`${name}: 50 MB each way, SHA-256 equal, losses recovered`, async function () {
        host = await openUserHost({ seed: 3, rx: { drop: LOSS } });
        const { ours, kernel } = await run();
        expectDelivered(ours, kernel);
        const rx = host.stats().faults!.rx;
        // About 3 % of the frames each way were really dropped, and both senders recovered.
        expect(rx.dropped / rx.frames, "fraction our injector dropped").to.be.within(0.02, 0.04);
        expect(kernelReceiveLossDropped(), "frames nftables dropped").to.be.greaterThan(0.02 * (BYTES / 1448));
      });
    }
  });
});
