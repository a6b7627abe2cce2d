import { expect } from "chai";
import type { TcpConnection } from "../../../providers/packet/stack/tcp/connection.js";
import { TcpState } from "../../../providers/packet/stack/tcp/types.js";
import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN } from "../../../providers/packet/wire/tcp-segment.js";
import { ADDR_A, ADDR_B, Recorder, connectPair, enginePair, payload, pump, scriptedEngine, type Connected } from "./harness.js";
import { encodeTcp } from "../net/packets.js";

const hasFin = (flags: number): boolean => (flags & TCP_FIN) !== 0;
const hasRst = (flags: number): boolean => (flags & TCP_RST) !== 0;

describe("packet/tcp connection release", () => {
  it("half-close by the client: the server keeps sending after the client's FIN", () => {
    const pair = enginePair({ latencyMs: 5, config: { mslMs: 1000 } });
    const c = connectPair(pair);
    c.client.sendPiece(payload(3000, 1));
    c.client.shutdown();
    expect(c.client.state).to.equal(TcpState.FIN_WAIT_1);
    pair.clock.runUntil(() => c.serverRec.ended && c.client.state === TcpState.FIN_WAIT_2, 10_000);
    expect(c.serverRec.received).to.equal(3000); // all data before "end"
    expect(c.server.state).to.equal(TcpState.CLOSE_WAIT);
    expect(c.client.state).to.equal(TcpState.FIN_WAIT_2);
    expect(() => c.client.sendPiece(new Uint8Array(1))).to.throw(/EPIPE/);
    const down = payload(200_000, 2);
    pump(c.server, c.serverRec, down);
    pair.clock.runUntil(() => c.clientRec.received === down.length, 60_000);
    expect(Buffer.compare(c.clientRec.bytes(), down)).to.equal(0);
    c.server.shutdown();
    expect(c.server.state).to.equal(TcpState.LAST_ACK);
    pair.clock.runUntil(() => c.clientRec.ended && c.server.state === TcpState.CLOSED, 10_000);
    expect(c.client.state).to.equal(TcpState.TIME_WAIT);
    expect(c.serverRec.events).to.deep.equal(["end", "closed"]);
    expect(c.clientRec.events).to.deep.equal(["connected", "end", "closed"]);
    pair.close();
  });

  it("half-close by the server: the client keeps sending after the server's FIN", () => {
    const pair = enginePair({ latencyMs: 5 });
    const c = connectPair(pair);
    c.server.shutdown();
    pair.clock.runUntil(() => c.clientRec.ended, 10_000);
    expect(c.client.state).to.equal(TcpState.CLOSE_WAIT);
    const up = payload(100_000, 3);
    pump(c.client, c.clientRec, up);
    pair.clock.runUntil(() => c.serverRec.received === up.length, 60_000);
    expect(Buffer.compare(c.serverRec.bytes(), up)).to.equal(0);
    expect(c.server.state).to.equal(TcpState.FIN_WAIT_2);
    c.client.shutdown();
    pair.clock.runUntil(() => c.client.state === TcpState.CLOSED, 10_000);
    expect(c.server.state).to.equal(TcpState.TIME_WAIT);
    pair.close();
  });

  it("simultaneous close goes through CLOSING to TIME_WAIT on both sides, each FIN sent once", () => {
    const pair = enginePair({ latencyMs: 5, config: { mslMs: 1000 } });
    const c = connectPair(pair);
    const states: string[] = [];
    c.client.shutdown();
    c.server.shutdown();
    pair.clock.runUntil(() => {
      states.push(`${c.client.state}/${c.server.state}`);
      return c.client.state === TcpState.TIME_WAIT && c.server.state === TcpState.TIME_WAIT;
    }, 10_000);
    expect(states).to.include(`${TcpState.CLOSING}/${TcpState.CLOSING}`);
    for (const host of [pair.a.host, pair.b.host]) {
      const fins = host.segments((s) => hasFin(s.flags));
      expect(fins).to.have.length(1);
      expect(fins[0]!.flags & TCP_ACK).to.equal(TCP_ACK);
    }
    expect(c.clientRec.events).to.deep.equal(["connected", "end", "closed"]);
    expect(c.serverRec.events).to.deep.equal(["end", "closed"]);
    pair.clock.advance(2000);
    expect(c.client.state).to.equal(TcpState.CLOSED);
    expect(pair.a.engine.connectionCount + pair.b.engine.connectionCount).to.equal(0);
    pair.close();
  });

  it("after a simultaneous close, a duplicated FIN gets one ACK and no ACK ping-pong between the two TIME_WAITs", () => {
    const pair = enginePair({ latencyMs: 1, config: { mslMs: 30_000 } });
    const c = connectPair(pair);
    c.client.shutdown();
    c.server.shutdown();
    pair.clock.runUntil(() => c.client.state === TcpState.TIME_WAIT && c.server.state === TcpState.TIME_WAIT, 10_000);
    const fin = pair.a.host.segments((s) => hasFin(s.flags))[0]!;
    const before = pair.a.host.sent.length + pair.b.host.sent.length;
    pair.b.engine.input(ADDR_A, ADDR_B, encodeTcp(fin, ADDR_A, ADDR_B)); // a network duplicate of A's FIN
    pair.clock.advance(5000);
    const exchanged = pair.a.host.sent.length + pair.b.host.sent.length - before;
    expect(exchanged, "B's ACK of the duplicate, which A leaves unanswered").to.equal(1);
    expect([c.client.state, c.server.state]).to.deep.equal([TcpState.TIME_WAIT, TcpState.TIME_WAIT]);
    pair.close();
  });

  it("simultaneous close with data in flight both ways delivers everything first", () => {
    const pair = enginePair({ latencyMs: 5 });
    const c = connectPair(pair);
    const up = payload(50_000, 4);
    const down = payload(70_000, 5);
    c.client.sendPiece(up);
    c.server.sendPiece(down);
    c.client.shutdown();
    c.server.shutdown();
    pair.clock.runUntil(() => c.clientRec.ended && c.serverRec.ended, 60_000);
    expect(Buffer.compare(c.serverRec.bytes(), up)).to.equal(0);
    expect(Buffer.compare(c.clientRec.bytes(), down)).to.equal(0);
    pair.close();
  });

  it("TIME_WAIT lasts 2×MSL, re-ACKs a retransmitted FIN and restarts", () => {
    const pair = enginePair({ latencyMs: 5, config: { mslMs: 1000 } });
    const c = connectPair(pair);
    c.client.shutdown();
    pair.clock.runUntil(() => c.server.state === TcpState.CLOSE_WAIT, 10_000);
    // Lose the client's last ACK once: the server retransmits its FIN into TIME_WAIT.
    let dropped = false;
    pair.a.host.filter = (s) => {
      if (!dropped && s.flags === TCP_ACK && c.client.state === TcpState.TIME_WAIT) {
        dropped = true;
        return "drop";
      }
      return "pass";
    };
    c.server.shutdown();
    pair.clock.runUntil(() => c.client.state === TcpState.TIME_WAIT, 10_000);
    const enteredAt = pair.clock.now();
    pair.clock.runUntil(() => c.server.state === TcpState.CLOSED, 10_000);
    const reAckAt = pair.a.host.sent[pair.a.host.sent.length - 1]!.at;
    expect(pair.b.host.segments((s) => hasFin(s.flags))).to.have.length(2);
    expect(reAckAt - enteredAt).to.be.greaterThan(100); // the server's RTO passed first
    pair.clock.runUntil(() => c.client.state === TcpState.CLOSED, 10_000);
    expect(pair.clock.now() - reAckAt).to.equal(2000); // restarted by the retransmitted FIN
    expect(pair.a.engine.connectionCount).to.equal(0);
    pair.close();
  });

  for (const how of ["linger 0", "unread data"] as const) {
    it(`close() in TIME_WAIT (${how}) sends nothing and leaves the 2×MSL wait to run out`, () => {
      const pair = enginePair({ latencyMs: 5, config: { mslMs: 1000 } });
      const c = connectPair(pair);
      c.clientRec.autoConsume = how !== "unread data";
      c.client.shutdown(); // the client closes first and ends up in TIME_WAIT
      pair.clock.runUntil(() => c.server.state === TcpState.CLOSE_WAIT, 10_000);
      c.server.sendPiece(payload(100, 9));
      c.server.shutdown();
      pair.clock.runUntil(() => c.client.state === TcpState.TIME_WAIT, 10_000);
      const enteredAt = pair.clock.now();
      pair.clock.runUntil(() => c.server.state === TcpState.CLOSED, 10_000);
      pair.clock.advance(100);
      const sentBefore = pair.a.host.sent.length;
      if (how === "linger 0") c.client.setLinger(0);
      c.client.close();
      expect(c.client.state, "close() in TIME_WAIT changes nothing").to.equal(TcpState.TIME_WAIT);
      expect(pair.a.engine.connectionCount).to.equal(1);
      pair.clock.runUntil(() => c.client.state === TcpState.CLOSED, 10_000);
      expect(pair.clock.now() - enteredAt, "the whole 2×MSL").to.equal(2000);
      expect(pair.a.host.sent.slice(sentBefore).map((x) => x.seg.flags), "nothing sent, no RST").to.deep.equal([]);
      expect(pair.a.engine.connectionCount).to.equal(0);
      pair.close();
    });
  }

  for (const state of [TcpState.CLOSE_WAIT, TcpState.LAST_ACK, TcpState.TIME_WAIT]) {
    it(`reading after the peer's FIN (${state}) sends no window update: the peer sends nothing more`, () => {
      const pair = enginePair({ latencyMs: 5, config: { mslMs: 30_000 } });
      const c = connectPair(pair);
      c.serverRec.autoConsume = false;
      if (state === TcpState.TIME_WAIT) {
        c.server.shutdown(); // the server releases first: the client's FIN takes it to TIME_WAIT
        pair.clock.runUntil(() => c.client.state === TcpState.CLOSE_WAIT, 10_000);
      }
      const data = payload(200_000, 3);
      c.client.sendPiece(data);
      c.client.shutdown();
      pair.clock.runUntil(() => c.serverRec.ended, 10_000);
      expect(c.serverRec.received).to.equal(data.length);
      if (state === TcpState.LAST_ACK) {
        pair.a.host.filter = () => "drop"; // the client's ACK of our FIN never comes
        c.server.shutdown();
      }
      pair.clock.advance(500);
      expect(c.server.state).to.equal(state);
      const before = pair.b.host.sent.length;
      c.server.consumed(data.length); // the window reopens from 56 KiB to 256 KiB
      pair.clock.advance(state === TcpState.LAST_ACK ? 50 : 1000);
      expect(pair.b.host.sent.slice(before).filter((x) => x.seg.payload.length === 0 && (x.seg.flags & (TCP_FIN | TCP_RST)) === 0), "no window update").to.deep.equal([]);
      expect(c.server.state, "and so no RST from the peer's closed port cutting TIME_WAIT short").to.equal(state);
      pair.close();
    });
  }

  it("orphans are bounded by maxOrphans: a close() beyond them resets, counted in orphansAborted", () => {
    const pair = enginePair({ latencyMs: 5, config: { maxOrphans: 2, finWait2TimeoutMs: 60_000 } });
    const conns = [80, 81, 82, 83].map((port) => connectPair(pair, port));
    const [c1, c2, c3, c4] = conns as [Connected, Connected, Connected, Connected];
    c1.client.sendPiece(payload(5000, 1));
    c1.client.close();
    c2.client.close();
    pair.clock.advance(100);
    // Both finish by themselves: FIN_WAIT_2, waiting for the peers' FINs, their data delivered.
    expect([c1.client.state, c2.client.state]).to.deep.equal([TcpState.FIN_WAIT_2, TcpState.FIN_WAIT_2]);
    expect(c1.serverRec.received).to.equal(5000);
    expect(pair.a.engine.stats()).to.include({ orphans: 2, orphansAborted: 0 });
    c3.client.close(); // a third orphan is one too many
    expect(c3.client.state).to.equal(TcpState.CLOSED);
    pair.clock.runUntil(() => c3.serverRec.disconnectReason !== null, 10_000);
    expect(c3.serverRec.disconnectReason).to.equal("ECONNRESET");
    expect(pair.a.engine.stats()).to.include({ orphans: 2, orphansAborted: 1 });
    // One finishes (TIME_WAIT is no orphan): room for another, which closes gracefully.
    c1.server.shutdown();
    pair.clock.runUntil(() => c1.client.state === TcpState.TIME_WAIT, 10_000);
    expect(pair.a.engine.stats()).to.include({ orphans: 1, timeWait: 1 });
    c4.client.close();
    pair.clock.advance(100);
    expect(c4.client.state).to.equal(TcpState.FIN_WAIT_2);
    expect(c4.serverRec.ended).to.equal(true);
    expect(pair.a.engine.stats()).to.include({ orphans: 2, orphansAborted: 1 });
    pair.close();
  });

  it("TIME_WAIT is bounded by maxTimeWait: beyond it the FIN is acknowledged and the connection closes at once, counted", () => {
    const pair = enginePair({ latencyMs: 5, config: { maxTimeWait: 1, mslMs: 30_000 } });
    const c1 = connectPair(pair, 80);
    const c2 = connectPair(pair, 81);
    for (const c of [c1, c2]) {
      c.client.shutdown();
      pair.clock.runUntil(() => c.server.state === TcpState.CLOSE_WAIT, 10_000);
      c.server.shutdown();
      pair.clock.runUntil(() => c.server.state === TcpState.CLOSED, 10_000);
    }
    expect(c1.client.state).to.equal(TcpState.TIME_WAIT);
    expect(c2.client.state).to.equal(TcpState.CLOSED);
    expect(c2.clientRec.events).to.deep.equal(["connected", "end", "closed"]);
    expect(c2.serverRec.disconnectReason, "the server's FIN was acknowledged, not reset").to.equal(null);
    expect(pair.a.host.segments((x) => hasRst(x.flags))).to.have.length(0);
    expect(pair.a.engine.stats()).to.include({ timeWait: 1, timeWaitOverflows: 1 });
    pair.close();
  });

  describe("TIME_WAIT reuse", () => {
    it("refuses an explicit connect on a 4-tuple in TIME_WAIT", () => {
      const pair = enginePair({ config: { mslMs: 1000 } });
      const c = connectPair(pair, 80, { localPort: 4321 });
      c.client.shutdown();
      c.server.shutdown();
      pair.clock.runUntil(() => c.client.state === TcpState.TIME_WAIT && c.server.state === TcpState.TIME_WAIT, 10_000);
      expect(() => pair.a.engine.connect({ remote: { address: ADDR_B, port: 80 }, localPort: 4321 })).to.throw(/EADDRINUSE/);
      pair.clock.advance(2000);
      expect(() => pair.a.engine.connect({ remote: { address: ADDR_B, port: 80 }, localPort: 4321 }).abort()).to.not.throw();
      pair.close();
    });

    for (const timestamps of [true, false]) {
      it(`a new SYN with a newer ${timestamps ? "timestamp" : "sequence number"} reopens a server-side TIME_WAIT`, () => {
        const pair = enginePair({ latencyMs: 5, config: { mslMs: 30_000, timestamps } });
        const c = connectPair(pair, 80, { localPort: 4321 }, { reuseAddress: true });
        c.server.shutdown(); // the server closes first and ends up in TIME_WAIT
        pair.clock.runUntil(() => c.client.state === TcpState.CLOSE_WAIT, 10_000);
        c.client.shutdown();
        pair.clock.runUntil(() => c.client.state === TcpState.CLOSED, 10_000);
        expect(c.server.state).to.equal(TcpState.TIME_WAIT);
        pair.clock.advance(1000);
        // The TIME_WAIT connection still holds port 80: only a listener with reuse may have it again.
        expect(() => pair.b.engine.listen({ port: 80 })).to.throw(/EADDRINUSE/);
        let accepted = 0;
        const listener = pair.b.engine.listen({ port: 80, reuseAddress: true }, {
            connectionIndication: (ind) => {
              listener.accept(ind.sequence, {});
              accepted++;
            },
          });
        const rec = new Recorder(pair.clock);
        pair.a.engine.connect({ remote: { address: ADDR_B, port: 80 }, localPort: 4321 }, rec);
        pair.clock.runUntil(() => rec.connectedAt >= 0 && accepted > 0, 10_000);
        expect(accepted).to.equal(1);
        expect(pair.a.host.segments((s) => hasRst(s.flags))).to.have.length(0);
        pair.close();
      });
    }

    it("without timestamps, an old SYN (sequence number not above RCV.NXT) only gets the TIME_WAIT ACK", () => {
      const env = scriptedEngine({ config: { timestamps: false, mslMs: 30_000 } });
      let server: TcpConnection | null = null;
      const listener = env.engine.listen({ port: 80 }, { connectionIndication: (ind) => (server = listener.accept(ind.sequence, {})) });
      const peer = env.peer(5555);
      peer.inject({ dstPort: 80, seq: 1000, flags: TCP_SYN });
      const synAck = peer.replies()[0]!;
      const ours = (synAck.seq + 1) >>> 0;
      peer.inject({ dstPort: 80, seq: 1001, ack: ours, flags: TCP_ACK });
      expect(server).to.not.equal(null);
      server!.shutdown(); // the engine closes first...
      peer.inject({ dstPort: 80, seq: 1001, ack: (ours + 1) >>> 0, flags: TCP_ACK | TCP_FIN }); // ...and the peer ACKs + FINs
      expect(server!.state).to.equal(TcpState.TIME_WAIT);
      env.clock.advance(1000);
      let from = env.host.sent.length;
      peer.inject({ dstPort: 80, seq: 900, flags: TCP_SYN });
      const answer = peer.replies(from);
      expect(answer).to.have.length(1);
      expect(answer[0]!.flags).to.equal(TCP_ACK);
      expect(answer[0]!.ack).to.equal(1002);
      expect(server!.state).to.equal(TcpState.TIME_WAIT);
      from = env.host.sent.length;
      peer.inject({ dstPort: 80, seq: 90_000, flags: TCP_SYN });
      const reopened = peer.replies(from);
      expect(reopened[0]!.flags).to.equal(TCP_SYN | TCP_ACK);
      expect(reopened[0]!.ack).to.equal(90_001);
      expect(server!.state).to.equal(TcpState.CLOSED);
      env.engine.close();
    });
  });

  it("a FIN caught by a window the peer closed is probed for until the window opens", () => {
    const env = scriptedEngine();
    const rec = new Recorder(env.clock);
    const conn = env.engine.connect({ remote: { address: ADDR_B, port: 4444 }, localPort: 1234 }, rec);
    const iss = env.host.sent[0]!.seg.seq;
    const peer = env.peer(4444);
    peer.inject({ dstPort: 1234, seq: 7000, ack: (iss + 1) >>> 0, flags: TCP_SYN | TCP_ACK, window: 1000, options: { mss: 1460 } });
    conn.shutdown();
    const fin = peer.replies().find((x) => hasFin(x.flags))!;
    expect(fin.seq).to.equal((iss + 1) >>> 0);
    peer.inject({ dstPort: 1234, seq: 7001, ack: (iss + 1) >>> 0, flags: TCP_ACK, window: 0 });
    const from = env.host.sent.length;
    env.clock.advance(3000);
    const probes = peer.replies(from);
    expect(probes.length).to.be.at.least(2);
    for (const p of probes) expect(hasFin(p.flags) && p.payload.length === 0 && p.seq === fin.seq).to.equal(true);
    expect(conn.stats().rtoEvents).to.equal(0);
    peer.inject({ dstPort: 1234, seq: 7001, ack: (iss + 2) >>> 0, flags: TCP_ACK, window: 1000 });
    expect(conn.state).to.equal(TcpState.FIN_WAIT_2);
    env.engine.close();
  });

  it("an orphaned FIN_WAIT_2 (after close()) times out; a half-closed one does not", () => {
    const pair = enginePair({ latencyMs: 5, config: { finWait2TimeoutMs: 5000 } });
    const c1 = connectPair(pair, 80);
    const c2 = connectPair(pair, 81);
    c1.client.close();
    c2.client.shutdown();
    pair.clock.advance(100);
    expect(c1.client.state).to.equal(TcpState.FIN_WAIT_2);
    expect(c2.client.state).to.equal(TcpState.FIN_WAIT_2);
    pair.clock.advance(5000);
    expect(c1.client.state).to.equal(TcpState.CLOSED);
    expect(c2.client.state).to.equal(TcpState.FIN_WAIT_2);
    pair.close();
  });

  it("abort() resets: queued data is dropped and the peer gets ECONNRESET", () => {
    const pair = enginePair({ latencyMs: 5, configB: { receiveBufferSize: 4096 } });
    const c = connectPair(pair);
    c.serverRec.autoConsume = false;
    c.client.sendPiece(payload(100_000));
    pair.clock.advance(50);
    c.client.abort();
    const sentAtAbort = pair.a.host.sent.length;
    expect(c.client.state).to.equal(TcpState.CLOSED);
    pair.clock.runUntil(() => c.serverRec.disconnectReason !== null, 10_000);
    expect(c.serverRec.disconnectReason).to.equal("ECONNRESET");
    expect(c.clientRec.events).to.deep.equal(["connected"]); // no callback for our own abort
    const rst = pair.a.host.segments((s) => hasRst(s.flags))[0]!;
    expect(rst.flags).to.equal(TCP_RST | TCP_ACK);
    pair.clock.advance(10_000);
    // Nothing more from the aborted side (the server's RST was answered by nothing: no connection).
    expect(pair.a.host.sent.slice(sentAtAbort).every((x) => x.seg.payload.length === 0)).to.equal(true);
    expect(c.serverRec.received).to.be.lessThan(100_000);
    expect(pair.a.engine.connectionCount + pair.b.engine.connectionCount).to.equal(0);
    pair.close();
  });

  it("close() with unread data, or data arriving after close(), resets the connection (as Linux does)", () => {
    const pair = enginePair({ latencyMs: 5 });
    const c1 = connectPair(pair, 80);
    c1.serverRec.autoConsume = false;
    c1.client.sendPiece(payload(100));
    pair.clock.advance(20);
    c1.server.close();
    pair.clock.runUntil(() => c1.clientRec.disconnectReason !== null, 10_000);
    expect(c1.clientRec.disconnectReason).to.equal("ECONNRESET");

    const c2 = connectPair(pair, 81);
    c2.server.close(); // graceful: nothing unread
    pair.clock.runUntil(() => c2.clientRec.ended, 10_000);
    c2.client.sendPiece(payload(100));
    pair.clock.runUntil(() => c2.clientRec.disconnectReason !== null, 10_000);
    expect(c2.clientRec.disconnectReason).to.equal("ECONNRESET");
    pair.close();
  });

  it("linger 0 makes close() a reset; a positive linger resets when the close does not finish in time", () => {
    const pair = enginePair({ latencyMs: 5 });
    const c1 = connectPair(pair, 80);
    c1.client.setLinger(0);
    c1.client.close();
    pair.clock.runUntil(() => c1.serverRec.disconnectReason !== null, 10_000);
    expect(c1.serverRec.disconnectReason).to.equal("ECONNRESET");

    const c2 = connectPair(pair, 81);
    c2.client.setLinger(3000);
    pair.a.host.filter = (s) => (s.dstPort === 81 ? "drop" : "pass"); // the FIN never arrives
    c2.client.close();
    pair.clock.advance(2900);
    expect(c2.client.state).to.equal(TcpState.FIN_WAIT_1);
    pair.a.host.filter = null;
    pair.clock.advance(200);
    expect(c2.client.state).to.equal(TcpState.CLOSED);
    pair.clock.runUntil(() => c2.serverRec.disconnectReason !== null, 10_000);
    expect(c2.serverRec.disconnectReason).to.equal("ECONNRESET");
    pair.close();
  });
});
