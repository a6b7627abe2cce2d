/**
 * ARP, ICMP echo and UDP between the user-space stack and the Linux kernel: address resolution from
 * a cold cache on both sides, the kernel pinging us, us pinging the kernel, and UDP datagrams in
 * both directions (our echo service for a kernel client, a kernel echo service for our client).
 */
import { expect } from "chai";
import { execFileSync } from "node:child_process";
import type { UserHost } from "../../../providers/packet/host.js";
import { formatMac } from "../../../providers/packet/wire/mac.js";
import { parseIpv4Address } from "../../../providers/packet/wire/ipv4-address.js";
import { KernelProcess } from "./helpers/kernel-peer.js";
import {
  KERNEL_IF,
  KERNEL_IP,
  NAMESPACE,
  STACK_IP,
  STACK_MAC_TEXT,
  flushKernelNeighbours,
  kernelNeighbour,
  useInteropTopology,
} from "./helpers/topology.js";
import { eventually, openUserHost, within } from "./helpers/user-side.js";

const KERNEL = parseIpv4Address(KERNEL_IP)!;

function kernelMac(): string {
  const parsed = JSON.parse(execFileSync("ip", ["-n", NAMESPACE, "-j", "link", "show", "dev", KERNEL_IF], { encoding: "utf8" })) as Array<{ address: string }>;
  return parsed[0]!.address;
}

describe("packet/interop: ARP, ICMP echo and UDP against the Linux kernel", function () {
  this.timeout(30_000);
  let host: UserHost;
  let peer: KernelProcess | undefined;

  useInteropTopology();

  beforeEach(async function () {
    flushKernelNeighbours();
    host = await openUserHost();
  });

  afterEach(async function () {
    peer?.kill();
    peer = undefined;
    await host.close();
  });

  it("resolves the kernel's MAC from a cold cache and gets its echo reply", async function () {
    expect(host.stack.arp.lookup(KERNEL), "nothing cached before").to.equal(null);
    const replies: number[] = [];
    host.stack.icmp.setEchoReplyHandler((src, id, seq) => {
      if (src === KERNEL && id === 0x1e) replies.push(seq);
    });
    for (let seq = 1; seq <= 3; seq++) host.stack.icmp.sendEcho(KERNEL, 0x1e, seq, new TextEncoder().encode("xti"));
    await eventually(() => replies.length === 3, 5000, "echo replies");
    expect(replies).to.deep.equal([1, 2, 3]);
    expect(formatMac(host.stack.arp.lookup(KERNEL)!)).to.equal(kernelMac());
    const arp = host.stack.counters.arp;
    expect(arp.requestsSent, "one ARP request for three queued echoes").to.equal(1);
    expect(arp.repliesReceived).to.equal(1);
    expect(arp.framesQueued).to.equal(3);
  });

  it("answers the kernel's ARP request from its cold cache and its pings", async function () {
    expect(kernelNeighbour(STACK_IP), "the kernel knows nothing of us yet").to.equal("");
    peer = new KernelProcess(["--timeout", "2", "ping", STACK_IP, "5"]);
    const result = await within(peer.result, 15_000, "kernel ping");
    expect(result).to.deep.equal({ sent: 5, replies: 5 });
    expect(kernelNeighbour(STACK_IP), "the kernel's neighbour entry for us").to.contain(`lladdr ${STACK_MAC_TEXT}`);
    const counters = host.stack.counters;
    expect(counters.arp.requestsReceived).to.be.at.least(1);
    expect(counters.arp.repliesSent).to.equal(counters.arp.requestsReceived);
    expect(counters.icmp.echoRequestsReceived).to.equal(5);
    expect(counters.icmp.echoRepliesSent).to.equal(5);
  });

  it("UDP: a kernel client's datagrams reach our echo service and the echoes come back", async function () {
    const socket = host.stack.udp.bind(7000, {
      message: (data, src, srcPort) => socket!.sendTo(src, srcPort, data),
    });
    expect(socket).to.not.equal(null);
    peer = new KernelProcess(["--timeout", "2", "udp-send", STACK_IP, "7000", "5"]);
    const result = await within(peer.result, 15_000, "kernel UDP client");
    const replies = result["replies"] as Array<{ data: string } | null>;
    expect(replies.map((r) => r?.data)).to.deep.equal([0, 1, 2, 3, 4].map((i) => `datagram ${i} from the kernel`));
    expect(host.stack.counters.udp).to.include({ received: 5, delivered: 5, sent: 5, noPort: 0 });
  });

  it("UDP: our datagrams reach a kernel echo service and the echoes come back to us", async function () {
    peer = new KernelProcess(["--timeout", "5", "udp-echo", "7001", "5"]);
    await peer.ready;
    const received: string[] = [];
    const socket = host.stack.udp.bind(0, {
      message: (data, src, srcPort) => {
        if (src === KERNEL && srcPort === 7001) received.push(new TextDecoder().decode(data));
      },
    })!;
    const sent = [0, 1, 2, 3, 4].map((i) => `datagram ${i} from user space`);
    for (const text of sent) expect(socket.sendTo(KERNEL, 7001, new TextEncoder().encode(text))).to.equal(true);
    const result = await within(peer.result, 10_000, "kernel UDP echo");
    expect((result["echoed"] as string[]).map((hex) => Buffer.from(hex, "hex").toString())).to.deep.equal(sent);
    await eventually(() => received.length === sent.length, 5000, "echoes");
    expect(received).to.deep.equal(sent);
  });

  it("a datagram to a port nobody bound gets ICMP port unreachable, which the kernel reports as ECONNREFUSED", async function () {
    peer = new KernelProcess(["--timeout", "2", "udp-send", STACK_IP, "7999", "1"]);
    const result = await within(peer.result, 10_000, "kernel UDP client");
    // A connected-style recvfrom after an ICMP error: Linux reports it on the next socket call.
    expect(result["replies"]).to.deep.equal([{ error: "ECONNREFUSED" }]);
    expect(host.stack.counters.udp.noPort).to.equal(1);
    expect(host.stack.counters.icmp.unreachableSent).to.equal(1);
  });
});
