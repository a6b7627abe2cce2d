import { expect } from "chai";
import { TcpState } from "../../../providers/packet/stack/tcp/types.js";
import type { TcpConnection } from "../../../providers/packet/stack/tcp/connection.js";
import { TCP_ACK, TCP_RST, TCP_SYN } from "../../../providers/packet/wire/tcp-segment.js";
import { ADDR_A, ADDR_B, Recorder, connectPair, enginePair, scriptedEngine } from "./harness.js";
import { encodeTcp } from "../net/packets.js";

const isSyn = (flags: number): boolean => (flags & (TCP_SYN | TCP_ACK)) === TCP_SYN;
const isSynAck = (flags: number): boolean => (flags & (TCP_SYN | TCP_ACK)) === (TCP_SYN | TCP_ACK);

describe("packet/tcp handshake", () => {
  it("active and passive open negotiate MSS, window scale, SACK and timestamps", () => {
    const pair = enginePair();
    const c = connectPair(pair);
    const syn = pair.a.host.segments((s) => isSyn(s.flags))[0]!;
    const synAck = pair.b.host.segments((s) => isSynAck(s.flags))[0]!;
    expect(syn.options.mss).to.equal(1460);
    expect(syn.options.windowScale).to.equal(3); // 256 KiB buffer
    expect(syn.options.sackPermitted).to.equal(true);
    expect(syn.options.timestamp?.echo).to.equal(0);
    expect(syn.window).to.equal(65535);
    expect(synAck.ack).to.equal((syn.seq + 1) >>> 0);
    expect(synAck.options.windowScale).to.equal(3);
    expect(synAck.options.timestamp?.echo).to.equal(syn.options.timestamp?.value);
    for (const conn of [c.client, c.server]) {
      const info = conn.info();
      expect(info.state).to.equal(TcpState.ESTABLISHED);
      expect(info.windowScaling && info.sack && info.timestamps).to.equal(true);
      expect(info.sendWindowScale).to.equal(3);
      expect(conn.mss).to.equal(1448); // 1460 minus the 12 bytes of timestamp option (RFC 6691)
      expect(conn.stats().cwnd).to.equal(10 * 1448); // IW10 (RFC 6928) from the negotiated MSS
    }
    expect(c.clientRec.events).to.deep.equal(["connected"]);
    expect(c.client.remote).to.deep.equal({ address: ADDR_B, port: 80 });
    expect(c.server.remote).to.deep.equal(c.client.local);
    // The third segment is a pure ACK with a scaled window: 256 KiB >> 3.
    const ack = pair.a.host.segments()[1]!;
    expect(ack.flags).to.equal(TCP_ACK);
    expect(ack.window).to.equal(32768);
    pair.close();
  });

  it("uses an option only when both ends offer it", () => {
    const pair = enginePair({ config: {}, configB: { windowScaling: false, sack: false, timestamps: false } });
    const c = connectPair(pair);
    const synAck = pair.b.host.segments((s) => isSynAck(s.flags))[0]!;
    expect(synAck.options.windowScale).to.equal(undefined);
    expect(synAck.options.sackPermitted).to.equal(undefined);
    expect(synAck.options.timestamp).to.equal(undefined);
    const info = c.client.info();
    expect(info.windowScaling || info.sack || info.timestamps).to.equal(false);
    expect(info.sendWindowScale).to.equal(0);
    expect(c.client.mss).to.equal(1460);
    // Without window scaling the advertised window is capped at 65535.
    expect(pair.a.host.segments((s) => s.flags === TCP_ACK)[0]!.window).to.equal(65535);
    pair.close();
  });

  it("simultaneous open: both SYNs cross, both sides answer SYN-ACK and connect", () => {
    const pair = enginePair();
    const recA = new Recorder(pair.clock);
    const recB = new Recorder(pair.clock);
    const a = pair.a.engine.connect({ remote: { address: ADDR_B, port: 5000 }, localPort: 4000 }, recA);
    const b = pair.b.engine.connect({ remote: { address: ADDR_A, port: 4000 }, localPort: 5000 }, recB);
    recA.conn = a;
    recB.conn = b;
    pair.clock.runUntil(() => recA.connectedAt >= 0 && recB.connectedAt >= 0, 10_000);
    expect(a.state).to.equal(TcpState.ESTABLISHED);
    expect(b.state).to.equal(TcpState.ESTABLISHED);
    expect(pair.a.host.segments((s) => isSynAck(s.flags))).to.have.length(1);
    expect(pair.b.host.segments((s) => isSynAck(s.flags))).to.have.length(1);
    expect(pair.a.host.segments((s) => (s.flags & TCP_RST) !== 0)).to.have.length(0);
    a.sendPiece(Uint8Array.from([1, 2, 3]));
    pair.clock.runUntil(() => recB.received === 3, 10_000);
    expect(Array.from(recB.bytes())).to.deep.equal([1, 2, 3]);
    pair.close();
  });

  it("a SYN to a closed port gets RST+ACK and the connect fails with ECONNREFUSED", () => {
    const pair = enginePair();
    const rec = new Recorder(pair.clock);
    const conn = pair.a.engine.connect({ remote: { address: ADDR_B, port: 81 } }, rec);
    pair.clock.runUntil(() => rec.disconnectReason !== null, 10_000);
    expect(rec.events).to.deep.equal(["disconnect:ECONNREFUSED"]);
    const syn = pair.a.host.segments()[0]!;
    const rst = pair.b.host.segments()[0]!;
    expect(rst.flags).to.equal(TCP_RST | TCP_ACK);
    expect(rst.seq).to.equal(0);
    expect(rst.ack).to.equal((syn.seq + 1) >>> 0);
    expect(conn.state).to.equal(TcpState.CLOSED);
    expect(pair.b.engine.stats().resetsSent).to.equal(1);
    expect(pair.a.engine.connectionCount).to.equal(0);
    pair.close();
  });

  it("retransmits the SYN with exponential backoff and gives up with ETIMEDOUT", () => {
    const pair = enginePair({ config: { synRetries: 4 } });
    pair.a.host.filter = () => "drop";
    const rec = new Recorder(pair.clock);
    pair.a.engine.connect({ remote: { address: ADDR_B, port: 80 } }, rec);
    pair.clock.runUntil(() => rec.disconnectReason !== null, 600_000);
    expect(rec.disconnectReason).to.equal("ETIMEDOUT");
    expect(pair.a.host.sent.map((c) => c.at)).to.deep.equal([0, 1000, 3000, 7000, 15000]);
    expect(pair.clock.now()).to.equal(31000);
    const seqs = new Set(pair.a.host.sent.map((c) => c.seg.seq));
    expect(seqs.size).to.equal(1); // every retransmission reuses the ISS
    expect(pair.clock.pending()).to.equal(0);
    pair.close();
  });

  it("falls back to a 3 s RTO after a retransmitted SYN (RFC 6298 §5.7) and measures nothing from it (Karn)", () => {
    const pair = enginePair();
    pair.a.host.filter = (_s, i) => (i === 0 ? "drop" : "pass");
    const c = connectPair(pair);
    expect(c.client.stats().rto).to.equal(3000);
    expect(c.client.stats().srtt).to.equal(-1);
    expect(c.server.stats().srtt).to.be.greaterThan(0);
    pair.close();
  });

  it("an ICMP host unreachable during connect fails it with EHOSTUNREACH", () => {
    const pair = enginePair();
    pair.a.host.filter = () => "drop";
    const rec = new Recorder(pair.clock);
    const conn = pair.a.engine.connect({ remote: { address: ADDR_B, port: 80 } }, rec);
    const syn = pair.a.host.sent[0]!.seg;
    const quoted = encodeTcp(syn, ADDR_A, ADDR_B).subarray(0, 8);
    // A wrong sequence number is ignored (RFC 5927): an attacker would have to guess it.
    const wrong = quoted.slice();
    wrong[7] = wrong[7]! ^ 0xff;
    pair.a.engine.icmpError("host-unreachable", ADDR_A, ADDR_B, wrong);
    expect(conn.state).to.equal(TcpState.SYN_SENT);
    pair.a.engine.icmpError("host-unreachable", ADDR_A, ADDR_B, quoted);
    expect(rec.events).to.deep.equal(["disconnect:EHOSTUNREACH"]);
    expect(conn.state).to.equal(TcpState.CLOSED);
    pair.close();
  });

  it("answers an ACK to a listener with RST and ignores a RST", () => {
    const env = scriptedEngine();
    env.engine.listen({ port: 80 });
    const peer = env.peer(3333);
    peer.inject({ dstPort: 80, seq: 100, ack: 5555, flags: TCP_ACK });
    peer.inject({ dstPort: 80, seq: 100, flags: TCP_RST });
    const replies = peer.replies();
    expect(replies).to.have.length(1);
    expect(replies[0]!.flags).to.equal(TCP_RST);
    expect(replies[0]!.seq).to.equal(5555);
    env.engine.close();
  });

  describe("listener", () => {
    function clients(pair: ReturnType<typeof enginePair>, n: number): Recorder[] {
      const recs: Recorder[] = [];
      for (let i = 0; i < n; i++) {
        const rec = new Recorder(pair.clock);
        rec.conn = pair.a.engine.connect({ remote: { address: ADDR_B, port: 80 } }, rec);
        recs.push(rec);
      }
      return recs;
    }

    it("indicates completed handshakes with sequence numbers; accept and reject", () => {
      const pair = enginePair();
      const indications: number[] = [];
      const listener = pair.b.engine.listen({ port: 80, backlog: 4 }, { connectionIndication: (ind) => indications.push(ind.sequence) });
      const recs = clients(pair, 2);
      pair.clock.runUntil(() => indications.length === 2, 10_000);
      expect(indications).to.deep.equal([1, 2]);
      expect(listener.pendingCount).to.equal(2);
      const serverRec = new Recorder(pair.clock);
      const server = listener.accept(1, serverRec);
      serverRec.conn = server;
      listener.reject(2);
      pair.clock.runUntil(() => recs[1]!.disconnectReason !== null, 10_000);
      expect(recs[1]!.disconnectReason).to.equal("ECONNRESET");
      expect(listener.pendingCount).to.equal(0);
      recs[0]!.conn!.sendPiece(Uint8Array.from([9]));
      pair.clock.runUntil(() => serverRec.received === 1, 10_000);
      expect(() => listener.accept(2, {})).to.throw(/EINVAL/);
      pair.close();
    });

    it("holds data and FIN that arrive before accept and delivers them on accept", () => {
      const pair = enginePair();
      let seq = -1;
      const listener = pair.b.engine.listen({ port: 80 }, { connectionIndication: (ind) => (seq = ind.sequence) });
      const [rec] = clients(pair, 1);
      pair.clock.runUntil(() => seq > 0, 10_000);
      rec!.conn!.sendPiece(Uint8Array.from([1, 2, 3, 4]));
      rec!.conn!.shutdown();
      pair.clock.advance(100);
      const serverRec = new Recorder(pair.clock);
      const server = listener.accept(seq, serverRec);
      serverRec.conn = server;
      expect(serverRec.events).to.deep.equal(["end"]);
      expect(Array.from(serverRec.bytes())).to.deep.equal([1, 2, 3, 4]);
      expect(server.state).to.equal(TcpState.CLOSE_WAIT);
      pair.close();
    });

    it("merges many small segments held before accept into one piece, in order, kept apart from urgent data", () => {
      const pair = enginePair();
      let seq = -1;
      const listener = pair.b.engine.listen({ port: 80 }, { connectionIndication: (ind) => (seq = ind.sequence) });
      const [rec] = clients(pair, 1);
      pair.clock.runUntil(() => seq > 0, 10_000);
      const client = rec!.conn!;
      client.setNoDelay(true);
      const sent: number[] = [];
      for (let i = 0; i < 300; i++) {
        client.sendPiece(Uint8Array.of(i & 0xff));
        sent.push(i & 0xff);
        pair.clock.advance(1);
      }
      pair.clock.advance(100);
      const serverRec = new Recorder(pair.clock);
      serverRec.conn = listener.accept(seq, serverRec);
      expect(Array.from(serverRec.bytes())).to.deep.equal(sent);
      expect(serverRec.chunks.length, "one merged piece instead of 300").to.equal(1);
      pair.close();
    });

    it("a pending connection reset by the peer raises disconnect on the listener with its sequence", () => {
      const pair = enginePair();
      const lost: Array<[number, string]> = [];
      let seq = -1;
      const listener = pair.b.engine.listen(
        { port: 80 },
        { connectionIndication: (ind) => (seq = ind.sequence), disconnect: (s, reason) => lost.push([s, reason]) },
      );
      const [rec] = clients(pair, 1);
      pair.clock.runUntil(() => seq > 0, 10_000);
      rec!.conn!.abort();
      pair.clock.advance(10);
      expect(lost).to.deep.equal([[1, "ECONNRESET"]]);
      expect(listener.pendingCount).to.equal(0);
      expect(pair.b.engine.connectionCount).to.equal(0);
      pair.close();
    });

    it("backlog: SYNs beyond a full accept queue are dropped and final ACKs are not taken until there is room", () => {
      const pair = enginePair();
      const indications: number[] = [];
      const listener = pair.b.engine.listen({ port: 80, backlog: 1 }, { connectionIndication: (ind) => indications.push(ind.sequence) });
      // Two handshakes in flight together: both SYNs are admitted (queue empty), the second final ACK is dropped.
      const first = clients(pair, 2);
      pair.clock.advance(50);
      expect(indications).to.deep.equal([1]);
      expect(listener.pendingCount).to.equal(1);
      expect(listener.halfOpenCount).to.equal(1);
      // A third client's SYN meets a full queue and is dropped.
      const [third] = clients(pair, 1);
      pair.clock.advance(50);
      expect(pair.b.engine.stats().listenOverflows).to.equal(1);
      expect(third!.conn!.state).to.equal(TcpState.SYN_SENT);
      // Accepting makes room: the retransmitted SYN-ACK brings the second ACK, then the third SYN gets in.
      const conns: TcpConnection[] = [listener.accept(1, {})];
      pair.clock.runUntil(() => indications.length === 2, 10_000);
      conns.push(listener.accept(2, {}));
      pair.clock.runUntil(() => indications.length === 3, 10_000);
      expect(indications).to.deep.equal([1, 2, 3]);
      expect(first.every((r) => r.connectedAt >= 0) && third!.connectedAt >= 0).to.equal(true);
      pair.close();
    });
  });
});
