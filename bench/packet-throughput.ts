/**
 * Bulk TCP throughput over a veth to the Linux kernel in a namespace: the user-space stack
 * (AF_PACKET, this process) against the kernel's own TCP (node:net) from the same root namespace
 * over the same veth, in the same run, several repetitions each, median and spread.
 *
 *   npm run bench:packet [-- --mb 50 --reps 5]          (root: AF_PACKET, veth, namespaces)
 *
 * Directions: "upload" = this process sends to a kernel sink, "download" = a kernel source sends
 * to this process. Each transfer is timed from connect() to the peer's FIN after the last byte.
 * For the kernel rows the root side gets 198.18.0.3/24 on the veth for that phase only; it is
 * removed before the stack's phase, so the kernel never owns or answers for the stack's 198.18.0.2.
 * The receiving peer is the same Python program in every case.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { connect as netConnect } from "node:net";
import { parseArgs } from "node:util";
import { UserHost } from "../providers/packet/host.js";
import type { TcpConnection } from "../providers/packet/stack/tcp/connection.js";
import { parseIpv4Address } from "../providers/packet/wire/ipv4-address.js";
import { kernelTcp, type KernelProcess } from "../test/packet/interop/helpers/kernel-peer.js";
import { KERNEL_IP, PREFIX_LENGTH, STACK_IF, STACK_IP, STACK_MAC, topologyDown, topologyUp } from "../test/packet/interop/helpers/topology.js";

const ROOT_SIDE_IP = "198.18.0.3";
const KERNEL = parseIpv4Address(KERNEL_IP)!;
const CHUNK = randomBytes(1024 * 1024);

type Direction = "upload" | "download";
interface Sample {
  seconds: number;
  cpuSeconds: number;
}

function cpuNow(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

async function kernelPeer(port: number, direction: Direction, bytes: number): Promise<KernelProcess> {
  // Upload: the sink reads to our FIN before closing, so its FIN marks the last byte received.
  const peer = kernelTcp({ listen: port, sendBytes: direction === "download" ? bytes : 0, order: direction === "upload" ? "recv-first" : "send-first" });
  await peer.ready;
  return peer;
}

/** One transfer through the user-space stack. */
async function stackRun(host: UserHost, port: number, direction: Direction, bytes: number): Promise<Sample> {
  const peer = await kernelPeer(port, direction, bytes);
  const start = performance.now();
  const cpu = cpuNow();
  await new Promise<void>((resolve, reject) => {
    let remaining = direction === "upload" ? bytes : 0;
    let received = 0;
    let conn: TcpConnection | null = null;
    const pump = (): void => {
      while (remaining > 0) {
        const piece = CHUNK.subarray(0, Math.min(remaining, CHUNK.length));
        if (!conn!.sendPiece(piece)) return;
        remaining -= piece.length;
      }
      if (conn!.state === "ESTABLISHED" || conn!.state === "CLOSE_WAIT") conn!.shutdown();
    };
    conn = host.tcp.connect(
      { remote: { address: KERNEL, port } },
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
  const sample = { seconds: (performance.now() - start) / 1000, cpuSeconds: cpuNow() - cpu };
  const result = await peer.result;
  if (direction === "upload" && result["received"] !== bytes) throw new Error(`kernel received ${String(result["received"])} of ${bytes}`);
  return sample;
}

/** One transfer through the kernel's TCP (node:net). */
async function kernelRun(port: number, direction: Direction, bytes: number): Promise<Sample> {
  const peer = await kernelPeer(port, direction, bytes);
  const start = performance.now();
  const cpu = cpuNow();
  await new Promise<void>((resolve, reject) => {
    const socket = netConnect({ host: KERNEL_IP, port, localAddress: ROOT_SIDE_IP });
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
  const result = await peer.result;
  if (direction === "upload" && result["received"] !== bytes) throw new Error(`kernel received ${String(result["received"])} of ${bytes}`);
  return sample;
}

function setRootOffloads(on: boolean): void {
  const state = on ? "on" : "off";
  execFileSync("ethtool", ["-K", STACK_IF, "tx", state, "tso", state, "gso", state], { stdio: "ignore" });
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { mb: { type: "string", default: "50" }, reps: { type: "string", default: "5" } } });
  const bytes = Number(values.mb) * 1024 * 1024;
  const reps = Number(values.reps);
  if (!(bytes > 0) || !(reps > 0)) throw new Error("--mb and --reps must be positive numbers");
  if (process.getuid?.() !== 0) throw new Error("the benchmark needs root (AF_PACKET, veth, network namespaces)");

  const variants = ["stack", "kernel (root side offloads on)", "kernel (root side tx/tso/gso off)"] as const;
  const samples = new Map<string, Sample[]>();
  const add = (variant: string, direction: Direction, sample: Sample): void => {
    const key = `${variant}\t${direction}`;
    samples.set(key, [...(samples.get(key) ?? []), sample]);
  };

  topologyUp();
  let port = 5400;
  try {
    for (let rep = 1; rep <= reps; rep++) {
      // The kernel's phase: the root side owns 198.18.0.3 only while it runs.
      execFileSync("ip", ["addr", "add", `${ROOT_SIDE_IP}/${PREFIX_LENGTH}`, "dev", STACK_IF]);
      try {
        for (const offloads of [true, false]) {
          setRootOffloads(offloads);
          for (const direction of ["upload", "download"] as const) add(variants[offloads ? 1 : 2], direction, await kernelRun(++port, direction, bytes));
        }
      } finally {
        setRootOffloads(true);
        execFileSync("ip", ["addr", "del", `${ROOT_SIDE_IP}/${PREFIX_LENGTH}`, "dev", STACK_IF]);
      }
      // The stack's phase: nobody in the root namespace owns an address on the veth.
      const host = await UserHost.openAfPacket({ ifname: STACK_IF, address: STACK_IP, prefixLength: PREFIX_LENGTH, mac: STACK_MAC });
      host.device.ref(); // the kernel peer may exit before our last frames are processed
      try {
        for (const direction of ["upload", "download"] as const) add(variants[0], direction, await stackRun(host, ++port, direction, bytes));
      } finally {
        await host.close();
      }
      process.stderr.write(`repetition ${rep}/${reps} done\n`);
    }
  } finally {
    topologyDown();
  }

  const mbps = (s: Sample): number => bytes / 1e6 / s.seconds;
  const stackMedian = new Map<Direction, number>();
  for (const direction of ["upload", "download"] as const) stackMedian.set(direction, median((samples.get(`${variants[0]}\t${direction}`) ?? []).map(mbps)));
  console.log(`${Number(values.mb)} MiB per transfer, ${reps} repetitions; MB/s = 10^6 bytes per second; CPU = this process (all threads) per transfer second`);
  console.log("");
  console.log("| path | direction | median MB/s | min-max MB/s | median CPU | stack / this |");
  console.log("|---|---|---:|---:|---:|---:|");
  for (const direction of ["upload", "download"] as const) {
    for (const variant of variants) {
      const list = samples.get(`${variant}\t${direction}`) ?? [];
      const rates = list.map(mbps);
      const cpu = median(list.map((s) => s.cpuSeconds / s.seconds));
      const ratio = stackMedian.get(direction)! / median(rates);
      console.log(
        `| ${variant} | ${direction} | ${median(rates).toFixed(0)} | ${Math.min(...rates).toFixed(0)}-${Math.max(...rates).toFixed(0)} | ${(cpu * 100).toFixed(0)} % | ${ratio.toFixed(2)} |`,
      );
    }
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
