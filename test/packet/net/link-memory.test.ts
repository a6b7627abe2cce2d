import { expect } from "chai";
import { ManualClock } from "../../../providers/packet/clock.js";
import { MemoryHub, POISON_BYTE, memoryPair } from "../../../providers/packet/link/memory.js";

const MAC_A = Uint8Array.from([2, 0, 0, 0, 0, 1]);
const MAC_B = Uint8Array.from([2, 0, 0, 0, 0, 2]);
const MAC_C = Uint8Array.from([2, 0, 0, 0, 0, 3]);

function frame(tag: number, length = 60): Uint8Array {
  const f = new Uint8Array(length);
  f[14] = tag;
  return f;
}

describe("packet/net link: memory hub", () => {
  it("never delivers inside send(), only when the clock turns", () => {
    const clock = new ManualClock();
    const [a, b] = memoryPair(clock, MAC_A, MAC_B);
    const got: number[] = [];
    b.setReceiver((f) => got.push(f[14]!));
    a.send(frame(1));
    a.send(frame(2));
    expect(got).to.deep.equal([]);
    clock.advance(0);
    expect(got).to.deep.equal([1, 2]);
    expect(a.stats().txFrames).to.equal(2);
    expect(b.stats().rxFrames).to.equal(2);
  });

  it("applies the configured latency", () => {
    const clock = new ManualClock();
    const [a, b] = memoryPair(clock, MAC_A, MAC_B, { latencyMs: 5 });
    const at: number[] = [];
    b.setReceiver(() => at.push(clock.now()));
    a.send(frame(1));
    clock.advance(2);
    a.send(frame(2));
    clock.advance(2.9);
    expect(at).to.deep.equal([]);
    clock.advance(10);
    expect(at).to.deep.equal([5, 7]);
  });

  it("serialises frames at the configured rate and tail-drops past the queue limit", () => {
    const clock = new ManualClock();
    // 1 MB/s: a 1000-byte frame takes 1 ms on the wire.
    const [a, b] = memoryPair(clock, MAC_A, MAC_B, { latencyMs: 10, bytesPerSecond: 1_000_000, queueLimitBytes: 2500 });
    const at: number[] = [];
    b.setReceiver(() => at.push(clock.now()));
    a.send(frame(1, 1000));
    a.send(frame(2, 1000));
    a.send(frame(3, 1000)); // 2000 bytes already queued: over the 2500-byte limit
    expect(a.stats().txDropped).to.equal(1);
    clock.advance(1.5);
    a.send(frame(4, 1000)); // 500 bytes left ahead of it: fits
    clock.advance(100);
    expect(at).to.deep.equal([11, 12, 13]);
    expect(a.stats().txFrames).to.equal(3);
  });

  it("gives every other port of a hub its own copy, never the sender", () => {
    const clock = new ManualClock();
    const hub = new MemoryHub(clock);
    const a = hub.attach(MAC_A);
    const b = hub.attach(MAC_B);
    const c = hub.attach(MAC_C);
    const seen: Record<string, number[]> = { a: [], b: [], c: [] };
    a.setReceiver((f) => seen.a!.push(f[14]!));
    b.setReceiver((f) => {
      f[14] = 99; // a receiver may scribble on its copy; this must not show up at c
      seen.b!.push(f[14]);
    });
    c.setReceiver((f) => seen.c!.push(f[14]!));
    const sent = frame(7);
    a.send(sent);
    clock.advance(0);
    expect(seen.a).to.have.length(0);
    expect(seen.b).to.deep.equal([99]);
    expect(seen.c).to.deep.equal([7]);
    expect(sent[14]).to.equal(7); // nor at the sender
  });

  it("lends each frame for the call only: a view kept past it reads as poison", () => {
    const clock = new ManualClock();
    const [a, b] = memoryPair(clock, MAC_A, MAC_B);
    const kept: Uint8Array[] = [];
    const copied: Uint8Array[] = [];
    b.setReceiver((f) => {
      kept.push(f);
      copied.push(f.slice());
    });
    a.send(frame(7));
    clock.advance(0);
    expect(copied[0]![14]).to.equal(7);
    expect(kept[0]!.every((byte) => byte === POISON_BYTE)).to.equal(true);
  });

  it("delivers the frames due together as one burst and announces its end, when asked to", () => {
    const clock = new ManualClock();
    for (const bursts of [false, true]) {
      const [a, b] = memoryPair(clock, MAC_A, MAC_B, { bursts });
      const events: string[] = [];
      b.setReceiver(
        (f) => events.push(`frame ${f[14]!}`),
        () => events.push("end"),
      );
      expect(b.signalsBurstEnd).to.equal(bursts);
      a.send(frame(1));
      a.send(frame(2));
      clock.advance(0);
      a.send(frame(3));
      clock.advance(1);
      expect(events).to.deep.equal(bursts ? ["frame 1", "frame 2", "end", "frame 3", "end"] : ["frame 1", "frame 2", "frame 3"]);
    }
  });

  it("drops frames that are too long or too short, and counts frames nobody receives", () => {
    const clock = new ManualClock();
    const [a, b] = memoryPair(clock, MAC_A, MAC_B, { mtu: 1500 });
    a.send(new Uint8Array(1515));
    a.send(new Uint8Array(13));
    a.send(new Uint8Array(1514));
    expect(a.stats().txDropped).to.equal(2);
    clock.advance(0);
    expect(b.stats().rxDropped).to.equal(1);
  });

  it("close() detaches the port; frames already on the wire still arrive, unless nobody is left on the hub", async () => {
    const clock = new ManualClock();
    const hub = new MemoryHub(clock, { latencyMs: 1 });
    const [a, b, c] = [hub.attach(MAC_A), hub.attach(MAC_B), hub.attach(Uint8Array.of(2, 0, 0, 0, 0, 3))];
    let got = 0;
    b.setReceiver(() => got++);
    a.send(frame(1));
    await a.close();
    a.send(frame(2));
    expect(a.stats().txDropped, "a closed port sends nothing more").to.equal(1);
    clock.advance(1);
    expect(got, "the frame sent before close() arrived").to.equal(1);
    b.send(frame(3));
    await b.close();
    c.send(frame(4));
    await c.close();
    expect(clock.pending(), "with every port closed, nothing is left on the wire").to.equal(0);
    clock.advance(10);
    expect(got).to.equal(1);
  });
});
