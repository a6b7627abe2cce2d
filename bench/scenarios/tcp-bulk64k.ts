/** /dev/tcp (the kernel's TCP through xti) 64 KiB bulk on 127.0.0.1, against node:net. */
import { providerNames, sockaddr_in } from "../../src/index.js";
import type { Scenario } from "../harness/scenario.js";
import { connectNetPair, netBulk } from "../workloads/net.js";
import { cpuSecondsPerGiB, megabytesPerSecond, pairVariant } from "../workloads/variants.js";
import { connectXtiPair, xtiBulk } from "../workloads/xti.js";

const CHUNK = 64 * 1024;

export const tcpBulk64k: Scenario = {
  name: "tcp-bulk64k",
  title: "/dev/tcp 64 KiB bulk, MB/s",
  compares: "/dev/tcp 64 KiB t_snd/t_rcv against node:net 64 KiB writes, both on 127.0.0.1 with both ends in this process",
  goal: "≥ 0.95× node:net",
  reps: { full: 7, quick: 3 },
  unavailable: () => (providerNames().includes("/dev/tcp") ? null : "/dev/tcp is not available"),
  prepare: async ({ quick }) => {
    const bytes = (quick ? 32 : 512) * 1024 * 1024;
    return {
      variants: [
        pairVariant("xti", "/dev/tcp t_snd/t_rcv", () => connectXtiPair("/dev/tcp", sockaddr_in("127.0.0.1", 0)), (p) => xtiBulk(p, bytes, CHUNK), { bytes }),
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
          goal: { on: "ratio", op: ">=", target: 0.95, text: "≥ 0.95×" },
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
