/**
 * /dev/udp against Python's socket module on loopback: datagram boundaries both ways (0 bytes to the
 * largest UDP datagram), the sender's address, and an ICMP port unreachable turned into T_UDERR.
 */
import { expect } from "chai";
import { ECONNREFUSED } from "../../src/errno.js";
import {
  F_SETFL,
  T_DATA,
  T_NEGOTIATE,
  T_SUCCESS,
  T_UDERR,
  TNODATA,
  TNOUDERR,
  XTI_GENERIC,
  XTI_RCVBUF,
  encodeOptions,
  fcntl,
  scalarValue,
  t_close,
  t_errno,
  t_look,
  t_optmgmt,
  t_optmgmt_of,
  t_rcvudata,
  t_rcvuderr,
  t_sndudata,
  t_uderr_of,
  t_unitdata_of,
  tErrnoName,
} from "../../src/index.js";
import { cleanup, expectFail, ok, pattern, text } from "../helpers/xti.js";
import { hex, type PeerProcess, servePeer, unhex } from "./helpers/peer.js";
import { bound, loopback, portOf } from "./helpers/xti.js";

const UDP = "/dev/udp";
const SIZES = [1, 100, 0, 1472, 9000, 65507];

async function nextEvent(fd: number): Promise<number> {
  for (;;) {
    const ev = t_look(fd);
    if (ev !== 0) return ev;
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe("inet: /dev/udp against Python peers", function () {
  this.timeout(30_000);
  let py: PeerProcess | undefined;

  afterEach(async () => {
    await cleanup();
    await py?.stop();
    py = undefined;
  });

  it("receives Python's datagrams one per t_rcvudata, whole, with the sender's address", async () => {
    const me = await bound(UDP, "inet");
    py = servePeer();
    const { port } = (await py.request({ op: "udp" })) as { port: number };
    for (const [i, n] of SIZES.entries()) await py.request({ op: "sendto", port: me.port, data: hex(pattern(n, i + 1)) });
    for (const [i, n] of SIZES.entries()) {
      const ud = t_unitdata_of({ addr: 64, udata: 65536 });
      const flags = { value: 0 };
      await ok(t_rcvudata(me.fd, ud, flags), "t_rcvudata");
      expect(flags.value, "no T_MORE").to.equal(0);
      expect(ud.udata.len, `datagram ${i}`).to.equal(n);
      expect(Buffer.compare(ud.udata.buf.subarray(0, n), pattern(n, i + 1))).to.equal(0);
      expect(portOf(ud.addr.buf.subarray(0, ud.addr.len))).to.equal(port);
    }
  });

  it("sends datagrams that Python receives one by one, with their boundaries", async () => {
    const me = await bound(UDP, "inet");
    py = servePeer();
    const { port } = (await py.request({ op: "udp" })) as { port: number };
    for (const [i, n] of SIZES.entries()) {
      await ok(t_sndudata(me.fd, t_unitdata_of({ addr: loopback("inet", port), udata: pattern(n, i + 1) })), "t_sndudata");
    }
    for (const [i, n] of SIZES.entries()) {
      const got = (await py.request({ op: "recvfrom" })) as { data: string; port: number };
      expect(unhex(got.data).length, `datagram ${i}`).to.equal(n);
      expect(Buffer.compare(unhex(got.data), pattern(n, i + 1))).to.equal(0);
      expect(got.port).to.equal(me.port);
    }
  });

  it("turns an ICMP port unreachable into T_UDERR (ECONNREFUSED, the destination), and the next datagram still goes out", async () => {
    const me = await bound(UDP, "inet");
    const gone = await bound(UDP, "inet");
    await ok(t_close(gone.fd), "t_close of the destination");
    await ok(t_sndudata(me.fd, t_unitdata_of({ addr: gone.addr, udata: pattern(10) })), "t_sndudata to a closed port");
    expect(await nextEvent(me.fd)).to.equal(T_UDERR);
    const e = t_uderr_of({ addr: 64, opt: 64 });
    await ok(t_rcvuderr(me.fd, e), "t_rcvuderr");
    expect(e.error).to.equal(ECONNREFUSED);
    expect(Array.from(e.addr.buf.subarray(0, e.addr.len))).to.deep.equal(Array.from(gone.addr));
    expectFail(await t_rcvuderr(me.fd, null), TNOUDERR);
    // The kernel also left the error pending on the socket; it must not swallow the next datagram.
    await ok(t_sndudata(me.fd, t_unitdata_of({ addr: gone.addr, udata: pattern(10) })), "t_sndudata to the closed port again");
    py = servePeer();
    const { port } = (await py.request({ op: "udp" })) as { port: number };
    expect(await nextEvent(me.fd)).to.equal(T_UDERR);
    await ok(t_rcvuderr(me.fd, null), "t_rcvuderr");
    await ok(t_sndudata(me.fd, t_unitdata_of({ addr: loopback("inet", port), udata: pattern(5, 9) })), "t_sndudata to a live peer");
    expect(await py.request({ op: "recvfrom" })).to.deep.equal({ data: hex(pattern(5, 9)), port: me.port });
    await py.request({ op: "sendto", port: me.port, data: hex(pattern(3, 4)) });
    expect(await nextEvent(me.fd)).to.equal(T_DATA);
  });

  it("bounds what it reads ahead in datagrams too: empty ones left unread stay in the kernel (which drops the excess), and reading goes on", async () => {
    const me = await bound(UDP, "inet", 0, true);
    const ret = t_optmgmt_of(256);
    await ok(t_optmgmt(me.fd, t_optmgmt_of(encodeOptions([{ level: XTI_GENERIC, name: XTI_RCVBUF, value: scalarValue(4096) }]), T_NEGOTIATE), ret), "t_optmgmt");
    expect(ret.flags).to.equal(T_SUCCESS);
    py = servePeer();
    await py.request({ op: "udp" });
    const flood = 5000;
    // Paced so that a provider reading without a bound would take nearly all of them.
    await py.request({ op: "sendto", port: me.port, data: "", count: flood, pace: 10 });
    const ud = t_unitdata_of({ addr: 64, udata: 64 });
    let empty = 0;
    while ((await t_rcvudata(me.fd, ud, { value: 0 })) === 0) {
      expect(ud.udata.len).to.equal(0);
      empty++;
    }
    expect(tErrnoName(t_errno)).to.equal(tErrnoName(TNODATA));
    // Reading resumes after empty datagrams (each one read is reported to the provider).
    await py.request({ op: "sendto", port: me.port, data: hex(text("after")) });
    fcntl(me.fd, F_SETFL, 0);
    for (;;) {
      await ok(t_rcvudata(me.fd, ud, { value: 0 }), "t_rcvudata");
      if (ud.udata.len > 0) break;
      empty++;
    }
    expect(Buffer.from(ud.udata.buf.subarray(0, ud.udata.len)).toString()).to.equal("after");
    // What XTI_RCVBUF lets the provider hold plus what the kernel's buffer kept: not the flood.
    expect(empty).to.be.below(flood / 10);
  });

  it("a datagram sent right behind one that fails is not lost to the error the kernel left pending", async () => {
    const me = await bound(UDP, "inet");
    const gone = await bound(UDP, "inet");
    await ok(t_close(gone.fd), "t_close of the destination");
    py = servePeer();
    const { port } = (await py.request({ op: "udp" })) as { port: number };
    // Back to back, before the error can be read: on loopback the ICMP error is in before the second send.
    await ok(t_sndudata(me.fd, t_unitdata_of({ addr: gone.addr, udata: pattern(10) })), "t_sndudata to a closed port");
    await ok(t_sndudata(me.fd, t_unitdata_of({ addr: loopback("inet", port), udata: pattern(5, 9) })), "t_sndudata to a live peer");
    expect(await py.request({ op: "recvfrom" })).to.deep.equal({ data: hex(pattern(5, 9)), port: me.port });
    expect(await nextEvent(me.fd)).to.equal(T_UDERR);
    const e = t_uderr_of({ addr: 64 });
    await ok(t_rcvuderr(me.fd, e), "t_rcvuderr");
    expect({ error: e.error, port: portOf(e.addr.buf.subarray(0, e.addr.len)) }).to.deep.equal({ error: ECONNREFUSED, port: gone.port });
    expectFail(await t_rcvuderr(me.fd, null), TNOUDERR);
  });
});
