/**
 * The stack under attack from the kernel's namespace (scapy-built frames through a packet socket,
 * peers/syn_flood.py): a flood of 30,000 SYNs from sources that never answer, during which a
 * genuine client of the kernel must still get in (SYN cookies), and SYNs from martian sources,
 * its own address and port ("land") included, which must be counted and dropped unanswered.
 */
import { expect } from "chai";
import { fileURLToPath } from "node:url";
import type { UserHost } from "../../../providers/packet/host.js";
import type { TcpListener } from "../../../providers/packet/stack/tcp/listener.js";
import { KernelProcess } from "./helpers/kernel-peer.js";
import { LOSS_TOPOLOGY as TOPOLOGY } from "./helpers/topology.js";
import { StreamEnd, eventually, openUserHost, suiteOn, within } from "./helpers/user-side.js";

const FLOOD_SCRIPT = fileURLToPath(new URL("./peers/syn_flood.py", import.meta.url));
const FLOOD_SYNS = 30_000;
/** DEFAULT_TCP_CONFIG.synBacklog: the half-open connections a listener keeps before cookies. */
const SYN_BACKLOG = 256;

describe("packet/interop: SYN flood, land and martian SYNs from the kernel's side", function () {
  this.timeout(120_000);
  const ends = suiteOn(TOPOLOGY);

  it(`lets a genuine client in during a flood of ${FLOOD_SYNS} SYNs from sources that never answer, keeping ${SYN_BACKLOG} half-open connections at most`, async function () {
    // The flood comes from off-link sources: the stack answers them through its gateway, the kernel,
    // which does not forward, so no answer ever comes back.
    ends.host = await openUserHost(undefined, TOPOLOGY, { gateway: TOPOLOGY.kernelIp });
    const genuine = new StreamEnd({ shutdown: "after-peer-fin" });
    const accepted: number[] = [];
    const listener: TcpListener = ends.host.tcp.listen(
      { port: 7000 },
      {
        connectionIndication: (ind) => {
          accepted.push(ind.remote.address);
          genuine.attach(listener.accept(ind.sequence, genuine));
        },
      },
    );
    ends.peer = new KernelProcess(["flood", TOPOLOGY.kernelIf, TOPOLOGY.stackMacText, TOPOLOGY.stackIp, "7000", String(FLOOD_SYNS), "10000", "5"], FLOOD_SCRIPT, TOPOLOGY.namespace);
    await within(ends.peer.ready, 60_000, "the flood's frames built");
    const result = await within(ends.peer.result, 90_000, "the flood and the genuine client");
    const client = result["client"] as Record<string, unknown>;
    expect(client["error"], "the genuine client's connection").to.equal(undefined);
    const ours = await within(genuine.done, 10_000, "the genuine connection's end");
    expect(ours.received).to.equal(client["sent"]);
    expect(ours.receivedSha256, "we received what the genuine client sent").to.equal(client["sent_sha256"]);
    // The last flood frames may still sit in the receive ring when the genuine client is done.
    const host = ends.host;
    await eventually(() => host.stats().device.rxDropped + host.stats().tcp.segmentsReceived >= FLOOD_SYNS, 10_000, "the flood's last frames out of the ring");
    const tcp = host.stats().tcp;
    const device = host.stats().device;
    console.log(
      `      flood of ${String(result["sent"])} SYNs in ${String(result["flood_seconds"])} s: ${tcp.synCookiesSent} cookies, ${listener.halfOpenCount} half-open, ` +
        `${device.rxDropped} dropped by the receive ring; the genuine client connected in ${String(client["connect_ms"])} ms`,
    );
    expect(accepted, "only the genuine client completed a handshake").to.have.length(1);
    expect(result["sent"]).to.equal(FLOOD_SYNS);
    expect(tcp.synCookiesValidated, "the genuine client came in through a cookie").to.equal(1);
    expect(tcp.synCookiesSent, "SYNs beyond the SYN queue got cookies").to.be.greaterThan(0);
    expect(listener.halfOpenCount, "bounded memory: the SYN queue and no more").to.be.within(1, SYN_BACKLOG);
    expect(ends.host.tcp.connectionCount).to.be.at.most(SYN_BACKLOG + 1);
    // The flood comes faster than one JavaScript thread answers SYNs: what the receive ring cannot
    // hold is dropped there, before it costs anything. Every SYN is either dropped so or seen by TCP.
    expect(device.rxDropped + tcp.segmentsReceived, "every SYN accounted for").to.be.at.least(FLOOD_SYNS);
    listener.close();
  });

  it("counts and drops land and martian SYNs before TCP sees them, answering none", async function () {
    ends.host = await openUserHost(undefined, TOPOLOGY);
    const listener = ends.host.tcp.listen({ port: 7001 });
    const repeat = 20;
    const sources: Array<[string, keyof ReturnType<UserHost["stats"]>["stack"]["ip"]]> = [
      [TOPOLOGY.stackIp, "martianOwnAddress"], // land: our address and port
      ["127.0.0.1", "martianLoopback"],
      ["0.0.0.7", "martianThisNetwork"],
      ["224.0.0.9", "martianMulticast"],
      ["240.0.0.1", "martianReserved"],
      ["255.255.255.255", "martianBroadcast"],
      ["198.18.1.255", "martianBroadcast"], // the subnet broadcast
    ];
    const tcpBefore = ends.host.stats().tcp;
    ends.peer = new KernelProcess(["martians", TOPOLOGY.kernelIf, TOPOLOGY.stackMacText, TOPOLOGY.stackIp, "7001", String(repeat), ...sources.map(([s]) => s)], FLOOD_SCRIPT, TOPOLOGY.namespace);
    const result = await within(ends.peer.result, 30_000, "the martian SYNs");
    expect(result["sent"]).to.equal(repeat * sources.length);
    const ip = ends.host.stats().stack.ip;
    const martians = (): number => ip.martianOwnAddress + ip.martianLoopback + ip.martianThisNetwork + ip.martianMulticast + ip.martianReserved + ip.martianBroadcast;
    await eventually(() => martians() === repeat * sources.length, 10_000, "every martian counted");
    expect({
      martianOwnAddress: ip.martianOwnAddress,
      martianLoopback: ip.martianLoopback,
      martianThisNetwork: ip.martianThisNetwork,
      martianMulticast: ip.martianMulticast,
      martianReserved: ip.martianReserved,
      martianBroadcast: ip.martianBroadcast,
    }).to.deep.equal({ martianOwnAddress: repeat, martianLoopback: repeat, martianThisNetwork: repeat, martianMulticast: repeat, martianReserved: repeat, martianBroadcast: 2 * repeat });
    const tcp = ends.host.stats().tcp;
    expect(tcp.segmentsReceived - tcpBefore.segmentsReceived, "TCP saw none of them").to.equal(0);
    expect(tcp.segmentsSent - tcpBefore.segmentsSent, "and answered none").to.equal(0);
    expect(listener.halfOpenCount).to.equal(0);
    listener.close();
  });
});
