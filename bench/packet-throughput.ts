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
import { parseArgs } from "node:util";
import { UserHost } from "../providers/packet/host.js";
import { INTEROP as TOPOLOGY } from "../test/packet/interop/helpers/topology.js";
import { kernelRun, median, setRootOffloads, stackRun, withRootAddress, type Direction, type Sample } from "./transfer.js";

const ROOT_SIDE_IP = "198.18.0.3";

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

  TOPOLOGY.up();
  let port = 5400;
  try {
    for (let rep = 1; rep <= reps; rep++) {
      // The kernel's phase: the root side owns 198.18.0.3 only while it runs.
      await withRootAddress(TOPOLOGY, ROOT_SIDE_IP, async () => {
        try {
          for (const offloads of [true, false]) {
            setRootOffloads(TOPOLOGY, offloads);
            for (const direction of ["upload", "download"] as const) add(variants[offloads ? 1 : 2], direction, await kernelRun(TOPOLOGY, ROOT_SIDE_IP, ++port, direction, bytes));
          }
        } finally {
          setRootOffloads(TOPOLOGY, true);
        }
      });
      // The stack's phase: nobody in the root namespace owns an address on the veth.
      const host = await UserHost.openAfPacket({ ifname: TOPOLOGY.stackIf, address: TOPOLOGY.stackIp, prefixLength: TOPOLOGY.prefixLength, mac: TOPOLOGY.stackMac });
      host.device.ref(); // the kernel peer may exit before our last frames are processed
      try {
        for (const direction of ["upload", "download"] as const) add(variants[0], direction, await stackRun(host, TOPOLOGY, ++port, direction, bytes));
      } finally {
        await host.close();
      }
      process.stderr.write(`repetition ${rep}/${reps} done\n`);
    }
  } finally {
    TOPOLOGY.down();
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
