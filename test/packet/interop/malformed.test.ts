/**
 * Bad input during a live transfer: we send 50 MB to the kernel, which then (after our FIN) sends
 * 50 MB back. While we send, scapy (in the kernel's namespace) sends rounds of malformed and
 * hostile frames aimed at the connection — truncated IPv4/TCP headers, bad IPv4 and TCP checksums, impossible lengths, bogus TCP
 * options, segments and ACKs outside the window, RSTs with wrong sequence numbers, a SYN into the
 * connection. Garbage accepted at or past RCV.NXT would show up in the data the kernel sends later.
 * Nothing may crash, hang or corrupt: both SHA-256 must match, and the counters must show the
 * frames were dropped (or challenged, RFC 5961) rather than acted upon.
 */
import { expect } from "chai";
import { fileURLToPath } from "node:url";
import type { UserHost } from "../../../providers/packet/host.js";
import { parseIpv4Address } from "../../../providers/packet/wire/ipv4-address.js";
import { KernelProcess, kernelTcp } from "./helpers/kernel-peer.js";
import { KERNEL_IF, KERNEL_IP, useInteropTopology } from "./helpers/topology.js";
import { StreamEnd, openUserHost, within } from "./helpers/user-side.js";

const KERNEL = parseIpv4Address(KERNEL_IP)!;
const BYTES = 50 * 1024 * 1024;
const ROUNDS = 4;
const PORT = 5201;
const INJECTOR = fileURLToPath(new URL("./peers/inject_malformed.py", import.meta.url));

describe("packet/interop: malformed frames from scapy during a live transfer", function () {
  this.timeout(90_000);
  let host: UserHost | undefined;
  const children: KernelProcess[] = [];

  useInteropTopology(async () => {
    for (const child of children) child.kill();
    await host?.close();
  });

  it("completes with the right SHA-256 both ways, and counts the drops", async function () {
    host = await openUserHost();
    const injector = new KernelProcess([KERNEL_IF, String(PORT), String(ROUNDS)], INJECTOR);
    children.push(injector);
    await within(injector.ready, 30_000, "scapy start-up");
    const peer = kernelTcp({ listen: PORT, sendBytes: BYTES, order: "recv-first" });
    children.push(peer);
    await peer.ready;
    const end = new StreamEnd({ sendBytes: BYTES, seed: 31 });
    const conn = host.tcp.connect({ remote: { address: KERNEL, port: PORT } }, end);
    end.conn = conn;

    const ours = await within(end.done, 60_000, "transfer under attack");
    const kernel = await peer.result;
    const injected = (await within(injector.result, 30_000, "injector"))["sent"] as Record<string, number>;

    expect(ours.outcome, "orderly release, no reset accepted").to.equal("closed");
    expect(kernel["error"]).to.equal(undefined);
    expect(kernel["received_sha256"], "kernel received what we sent").to.equal(ours.sentSha256);
    expect(ours.receivedSha256, "we received what the kernel sent, no injected garbage").to.equal(kernel["sent_sha256"]);
    expect(ours.received).to.equal(BYTES);

    const rounds = injected["syn_into_connection"] ?? 0;
    expect(rounds, "rounds injected while the transfer ran").to.be.at.least(2);
    expect(Object.values(injected).every((n) => n === rounds), "every kind sent in every round").to.equal(true);
    const wire = host.stack.counters.wire;
    expect(wire.ipv4TooShort, "truncated IPv4 headers").to.be.at.least(rounds);
    expect(wire.ipv4BadChecksum, "bad IPv4 header checksums").to.be.at.least(rounds);
    expect(wire.ipv4BadTotalLength, "total length past the frame").to.be.at.least(rounds);
    // Truncated TCP header, data offset past the end, bad TCP checksum: undecodable segments.
    expect(host.stats().tcp.malformed, "undecodable TCP segments").to.be.at.least(3 * rounds);
    // The SYN and the in-window RST of each round are challenged (RFC 5961), not acted upon. The
    // round's ACK of unsent data comes first and takes the connection's allowance of answers to
    // invalid segments (one per 500 ms, as on Linux), so the challenges are mostly held back.
    const stats = conn.stats();
    expect(stats.challengeAcksSent + stats.invalidAcksSuppressed, "challenged or rate-limited").to.be.at.least(2 * rounds);
  });
});
