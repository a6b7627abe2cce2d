import { expect } from "chai";
import { SeededRandom } from "../../../providers/packet/random.js";
import { IsnGenerator } from "../../../providers/packet/stack/tcp/isn.js";
import { seqDiff, seqGt, seqLt } from "../../../providers/packet/stack/tcp/seq.js";
import { TcpState } from "../../../providers/packet/stack/tcp/types.js";
import { TCP_ACK, TCP_SYN, TCP_URG, type TcpSegment } from "../../../providers/packet/wire/tcp-segment.js";
import type { TcpConnection } from "../../../providers/packet/stack/tcp/connection.js";
import type { TcpConfig } from "../../../providers/packet/stack/tcp/config.js";
import { ADDR_A, ADDR_B, MTU, Recorder, type ScriptedPeer, connectPair, enginePair, payload, pump, scriptedEngine } from "./harness.js";

const dataSegs = (segs: TcpSegment[]): TcpSegment[] => segs.filter((s) => s.payload.length > 0);


/** Our connection from port 1234 to a scripted peer at port 4444 (IRS 7000, MSS 1460), established. */
function connectToScriptedPeer(): { env: ReturnType<typeof scriptedEngine>; conn: TcpConnection; iss: number; peer: ScriptedPeer } {
  const env = scriptedEngine();
  const conn = env.engine.connect({ remote: { address: ADDR_B, port: 4444 }, localPort: 1234, noDelay: true }, new Recorder(env.clock));
  const iss = env.host.sent[0]!.seg.seq;
  const peer = env.peer(4444);
  peer.inject({ dstPort: 1234, seq: 7000, ack: (iss + 1) >>> 0, flags: TCP_SYN | TCP_ACK, window: 65535, options: { mss: 1460 } });
  return { env, conn, iss, peer };
}
describe("packet/tcp data transfer", () => {
  it("moves data both ways at once, byte-exact, never exceeding the MSS or the MTU", () => {
    const pair = enginePair({ latencyMs: 2 });
    const c = connectPair(pair);
    const up = payload(600_000, 1);
    const down = payload(400_000, 2);
    pump(c.client, c.clientRec, up);
    pump(c.server, c.serverRec, down);
    pair.clock.runUntil(() => c.serverRec.received === up.length && c.clientRec.received === down.length, 600_000);
    expect(Buffer.compare(c.serverRec.bytes(), up)).to.equal(0);
    expect(Buffer.compare(c.clientRec.bytes(), down)).to.equal(0);
    for (const s of [...pair.a.host.segments(), ...pair.b.host.segments()]) {
      expect(s.payload.length).to.be.at.most(1448);
    }
    expect(c.client.stats().retransmits).to.equal(0);
    pair.close();
  });

  it("sendPiece() takes a piece whole below the send buffer's mark, refuses one above it, and 'writable' follows when it drains", () => {
    const pair = enginePair();
    const c = connectPair(pair);
    c.client.setSendBufferSize(10_000);
    expect(c.client.sendPiece(new Uint8Array(25_000))).to.equal(true);
    expect(c.client.sendPiece(new Uint8Array(1))).to.equal(false);
    pair.clock.runUntil(() => c.clientRec.events.includes("writable"), 10_000);
    expect(c.client.sendBufferFree).to.be.at.least(5000);
    pair.close();
  });

  describe("Nagle and delayed ACK", () => {
    it("with Nagle a small segment waits for the ACK of outstanding data; with noDelay it goes at once", () => {
      for (const noDelay of [false, true]) {
        const pair = enginePair({ latencyMs: 5 });
        const c = connectPair(pair, 80, { noDelay });
        const t0 = pair.clock.now();
        const from = pair.a.host.sent.length;
        c.client.sendPiece(new Uint8Array(100));
        c.client.sendPiece(new Uint8Array(100));
        c.client.sendPiece(new Uint8Array(100));
        const immediate = dataSegs(pair.a.host.sent.slice(from).map((x) => x.seg));
        expect(immediate).to.have.length(noDelay ? 3 : 1);
        pair.clock.runUntil(() => c.serverRec.received === 300, 10_000);
        const all = pair.a.host.sent.slice(from).filter((x) => x.seg.payload.length > 0);
        if (!noDelay) {
          // The rest goes as one segment once the (delayed, 40 ms) ACK of the first arrives.
          expect(all.map((x) => x.seg.payload.length)).to.deep.equal([100, 200]);
          expect(all[1]!.at - t0).to.equal(5 + 40 + 5);
        }
        pair.close();
      }
    });

    it("ACKs every second full-sized segment at once, a lone segment after the delayed-ACK timeout", () => {
      const pair = enginePair({ latencyMs: 5, config: { delayedAckMs: 40 } });
      const c = connectPair(pair);
      let from = pair.b.host.sent.length;
      c.client.sendPiece(new Uint8Array(100));
      pair.clock.runUntil(() => pair.b.host.sent.length > from, 1000);
      const lone = pair.b.host.sent[from]!;
      expect(lone.seg.flags).to.equal(TCP_ACK);
      expect(lone.at - pair.a.host.sent[pair.a.host.sent.length - 1]!.at).to.equal(5 + 40);
      pair.clock.advance(100);
      from = pair.b.host.sent.length;
      const sentAt = pair.clock.now();
      c.client.sendPiece(new Uint8Array(2 * c.client.mss));
      pair.clock.runUntil(() => pair.b.host.sent.length > from, 1000);
      expect(pair.b.host.sent[from]!.at - sentAt).to.equal(5); // no delay
      expect(pair.b.host.sent.length - from).to.equal(1); // one ACK for two segments
      pair.close();
    });

    /** B's ACKs (in segments since `base`) for 10 segments A sends in one burst, after `warmUp` segments. */
    function acksForBurst(config: Partial<TcpConfig>, warmUp: number, idleMs = 10): { acks: number[]; sentAt: number; ackedAt: number[] } {
      const pair = enginePair({ latencyMs: 5, config: { delayedAckMs: 40, ...config } });
      pair.b.host.bursts = true;
      const c = connectPair(pair, 80, { noDelay: true });
      const mss = c.client.mss;
      if (warmUp > 0) {
        c.client.sendPiece(new Uint8Array(warmUp * mss));
        pair.clock.runUntil(() => c.serverRec.received === warmUp * mss && !c.client.outstanding, 5000);
      }
      pair.clock.advance(idleMs);
      const from = pair.b.host.sent.length;
      const base = pair.b.host.sent[from - 1]!.seg.ack;
      const sentAt = pair.clock.now();
      c.client.sendPiece(new Uint8Array(10 * mss)); // ten segments leave together
      pair.clock.runUntil(() => c.serverRec.received === (warmUp + 10) * mss, 1000);
      pair.clock.advance(100);
      const acks = pair.b.host.sent.slice(from);
      const result = { acks: acks.map((x) => seqDiff(x.seg.ack, base) / mss), sentAt, ackedAt: acks.map((x) => x.at) };
      pair.close();
      return result;
    }

    it("answers a burst of in-order segments with one ACK at its end, up to ackCoalescing bytes (0: every second segment)", () => {
      const whole = acksForBurst({}, 40);
      expect(whole.acks).to.deep.equal([10]);
      expect(whole.ackedAt).to.deep.equal([whole.sentAt + 5]); // at the burst's end, not after the delayed-ACK timeout
      expect(acksForBurst({ ackCoalescing: 0 }, 40).acks).to.deep.equal([2, 4, 6, 8, 10]);
      const mss = MTU - 40 - 12; // timestamps on
      expect(acksForBurst({ ackCoalescing: 4 * mss }, 40).acks).to.deep.equal([4, 8, 10]);
      // Never more than a quarter of the receive buffer between ACKs.
      expect(acksForBurst({ receiveBufferSize: 16 * mss }, 40).acks).to.deep.equal([4, 8, 10]);
    });

    it("ACKs every second segment of a burst while quick ACKs are due: the first 32 segments, and again after an RTO without data", () => {
      expect(acksForBurst({}, 0).acks, "the first flight").to.deep.equal([2, 4, 6, 8, 10]);
      expect(acksForBurst({}, 26).acks, "three quick ACKs left").to.deep.equal([2, 4, 6, 10]);
      expect(acksForBurst({}, 40, 5000).acks, "after five idle seconds").to.deep.equal([2, 4, 6, 8, 10]);
    });

    it("ACKs out-of-order data at once with SACK blocks, and again when the hole fills", () => {
      const pair = enginePair({ latencyMs: 5 });
      const c = connectPair(pair, 80, { noDelay: true });
      const mss = c.client.mss;
      const firstData = pair.a.host.sent.length;
      pair.a.host.filter = (_s, i) => (i === firstData ? "drop" : "pass");
      c.client.sendPiece(new Uint8Array(3 * mss));
      const from = pair.b.host.sent.length;
      pair.clock.advance(6);
      const acks = pair.b.host.sent.slice(from).map((x) => x.seg);
      expect(acks).to.have.length(2); // one per out-of-order segment, no delay
      const hole = pair.a.host.sent[firstData]!.seg.seq;
      for (const a of acks) expect(a.ack).to.equal(hole);
      expect(acks[1]!.options.sack).to.deep.equal([[(hole + mss) >>> 0, (hole + 3 * mss) >>> 0]]);
      pair.clock.runUntil(() => c.serverRec.received === 3 * mss, 10_000);
      expect(c.client.stats().fastRetransmits + c.client.stats().rtoEvents).to.be.greaterThan(0);
      pair.close();
    });
  });

  it("window scaling lets more than 64 KiB be in flight", () => {
    const pair = enginePair({ latencyMs: 20 });
    const c = connectPair(pair);
    const data = payload(2_000_000);
    pump(c.client, c.clientRec, data);
    let maxFlight = 0;
    let lastAck = 0;
    const lastAckFrom = (): number => {
      const acks = pair.b.host.sent;
      return acks.length === 0 ? 0 : acks[acks.length - 1]!.seg.ack;
    };
    pair.clock.runUntil(() => {
      lastAck = lastAckFrom();
      const sent = pair.a.host.sent[pair.a.host.sent.length - 1]!.seg;
      maxFlight = Math.max(maxFlight, seqDiff((sent.seq + sent.payload.length) >>> 0, lastAck));
      return c.serverRec.received === data.length;
    }, 600_000);
    expect(maxFlight).to.be.greaterThan(65535 * 2);
    expect(Buffer.compare(c.serverRec.bytes(), data)).to.equal(0);
    pair.close();
  });

  it("carries 2 MB across the 2^32 sequence wrap (ISN chosen just below 2^32 through the clock)", () => {
    // The ISN is M + F(4-tuple): pick the start time so that A's ISN is 2^32 - 100000.
    const probe = new IsnGenerator({ now: () => 0, setTimer: () => ({ cancel: () => undefined }) }, new SeededRandom(1));
    const f = probe.generate(ADDR_A, 40000, ADDR_B, 80).iss;
    const ticks = (0x1_0000_0000 - 100_000 - f + 0x1_0000_0000) % 0x1_0000_0000;
    const pair = enginePair({ clockStart: ticks / 250, latencyMs: 3 });
    const c = connectPair(pair, 80, { localPort: 40000 });
    const syn = pair.a.host.sent[0]!.seg;
    expect(syn.seq).to.equal(0x1_0000_0000 - 100_000);
    const data = payload(2 * 1024 * 1024, 3);
    pump(c.client, c.clientRec, data);
    // Drop a few segments around the wrap, so that SACK and retransmission work across it too.
    const startIndex = pair.a.host.sent.length;
    pair.a.host.filter = (s, i) => (i > startIndex && s.payload.length > 0 && seqLt(s.seq, 100_000) && seqGt(s.seq, 0xffff_0000) && i % 7 === 0 ? "drop" : "pass");
    pair.clock.runUntil(() => c.serverRec.received === data.length, 600_000);
    expect(Buffer.compare(c.serverRec.bytes(), data)).to.equal(0);
    const seqs = dataSegs(pair.a.host.segments()).map((s) => s.seq);
    expect(seqs.some((s) => s > 0xffff_0000)).to.equal(true);
    expect(seqs.some((s) => s < 1_000_000)).to.equal(true);
    expect(c.client.stats().retransmits).to.be.greaterThan(0);
    pair.close();
  });

  describe("receive window and zero-window probing", () => {
    it("closes the window while the user does not consume, probes with one byte and backs off, resumes on consume", () => {
      const pair = enginePair({ latencyMs: 5, configB: { receiveBufferSize: 8192 } });
      const c = connectPair(pair);
      c.serverRec.autoConsume = false;
      const data = payload(20_000);
      pump(c.client, c.clientRec, data);
      pair.clock.advance(5000);
      expect(c.serverRec.received).to.equal(8192);
      expect(c.client.stats().sendWindow).to.equal(0);
      const probes = pair.a.host.sent.filter((x) => x.seg.payload.length === 1);
      expect(probes.length).to.be.within(3, 6);
      const gaps = probes.slice(1).map((p, i) => p.at - probes[i]!.at);
      for (let i = 1; i < gaps.length; i++) expect(gaps[i]).to.equal(gaps[i - 1]! * 2);
      expect(c.client.stats().rtoEvents).to.equal(0);
      expect(c.client.stats().windowProbes).to.equal(probes.length);
      expect(c.client.state).to.equal(TcpState.ESTABLISHED);
      // The user reads everything: a window update goes out at once and the transfer completes.
      const before = pair.b.host.sent.length;
      c.server.consumed(8192);
      expect(pair.b.host.sent.length).to.equal(before + 1);
      expect(pair.b.host.sent[before]!.seg.window).to.be.greaterThan(0);
      c.serverRec.autoConsume = true;
      c.server.consumed(0);
      pair.clock.runUntil(() => {
        if (c.serverRec.received > 8192 && !c.serverRec.autoConsume) return false;
        return c.serverRec.received === data.length;
      }, 60_000);
      expect(Buffer.compare(c.serverRec.bytes(), data)).to.equal(0);
      pair.close();
    });

    it("does not reopen the window for a few consumed bytes (receiver SWS avoidance)", () => {
      const pair = enginePair({ latencyMs: 5, configB: { receiveBufferSize: 8192 } });
      const c = connectPair(pair);
      c.serverRec.autoConsume = false;
      pump(c.client, c.clientRec, payload(20_000));
      pair.clock.advance(100);
      // 5 full segments in, 952 bytes of window left: the sender waits rather than send a runt...
      expect(c.client.stats().sendWindow).to.equal(952);
      expect(c.serverRec.received).to.equal(5 * 1448);
      // ...until its persist timer overrides that wait.
      pair.clock.advance(2000);
      expect(c.serverRec.received).to.equal(8192);
      expect(c.client.stats().sendWindow).to.equal(0);
      const before = pair.b.host.sent.length;
      c.server.consumed(100);
      pair.clock.advance(1);
      expect(pair.b.host.sent.length).to.equal(before); // no update for 100 bytes
      c.server.consumed(2000);
      pair.clock.advance(1);
      expect(pair.b.host.sent.length).to.equal(before + 1);
      expect(pair.b.host.sent[before]!.seg.window).to.equal(2100);
      pair.close();
    });

    it("a peer that shrinks its window onto data in flight is probed, not timed out, and gets the data again when it reopens", () => {
      const { env, conn, iss, peer } = connectToScriptedPeer();
      expect(conn.state).to.equal(TcpState.ESTABLISHED);
      conn.sendPiece(payload(10 * 1460));
      expect(dataSegs(peer.replies())).to.have.length(10);
      // The peer keeps two segments, drops the rest and closes its window.
      const una = (iss + 1 + 2 * 1460) >>> 0;
      peer.inject({ dstPort: 1234, seq: 7001, ack: una, flags: TCP_ACK, window: 0 });
      let from = env.host.sent.length;
      env.clock.advance(5000);
      const probes = peer.replies(from);
      expect(probes.length).to.be.at.least(3);
      for (const p of probes) {
        expect(p.seq).to.equal(una);
        expect(p.payload.length).to.equal(1);
      }
      expect(conn.stats().rtoEvents).to.equal(0);
      // Window open again: everything from SND.UNA goes out at once, no timeout needed.
      from = env.host.sent.length;
      peer.inject({ dstPort: 1234, seq: 7001, ack: una, flags: TCP_ACK, window: 65535 });
      const resent = dataSegs(peer.replies(from));
      expect(resent.length).to.be.at.least(2);
      expect(resent[0]!.seq).to.equal(una);
      expect(resent[0]!.payload.length).to.equal(1460);
      expect(conn.stats().rtoEvents).to.equal(0);
      expect(conn.state).to.equal(TcpState.ESTABLISHED);
      env.engine.close();
    });

    it("keeps probing, without retransmission timeouts, while a shrunk window's peer acknowledges the rest slowly", () => {
      const { env, conn, iss, peer } = connectToScriptedPeer();
      conn.sendPiece(payload(10 * 1460));
      // Zero window from the first partial ACK on; each minute one more segment is acknowledged.
      for (let k = 1; k <= 10; k++) {
        peer.inject({ dstPort: 1234, seq: 7001, ack: (iss + 1 + k * 1460) >>> 0, flags: TCP_ACK, window: 0 });
        env.clock.advance(60_000);
      }
      expect(conn.state).to.equal(TcpState.ESTABLISHED);
      expect(conn.stats().rtoEvents, "no retransmission timeout while the peer answers").to.equal(0);
      expect(conn.stats().windowProbes).to.be.greaterThan(0);
      env.engine.close();
    });

    it("gives up with ETIMEDOUT when window probes stay unanswered", () => {
      const pair = enginePair({ latencyMs: 5, config: { dataRetries: 4 }, configB: { receiveBufferSize: 4096 } });
      const c = connectPair(pair);
      c.serverRec.autoConsume = false;
      pump(c.client, c.clientRec, payload(10_000));
      pair.clock.advance(1000);
      pair.b.host.filter = () => "drop"; // the peer vanishes
      pair.clock.runUntil(() => c.clientRec.disconnectReason !== null, 3_600_000);
      expect(c.clientRec.disconnectReason).to.equal("ETIMEDOUT");
      pair.close();
    });
  });

  describe("urgent data (RFC 6093, Linux one-past convention)", () => {
    it("marks the last byte of an urgent send; the receiver learns its offset and gets it at the end of a chunk", () => {
      const pair = enginePair({ latencyMs: 5 });
      const c = connectPair(pair, 80, { noDelay: true });
      c.client.sendPiece(payload(10));
      c.client.sendPiece(Uint8Array.from([1, 2, 3, 4, 0x21]), { urgent: true });
      c.client.sendPiece(payload(6));
      pair.clock.runUntil(() => c.serverRec.received === 21, 10_000);
      expect(c.serverRec.urgentOffsets).to.deep.equal([14]);
      expect(c.serverRec.urgentMarks).to.deep.equal([15]); // a chunk ends just after the urgent byte
      const urg = pair.a.host.segments((s) => (s.flags & TCP_URG) !== 0);
      expect(urg.length).to.be.greaterThan(0);
      const first = urg[0]!;
      // Pointer = one past the urgent byte: seq of the urgent byte is (ISS+1) + 14.
      const iss = pair.a.host.sent[0]!.seg.seq;
      expect((first.seq + first.urgentPointer) >>> 0).to.equal((iss + 1 + 15) >>> 0);
      const chunks = c.serverRec.chunks;
      const upTo = chunks.findIndex((_, i) => chunks.slice(0, i + 1).reduce((n, x) => n + x.length, 0) === 15);
      expect(chunks[upTo]![chunks[upTo]!.length - 1]).to.equal(0x21);
      pair.close();
    });

    it("works in the other direction and announces urgent data before it arrives", () => {
      const pair = enginePair({ latencyMs: 5, config: { receiveBufferSize: 4096 } });
      const c = connectPair(pair);
      c.clientRec.autoConsume = false;
      pump(c.server, c.serverRec, payload(6000));
      pair.clock.advance(2000);
      expect(c.clientRec.received).to.equal(4096); // window now closed
      c.server.sendPiece(Uint8Array.from([0x55]), { urgent: true });
      pair.clock.advance(10_000);
      // The URG pointer rides on the next segment (here a window probe) before the byte itself can.
      expect(c.clientRec.urgentOffsets).to.deep.equal([6000]);
      expect(c.clientRec.urgentMarks).to.deep.equal([]);
      c.clientRec.autoConsume = true;
      c.client.consumed(c.clientRec.received);
      pair.clock.runUntil(() => c.clientRec.received === 6001, 60_000);
      expect(c.clientRec.urgentMarks).to.deep.equal([6001]);
      pair.close();
    });

    it("a newer urgent byte replaces one not yet delivered (only one urgent byte, as on Linux)", () => {
      const pair = enginePair({ latencyMs: 5, config: { receiveBufferSize: 4096 } });
      const c = connectPair(pair);
      c.clientRec.autoConsume = false;
      pump(c.server, c.serverRec, payload(4096));
      pair.clock.advance(2000);
      c.server.sendPiece(Uint8Array.from([0xaa]), { urgent: true });
      c.server.sendPiece(Uint8Array.from([0xbb]), { urgent: true });
      pair.clock.advance(2000);
      c.clientRec.autoConsume = true;
      c.client.consumed(c.clientRec.received);
      pair.clock.runUntil(() => c.clientRec.received === 4098, 60_000);
      expect(c.clientRec.urgentMarks).to.deep.equal([4098]);
      expect(c.clientRec.urgentOffsets[c.clientRec.urgentOffsets.length - 1]).to.equal(4097);
      pair.close();
    });
  });

  it("segments fit the MTU even with SACK blocks next to the timestamps", () => {
    const pair = enginePair({ latencyMs: 3 });
    const c = connectPair(pair);
    // Lose every 10th segment both ways while both sides send: data segments carry SACK blocks.
    pair.a.host.filter = (s, i) => (s.payload.length > 0 && i % 10 === 5 ? "drop" : "pass");
    pair.b.host.filter = (s, i) => (s.payload.length > 0 && i % 10 === 5 ? "drop" : "pass");
    const up = payload(300_000, 5);
    const down = payload(300_000, 6);
    pump(c.client, c.clientRec, up);
    pump(c.server, c.serverRec, down);
    pair.clock.runUntil(() => c.serverRec.received === up.length && c.clientRec.received === down.length, 600_000);
    const withSack = [...pair.a.host.segments(), ...pair.b.host.segments()].filter((s) => s.payload.length > 0 && s.options.sack !== undefined);
    expect(withSack.length).to.be.greaterThan(0);
    for (const s of withSack) {
      const optionBytes = 12 + 4 + 8 * s.options.sack!.length;
      expect(20 + 20 + optionBytes + s.payload.length).to.be.at.most(MTU);
    }
    expect(Buffer.compare(c.serverRec.bytes(), up)).to.equal(0);
    expect(Buffer.compare(c.clientRec.bytes(), down)).to.equal(0);
    pair.close();
  });
});
