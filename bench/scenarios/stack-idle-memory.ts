/** Memory per idle TCP connection of the user-space stack, 10,000 open (children/idle-memory.ts). */
import { runChild } from "../harness/child.js";
import type { Sample, Scenario } from "../harness/scenario.js";

const CHILD = new URL("../children/idle-memory.ts", import.meta.url);
const KIB = 1024;
const MIB = 1024 * 1024;

export const stackIdleMemory: Scenario = {
  name: "stack-idle-memory",
  title: "memory per idle TCP connection of the user-space stack, 10,000 open",
  compares: "no peer: 10,000 idle connection ends (5,000 connections between two stacks over the in-memory hub, in a child process); the growth of RSS and heap over the first one",
  goal: "≤ 64 KiB per connection, 10,000 connections in < 1 GiB",
  reps: { full: 3, quick: 1 },
  unavailable: () => null,
  prepare: async ({ quick }) => {
    const ends = quick ? 1_000 : 10_000;
    const perEnd = (key: string) => (s: Sample): number => s[key]! / s["ends"]! / KIB;
    return {
      warmup: false,
      variants: [{ id: "stack", label: `the stack, ${ends} connections`, run: () => runChild(CHILD, { ends }, ["--expose-gc"]) }],
      figures: [
        {
          id: "rss",
          label: "RSS per idle connection",
          unit: "KiB/conn",
          better: "lower",
          xti: { variant: "stack", value: perEnd("rssBytes") },
          goal: { on: "value", op: "<=", target: 64, text: "≤ 64 KiB" },
        },
        {
          id: "heap",
          label: "heap + external memory per idle connection",
          unit: "KiB/conn",
          better: "lower",
          xti: { variant: "stack", value: (s) => (s["heapBytes"]! + s["externalBytes"]!) / s["ends"]! / KIB },
        },
        {
          id: "process",
          label: `RSS of the whole process with ${ends} connections open`,
          unit: "MiB",
          better: "lower",
          xti: { variant: "stack", value: (s) => s["rssAfterBytes"]! / MIB },
          ...(quick ? {} : { goal: { on: "value", op: "<=", target: 1024, text: "< 1 GiB" } as const }),
        },
      ],
    };
  },
};
