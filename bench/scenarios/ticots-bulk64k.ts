/** Bulk data in 64 KiB t_snd/t_rcv calls through /dev/ticots, against node:net 64 KiB writes. */
import type { Scenario } from "../harness/scenario.js";
import { connectNetPair, netBulk } from "../workloads/net.js";
import { cpuSecondsPerGiB, megabytesPerSecond, pairVariant } from "../workloads/variants.js";
import { connectXtiPair, xtiBulk } from "../workloads/xti.js";

const CHUNK = 64 * 1024;

export const ticotsBulk64k: Scenario = {
  name: "ticots-bulk64k",
  title: "64 KiB bulk, MB/s",
  compares: "/dev/ticots 64 KiB t_snd/t_rcv against node:net on 127.0.0.1 with 64 KiB writes (both ends in this process)",
  goal: "≥ 3× node:net",
  reps: { full: 7, quick: 3 },
  unavailable: () => null,
  prepare: async ({ quick }) => {
    const bytes = (quick ? 32 : 1024) * 1024 * 1024;
    return {
      variants: [
        pairVariant("xti", "ticots t_snd/t_rcv", () => connectXtiPair("/dev/ticots", null), (p) => xtiBulk(p, bytes, CHUNK), { bytes }),
        pairVariant("net", "node:net", connectNetPair, (p) => netBulk(p, bytes, CHUNK), { bytes }),
      ],
      figures: [
        {
          id: "rate",
          label: "64 KiB bulk",
          unit: "MB/s",
          better: "higher",
          xti: { variant: "xti", value: megabytesPerSecond },
          peer: { variant: "net", value: megabytesPerSecond },
          goal: { on: "ratio", op: ">=", target: 3, text: "≥ 3×" },
        },
        {
          id: "cpu",
          label: "CPU per GiB moved (both ends)",
          unit: "s/GiB",
          better: "lower",
          xti: { variant: "xti", value: cpuSecondsPerGiB },
          peer: { variant: "net", value: cpuSecondsPerGiB },
        },
      ],
    };
  },
};
