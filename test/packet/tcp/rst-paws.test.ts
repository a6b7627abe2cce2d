/**
 * RFC 5961 (RST/SYN/ACK validation, challenge ACKs) and RFC 7323 PAWS, driven segment by segment
 * with a scripted peer so that every sequence number is known.
 */
import { expect } from "chai";
import type { TcpConfig } from "../../../providers/packet/stack/tcp/config.js";
import type { TcpConnection } from "../../../providers/packet/stack/tcp/connection.js";
import { TcpState } from "../../../providers/packet/stack/tcp/types.js";
import { TCP_ACK, TCP_RST, TCP_SYN, type TcpOptions } from "../../../providers/packet/wire/tcp-segment.js";
import { Recorder, scriptedEngine, type ScriptedPeer } from "./harness.js";

const PEER_ISN = 5000;

interface Established {
  env: ReturnType<typeof scriptedEngine>;
  peer: ScriptedPeer;
  conn: TcpConnection;
  rec: Recorder;
  /** Next sequence number the peer sends. */
  peerNxt: number;
  /** The engine's next sequence number (what the peer acknowledges). */
  ourNxt: number;
  ts: (value: number) => TcpOptions;
}

/** A passive connection on the engine, opened by a scripted peer (window 65535 unscaled). */
function establish(config: Partial<TcpConfig> = {}, timestamps = true): Established {
  const env = scriptedEngine({ config });
  const rec = new Recorder(env.clock);
  let conn: TcpConnection | null = null;
  const listener = env.engine.listen({ port: 80 }, { connectionIndication: (ind) => (conn = listener.accept(ind.sequence, rec)) });
  const peer = env.peer(4444);
  let echo = 0;
  const ts = (value: number): TcpOptions => (timestamps ? { timestamp: { value, echo } } : {});
  peer.inject({ dstPort: 80, seq: PEER_ISN, flags: TCP_SYN, options: { mss: 1460, sackPermitted: true, ...ts(100) } });
  const synAck = peer.replies()[0]!;
  echo = synAck.options.timestamp?.value ?? 0;
  const ourNxt = (synAck.seq + 1) >>> 0;
  peer.inject({ dstPort: 80, seq: PEER_ISN + 1, ack: ourNxt, flags: TCP_ACK, options: ts(101) });
  if (conn === null) throw new Error("not established");
  rec.conn = conn;
  return { env, peer, conn, rec, peerNxt: PEER_ISN + 1, ourNxt, ts };
}

