import { expect } from "chai";
import { ManualClock } from "../../../providers/packet/clock.js";
import { SeededRandom } from "../../../providers/packet/random.js";
import { FaultInjector, type FaultInjectorConfig } from "../../../providers/packet/link/faults.js";
import { memoryPair, type MemoryLinkDevice } from "../../../providers/packet/link/memory.js";
import { ScriptedRandom } from "./scripted-random.js";

const MAC_A = Uint8Array.from([2, 0, 0, 0, 0, 1]);
const MAC_B = Uint8Array.from([2, 0, 0, 0, 0, 2]);

function frame(tag: number): Uint8Array {
  const f = new Uint8Array(64);
  f[14] = tag;
  f[15] = tag;
  return f;
}

/** Six decisions per frame, in the injector's order: drop, truncate, corrupt, duplicate, reorder, delay. */
function decisions(d: Partial<Record<"drop" | "truncate" | "corrupt" | "duplicate" | "reorder" | "delay", boolean>>): number[] {
  return ["drop", "truncate", "corrupt", "duplicate", "reorder", "delay"].map((k) => (d[k as keyof typeof d] === true ? 0 : 0.99));
}

/** Send `n` tagged frames through an injector on A's transmit side; return what B saw, as hex. */
function run(seed: number, config: FaultInjectorConfig, n: number): { seen: string[]; injector: FaultInjector; clock: ManualClock; device: MemoryLinkDevice } {
  const clock = new ManualClock();
  const [a, b] = memoryPair(clock, MAC_A, MAC_B);
  const injector = new FaultInjector(a, clock, new SeededRandom(seed), config);
  const seen: string[] = [];
  b.setReceiver((f) => seen.push(Buffer.from(f).toString("hex")));
  for (let i = 0; i < n; i++) {
    injector.send(frame(i));
    clock.advance(1);
  }
  clock.advance(1000);
  return { seen, injector, clock, device: a };
}

