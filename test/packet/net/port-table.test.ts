import { expect } from "chai";
import { SeededRandom } from "../../../providers/packet/random.js";
import { EPHEMERAL_PORT_MAX, EPHEMERAL_PORT_MIN, PortReservation, PortTable } from "../../../providers/packet/stack/port-table.js";

const A = 0xc6120001; // 198.18.0.1
const B = 0xc6120002; // 198.18.0.2
const ANY = 0;

function held(result: PortReservation | string): PortReservation {
  if (typeof result === "string") throw new Error(`expected a reservation, got ${result}`);
  return result;
}

describe("packet/net port table", () => {
  it("hands out ephemeral ports from the range, each once, the same sequence for the same seed", () => {
    const draw = (seed: number): number[] => {
      const table = new PortTable(new SeededRandom(seed));
      return Array.from({ length: 20 }, () => held(table.reserve({ address: ANY, port: 0 })).port);
    };
    const ports = draw(3);
    for (const p of ports) expect(p).to.be.within(EPHEMERAL_PORT_MIN, EPHEMERAL_PORT_MAX);
    expect(new Set(ports).size).to.equal(20);
    expect(draw(3)).to.deep.equal(ports);
    expect(draw(4)).to.not.deep.equal(ports);
  });

  it("skips ports held at an overlapping address and reports a full range as EADDRINUSE", () => {
    const table = new PortTable(new SeededRandom(1), { min: 5000, max: 5002 });
    held(table.reserve({ address: ANY, port: 5001 }));
    const got = [held(table.reserve({ address: A, port: 0 })).port, held(table.reserve({ address: A, port: 0 })).port];
    expect(got.sort()).to.deep.equal([5000, 5002]);
    expect(table.reserve({ address: A, port: 0 })).to.equal("EADDRINUSE");
    expect(table.reserve({ address: ANY, port: 0 })).to.equal("EADDRINUSE");
    expect(held(table.reserve({ address: B, port: 0 })).port, "B overlaps only the wildcard").to.be.oneOf([5000, 5002]);
    expect(table.size).to.equal(4);
  });

  it("lets specific addresses share a port, but not with the wildcard or the same address", () => {
    const table = new PortTable(new SeededRandom(1));
    const onA = held(table.reserve({ address: A, port: 80 }));
    expect(table.reserve({ address: A, port: 80 })).to.equal("EADDRINUSE");
    expect(table.reserve({ address: ANY, port: 80 })).to.equal("EADDRINUSE");
    const onB = held(table.reserve({ address: B, port: 80 }));
    expect(table.reserve({ address: A, port: 81 })).to.be.instanceOf(PortReservation);
    onA.release();
    onB.release();
    const wildcard = held(table.reserve({ address: ANY, port: 80 }));
    expect(table.reserve({ address: B, port: 80 })).to.equal("EADDRINUSE");
    wildcard.release();
    expect(table.reserve({ address: B, port: 80 })).to.be.instanceOf(PortReservation);
  });

  it("shares a port under reuseAddress only when both ask for it and the holder is not listening", () => {
    const table = new PortTable(new SeededRandom(1));
    const first = held(table.reserve({ address: ANY, port: 80, reuseAddress: true }));
    expect(table.reserve({ address: ANY, port: 80 }), "the newcomer did not ask").to.equal("EADDRINUSE");
    const second = held(table.reserve({ address: A, port: 80, reuseAddress: true }));
    expect(second.listen(), "nobody listens yet").to.equal(true);
    expect(first.listen(), "a second listener on the port").to.equal(false);
    expect(first.listening).to.equal(false);
    expect(table.reserve({ address: ANY, port: 80, reuseAddress: true }), "the holder listens").to.equal("EADDRINUSE");
    second.stopListening();
    expect(first.listen()).to.equal(true);
  });

  it("judges listening by overlap too: listeners on two specific addresses share a port", () => {
    const table = new PortTable(new SeededRandom(1));
    const onA = held(table.reserve({ address: A, port: 80 }));
    const onB = held(table.reserve({ address: B, port: 80 }));
    expect(onA.listen()).to.equal(true);
    expect(onB.listen(), "no overlap with A").to.equal(true);
    expect(table.reserve({ address: ANY, port: 80, reuseAddress: true })).to.equal("EADDRINUSE");
  });

  it("keeps a reservation until its last holder releases it", () => {
    const table = new PortTable(new SeededRandom(1));
    const r = held(table.reserve({ address: ANY, port: 7 }));
    r.retain();
    r.retain();
    r.release();
    r.release();
    expect(r.released).to.equal(false);
    expect(table.reserve({ address: ANY, port: 7 })).to.equal("EADDRINUSE");
    r.release();
    r.release(); // once released, further releases change nothing
    expect(r.released).to.equal(true);
    expect(() => r.retain()).to.throw();
    expect(r.listen()).to.equal(false);
    expect(table.size).to.equal(0);
    expect(table.reserve({ address: ANY, port: 7 })).to.be.instanceOf(PortReservation);
  });

  it("rejects malformed requests with EINVAL and a bad range with a RangeError", () => {
    const table = new PortTable(new SeededRandom(1));
    for (const port of [-1, 65536, 1.5, Number.NaN]) expect(table.reserve({ address: ANY, port }), String(port)).to.equal("EINVAL");
    for (const address of [-1, 2 ** 32, 0.5]) expect(table.reserve({ address, port: 80 }), String(address)).to.equal("EINVAL");
    expect(table.size).to.equal(0);
    expect(() => new PortTable(new SeededRandom(1), { min: 0, max: 10 })).to.throw(RangeError);
    expect(() => new PortTable(new SeededRandom(1), { min: 20, max: 10 })).to.throw(RangeError);
    expect(() => new PortTable(new SeededRandom(1), { min: 1, max: 65536 })).to.throw(RangeError);
  });
});
