/**
 * Connection semantics against the Linux kernel: half-close in both directions (the side that sent
 * its FIN keeps receiving), resets in both directions (each side sees the abort with the errno a
 * socket user would), refused connections both ways, and urgent data both ways (Linux's one-past
 * urgent pointer, RFC 6093).
 */
import { expect } from "chai";
import { readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { UserHost } from "../../../providers/packet/host.js";
import { patternBytes } from "../../../tools/xti-nc/pattern.js";
import { parseIpv4Address } from "../../../providers/packet/wire/ipv4-address.js";
import { TcpState } from "../../../providers/packet/stack/tcp/types.js";
import { kernelTcp, type KernelProcess } from "./helpers/kernel-peer.js";
import { KERNEL_IP, STACK_IP, useInteropTopology } from "./helpers/topology.js";
import { StreamEnd, eventually, openUserHost, within } from "./helpers/user-side.js";

const KERNEL = parseIpv4Address(KERNEL_IP)!;
const MB = 1024 * 1024;

describe("packet/interop: half-close, reset, refusal and urgent data against the Linux kernel", function () {
  this.timeout(30_000);
  let host: UserHost;
  let peer: KernelProcess | undefined;
  let port = 5100;

  useInteropTopology();

  beforeEach(async function () {
    host = await openUserHost();
    port++;
  });

  afterEach(async function () {
    peer?.kill();
    peer = undefined;
    await host.close();
  });

  /** Our client to a kernel_peer.py listener on a fresh port. */
  async function connectToKernel(end: StreamEnd, options: Parameters<typeof kernelTcp>[0]): Promise<void> {
    peer = kernelTcp({ ...options, listen: port });
    await peer.ready;
    end.conn = host.tcp.connect({ remote: { address: KERNEL, port } }, end);
  }

  /** A kernel_peer.py client to our listener on a fresh port. */
  function acceptFromKernel(end: StreamEnd, options: Parameters<typeof kernelTcp>[0]): void {
    const listener = host.tcp.listen({ port }, {
      connectionIndication: (ind) => {
        end.attach(listener.accept(ind.sequence, end));
        listener.close();
      },
    });
    peer = kernelTcp({ ...options, connect: { host: STACK_IP, port } });
  }

  describe("half-close", function () {
    it("we send our FIN first and keep receiving what the kernel sends after it", async function () {
      const end = new StreamEnd({ sendBytes: MB, seed: 21 });
      await connectToKernel(end, { sendBytes: MB, order: "recv-first" }); // the kernel sends only after our FIN
      const ours = await within(end.done, 20_000, "transfer");
      const kernel = await peer!.result;
      expect(ours.outcome).to.equal("closed");
      expect(kernel["received_sha256"]).to.equal(ours.sentSha256);
      expect(ours.receivedAfterOurFin, "bytes received after our FIN").to.equal(MB);
      expect(ours.receivedSha256).to.equal(kernel["sent_sha256"]);
    });

    it("the kernel sends its FIN first and keeps receiving what we send after it", async function () {
      const end = new StreamEnd({ shutdown: "never", sendAfterPeerFin: MB, seed: 22 });
      acceptFromKernel(end, { sendBytes: MB, order: "send-first" }); // the kernel shuts down, then reads to EOF
      const ours = await within(end.done, 20_000, "transfer");
      const kernel = await peer!.result;
      expect(ours.outcome).to.equal("closed");
      expect(ours.peerFinAt, "kernel's FIN after its data").to.equal(MB);
      expect(ours.receivedSha256).to.equal(kernel["sent_sha256"]);
      expect(kernel["received"], "bytes the kernel received after its FIN").to.equal(MB);
      expect(kernel["received_sha256"]).to.equal(ours.sentSha256);
    });
  });

  describe("reset", function () {
    it("the kernel resets (SO_LINGER 0) in the middle of our transfer: we see ECONNRESET", async function () {
      const end = new StreamEnd({ sendBytes: 20 * MB, seed: 23 });
      await connectToKernel(end, { resetAfterBytes: 100_000 });
      const ours = await within(end.done, 20_000, "reset");
      const kernel = await peer!.result;
      expect(kernel["error"]).to.equal("RESET_SENT");
      expect(ours.outcome).to.equal("ECONNRESET");
      expect(ours.sent, "the transfer was cut short").to.be.lessThan(20 * MB);
      expect(host.tcp.connectionCount, "nothing left of the connection").to.equal(0);
    });

    it("we abort: the kernel's blocked recv() fails with ECONNRESET", async function () {
      const end = new StreamEnd({ shutdown: "never", keep: true });
      acceptFromKernel(end, { sendBytes: 1000, order: "duplex" });
      await peer!.ready;
      // Wait for the kernel's FIN after its 1000 bytes: once it is here, the kernel's sender has
      // returned from shutdown() and only its recv() is left (a RST before the shutdown would fail
      // that call with ENOTCONN instead, and the peer reports whichever error came first).
      await eventually(() => end.conn !== null && end.conn.state === TcpState.CLOSE_WAIT, 10_000, "the kernel's 1000 bytes and FIN");
      expect(end.conn!.stats().bytesReceived).to.equal(1000);
      end.conn!.abort();
      const kernel = await within(peer!.result, 10_000, "the kernel peer");
      expect(kernel["error"]).to.equal("ECONNRESET");
      expect(kernel["sent"]).to.equal(1000);
    });

    it("connecting to a closed kernel port fails with ECONNREFUSED", async function () {
      const end = new StreamEnd({ sendBytes: 10 });
      end.conn = host.tcp.connect({ remote: { address: KERNEL, port: 9 } }, end);
      expect((await within(end.done, 10_000, "refusal")).outcome).to.equal("ECONNREFUSED");
    });

    it("the kernel connecting to a port we do not listen on gets ECONNREFUSED", async function () {
      peer = kernelTcp({ connect: { host: STACK_IP, port: 9 } });
      const kernel = await within(peer.result, 10_000, "the kernel peer");
      expect(kernel["error"]).to.equal("ECONNREFUSED");
      // One RST per SYN: a SYN the kernel resent (our RST slower than its 1 s timer) gets its own.
      const tcp = host.stats().tcp;
      expect(tcp.resetsSent).to.be.at.least(1);
      expect(tcp.resetsSent, "a RST for each of the kernel's SYNs").to.equal(tcp.segmentsReceived);
    });
  });

  describe("urgent data", function () {
    it("a byte the kernel sends with MSG_OOB is seen by our stack at its offset", async function () {
      const end = new StreamEnd({ shutdown: "after-peer-fin", keep: true });
      acceptFromKernel(end, { sendBytes: 100_000, oobAt: 50_000, order: "send-first" });
      const ours = await within(end.done, 10_000, "transfer");
      const kernel = await peer!.result;
      // The stream is delivered whole (the urgent byte in line, as SO_OOBINLINE would), and the
      // byte marked urgent is the one the kernel sent with MSG_OOB: offset 50000, not 49999.
      expect(ours.receivedSha256).to.equal(kernel["sent_sha256"]);
      expect(ours.urgentOffsets).to.deep.equal([50_000]);
      expect(ours.urgentAnnounced).to.include(50_000);
    });

    it("our urgent byte is received by the kernel with recv(MSG_OOB), out of the normal stream", async function () {
      const file = join(tmpdir(), `xti-interop-oob-${process.pid}.bin`);
      try {
        const size = 100_000;
        const urgentAt = 60_000;
        const end = new StreamEnd({ sendBytes: size, seed: 24, urgentAt, shutdown: "after-send" });
        await connectToKernel(end, { watchOob: true, recvFile: file, order: "recv-first" });
        const ours = await within(end.done, 10_000, "transfer");
        const kernel = await peer!.result;
        expect(ours.outcome).to.equal("closed");
        const sent = patternBytes(size, 24);
        const oob = (kernel["oob"] ?? []) as Array<{ byte: number }>;
        expect(oob.map((o) => o.byte), "the byte recv(MSG_OOB) returned").to.deep.equal([sent[urgentAt]]);
        const expected = Buffer.concat([sent.subarray(0, urgentAt), sent.subarray(urgentAt + 1)]);
        const inline = readFileSync(file);
        expect(inline.length, "normal stream without the urgent byte").to.equal(size - 1);
        expect(Buffer.compare(inline, expected), "normal stream = pattern without byte 60000").to.equal(0);
      } finally {
        rmSync(file, { force: true });
      }
    });
  });
});
