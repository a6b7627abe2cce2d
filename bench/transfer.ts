/**
 * What the packet benchmarks share: one bulk TCP transfer, timed, between this process and a
 * kernel peer (test/packet/interop/peers/kernel_peer.py) in a topology's namespace, either through
 * the user-space stack or through the kernel's own TCP (node:net) over the same veth.
 *
 * "upload" = this process sends to a kernel sink, which reads to our FIN before closing, so its FIN
 * marks the last byte received; "download" = a kernel source sends to this process. A transfer is
 * timed from connect() to the peer's FIN.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { connect as netConnect } from "node:net";
import type { UserHost } from "../providers/packet/host.js";
import type { TcpConnection } from "../providers/packet/stack/tcp/connection.js";
import type { ConnectionStats } from "../providers/packet/stack/tcp/types.js";
import { parseIpv4Address } from "../providers/packet/wire/ipv4-address.js";
import { kernelTcp, type KernelProcess } from "../test/packet/interop/helpers/kernel-peer.js";
import type { InteropTopology } from "../test/packet/interop/helpers/topology.js";

const CHUNK = randomBytes(1024 * 1024);

export type Direction = "upload" | "download";

export interface Sample {
  seconds: number;
  /** This process's user + system time (every thread) during the transfer. */
  cpuSeconds: number;
  /** The stack's connection counters at the end (stack transfers only). */
  stats?: ConnectionStats;
}

function cpuNow(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

async function kernelPeer(topology: InteropTopology, port: number, direction: Direction, bytes: number): Promise<KernelProcess> {
  const peer = kernelTcp({
    listen: port,
    sendBytes: direction === "download" ? bytes : 0,
    order: direction === "upload" ? "recv-first" : "send-first",
    namespace: topology.namespace,
  });
  await peer.ready;
  return peer;
}

async function checked(peer: KernelProcess, direction: Direction, bytes: number): Promise<void> {
  const result = await peer.result;
  if (direction === "upload" && result["received"] !== bytes) throw new Error(`kernel received ${String(result["received"])} of ${bytes}`);
}

/** One transfer through the user-space stack. */
export async function stackRun(host: UserHost, topology: InteropTopology, port: number, direction: Direction, bytes: number): Promise<Sample> {
  const peer = await kernelPeer(topology, port, direction, bytes);
  const start = performance.now();
  const cpu = cpuNow();
  let conn: TcpConnection | null = null;
  await new Promise<void>((resolve, reject) => {
    let remaining = direction === "upload" ? bytes : 0;
    let received = 0;
    const pump = (): void => {
      while (remaining > 0) {
        const piece = CHUNK.subarray(0, Math.min(remaining, CHUNK.length));
        if (!conn!.sendPiece(piece)) return;
        remaining -= piece.length;
      }
      if (conn!.state === "ESTABLISHED" || conn!.state === "CLOSE_WAIT") conn!.shutdown();
    };
    conn = host.tcp.connect(
      { remote: { address: parseIpv4Address(topology.kernelIp)!, port } },
      {
        connected: pump,
        writable: pump,
        data: (data) => {
          received += data.length;
          conn!.consumed(data.length);
        },
        end: () => (direction === "download" && received !== bytes ? reject(new Error(`received ${received} of ${bytes}`)) : resolve()),
        disconnect: (reason) => reject(new Error(`stack transfer failed: ${reason}`)),
      },
    );
  });
  const sample = { seconds: (performance.now() - start) / 1000, cpuSeconds: cpuNow() - cpu, stats: conn!.stats() };
  await checked(peer, direction, bytes);
  return sample;
}

/** One transfer through the kernel's TCP (node:net), from `localAddress` on the root side of the veth. */
export async function kernelRun(topology: InteropTopology, localAddress: string, port: number, direction: Direction, bytes: number): Promise<Sample> {
  const peer = await kernelPeer(topology, port, direction, bytes);
  const start = performance.now();
  const cpu = cpuNow();
  await new Promise<void>((resolve, reject) => {
    const socket = netConnect({ host: topology.kernelIp, port, localAddress });
    let remaining = direction === "upload" ? bytes : 0;
    let received = 0;
    const pump = (): void => {
      while (remaining > 0) {
        const piece = CHUNK.subarray(0, Math.min(remaining, CHUNK.length));
        remaining -= piece.length;
        if (!socket.write(piece)) return;
      }
      socket.end();
    };
    socket.on("connect", pump);
    socket.on("drain", pump);
    socket.on("data", (data: Buffer) => (received += data.length));
    socket.on("end", () => (direction === "download" && received !== bytes ? reject(new Error(`received ${received} of ${bytes}`)) : resolve()));
    socket.on("error", reject);
  });
  const sample = { seconds: (performance.now() - start) / 1000, cpuSeconds: cpuNow() - cpu };
  await checked(peer, direction, bytes);
  return sample;
}

/** Turn the root side's transmit offloads (checksum, TSO, GSO) on or off. */
export function setRootOffloads(topology: InteropTopology, on: boolean): void {
  const state = on ? "on" : "off";
  execFileSync("ethtool", ["-K", topology.stackIf, "tx", state, "tso", state, "gso", state], { stdio: "ignore" });
}

/** Give the root side `address` on the veth for the kernel's phase only, then take it away again. */
export async function withRootAddress<T>(topology: InteropTopology, address: string, run: () => Promise<T>): Promise<T> {
  execFileSync("ip", ["addr", "add", `${address}/${topology.prefixLength}`, "dev", topology.stackIf]);
  try {
    return await run();
  } finally {
    execFileSync("ip", ["addr", "del", `${address}/${topology.prefixLength}`, "dev", topology.stackIf]);
  }
}

/**
 * One upload through the kernel's TCP from a Python client in the root namespace (so that the
 * socket's congestion control can be chosen: node:net cannot set TCP_CONGESTION), bound to
 * `localAddress`. Timed by the client from connect() to the sink's FIN; no CPU figure.
 */
export async function kernelClientUpload(topology: InteropTopology, localAddress: string, port: number, bytes: number, congestion: string): Promise<Sample> {
  const sink = await kernelPeer(topology, port, "upload", bytes);
  const client = kernelTcp({ connect: { host: topology.kernelIp, port }, sendBytes: bytes, order: "send-first", namespace: null, bind: localAddress, congestion });
  const result = await client.result;
  if (result["error"] !== undefined) throw new Error(`kernel client: ${String(result["error"])}`);
  await checked(sink, "upload", bytes);
  return { seconds: Number(result["seconds"]), cpuSeconds: Number.NaN };
}
