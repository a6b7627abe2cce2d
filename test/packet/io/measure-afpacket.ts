/**
 * Measurements behind the numbers at the top of providers/packet/link/afpacket.ts (run as root:
 * `npm run measure:afpacket`). Builds the topology, then on xtiu:
 *   - idle CPU of an open device over 2 s (process-wide, plus a per-thread breakdown from /proc)
 *   - ARP round trip to the kernel peer, back-to-back and after 5 ms of idleness
 *   - transmit rate, with sendmmsg batching (batch 64) and without (batch 1)
 *   - receive rate, the kernel side blasting frames from a second device in the namespace
 * Not a test: it prints numbers. Run `... measure-afpacket.ts blast <ifname> <count> <size>` for
 * the blaster alone.
 */
import { execFileSync, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { AfPacketDevice } from "../../../providers/packet/link/afpacket.js";
import { arp, BROADCAST, ETHERTYPE_IPV4, ethernet, ipv4, parseArp } from "./helpers/frames.js";
import { KERNEL_IF, KERNEL_IP, NAMESPACE, STACK_IF, STACK_IP, STACK_MAC, topologyDown, topologyUp } from "./helpers/topology.js";

const self = fileURLToPath(import.meta.url);

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** utime+stime in clock ticks for each thread of this process, keyed by "tid comm". */
function threadTicks(): Map<string, number> {
  const ticks = new Map<string, number>();
  for (const tid of readdirSync("/proc/self/task")) {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
    const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    ticks.set(`${tid} ${comm}`, Number(fields[11]) + Number(fields[12]));
  }
  return ticks;
}

async function measureIdle(): Promise<void> {
  const device = await AfPacketDevice.open({ ifname: STACK_IF, mac: STACK_MAC });
  device.setReceiver(() => undefined);
  await new Promise((resolve) => setTimeout(resolve, 200));
  const ticksBefore = threadTicks();
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const used = process.cpuUsage(cpuBefore);
  const elapsed = performance.now() - start;
  const busy = [...threadTicks()].flatMap(([thread, t]) => {
    const delta = t - (ticksBefore.get(thread) ?? 0);
    return delta > 0 ? [`${thread}: ${delta * 10} ms`] : [];
  });
  console.log(
    `idle ${elapsed.toFixed(0)} ms: process CPU user ${(used.user / 1000).toFixed(1)} ms, system ${(used.system / 1000).toFixed(1)} ms` +
      ` (threads with ticks: ${busy.length === 0 ? "none" : busy.join(", ")}); wakeups ${device.stats().rxWakeups}`,
  );
  await device.close();
}

async function measureRoundTrip(label: string, count: number, gapMs: number): Promise<void> {
  const device = await AfPacketDevice.open({ ifname: STACK_IF, mac: STACK_MAC });
  device.ref(); // the awaited replies are the only pending work
  const request = arp(1, BROADCAST, STACK_MAC, ipv4(STACK_IP), new Uint8Array(6), ipv4(KERNEL_IP));
  const samples: number[] = [];
  let replied: (() => void) | null = null;
  device.setReceiver((frame) => {
    if (parseArp(frame)?.op === 2) replied?.();
  });
  for (let i = 0; i < count + 50; i++) {
    if (gapMs > 0) await new Promise((resolve) => setTimeout(resolve, gapMs));
    const start = performance.now();
    await new Promise<void>((resolve) => {
      replied = resolve;
      device.send(request);
    });
    if (i >= 50) samples.push((performance.now() - start) * 1000);
  }
  samples.sort((a, b) => a - b);
  console.log(
    `ARP RTT ${label} (n=${count}): p50 ${percentile(samples, 50).toFixed(0)} us, p90 ${percentile(samples, 90).toFixed(0)} us,` +
      ` p99 ${percentile(samples, 99).toFixed(0)} us; rx wakeups ${device.stats().rxWakeups}`,
  );
  await device.close();
}

async function measureTransmit(batch: number, frames: number, size: number): Promise<void> {
  const device = await AfPacketDevice.open({ ifname: STACK_IF, mac: STACK_MAC, batch });
  // To a MAC nobody owns: the kernel peer drops it cheaply (PACKET_OTHERHOST).
  const frame = ethernet(Uint8Array.of(2, 0, 0, 0, 0, 0x55), STACK_MAC, ETHERTYPE_IPV4, new Uint8Array(size - 14));
  const perTick = 64;
  const start = performance.now();
  for (let sent = 0; sent < frames; sent += perTick) {
    for (let i = 0; i < perTick; i++) device.send(frame);
    await new Promise((resolve) => setImmediate(resolve));
  }
  const seconds = (performance.now() - start) / 1000;
  const stats = device.stats();
  console.log(
    `TX ${size} B frames, ${perTick} per tick, batch ${batch}: ${(stats.txFrames / seconds / 1000).toFixed(0)} kframes/s,` +
      ` ${((stats.txFrames * size) / seconds / 1e6).toFixed(0)} MB/s, ${stats.txSyscalls} syscalls, ${stats.txDropped} dropped`,
  );
  await device.close();
}

async function measureReceive(frames: number, size: number): Promise<void> {
  const device = await AfPacketDevice.open({ ifname: STACK_IF, mac: STACK_MAC });
  let received = 0;
  let first = 0;
  let last = 0;
  device.setReceiver(() => {
    if (received === 0) first = performance.now();
    received++;
    last = performance.now();
  });
  device.ref();
  const blaster = spawn("ip", ["netns", "exec", NAMESPACE, process.execPath, "--import", "tsx", self, "blast", KERNEL_IF, String(frames), String(size)], {
    stdio: ["ignore", "inherit", "inherit"],
  });
  await new Promise((resolve) => blaster.once("exit", resolve));
  await new Promise((resolve) => setTimeout(resolve, 300));
  const stats = device.stats();
  const seconds = (last - first) / 1000;
  console.log(
    `RX ${size} B frames: ${received}/${frames} delivered, ${(received / seconds / 1000).toFixed(0)} kframes/s,` +
      ` ${((received * size) / seconds / 1e6).toFixed(0)} MB/s, ring-full drops ${stats.rxRingFull}, kernel drops ${stats.rxKernelDrops}, wakeups ${stats.rxWakeups}` +
      ` (${(received / Math.max(1, stats.rxWakeups)).toFixed(1)} frames/wakeup)`,
  );
  await device.close();
}

/** Child mode: send `count` frames of `size` bytes to the stack's MAC as fast as the device allows. */
async function blast(ifname: string, count: number, size: number): Promise<void> {
  const device = await AfPacketDevice.open({ ifname });
  const frame = ethernet(STACK_MAC, device.mac, ETHERTYPE_IPV4, new Uint8Array(size - 14));
  const start = performance.now();
  for (let sent = 0; sent < count; sent += 64) {
    for (let i = 0; i < 64 && sent + i < count; i++) device.send(frame);
    await new Promise((resolve) => setImmediate(resolve));
  }
  const stats = device.stats();
  console.log(
    `  (blaster: ${stats.txFrames} sent in ${(performance.now() - start).toFixed(0)} ms, ${stats.txDropped} dropped, last errno ${stats.lastErrno})`,
  );
  await device.close();
}

async function main(): Promise<void> {
  const [mode, ifname, count, size] = process.argv.slice(2);
  if (mode === "blast" && ifname !== undefined) {
    await blast(ifname, Number(count), Number(size));
    return;
  }
  topologyUp();
  try {
    console.log(`node ${process.version}, ${execFileSync("uname", ["-r"], { encoding: "utf8" }).trim()}`);
    await measureIdle();
    await measureRoundTrip("back-to-back", 2000, 0);
    await measureRoundTrip("after 1 ms idle", 500, 1);
    await measureRoundTrip("after 5 ms idle", 300, 5);
    for (const batch of [1, 64]) await measureTransmit(batch, 200_000, 1514);
    for (const batch of [1, 64]) await measureTransmit(batch, 200_000, 64);
    await measureReceive(200_000, 1514);
    await measureReceive(200_000, 64);
  } finally {
    topologyDown();
  }
}

await main();
