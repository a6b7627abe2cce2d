/** /dev/tcp 64-byte request/response on 127.0.0.1, against node:net (both byte streams, no framing). */
import { providerNames, sockaddr_in } from "../../src/index.js";
import type { Scenario } from "../harness/scenario.js";
import { connectNetPair, netRequestResponse } from "../workloads/net.js";
import { pairVariant, perSecond } from "../workloads/variants.js";
import { connectXtiPair, xtiRequestResponse } from "../workloads/xti.js";

const SIZE = 64;

export const tcpRr64: Scenario = {
  name: "tcp-rr64",
  title: "/dev/tcp 64/64-byte request/response, round trips/s",
  compares: "/dev/tcp t_snd/t_rcv against node:net, both on 127.0.0.1, each side reading exactly 64 bytes of the stream (one request outstanding)",
  goal: "≥ 0.95× node:net",
  reps: { full: 7, quick: 3 },
  unavailable: () => (providerNames().includes("/dev/tcp") ? null : "/dev/tcp is not available"),
  prepare: async ({ quick }) => {
    const trips = quick ? 2_000 : 20_000;
    return {
      variants: [
        pairVariant("xti", "/dev/tcp t_snd/t_rcv", () => connectXtiPair("/dev/tcp", sockaddr_in("127.0.0.1", 0)), (p) => xtiRequestResponse(p, trips, SIZE), { trips }),
        pairVariant("net", "node:net", connectNetPair, (p) => netRequestResponse(p, trips, SIZE, false), { trips }),
      ],
      figures: [
        {
          id: "rate",
          label: "64/64-byte round trips",
          unit: "rt/s",
          better: "higher",
          xti: { variant: "xti", value: perSecond("trips") },
          peer: { variant: "net", value: perSecond("trips") },
          goal: { on: "ratio", op: ">=", target: 0.95, text: "≥ 0.95×" },
        },
      ],
    };
  },
};
