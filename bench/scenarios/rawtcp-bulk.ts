/**
 * /dev/rawtcp (the user-space stack as an XTI provider) against the same stack driven directly,
 * bulk upload and download over the benchmark veth to the kernel peer, 64 KiB per call on both.
 *
 * Over the veth rather than the in-memory hub: the point is the cost of the XTI layer over the
 * stack, and with the kernel as the peer, in its own namespace, this process runs only the stack
 * under test (plus XTI on one side). Over the hub the process would also run the peer stack,
 * which dilutes the XTI layer's share and would flatter the ratio.
 *
 * The provider's host is configured as a ported program's would be: an @host line in the netconfig
 * file named by XTI_NETCONFIG. The directly driven stack sits beside it on the same veth with its
 * own address and MAC, so both exist at once without answering for each other.
 */
import { O_RDWR, t_bind, t_close, t_open } from "../../src/index.js";
import { RAWTCP as DEVICE, rawtcpAvailable, useRawtcpNetconfig } from "../harness/rawtcp.js";
import type { FigureSpec, Scenario, Variant } from "../harness/scenario.js";
import { DIRECT_STACK_IP, DIRECT_STACK_MAC, KERNEL_IP, NEEDS_ROOT, isRoot, vethDown, vethUp, type Direction } from "../harness/veth.js";
import { PIECE, openStackHost, stackTransfer, transferVariant } from "../workloads/stack.js";
import { cpuSecondsPerGiB, megabytesPerSecond } from "../workloads/variants.js";
import { ok } from "../workloads/xti.js";
import { xtiStreamTransfer } from "../workloads/xti-stream.js";

function xtiVariant(direction: Direction, bytes: number): Variant {
  return transferVariant(`xti-${direction}`, `${DEVICE} t_snd/t_rcv ${direction}`, direction, bytes, async () => {
    const fd = await ok(t_open(DEVICE, O_RDWR), "t_open");
    try {
      await ok(t_bind(fd, null, null), "t_bind");
    } catch (err) {
      await t_close(fd);
      throw err;
    }
    return {
      transfer: (port) => xtiStreamTransfer(fd, KERNEL_IP, port, direction, bytes, PIECE),
      release: async () => void (await t_close(fd)),
    };
  });
}

function directVariant(direction: Direction, bytes: number): Variant {
  return transferVariant(`direct-${direction}`, `the stack driven directly, ${direction}`, direction, bytes, async () => {
    const host = await openStackHost(DIRECT_STACK_IP, DIRECT_STACK_MAC);
    return { transfer: async (port) => void (await stackTransfer(host, port, direction, bytes)), release: () => host.close() };
  });
}

export const rawtcpBulk: Scenario = {
  name: "rawtcp-bulk",
  title: "/dev/rawtcp bulk through t_snd/t_rcv, MB/s",
  compares: "/dev/rawtcp t_snd/t_rcv against the same user-space stack driven directly (TcpConnection through providers/packet/host.ts), over veth to the kernel peer",
  goal: "≥ 0.9× the stack driven directly",
  reps: { full: 5, quick: 2 },
  unavailable: () => (!rawtcpAvailable() ? `${DEVICE} is not available` : isRoot() ? null : NEEDS_ROOT),
  prepare: async ({ quick }) => {
    const bytes = (quick ? 5 : 50) * 1024 * 1024;
    const restoreNetconfig = useRawtcpNetconfig();
    vethUp();
    const variants: Variant[] = [];
    const figures: FigureSpec[] = [];
    for (const direction of ["upload", "download"] as const) {
      variants.push(xtiVariant(direction, bytes), directVariant(direction, bytes));
      const sides = { xti: `xti-${direction}`, peer: `direct-${direction}` };
      figures.push(
        {
          id: `${direction}`,
          label: `${direction} through XTI against the stack driven directly`,
          unit: "MB/s",
          better: "higher",
          xti: { variant: sides.xti, value: megabytesPerSecond },
          peer: { variant: sides.peer, value: megabytesPerSecond },
          goal: { on: "ratio", op: ">=", target: 0.9, text: "≥ 0.9×" },
        },
        {
          id: `${direction}-cpu`,
          label: `${direction}: CPU per GiB moved (this process, all threads)`,
          unit: "s/GiB",
          better: "lower",
          xti: { variant: sides.xti, value: cpuSecondsPerGiB },
          peer: { variant: sides.peer, value: cpuSecondsPerGiB },
        },
      );
    }
    return {
      variants,
      figures,
      close: async () => {
        vethDown();
        restoreNetconfig();
      },
    };
  },
};
