/**
 * The host assembly (providers/packet/host.ts) over the in-memory hub: the same composition the
 * AF_PACKET programs use, built over any LinkDevice, with the fault injector and the pcap writer
 * in between when asked, and everything closed in reverse.
 */
import { expect } from "chai";
import { ManualClock, RealClock } from "../../providers/packet/clock.js";
import { UserHost, type HostConfig } from "../../providers/packet/host.js";
import { MemoryHub, type MemoryLinkDevice } from "../../providers/packet/link/memory.js";
import { SeededRandom } from "../../providers/packet/random.js";
import type { TcpConnection } from "../../providers/packet/stack/tcp/connection.js";
import { Recorder } from "./tcp/harness.js";

const NET = 0xc6120000;
const mac = (n: number): Uint8Array => Uint8Array.from([2, 0, 0, 0, 0, n]);

function hostOn(hub: MemoryHub, n: number, config: Partial<HostConfig> = {}): UserHost<MemoryLinkDevice> {
  return UserHost.over(hub.attach(mac(n)), { address: NET + n, prefixLength: 24, clock: hub.clock, random: new SeededRandom(n), ...config });
}

/** Connect A to a listener on B, send `bytes` from A, run until B has them all; B's received bytes. */
function transfer(clock: ManualClock, a: UserHost, b: UserHost, bytes: Uint8Array): Uint8Array {
  const serverRec = new Recorder(clock);
  const listener = b.tcp.listen({ port: 80 }, {
    connectionIndication: (ind) => {
      serverRec.conn = listener.accept(ind.sequence, serverRec);
    },
  });
  const clientRec = new Recorder(clock);
  const client: TcpConnection = a.tcp.connect({ remote: { address: b.stack.address, port: 80 } }, clientRec);
  clientRec.conn = client;
  expect(clock.runUntil(() => clientRec.connectedAt >= 0, 60_000), "connected").to.equal(true);
  expect(client.sendPiece(bytes)).to.equal(true);
  expect(clock.runUntil(() => serverRec.received === bytes.length, 600_000), "all data arrived").to.equal(true);
  listener.close();
  return serverRec.bytes();
}

describe("packet: the host assembly over any link device", () => {
  it("composes two hosts over the memory hub that talk TCP, counting frames at the device", async () => {
    const clock = new ManualClock();
    const hub = new MemoryHub(clock, { latencyMs: 1 });
    const a = hostOn(hub, 1);
    const b = hostOn(hub, 2);
    const data = new Uint8Array(20_000).map((_, i) => i * 7);
    expect(Buffer.compare(transfer(clock, a, b, data), data)).to.equal(0);
    const stats = a.stats();
    expect(stats.faults).to.equal(null);
    expect(stats.device.txFrames).to.be.above(14); // ARP, the handshake and 14 segments of data at least
    expect(stats.device.rxFrames).to.equal(b.stats().device.txFrames);
    expect(stats.tcp.segmentsSent).to.be.above(0);
    await a.close();
    await b.close();
    expect(clock.pending(), "timers left behind").to.equal(0);
  });

  it("puts the seeded fault injector in between: the same seed drops the same frames, and the data still arrives whole", async () => {
    const run = async (seed: number): Promise<{ dropped: number; bytes: Uint8Array }> => {
      const clock = new ManualClock();
      const hub = new MemoryHub(clock, { latencyMs: 1 });
      const a = hostOn(hub, 1, { faults: { seed, tx: { drop: 0.05 }, rx: { drop: 0.05 } } });
      const b = hostOn(hub, 2);
      const bytes = transfer(clock, a, b, new Uint8Array(200_000).map((_, i) => i));
      const faults = a.stats().faults!;
      await a.close();
      await b.close();
      return { dropped: faults.tx.dropped + faults.rx.dropped, bytes };
    };
    const first = await run(5);
    const again = await run(5);
    expect(first.dropped).to.be.above(0);
    expect(again.dropped).to.equal(first.dropped);
    expect(Buffer.compare(first.bytes, new Uint8Array(200_000).map((_, i) => i))).to.equal(0);
  });

  it("records every frame with the pcap writer, on both sides of the device", async () => {
    const clock = new ManualClock();
    const hub = new MemoryHub(clock, { latencyMs: 1 });
    const chunks: Uint8Array[] = [];
    const a = hostOn(hub, 1, { pcap: { sink: (c) => chunks.push(c), clock } });
    const b = hostOn(hub, 2);
    transfer(clock, a, b, new Uint8Array(3000));
    const device = a.stats().device;
    expect(chunks.length, "the file header and one record per frame").to.equal(1 + device.txFrames + device.rxFrames);
    await a.close();
    await b.close();
  });

  it("runs on real time too (as the XTI provider will over the hub), leaving no timer behind once closed", async () => {
    const hub = new MemoryHub(new RealClock(), { latencyMs: 1 });
    const a = hostOn(hub, 1);
    const b = hostOn(hub, 2);
    const received = new Promise<number>((resolve) => {
      let total = 0;
      const listener = b.tcp.listen({ port: 80 }, {
        connectionIndication: (ind) => {
          const conn = listener.accept(ind.sequence, {
            data: (d) => {
              total += d.length;
              conn.consumed(d.length);
            },
            end: () => resolve(total),
          });
        },
      });
    });
    const client = a.tcp.connect({ remote: { address: b.stack.address, port: 80 } }, {
      connected: () => {
        client.sendPiece(new Uint8Array(50_000));
        client.shutdown();
      },
    });
    expect(await received).to.equal(50_000);
    await a.close();
    await b.close();
  });

  it("closes the device with the host, once however often it is asked", async () => {
    const clock = new ManualClock();
    const hub = new MemoryHub(clock);
    const port = hub.attach(mac(1));
    const host = UserHost.over(port, { address: NET + 1, prefixLength: 24, clock, random: new SeededRandom(1) });
    const closing = host.close();
    expect(host.close()).to.equal(closing);
    await closing;
    port.send(new Uint8Array(60));
    expect(port.stats().txDropped, "a closed port drops what it is given").to.equal(1);
  });

  it("refuses a bad configuration with a RangeError and closes the device it was given", () => {
    const clock = new ManualClock();
    const hub = new MemoryHub(clock);
    for (const config of [{ prefixLength: 33 }, { tcp: { rtoMinMs: 0 } }] as const) {
      const port = hub.attach(mac(1));
      expect(() => UserHost.over(port, { address: NET + 1, prefixLength: 24, clock, ...config })).to.throw(RangeError);
      port.send(new Uint8Array(60));
      expect(port.stats().txDropped).to.equal(1);
    }
    expect(clock.pending()).to.equal(0);
  });
});
