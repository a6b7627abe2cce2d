/**
 * Whole-piece sends (the SPI's data request rule, STREAMS canput) and the receive window that
 * opens only as the user consumes, end to end between two hosts on the in-memory hub.
 */
import { expect } from "chai";
import type { TcpConnection } from "../../../providers/packet/stack/tcp/connection.js";
import { Net, ip } from "../net/harness.js";
import { Recorder, payload } from "./harness.js";

interface Pair {
  net: Net;
  client: TcpConnection;
  server: TcpConnection;
  clientRec: Recorder;
  serverRec: Recorder;
}

function connected(options: { sendBufferSize?: number; receiveBufferSize?: number } = {}): Pair {
  const net = new Net({ latencyMs: 1 });
  const a = net.host(1);
  const b = net.host(2);
  const serverRec = new Recorder(net.clock);
  let server: TcpConnection | null = null;
  const listener = b.tcp.listen(
    { port: 80, ...(options.receiveBufferSize === undefined ? {} : { receiveBufferSize: options.receiveBufferSize }) },
    {
      connectionIndication: (ind) => {
        server = listener.accept(ind.sequence, serverRec);
        serverRec.conn = server;
      },
    },
  );
  const clientRec = new Recorder(net.clock);
  const client = a.tcp.connect({ remote: { address: ip(2), port: 80 }, ...(options.sendBufferSize === undefined ? {} : { sendBufferSize: options.sendBufferSize }) }, clientRec);
  clientRec.conn = client;
  net.clock.runUntil(() => server !== null && clientRec.connectedAt >= 0, 10_000);
  return { net, client, server: server!, clientRec, serverRec };
}

describe("packet/tcp whole-piece sends", () => {
  it("takes a piece whole while the queue is below the mark, even past it, refuses it whole above, and says when to retry", async () => {
    const { net, client, clientRec, serverRec } = connected({ sendBufferSize: 10_000 });
    // The clock stands still between these calls, so nothing is acknowledged in between.
    const pieces = [payload(9_000, 1), payload(8_000, 2), payload(100, 3)];
    expect(client.sendPiece(pieces[0]!)).to.equal(true);
    expect(client.sendPiece(pieces[1]!), "9,000 queued < 10,000: taken whole, 17,000 now").to.equal(true);
    expect(client.sendPiece(pieces[2]!), "at or above the mark: refused whole").to.equal(false);
    expect(client.sendBufferFree).to.equal(0);
    net.clock.runUntil(() => clientRec.events.includes("writable"), 10_000);
    expect(client.sendPiece(pieces[2]!)).to.equal(true);
    net.clock.runUntil(() => serverRec.received === 17_100, 10_000);
    expect(Buffer.compare(serverRec.bytes(), Buffer.concat(pieces))).to.equal(0);
    await net.close();
  });

  it("keeps the refused piece out of the stream: nothing is lost, duplicated or reordered over many refusals", async () => {
    const { net, client, clientRec, serverRec } = connected({ sendBufferSize: 4096 });
    const data = payload(300_000, 4);
    let offset = 0;
    let refusals = 0;
    const fill = (): void => {
      while (offset < data.length) {
        const piece = data.subarray(offset, Math.min(data.length, offset + 1000));
        if (!client.sendPiece(piece)) {
          refusals++;
          return;
        }
        offset += piece.length;
      }
    };
    clientRec.writable = fill;
    fill();
    net.clock.runUntil(() => serverRec.received === data.length, 600_000);
    expect(refusals).to.be.above(10);
    expect(Buffer.compare(serverRec.bytes(), data)).to.equal(0);
    await net.close();
  });

  it("treats an urgent one-byte piece (t_snd with T_EXPEDITED) by the same rule, marking nothing when refused", async () => {
    const { net, client, clientRec, serverRec } = connected({ sendBufferSize: 2000 });
    serverRec.autoConsume = false;
    net.clock.advance(0);
    expect(client.sendPiece(payload(2500, 5))).to.equal(true);
    expect(client.sendPiece(Uint8Array.of(0x21), { urgent: true })).to.equal(false);
    net.clock.advance(500);
    expect(serverRec.urgentOffsets, "no urgent pointer went out for the refused byte").to.deep.equal([]);
    serverRec.autoConsume = true;
    serverRec.conn!.consumed(serverRec.received);
    net.clock.runUntil(() => clientRec.events.includes("writable"), 10_000);
    expect(client.sendPiece(Uint8Array.of(0x21), { urgent: true })).to.equal(true);
    expect(client.sendPiece(Uint8Array.of(0x22))).to.equal(true);
    net.clock.runUntil(() => serverRec.received === 2502, 10_000);
    expect(serverRec.urgentMarks, "the urgent byte ends a chunk at its place in the stream").to.deep.equal([2501]);
    expect(Array.from(serverRec.bytes().subarray(2500))).to.deep.equal([0x21, 0x22]);
    await net.close();
  });

  it("refuses pieces once shut down or closed", async () => {
    const { net, client } = connected();
    client.shutdown();
    expect(() => client.sendPiece(Uint8Array.of(1))).to.throw(/EPIPE/);
    client.abort();
    expect(() => client.sendPiece(Uint8Array.of(1))).to.throw(/ENOTCONN/);
    await net.close();
  });
});

describe("packet/tcp receive window follows what the user consumed", () => {
  it("advertises no more room than the user has freed: the sender stops, and resumes only after consumed()", async () => {
    const { net, client, clientRec, server, serverRec } = connected({ receiveBufferSize: 20_000 });
    serverRec.autoConsume = false;
    const data = payload(100_000, 6);
    let offset = 0;
    const fill = (): void => {
      while (offset < data.length && client.sendPiece(data.subarray(offset, Math.min(data.length, offset + 8192)))) offset += 8192;
      offset = Math.min(offset, data.length);
    };
    clientRec.writable = fill;
    fill();
    net.clock.advance(5_000);
    const stalledAt = serverRec.received;
    expect(stalledAt, "at most the receive buffer arrives unconsumed").to.be.within(1, 20_000);
    expect(server.stats().receiveWindow).to.equal(0);
    net.clock.advance(30_000); // window probes, but no new data is taken
    expect(serverRec.received).to.equal(stalledAt);
    server.consumed(stalledAt);
    expect(server.stats().receiveWindow).to.be.above(0);
    serverRec.autoConsume = true;
    net.clock.runUntil(() => serverRec.received === data.length, 600_000);
    expect(Buffer.compare(serverRec.bytes(), data)).to.equal(0);
    expect(client.stats().rtoEvents, "a closed window is probed, not timed out").to.equal(0);
    await net.close();
  });
});
