/**
 * The send buffer's storage grows with what is queued and is given back once drained, while its
 * nominal size (SO_SNDBUF) alone decides what may be queued: bytes come back in order, whole,
 * across ring wrap-around and sequence-number wrap-around.
 */
import { expect } from "chai";
import { SeededRandom } from "../../../providers/packet/random.js";
import { DEFAULT_TCP_CONFIG } from "../../../providers/packet/stack/tcp/config.js";
import { SEND_STORAGE_MIN, SendBuffer } from "../../../providers/packet/stack/tcp/send-buffer.js";
import { seqAdd } from "../../../providers/packet/stack/tcp/seq.js";
import { connectPair, enginePair, payload, pump } from "./harness.js";

const NEAR_WRAP = 0xffff_f000;

/** Bytes counting up from `from` (mod 256), so that order and loss show. */
function bytes(from: number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (from + i) & 0xff;
  return out;
}

describe("packet/tcp send buffer storage", () => {
  it("holds no storage until data is queued, yet offers its whole nominal size", () => {
    const buf = new SendBuffer(256 * 1024, 1000);
    expect(buf.storage).to.equal(0);
    expect([buf.length, buf.capacity, buf.free, buf.endSeq]).to.deep.equal([0, 256 * 1024, 256 * 1024, 1000]);
    expect(buf.slice(1000, 0).length).to.equal(0);
  });

  it("grows by doubling from a small start up to the nominal size, not past it", () => {
    const buf = new SendBuffer(100_000, 0);
    buf.append(bytes(0, 10));
    expect(buf.storage).to.equal(SEND_STORAGE_MIN);
    const sizes: number[] = [];
    while (buf.free > 0) {
      buf.append(bytes(buf.length, Math.min(1000, buf.free)));
      if (sizes[sizes.length - 1] !== buf.storage) sizes.push(buf.storage);
    }
    expect(sizes).to.deep.equal([4096, 8192, 16_384, 32_768, 65_536, 100_000]);
    expect(Array.from(buf.slice(0, 100_000))).to.deep.equal(Array.from(bytes(0, 100_000)));
  });

  it("takes a whole piece that needs more than the next step, or more than the nominal size", () => {
    const buf = new SendBuffer(64 * 1024, 0);
    buf.append(bytes(0, 50_000));
    expect(buf.storage).to.equal(50_000);
    buf.append(bytes(50_000, 40_000)); // 50,000 held < 65,536: taken whole, past the mark
    expect([buf.length, buf.free, buf.storage]).to.deep.equal([90_000, 0, 90_000]);
    expect(Array.from(buf.slice(0, 90_000))).to.deep.equal(Array.from(bytes(0, 90_000)));
  });

  it("keeps the order of bytes that wrapped around the ring when it grows", () => {
    const buf = new SendBuffer(64 * 1024, NEAR_WRAP);
    buf.append(bytes(0, 4000));
    buf.acknowledgeTo(seqAdd(NEAR_WRAP, 3000)); // the ring's head is at 3,000 of 4,096
    buf.append(bytes(4000, 2000)); // 3,000 held, wrapping to the ring's start
    expect(buf.storage).to.equal(SEND_STORAGE_MIN);
    const wrapped = buf.slice(seqAdd(NEAR_WRAP, 3000), 3000);
    expect(Array.from(wrapped)).to.deep.equal(Array.from(bytes(3000, 3000)));
    buf.append(bytes(6000, 5000)); // grows while wrapped: unwrapped into the new storage
    expect(buf.storage).to.equal(8192);
    expect(Array.from(buf.slice(seqAdd(NEAR_WRAP, 3000), 8000))).to.deep.equal(Array.from(bytes(3000, 8000)));
    expect(buf.frontSeq).to.equal(seqAdd(NEAR_WRAP, 3000));
    expect(buf.endSeq).to.equal(seqAdd(NEAR_WRAP, 11_000)); // past 2^32
  });

  it("releases large storage once everything is acknowledged and keeps a small one for the next message", () => {
    const buf = new SendBuffer(256 * 1024, 0);
    buf.append(bytes(0, 100));
    buf.acknowledgeTo(100);
    expect([buf.length, buf.storage]).to.deep.equal([0, SEND_STORAGE_MIN]);
    buf.append(bytes(100, 200_000));
    buf.acknowledgeTo(150_100); // partly acknowledged: the storage stays
    expect(buf.storage).to.equal(200_000);
    buf.acknowledgeTo(buf.endSeq);
    expect([buf.length, buf.storage, buf.free]).to.deep.equal([0, 0, 256 * 1024]);
    buf.append(bytes(7, 3));
    expect(Array.from(buf.slice(200_100, 3))).to.deep.equal([7, 8, 9]);
  });

  it("follows a smaller nominal size without losing what is held, and gives back storage beyond it", () => {
    const buf = new SendBuffer(64 * 1024, 0);
    buf.append(bytes(0, 30_000));
    buf.resize(10_000); // below what is held: the storage keeps it all
    expect([buf.storage, buf.free]).to.deep.equal([30_000, 0]);
    buf.acknowledgeTo(25_000);
    buf.resize(8_000);
    expect(buf.storage).to.equal(8_000);
    expect(Array.from(buf.slice(25_000, 5_000))).to.deep.equal(Array.from(bytes(25_000, 5_000)));
    buf.append(bytes(30_000, 5_000)); // 5,000 held < 8,000: taken, past the mark
    expect(Array.from(buf.slice(25_000, 10_000))).to.deep.equal(Array.from(bytes(25_000, 10_000)));
    buf.acknowledgeTo(buf.endSeq);
    buf.resize(1_000);
    buf.append(bytes(0, 600));
    expect(buf.storage, "never more than a small nominal size").to.equal(1_000);
  });

  it("loses, duplicates and reorders nothing over random appends, acknowledgments, slices and resizes", () => {
    const random = new SeededRandom(12);
    const draw = (n: number): number => random.nextU32() % n;
    let nominal = 32 * 1024;
    const buf = new SendBuffer(nominal, NEAR_WRAP);
    let queued = 0; // stream offset one past the last byte queued
    let acked = 0; // stream offset of the first byte held
    for (let step = 0; step < 5_000; step++) {
      const op = draw(10);
      if (op < 5) {
        if (buf.free === 0) continue; // the sender refuses a piece at or above the mark
        const n = 1 + draw(op === 0 ? 20_000 : 3_000);
        buf.append(bytes(queued, n));
        queued += n;
      } else if (op < 8) {
        acked += draw(queued - acked + 1);
        buf.acknowledgeTo(seqAdd(NEAR_WRAP, acked));
      } else if (op === 8) {
        nominal = 1 + draw(64 * 1024);
        buf.resize(nominal);
      } else if (queued > acked) {
        const from = acked + draw(queued - acked);
        const len = 1 + draw(queued - from);
        expect(Array.from(buf.slice(seqAdd(NEAR_WRAP, from), len))).to.deep.equal(Array.from(bytes(from, len)));
      }
      expect(buf.length).to.equal(queued - acked);
      expect(buf.free).to.equal(Math.max(0, nominal - (queued - acked)));
      expect(buf.storage).to.be.at.least(buf.length);
      if (buf.length === 0) expect(buf.storage).to.be.at.most(SEND_STORAGE_MIN);
    }
    if (queued > acked) expect(Array.from(buf.slice(seqAdd(NEAR_WRAP, acked), queued - acked))).to.deep.equal(Array.from(bytes(acked, queued - acked)));
  });

  describe("on a connection", () => {
    const SNDBUF = DEFAULT_TCP_CONFIG.sendBufferSize;
    const RCVBUF = DEFAULT_TCP_CONFIG.receiveBufferSize;

    it("accepts the whole configured send buffer at once on a connection that never sent, and delivers it intact", () => {
      const pair = enginePair();
      const { client, clientRec, serverRec } = connectPair(pair);
      expect([client.sendBufferSize, client.sendBufferFree]).to.deep.equal([SNDBUF, SNDBUF]);
      const data = payload(SNDBUF + 64 * 1024, 3);
      const piece = 16 * 1024;
      let queued = 0;
      // The clock stands still: nothing is acknowledged while the pieces are queued.
      while (client.sendPiece(data.subarray(queued, queued + piece))) queued += piece;
      expect(queued).to.equal(SNDBUF);
      pair.clock.runUntil(() => clientRec.events.includes("writable"), 10_000);
      expect(client.sendPiece(data.subarray(queued))).to.equal(true);
      pair.clock.runUntil(() => serverRec.received === data.length, 60_000);
      expect(Buffer.compare(serverRec.bytes(), data)).to.equal(0);
      pair.close();
    });

    it("grows to two congestion windows during a bulk transfer, up to sendBufferMax (Linux's tcp_sndbuf_expand); a size the user set stays", () => {
      const sizes: number[] = [];
      for (const pinned of [false, true]) {
        const pair = enginePair({ config: { receiveBufferSize: 4 << 20, sendBufferMax: 1 << 20 } });
        const { client, clientRec, serverRec } = connectPair(pair);
        if (pinned) client.setSendBufferSize(SNDBUF);
        const data = payload(16 << 20, 9);
        pump(client, clientRec, data);
        pair.clock.runUntil(() => serverRec.received === data.length, 120_000);
        expect(Buffer.compare(serverRec.bytes(), data)).to.equal(0);
        sizes.push(client.sendBufferSize);
        pair.close();
      }
      expect(sizes).to.deep.equal([1 << 20, SNDBUF]);
    });

    it("still lets the peer fill the configured receive buffer while the user does not read, and drops none of it", () => {
      const pair = enginePair();
      const { client, clientRec, server, serverRec } = connectPair(pair);
      serverRec.autoConsume = false;
      const data = payload(RCVBUF + 100_000, 5);
      pump(client, clientRec, data, 32 * 1024);
      pair.clock.advance(5_000);
      expect(serverRec.received, "the advertised window is the whole receive buffer").to.equal(RCVBUF);
      server.consumed(RCVBUF);
      pair.clock.runUntil(() => serverRec.received === data.length, 60_000);
      expect(Buffer.compare(serverRec.bytes(), data)).to.equal(0);
      pair.close();
    });
  });
});
