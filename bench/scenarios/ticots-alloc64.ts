/**
 * Bytes allocated per 64-byte message, send and receive together: /dev/ticots t_snd/t_rcv against
 * node:net with length framing, each measured in a fresh child process (children/alloc.ts says how).
 */
import { runChild } from "../harness/child.js";
import type { Scenario, Variant } from "../harness/scenario.js";

const CHILD = new URL("../children/alloc.ts", import.meta.url);
/** A 256 MiB semi-space: room for the measured loop's garbage without a scavenge. */
const NODE_FLAGS = ["--expose-gc", "--min-semi-space-size=256", "--max-semi-space-size=256"];

export const ticotsAlloc64: Scenario = {
  name: "ticots-alloc64",
  title: "allocation per 64-byte message, bytes",
  compares: "/dev/ticots t_snd/t_rcv against node:net with 4-byte length framing, send and receive together, each in a fresh child process",
  goal: "≤ node:net",
  reps: { full: 5, quick: 2 },
  unavailable: () => null,
  prepare: async ({ quick }) => {
    const messages = quick ? 5_000 : 20_000;
    const child = (id: "xti" | "net", label: string): Variant => ({
      id,
      label,
      run: () => runChild(CHILD, { variant: id, messages, warmup: 5_000 }, NODE_FLAGS),
    });
    const perMessage = (s: Record<string, number>): number => s["bytes"]! / s["messages"]!;
    return {
      warmup: false, // each child warms itself up
      variants: [child("xti", "ticots t_snd/t_rcv"), child("net", "node:net")],
      figures: [
        {
          id: "bytes",
          label: "bytes allocated per 64-byte message",
          unit: "B/msg",
          better: "lower",
          xti: { variant: "xti", value: perMessage },
          peer: { variant: "net", value: perMessage },
          goal: { on: "ratio", op: "<=", target: 1, text: "≤ node:net (≤ 1×)" },
        },
      ],
    };
  },
};
