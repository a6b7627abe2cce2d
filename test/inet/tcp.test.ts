/**
 * /dev/tcp against peers that are not this library: Python's socket module over the kernel's
 * loopback. Bulk data both ways, half-close and reset in both directions, refused connects, urgent
 * data placed exactly both ways, the connection queue, addresses, and binding errors.
 */
import { expect } from "chai";
import { createHash } from "node:crypto";
import { execFile } from "node:child_process";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ECONNREFUSED, ECONNRESET } from "../../src/errno.js";
import {
  F_SETFL,
  O_NONBLOCK,
  T_DATAXFER,
  T_DISCONNECT,
  T_EXDATA,
  T_EXPEDITED,
  T_IDLE,
  T_INREL,
  T_LISTEN,
  T_ORDREL,
  T_GODATA,
  T_INFINITE,
  T_INET_IP,
  T_IP_REUSEADDR,
  T_NEGOTIATE,
  T_SUCCESS,
  T_YES,
  TADDRBUSY,
  TLOOK,
  TNODATA,
  TQFULL,
  XTI_GENERIC,
  XTI_LINGER,
  encodeOptions,
  fcntl,
  netbuf,
  scalarValue,
  scalarsValue,
  t_accept,
  t_bind,
  t_bind_of,
  t_call_of,
  t_close,
  t_connect,
  t_discon_of,
  t_errno,
  t_getprotaddr,
  t_listen,
  t_look,
  t_optmgmt,
  t_optmgmt_of,
  t_rcv,
  t_rcvdis,
  t_snd,
  t_snddis,
  t_sndrel,
  tErrnoName,
} from "../../src/index.js";
import { requireRoot } from "../packet/io/helpers/privileges.js";
import { cleanup, expectFail, ok, open, pattern, state, text } from "../helpers/xti.js";
import { hex, PeerProcess, servePeer, unhex } from "./helpers/peer.js";
import { bound, connectTo, loopback, portOf, receiveAll, receivePiece } from "./helpers/xti.js";

const TCP = "/dev/tcp";
const sha256 = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");

/** T_NEGOTIATE one option on `fd`, which must succeed as asked. */
async function negotiate(fd: number, level: number, name: number, value: Uint8Array): Promise<void> {
  const ret = t_optmgmt_of(256);
  await ok(t_optmgmt(fd, t_optmgmt_of(encodeOptions([{ level, name, value }]), T_NEGOTIATE), ret), "t_optmgmt");
  expect(ret.flags, `option ${level}/${name}`).to.equal(T_SUCCESS);
}

/** The local port of a connected endpoint. */
function localPort(fd: number): number {
  const name = t_bind_of(64);
  if (t_getprotaddr(fd, name, null) < 0) throw new Error(`t_getprotaddr: ${tErrnoName(t_errno)}`);
  return portOf(name.addr.buf.subarray(0, name.addr.len));
}

/**
 * Block this thread (so the poller delivers nothing) until the kernel has no IPv4 TCP connection
 * from local port `port` in state `state` (/proc/net/tcp, hex) any more: a RST it received has been
 * processed while the provider has not been told yet. Gives up after 10 s.
 */
function blockUntilLeft(port: number, state: string): void {
  const idle = new Int32Array(new SharedArrayBuffer(4));
  const local = `:${port.toString(16).toUpperCase().padStart(4, "0")}`;
  for (let waited = 0; waited < 10_000; waited += 5) {
    const rows = readFileSync("/proc/net/tcp", "utf8").split("\n").map((line) => line.trim().split(/\s+/));
    if (!rows.some((f) => f[1]?.endsWith(local) === true && f[3] === state)) return;
    Atomics.wait(idle, 0, 0, 5);
  }
  throw new Error(`local port ${port} still in state ${state}`);
}
const CLOSE_WAIT = "08";

