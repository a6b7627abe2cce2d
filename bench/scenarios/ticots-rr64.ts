/** 64-byte requests answered by 64-byte responses, one at a time: /dev/ticots against node:net. */
import type { Scenario } from "../harness/scenario.js";
import { connectNetPair, netRequestResponse } from "../workloads/net.js";
import { pairVariant, perSecond } from "../workloads/variants.js";
import { connectXtiPair, xtiRequestResponse } from "../workloads/xti.js";

const SIZE = 64;

export const ticotsRr64: Scenario = {
  name: "ticots-rr64",
  title: "64/64-byte request/response, round trips/s",
  compares: "/dev/ticots t_snd/t_rcv against node:net on 127.0.0.1 with 4-byte length framing (one request outstanding)",
  goal: "≥ 10× node:net",
  reps: { full: 7, quick: 3 },
  unavailable: () => null,
  prepare: async ({ quick }) => {
    const trips = quick ? 5_000 : 50_000;
    return {
      variants: [
        pairVariant("xti", "ticots t_snd/t_rcv", () => connectXtiPair("/dev/ticots", null), (p) => xtiRequestResponse(p, trips, SIZE), { trips }),
        pairVariant("net", "node:net", connectNetPair, (p) => netRequestResponse(p, trips, SIZE, true), { trips }),
      ],
      figures: [
        {
          id: "rate",
          label: "64/64-byte round trips",
          unit: "rt/s",
          better: "higher",
          xti: { variant: "xti", value: perSecond("trips") },
          peer: { variant: "net", value: perSecond("trips") },
          goal: { on: "ratio", op: ">=", target: 10, text: "≥ 10×" },
        },
      ],
    };
  },
};
