/**
 * /dev/tcp6 and /dev/udp6 on ::1 against Python: 28-byte sockaddr_in6 addresses, data, urgent data,
 * datagrams and T_UDERR. Skips with a reason where the machine has no IPv6 loopback.
 */
import { expect } from "chai";
import { createHash } from "node:crypto";
import { ECONNREFUSED } from "../../src/errno.js";
import {
  T_EXPEDITED,
  T_UDERR,
  TADDRBUSY,
  netbuf,
  sockaddr_in,
  sockaddr_in6,
  t_bind,
  t_bind_of,
  t_call_of,
  t_listen,
  t_close,
  t_getprotaddr,
  t_look,
  t_rcvudata,
  t_rcvuderr,
  t_snd,
  t_sndrel,
  t_sndudata,
  t_uderr_of,
  t_unitdata_of,
} from "../../src/index.js";
import { cleanup, expectFail, ok, open, pattern, text } from "../helpers/xti.js";
import { hex, PeerProcess, servePeer } from "./helpers/peer.js";
import { bound, connectTo, loopback, portOf, receiveAll, receivePiece } from "./helpers/xti.js";
import { inetConformanceTargets } from "../../providers/inet/index.js";

const sha256 = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");

describe("inet: /dev/tcp6 and /dev/udp6 on ::1 against Python peers", function () {
  this.timeout(30_000);
  const peers: PeerProcess[] = [];
  const peer = (p: PeerProcess): PeerProcess => (peers.push(p), p);

  before(async function () {
    const usable = await inetConformanceTargets().find((t) => t.device === "/dev/tcp6")!.available!();
    if (usable !== true) {
      if (process.env["CI"] === "true") throw new Error(`IPv6 loopback unusable under CI: ${usable}`);
      console.warn(`      skipping: ${usable}`);
      this.skip();
    }
  });

  afterEach(async () => {
    await cleanup();
    for (const p of peers.splice(0)) await p.stop();
  });

  it("connects to a Python echo server on ::1 and gets 1 MB back, with 28-byte addresses", async () => {
    const py = peer(new PeerProcess(["echo-server", "inet6"]));
    const { port } = (await py.next()) as { port: number };
    const fd = await connectTo("/dev/tcp6", "inet6", port);
    const local = t_bind_of(64);
    const remote = t_bind_of(64);
    await ok(t_getprotaddr(fd, local, remote), "t_getprotaddr");
    expect([local.addr.len, remote.addr.len]).to.deep.equal([28, 28]);
    expect(Array.from(remote.addr.buf.subarray(0, 28))).to.deep.equal(Array.from(loopback("inet6", port)));
    const data = pattern(1 << 20, 5);
    const receiving = receiveAll(fd);
    await ok(t_snd(fd, data, data.length, 0), "t_snd");
    await ok(t_sndrel(fd), "t_sndrel");
    const got = await receiving;
    expect({ end: got.end, sha: sha256(got.bytes) }).to.deep.equal({ end: "ordrel", sha: sha256(data) });
  });

  it("places urgent data exactly both ways over IPv6", async () => {
    const py = peer(servePeer());
    const { port } = (await py.request({ op: "listen", family: "inet6" })) as { port: number };
    const fd = await connectTo("/dev/tcp6", "inet6", port);
    await py.request({ op: "accept", oobinline: true });
    for (const [piece, urgent] of [["123", false], ["4", true], ["56", false]] as const) {
      await py.request({ op: "send", data: hex(text(piece)), oob: urgent });
      expect(await receivePiece(fd)).to.deep.equal({ text: piece, expedited: urgent });
      await ok(t_snd(fd, text(piece), piece.length, urgent ? T_EXPEDITED : 0), "t_snd");
      expect(await py.request({ op: "piece" })).to.deep.equal(urgent ? { urgent: hex(text(piece)) } : { data: hex(text(piece)), eof: false });
    }
  });

  it("exchanges datagrams with Python on ::1 and reports a port unreachable as T_UDERR", async () => {
    const me = await bound("/dev/udp6", "inet6");
    expect(me.addr.length).to.equal(28);
    const py = peer(servePeer());
    const { port } = (await py.request({ op: "udp", family: "inet6" })) as { port: number };
    for (const n of [0, 1, 65527]) {
      await ok(t_sndudata(me.fd, t_unitdata_of({ addr: loopback("inet6", port), udata: pattern(n, n) })), "t_sndudata");
      expect(await py.request({ op: "recvfrom" })).to.deep.equal({ data: hex(pattern(n, n)), port: me.port });
      await py.request({ op: "sendto", port: me.port, data: hex(pattern(n, n + 1)) });
      const ud = t_unitdata_of({ addr: 64, udata: 65536 });
      await ok(t_rcvudata(me.fd, ud, { value: 0 }), "t_rcvudata");
      expect(Buffer.compare(ud.udata.buf.subarray(0, ud.udata.len), pattern(n, n + 1))).to.equal(0);
      expect(portOf(ud.addr.buf.subarray(0, ud.addr.len))).to.equal(port);
    }
    const gone = await bound("/dev/udp6", "inet6");
    await ok(t_close(gone.fd), "t_close");
    await ok(t_sndudata(me.fd, t_unitdata_of({ addr: gone.addr, udata: text("x") })), "t_sndudata to a closed port");
    while (t_look(me.fd) !== T_UDERR) await new Promise((r) => setTimeout(r, 2));
    const e = t_uderr_of({ addr: 64 });
    await ok(t_rcvuderr(me.fd, e), "t_rcvuderr");
    expect({ error: e.error, port: portOf(e.addr.buf.subarray(0, e.addr.len)) }).to.deep.equal({ error: ECONNREFUSED, port: gone.port });
  });

  it("/dev/tcp6 and /dev/udp6 are dual-stack: [::]:P also takes 0.0.0.0:P, and an IPv4 caller is indicated as ::ffff:127.0.0.1", async () => {
    const listener = open("/dev/tcp6");
    const ret = t_bind_of(64);
    await ok(t_bind(listener, { addr: netbuf(sockaddr_in6("::", 0)), qlen: 1 }, ret), "t_bind [::]:0");
    const port = portOf(ret.addr.buf.subarray(0, ret.addr.len));
    expectFail(await t_bind(open("/dev/tcp"), { addr: netbuf(sockaddr_in("0.0.0.0", port)), qlen: 0 }, null), TADDRBUSY);
    const py = peer(servePeer());
    const { local_port: callerPort } = (await py.request({ op: "connect", family: "inet", port })) as { local_port: number };
    const call = t_call_of({ addr: 64 });
    await ok(t_listen(listener, call), "t_listen");
    expect(Array.from(call.addr.buf.subarray(0, call.addr.len))).to.deep.equal(Array.from(sockaddr_in6("::ffff:127.0.0.1", callerPort)));
    const udp = t_bind_of(64);
    await ok(t_bind(open("/dev/udp6"), { addr: netbuf(sockaddr_in6("::", 0)), qlen: 0 }, udp), "t_bind [::]:0");
    const udpPort = portOf(udp.addr.buf.subarray(0, udp.addr.len));
    expectFail(await t_bind(open("/dev/udp"), { addr: netbuf(sockaddr_in("0.0.0.0", udpPort)), qlen: 0 }, null), TADDRBUSY);
  });
});
