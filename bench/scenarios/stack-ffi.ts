/**
 * FFI calls per frame on the user-space stack's send and receive paths, in a child process whose
 * every thread counts its koffi calls (children/ffi-calls.ts). A report: no peer, no goal yet; the
 * data-path work of issue 12 (a transmit ring, GSO, a receive ring) is what should lower it.
 */
import { fileURLToPath } from "node:url";
import { runChild } from "../harness/child.js";
import type { FigureSpec, Sample, Scenario } from "../harness/scenario.js";
import { NEEDS_ROOT, isRoot, peerPort, vethDown, vethUp } from "../harness/veth.js";

const CHILD = new URL("../children/ffi-calls.ts", import.meta.url);
const PRELOAD = fileURLToPath(new URL("../ffi-count-preload.cjs", import.meta.url));

export const stackFfi: Scenario = {
  name: "stack-ffi",
  title: "FFI calls per frame on the stack's send and receive paths",
  compares: "no peer: koffi calls counted in every thread during a bulk upload and download over the veth, per Ethernet frame sent (main thread) and received (receive worker)",
  goal: "a report (fewer is better)",
  reps: { full: 3, quick: 1 },
  unavailable: () => (isRoot() ? null : NEEDS_ROOT),
  prepare: async ({ quick }) => {
    const bytes = (quick ? 5 : 20) * 1024 * 1024;
    vethUp();
    const figures: FigureSpec[] = [];
    for (const direction of ["upload", "download"] as const) {
      const per = (calls: string, frames: string) => (s: Sample): number => s[`${direction}.${calls}`]! / s[`${direction}.${frames}`]!;
      figures.push(
        { id: `${direction}-send`, label: `${direction}: send path, calls per frame sent`, unit: "calls/frame", better: "lower", xti: { variant: "stack", value: per("main", "txFrames") } },
        { id: `${direction}-receive`, label: `${direction}: receive path, calls per frame received`, unit: "calls/frame", better: "lower", xti: { variant: "stack", value: per("worker", "rxFrames") } },
      );
    }
    return {
      warmup: false,
      variants: [{ id: "stack", label: "the stack (AF_PACKET)", run: () => runChild(CHILD, { bytes, ports: [peerPort(), peerPort()] }, ["--require", PRELOAD]) }],
      figures,
      close: async () => vethDown(),
    };
  },
};
