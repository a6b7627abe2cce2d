/**
 * SYN cookies (RFC 4987 §3.6): the cookie itself, then a listener under a SYN flood that keeps
 * its memory bounded and still lets genuine clients in, with their options.
 */
import { expect } from "chai";
import { ManualClock } from "../../../providers/packet/clock.js";
import { SeededRandom } from "../../../providers/packet/random.js";
import { COOKIE_MSS_TABLE, COOKIE_PERIOD_MS, SynCookies, cookieOptions, cookieTimestamp, mssIndexFor } from "../../../providers/packet/stack/tcp/syn-cookies.js";
import { TcpState } from "../../../providers/packet/stack/tcp/types.js";
import { TCP_ACK, TCP_RST, TCP_SYN, type TcpSegment } from "../../../providers/packet/wire/tcp-segment.js";
import { ADDR_A, ADDR_B, Recorder, enginePair, payload, pump, scriptedEngine } from "./harness.js";
import { encodeTcp } from "../net/packets.js";

const tuple = { localAddress: ADDR_A, localPort: 80, remoteAddress: ADDR_B, remotePort: 40000 };

describe("packet/tcp SYN cookies (RFC 4987 §3.6)", () => {
  describe("the cookie", () => {
    it("comes back valid for the same 4-tuple and client ISN within two periods, carrying the MSS rounded down", () => {
      const clock = new ManualClock(1_000_000);
      const cookies = new SynCookies(clock, new SeededRandom(1));
      const cookie = cookies.make(tuple, 0x12345678, 1400);
      expect(cookies.check(tuple, 0x12345678, cookie)).to.equal(1400);
      expect(cookies.check({ ...tuple, remotePort: 40001 }, 0x12345678, cookie), "another port").to.equal(null);
      expect(cookies.check({ ...tuple, remoteAddress: ADDR_B + 1 }, 0x12345678, cookie), "another address").to.equal(null);
      expect(cookies.check(tuple, 0x12345679, cookie), "an ACK whose SEQ is not the client's ISN + 1").to.equal(null);
      expect(cookies.check(tuple, 0x12345678, (cookie ^ 0x01000000) >>> 0), "a forged MSS index").to.equal(null);
      expect(cookies.check(tuple, 0x12345678, (cookie ^ 1) >>> 0)).to.equal(null);
      clock.advance(2 * COOKIE_PERIOD_MS);
      expect(cookies.check(tuple, 0x12345678, cookie), "two periods later").to.equal(1400);
      clock.advance(COOKIE_PERIOD_MS);
      expect(cookies.check(tuple, 0x12345678, cookie), "three periods later: expired").to.equal(null);
      const other = new SynCookies(clock, new SeededRandom(2));
      expect(other.check(tuple, 1, cookies.make(tuple, 1, 1460)), "another secret").to.equal(null);
    });

    it("rounds the MSS down to its table", () => {
      expect([1460, 1459, 1400, 1000, 536, 300, 100, 9000].map((m) => COOKIE_MSS_TABLE[mssIndexFor(m)])).to.deep.equal([1460, 1440, 1400, 536, 536, 216, 216, 1460]);
    });

    it("carries window scale and SACK-permitted in the timestamp, which never runs ahead of the clock", () => {
      for (const options of [
        { windowScale: 7, sackPermitted: true },
        { windowScale: 0, sackPermitted: false },
        { windowScale: null, sackPermitted: true },
        { windowScale: 14, sackPermitted: false },
      ]) {
        for (const now of [0x40, 0x7f, 0x1000_0005, 0xffff_ffc1]) {
          const ts = cookieTimestamp(now, options);
          expect(cookieOptions(ts)).to.deep.equal(options);
          expect((now - ts) | 0, "at most 64 ms behind, never ahead").to.be.within(0, 63);
        }
      }
    });
  });

  describe("a listener whose SYN queue is full", () => {
    /** A listener (synBacklog 2) flooded by `count` SYNs from ports that never answer. */
    function flooded(count: number, synCookies = true) {
      const env = scriptedEngine({ config: { synBacklog: 2, synCookies } });
      const indications: number[] = [];
      const listener = env.engine.listen({ port: 80, backlog: 8 }, { connectionIndication: (ind) => indications.push(ind.sequence) });
      for (let i = 0; i < count; i++) env.peer(20_000 + i).inject({ dstPort: 80, seq: 1000 * i, flags: TCP_SYN, options: { mss: 1460 } });
      return { env, listener, indications };
    }
    const synAcksTo = (sent: ReadonlyArray<{ seg: TcpSegment }>, port: number): TcpSegment[] =>
      sent.map((c) => c.seg).filter((s) => s.dstPort === port && (s.flags & (TCP_SYN | TCP_ACK)) === (TCP_SYN | TCP_ACK));

    it("answers every further SYN with a cookie and keeps no state for it", () => {
      const { env, listener } = flooded(1000);
      expect(env.engine.stats().synCookiesSent).to.equal(998);
      expect(listener.halfOpenCount).to.equal(2);
      expect(env.engine.connectionCount, "bounded memory: only the two half-open connections").to.equal(2);
      expect(env.host.sent.filter((c) => (c.seg.flags & TCP_SYN) !== 0)).to.have.length(1000);
      env.engine.close();
    });

    it("without cookies drops them (the old behaviour, still selectable)", () => {
      const { env } = flooded(100, false);
      expect(env.engine.stats().synCookiesSent).to.equal(0);
      expect(env.engine.stats().listenOverflows).to.equal(98);
      env.engine.close();
    });

    it("lets a genuine client in through a cookie, with window scaling, SACK and timestamps, and moves its data", () => {
      const { env, listener, indications } = flooded(300);
      const peer = env.peer(5555);
      const from = env.host.sent.length;
      peer.inject({ dstPort: 80, seq: 7000, flags: TCP_SYN, window: 65535, options: { mss: 1400, windowScale: 7, sackPermitted: true, timestamp: { value: 1234, echo: 0 } } });
      const [synAck] = synAcksTo(env.host.sent.slice(from), 5555);
      expect(synAck, "a SYN-ACK").to.not.equal(undefined);
      expect(synAck!.options.windowScale).to.be.a("number");
      expect(synAck!.options.sackPermitted).to.equal(true);
      expect(env.engine.stats().synCookiesSent).to.equal(299);
      // The client completes the handshake (echoing our timestamp) with data on its ACK.
      peer.inject({
        dstPort: 80,
        seq: 7001,
        ack: (synAck!.seq + 1) >>> 0,
        flags: TCP_ACK,
        window: 1000, // scaled by 2^7: 128000 bytes
        options: { timestamp: { value: 1240, echo: synAck!.options.timestamp!.value } },
        payload: Uint8Array.of(1, 2, 3),
      });
      expect(env.engine.stats().synCookiesValidated).to.equal(1);
      expect(indications).to.have.length(1);
      const rec = new Recorder(env.clock);
      const conn = listener.accept(indications[0]!, rec);
      expect(conn.state).to.equal(TcpState.ESTABLISHED);
      expect(conn.info()).to.deep.include({ windowScaling: true, sendWindowScale: 7, sack: true, timestamps: true });
      expect(conn.mss, "the cookie's MSS, less the timestamp option").to.equal(1400 - 12);
      expect(conn.stats().sendWindow).to.equal(128_000);
      expect(Array.from(rec.bytes())).to.deep.equal([1, 2, 3]);
      env.engine.close();
    });

    it("resets an ACK whose cookie is wrong, whose SEQ does not match, or that comes too late", () => {
      const { env } = flooded(10);
      const peer = env.peer(5555);
      const from = env.host.sent.length;
      peer.inject({ dstPort: 80, seq: 7000, flags: TCP_SYN, options: { mss: 1460 } });
      const cookie = synAcksTo(env.host.sent.slice(from), 5555)[0]!.seq;
      const tries: Array<{ seq: number; ack: number }> = [
        { seq: 7001, ack: (cookie + 2) >>> 0 }, // not the cookie
        { seq: 7002, ack: (cookie + 1) >>> 0 }, // the cookie, but not from the SYN's sender
      ];
      for (const t of tries) peer.inject({ dstPort: 80, ...t, flags: TCP_ACK });
      env.clock.advance(3 * COOKIE_PERIOD_MS);
      peer.inject({ dstPort: 80, seq: 7001, ack: (cookie + 1) >>> 0, flags: TCP_ACK }); // expired
      expect(env.engine.stats().synCookiesRejected).to.equal(3);
      expect(env.engine.stats().synCookiesValidated).to.equal(0);
      const resets = peer.replies(from).filter((s) => (s.flags & TCP_RST) !== 0);
      expect(resets).to.have.length(3);
      env.engine.close();
    });

    it("between two engines: a client connecting into a flooded listener gets in at once and transfers both ways", () => {
      const pair = enginePair({ latencyMs: 5, config: { synBacklog: 4 } });
      // SYN-ACKs to the flood's ports go nowhere (those sources never answer).
      pair.b.host.filter = (seg) => (seg.dstPort >= 20_000 && seg.dstPort < 30_000 ? "drop" : "pass");
      let server: ReturnType<typeof listener.accept> | null = null;
      const serverRec = new Recorder(pair.clock);
      const listener = pair.b.engine.listen({ port: 80 }, { connectionIndication: (ind) => (server = listener.accept(ind.sequence, serverRec)) });
      for (let i = 0; i < 500; i++) pair.b.engine.input(ADDR_A + 7, ADDR_B, floodSyn(20_000 + i));
      expect(listener.halfOpenCount).to.equal(4);
      const clientRec = new Recorder(pair.clock);
      const client = pair.a.engine.connect({ remote: { address: ADDR_B, port: 80 } }, clientRec);
      clientRec.conn = client;
      expect(pair.clock.runUntil(() => server !== null && clientRec.connectedAt >= 0, 1000)).to.equal(true);
      expect(clientRec.connectedAt, "one round trip: no SYN retransmission").to.equal(10);
      serverRec.conn = server;
      expect(pair.b.engine.stats().synCookiesValidated).to.equal(1);
      const up = payload(300_000, 3);
      const down = payload(200_000, 4);
      pump(client, clientRec, up);
      pump(server!, serverRec, down);
      expect(pair.clock.runUntil(() => serverRec.received === up.length && clientRec.received === down.length, 60_000)).to.equal(true);
      expect(Buffer.compare(serverRec.bytes(), up)).to.equal(0);
      expect(Buffer.compare(clientRec.bytes(), down)).to.equal(0);
      expect(server!.info()).to.deep.include({ windowScaling: true, sack: true, timestamps: true });
      pair.close();
    });
  });
});

/** A SYN to B:80 from port `port` of a source that never answers. */
function floodSyn(port: number): Uint8Array {
  const syn: TcpSegment = { srcPort: port, dstPort: 80, seq: port * 7919, ack: 0, flags: TCP_SYN, window: 65535, urgentPointer: 0, options: { mss: 1460 }, payload: new Uint8Array(0) };
  return encodeTcp(syn, ADDR_A + 7, ADDR_B);
}
