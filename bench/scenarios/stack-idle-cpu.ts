/**
 * CPU of an idle user-space stack with an open connection, over the in-memory hub (two stacks) and,
 * as root, over the veth (one stack with its AF_PACKET receive worker, the kernel as the peer),
 * driven directly and, once it exists, through /dev/rawtcp; an idle node:net connection is measured
 * alongside as the floor (children/idle-cpu.ts).
 */
import { runChild } from "../harness/child.js";
import type { FigureSpec, Sample, Scenario, Variant } from "../harness/scenario.js";
import { rawtcpAvailable, writeRawtcpNetconfig } from "../harness/rawtcp.js";
import { isRoot, peerPort, vethDown, vethUp } from "../harness/veth.js";

const CHILD = new URL("../children/idle-cpu.ts", import.meta.url);
const percent = (s: Sample): number => (100 * s["cpuSeconds"]!) / s["seconds"]!;
/** "≈ 0" made a number: a tenth of a percent of one core. */
const NEAR_ZERO = { on: "value", op: "<=", target: 0.1, text: "≈ 0 (≤ 0.1 % of a core)" } as const;

export const stackIdleCpu: Scenario = {
  name: "stack-idle-cpu",
  title: "CPU of an idle user-space stack with an open connection, % of a core",
  compares: "no peer: process CPU time over seconds of idleness, each in a child process; an idle node:net connection alongside as the floor",
  goal: "≈ 0 (≤ 0.1 % of a core)",
  reps: { full: 3, quick: 1 },
  unavailable: () => null,
  prepare: async ({ quick }) => {
    const seconds = quick ? 1 : 5;
    const settle = quick ? 0.5 : 2; // V8 finishes its start-up work (compilation, sweeping) in the background
    const root = isRoot();
    const rawtcp = root && rawtcpAvailable() ? writeRawtcpNetconfig() : null;
    const child = (variant: "hub" | "veth" | "rawtcp" | "net", label: string): Variant => ({
      id: variant,
      label,
      run: () => runChild(CHILD, { variant, seconds, settle, ...(variant === "hub" || variant === "net" ? {} : { port: peerPort() }) }, [], rawtcp?.env ?? {}),
    });
    const variants = [child("hub", "two stacks over the in-memory hub, one connection"), child("net", "node:net, one connection on 127.0.0.1")];
    const figures: FigureSpec[] = [
      { id: "hub", label: "idle CPU, stack over the in-memory hub (two stacks)", unit: "% core", better: "lower", xti: { variant: "hub", value: percent }, goal: NEAR_ZERO },
      { id: "net", label: "idle CPU, node:net connection (the floor)", unit: "% core", better: "lower", xti: { variant: "net", value: percent } },
    ];
    if (root) {
      vethUp();
      variants.push(child("veth", "one stack on the veth (AF_PACKET) connected to the kernel"));
      figures.splice(1, 0, { id: "veth", label: "idle CPU, stack on the veth (one stack, its receive worker)", unit: "% core", better: "lower", xti: { variant: "veth", value: percent }, goal: NEAR_ZERO });
    }
    if (rawtcp !== null) {
      variants.push(child("rawtcp", "/dev/rawtcp on the veth, one connection to the kernel"));
      figures.splice(2, 0, { id: "rawtcp", label: "idle CPU, /dev/rawtcp endpoint on the veth", unit: "% core", better: "lower", xti: { variant: "rawtcp", value: percent }, goal: NEAR_ZERO });
    }
    const close = async (): Promise<void> => {
      if (root) vethDown();
      rawtcp?.remove();
    };
    return { warmup: false, variants, figures, close };
  },
};
