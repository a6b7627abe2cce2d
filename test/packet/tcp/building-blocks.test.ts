import { expect } from "chai";
import { ManualClock } from "../../../providers/packet/clock.js";
import { SeededRandom } from "../../../providers/packet/random.js";
import { NewRenoCongestion, initialWindow } from "../../../providers/packet/stack/tcp/congestion.js";
import { negotiateOptions, windowShiftFor } from "../../../providers/packet/stack/tcp/options.js";
import { IsnGenerator } from "../../../providers/packet/stack/tcp/isn.js";
import { ReassemblyQueue } from "../../../providers/packet/stack/tcp/reassembly.js";
import { TcpReceiver } from "../../../providers/packet/stack/tcp/receiver.js";
import { FIRST_CHUNK, LARGEST_CHUNK, ReceiveArena } from "../../../providers/packet/stack/tcp/receive-arena.js";
import { DeadlineTimer } from "../../../providers/packet/stack/tcp/deadline-timer.js";
import { InputClock } from "../../../providers/packet/stack/tcp/input-clock.js";
import { RttEstimator } from "../../../providers/packet/stack/tcp/rtt.js";
import { SendBuffer } from "../../../providers/packet/stack/tcp/send-buffer.js";
import { seqAdd, seqDiff, seqGe, seqGt, seqInRange, seqLe, seqLt, seqMax, seqMin } from "../../../providers/packet/stack/tcp/seq.js";

const NEAR_WRAP = 0xffff_fff0;

