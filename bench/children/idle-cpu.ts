/**
 * CPU used by an idle process holding one open TCP connection: process CPU time (every thread)
 * over `seconds` of wall time during which nothing is sent, after `settle` seconds for the
 * connection's start-up timers (delayed ACK and the like) to run out.
 *
 * Input: { variant, seconds, settle, port? }, variant one of
 *   "hub": two user-space stacks over the in-memory hub on real time, one connection between them;
 *   "veth": one user-space stack on the benchmark veth (AF_PACKET, its receive worker included)
 *           connected to the kernel peer in the namespace (root; the topology must be up, `port`
 *           free in the namespace);
 *   "rawtcp": the same through /dev/rawtcp (t_connect to the kernel peer; XTI_NETCONFIG names the
 *           provider's host);
 *   "net": an idle node:net connection on 127.0.0.1 (the floor: an idle Node process).
 * Output: { seconds, cpuSeconds }.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { O_RDWR, t_bind, t_close, t_open } from "../../src/index.js";
import { RealClock } from "../../providers/packet/clock.js";
import { MemoryHub } from "../../providers/packet/link/memory.js";
import { parseIpv4Address } from "../../providers/packet/wire/ipv4-address.js";
import { cpuSeconds, wallSeconds } from "../harness/measure.js";
import { KERNEL_IP, STACK_IP, STACK_MAC, kernelPeer } from "../harness/veth.js";
import { RAWTCP } from "../harness/rawtcp.js";
import { hubHost } from "../workloads/hub.js";
import { connectNetPair } from "../workloads/net.js";
import { openStackHost } from "../workloads/stack.js";
import { ok } from "../workloads/xti.js";
import { xtiConnect } from "../workloads/xti-stream.js";
import { childMain } from "./protocol.js";

interface Input {
  variant: "hub" | "veth" | "rawtcp" | "net";
  seconds: number;
  settle: number;
  port?: number;
}

/** Open the connection; returns how to close everything afterwards. */
async function open(input: Input): Promise<() => Promise<void>> {
  if (input.variant === "net") {
    const pair = await connectNetPair();
    return () => pair.close();
  }
  if (input.variant === "hub") {
    const hub = new MemoryHub(new RealClock());
    const a = hubHost(hub, 1);
    const b = hubHost(hub, 2);
    const accepted = new Promise<void>((resolve) => {
      const listener = b.tcp.listen({ port: 80 }, {
        connectionIndication: (ind) => {
          listener.accept(ind.sequence, {});
          resolve();
        },
      });
    });
    const connected = new Promise<void>((resolve, reject) => {
      a.tcp.connect({ remote: { address: b.stack.address, port: 80 } }, { connected: resolve, disconnect: (r) => reject(new Error(`connection failed: ${r}`)) });
    });
    await Promise.all([accepted, connected]);
    return async () => {
      await a.close();
      await b.close();
    };
  }
  const port = input.port;
  if (port === undefined) throw new Error("the veth variant needs a port");
  const peer = await kernelPeer(port, "upload", 0);
  if (input.variant === "rawtcp") {
    const fd = await ok(t_open(RAWTCP, O_RDWR), "t_open");
    await ok(t_bind(fd, null, null), "t_bind");
    await xtiConnect(fd, KERNEL_IP, port);
    return async () => {
      await t_close(fd);
      peer.kill();
    };
  }
  const host = await openStackHost(STACK_IP, STACK_MAC);
  await new Promise<void>((resolve, reject) => {
    host.tcp.connect({ remote: { address: parseIpv4Address(KERNEL_IP)!, port } }, { connected: resolve, disconnect: (r) => reject(new Error(`connection failed: ${r}`)) });
  });
  return async () => {
    peer.kill();
    await host.close();
  };
}

childMain<Input>(async (input) => {
  const close = await open(input);
  await sleep(input.settle * 1000);
  const cpu = cpuSeconds();
  const start = wallSeconds();
  await sleep(input.seconds * 1000); // a ref'd timer: the process waits, doing nothing else
  const sample = { seconds: wallSeconds() - start, cpuSeconds: cpuSeconds() - cpu };
  await close();
  return sample;
});