describe("packet/tcp RFC 5961 and PAWS", () => {
  describe("RST validation", () => {
    it("ignores a RST outside the window silently", () => {
      const e = establish();
      const from = e.env.host.sent.length;
      e.peer.inject({ dstPort: 80, seq: e.peerNxt + 70_000, flags: TCP_RST });
      e.peer.inject({ dstPort: 80, seq: e.peerNxt - 10, flags: TCP_RST });
      expect(e.peer.replies(from)).to.have.length(0);
      expect(e.conn.state).to.equal(TcpState.ESTABLISHED);
      e.env.engine.close();
    });

    it("answers an in-window RST that is not exact with a challenge ACK", () => {
      const e = establish();
      const from = e.env.host.sent.length;
      e.peer.inject({ dstPort: 80, seq: e.peerNxt + 1000, flags: TCP_RST });
      const replies = e.peer.replies(from);
      expect(replies).to.have.length(1);
      expect(replies[0]!.flags).to.equal(TCP_ACK);
      expect(replies[0]!.seq).to.equal(e.ourNxt);
      expect(replies[0]!.ack).to.equal(e.peerNxt);
      expect(e.conn.state).to.equal(TcpState.ESTABLISHED);
      expect(e.conn.stats().challengeAcksSent).to.equal(1);
      e.env.engine.close();
    });

    it("resets on a RST with exactly RCV.NXT", () => {
      const e = establish();
      e.peer.inject({ dstPort: 80, seq: e.peerNxt, flags: TCP_RST });
      expect(e.conn.state).to.equal(TcpState.CLOSED);
      expect(e.rec.disconnectReason).to.equal("ECONNRESET");
      e.env.engine.close();
    });

    for (const how of ["the peer shrank its window", "a zero-window probe went out"] as const) {
      it(`our RST on abort is SND.NXT capped at the peer's window edge, where it is accepted (${how})`, () => {
        const e = establish({}, false);
        let una: number;
        if (how === "the peer shrank its window") {
          e.conn.sendPiece(new Uint8Array(3000));
          una = (e.ourNxt + 1000) >>> 0;
          e.peer.inject({ dstPort: 80, seq: e.peerNxt, ack: una, flags: TCP_ACK, window: 0 });
        } else {
          e.conn.sendPiece(new Uint8Array(100));
          una = (e.ourNxt + 100) >>> 0;
          e.peer.inject({ dstPort: 80, seq: e.peerNxt, ack: una, flags: TCP_ACK, window: 0 });
          e.conn.sendPiece(new Uint8Array(100));
          const before = e.env.host.sent.length;
          e.env.clock.advance(1500);
          expect(e.peer.replies(before).filter((x) => x.payload.length === 1 && x.seq === una), "a probe of one byte beyond the window").to.have.length.at.least(1);
        }
        const from = e.env.host.sent.length;
        e.conn.abort();
        const rst = e.peer.replies(from).filter((x) => (x.flags & TCP_RST) !== 0);
        expect(rst).to.have.length(1);
        // The peer's window is 0: only SEG.SEQ = RCV.NXT (= our SND.UNA) is acceptable there.
        expect(rst[0]!.seq, "SEG.SEQ of the RST").to.equal(una);
        e.env.engine.close();
      });
    }

    it("answers invalid segments on one connection at most once per invalidAckIntervalMs", () => {
      const e = establish();
      const from = e.env.host.sent.length;
      for (let i = 0; i < 20; i++) e.peer.inject({ dstPort: 80, seq: e.peerNxt + 100 + i, flags: TCP_RST });
      expect(e.peer.replies(from)).to.have.length(1);
      expect(e.conn.stats().invalidAcksSuppressed).to.equal(19);
      e.env.clock.advance(499);
      e.peer.inject({ dstPort: 80, seq: e.peerNxt + 100, flags: TCP_RST });
      expect(e.peer.replies(from)).to.have.length(1);
      e.env.clock.advance(1);
      e.peer.inject({ dstPort: 80, seq: e.peerNxt + 100, flags: TCP_RST });
      expect(e.peer.replies(from)).to.have.length(2);
      e.env.engine.close();
    });

    it("always answers out-of-window segments that carry data; limits only those that do not", () => {
      const e = establish();
      const from = e.env.host.sent.length;
      for (let i = 0; i < 5; i++) e.peer.inject({ dstPort: 80, seq: e.peerNxt - 5000, ack: e.ourNxt, flags: TCP_ACK, payload: Uint8Array.from([1, 2, 3]) });
      expect(e.peer.replies(from), "an ACK for each old duplicate with data").to.have.length(5);
      const mid = e.env.host.sent.length;
      for (let i = 0; i < 5; i++) e.peer.inject({ dstPort: 80, seq: e.peerNxt - 5000, ack: e.ourNxt, flags: TCP_ACK });
      expect(e.peer.replies(mid), "bare ACKs out of window: one answer within one interval").to.have.length(1);
      e.env.engine.close();
    });

    it("rate-limits challenge ACKs for the whole engine with a budget drawn each second from [limit/2, 1.5 limit)", () => {
      const e = establish({ challengeAckLimit: 20, invalidAckIntervalMs: 0 });
      const budgets: number[] = [];
      for (let second = 0; second < 4; second++) {
        const from = e.env.host.sent.length;
        for (let i = 0; i < 100; i++) e.peer.inject({ dstPort: 80, seq: e.peerNxt + 100 + i, flags: TCP_RST });
        budgets.push(e.peer.replies(from).length);
        e.env.clock.advance(1000);
      }
      for (const b of budgets) expect(b).to.be.within(10, 29);
      expect(new Set(budgets).size, `budgets ${budgets.join(", ")} should not all be equal`).to.be.greaterThan(1);
      expect(e.env.engine.stats().challengeAcksSuppressed).to.equal(400 - budgets.reduce((a, b) => a + b, 0));
      e.env.engine.close();
    });
  });

  it("answers a SYN on an established connection with a challenge ACK and keeps the connection", () => {
    const e = establish();
    const from = e.env.host.sent.length;
    e.peer.inject({ dstPort: 80, seq: e.peerNxt + 500, flags: TCP_SYN });
    const replies = e.peer.replies(from);
    expect(replies).to.have.length(1);
    expect(replies[0]!.flags).to.equal(TCP_ACK);
    expect(replies[0]!.ack).to.equal(e.peerNxt);
    expect(e.conn.state).to.equal(TcpState.ESTABLISHED);
    e.env.engine.close();
  });

  describe("ACK validation (RFC 5961 §5)", () => {
    it("drops a segment acknowledging data never sent, answering with an ACK", () => {
      const e = establish();
      const from = e.env.host.sent.length;
      e.peer.inject({ dstPort: 80, seq: e.peerNxt, ack: e.ourNxt + 5000, flags: TCP_ACK, payload: Uint8Array.from([1, 2, 3]), options: e.ts(200) });
      expect(e.rec.received).to.equal(0);
      const replies = e.peer.replies(from);
      expect(replies).to.have.length(1);
      expect(replies[0]!.ack).to.equal(e.peerNxt);
      e.env.engine.close();
    });

    it("challenges an ACK older than SND.UNA minus the largest window the peer offered", () => {
      const e = establish();
      const from = e.env.host.sent.length;
      e.peer.inject({ dstPort: 80, seq: e.peerNxt, ack: (e.ourNxt - 70_000) >>> 0, flags: TCP_ACK, payload: Uint8Array.from([1]), options: e.ts(200) });
      expect(e.rec.received).to.equal(0);
      expect(e.peer.replies(from)).to.have.length(1);
      expect(e.conn.stats().challengeAcksSent).to.equal(1);
      // An old ACK within that range is fine: the data is taken.
      e.peer.inject({ dstPort: 80, seq: e.peerNxt, ack: (e.ourNxt - 1000) >>> 0, flags: TCP_ACK, payload: Uint8Array.from([1]), options: e.ts(201) });
      expect(e.rec.received).to.equal(1);
      e.env.engine.close();
    });
  });

  describe("PAWS (RFC 7323 §5)", () => {
    it("drops an in-window segment whose timestamp is older than TS.Recent, and ACKs it", () => {
      const e = establish();
      e.peer.inject({ dstPort: 80, seq: e.peerNxt, ack: e.ourNxt, flags: TCP_ACK, payload: new Uint8Array(100).fill(1), options: e.ts(2000) });
      expect(e.rec.received).to.equal(100);
      const from = e.env.host.sent.length;
      // An "old duplicate" from a previous incarnation: in window, but stamped earlier.
      e.peer.inject({ dstPort: 80, seq: e.peerNxt + 100, ack: e.ourNxt, flags: TCP_ACK, payload: new Uint8Array(100).fill(2), options: e.ts(1500) });
      expect(e.rec.received).to.equal(100);
      expect(e.conn.stats().pawsDrops).to.equal(1);
      expect(e.peer.replies(from)).to.have.length(1);
      // The same bytes with a current timestamp are taken.
      e.peer.inject({ dstPort: 80, seq: e.peerNxt + 100, ack: e.ourNxt, flags: TCP_ACK, payload: new Uint8Array(100).fill(3), options: e.ts(2001) });
      expect(e.rec.received).to.equal(200);
      expect(e.rec.bytes()[150]).to.equal(3);
      e.env.engine.close();
    });

    it("echoes the timestamp of the segment that advanced RCV.NXT, not of a later out-of-order one", () => {
      const e = establish();
      const from = e.env.host.sent.length;
      e.peer.inject({ dstPort: 80, seq: e.peerNxt + 100, ack: e.ourNxt, flags: TCP_ACK, payload: new Uint8Array(100), options: e.ts(3000) });
      const ack = e.peer.replies(from)[0]!;
      expect(ack.options.timestamp?.echo).to.equal(101); // TS.Recent stays at the last in-order segment
      e.env.engine.close();
    });

    it("does not apply without negotiated timestamps", () => {
      const e = establish({}, false);
      expect(e.conn.info().timestamps).to.equal(false);
      e.peer.inject({ dstPort: 80, seq: e.peerNxt, ack: e.ourNxt, flags: TCP_ACK, payload: new Uint8Array(10), options: { timestamp: { value: 1, echo: 0 } } });
      expect(e.rec.received).to.equal(10);
      e.env.engine.close();
    });
  });

  describe("RST generation in handshake states", () => {
    it("SYN_SENT: an ACK for something else gets <SEQ=SEG.ACK><RST> and the connect goes on", () => {
      const env = scriptedEngine();
      const rec = new Recorder(env.clock);
      const conn = env.engine.connect({ remote: { address: 0xc6120002, port: 4444 }, localPort: 1234 }, rec);
      const syn = env.host.sent[0]!.seg;
      const peer = env.peer(4444);
      peer.inject({ dstPort: 1234, seq: 9000, ack: (syn.seq + 77) >>> 0, flags: TCP_SYN | TCP_ACK });
      const rst = peer.replies(1)[0]!;
      expect(rst.flags).to.equal(TCP_RST);
      expect(rst.seq).to.equal((syn.seq + 77) >>> 0);
      expect(conn.state).to.equal(TcpState.SYN_SENT);
      // A RST whose ACK does not cover our SYN is ignored; one that does refuses the connect.
      peer.inject({ dstPort: 1234, seq: 0, ack: (syn.seq + 5) >>> 0, flags: TCP_RST | TCP_ACK });
      expect(conn.state).to.equal(TcpState.SYN_SENT);
      peer.inject({ dstPort: 1234, seq: 0, ack: (syn.seq + 1) >>> 0, flags: TCP_RST | TCP_ACK });
      expect(rec.disconnectReason).to.equal("ECONNREFUSED");
      env.engine.close();
    });

    it("SYN_RECEIVED: an unacceptable ACK gets a RST; a retransmitted SYN gets the SYN-ACK again", () => {
      const env = scriptedEngine();
      env.engine.listen({ port: 80 });
      const peer = env.peer(4444);
      peer.inject({ dstPort: 80, seq: 100, flags: TCP_SYN });
      const synAck = peer.replies()[0]!;
      peer.inject({ dstPort: 80, seq: 100, flags: TCP_SYN });
      const again = peer.replies(1)[0]!;
      expect(again.flags).to.equal(TCP_SYN | TCP_ACK);
      expect(again.seq).to.equal(synAck.seq);
      peer.inject({ dstPort: 80, seq: 101, ack: (synAck.seq + 10) >>> 0, flags: TCP_ACK });
      const rst = peer.replies(2)[0]!;
      expect(rst.flags).to.equal(TCP_RST);
      expect(rst.seq).to.equal((synAck.seq + 10) >>> 0);
      env.engine.close();
    });
  });

  it("counts and drops undecodable segments without throwing", () => {
    const env = scriptedEngine();
    env.engine.listen({ port: 80 });
    env.engine.input(0xc6120002, env.host.address, new Uint8Array(7));
    const bad = new Uint8Array(40);
    bad[12] = 0xf0; // data offset 60 > length
    env.engine.input(0xc6120002, env.host.address, bad);
    const peer = env.peer(4444);
    peer.inject({ dstPort: 80, seq: 1, flags: TCP_SYN });
    expect(env.engine.stats().malformed).to.equal(2);
    expect(peer.replies()).to.have.length(1); // the good SYN still works
    env.engine.close();
  });
});
