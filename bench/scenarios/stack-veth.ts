/**
 * The user-space TCP stack against the kernel's own TCP, bulk upload and download over a veth at
 * MTU 1500 to the kernel in a namespace. The kernel runs twice, with the root side's tx checksum
 * offload, TSO and GSO off (closest to what the stack does: MTU-sized frames, checksums in
 * software) and on (the kernel hands the veth 64 KiB super-packets). Formerly bench:packet.
 */
import type { FigureSpec, Scenario, Variant } from "../harness/scenario.js";
import {
  NEEDS_ROOT,
  ROOT_SIDE_IP,
  STACK_IP,
  STACK_MAC,
  addRootSideAddress,
  isRoot,
  removeRootSideAddress,
  setRootOffloads,
  vethDown,
  vethUp,
  type Direction,
} from "../harness/veth.js";
import { openStackHost, kernelTransfer, stackTransfer, transferVariant } from "../workloads/stack.js";
import { cpuSecondsPerGiB, megabytesPerSecond } from "../workloads/variants.js";

function stackVariant(direction: Direction, bytes: number): Variant {
  return transferVariant(`stack-${direction}`, `stack ${direction}`, direction, bytes, async () => {
    const host = await openStackHost(STACK_IP, STACK_MAC);
    return { transfer: async (port) => void (await stackTransfer(host, port, direction, bytes)), release: () => host.close() };
  });
}

function kernelVariant(direction: Direction, offloads: boolean, bytes: number): Variant {
  const id = `kernel-${offloads ? "on" : "off"}-${direction}`;
  const label = `kernel TCP ${direction}, root side tx/tso/gso ${offloads ? "on" : "off"}`;
  return transferVariant(id, label, direction, bytes, async () => {
    addRootSideAddress();
    setRootOffloads(offloads);
    return {
      transfer: (port) => kernelTransfer(ROOT_SIDE_IP, port, direction, bytes),
      release: async () => {
        setRootOffloads(true);
        removeRootSideAddress();
      },
    };
  });
}

export const stackVeth: Scenario = {
  name: "stack-veth",
  title: "user-space TCP upload and download over veth at MTU 1500, MB/s",
  compares: "the user-space stack (AF_PACKET) against the kernel's TCP (node:net) over the same veth to the same kernel peer, root side tx/tso/gso off and on",
  goal: "upload ≥ 0.5× the kernel without offloads, then ≥ 1× with offloads; download ≥ 0.8×",
  reps: { full: 5, quick: 2 },
  unavailable: () => (isRoot() ? null : NEEDS_ROOT),
  prepare: async ({ quick }) => {
    const bytes = (quick ? 5 : 50) * 1024 * 1024;
    vethUp();
    const variants: Variant[] = [];
    for (const direction of ["upload", "download"] as const) {
      variants.push(stackVariant(direction, bytes), kernelVariant(direction, false, bytes), kernelVariant(direction, true, bytes));
    }
    const rate = (direction: Direction, offloads: "off" | "on", goal?: FigureSpec["goal"]): FigureSpec => ({
      id: `${direction}-vs-offloads-${offloads}`,
      label: `${direction} against the kernel, offloads ${offloads}`,
      unit: "MB/s",
      better: "higher",
      xti: { variant: `stack-${direction}`, value: megabytesPerSecond },
      peer: { variant: `kernel-${offloads}-${direction}`, value: megabytesPerSecond },
      ...(goal === undefined ? {} : { goal }),
    });
    const cpu = (direction: Direction): FigureSpec => ({
      id: `${direction}-cpu`,
      label: `${direction}: CPU per GiB moved (this process, all threads), against the kernel, offloads off`,
      unit: "s/GiB",
      better: "lower",
      xti: { variant: `stack-${direction}`, value: cpuSecondsPerGiB },
      peer: { variant: `kernel-off-${direction}`, value: cpuSecondsPerGiB },
    });
    return {
      variants,
      figures: [
        rate("upload", "off", { on: "ratio", op: ">=", target: 0.5, text: "≥ 0.5×" }),
        rate("upload", "on", { on: "ratio", op: ">=", target: 1, text: "≥ 1× (with offloads, the later goal)" }),
        rate("download", "off", { on: "ratio", op: ">=", target: 0.8, text: "≥ 0.8×" }),
        rate("download", "on"),
        cpu("upload"),
        cpu("download"),
      ],
      close: async () => vethDown(),
    };
  },
};
