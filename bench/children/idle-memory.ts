/**
 * Memory held by idle TCP connections of the user-space stack: two hosts over the in-memory hub in
 * this process (virtual time, so the handshakes take no real time), `ends / 2` connections from
 * one to a listener on the other, each accepted at once, then left idle: `ends` open connections
 * (TCBs) in the process, a client and a server end each, the same kind of TCB with the same
 * default buffers.
 *
 * After a collection, the process's RSS and its heap (used JavaScript heap, and external memory:
 * ArrayBuffer backing stores such as the connections' buffers) are read once the first connection
 * is open (so what all connections share is in the baseline) and again once all are established
 * and idle; the growth divided by the ends opened in between is the memory per connection. The
 * connections stay referenced until after the second read.
 *
 * Input: { ends }. Output: { ends (measured), rssBytes, heapBytes, externalBytes (growth),
 * rssAfterBytes (the whole process at the end) }.
 */
import { ManualClock } from "../../providers/packet/clock.js";
import { MemoryHub } from "../../providers/packet/link/memory.js";
import type { TcpConnection } from "../../providers/packet/stack/tcp/connection.js";
import { TcpState } from "../../providers/packet/stack/tcp/types.js";
import { hubHost } from "../workloads/hub.js";
import { childMain, collectGarbage } from "./protocol.js";

const PORT = 80;
/** Handshakes in flight at once: below the listener's SYN backlog (256). */
const BATCH = 200;

childMain<{ ends: number }>(async ({ ends: wanted }) => {
  const connections = Math.ceil(wanted / 2);
  const clock = new ManualClock();
  const hub = new MemoryHub(clock);
  const client = hubHost(hub, 1);
  const server = hubHost(hub, 2);
  const ends: TcpConnection[] = [];
  let established = 0;
  let accepted = 0;
  const listener = server.tcp.listen(
    { port: PORT, backlog: BATCH },
    {
      connectionIndication: (ind) => {
        ends.push(listener.accept(ind.sequence, {}));
        accepted++;
      },
    },
  );
  // ARP and the code paths once, so the baseline holds what every connection shares.
  const first = client.tcp.connect({ remote: { address: server.stack.address, port: PORT } }, { connected: () => established++ });
  ends.push(first);
  if (!clock.runUntil(() => established === 1 && accepted === 1, 60_000)) throw new Error("the first connection did not open");

  collectGarbage();
  const before = process.memoryUsage();
  for (let opened = 1; opened < connections; ) {
    const target = Math.min(connections, opened + BATCH);
    for (; opened < target; opened++) ends.push(client.tcp.connect({ remote: { address: server.stack.address, port: PORT } }, { connected: () => established++ }));
    if (!clock.runUntil(() => established === target && accepted === target, 60_000)) {
      throw new Error(`only ${established} connections established and ${accepted} accepted of ${target}`);
    }
  }
  clock.advance(1_000); // delayed ACKs and other short timers have run: the connections are idle
  collectGarbage();
  const after = process.memoryUsage();
  const open = ends.filter((end) => end.state === TcpState.ESTABLISHED).length;
  if (open !== 2 * connections) throw new Error(`${open} connection ends established, expected ${2 * connections}`);
  const sample = {
    ends: 2 * (connections - 1),
    rssBytes: after.rss - before.rss,
    heapBytes: after.heapUsed - before.heapUsed,
    externalBytes: after.external - before.external,
    rssAfterBytes: after.rss,
  };
  await client.close();
  await server.close();
  return sample;
});