describe("packet/tcp building blocks", () => {
  describe("sequence arithmetic", () => {
    it("orders numbers across the 2^32 wrap", () => {
      const after = seqAdd(NEAR_WRAP, 0x20); // 0x10
      expect(after).to.equal(0x10);
      expect(seqLt(NEAR_WRAP, after)).to.equal(true);
      expect(seqGt(after, NEAR_WRAP)).to.equal(true);
      expect(seqLe(after, NEAR_WRAP)).to.equal(false);
      expect(seqGe(NEAR_WRAP, after)).to.equal(false);
      expect(seqDiff(after, NEAR_WRAP)).to.equal(0x20);
      expect(seqDiff(NEAR_WRAP, after)).to.equal(-0x20);
      expect(seqMax(NEAR_WRAP, after)).to.equal(after);
      expect(seqMin(NEAR_WRAP, after)).to.equal(NEAR_WRAP);
      expect(seqInRange(0xffff_ffff, NEAR_WRAP, after)).to.equal(true);
      expect(seqInRange(after, NEAR_WRAP, after)).to.equal(false);
      expect(seqAdd(5, -10)).to.equal(0xffff_fffb);
    });
  });

  describe("option negotiation (RFC 7323, RFC 2018, RFC 6691)", () => {
    it("picks the smallest window shift that covers the receive buffer, at most 14", () => {
      expect(windowShiftFor(65535)).to.equal(0);
      expect(windowShiftFor(65536)).to.equal(1);
      expect(windowShiftFor(256 * 1024)).to.equal(3);
      expect(windowShiftFor(2 ** 30)).to.equal(14);
      expect(windowShiftFor(2 ** 32)).to.equal(14);
    });

    it("uses an option only when both ends offer it and takes option bytes off the MSS", () => {
      const ours = { windowScaling: true, sack: true, timestamps: true, windowShift: 3, mss: 1460 };
      const all = negotiateOptions(ours, { mss: 1400, windowScale: 15, sackPermitted: true, timestamp: { value: 1, echo: 0 } });
      expect(all).to.deep.equal({ windowScaling: true, sendWindowShift: 14, receiveWindowShift: 3, sack: true, timestamps: true, sendMss: 1388, receiveMss: 1448 });
      const none = negotiateOptions(ours, {});
      expect(none).to.deep.equal({ windowScaling: false, sendWindowShift: 0, receiveWindowShift: 0, sack: false, timestamps: false, sendMss: 536, receiveMss: 1460 });
      const notOffered = negotiateOptions({ ...ours, sack: false, windowScaling: false }, { windowScale: 2, sackPermitted: true });
      expect(notOffered.sack || notOffered.windowScaling).to.equal(false);
      expect(negotiateOptions(ours, { mss: 1 }).sendMss).to.equal(48); // clamped like Linux tcp_min_snd_mss
    });
  });

  describe("ISN (RFC 6528)", () => {
    it("differs per 4-tuple, grows by 250 per millisecond and depends on the secret", () => {
      const clock = new ManualClock(1000);
      const gen = new IsnGenerator(clock, new SeededRandom(42));
      const a = gen.generate(1, 1000, 2, 80).iss;
      const b = gen.generate(1, 1001, 2, 80).iss;
      const c = gen.generate(1, 1000, 3, 80).iss;
      expect(new Set([a, b, c]).size).to.equal(3);
      clock.advance(4); // 4 ms = 1000 ticks of 4 µs
      expect(seqDiff(gen.generate(1, 1000, 2, 80).iss, a)).to.equal(1000);
      const other = new IsnGenerator(new ManualClock(1000), new SeededRandom(43));
      expect(other.generate(1, 1000, 2, 80).iss).to.not.equal(a);
      const same = new IsnGenerator(new ManualClock(1000), new SeededRandom(42));
      expect(same.generate(1, 1000, 2, 80).iss).to.equal(a);
    });
  });

  describe("RTO estimator (RFC 6298)", () => {
    it("starts at 1 s, follows the first sample, clamps, backs off and resets", () => {
      const rtt = new RttEstimator(200, 60_000, 1000);
      expect(rtt.rto).to.equal(1000);
      rtt.sample(100); // SRTT 100, RTTVAR 50 → 300
      expect(rtt.srtt).to.equal(100);
      expect(rtt.rto).to.equal(300);
      rtt.sample(100); // RTTVAR 37.5 → 100 + 150
      expect(rtt.rto).to.equal(250);
      rtt.backoff();
      rtt.backoff();
      expect(rtt.rto).to.equal(1000);
      expect(rtt.backoffs).to.equal(2);
      rtt.sample(100); // a new sample recomputes the RTO and ends the backoff
      expect(rtt.backoffs).to.equal(0);
      expect(rtt.rto).to.be.closeTo(212.5, 0.01);
      for (let i = 0; i < 20; i++) rtt.backoff();
      expect(rtt.rto).to.equal(60_000);
      const fast = new RttEstimator(200, 60_000, 1000);
      fast.sample(1);
      expect(fast.rto).to.equal(200); // clamped to the minimum
      fast.useSynTimeoutFallback();
      expect(fast.rto).to.equal(200); // has a sample: no 3 s fallback
      const lostSyn = new RttEstimator(200, 60_000, 1000);
      lostSyn.useSynTimeoutFallback();
      expect(lostSyn.rto).to.equal(3000); // RFC 6298 §5.7
    });
  });

  describe("send buffer", () => {
    it("wraps around its ring and addresses bytes by sequence number across 2^32", () => {
      const buf = new SendBuffer(8, NEAR_WRAP + 12); // front seq 0xfffffffc
      buf.append(Uint8Array.from([1, 2, 3, 4, 5, 6]));
      buf.acknowledgeTo(seqAdd(NEAR_WRAP, 16)); // 4 acked: 0x0 is the new front
      expect(buf.frontSeq).to.equal(0);
      buf.append(Uint8Array.from([7, 8, 9, 10, 11, 12])); // 2 + 6 = the mark, wrapping in the ring
      expect(Array.from(buf.slice(0, 8))).to.deep.equal([5, 6, 7, 8, 9, 10, 11, 12]);
      expect(buf.free).to.equal(0);
      buf.resize(16);
      expect(Array.from(buf.slice(2, 3))).to.deep.equal([7, 8, 9]);
      expect(buf.free).to.equal(8);
      buf.append(Uint8Array.from([13]));
      expect(buf.endSeq).to.equal(9);
    });

    it("takes a whole piece beyond its nominal size, wrapping, and gives the extra storage back once drained", () => {
      const buf = new SendBuffer(8, NEAR_WRAP);
      buf.append(Uint8Array.from([1, 2, 3, 4, 5, 6]));
      buf.acknowledgeTo(seqAdd(NEAR_WRAP, 5)); // the ring's head is now at 5
      buf.append(Uint8Array.from([7, 8]));
      buf.append(Uint8Array.from([9, 10, 11])); // wraps to the ring's start
      buf.append(Uint8Array.from([12, 13, 14, 15, 16, 17, 18, 19, 20])); // beyond the mark: the storage grows
      expect([buf.length, buf.capacity, buf.free]).to.deep.equal([15, 8, 0]);
      expect(Array.from(buf.slice(seqAdd(NEAR_WRAP, 5), 15))).to.deep.equal([6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
      buf.resize(4); // below what is held: nothing is lost
      expect(Array.from(buf.slice(seqAdd(NEAR_WRAP, 18), 2))).to.deep.equal([19, 20]);
      buf.acknowledgeTo(buf.endSeq);
      expect([buf.length, buf.capacity, buf.free]).to.deep.equal([0, 4, 4]);
      buf.append(new Uint8Array(0));
      buf.append(Uint8Array.from([1, 2, 3, 4, 5]));
      expect(Array.from(buf.slice(buf.frontSeq, 5))).to.deep.equal([1, 2, 3, 4, 5]);
    });
  });

  describe("reassembly queue", () => {
    it("keeps out-of-order data without overlap and hands it back in order", () => {
      const q = new ReassemblyQueue();
      const base = NEAR_WRAP;
      q.insert(seqAdd(base, 20), Uint8Array.from([20, 21, 22, 23, 24]));
      q.insert(seqAdd(base, 10), Uint8Array.from([10, 11, 12]));
      q.insert(seqAdd(base, 11), Uint8Array.from([11, 12, 13, 14])); // overlaps, extends
      expect(q.sackBlocks(4)).to.deep.equal([
        [seqAdd(base, 10), seqAdd(base, 15)],
        [seqAdd(base, 20), seqAdd(base, 25)],
      ]);
      expect(q.takeAt(base)).to.equal(null);
      expect(Array.from(q.takeAt(seqAdd(base, 11)) ?? [])).to.deep.equal([11, 12]); // trimmed to RCV.NXT
      expect(Array.from(q.takeAt(seqAdd(base, 13)) ?? [])).to.deep.equal([13, 14]);
      expect(q.takeAt(seqAdd(base, 15))).to.equal(null);
      expect(Array.from(q.takeAt(seqAdd(base, 22)) ?? [])).to.deep.equal([22, 23, 24]);
      expect(q.isEmpty).to.equal(true);
    });

    it("reports the block of the latest segment first in SACK blocks", () => {
      const q = new ReassemblyQueue();
      q.insert(100, new Uint8Array(10));
      q.insert(200, new Uint8Array(10));
      q.insert(300, new Uint8Array(10));
      q.insert(210, new Uint8Array(5));
      expect(q.sackBlocks(4)).to.deep.equal([
        [200, 215],
        [300, 310],
        [100, 110],
      ]);
      expect(q.sackBlocks(2)).to.have.length(2);
    });
  });

  describe("reassembly queue under stress", () => {
    it("matches a byte map through random overlapping inserts across the 2^32 wrap (SACK blocks and delivery)", () => {
      const random = new SeededRandom(2027);
      for (let trial = 0; trial < 200; trial++) {
        const q = new ReassemblyQueue();
        const base = seqAdd(NEAR_WRAP, trial * 37);
        const size = 600;
        const stream = Uint8Array.from({ length: size }, (_, i) => (i * 7 + trial) & 0xff);
        const held = new Array<boolean>(size).fill(false);
        for (let n = 0; n < 25; n++) {
          const off = 1 + (random.nextU32() % (size - 1)); // byte 0 stays a hole until the end
          const len = 1 + (random.nextU32() % 40);
          const end = Math.min(size, off + len);
          q.insert(seqAdd(base, off), stream.subarray(off, end));
          for (let i = off; i < end; i++) held[i] = true;
        }
        // SACK blocks are exactly the runs of held bytes.
        const runs: Array<[number, number]> = [];
        for (let i = 0; i < size; i++) {
          if (!held[i]) continue;
          const last = runs[runs.length - 1];
          if (last !== undefined && last[1] === seqAdd(base, i)) last[1] = seqAdd(base, i + 1);
          else runs.push([seqAdd(base, i), seqAdd(base, i + 1)]);
        }
        const blocks = q.sackBlocks(1000);
        expect([...blocks].sort((a, b) => seqDiff(a[0], b[0])), `trial ${trial}`).to.deep.equal(runs);
        // Filling byte 0 releases the first run, in order and exactly.
        let rcvNxt = seqAdd(base, 1);
        const out: number[] = [];
        for (let piece = q.takeAt(rcvNxt); piece !== null; piece = q.takeAt(rcvNxt)) {
          out.push(...piece);
          rcvNxt = seqAdd(rcvNxt, piece.length);
        }
        const firstRunEnd = held[1] ? held.indexOf(false, 1) : 1;
        const expected = Array.from(stream.subarray(1, firstRunEnd === -1 ? size : firstRunEnd));
        expect(out, `trial ${trial}`).to.deep.equal(expected);
      }
    });

    it("holds at most maxPieces pieces and refuses (counts) a segment that would need more", () => {
      const q = new ReassemblyQueue(3);
      for (const seq of [10, 20, 30]) expect(q.insert(seq, Uint8Array.of(seq))).to.equal(true);
      expect(q.insert(40, Uint8Array.of(40))).to.equal(false);
      expect(q.refused).to.equal(1);
      expect(q.insert(10, Uint8Array.of(10)), "a duplicate needs no new piece").to.equal(true);
      expect(q.takeAt(10)).to.deep.equal(Uint8Array.of(10));
      expect(q.insert(40, Uint8Array.of(40)), "room again once a piece is taken").to.equal(true);
    });

    it("keeps a copy of exactly each piece's bytes: the frame it came in is only lent", () => {
      const frame = new Uint8Array(1514);
      frame[100] = 42;
      const q = new ReassemblyQueue();
      q.insert(500, frame.subarray(100, 101));
      frame.fill(7, 54);
      q.insert(600, frame.subarray(54));
      frame.fill(0xdb); // the link reuses the frame
      const piece = q.takeAt(500);
      expect(Array.from(piece ?? [])).to.deep.equal([42]);
      expect(piece?.buffer.byteLength).to.equal(1);
      const full = q.takeAt(600);
      expect(full?.buffer.byteLength).to.equal(1460);
      expect(full?.every((b) => b === 7)).to.equal(true);
    });
  });

  describe("NewReno window (RFC 5681/6582/6928)", () => {
    it("uses IW10, slow start, congestion avoidance and halves on loss", () => {
      expect(initialWindow(1460)).to.equal(14600);
      expect(initialWindow(536)).to.equal(5360);
      expect(initialWindow(9000)).to.equal(18000);
      const cc = new NewRenoCongestion(1000);
      expect(cc.cwnd).to.equal(10_000);
      cc.onAck(3000, 10_000);
      expect(cc.cwnd).to.equal(11_000); // at most one SMSS per ACK
      cc.onAck(1000, 2000); // the window is not being used: no growth
      expect(cc.cwnd).to.equal(11_000);
      cc.enterRecovery(20_000, false);
      expect(cc.ssthresh).to.equal(10_000);
      expect(cc.cwnd).to.equal(13_000);
      cc.inflate();
      expect(cc.cwnd).to.equal(14_000);
      cc.partialAck(2000);
      expect(cc.cwnd).to.equal(13_000);
      cc.exitRecovery(8000);
      expect(cc.cwnd).to.equal(9000);
      for (let i = 0; i < 9; i++) cc.onAck(1000, 9000); // congestion avoidance: +1 SMSS per cwnd acked
      expect(cc.cwnd).to.equal(10_000);
      cc.onTimeout(10_000, true);
      expect(cc.cwnd).to.equal(1000);
      expect(cc.ssthresh).to.equal(5000);
      cc.onTimeout(1000, false);
      expect(cc.ssthresh).to.equal(5000);
    });
  });

  describe("receive window and unread data", () => {
    /** The window a receiver advertises after `unread` bytes were delivered and not consumed. */
    function windowAfter(unread: number, allowance: number): number {
      const r = new TcpReceiver(60_000, 1460, () => undefined, allowance); // within an unscaled window field
      r.start(1000);
      r.windowField(false);
      for (let sent = 0; sent < unread; sent += 1000) r.accept(r.rcvNxt, new Uint8Array(Math.min(1000, unread - sent)));
      r.windowField(false);
      return r.window;
    }

    it("without an allowance every unread byte narrows the window", () => {
      expect(windowAfter(20_000, 0)).to.equal(40_000);
    });

    it("unread bytes within the allowance leave it whole, those beyond narrow it", () => {
      expect(windowAfter(20_000, 64 * 1024)).to.equal(60_000);
      expect(windowAfter(30_000, 10_000)).to.equal(40_000);
    });
  });

  describe("receive arena", () => {
    it("copies pieces into chunks that double from 4 KiB to 64 KiB: pieces keep their bytes, never overlap, start aligned as their source", () => {
      const arena = new ReceiveArena();
      const source = new Uint8Array(1448);
      const pieces: Uint8Array[] = [];
      for (let i = 0; i < 200; i++) {
        source.fill(i);
        pieces.push(arena.copy(source.subarray(i % 8, i % 8 + 1000 + i)));
      }
      source.fill(0xff); // the source is lent: what was copied must not follow it
      pieces.forEach((p, i) => {
        expect(p.length).to.equal(1000 + i);
        expect(p.every((b) => b === i)).to.equal(true);
        expect(p.byteOffset % 8).to.equal(i % 8);
      });
      expect(pieces.every((p) => p.byteOffset > 0), "no piece at offset 0: rcvUnit tells a shared buffer by its offset").to.equal(true);
      const sizes = [...new Set(pieces.map((p) => p.buffer))].map((b) => b.byteLength);
      expect(sizes.slice(0, 5)).to.deep.equal([FIRST_CHUNK, 2 * FIRST_CHUNK, 4 * FIRST_CHUNK, 8 * FIRST_CHUNK, LARGEST_CHUNK]);
      expect(sizes.slice(5).every((size) => size === LARGEST_CHUNK)).to.equal(true);
    });

    it("gives a long piece a buffer of its own", () => {
      const arena = new ReceiveArena();
      const long = arena.copy(new Uint8Array(20_000).fill(5));
      expect(long.buffer.byteLength).to.equal(20_000);
      expect(long.every((b) => b === 5)).to.equal(true);
    });
  });

  describe("input clock", () => {
    it("gives one instant, read once, while a segment is processed (nested too), and live time outside", () => {
      let reads = 0;
      const c = new InputClock({ now: () => ++reads, setTimer: () => ({ cancel: () => undefined }) });
      expect([c.now(), c.now()]).to.deep.equal([1, 2]);
      c.beginInput();
      expect([c.now(), c.now()]).to.deep.equal([3, 3]);
      c.beginInput();
      expect(c.now()).to.equal(3);
      c.endInput();
      expect(c.now()).to.equal(3);
      c.endInput();
      expect([c.now(), reads]).to.deep.equal([4, 4]);
    });
  });

  describe("deadline timer", () => {
    it("lapse() stops it without cancelling the clock's timer, which a later start() reuses", () => {
      const clock = new ManualClock();
      let fired = 0;
      const timer = new DeadlineTimer(clock, () => fired++);
      timer.start(40);
      timer.lapse();
      expect(timer.running).to.equal(false);
      clock.advance(10);
      timer.start(40); // due at 50, later than the armed 40: no new clock timer
      expect(clock.pending()).to.equal(1);
      clock.advance(35);
      expect(fired, "the early wake-up re-arms for the rest").to.equal(0);
      clock.advance(5);
      expect(fired).to.equal(1);
      timer.start(40);
      timer.lapse();
      clock.advance(100);
      expect(fired, "a lapsed timer's wake-up does nothing").to.equal(1);
      expect(clock.pending()).to.equal(0);
      timer.start(40);
      timer.stop();
      expect(clock.pending(), "stop() cancels for good").to.equal(0);
    });
  });
});
