/**
 * /dev/rawtcp through t_* calls only, between two user-space stacks on an in-memory hub (no
 * privileges): t_info as /dev/tcp's, the port reserved at t_bind, a listener bounded by qlen,
 * t_accept onto the listener or another endpoint, rejecting an indication, resets and refusals
 * with their errno, orderly release with nothing lost, urgent data at its place both ways, flow
 * control from the send buffer and the receive window, and a timeout.
 */
import { expect } from "chai";
import {
  Endpoint,
  Errno,
  F_SETFL,
  O_NONBLOCK,
  T_CONNECT,
  T_COTS_ORD,
  T_DATA,
  T_DISCONNECT,
  T_EXPEDITED,
  T_GODATA,
  T_IDLE,
  T_INFINITE,
  T_INVALID,
  T_LISTEN,
  TADDRBUSY,
  TBADADDR,
  TBADDATA,
  TFLOW,
  TLOOK,
  TNODATA,
  fcntl,
  netbuf,
  sockaddr_in,
  t_accept,
  t_bind,
  t_bind_of,
  t_call_of,
  t_close,
  t_connect,
  t_discon_of,
  t_getinfo,
  t_getprotaddr,
  t_getstate,
  t_listen,
  t_look,
  t_rcv,
  t_rcvconnect,
  t_rcvdis,
  t_snd,
  t_snddis,
  t_sndrel,
  type t_info,
} from "../../../src/index.js";
import { cleanup, detach, expectFail, ok, open, pattern, text } from "../../helpers/xti.js";
import { bound, connectTo, lookFor, memoryHosts, portOf, receiveAll, transcript } from "./helpers.js";

