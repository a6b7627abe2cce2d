/**
 * The pieces a TcpConnection is built from, each on its own: the RFC 7323 timestamps, the ACK
 * policy, the handshake's options, and the persist and keepalive timers. The connection-level
 * tests (handshake, data, timers, rst-paws) check the same rules on the wire.
 */
import { expect } from "chai";
import { ManualClock } from "../../../providers/packet/clock.js";
import { AckPolicy, QUICK_ACKS } from "../../../providers/packet/stack/tcp/ack-policy.js";
import { resolveTcpConfig, type TcpConfig } from "../../../providers/packet/stack/tcp/config.js";
import type { ConnectionContext, TcpConnection } from "../../../providers/packet/stack/tcp/connection.js";
import { Keepalive, KeepaliveAction, PersistTimer } from "../../../providers/packet/stack/tcp/connection-timers.js";
import { Handshake } from "../../../providers/packet/stack/tcp/handshake.js";
import { Arrival, TcpReceiver } from "../../../providers/packet/stack/tcp/receiver.js";
import { RttEstimator } from "../../../providers/packet/stack/tcp/rtt.js";
import { SegmentOutput } from "../../../providers/packet/stack/tcp/segment-output.js";
import { TcpSender } from "../../../providers/packet/stack/tcp/sender.js";
import { PAWS_IDLE_LIMIT_MS, TcpTimestamps } from "../../../providers/packet/stack/tcp/timestamps.js";
import { TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, type TcpSegment } from "../../../providers/packet/wire/tcp-segment.js";

const MSS = 1460;