describe("packet/net link: fault injector", () => {
  it("reproduces the same faults for the same seed, and different ones for another seed", () => {
    const config = { tx: { drop: 0.1, duplicate: 0.1, reorder: 0.1, corrupt: 0.1, truncate: 0.1, delay: 0.1, delayMs: 3 } };
    const first = run(1234, config, 300);
    const second = run(1234, config, 300);
    const other = run(4321, config, 300);
    expect(second.seen).to.deep.equal(first.seen);
    expect(second.injector.txFaults).to.deep.equal(first.injector.txFaults);
    expect(other.seen).to.not.deep.equal(first.seen);
  });

  it("keeps counters that add up, with every fault seen", () => {
    const { seen, injector, clock, device } = run(99, { tx: { drop: 0.1, duplicate: 0.1, reorder: 0.1, corrupt: 0.1, truncate: 0.1, delay: 0.1 } }, 1000);
    const s = injector.txFaults;
    expect(s.frames).to.equal(1000);
    for (const k of ["dropped", "duplicated", "reordered", "corrupted", "truncated", "delayed"] as const) expect(s[k], k).to.be.within(60, 140);
    expect(s.delivered).to.equal(s.frames - s.dropped + s.duplicated);
    // Frames truncated below an Ethernet header never leave the memory link.
    expect(device.stats().txDropped).to.be.above(0);
    expect(seen.length + device.stats().txDropped).to.equal(s.delivered);
    expect(clock.pending()).to.equal(0);
  });

  it("drops, duplicates, truncates and corrupts exactly the frames the random source picks", () => {
    const clock = new ManualClock();
    const [a, b] = memoryPair(clock, MAC_A, MAC_B);
    const script = [
      ...decisions({}), // frame 0 passes untouched
      ...decisions({ drop: true }), // frame 1 dropped
      ...decisions({ duplicate: true }), // frame 2 twice
      ...decisions({ truncate: true }),
      0.5, // frame 3 cut to 1 + floor(0.5 * 63) = 32 bytes
      ...decisions({ corrupt: true }),
      0, // frame 4: first bit at or after byte 14 flipped
    ];
    const injector = new FaultInjector(a, clock, new ScriptedRandom(script), { tx: { drop: 0.5, duplicate: 0.5, truncate: 0.5, corrupt: 0.5 } });
    const seen: Uint8Array[] = [];
    b.setReceiver((f) => seen.push(f.slice()));
    for (let i = 0; i < 5; i++) injector.send(frame(i));
    clock.advance(0);
    expect(seen.map((f) => f[15])).to.deep.equal([0, 2, 2, 3, 4]);
    expect(seen[3]).to.have.length(32);
    expect(seen[4]![14]).to.equal(4 ^ 1);
    expect(injector.txFaults).to.deep.include({ frames: 5, dropped: 1, duplicated: 1, truncated: 1, corrupted: 1, delivered: 5 });
  });

  it("holds a reordered frame until a later one has passed, or until its timeout", () => {
    const clock = new ManualClock();
    const [a, b] = memoryPair(clock, MAC_A, MAC_B);
    const script = [...decisions({ reorder: true }), ...decisions({}), ...decisions({ reorder: true })];
    const injector = new FaultInjector(a, clock, new ScriptedRandom(script), { tx: { reorder: 0.5, reorderTimeoutMs: 20 } });
    const seen: Array<[number, number]> = [];
    b.setReceiver((f) => seen.push([f[15]!, clock.now()]));
    injector.send(frame(0));
    injector.send(frame(1));
    injector.send(frame(2)); // nothing follows it: released by its timeout
    clock.advance(100);
    expect(seen).to.deep.equal([
      [1, 0],
      [0, 0],
      [2, 20],
    ]);
    expect(injector.txFaults.reordered).to.equal(2);
  });

  it("delays frames by the configured extra latency", () => {
    const clock = new ManualClock();
    const [a, b] = memoryPair(clock, MAC_A, MAC_B);
    const injector = new FaultInjector(a, clock, new ScriptedRandom([...decisions({ delay: true }), ...decisions({})]), { tx: { delay: 0.5, delayMs: 7 } });
    const seen: Array<[number, number]> = [];
    b.setReceiver((f) => seen.push([f[15]!, clock.now()]));
    injector.send(frame(0));
    injector.send(frame(1));
    clock.advance(50);
    expect(seen).to.deep.equal([
      [1, 0],
      [0, 7],
    ]);
  });

  it("applies receive-side faults separately from transmit-side ones", () => {
    const clock = new ManualClock();
    const [a, b] = memoryPair(clock, MAC_A, MAC_B);
    const injector = new FaultInjector(a, clock, new SeededRandom(5), { rx: { drop: 1 } });
    let bGot = 0;
    let aGot = 0;
    b.setReceiver(() => bGot++);
    injector.setReceiver(() => aGot++);
    injector.send(frame(1));
    b.send(frame(2));
    clock.advance(0);
    expect(bGot).to.equal(1);
    expect(aGot).to.equal(0);
    expect(injector.rxFaults.dropped).to.equal(1);
    expect(injector.txFaults.delivered).to.equal(1);
  });

  it("close() sends delayed and held frames on at once, drops those on their way in, and closes the inner device", async () => {
    const clock = new ManualClock();
    const [a, b] = memoryPair(clock, MAC_A, MAC_B);
    const injector = new FaultInjector(a, clock, new SeededRandom(1), { tx: { delay: 1, delayMs: 5 }, rx: { delay: 1, delayMs: 5 } });
    let got = 0;
    let aGot = 0;
    b.setReceiver(() => got++);
    injector.setReceiver(() => aGot++);
    injector.send(frame(1));
    b.send(frame(2));
    clock.advance(0); // frame 2 reaches the injector and is delayed there
    await injector.close();
    clock.advance(0);
    expect(got, "our delayed frame went out with the close").to.equal(1);
    expect(injector.txFaults.delivered).to.equal(1);
    clock.advance(10);
    expect(aGot, "the delayed incoming frame was dropped").to.equal(0);
    expect(clock.pending()).to.equal(0);
    a.send(frame(3));
    expect(a.stats().txDropped).to.equal(1);
  });
});
