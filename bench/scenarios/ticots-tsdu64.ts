/** 64-byte TSDUs one way through /dev/ticots t_snd/t_rcv, against node:net with length framing. */
import type { Scenario } from "../harness/scenario.js";
import { connectNetPair, netOneWay } from "../workloads/net.js";
import { pairVariant, perSecond } from "../workloads/variants.js";
import { connectXtiPair, xtiOneWay } from "../workloads/xti.js";

const SIZE = 64;

export const ticotsTsdu64: Scenario = {
  name: "ticots-tsdu64",
  title: "64-byte TSDUs one way, messages/s",
  compares: "/dev/ticots t_snd/t_rcv against node:net on 127.0.0.1 with 4-byte length framing (both ends in this process, the same message count)",
  goal: "≥ 5× node:net",
  reps: { full: 7, quick: 3 },
  unavailable: () => null,
  prepare: async ({ quick }) => {
    const messages = quick ? 20_000 : 200_000;
    return {
      variants: [
        pairVariant("xti", "ticots t_snd/t_rcv", () => connectXtiPair("/dev/ticots", null), (p) => xtiOneWay(p, "t_snd/t_rcv", messages, SIZE), { messages }),
        pairVariant("net", "node:net", connectNetPair, (p) => netOneWay(p, messages, SIZE), { messages }),
      ],
      figures: [
        {
          id: "rate",
          label: "64-byte messages one way",
          unit: "msg/s",
          better: "higher",
          xti: { variant: "xti", value: perSecond("messages") },
          peer: { variant: "net", value: perSecond("messages") },
          goal: { on: "ratio", op: ">=", target: 5, text: "≥ 5×" },
        },
      ],
    };
  },
};
