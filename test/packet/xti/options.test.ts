/**
 * The XTI options of /dev/rawtcp through t_optmgmt, read back from the stack: negotiated before a
 * connection and carried into it (by t_connect, or from the listener by t_accept), changed on a
 * live connection, TCP_MAXSEG read-only, keep-alive without the garbage octet, XTI_LINGER 0
 * aborting at t_close, T_IP_REUSEADDR sharing a port.
 */
import { expect } from "chai";
import {
  Errno,
  T_CURRENT,
  T_DISCONNECT,
  T_GARBAGE,
  T_INET_IP,
  T_INET_TCP,
  T_INET_UDP,
  T_IP_REUSEADDR,
  T_IP_TOS,
  T_IP_TTL,
  T_NEGOTIATE,
  T_NO,
  T_ORDREL,
  T_PARTSUCCESS,
  T_READONLY,
  T_SUCCESS,
  T_TCP_KEEPALIVE,
  T_TCP_MAXSEG,
  T_TCP_NODELAY,
  T_UDP_CHECKSUM,
  T_YES,
  XTI_GENERIC,
  XTI_LINGER,
  XTI_RCVBUF,
  XTI_SNDBUF,
  decodeOptions,
  encodeOptions,
  netbuf,
  readScalar,
  readUscalar,
  scalarValue,
  scalarsValue,
  sockaddr_in,
  t_accept,
  t_bind,
  t_bind_of,
  t_call_of,
  t_close,
  t_connect,
  t_discon_of,
  t_listen,
  t_optmgmt,
  t_optmgmt_of,
  t_rcv,
  t_rcvdis,
  t_rcvrel,
  t_snd,
  t_sndrel,
} from "../../../src/index.js";
import { readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TCP_ACK, TCP_SYN, type TcpSegment } from "../../../providers/packet/wire/tcp-segment.js";
import { readPcap } from "../io/helpers/pcap-reader.js";
import { cleanup, ok, open, pattern } from "../../helpers/xti.js";
import { bound, connectTo, lookFor, memoryHosts, receiveAll, userHost } from "./helpers.js";
import { decodeTcp } from "../net/packets.js";

/** The TCP segments of a capture (Ethernet, IPv4 without options), with their IP TTL. */
function capturedTcp(pcap: Uint8Array): Array<{ ttl: number; seg: TcpSegment }> {
  const out: Array<{ ttl: number; seg: TcpSegment }> = [];
  for (const { data } of readPcap(pcap).records) {
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    if (view.getUint16(12) !== 0x0800 || data[23] !== 6) continue;
    const seg = decodeTcp(data.subarray(34, 14 + view.getUint16(16)), view.getUint32(26), view.getUint32(30));
    if (seg !== null) out.push({ ttl: data[22]!, seg });
  }
  return out;
}

async function optmgmt(fd: number, flags: number, level: number, name: number, value?: Uint8Array): Promise<{ status: number; value: Uint8Array }> {
  const ret = t_optmgmt_of(256);
  await ok(t_optmgmt(fd, t_optmgmt_of(encodeOptions([{ level, name, ...(value === undefined ? {} : { value }) }]), flags), ret), "t_optmgmt");
  const [o] = decodeOptions(ret.opt.buf.subarray(0, ret.opt.len)) ?? [];
  if (o === undefined) throw new Error("no option came back");
  return { status: o.status, value: o.value };
}

const set = (fd: number, level: number, name: number, value: Uint8Array) => optmgmt(fd, T_NEGOTIATE, level, name, value);
const current = async (fd: number, level: number, name: number): Promise<Uint8Array> => (await optmgmt(fd, T_CURRENT, level, name)).value;

/** Send 4 MB from `from` to `to` with t_snd/t_rcv; then `from`'s XTI_SNDBUF as it stands. */
async function sendBufferAfterBulk(from: number, to: number): Promise<number> {
  const total = 4 << 20;
  const reading = (async () => {
    const buf = new Uint8Array(65536);
    for (let got = 0; got < total; ) got += await ok(t_rcv(to, buf, buf.length, { value: 0 }), "t_rcv");
  })();
  const piece = pattern(65536);
  for (let sent = 0; sent < total; sent += piece.length) await ok(t_snd(from, piece, piece.length, 0), "t_snd");
  await reading;
  return readUscalar(await current(from, XTI_GENERIC, XTI_SNDBUF));
}

