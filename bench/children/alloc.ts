/**
 * Bytes allocated per 64-byte message, sent and received in this process (node --expose-gc with a
 * young generation large enough that no collection runs during the measured loop):
 *
 *   1. warm up: the same workload on another connection, so the code is compiled;
 *   2. connect, collect garbage twice, read the heap (used, and external memory: ArrayBuffer
 *      backing stores such as node:net's read buffers live outside the JavaScript heap);
 *   3. send and receive `messages` messages; read the heap again;
 *   4. check that no garbage collection ran in between (a PerformanceObserver sees every one):
 *      without a collection nothing was freed, so the growth is exactly what was allocated.
 *
 * Input: { variant: "xti" | "net", messages, warmup }. Output: { bytes (heapBytes + externalBytes),
 * heapBytes, externalBytes, messages, collections }.
 */
import { PerformanceObserver, performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { connectNetPair, netOneWay } from "../workloads/net.js";
import { connectXtiPair, xtiOneWay } from "../workloads/xti.js";
import { childMain, collectGarbage } from "./protocol.js";

const SIZE = 64;

interface Input {
  variant: "xti" | "net";
  messages: number;
  warmup: number;
}

async function workload(variant: Input["variant"], messages: number): Promise<{ run: () => Promise<void>; close: () => Promise<void> }> {
  if (variant === "xti") {
    const pair = await connectXtiPair("/dev/ticots", null);
    return { run: () => xtiOneWay(pair, "t_snd/t_rcv", messages, SIZE), close: () => pair.close() };
  }
  const pair = await connectNetPair();
  return { run: () => netOneWay(pair, messages, SIZE), close: () => pair.close() };
}


childMain<Input>(async ({ variant, messages, warmup }) => {
  const collections: number[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) collections.push(entry.startTime);
  });
  observer.observe({ entryTypes: ["gc"] });

  const warm = await workload(variant, warmup);
  await warm.run();
  await warm.close();

  const measured = await workload(variant, messages);
  collectGarbage();
  await sleep(20); // let the observer report the collections above before the measured loop
  const start = performance.now();
  const before = process.memoryUsage();
  await measured.run();
  const after = process.memoryUsage();
  const end = performance.now();
  await measured.close();
  await sleep(20);
  observer.disconnect();

  const during = collections.filter((t) => t >= start && t <= end).length;
  if (during > 0) throw new Error(`${during} garbage collection(s) ran during the measured loop: the young generation is too small for ${messages} messages`);
  const heapBytes = after.heapUsed - before.heapUsed;
  const externalBytes = after.external - before.external;
  return { bytes: heapBytes + externalBytes, heapBytes, externalBytes, messages, collections: during };
});
