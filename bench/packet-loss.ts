/**
 * Bulk upload through random loss: the user-space stack against the kernel's own TCP over the same
 * veth, to the same kernel sink, in the same run, with nftables dropping a share of the frames the
 * sink's kernel receives (numgen random at prerouting, so each segment is lost on its own).
 * Repetitions interleave the variants; median and spread per variant.
 *
 *   npm run bench:loss [-- --mb 100 --reps 3 --loss 5]        (root: AF_PACKET, veth, namespaces)
 *
 * Variants: the stack with its default congestion control (CUBIC) and with NewReno; the kernel with
 * CUBIC and with BBR (a Python client in the root namespace sets TCP_CONGESTION on its socket, so
 * the machine's default is left alone). The ratio column compares with the kernel's CUBIC, the
 * like-for-like loss-based algorithm: BBR models the path's bandwidth and barely slows down for
 * random loss at all. The kernel runs with the root side's transmit offloads off, so that it too
 * sends MTU-sized frames: with TSO/GSO on, the veth would carry 64 KiB super-frames and one drop
 * would lose dozens of segments at once. The topology is the loss tests' own (xtilu ⇄ xtilk,
 * 198.18.1.0/24); the root side holds 198.18.1.3 during the kernel's phase only.
 */
import { parseArgs } from "node:util";
import { UserHost } from "../providers/packet/host.js";
import type { CongestionControlName } from "../providers/packet/stack/tcp/congestion.js";
import { LOSS_TOPOLOGY as TOPOLOGY } from "../test/packet/interop/helpers/topology.js";
import { kernelClientUpload, median, setRootOffloads, stackRun, withRootAddress, type Sample } from "./transfer.js";

const ROOT_SIDE_IP = "198.18.1.3";

interface Row {
  sample: Sample;
  /** Frames nftables dropped during the transfer. */
  dropped: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { mb: { type: "string", default: "100" }, reps: { type: "string", default: "3" }, loss: { type: "string", default: "5" } } });
  const bytes = Number(values.mb) * 1024 * 1024;
  const reps = Number(values.reps);
  const loss = Number(values.loss);
  if (!(bytes > 0) || !(reps > 0) || !(loss >= 0 && loss < 100)) throw new Error("--mb and --reps must be positive, --loss a percentage");
  if (process.getuid?.() !== 0) throw new Error("the benchmark needs root (AF_PACKET, veth, network namespaces)");

  const kernelVariants: Array<[string, string]> = [
    ["kernel (cubic)", "cubic"],
    ["kernel (bbr)", "bbr"],
  ];
  const reference = kernelVariants[0]![0];
  const stackVariants: Array<[string, CongestionControlName]> = [
    ["stack (cubic)", "cubic"],
    ["stack (newreno)", "newreno"],
  ];
  const rows = new Map<string, Row[]>();
  const add = (variant: string, row: Row): void => void rows.set(variant, [...(rows.get(variant) ?? []), row]);
  const measured = async (run: () => Promise<Sample>): Promise<Row> => {
    const before = TOPOLOGY.kernelReceiveLossDropped();
    const sample = await run();
    return { sample, dropped: TOPOLOGY.kernelReceiveLossDropped() - before };
  };

  TOPOLOGY.up();
  let port = 5500;
  try {
    TOPOLOGY.kernelReceiveLoss(loss, null);
    for (let rep = 1; rep <= reps; rep++) {
      await withRootAddress(TOPOLOGY, ROOT_SIDE_IP, async () => {
        setRootOffloads(TOPOLOGY, false);
        for (const [variant, congestion] of kernelVariants) {
          add(variant, await measured(() => kernelClientUpload(TOPOLOGY, ROOT_SIDE_IP, ++port, bytes, congestion)));
        }
      });
      for (const [variant, congestionControl] of stackVariants) {
        const host = await UserHost.openAfPacket({ ifname: TOPOLOGY.stackIf, address: TOPOLOGY.stackIp, prefixLength: TOPOLOGY.prefixLength, mac: TOPOLOGY.stackMac, tcp: { congestionControl } });
        host.device.ref(); // the kernel peer may exit before our last frames are processed
        try {
          add(variant, await measured(() => stackRun(host, TOPOLOGY, ++port, "upload", bytes)));
        } finally {
          await host.close();
        }
      }
      process.stderr.write(`repetition ${rep}/${reps} done\n`);
    }
  } finally {
    TOPOLOGY.down();
  }

  const mbps = (r: Row): number => bytes / 1e6 / r.sample.seconds;
  const kernelMedian = median((rows.get(reference) ?? []).map(mbps));
  console.log(`${Number(values.mb)} MiB upload per transfer, ${loss} % of the frames dropped at the sink's prerouting, ${reps} repetitions;`);
  console.log("MB/s = 10^6 bytes per second; CPU = this process (all threads) per transfer second; counters are medians");
  console.log("");
  console.log("| path | median MB/s | min-max MB/s | median CPU | dropped | resent | RTOs | probes | this / kernel (cubic) |");
  console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const variant of [...kernelVariants.map(([v]) => v), ...stackVariants.map(([v]) => v)]) {
    const list = rows.get(variant) ?? [];
    const rates = list.map(mbps);
    const cpu = median(list.map((r) => r.sample.cpuSeconds / r.sample.seconds));
    const cpuText = Number.isNaN(cpu) ? "-" : `${(cpu * 100).toFixed(0)} %`;
    const stat = (pick: (r: Row) => number | undefined): string => (list.every((r) => pick(r) !== undefined) ? median(list.map((r) => pick(r)!)).toFixed(0) : "-");
    console.log(
      `| ${variant} | ${median(rates).toFixed(1)} | ${Math.min(...rates).toFixed(1)}-${Math.max(...rates).toFixed(1)} | ${cpuText} | ${stat((r) => r.dropped)} | ${stat((r) => r.sample.stats?.retransmits)} | ${stat((r) => r.sample.stats?.rtoEvents)} | ${stat((r) => r.sample.stats?.lossProbes)} | ${(median(rates) / kernelMedian).toFixed(2)} |`,
    );
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