describe("packet/xti: /dev/rawtcp options", function () {
  this.timeout(20_000);
  const hosts = memoryHosts("opt");
  const { a, b } = hosts;

  afterEach(cleanup);
  after(() => hosts.remove());

  it("negotiated before t_connect, they are the connection's; changed on it, they take effect", async function () {
    const l = await bound(a.tcp, a.address, 1);
    const fd = open(b.tcp);
    await ok(t_bind(fd, null, null));
    expect((await set(fd, T_INET_TCP, T_TCP_NODELAY, scalarValue(T_YES))).status).to.equal(T_SUCCESS);
    await set(fd, XTI_GENERIC, XTI_SNDBUF, scalarValue(100_000));
    await set(fd, XTI_GENERIC, XTI_RCVBUF, scalarValue(120_000));
    await set(fd, T_INET_IP, T_IP_TTL, Uint8Array.of(17));
    await set(fd, T_INET_IP, T_IP_TOS, Uint8Array.of(0x10));
    const accepted = t_listen(l.fd, t_call_of({ addr: 16 }));
    await ok(t_connect(fd, { ...t_call_of(), addr: netbuf(l.addr) }, null));
    await accepted;
    expect(readUscalar(await current(fd, T_INET_TCP, T_TCP_NODELAY))).to.equal(T_YES);
    expect(readUscalar(await current(fd, XTI_GENERIC, XTI_SNDBUF))).to.equal(100_000);
    expect(readUscalar(await current(fd, XTI_GENERIC, XTI_RCVBUF))).to.equal(120_000);
    expect((await current(fd, T_INET_IP, T_IP_TTL))[0]).to.equal(17);
    expect((await current(fd, T_INET_IP, T_IP_TOS))[0]).to.equal(0x10);
    expect(readUscalar(await current(fd, T_INET_TCP, T_TCP_MAXSEG)), "the MSS of a 1500-byte MTU less timestamps").to.equal(1448);
    await set(fd, T_INET_TCP, T_TCP_NODELAY, scalarValue(T_NO));
    expect(readUscalar(await current(fd, T_INET_TCP, T_TCP_NODELAY))).to.equal(T_NO);
  });

  it("TCP-level options are read-only in T_UNBND (the appendix), negotiated in T_IDLE they are the connection's from t_connect", async function () {
    const l = await bound(a.tcp, a.address, 1);
    const fd = open(b.tcp);
    expect((await set(fd, T_INET_TCP, T_TCP_NODELAY, scalarValue(T_YES))).status, "T_UNBND").to.equal(T_READONLY);
    expect((await set(fd, T_INET_TCP, T_TCP_KEEPALIVE, scalarsValue(T_YES, 30))).status, "T_UNBND").to.equal(T_READONLY);
    expect(readUscalar(await current(fd, T_INET_TCP, T_TCP_NODELAY)), "nothing changed").to.equal(T_NO);
    expect((await set(fd, T_INET_IP, T_IP_TTL, Uint8Array.of(33))).status, "IP-level options are negotiable unbound").to.equal(T_SUCCESS);
    await ok(t_bind(fd, null, null));
    expect((await set(fd, T_INET_TCP, T_TCP_NODELAY, scalarValue(T_YES))).status, "T_IDLE").to.equal(T_SUCCESS);
    expect((await set(fd, T_INET_TCP, T_TCP_KEEPALIVE, scalarsValue(T_YES, 30))).status, "T_IDLE").to.equal(T_SUCCESS);
    const accepted = t_listen(l.fd, t_call_of({ addr: 16 }));
    await ok(t_connect(fd, { ...t_call_of(), addr: netbuf(l.addr) }, null));
    await accepted;
    // T_CURRENT reads the stack's connection back.
    expect(readUscalar(await current(fd, T_INET_TCP, T_TCP_NODELAY))).to.equal(T_YES);
    const k = await current(fd, T_INET_TCP, T_TCP_KEEPALIVE);
    expect([readScalar(k, 0), readScalar(k, 1)]).to.deep.equal([T_YES, 30]);
    expect((await current(fd, T_INET_IP, T_IP_TTL))[0]).to.equal(33);
  });

  it("a connection accepted onto an unbound endpoint makes its TCP options negotiable there", async function () {
    const l = await bound(a.tcp, a.address, 1);
    const acceptor = open(a.tcp);
    expect((await set(acceptor, T_INET_TCP, T_TCP_NODELAY, scalarValue(T_YES))).status, "T_UNBND").to.equal(T_READONLY);
    const call = t_call_of({ addr: 16 });
    const accepting = t_listen(l.fd, call).then(() => t_accept(l.fd, acceptor, call));
    await connectTo(b.tcp, l.addr);
    await ok(accepting);
    expect((await set(acceptor, T_INET_TCP, T_TCP_NODELAY, scalarValue(T_YES))).status, "T_DATAXFER").to.equal(T_SUCCESS);
    expect(readUscalar(await current(acceptor, T_INET_TCP, T_TCP_NODELAY))).to.equal(T_YES);
  });

  it("UDP_CHECKSUM on /dev/rawudp is read-only until t_bind", async function () {
    const fd = open(a.udp);
    expect((await set(fd, T_INET_UDP, T_UDP_CHECKSUM, scalarValue(T_NO))).status, "T_UNBND").to.equal(T_READONLY);
    expect(readUscalar(await current(fd, T_INET_UDP, T_UDP_CHECKSUM))).to.equal(T_YES);
    await ok(t_bind(fd, null, null));
    expect((await set(fd, T_INET_UDP, T_UDP_CHECKSUM, scalarValue(T_NO))).status, "T_IDLE").to.equal(T_SUCCESS);
    expect(readUscalar(await current(fd, T_INET_UDP, T_UDP_CHECKSUM))).to.equal(T_NO);
  });

  it("XTI_SNDBUF left alone, the send buffer grows with the congestion window during a transfer (as on Linux); set, it stays", async function () {
    const sizes: number[] = [];
    for (const pinned of [false, true]) {
      const l = await bound(a.tcp, a.address, 1);
      const fd = open(b.tcp);
      await ok(t_bind(fd, null, null));
      if (pinned) await set(fd, XTI_GENERIC, XTI_SNDBUF, scalarValue(256 << 10));
      const call = t_call_of({ addr: 16 });
      const accepted = t_listen(l.fd, call).then(() => t_accept(l.fd, l.fd, call));
      await ok(t_connect(fd, { ...t_call_of(), addr: netbuf(l.addr) }, null));
      await ok(accepted);
      sizes.push(await sendBufferAfterBulk(fd, l.fd));
      await t_close(fd);
      await t_close(l.fd);
    }
    expect(sizes[0], "grown").to.be.above(256 << 10);
    expect(sizes[1], "pinned").to.equal(256 << 10);
  });

  it("a connection accepted onto another endpoint has that endpoint's options, not the listener's (XTI: resfd's)", async function () {
    const l = await bound(a.tcp, a.address, 1);
    await set(l.fd, T_INET_TCP, T_TCP_NODELAY, scalarValue(T_YES));
    await set(l.fd, T_INET_TCP, T_TCP_KEEPALIVE, scalarsValue(T_YES, 10));
    await set(l.fd, T_INET_IP, T_IP_TTL, Uint8Array.of(33));
    await set(l.fd, XTI_GENERIC, XTI_SNDBUF, scalarValue(100_000));
    const acceptor = open(a.tcp);
    await ok(t_bind(acceptor, null, null));
    await set(acceptor, T_INET_IP, T_IP_TTL, Uint8Array.of(44));
    await set(acceptor, XTI_GENERIC, XTI_RCVBUF, scalarValue(150_000));
    const call = t_call_of({ addr: 16 });
    const accepting = t_listen(l.fd, call).then(() => t_accept(l.fd, acceptor, call));
    const client = await connectTo(b.tcp, l.addr);
    await ok(accepting);
    expect(readUscalar(await current(acceptor, T_INET_TCP, T_TCP_NODELAY)), "the acceptor's default").to.equal(T_NO);
    expect(readScalar(await current(acceptor, T_INET_TCP, T_TCP_KEEPALIVE), 0), "the acceptor's default").to.equal(T_NO);
    expect(readUscalar(await current(acceptor, XTI_GENERIC, XTI_SNDBUF)), "the acceptor's default").to.equal(256 << 10);
    expect((await current(acceptor, T_INET_IP, T_IP_TTL))[0]).to.equal(44);
    expect(readUscalar(await current(acceptor, XTI_GENERIC, XTI_RCVBUF))).to.equal(150_000);
    expect(readUscalar(await current(l.fd, T_INET_TCP, T_TCP_NODELAY)), "the listener keeps its own").to.equal(T_YES);
    // The acceptor never set XTI_SNDBUF: its connection's send buffer sizes itself, as if the listener had not set it either.
    expect(await sendBufferAfterBulk(acceptor, client), "the acceptor's send buffer grows").to.be.above(256 << 10);
  });

  it("options negotiated on a listener after t_bind are those of its connections from the SYN-ACK on", async function () {
    const file = join(tmpdir(), `rawtcp-listener-options-${process.pid}.pcap`);
    const h = memoryHosts("lopt", { a: { pcap: file } });
    try {
      const l = await bound(h.a.tcp, h.a.address, 1);
      await set(l.fd, XTI_GENERIC, XTI_RCVBUF, scalarValue(4 << 20));
      await set(l.fd, T_INET_IP, T_IP_TTL, Uint8Array.of(33));
      await set(l.fd, T_INET_TCP, T_TCP_KEEPALIVE, scalarsValue(T_YES, 10));
      const call = t_call_of({ addr: 16 });
      const accepting = t_listen(l.fd, call).then(() => t_accept(l.fd, l.fd, call));
      await connectTo(h.b.tcp, l.addr);
      await ok(accepting);
      expect(readUscalar(await current(l.fd, XTI_GENERIC, XTI_RCVBUF))).to.equal(4 << 20);
      expect([readScalar(await current(l.fd, T_INET_TCP, T_TCP_KEEPALIVE), 0), readScalar(await current(l.fd, T_INET_TCP, T_TCP_KEEPALIVE), 1)]).to.deep.equal([T_YES, 10]);
    } finally {
      await cleanup();
      await h.remove(); // closes the hosts: the capture is complete
    }
    const synAcks = capturedTcp(readFileSync(file)).filter((x) => (x.seg.flags & (TCP_SYN | TCP_ACK)) === (TCP_SYN | TCP_ACK));
    rmSync(file, { force: true });
    expect(synAcks).to.have.length(1);
    expect(synAcks[0]!.ttl).to.equal(33);
    expect(synAcks[0]!.seg.options.windowScale, "the scale a 4 MiB buffer needs (256 KiB needs 3)").to.equal(7);
  });

  it("TCP_MAXSEG is read-only; keep-alive is taken without the garbage octet", async function () {
    const fd = open(a.tcp);
    await ok(t_bind(fd, null, null));
    expect((await set(fd, T_INET_TCP, T_TCP_MAXSEG, scalarValue(1000))).status).to.equal(T_READONLY);
    expect(readUscalar(await current(fd, T_INET_TCP, T_TCP_MAXSEG))).to.equal(536);
    const r = await set(fd, T_INET_TCP, T_TCP_KEEPALIVE, scalarsValue(T_YES | T_GARBAGE, 30));
    expect(r.status).to.equal(T_PARTSUCCESS);
    expect([readScalar(r.value, 0), readScalar(r.value, 1)]).to.deep.equal([T_YES, 30]);
  });

  it("XTI_LINGER with l_linger 0: t_close resets the connection", async function () {
    const l = await bound(a.tcp, a.address, 1);
    const call = t_call_of({ addr: 16 });
    const accepting = t_listen(l.fd, call).then(() => t_accept(l.fd, l.fd, call));
    const client = await connectTo(b.tcp, l.addr);
    await ok(accepting);
    await set(client, XTI_GENERIC, XTI_LINGER, scalarsValue(T_YES, 0));
    await ok(t_close(client));
    await lookFor(l.fd, T_DISCONNECT);
    const d = t_discon_of(0);
    await ok(t_rcvdis(l.fd, d));
    expect(d.reason).to.equal(Errno.ECONNRESET);
  });

  it("XTI_LINGER with l_linger 0 on a connection in TIME_WAIT: t_close sends nothing and the stack keeps the wait", async function () {
    open(b.tcp); // keeps b's host up once the client is closed
    const l = await bound(a.tcp, a.address, 1);
    const call = t_call_of({ addr: 16 });
    const accepting = t_listen(l.fd, call).then(() => t_accept(l.fd, l.fd, call));
    const client = await connectTo(b.tcp, l.addr);
    await ok(accepting);
    await ok(t_sndrel(client)); // the client releases first: its connection ends in TIME_WAIT
    await lookFor(l.fd, T_ORDREL);
    await ok(t_rcvrel(l.fd));
    await ok(t_sndrel(l.fd));
    await lookFor(client, T_ORDREL);
    await ok(t_rcvrel(client));
    const engine = userHost(b).tcp;
    expect([engine.connectionCount, engine.openConnections], "one connection, in TIME_WAIT").to.deep.equal([1, 0]);
    await set(client, XTI_GENERIC, XTI_LINGER, scalarsValue(T_YES, 0));
    const sent = engine.stats().segmentsSent;
    await ok(t_close(client));
    await new Promise((r) => setTimeout(r, 50));
    expect(engine.stats().segmentsSent, "no RST").to.equal(sent);
    expect(engine.connectionCount, "the TIME_WAIT is still there").to.equal(1);
  });

  describe("XTI_LINGER with a time", function () {
    /** A listener on a, a client on b connected to it, accepted onto a separate endpoint. */
    async function pair(): Promise<{ server: number; client: number }> {
      const l = await bound(a.tcp, a.address, 1);
      const server = open(a.tcp);
      const call = t_call_of({ addr: 16 });
      const accepting = t_listen(l.fd, call).then(() => t_accept(l.fd, server, call));
      const client = await connectTo(b.tcp, l.addr);
      await ok(accepting);
      return { server, client };
    }

    async function send(fd: number, data: Uint8Array): Promise<void> {
      for (let off = 0; off < data.length; off += 65536) await ok(t_snd(fd, data.subarray(off, off + 65536), Math.min(65536, data.length - off), 0), "t_snd");
    }

    /** t_close(fd), and when it returned (-1 while it has not). */
    function closing(fd: number): { done: Promise<number>; at: () => number } {
      let at = -1;
      const done = t_close(fd).then((r) => {
        at = Date.now();
        return r;
      });
      return { done, at: () => at };
    }

    for (const seconds of [10, 3_000_000]) {
      it(`${seconds} s: t_close sends the FIN after the data and waits until the peer has acknowledged all of it; nothing is lost${seconds > 2_147_483 ? " (beyond what one timer can wait: no early return, no TimeoutOverflowWarning)" : ""}`, async function () {
        const warnings: string[] = [];
        const onWarning = (w: Error): void => {
          warnings.push(w.name);
        };
        process.on("warning", onWarning);
        try {
          const { server, client } = await pair();
          expect((await set(client, XTI_GENERIC, XTI_LINGER, scalarsValue(T_YES, seconds))).status, "any time is taken, as by /dev/tcp").to.equal(T_SUCCESS);
          const data = pattern(400_000, 5);
          await send(client, data);
          const started = Date.now();
          const c = closing(client);
          await new Promise((r) => setTimeout(r, 300));
          expect(c.at(), "t_close still waits: the peer has not read").to.equal(-1);
          const got = await receiveAll(server);
          await ok(c.done, "t_close");
          expect(got.end).to.equal("ordrel");
          expect(Buffer.compare(got.bytes, data), "every byte, in order").to.equal(0);
          expect(c.at() - started).to.be.within(300, 9000);
          await new Promise((r) => setImmediate(r));
          expect(warnings).to.not.include("TimeoutOverflowWarning");
        } finally {
          process.off("warning", onWarning);
        }
      });
    }

    it("1 s that the peer does not acknowledge in: t_close returns after it and the connection is reset", async function () {
      const { server, client } = await pair();
      await set(client, XTI_GENERIC, XTI_LINGER, scalarsValue(T_YES, 1));
      await send(client, pattern(400_000, 6)); // more than the server's window: it does not read
      const started = Date.now();
      await ok(t_close(client));
      expect(Date.now() - started).to.be.within(900, 5000);
      const got = await receiveAll(server);
      expect(got.end).to.equal("disconnect");
      expect(got.reason).to.equal(Errno.ECONNRESET);
    });
  });

  it("T_IP_REUSEADDR on both lets two endpoints bind one port", async function () {
    const first = open(a.tcp);
    const second = open(a.tcp);
    for (const fd of [first, second]) await set(fd, T_INET_IP, T_IP_REUSEADDR, scalarValue(T_YES));
    const ret = t_bind_of(16);
    await ok(t_bind(first, { addr: netbuf(sockaddr_in(a.address, 0)), qlen: 0 }, ret));
    await ok(t_bind(second, { addr: ret.addr, qlen: 0 }, null), "a second bind of the same port");
  });
});
