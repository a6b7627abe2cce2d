import { expect } from "chai";
import {
  READ_INDEX,
  RING_FULL_DROPS,
  RxRing,
  WRITE_INDEX,
} from "../../../providers/packet/link/afpacket-ring.js";

describe("packet/io: receive ring shared by the worker and the main thread", () => {
  it("maps the same memory from both sides", () => {
    const producer = new RxRing({ slots: 4, slotSize: 64 });
    const consumer = new RxRing(producer.layout, producer.memory);
    producer.slotView(1).set([1, 2, 3]);
    producer.lengths[1] = 3;
    producer.count(RING_FULL_DROPS, 2);
    expect(Array.from(consumer.data.subarray(64, 67))).to.deep.equal([1, 2, 3]);
    expect(consumer.lengths[1]).to.equal(3);
    expect(consumer.counter(RING_FULL_DROPS)).to.equal(2);
  });

  it("offers only free, contiguous slots and wraps around", () => {
    const ring = new RxRing({ slots: 4, slotSize: 64 });
    expect(ring.writableRun()).to.equal(4);
    ring.publish(3);
    expect(ring.pending()).to.equal(3);
    expect(ring.writableRun(), "one slot left before the end").to.equal(1);
    ring.release(2);
    expect(ring.writableRun(), "free slots after the wrap are not contiguous with slot 3").to.equal(1);
    ring.publish(1);
    expect(ring.slotOf(Atomics.load(ring.control, WRITE_INDEX))).to.equal(0);
    expect(ring.writableRun()).to.equal(2);
    ring.publish(2);
    expect(ring.pending()).to.equal(4);
    expect(ring.writableRun(), "full").to.equal(0);
  });

  it("keeps counting correctly when the indices wrap past 2^31", () => {
    const ring = new RxRing({ slots: 8, slotSize: 64 });
    Atomics.store(ring.control, WRITE_INDEX, 0x7ffffffe);
    Atomics.store(ring.control, READ_INDEX, 0x7ffffffe);
    ring.publish(5);
    expect(Atomics.load(ring.control, WRITE_INDEX)).to.be.lessThan(0);
    expect(ring.pending()).to.equal(5);
    expect(ring.writableRun()).to.equal(3);
    ring.release(5);
    expect(ring.pending()).to.equal(0);
  });

  it("rejects layouts the index arithmetic cannot handle", () => {
    expect(() => new RxRing({ slots: 6, slotSize: 64 })).to.throw(RangeError);
    expect(() => new RxRing({ slots: 8, slotSize: 100 })).to.throw(RangeError);
    expect(() => new RxRing({ slots: 8, slotSize: 64 }, new SharedArrayBuffer(64))).to.throw(RangeError);
  });
});