describe("packet/tcp connection parts", () => {
  describe("timestamps (RFC 7323)", () => {
    function agreed(clock: ManualClock, offset = 0): TcpTimestamps {
      const ts = new TcpTimestamps(clock, offset);
      ts.enabled = true;
      return ts;
    }

    it("ticks in milliseconds from the connection's offset, wrapping at 2^32", () => {
      const clock = new ManualClock(1000.7);
      const ts = agreed(clock, 0xffff_fc00);
      expect(ts.now()).to.equal((1000 + 0xffff_fc00) >>> 0);
      clock.advance(0x400);
      expect(ts.now()).to.equal(1000);
      expect(ts.option()).to.deep.equal({ value: 1000, echo: 0 });
    });

    it("PAWS rejects a timestamp older than TS.Recent, across the wrap, but forgets a TS.Recent idle for 24 days", () => {
      const clock = new ManualClock();
      const ts = agreed(clock);
      expect(ts.rejects({ value: 5, echo: 0 })).to.equal(false); // no TS.Recent yet
      ts.setRecent(0xffff_fff0);
      expect(ts.rejects({ value: 0xffff_ffe0, echo: 0 })).to.equal(true);
      expect(ts.rejects({ value: 0x10, echo: 0 })).to.equal(false); // newer, past the wrap
      expect(ts.rejects(undefined)).to.equal(false);
      clock.advance(PAWS_IDLE_LIMIT_MS);
      expect(ts.rejects({ value: 0xffff_ffe0, echo: 0 })).to.equal(true);
      clock.advance(1);
      expect(ts.rejects({ value: 0xffff_ffe0, echo: 0 })).to.equal(false);
      // Forgotten: the next acceptable segment sets TS.Recent, however old its value.
      ts.segmentAccepted(0, { value: 7, echo: 0 });
      expect(ts.recent).to.equal(7);
    });

    it("takes TS.Recent only from a segment starting at or before Last.ACK.sent, and never moves it back", () => {
      const clock = new ManualClock();
      const ts = agreed(clock);
      ts.lastAckSent = 1000;
      ts.segmentAccepted(1001, { value: 50, echo: 0 });
      expect(ts.recent).to.equal(0);
      ts.segmentAccepted(1000, { value: 50, echo: 0 });
      expect(ts.recent).to.equal(50);
      ts.segmentAccepted(900, { value: 40, echo: 0 });
      expect(ts.recent).to.equal(50);
    });

    it("does nothing until both ends agreed: no PAWS, no TS.Recent, no RTT from echoes", () => {
      const clock = new ManualClock(100);
      const ts = new TcpTimestamps(clock, 0);
      ts.recentFromSyn({ value: 9, echo: 0 });
      ts.segmentAccepted(0, { value: 9, echo: 0 });
      expect(ts.recent).to.equal(0);
      expect(ts.rejects({ value: 0, echo: 0 })).to.equal(false);
      expect(ts.echoAge({ value: 0, echo: 40 })).to.equal(-1);
      expect(ts.echoTime({ value: 0, echo: 40 })).to.equal(null);
    });

    it("measures the age of an echoed timestamp and when it was sent", () => {
      const clock = new ManualClock(100);
      const ts = agreed(clock, 1 << 20);
      const sent = ts.now();
      clock.advance(37.5);
      expect(ts.echoAge({ value: 0, echo: sent })).to.equal(37);
      expect(ts.echoTime({ value: 0, echo: sent })).to.equal(100);
      expect(ts.echoTime({ value: 0, echo: (sent + 1000) >>> 0 })).to.equal(null); // from the future
    });
  });

  describe("ACK policy", () => {
    interface Setup {
      clock: ManualClock;
      rcv: TcpReceiver;
      acks: AckPolicy;
      sent: number[];
      bursting: { on: boolean; asked: number };
    }

    function setup(overrides: Partial<TcpConfig> = {}): Setup {
      const clock = new ManualClock();
      const config = resolveTcpConfig(overrides);
      const rcv = new TcpReceiver(1 << 20, MSS, () => {});
      rcv.rcvMss = MSS;
      const sent: number[] = [];
      const bursting = { on: true, asked: 0 };
      const acks = new AckPolicy(
        config,
        clock,
        rcv,
        () => {
          bursting.asked++;
          return bursting.on;
        },
        () => {
          sent.push(clock.now());
          acks.sent();
        },
      );
      return { clock, rcv, acks, sent, bursting };
    }

    /** A full segment in order; true when the policy wants an ACK now (the caller then sends it). */
    function segment(s: Setup, arrival = Arrival.InOrder): boolean {
      s.rcv.unackedBytes += MSS;
      s.acks.dataArrived(arrival, s.clock.now(), 200);
      const due = s.acks.due;
      if (due) s.acks.sent();
      return due;
    }

    it("answers every second segment at once for QUICK_ACKS ACKs, then once per receive burst", () => {
      const s = setup();
      const immediate: boolean[] = [];
      for (let i = 0; i < 2 * QUICK_ACKS + 6; i++) immediate.push(segment(s));
      expect(immediate.slice(0, 2 * QUICK_ACKS).filter(Boolean)).to.have.length(QUICK_ACKS);
      expect(immediate.slice(2 * QUICK_ACKS)).to.deep.equal([false, false, false, false, false, false]);
      expect(s.bursting.asked).to.equal(1); // one deferral per burst
      expect(s.acks.burstEnded()).to.equal(true); // the ACK that waited is owed
      s.acks.sent();
      expect(s.acks.burstEnded()).to.equal(false); // nothing waits any more
    });

    it("does not wait past ackCoalescing bytes, nor when no burst is under way", () => {
      const s = setup({ ackCoalescing: 4 * MSS });
      for (let i = 0; i < 2 * QUICK_ACKS; i++) segment(s);
      expect([segment(s), segment(s), segment(s), segment(s)]).to.deep.equal([false, false, false, true]);
      s.bursting.on = false;
      s.acks.burstEnded();
      expect([segment(s), segment(s)]).to.deep.equal([false, true]);
    });

    it("answers out-of-order data and filled holes at once, and starts quick ACKs again after an idle RTO", () => {
      const s = setup();
      for (let i = 0; i < 2 * QUICK_ACKS; i++) segment(s);
      expect(segment(s, Arrival.OutOfOrder)).to.equal(true);
      expect(segment(s, Arrival.FilledHole)).to.equal(true);
      expect([segment(s), segment(s)]).to.deep.equal([false, false]); // deferred to the burst's end
      s.acks.burstEnded();
      s.acks.sent();
      s.clock.advance(201);
      expect([segment(s), segment(s)]).to.deep.equal([false, true]);
    });

    it("acknowledges a lone segment after the delayed-ACK time, and not at all once an ACK went out", () => {
      const s = setup({ delayedAckMs: 40 });
      segment(s);
      s.clock.advance(39);
      expect(s.sent).to.deep.equal([]);
      s.clock.advance(1);
      expect(s.sent).to.deep.equal([40]);
      segment(s);
      s.acks.sent(); // data of ours carried the ACK
      s.clock.advance(100);
      expect(s.sent).to.deep.equal([40]);
    });
  });

  describe("handshake options", () => {
    function handshake(overrides: Partial<TcpConfig> = {}): Handshake {
      const clock = new ManualClock(10);
      const config = resolveTcpConfig(overrides);
      const sender = new TcpSender(1, 536, 65536, new RttEstimator(config.rtoMinMs, config.rtoMaxMs, config.rtoInitialMs));
      const receiver = new TcpReceiver(1 << 20, MSS, () => {});
      return new Handshake(config, clock, MSS, 1 << 20, sender, receiver, new TcpTimestamps(clock, 0));
    }

    it("a SYN offers what the configuration enables, with a window shift that covers the buffer", () => {
      expect(handshake().synOptions(false)).to.deep.equal({ mss: MSS, windowScale: 5, sackPermitted: true, timestamp: { value: 10, echo: 0 } });
      expect(handshake({ windowScaling: false, sack: false, timestamps: false }).synOptions(false)).to.deep.equal({ mss: MSS });
    });

    it("a SYN-ACK answers with only what the peer's SYN offered too", () => {
      const h = handshake();
      h.negotiate({ mss: 1000, sackPermitted: true });
      expect(h.windowScaling).to.equal(false);
      expect(h.sack).to.equal(true);
      expect(h.synOptions(true)).to.deep.equal({ mss: MSS, sackPermitted: true });
    });
  });

  describe("segment output", () => {
    const ISS = 1000;
    const IRS = 5000;

    interface Sent {
      seg: TcpSegment;
      segmentSize: number;
    }

    /** An established connection's output, `queued` bytes waiting in its send buffer. */
    function output(queued: number, superSegment: number, peer: { sack?: boolean } = {}) {
      const clock = new ManualClock(1);
      const config = resolveTcpConfig({ timestamps: false });
      const sender = new TcpSender(ISS, 536, 1 << 20, new RttEstimator(config.rtoMinMs, config.rtoMaxMs, config.rtoInitialMs));
      const receiver = new TcpReceiver(1 << 16, MSS, () => {});
      const timestamps = new TcpTimestamps(clock, 0);
      const handshake = new Handshake(config, clock, MSS, 1 << 16, sender, receiver, timestamps);
      handshake.negotiate({ mss: MSS, sackPermitted: peer.sack === true });
      receiver.start(IRS);
      sender.synSent();
      sender.synAcknowledged();
      sender.initWindow(IRS, ISS + 1, 0xffff);
      sender.writePiece(new Uint8Array(queued).map((_, i) => i), false);
      const sent: Sent[] = [];
      const ctx = {
        transmit: (_conn: TcpConnection, seg: TcpSegment, segmentSize = 0) => sent.push({ seg, segmentSize }),
        maxSuperSegment: () => superSegment,
      } as unknown as ConnectionContext;
      const conn = { local: { port: 1 }, remote: { port: 2 } } as unknown as TcpConnection;
      const acks = new AckPolicy(config, clock, receiver, () => false, () => {});
      const out = new SegmentOutput(ctx, conn, sender, receiver, timestamps, handshake, acks);
      return { out, sender, receiver, acks, sent };
    }

    const full = (seq: number, fin = false) => ({ seq, len: MSS, fin, retransmit: false });

    it("gathers one pass's new full segments into a super-segment the link cuts at SMSS, PSH and FIN at its end", () => {
      const o = output(3 * MSS, 64 * 1024);
      o.out.beginPass();
      o.out.data(full(ISS + 1));
      o.out.data(full(ISS + 1 + MSS));
      o.out.data(full(ISS + 1 + 2 * MSS, true));
      expect(o.sent).to.have.length(0);
      o.out.endPass();
      expect(o.sent).to.have.length(1);
      const [{ seg, segmentSize }] = o.sent as [Sent];
      expect([seg.seq, seg.ack, seg.flags, seg.payload.length, segmentSize]).to.deep.equal([ISS + 1, IRS + 1, TCP_ACK | TCP_PSH | TCP_FIN, 3 * MSS, MSS]);
      expect(seg.payload[MSS]).to.equal(MSS & 0xff);
      expect(o.out.segmentsSent).to.equal(3);
    });

    it("sends segment by segment when the link cuts nothing, or a retransmission comes between", () => {
      const o = output(3 * MSS, 0);
      o.out.beginPass();
      o.out.data(full(ISS + 1));
      o.out.data(full(ISS + 1 + MSS));
      o.out.endPass();
      expect(o.sent.map((s) => [s.seg.seq, s.seg.flags, s.segmentSize])).to.deep.equal([
        [ISS + 1, TCP_ACK, 0],
        [ISS + 1 + MSS, TCP_ACK, 0],
      ]);
      const g = output(3 * MSS, 64 * 1024);
      g.out.beginPass();
      g.out.data(full(ISS + 1 + MSS));
      g.out.data({ ...full(ISS + 1), retransmit: true });
      g.out.data(full(ISS + 1 + 2 * MSS));
      g.out.endPass();
      expect(g.sent.map((s) => [s.seg.seq, s.seg.payload.length])).to.deep.equal([
        [ISS + 1 + MSS, MSS],
        [ISS + 1, MSS],
        [ISS + 1 + 2 * MSS, MSS],
      ]);
    });

    it("shrinks a segment to make room for the SACK blocks it reports, dropping its FIN, and clears the ACK owed", () => {
      const o = output(MSS, 0, { sack: true });
      o.receiver.accept(IRS + 1 + 100, new Uint8Array(50)); // out of order: one SACK block
      o.acks.due = true;
      o.out.data(full(ISS + 1, true));
      const [{ seg }] = o.sent as [Sent];
      expect(seg.options.sack).to.deep.equal([[IRS + 101, IRS + 151]]);
      expect(seg.payload.length).to.equal(MSS - 12);
      expect(seg.flags & TCP_FIN).to.equal(0);
      expect(o.acks.due).to.equal(false);
      expect(o.receiver.unackedBytes).to.equal(0);
    });

    it("caps a RST's sequence number at the peer's window edge, except in SYN_RECEIVED", () => {
      const o = output(0, 0);
      o.sender.sndNxt = ISS + 1 + 0x10000 + 7; // beyond SND.UNA + SND.WND
      o.out.reset(false);
      o.out.reset(true);
      o.out.bareReset(42);
      expect(o.sent.map((s) => [s.seg.seq, s.seg.ack, s.seg.flags])).to.deep.equal([
        [ISS + 1 + 0xffff, IRS + 1, TCP_RST | TCP_ACK],
        [ISS + 1 + 0x10000 + 7, IRS + 1, TCP_RST | TCP_ACK],
        [42, 0, TCP_RST],
      ]);
    });
  });

  describe("persist timer", () => {
    it("probes at the RTO, doubling up to rtoMaxMs, and starts again from the RTO once the window opens", () => {
      const clock = new ManualClock();
      const config = resolveTcpConfig({ rtoMinMs: 200, rtoMaxMs: 1000, rtoInitialMs: 300 });
      const rtt = new RttEstimator(config.rtoMinMs, config.rtoMaxMs, config.rtoInitialMs);
      const fired: number[] = [];
      const persist = new PersistTimer(clock, config, rtt, () => fired.push(clock.now()));
      const intervals: number[] = [];
      for (let i = 0; i < 4; i++) {
        const before = clock.now();
        persist.start();
        clock.advance(5000);
        intervals.push((fired.at(-1) ?? NaN) - before);
        persist.backOff();
      }
      expect(intervals).to.deep.equal([300, 600, 1000, 1000]); // no sample yet: the initial RTO
      rtt.sample(10); // the RTO is now its minimum, 200 ms
      persist.reset();
      expect(persist.running).to.equal(false);
      const before = clock.now();
      persist.start();
      clock.advance(5000);
      expect((fired.at(-1) ?? NaN) - before).to.equal(200);
    });
  });

  describe("keepalive", () => {
    it("probes after the idle time, every interval, gives up after `count` unanswered, and waits while data is in flight", () => {
      const clock = new ManualClock();
      const config = resolveTcpConfig();
      const actions: Array<[number, KeepaliveAction]> = [];
      let inFlight = false;
      const k: Keepalive = new Keepalive(clock, config, () => {
        const action = k.expired(true, !inFlight);
        actions.push([clock.now(), action]);
        if (action === KeepaliveAction.Probe) k.probeSent();
      });
      k.configure(true, { idleMs: 1000, intervalMs: 100, count: 2 }, true);
      clock.advance(1000);
      k.activity(true); // answered
      clock.advance(1100);
      expect(actions).to.deep.equal([
        [1000, KeepaliveAction.Probe],
        [2000, KeepaliveAction.Probe],
        [2100, KeepaliveAction.Probe],
      ]);
      clock.advance(100);
      expect(actions[3]).to.deep.equal([2200, KeepaliveAction.GiveUp]);
      inFlight = true;
      k.activity(true);
      clock.advance(1000);
      expect(actions[4]).to.deep.equal([3200, KeepaliveAction.None]);
      k.configure(false, {}, true);
      clock.advance(10_000);
      expect(actions).to.have.length(5);
    });
  });
});