describe("packet/xti: /dev/rawtcp over two stacks on an in-memory hub", function () {
  this.timeout(20_000);
  const hosts = memoryHosts("tcp");
  const { a, b } = hosts;

  afterEach(cleanup);
  after(() => hosts.remove());

  /** A listener on a, a client on b connected to it, accepted onto a separate endpoint. */
  async function pair(): Promise<{ listener: number; server: number; client: number }> {
    const l = await bound(a.tcp, a.address, 1);
    const server = open(a.tcp);
    const call = t_call_of({ addr: 16 });
    const accepted = (async () => {
      await ok(t_listen(l.fd, call), "t_listen");
      await ok(t_accept(l.fd, server, call), "t_accept");
    })();
    const client = await connectTo(b.tcp, l.addr);
    await accepted;
    return { listener: l.fd, server, client };
  }

  it("Endpoint.rcvUnit returns data with a buffer of its own, not a view of the connection's receive arena", async () => {
    const { server, client } = await pair();
    const ep = Endpoint.fromFd(server);
    await ok(t_snd(client, text("hello"), 5, 0), "t_snd");
    const first = (await ep.rcvUnit()).data;
    expect(Buffer.from(first).toString()).to.equal("hello");
    expect(first.buffer.byteLength, "the unit's buffer holds only the unit").to.equal(5);
    detach(first);
    await ok(t_snd(client, text("world"), 5, 0), "t_snd");
    expect(Buffer.from((await ep.rcvUnit()).data).toString()).to.equal("world");
  });

  it("reports /dev/tcp's t_info: 16-byte addresses, a byte stream, one byte of expedited data in line, no connect or disconnect data", () => {
    const fd = open(a.tcp);
    const info: t_info = { addr: 0, options: 0, tsdu: 0, etsdu: 0, connect: 0, discon: 0, servtype: 0, flags: 0 };
    expect(t_getinfo(fd, info)).to.equal(0);
    expect(info).to.include({ addr: 16, tsdu: 0, etsdu: 1, connect: T_INVALID, discon: T_INVALID, servtype: T_COTS_ORD, flags: 0 });
    expect(info.options).to.be.greaterThan(0);
    expect(info.options).to.not.equal(T_INFINITE);
  });

  describe("t_bind", function () {
    it("reserves the port at bind time even with qlen 0: a second bind of it fails TADDRBUSY", async function () {
      const first = await bound(a.tcp, a.address, 0);
      const fd = open(a.tcp);
      expectFail(await t_bind(fd, { addr: netbuf(sockaddr_in(a.address, first.port)), qlen: 0 }, null), TADDRBUSY);
      expectFail(await t_bind(fd, { addr: netbuf(sockaddr_in("0.0.0.0", first.port)), qlen: 1 }, null), TADDRBUSY);
      await ok(t_close(first.fd));
      await ok(t_bind(fd, { addr: netbuf(sockaddr_in(a.address, first.port)), qlen: 0 }, null), "t_bind once the port is free");
    });

    it("binds the wildcard address and an ephemeral port for a null request, and refuses an address that is not the host's", async function () {
      const fd = open(a.tcp);
      const ret = t_bind_of(16);
      await ok(t_bind(fd, null, ret));
      const addr = ret.addr.buf.subarray(0, ret.addr.len);
      expect(Buffer.from(addr.subarray(4, 8))).to.deep.equal(Buffer.from([0, 0, 0, 0]));
      expect(portOf(addr)).to.be.at.least(49152);
      const other = open(a.tcp);
      expectFail(await t_bind(other, { addr: netbuf(sockaddr_in(b.address, 0)), qlen: 0 }, null), TBADADDR);
      expectFail(await t_bind(other, { addr: netbuf(new Uint8Array(8)), qlen: 0 }, null), TBADADDR);
    });

    it("with TLI's O_T_BIND_REQ, binds another port when the one asked for is taken", async function () {
      const first = await bound(a.tcp, a.address, 0);
      const fd = open(a.tcp, false, "TLI");
      const ret = t_bind_of(16);
      await ok(t_bind(fd, { addr: netbuf(sockaddr_in(a.address, first.port)), qlen: 0 }, ret));
      expect(portOf(ret.addr.buf.subarray(0, ret.addr.len))).to.not.equal(first.port);
    });
  });

  describe("connection establishment", function () {
    it("a listener with qlen 2 indicates two of three callers, the third once one is accepted", async function () {
      const l = await bound(a.tcp, a.address, 2);
      const callers: number[] = [];
      for (let i = 0; i < 3; i++) {
        const c = open(b.tcp, true);
        await ok(t_bind(c, null, null));
        expectFail(await t_connect(c, { ...t_call_of(), addr: netbuf(l.addr) }, null), TNODATA);
        callers.push(c);
      }
      fcntl(l.fd, F_SETFL, O_NONBLOCK);
      const calls = [];
      for (let i = 0; i < 2; i++) {
        await lookFor(l.fd, T_LISTEN);
        const call = t_call_of({ addr: 16 });
        await ok(t_listen(l.fd, call));
        calls.push(call);
      }
      expect(calls[0]!.sequence).to.not.equal(calls[1]!.sequence);
      await new Promise((r) => setTimeout(r, 300));
      expect(t_look(l.fd), "no third indication while two are outstanding").to.not.equal(T_LISTEN);
      const server = open(a.tcp);
      await ok(t_accept(l.fd, server, calls[0]!));
      await lookFor(l.fd, T_LISTEN, 10_000); // the third caller's SYN is retransmitted and now taken
      const third = t_call_of({ addr: 16 });
      await ok(t_listen(l.fd, third));
      expect([calls[0]!.sequence, calls[1]!.sequence]).to.not.include(third.sequence);
      for (const c of callers) await lookFor(c, T_CONNECT);
    });

    it("t_accept onto the listener itself, then the listener listens again once the connection is over", async function () {
      const l = await bound(a.tcp, a.address, 1);
      const call = t_call_of({ addr: 16 });
      const accepted = (async () => {
        await ok(t_listen(l.fd, call));
        await ok(t_accept(l.fd, l.fd, call));
      })();
      const client = await connectTo(b.tcp, l.addr);
      await accepted;
      const peer = t_bind_of(16);
      await ok(t_getprotaddr(l.fd, null, peer));
      expect(peer.addr.len).to.equal(16);
      await ok(t_snd(client, text("over"), 4, 0));
      await ok(t_sndrel(client));
      const got = await receiveAll(l.fd);
      expect(Buffer.from(got.bytes).toString()).to.equal("over");
      await ok(t_sndrel(l.fd));
      expect(t_getstate(l.fd)).to.equal(T_IDLE);
      const second = open(b.tcp);
      await ok(t_bind(second, null, null));
      const c2 = t_call_of({ addr: 16 });
      const again = t_listen(l.fd, c2);
      await ok(t_connect(second, { ...t_call_of(), addr: netbuf(l.addr) }, null));
      await ok(again, "t_listen after the first connection");
    });

    it("t_snddis with an indication's sequence resets that caller (ECONNRESET)", async function () {
      const l = await bound(a.tcp, a.address, 1);
      const c = open(b.tcp, true);
      await ok(t_bind(c, null, null));
      expectFail(await t_connect(c, { ...t_call_of(), addr: netbuf(l.addr) }, null), TNODATA);
      const call = t_call_of({ addr: 16 });
      await ok(t_listen(l.fd, call));
      await ok(t_snddis(l.fd, call));
      await lookFor(c, T_DISCONNECT);
      const d = t_discon_of(0);
      await ok(t_rcvdis(c, d));
      expect(d.reason).to.equal(Errno.ECONNRESET);
    });

    it("a connect to a port nobody listens on is refused: TLOOK, then T_DISCONNECT with ECONNREFUSED", async function () {
      const quiet = await bound(a.tcp, a.address, 0);
      const fd = open(b.tcp);
      await ok(t_bind(fd, null, null));
      expectFail(await t_connect(fd, { ...t_call_of(), addr: netbuf(quiet.addr) }, null), TLOOK);
      const d = t_discon_of(0);
      await ok(t_rcvdis(fd, d));
      expect(d.reason).to.equal(Errno.ECONNREFUSED);
      expect(t_getstate(fd)).to.equal(T_IDLE);
    });

    it("a connect the network never answers times out with ETIMEDOUT", async function () {
      const fast = memoryHosts("timeout", { b: { tcp: { rtoInitialMs: 50, rtoMinMs: 50, synRetries: 1 } } });
      try {
        const l = await bound(fast.a.tcp, fast.a.address, 1);
        // qlen 1: one caller is indicated and two more are held (the stack completes qlen + 1
        // beyond the indicated ones, as the kernel's accept queue does); later SYNs are dropped.
        for (let i = 0; i < 3; i++) {
          const caller = open(fast.b.tcp, true);
          await ok(t_bind(caller, null, null));
          expectFail(await t_connect(caller, { ...t_call_of(), addr: netbuf(l.addr) }, null), TNODATA);
          await lookFor(caller, T_CONNECT);
        }
        await lookFor(l.fd, T_LISTEN);
        const late = open(fast.b.tcp);
        await ok(t_bind(late, null, null));
        expectFail(await t_connect(late, { ...t_call_of(), addr: netbuf(l.addr) }, null), TLOOK);
        const d = t_discon_of(0);
        await ok(t_rcvdis(late, d));
        expect(d.reason).to.equal(Errno.ETIMEDOUT);
      } finally {
        await cleanup();
        await fast.remove();
      }
    });

    it("the wildcard address as a destination is the host itself, as on Linux", async function () {
      const fd = open(a.tcp);
      const ret = t_bind_of(16);
      await ok(t_bind(fd, t_bind_of(0, 1), ret)); // wildcard address, ephemeral port
      const call = t_call_of({ addr: 16 });
      const accepted = t_listen(fd, call).then(() => t_accept(fd, fd, call));
      const client = await connectTo(a.tcp, ret.addr.buf.slice(0, ret.addr.len));
      await ok(accepted);
      await ok(t_snd(client, text("self"), 4, 0));
      const buf = new Uint8Array(8);
      expect(await t_rcv(fd, buf, 8, { value: 0 })).to.equal(4);
    });
  });

  describe("data transfer and release", function () {
    it("moves 4 MB each way at once, then releases in order with nothing lost", async function () {
      const { server, client } = await pair();
      const up = pattern(4 << 20, 3);
      const down = pattern(4 << 20, 4);
      const send = async (fd: number, data: Uint8Array): Promise<void> => {
        for (let off = 0; off < data.length; off += 100_000) {
          const piece = data.subarray(off, Math.min(data.length, off + 100_000));
          await ok(t_snd(fd, piece, piece.length, 0));
        }
        await ok(t_sndrel(fd));
      };
      const [, , atServer, atClient] = await Promise.all([send(client, up), send(server, down), receiveAll(server), receiveAll(client)]);
      expect(atServer.end).to.equal("ordrel");
      expect(atClient.end).to.equal("ordrel");
      expect(Buffer.compare(atServer.bytes, up)).to.equal(0);
      expect(Buffer.compare(atClient.bytes, down)).to.equal(0);
      expect(t_getstate(server)).to.equal(T_IDLE);
      expect(t_getstate(client)).to.equal(T_IDLE);
    });

    it("t_snddis resets the connection: the peer gets T_DISCONNECT with ECONNRESET", async function () {
      const { server, client } = await pair();
      await ok(t_snddis(client, null));
      await lookFor(server, T_DISCONNECT);
      const d = t_discon_of(0);
      await ok(t_rcvdis(server, d));
      expect(d.reason).to.equal(Errno.ECONNRESET);
    });

    it("t_close with data left unread (within the allowance the stack no longer counts) resets the connection: ECONNRESET", async function () {
      const { server, client } = await pair();
      await ok(t_snd(client, text("unread"), 6, 0));
      await lookFor(server, T_DATA);
      await ok(t_close(server));
      await lookFor(client, T_DISCONNECT);
      const d = t_discon_of(0);
      await ok(t_rcvdis(client, d));
      expect(d.reason).to.equal(Errno.ECONNRESET);
    });

    it("t_close after the data was read releases the connection: the peer gets T_ORDREL", async function () {
      const { server, client } = await pair();
      await ok(t_snd(client, text("read"), 4, 0));
      const buf = new Uint8Array(16);
      expect(await t_rcv(server, buf, buf.length, { value: 0 })).to.equal(4);
      await ok(t_close(server));
      expect(await transcript(client)).to.deep.equal(["ORDREL"]);
    });

    it("urgent data keeps its place both ways: 123, 4 expedited, 56, 7 expedited, 89, orderly release", async function () {
      const { server, client } = await pair();
      expectFail(await t_snd(client, text("ab"), 2, T_EXPEDITED), TBADDATA); // etsdu is 1
      for (const [from, to] of [
        [client, server],
        [server, client],
      ] as const) {
        const got = transcript(to);
        const steps: Array<[string, number]> = [["123", 0], ["4", T_EXPEDITED], ["56", 0], ["7", T_EXPEDITED], ["89", 0]];
        for (const [t, flags] of steps) {
          await ok(t_snd(from, text(t), t.length, flags));
          await new Promise((r) => setTimeout(r, 20)); // one urgent byte at a time, as TCP has
        }
        await ok(t_sndrel(from));
        expect(await got).to.deep.equal(["123", "4!", "56", "7!", "89", "ORDREL"]);
      }
    });

    it("flow control: a sender whose peer does not read gets TFLOW, then T_GODATA once the reader catches up", async function () {
      const { server, client } = await pair();
      fcntl(client, F_SETFL, O_NONBLOCK);
      const chunk = new Uint8Array(65536);
      let sent = 0;
      for (;;) {
        const n = await t_snd(client, chunk, chunk.length, 0);
        if (n < 0) {
          expectFail(n, TFLOW);
          break;
        }
        sent += n;
        if (sent > 64 << 20) throw new Error("the sender was never flow-controlled");
      }
      // Bounded by the receiver's window and the sender's buffer (256 KiB each by default), not more.
      expect(sent).to.be.within(256 << 10, 1 << 20);
      let read = 0;
      const buf = new Uint8Array(65536);
      while (read < sent) read += await ok(t_rcv(server, buf, buf.length, { value: 0 }));
      await lookFor(client, T_GODATA);
    });
  });

  describe("t_rcvconnect", function () {
    it("a non-blocking connect completes with T_CONNECT and the peer's address", async function () {
      const l = await bound(a.tcp, a.address, 1);
      const c = open(b.tcp, true);
      await ok(t_bind(c, null, null));
      expectFail(await t_connect(c, { ...t_call_of(), addr: netbuf(l.addr) }, null), TNODATA);
      await lookFor(c, T_CONNECT);
      const call = t_call_of({ addr: 16 });
      fcntl(c, F_SETFL, 0);
      await ok(t_rcvconnect(c, call));
      expect(Buffer.from(call.addr.buf.subarray(0, call.addr.len))).to.deep.equal(Buffer.from(l.addr));
    });
  });
});
