/**
 * Seeded random segments against live connections: malformed or hostile input must be dropped,
 * answered or reset, never thrown on. Forged in-window data with a valid checksum would be taken
 * by any TCP, so only broken segments carry payload here; then nothing may corrupt the stream.
 */
import { expect } from "chai";
import { SeededRandom } from "../../../providers/packet/random.js";
import { TcpState } from "../../../providers/packet/stack/tcp/types.js";
import type { TcpOptions } from "../../../providers/packet/wire/tcp-segment.js";
import { ADDR_A, ADDR_B, connectPair, enginePair, payload, pump } from "./harness.js";
import { encodeTcp } from "../net/packets.js";

describe("packet/tcp fuzz", () => {
  it("survives 20 000 random segments aimed at a transfer in progress without throwing or corrupting data", function () {
    this.timeout(30_000);
    const pair = enginePair({ latencyMs: 2, config: { challengeAckLimit: 1_000_000 } });
    const c = connectPair(pair);
    const data = payload(2_000_000, 4);
    pump(c.client, c.clientRec, data);
    const rnd = new SeededRandom(99);
    const near = (base: number): number => (base + Math.floor((rnd.next() - 0.5) * 2 * 300_000)) >>> 0;
    const bases = (): { toServer: number; toClient: number } => {
      // Recent sequence/ack numbers seen on the wire, so the random segments land near the windows.
      const a = pair.a.host.sent[pair.a.host.sent.length - 1]!.seg;
      return { toServer: a.seq, toClient: a.ack };
    };
    let injected = 0;
    for (let round = 0; round < 200; round++) {
      pair.clock.advance(5);
      for (let i = 0; i < 100; i++) {
        const b = bases();
        const toServer = rnd.next() < 0.5;
        const options: TcpOptions = {};
        if (rnd.next() < 0.3) options.timestamp = { value: rnd.nextU32(), echo: rnd.nextU32() };
        if (rnd.next() < 0.2) options.sack = [[near(b.toClient), near(b.toClient)]];
        if (rnd.next() < 0.05) options.mss = rnd.nextU32() & 0xffff;
        if (rnd.next() < 0.05) options.windowScale = rnd.nextU32() & 0xff;
        // RST is left out here: a lucky exact RST would legitimately end the connection.
        const flags = rnd.nextU32() & 0xfb;
        const broken = rnd.next() < 0.2;
        const len = broken && rnd.next() < 0.5 ? Math.floor(rnd.next() * 1400) : 0;
        const seg = {
          srcPort: toServer ? c.client.local.port : 80,
          dstPort: toServer ? 80 : c.client.local.port,
          seq: near(toServer ? b.toServer : b.toClient),
          ack: near(toServer ? b.toClient : b.toServer),
          flags,
          window: rnd.nextU32() & 0xffff,
          urgentPointer: rnd.nextU32() & 0xffff,
          options,
          payload: new Uint8Array(len),
        };
        const [engine, src, dst] = toServer ? [pair.b.engine, ADDR_A, ADDR_B] : [pair.a.engine, ADDR_B, ADDR_A];
        const bytes = encodeTcp(seg, src, dst);
        if (broken) {
          const k = Math.floor(rnd.next() * bytes.length);
          bytes[k] = bytes[k]! ^ 0xff;
        }
        if (rnd.next() < 0.05) {
          engine.input(src, dst, bytes.subarray(0, Math.floor(rnd.next() * bytes.length)));
        } else {
          engine.input(src, dst, bytes);
        }
        injected++;
      }
    }
    expect(injected).to.equal(20_000);
    // Forged ACKs inside (SND.UNA, SND.NXT] pass RFC 5961 and may stall the stream; forged FINs
    // may end it early. What did arrive must still be an exact prefix of what was sent.
    pair.clock.runUntil(() => c.serverRec.received === data.length || c.client.state === TcpState.CLOSED || c.server.state === TcpState.CLOSED, 60_000);
    const got = c.serverRec.bytes();
    expect(Buffer.compare(got, data.subarray(0, got.length))).to.equal(0);
    expect(pair.a.engine.stats().malformed + pair.b.engine.stats().malformed).to.be.greaterThan(0);
    pair.close();
  });

  it("keeps a listener and closed ports sane under 5 000 random segments (RST and SYN included)", () => {
    const pair = enginePair({ latencyMs: 1, configB: { synBacklog: 16 } });
    let indications = 0;
    pair.b.engine.listen({ port: 80, backlog: 4 }, { connectionIndication: () => indications++ });
    const rnd = new SeededRandom(7);
    for (let i = 0; i < 5000; i++) {
      const seg = {
        srcPort: 1 + (rnd.nextU32() % 65535),
        dstPort: rnd.next() < 0.7 ? 80 : 81,
        seq: rnd.nextU32(),
        ack: rnd.nextU32(),
        flags: rnd.nextU32() & 0xff,
        window: rnd.nextU32() & 0xffff,
        urgentPointer: rnd.nextU32() & 0xffff,
        options: rnd.next() < 0.5 ? { mss: rnd.nextU32() & 0xffff, windowScale: rnd.nextU32() & 0xff, sackPermitted: true } : {},
        payload: new Uint8Array(rnd.next() < 0.3 ? 100 : 0),
      };
      pair.b.engine.input(ADDR_A, ADDR_B, encodeTcp(seg, ADDR_A, ADDR_B));
      if (i % 100 === 0) pair.clock.advance(10);
    }
    // Half-open connections are bounded by the SYN backlog; none completed (no valid final ACK).
    expect(pair.b.engine.connectionCount).to.be.at.most(16);
    expect(indications).to.equal(0);
    expect(pair.b.engine.stats().resetsSent).to.be.greaterThan(0);
    pair.clock.advance(200_000); // half-open ones time out
    expect(pair.b.engine.connectionCount).to.equal(0);
    // A genuine client still gets in.
    const c = connectPair(pair, 90);
    expect(c.server.state).to.equal(TcpState.ESTABLISHED);
    pair.close();
  });
});
