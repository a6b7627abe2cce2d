/**
 * Uploading through 5 % random loss (issue 13): the user-space stack, with CUBIC (its default)
 * and with BBR, against the kernel's TCP with its default congestion control and with CUBIC, over
 * the same veth to the same kernel sink, nftables dropping 5 % of the frames the sink's kernel
 * receives. Formerly `bench:loss` (bench/packet-loss.ts), now on the harness's workloads.
 */
import type { CongestionControlName } from "../../providers/packet/stack/tcp/congestion.js";
import type { FigureSpec, Sample, Scenario, Variant } from "../harness/scenario.js";
import {
  NEEDS_ROOT,
  ROOT_SIDE_IP,
  STACK_IP,
  STACK_MAC,
  addRootSideAddress,
  isRoot,
  kernelDefaultCongestionControl,
  kernelReceiveLoss,
  kernelReceiveLossDropped,
  peerPort,
  removeRootSideAddress,
  setRootOffloads,
  vethDown,
  vethUp,
} from "../harness/veth.js";
import { kernelClientUpload, openStackHost, stackTransfer, transferVariant } from "../workloads/stack.js";

const LOSS_PERCENT = 5;

/**
 * MB/s once connected: from the connection's establishment to the sink's FIN. The loss rule drops
 * SYNs too, and a lost SYN costs a 1 s timeout that says nothing about moving data; the kernel's
 * client times from its established connection likewise (its samples have no handshakeSeconds).
 */
const megabytesPerSecondConnected = (s: Sample): number => s["bytes"]! / 1e6 / (s["seconds"]! - (s["handshakeSeconds"] ?? 0));

/** The variant, with the frames nftables dropped during its run added to its sample. */
function countingDrops(variant: Variant): Variant {
  return {
    id: variant.id,
    label: variant.label,
    run: async (): Promise<Sample> => {
      const before = kernelReceiveLossDropped();
      const sample = await variant.run();
      return { ...sample, dropped: kernelReceiveLossDropped() - before };
    },
  };
}

function stackVariant(congestionControl: CongestionControlName, bytes: number): Variant {
  return transferVariant(`stack-${congestionControl}`, `the stack with ${congestionControl.toUpperCase()}`, "upload", bytes, async () => {
    const host = await openStackHost(STACK_IP, STACK_MAC, { congestionControl });
    return {
      transfer: async (port) => {
        const { stats: s, handshakeSeconds } = await stackTransfer(host, port, "upload", bytes);
        return { handshakeSeconds, retransmits: s.retransmits, rtoEvents: s.rtoEvents, lossProbes: s.lossProbes, segmentsSent: s.segmentsSent };
      },
      release: () => host.close(),
    };
  });
}

/**
 * The kernel's TCP from the root namespace (ROOT_SIDE_IP, held during this run only), its
 * transmit offloads off so that it too puts MTU-sized frames on the veth: with TSO/GSO on, one
 * drop at the sink would lose a 64 KiB burst of segments at once.
 */
function kernelVariant(id: string, label: string, congestion: string | null, bytes: number): Variant {
  return {
    id,
    label,
    run: async (): Promise<Sample> => {
      addRootSideAddress();
      setRootOffloads(false);
      try {
        const seconds = await kernelClientUpload(ROOT_SIDE_IP, peerPort(), bytes, congestion);
        return { seconds, bytes };
      } finally {
        setRootOffloads(true);
        removeRootSideAddress();
      }
    },
  };
}

export const stackLoss: Scenario = {
  name: "stack-loss",
  title: `user-space TCP upload through ${LOSS_PERCENT} % random loss over veth, MB/s`,
  compares: `the user-space stack with CUBIC (its default) and with BBR against the kernel's TCP with its default congestion control and with CUBIC, over the same veth to the same kernel sink, ${LOSS_PERCENT} % of the sink's incoming frames dropped by nftables`,
  goal: `upload ≥ 0.5× the kernel's on the same path (issue 13), against the kernel's default congestion control`,
  reps: { full: 5, quick: 2 },
  unavailable: () => (isRoot() ? null : NEEDS_ROOT),
  prepare: async ({ quick }) => {
    const bytes = (quick ? 10 : 100) * 1024 * 1024;
    const kernelDefault = kernelDefaultCongestionControl();
    vethUp();
    kernelReceiveLoss(LOSS_PERCENT);
    const variants = [
      stackVariant("cubic", bytes),
      stackVariant("bbr", bytes),
      kernelVariant("kernel-default", `kernel TCP, its default (${kernelDefault})`, null, bytes),
      kernelVariant("kernel-cubic", "kernel TCP with CUBIC", "cubic", bytes),
    ].map(countingDrops);
    const goal: FigureSpec["goal"] = { on: "ratio", op: ">=", target: 0.5, text: "≥ 0.5× (issue 13)" };
    const figure = (stack: CongestionControlName, kernel: "default" | "cubic", withGoal: boolean): FigureSpec => ({
      id: `${stack}-vs-kernel-${kernel}`,
      label: `upload at ${LOSS_PERCENT} % loss, the stack with ${stack.toUpperCase()} against the kernel ${kernel === "default" ? `with its default (${kernelDefault})` : "with CUBIC"}`,
      unit: "MB/s",
      better: "higher",
      xti: { variant: `stack-${stack}`, value: megabytesPerSecondConnected },
      peer: { variant: `kernel-${kernel}`, value: megabytesPerSecondConnected },
      ...(withGoal ? { goal } : {}),
    });
    return {
      variants,
      figures: [figure("bbr", "default", true), figure("cubic", "default", true), figure("bbr", "cubic", false), figure("cubic", "cubic", false)],
      close: async () => vethDown(),
    };
  },
};