/** Wait until t_look reports something (the test's own timeout bounds it). */
async function nextEvent(fd: number): Promise<number> {
  for (;;) {
    const ev = t_look(fd);
    if (ev !== 0) return ev;
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe("inet: /dev/tcp against Python peers", function () {
  this.timeout(60_000);
  const peers: PeerProcess[] = [];
  const peer = (p: PeerProcess): PeerProcess => (peers.push(p), p);

  afterEach(async () => {
    await cleanup();
    for (const p of peers.splice(0)) await p.stop();
  });

  /** An xti client connected to a fresh `serve` peer, which has accepted it. */
  async function connectedToPeer(options: { oobinline?: boolean } = {}): Promise<{ fd: number; py: PeerProcess }> {
    const py = peer(servePeer());
    const { port } = (await py.request({ op: "listen" })) as { port: number };
    const fd = await connectTo(TCP, "inet", port);
    await py.request({ op: "accept", oobinline: options.oobinline === true });
    return { fd, py };
  }

  /** A Python client connected to an xti listener, accepted onto a new endpoint. */
  async function acceptedFromPeer(options: { oobinline?: boolean } = {}): Promise<{ fd: number; py: PeerProcess; listener: number }> {
    const l = await bound(TCP, "inet", 1);
    const py = peer(servePeer());
    const connecting = py.request({ op: "connect", port: l.port, oobinline: options.oobinline === true });
    const call = t_call_of({ addr: 64 });
    await ok(t_listen(l.fd, call), "t_listen");
    const fd = open(TCP);
    await ok(t_accept(l.fd, fd, call), "t_accept");
    expect(await connecting).to.not.have.property("error");
    return { fd, py, listener: l.fd };
  }

  it("sends 10 MB to a Python echo server and reads the same 10 MB back (SHA-256)", async () => {
    const py = peer(new PeerProcess(["echo-server", "inet"]));
    const { port } = (await py.next()) as { port: number };
    const fd = await connectTo(TCP, "inet", port);
    const data = pattern(10 * 1024 * 1024, 7);
    const receiving = receiveAll(fd);
    await ok(t_snd(fd, data, data.length, 0), "t_snd of 10 MB");
    await ok(t_sndrel(fd), "t_sndrel");
    const got = await receiving;
    expect(got.end).to.equal("ordrel");
    expect(got.bytes.length).to.equal(data.length);
    expect(sha256(got.bytes)).to.equal(sha256(data));
    expect(await py.next()).to.deep.equal({ received: data.length, sha256: sha256(data) });
    expect(state(fd)).to.equal(T_IDLE);
  });

  it("serves a Python client, echoing its 10 MB back (SHA-256 on both sides)", async () => {
    const l = await bound(TCP, "inet", 1);
    const size = 10 * 1024 * 1024;
    const py = peer(new PeerProcess(["bulk-client", "inet", String(l.port), String(size), "11"]));
    const call = t_call_of({ addr: 64 });
    await ok(t_listen(l.fd, call), "t_listen");
    const fd = open(TCP);
    await ok(t_accept(l.fd, fd, call), "t_accept");
    const hash = createHash("sha256");
    const buf = new Uint8Array(65536);
    const flags = { value: 0 };
    let total = 0;
    for (;;) {
      const n = await t_rcv(fd, buf, buf.length, flags);
      if (n < 0) break;
      hash.update(buf.subarray(0, n));
      total += n;
      await ok(t_snd(fd, buf, n, 0), "t_snd (echo)");
    }
    expect(t_look(fd)).to.equal(T_ORDREL);
    const got = await receiveAll(fd);
    expect(got.end).to.equal("ordrel");
    await ok(t_sndrel(fd), "t_sndrel");
    const result = (await py.next()) as { sent_sha256: string; received: number; received_sha256: string };
    expect(total).to.equal(size);
    expect(hash.digest("hex")).to.equal(result.sent_sha256);
    expect(result).to.deep.include({ received: size, received_sha256: result.sent_sha256 });
  });

  it("half-close by xti: t_sndrel is end of file for Python, whose reply still arrives, then T_ORDREL", async () => {
    const { fd, py } = await connectedToPeer();
    await ok(t_snd(fd, text("hello"), 5, 0), "t_snd");
    await ok(t_sndrel(fd), "t_sndrel");
    expect(await py.request({ op: "recv", n: 5, exactly: true })).to.deep.equal({ data: hex(text("hello")), eof: false });
    expect(await py.request({ op: "recv" })).to.deep.equal({ data: "", eof: true });
    await py.request({ op: "send", data: hex(text("reply")) });
    await py.request({ op: "shutdown" });
    const got = await receiveAll(fd);
    expect({ text: Buffer.from(got.bytes).toString(), end: got.end }).to.deep.equal({ text: "reply", end: "ordrel" });
    expect(state(fd)).to.equal(T_IDLE);
  });

  it("half-close by Python: T_ORDREL after all its data, and xti still sends until its own t_sndrel", async () => {
    const { fd, py } = await acceptedFromPeer();
    await py.request({ op: "send", data: hex(text("data")) });
    await py.request({ op: "shutdown" });
    const got = await receiveAll(fd);
    expect({ text: Buffer.from(got.bytes).toString(), end: got.end }).to.deep.equal({ text: "data", end: "ordrel" });
    expect(state(fd)).to.equal(T_INREL);
    await ok(t_snd(fd, text("after"), 5, 0), "t_snd in T_INREL");
    await ok(t_sndrel(fd), "t_sndrel");
    expect(state(fd)).to.equal(T_IDLE);
    expect(await py.request({ op: "recv", n: 5, exactly: true })).to.deep.equal({ data: hex(text("after")), eof: false });
    expect(await py.request({ op: "recv" })).to.deep.equal({ data: "", eof: true });
  });

  it("a reset by Python is T_DISCONNECT with reason ECONNRESET, after the data sent before it", async () => {
    const { fd, py } = await connectedToPeer();
    await py.request({ op: "send", data: hex(text("last words")) });
    await py.request({ op: "reset" });
    const got = await receiveAll(fd);
    expect(got.end).to.equal("disconnect");
    expect(got.reason).to.equal(ECONNRESET);
    expect(state(fd)).to.equal(T_IDLE);
  });

  it("t_snddis reaches Python as a reset", async () => {
    const { fd, py } = await acceptedFromPeer();
    await ok(t_snddis(fd, null), "t_snddis");
    expect(state(fd)).to.equal(T_IDLE);
    expect(await py.request({ op: "recv" })).to.deep.equal({ error: "ECONNRESET" });
  });

  it("a reset after the peer's FIN is T_DISCONNECT with reason ECONNRESET (Linux records EPIPE)", async () => {
    const { fd, py } = await connectedToPeer();
    await py.request({ op: "shutdown" });
    expect((await receiveAll(fd)).end).to.equal("ordrel");
    await py.request({ op: "reset" });
    expect(await nextEvent(fd)).to.equal(T_DISCONNECT);
    const d = t_discon_of(0);
    await ok(t_rcvdis(fd, d), "t_rcvdis");
    expect(d.reason).to.equal(ECONNRESET);
  });

  it("a caller that half-closes, then resets before t_accept, is a T_DISCONNECT for its sequence with reason ECONNRESET", async () => {
    const l = await bound(TCP, "inet", 1);
    const py = peer(servePeer());
    await py.request({ op: "connect", port: l.port });
    const call = t_call_of({ addr: 64 });
    await ok(t_listen(l.fd, call), "t_listen");
    await py.request({ op: "shutdown" });
    await py.request({ op: "reset" });
    expect(await nextEvent(l.fd)).to.equal(T_DISCONNECT);
    const d = t_discon_of(0);
    await ok(t_rcvdis(l.fd, d), "t_rcvdis");
    expect({ sequence: d.sequence, reason: d.reason }).to.deep.equal({ sequence: call.sequence, reason: ECONNRESET });
  });

  it("a reset the kernel took in T_INREL before t_sndrel is not hidden by the release: TLOOK, then T_DISCONNECT with ECONNRESET", async () => {
    const { fd, py } = await connectedToPeer();
    await py.request({ op: "shutdown" });
    expect((await receiveAll(fd)).end).to.equal("ordrel");
    expect(state(fd)).to.equal(T_INREL);
    const resetting = py.request({ op: "reset" });
    blockUntilLeft(localPort(fd), CLOSE_WAIT); // the reset is in; its event waits behind this thread
    expectFail(await t_sndrel(fd), TLOOK);
    expect(t_look(fd)).to.equal(T_DISCONNECT);
    const d = t_discon_of(0);
    await ok(t_rcvdis(fd, d), "t_rcvdis");
    expect({ reason: d.reason, state: state(fd) }).to.deep.equal({ reason: ECONNRESET, state: T_IDLE });
    await resetting;
  });

  it("a positive XTI_LINGER: t_close returns once the peer has everything, which it reads whole, then end of file", async () => {
    const { fd, py } = await connectedToPeer();
    await negotiate(fd, XTI_GENERIC, XTI_LINGER, scalarsValue(T_YES, 30));
    const draining = py.request({ op: "drain" });
    const data = pattern(1 << 20, 8);
    await ok(t_snd(fd, data, data.length, 0), "t_snd");
    await ok(t_close(fd), "t_close");
    expect(await draining).to.deep.equal({ received: data.length, sha256: sha256(data), end: "eof" });
  });

  it("a lingering t_close (XTI_LINGER T_INFINITE) returns when the peer resets instead of acknowledging", async function () {
    this.timeout(20_000); // without an end to its wait, t_close would never return
    const py = peer(servePeer());
    const { port } = (await py.request({ op: "listen", rcvbuf: 4096 })) as { port: number };
    const fd = await connectTo(TCP, "inet", port);
    await py.request({ op: "accept" });
    await negotiate(fd, XTI_GENERIC, XTI_LINGER, scalarsValue(T_YES, T_INFINITE));
    const data = pattern(200_000, 9);
    await ok(t_snd(fd, data, data.length, 0), "t_snd"); // far more than the peer's window: not acknowledged
    const closing = t_close(fd);
    await py.request({ op: "close" }); // with unread data: the peer's kernel answers with a RST
    await ok(closing, "t_close");
  });

  it("a new t_connect after a release leaves the old connection to finish: its peer gets every byte, and the port stays the endpoint's", async () => {
    const first = peer(servePeer());
    const { port } = (await first.request({ op: "listen", rcvbuf: 4096 })) as { port: number };
    const fd = await connectTo(TCP, "inet", port);
    await first.request({ op: "accept" });
    await first.request({ op: "shutdown" });
    const data = pattern(300_000, 10);
    await ok(t_snd(fd, data, data.length, 0), "t_snd");
    expect((await receiveAll(fd)).end).to.equal("ordrel");
    await ok(t_sndrel(fd), "t_sndrel"); // released; most of the data still waits for the peer's window
    const mine = localPort(fd);
    const second = peer(servePeer());
    const { port: port2 } = (await second.request({ op: "listen" })) as { port: number };
    await ok(t_connect(fd, { ...t_call_of(), addr: netbuf(loopback("inet", port2)) }, null), "t_connect elsewhere");
    expect(((await second.request({ op: "accept" })) as { peer_port: number }).peer_port, "the endpoint's port").to.equal(mine);
    const plain = open(TCP);
    expectFail(await t_bind(plain, { addr: netbuf(loopback("inet", mine)), qlen: 0 }, null), TADDRBUSY);
    const reusing = open(TCP);
    await negotiate(reusing, T_INET_IP, T_IP_REUSEADDR, scalarValue(T_YES));
    expectFail(await t_bind(reusing, { addr: netbuf(loopback("inet", mine)), qlen: 0 }, null), TADDRBUSY);
    expect(await first.request({ op: "drain" })).to.deep.equal({ received: data.length, sha256: sha256(data), end: "eof" });
  });

  it("a connect to a port where nobody listens fails TLOOK with T_DISCONNECT, reason ECONNREFUSED", async () => {
    const py = peer(servePeer());
    const { port } = (await py.request({ op: "listen", listen: false })) as { port: number };
    const fd = open(TCP);
    await ok(t_bind(fd, null, null), "t_bind");
    expectFail(await t_connect(fd, { ...t_call_of(), addr: netbuf(loopback("inet", port)) }, null), TLOOK);
    expect(t_look(fd)).to.equal(T_DISCONNECT);
    const d = t_discon_of(0);
    await ok(t_rcvdis(fd, d), "t_rcvdis");
    expect(d.reason).to.equal(ECONNREFUSED);
    expect(state(fd)).to.equal(T_IDLE);
  });

  it("reads a Python MSG_OOB sender exactly: 123 / 4 T_EXPEDITED / 56 / 7 T_EXPEDITED / 89 / T_ORDREL", async () => {
    const { fd, py } = await connectedToPeer();
    const steps: Array<[string, boolean]> = [
      ["123", false],
      ["4", true],
      ["56", false],
      ["7", true],
      ["89", false],
    ];
    for (const [piece, urgent] of steps) {
      // One piece at a time: Linux keeps one urgent mark per connection, so a second urgent send
      // before the first urgent byte is read would make the first one normal data (usertcp.md §6).
      await py.request({ op: "send", data: hex(text(piece)), oob: urgent });
      expect(await nextEvent(fd), `t_look before reading ${piece}`).to.equal(urgent ? T_EXDATA : 0x4);
      expect(await receivePiece(fd)).to.deep.equal({ text: piece, expedited: urgent });
    }
    await py.request({ op: "shutdown" });
    const rest = await receiveAll(fd);
    expect({ bytes: rest.bytes.length, end: rest.end }).to.deep.equal({ bytes: 0, end: "ordrel" });
  });

  it("places the urgent byte exactly when it arrives in one segment with the data around it", async () => {
    const { fd, py } = await connectedToPeer();
    await py.request({ op: "cork", on: true }); // held back until uncorked: one segment "123456"
    await py.request({ op: "send", data: hex(text("123")) });
    await py.request({ op: "send", data: hex(text("4")), oob: true });
    await py.request({ op: "send", data: hex(text("56")) });
    await py.request({ op: "cork", on: false });
    await py.request({ op: "shutdown" });
    const pieces: Array<{ text: string; expedited: boolean }> = [];
    const buf = new Uint8Array(64);
    const flags = { value: 0 };
    for (;;) {
      const n = await t_rcv(fd, buf, buf.length, flags);
      if (n < 0) break;
      pieces.push({ text: Buffer.from(buf.subarray(0, n)).toString(), expedited: (flags.value & T_EXPEDITED) !== 0 });
    }
    expect(t_look(fd)).to.equal(T_ORDREL);
    expect(pieces).to.deep.equal([
      { text: "123", expedited: false },
      { text: "4", expedited: true },
      { text: "56", expedited: false },
    ]);
  });

  it("sends T_EXPEDITED as TCP urgent data that a Python receiver finds at the same places", async () => {
    const { fd, py } = await connectedToPeer({ oobinline: true });
    const steps: Array<[string, boolean]> = [
      ["123", false],
      ["4", true],
      ["56", false],
      ["7", true],
      ["89", false],
    ];
    for (const [piece, urgent] of steps) {
      await ok(t_snd(fd, text(piece), piece.length, urgent ? T_EXPEDITED : 0), "t_snd");
      expect(await py.request({ op: "piece" })).to.deep.equal(urgent ? { urgent: hex(text(piece)) } : { data: hex(text(piece)), eof: false });
    }
    await ok(t_sndrel(fd), "t_sndrel");
    expect(await py.request({ op: "piece" })).to.deep.equal({ data: "", eof: true });
  });

  it("holds callers beyond qlen in the kernel: TQFULL, then t_snddis of an indication resets its caller", async () => {
    const l = await bound(TCP, "inet", 1, true);
    const py = peer(servePeer());
    await py.request({ op: "connect", port: l.port });
    await py.request({ op: "connect", port: l.port, extra: true }); // completes in the kernel, not indicated
    expect(await nextEvent(l.fd)).to.equal(T_LISTEN);
    const call = t_call_of({ addr: 64 });
    await ok(t_listen(l.fd, call), "t_listen");
    expectFail(await t_listen(l.fd, t_call_of({ addr: 64 })), TQFULL);
    expectFail(await t_listen(l.fd, t_call_of({ addr: 64 })), TNODATA);
    await ok(t_snddis(l.fd, call), "t_snddis of the indication");
    expect(state(l.fd)).to.equal(T_IDLE);
    expect(await py.request({ op: "recv" }), "the rejected caller").to.deep.equal({ error: "ECONNRESET" });
    // The caller held in the backlog is indicated now.
    expect(await nextEvent(l.fd)).to.equal(T_LISTEN);
  });

  it("a listener with qlen 2 indicates two of three callers, and the third once one is accepted", async () => {
    const l = await bound(TCP, "inet", 2);
    const py = peer(servePeer());
    const ports: number[] = [];
    for (let i = 0; i < 3; i++) ports.push(((await py.request({ op: "connect", port: l.port, extra: true })) as { local_port: number }).local_port);
    const calls = [t_call_of({ addr: 64 }), t_call_of({ addr: 64 })];
    for (const c of calls) await ok(t_listen(l.fd, c), "t_listen");
    fcntl(l.fd, F_SETFL, O_NONBLOCK);
    expectFail(await t_listen(l.fd, t_call_of({ addr: 64 })), TQFULL);
    expectFail(await t_listen(l.fd, t_call_of({ addr: 64 })), TNODATA);
    const indicated = calls.map((c) => portOf(c.addr.buf.subarray(0, c.addr.len)));
    expect(indicated).to.deep.equal(ports.slice(0, 2)); // in the order they connected
    expect(calls[0]!.sequence).to.not.equal(calls[1]!.sequence);
    const fd = open(TCP);
    await ok(t_accept(l.fd, fd, calls[0]!), "t_accept");
    fcntl(l.fd, F_SETFL, 0);
    const third = t_call_of({ addr: 64 });
    await ok(t_listen(l.fd, third), "t_listen for the third caller");
    expect(portOf(third.addr.buf.subarray(0, third.addr.len))).to.equal(ports[2]);
    await py.request({ op: "send", data: hex(text("first")), extra: 0 });
    expect(await receivePiece(fd)).to.deep.equal({ text: "first", expedited: false });
  });

  it("reports the real local and peer addresses with t_getprotaddr", async () => {
    const py = peer(servePeer());
    const { port } = (await py.request({ op: "listen" })) as { port: number };
    const fd = await connectTo(TCP, "inet", port);
    const { peer_port: peerPort } = (await py.request({ op: "accept" })) as { peer_port: number };
    const local = t_bind_of(64);
    const remote = t_bind_of(64);
    await ok(t_getprotaddr(fd, local, remote), "t_getprotaddr");
    expect(Array.from(local.addr.buf.subarray(0, local.addr.len))).to.deep.equal(Array.from(loopback("inet", peerPort)));
    expect(Array.from(remote.addr.buf.subarray(0, remote.addr.len))).to.deep.equal(Array.from(loopback("inet", port)));
  });

  it("an endpoint outlives its connections: after t_snddis and after a release it is idle, bound to the same port, and connects again", async () => {
    const py = peer(servePeer());
    const { port } = (await py.request({ op: "listen" })) as { port: number };
    const fd = await connectTo(TCP, "inet", port);
    const first = ((await py.request({ op: "accept" })) as { peer_port: number }).peer_port;
    await ok(t_snddis(fd, null), "t_snddis");
    const name = t_bind_of(64);
    await ok(t_getprotaddr(fd, name, null), "t_getprotaddr");
    expect(portOf(name.addr.buf.subarray(0, name.addr.len)), "still bound to its port").to.equal(first);
    await ok(t_connect(fd, { ...t_call_of(), addr: netbuf(loopback("inet", port)) }, null), "t_connect again");
    expect(((await py.request({ op: "accept" })) as { peer_port: number }).peer_port).to.equal(first);
    // A release that the peer starts (so our socket goes through LAST_ACK), then a third connection.
    await py.request({ op: "shutdown" });
    expect((await receiveAll(fd)).end).to.equal("ordrel");
    await ok(t_sndrel(fd), "t_sndrel");
    expect(state(fd)).to.equal(T_IDLE);
    await ok(t_connect(fd, { ...t_call_of(), addr: netbuf(loopback("inet", port)) }, null), "t_connect a third time");
    expect(((await py.request({ op: "accept" })) as { peer_port: number }).peer_port).to.equal(first);
    expect(state(fd)).to.equal(T_DATAXFER);
  });

  it("a listener that accepted onto itself listens again once that connection is over", async () => {
    const l = await bound(TCP, "inet", 1);
    const py = peer(servePeer());
    const connecting = py.request({ op: "connect", port: l.port });
    const call = t_call_of({ addr: 64 });
    await ok(t_listen(l.fd, call), "t_listen");
    await ok(t_accept(l.fd, l.fd, call), "t_accept onto the listener");
    await connecting;
    await py.request({ op: "reset" });
    expect((await receiveAll(l.fd)).end).to.equal("disconnect");
    expect(state(l.fd)).to.equal(T_IDLE);
    await py.request({ op: "connect", port: l.port });
    await ok(t_listen(l.fd, t_call_of({ addr: 64 })), "t_listen for the next caller");
  });

  it("fails TADDRBUSY for a port bound by another endpoint of this process or by another process", async () => {
    const mine = await bound(TCP, "inet", 0);
    const second = open(TCP);
    expectFail(await t_bind(second, { addr: netbuf(loopback("inet", mine.port)), qlen: 0 }, null), TADDRBUSY);
    const py = peer(servePeer());
    for (const listen of [false, true]) {
      const { port } = (await py.request({ op: "listen", listen })) as { port: number };
      expectFail(await t_bind(second, { addr: netbuf(loopback("inet", port)), qlen: 1 }, null), TADDRBUSY);
    }
    await ok(t_bind(second, null, null), "t_bind elsewhere still works");
  });

  it("fails TACCES binding a privileged port without CAP_NET_BIND_SERVICE (a child process without it)", async function () {
    requireRoot(this); // only root can take the capability away to test it
    const script = fileURLToPath(new URL("./fixtures/bind-privileged.ts", import.meta.url));
    const out = await new Promise<string>((resolve, reject) =>
      execFile(
        "setpriv",
        ["--inh-caps=-all", "--bounding-set=-net_bind_service", process.execPath, "--import", "tsx", script, "/dev/tcp", "/dev/udp"],
        { timeout: 30_000 },
        (err, stdout, stderr) => (err === null ? resolve(stdout) : reject(new Error(`${err.message}\n${stderr}`))),
      ),
    );
    expect(JSON.parse(out)).to.deep.equal({ "/dev/tcp": "TACCES", "/dev/udp": "TACCES" });
  });

  it("t_bind without an address fails TNOADDR when the ephemeral ports are used up (a network namespace with two)", async function () {
    requireRoot(this); // a network namespace of its own, so the port range of others is untouched
    const script = fileURLToPath(new URL("./fixtures/ports-used-up.ts", import.meta.url));
    const out = await new Promise<string>((resolve, reject) =>
      execFile(
        "unshare",
        ["-n", "sh", "-c", `ip link set lo up && sysctl -qw net.ipv4.ip_local_port_range="40000 40001" && exec "$0" --import tsx "$1" /dev/tcp /dev/udp`, process.execPath, script],
        { timeout: 30_000 },
        (err, stdout, stderr) => (err === null ? resolve(stdout) : reject(new Error(`${err.message}\n${stderr}`))),
      ),
    );
    expect(JSON.parse(out)).to.deep.equal({ "/dev/tcp": ["bound", "bound", "TNOADDR"], "/dev/udp": ["bound", "bound", "TNOADDR"] });
  });

  it("t_close releases the connection gracefully: everything sent reaches the peer, then end of file", async () => {
    const { fd, py } = await connectedToPeer();
    const data = pattern(256 * 1024, 3);
    await ok(t_snd(fd, data, data.length, 0), "t_snd");
    await ok(t_close(fd), "t_close");
    const got = unhex(((await py.request({ op: "recv", n: data.length, exactly: true })) as { data: string }).data);
    expect(sha256(got)).to.equal(sha256(data));
    expect(await py.request({ op: "recv" })).to.deep.equal({ data: "", eof: true });
  });

  it("t_close frees the kernel sockets of endpoints in every state", async () => {
    const openFds = (): number => readdirSync("/proc/self/fd").filter((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`).startsWith("socket:");
      } catch {
        return false; // the directory's own descriptor, closed by now
      }
    }).length;
    await ok(t_close(open(TCP)), "t_close"); // the poller's own descriptors exist from now on
    const py = peer(servePeer()); // its stdio are socket pairs too
    const before = openFds();
    const { port } = (await py.request({ op: "listen", backlog: 0 })) as { port: number };
    await py.request({ op: "connect", port, extra: true }); // fills the peer's accept queue
    const unbound = open(TCP);
    const idle = await bound(TCP, "inet");
    const l = await bound(TCP, "inet", 2);
    await py.request({ op: "connect", port: l.port, extra: true }); // an outstanding indication
    while (t_look(l.fd) !== T_LISTEN) await new Promise((r) => setTimeout(r, 2));
    const connected = await connectTo(TCP, "inet", l.port);
    const calling = await bound(TCP, "inet", 0, true);
    expectFail(await t_connect(calling.fd, { ...t_call_of(), addr: netbuf(loopback("inet", port)) }, null), TNODATA);
    const aborted = await connectTo(TCP, "inet", l.port);
    await ok(t_snddis(aborted, null), "t_snddis");
    expect(openFds()).to.be.greaterThan(before);
    for (const fd of [unbound, idle.fd, l.fd, connected, calling.fd, aborted]) await ok(t_close(fd), "t_close");
    expect(openFds()).to.equal(before);
  });

  it("a caller that resets around t_accept leaves the listener and the acceptor usable", async () => {
    const l = await bound(TCP, "inet", 1);
    const py = peer(servePeer());
    await py.request({ op: "connect", port: l.port });
    const call = t_call_of({ addr: 64 });
    await ok(t_listen(l.fd, call), "t_listen");
    await py.request({ op: "reset" });
    // Whether the reset is seen before t_accept (the listener gets T_DISCONNECT for the sequence)
    // or after (the acceptor gets it), the caller is gone and both endpoints are idle again.
    const acceptor = open(TCP);
    if ((await t_accept(l.fd, acceptor, call)) < 0) {
      expect(t_errno).to.equal(TLOOK);
      const d = t_discon_of(0);
      await ok(t_rcvdis(l.fd, d), "t_rcvdis on the listener");
      expect(d.sequence).to.equal(call.sequence);
    } else {
      expect((await receiveAll(acceptor)).end).to.equal("disconnect")
    }
    expect(state(l.fd)).to.equal(T_IDLE);
    await py.request({ op: "connect", port: l.port });
    const next = t_call_of({ addr: 64 });
    await ok(t_listen(l.fd, next), "t_listen for the next caller");
    await ok(t_accept(l.fd, acceptor, next), "t_accept of the next caller onto the same acceptor");
    await py.request({ op: "send", data: hex(text("again")) });
    expect(await receivePiece(acceptor)).to.deep.equal({ text: "again", expedited: false });
  });

  it("non-blocking t_snd: partial counts and TFLOW when the kernel is full, T_GODATA once it drains, no byte lost", async () => {
    const py = peer(servePeer());
    const { port } = (await py.request({ op: "listen" })) as { port: number };
    const fd = await connectTo(TCP, "inet", port);
    await py.request({ op: "accept" });
    fcntl(fd, F_SETFL, O_NONBLOCK);
    const data = pattern(64 << 20, 21);
    let sent = 0;
    for (;;) {
      const n = await t_snd(fd, data.subarray(sent), Math.min(1 << 20, data.length - sent), 0);
      if (n < 0) break;
      sent += n;
    }
    expect(tErrnoName(t_errno)).to.equal("TFLOW");
    expect(sent, "the kernel buffers took some, not all").to.be.within(1, data.length - 1);
    const got = (await py.request({ op: "recv", n: sent, exactly: true })) as { data: string };
    expect(sha256(unhex(got.data))).to.equal(sha256(data.subarray(0, sent)));
    expect(await nextEvent(fd)).to.equal(T_GODATA);
  });

  it("TLI's t_bind of a busy port binds another one (O_T_BIND_REQ), XTI's fails TADDRBUSY", async () => {
    const busy = await bound(TCP, "inet");
    const tli = open(TCP, false, "TLI");
    const ret = t_bind_of(64);
    await ok(t_bind(tli, { addr: netbuf(loopback("inet", busy.port)), qlen: 0 }, ret), "TLI t_bind");
    const port = portOf(ret.addr.buf.subarray(0, ret.addr.len));
    expect(port).to.not.equal(busy.port);
    expect(port).to.be.greaterThan(0);
    expectFail(await t_bind(open(TCP), { addr: netbuf(loopback("inet", port)), qlen: 0 }, null), TADDRBUSY);
  });
});
