/**
 * FFI calls per Ethernet frame on the user-space stack's send and receive paths, counted by the
 * call counter (providers/native/ffi/call-counter.ts, installed in every thread by
 * bench/ffi-count-preload.cjs) during an upload and a download over the benchmark veth (root; the
 * topology must be up, `ports` free in the namespace).
 *
 * The stack sends on the main thread (send/sendmmsg) and receives through the AF_PACKET worker
 * (poll, recvmmsg): the send path's calls are the main thread's, the receive path's the worker's,
 * counted from after the host is open to the peer's FIN, against the device's frame counters.
 *
 * Input: { bytes, ports: [upload, download] }. Output, for each direction D: D.txFrames,
 * D.rxFrames, D.main (calls on the main thread), D.worker (calls in the worker), D.txSyscalls (the
 * device's own count of send/sendmmsg calls), and D.main.NAME / D.worker.NAME per function called.
 */
import { readCallCounts, type CallCounts } from "../../providers/native/ffi/call-counter.js";
import { STACK_IP, STACK_MAC, checkPeer, kernelPeer, type Direction } from "../harness/veth.js";
import { openStackHost, stackTransfer } from "../workloads/stack.js";
import { childMain } from "./protocol.js";

function difference(after: CallCounts, before: CallCounts, prefix: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const kind of ["main", "worker"] as const) {
    let total = 0;
    for (const [name, n] of Object.entries(after[kind])) {
      const calls = n - before[kind][name as keyof CallCounts["main"]];
      total += calls;
      if (calls > 0) out[`${prefix}.${kind}.${name}`] = calls;
    }
    out[`${prefix}.${kind}`] = total;
  }
  return out;
}

async function measure(direction: Direction, bytes: number, port: number): Promise<Record<string, number>> {
  const peer = await kernelPeer(port, direction, bytes);
  const host = await openStackHost(STACK_IP, STACK_MAC);
  try {
    const statsBefore = host.device.stats();
    const before = readCallCounts();
    await stackTransfer(host, port, direction, bytes);
    const after = readCallCounts();
    const stats = host.device.stats(); // after the count: stats() itself makes a call
    await checkPeer(peer, direction, bytes);
    return {
      ...difference(after, before, direction),
      [`${direction}.txFrames`]: stats.txFrames - statsBefore.txFrames,
      [`${direction}.rxFrames`]: stats.rxFrames - statsBefore.rxFrames,
      [`${direction}.txSyscalls`]: stats.txSyscalls - statsBefore.txSyscalls,
    };
  } finally {
    peer.kill();
    await host.close();
  }
}

childMain<{ bytes: number; ports: [number, number] }>(async ({ bytes, ports }) => ({
  bytes,
  ...(await measure("upload", bytes, ports[0])),
  ...(await measure("download", bytes, ports[1])),
}));
