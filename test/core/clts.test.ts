/**
 * Connectionless transfer on /dev/ticlts: datagrams with their source address, datagrams larger
 * than the buffer in T_MORE pieces, TBUFOVFLW for a short address (the datagram is discarded),
 * unit data errors, zero-length and oversize datagrams, the iovec variants, flow control.
 */
import { expect } from "chai";
import {
  F_SETFL,
  fcntl,
  O_NONBLOCK,
  T_CLTS,
  T_DATA,
  T_GODATA,
  T_MORE,
  T_UDERR,
  TBADDATA,
  TBUFOVFLW,
  TFLOW,
  TNODATA,
  TNOTSUPPORT,
  TNOUDERR,
  t_connect,
  t_listen,
  t_call_of,
  t_look,
  t_rcv,
  t_rcvudata,
  t_rcvuderr,
  t_rcvvudata,
  t_snd,
  t_sndudata,
  t_sndvudata,
  t_uderr_of,
  t_unitdata_of,
} from "../../src/index.js";
import { ECONNRESET } from "../../src/errno.js";
import { boundClts, callTo, cleanup, expectFail, loopback, ok, open, pattern, str, text } from "../helpers/xti.js";

describe("connectionless transfer", () => {
  afterEach(cleanup);

  it("delivers datagrams in order with the sender's address; t_rcvudata returns 0", async () => {
    const a = await boundClts("/dev/ticlts");
    const b = await boundClts("/dev/ticlts");
    await ok(t_sndudata(a.fd, t_unitdata_of({ addr: b.addr, udata: text("first") })));
    await ok(t_sndudata(a.fd, t_unitdata_of({ addr: b.addr, udata: text("second") })));
    expect(t_look(b.fd)).to.equal(T_DATA);
    for (const expected of ["first", "second"]) {
      const ud = t_unitdata_of({ addr: 64, opt: 64, udata: 64 });
      const flags = { value: -1 };
      expect(await t_rcvudata(b.fd, ud, flags)).to.equal(0);
      expect(str(ud.udata.buf.subarray(0, ud.udata.len))).to.equal(expected);
      expect(Buffer.compare(ud.addr.buf.subarray(0, ud.addr.len), a.addr)).to.equal(0);
      expect(ud.opt.len).to.equal(0);
      expect(flags.value).to.equal(0);
    }
  });

  it("returns a datagram larger than udata.maxlen in pieces with T_MORE, later pieces with addr.len = opt.len = 0", async () => {
    const a = await boundClts("/dev/ticlts");
    const b = await boundClts("/dev/ticlts");
    const data = pattern(25, 4);
    await ok(t_sndudata(a.fd, t_unitdata_of({ addr: b.addr, udata: data })));
    const parts: Uint8Array[] = [];
    const flagsSeen: number[] = [];
    const addrLens: number[] = [];
    for (;;) {
      const ud = t_unitdata_of({ addr: 64, opt: 64, udata: 10 });
      ud.addr.len = 99;
      ud.opt.len = 99;
      const flags = { value: 0 };
      await ok(t_rcvudata(b.fd, ud, flags));
      parts.push(ud.udata.buf.slice(0, ud.udata.len));
      flagsSeen.push(flags.value);
      addrLens.push(ud.addr.len);
      expect(ud.opt.len).to.equal(0);
      if ((flags.value & T_MORE) === 0) break;
    }
    expect(parts.map((p) => p.length)).to.deep.equal([10, 10, 5]);
    expect(flagsSeen).to.deep.equal([T_MORE, T_MORE, 0]);
    expect(addrLens).to.deep.equal([a.addr.length, 0, 0]);
    expect(Buffer.compare(Buffer.concat(parts), data)).to.equal(0);
  });

  it("fails TBUFOVFLW for an address buffer too small and discards the datagram", async () => {
    const a = await boundClts("/dev/ticlts");
    const b = await boundClts("/dev/ticlts");
    await ok(t_sndudata(a.fd, t_unitdata_of({ addr: b.addr, udata: text("lost") })));
    await ok(t_sndudata(a.fd, t_unitdata_of({ addr: b.addr, udata: text("kept") })));
    expectFail(await t_rcvudata(b.fd, t_unitdata_of({ addr: 2, udata: 64 }), { value: 0 }), TBUFOVFLW);
    const ud = t_unitdata_of({ addr: 64, udata: 64 });
    await ok(t_rcvudata(b.fd, ud, { value: 0 }));
    expect(str(ud.udata.buf.subarray(0, ud.udata.len))).to.equal("kept");
  });

  it("reports a datagram to an unbound address as T_UDERR, returned by t_rcvuderr (ECONNRESET, as tl)", async () => {
    const a = await boundClts("/dev/ticlts");
    await ok(t_sndudata(a.fd, t_unitdata_of({ addr: text("nobody"), udata: text("x") })));
    expect(t_look(a.fd)).to.equal(T_UDERR);
    const e = t_uderr_of({ addr: 64, opt: 64 });
    await ok(t_rcvuderr(a.fd, e));
    expect(e.error).to.equal(ECONNRESET);
    expect(str(e.addr.buf.subarray(0, e.addr.len))).to.equal("nobody");
    expect(t_look(a.fd)).to.equal(0);
    expectFail(await t_rcvuderr(a.fd, null), TNOUDERR);
  });

  it("clears a unit data error with t_rcvuderr(fd, NULL); a short address buffer is TBUFOVFLW and discards it", async () => {
    const a = await boundClts("/dev/ticlts");
    await ok(t_sndudata(a.fd, t_unitdata_of({ addr: text("nobody"), udata: text("x") })));
    await ok(t_rcvuderr(a.fd, null));
    expect(t_look(a.fd)).to.equal(0);
    await ok(t_sndudata(a.fd, t_unitdata_of({ addr: text("nobody at all"), udata: text("x") })));
    expectFail(await t_rcvuderr(a.fd, t_uderr_of({ addr: 4 })), TBUFOVFLW);
    expect(t_look(a.fd)).to.equal(0);
  });

  it("carries zero-length datagrams and rejects oversize ones with TBADDATA", async () => {
    const small = loopback({ servtype: T_CLTS, tsdu: 16 });
    const a = await boundClts(small);
    const b = await boundClts(small);
    await ok(t_sndudata(a.fd, t_unitdata_of({ addr: b.addr, udata: new Uint8Array(0) })));
    const ud = t_unitdata_of({ addr: 64, udata: 64 });
    ud.udata.len = 5;
    await ok(t_rcvudata(b.fd, ud, { value: 0 }));
    expect(ud.udata.len).to.equal(0);
    expectFail(await t_sndudata(a.fd, t_unitdata_of({ addr: b.addr, udata: new Uint8Array(17) })), TBADDATA);
    const noZero = loopback({ servtype: T_CLTS, sendZero: false });
    const c = await boundClts(noZero);
    expectFail(await t_sndudata(c.fd, t_unitdata_of({ addr: c.addr, udata: new Uint8Array(0) })), TBADDATA);
  });

  it("gathers with t_sndvudata and scatters with t_rcvvudata, which returns the byte count", async () => {
    const a = await boundClts("/dev/ticlts");
    const b = await boundClts("/dev/ticlts");
    const parts = [text("scat"), text("ter")];
    await ok(t_sndvudata(a.fd, t_unitdata_of({ addr: b.addr }), parts.map((p) => ({ iov_base: p, iov_len: p.length })), 2));
    const x = new Uint8Array(3);
    const y = new Uint8Array(10);
    const ud = t_unitdata_of({ addr: 64 });
    const flags = { value: 0 };
    expect(await t_rcvvudata(b.fd, ud, [{ iov_base: x, iov_len: 3 }, { iov_base: y, iov_len: 10 }], 2, flags)).to.equal(7);
    expect(str(x)).to.equal("sca");
    expect(str(y.subarray(0, 4))).to.equal("tter");
    expectFail(await t_rcvvudata(b.fd, ud, [], 0, flags), TBADDATA);
  });

  it("fails TFLOW when the receiver's queue is full, then reports T_GODATA", async () => {
    const dev = loopback({ servtype: T_CLTS, rcvbuf: 10 });
    const a = await boundClts(dev);
    const b = await boundClts(dev);
    fcntl(a.fd, F_SETFL, O_NONBLOCK);
    await ok(t_sndudata(a.fd, t_unitdata_of({ addr: b.addr, udata: pattern(10) })));
    expectFail(await t_sndudata(a.fd, t_unitdata_of({ addr: b.addr, udata: pattern(10) })), TFLOW);
    await ok(t_rcvudata(b.fd, t_unitdata_of({ addr: 64, udata: 64 }), { value: 0 }));
    expect(t_look(a.fd)).to.equal(T_GODATA);
    await ok(t_sndudata(a.fd, t_unitdata_of({ addr: b.addr, udata: pattern(10) })));
  });

  it("fails TNODATA non-blocking with nothing queued, and TNOTSUPPORT for connection-mode calls", async () => {
    const a = await boundClts("/dev/ticlts");
    fcntl(a.fd, F_SETFL, O_NONBLOCK);
    expectFail(await t_rcvudata(a.fd, t_unitdata_of({ addr: 64, udata: 64 }), { value: 0 }), TNODATA);
    expectFail(await t_connect(a.fd, callTo(text("x")), null), TNOTSUPPORT);
    expectFail(await t_listen(a.fd, t_call_of({ addr: 8 })), TNOTSUPPORT);
    expectFail(await t_snd(a.fd, text("x"), 1, 0), TNOTSUPPORT);
    expectFail(await t_rcv(a.fd, new Uint8Array(1), 1, { value: 0 }), TNOTSUPPORT);
    const cots = open("/dev/ticots");
    expectFail(await t_sndudata(cots, t_unitdata_of({ addr: text("x"), udata: text("x") })), TNOTSUPPORT);
  });
});
