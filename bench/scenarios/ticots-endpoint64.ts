/**
 * The 64-byte one-way workload through the idiomatic Endpoint (snd with rcv, and with rcvUnit),
 * against the C-style calls measured in the same run (the goal) and node:net (for reference).
 */
import type { FigureSpec, Scenario } from "../harness/scenario.js";
import { connectNetPair, netOneWay } from "../workloads/net.js";
import { pairVariant, perSecond } from "../workloads/variants.js";
import { connectXtiPair, xtiOneWay, type XtiStyle } from "../workloads/xti.js";

const SIZE = 64;
const WITHIN = { on: "ratio", op: ">=", target: 1 / 1.2, text: "within 1.2× of t_snd/t_rcv (≥ 1/1.2 = 0.833×)" } as const;

export const ticotsEndpoint64: Scenario = {
  name: "ticots-endpoint64",
  title: "64-byte TSDUs one way through Endpoint snd/rcv and rcvUnit, messages/s",
  compares: "/dev/ticots through Endpoint snd/rcv and snd/rcvUnit against t_snd/t_rcv (and node:net with length framing) in the same run",
  goal: "within 1.2× of the C-style calls",
  reps: { full: 7, quick: 3 },
  unavailable: () => null,
  prepare: async ({ quick }) => {
    const messages = quick ? 20_000 : 200_000;
    const xti = (id: string, style: XtiStyle) =>
      pairVariant(id, `ticots ${style}`, () => connectXtiPair("/dev/ticots", null), (p) => xtiOneWay(p, style, messages, SIZE), { messages });
    const rate = perSecond("messages");
    const figures: FigureSpec[] = [];
    for (const [id, label] of [["rcv", "Endpoint snd/rcv"], ["unit", "Endpoint snd/rcvUnit"]] as const) {
      figures.push(
        { id: `${id}-vs-c`, label: `${label} against t_snd/t_rcv`, unit: "msg/s", better: "higher", xti: { variant: id, value: rate }, peer: { variant: "c", value: rate }, goal: WITHIN },
        { id: `${id}-vs-net`, label: `${label} against node:net`, unit: "msg/s", better: "higher", xti: { variant: id, value: rate }, peer: { variant: "net", value: rate } },
      );
    }
    return {
      variants: [
        xti("c", "t_snd/t_rcv"),
        xti("rcv", "Endpoint snd/rcv"),
        xti("unit", "Endpoint snd/rcvUnit"),
        pairVariant("net", "node:net", connectNetPair, (p) => netOneWay(p, messages, SIZE), { messages }),
      ],
      figures,
    };
  },
};
