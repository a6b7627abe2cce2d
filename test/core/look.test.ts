/**
 * t_look and TLOOK: a disconnect outranks everything and discards an unread orderly release;
 * otherwise queue order, so data queued ahead of a release is read first; which calls fail TLOOK
 * for which events.
 */
import { expect } from "chai";
import {
  T_CLTS,
  T_CONNECT,
  T_COTS_ORD,
  T_DATA,
  T_DISCONNECT,
  T_EXDATA,
  T_EXPEDITED,
  T_LISTEN,
  T_ORDREL,
  T_UDERR,
  TLOOK,
  TNODATA,
  TNOREL,
  t_accept,
  t_bind,
  t_getprotaddr,
  t_rcvconnect,
  t_call_of,
  t_connect,
  t_discon_of,
  t_listen,
  t_look,
  t_rcv,
  t_rcvdis,
  t_rcvrel,
  t_rcvudata,
  t_snd,
  t_snddis,
  t_sndrel,
  t_sndudata,
  t_unbind,
  t_unitdata_of,
} from "../../src/index.js";
import { ScriptedProvider } from "../helpers/scripted.js";
import { registerProvider, unregisterProvider } from "../../src/index.js";
import { callTo, cleanup, connectedPair, expectFail, listener, loopback, ok, open, text } from "../helpers/xti.js";

describe("t_look", () => {
  afterEach(cleanup);

  it("returns 0 with nothing pending and reports T_LISTEN, T_CONNECT, T_DATA, T_EXDATA, T_ORDREL, T_DISCONNECT", async () => {
    const l = await listener("/dev/ticotsord", 1);
    expect(t_look(l.fd)).to.equal(0);
    const c = open("/dev/ticotsord", true);
    await ok(t_bind(c, null, null));
    expectFail(await t_connect(c, callTo(l.addr), null), TNODATA);
    expect(t_look(l.fd)).to.equal(T_LISTEN);
    const call = t_call_of({ addr: 64 });
    await ok(t_listen(l.fd, call));
    
    await ok(t_accept(l.fd, l.fd, call));
    expect(t_look(c)).to.equal(T_CONNECT);
    
    await ok(t_rcvconnect(c, null));
    await ok(t_snd(l.fd, text("d"), 1, 0));
    expect(t_look(c)).to.equal(T_DATA);
    await ok(t_snd(l.fd, text("x"), 1, T_EXPEDITED));
    expect(t_look(c)).to.equal(T_EXDATA);
    await ok(t_rcv(c, new Uint8Array(1), 1, { value: 0 }));
    await ok(t_rcv(c, new Uint8Array(1), 1, { value: 0 }));
    await ok(t_sndrel(l.fd));
    expect(t_look(c)).to.equal(T_ORDREL);
  });

  it("lets data queued ahead of an orderly release be read first, then fails t_rcv with TLOOK", async () => {
    const { client, server } = await connectedPair("/dev/ticotsord");
    await ok(t_snd(client, text("tail"), 4, 0));
    await ok(t_sndrel(client));
    expect(t_look(server)).to.equal(T_DATA);
    expectFail(await t_rcvrel(server), TNOREL);
    const buf = new Uint8Array(8);
    expect(await t_rcv(server, buf, 8, { value: 0 })).to.equal(4);
    expect(t_look(server)).to.equal(T_ORDREL);
    expectFail(await t_rcv(server, buf, 8, { value: 0 }), TLOOK);
    await ok(t_rcvrel(server));
  });

  it("reports T_DISCONNECT ahead of queued data, and a disconnect discards an unread T_ORDREL", async () => {
    const sp = new ScriptedProvider("/dev/test-scripted-look");
    registerProvider(sp);
    try {
      const fd = open(sp.name);
      const connect = t_connect;
      await ok(t_bind(fd, null, null));
      const pending = connect(fd, callTo(text("peer")), null);
      await new Promise((r) => setImmediate(r));
      sp.last.user.connCon({ addr: text("peer"), opt: new Uint8Array(0), udata: new Uint8Array(0) });
      await ok(pending);
      sp.last.user.dataInd(text("early"), false);
      sp.last.user.ordrelInd(null);
      expect(t_look(fd)).to.equal(T_DATA);
      // A disconnect arriving behind the data and the release: it is reported first, the release is gone.
      sp.last.user.disconInd({ reason: 104, sequence: -1, udata: new Uint8Array(0) });
      expect(t_look(fd)).to.equal(T_DISCONNECT);
      // XNS: the data ahead of the disconnect may still be read...
      const buf = new Uint8Array(16);
      expect(await t_rcv(fd, buf, 16, { value: 0 })).to.equal(5);
      // ...then t_rcv fails TLOOK and the release never shows up.
      expectFail(await t_rcv(fd, buf, 16, { value: 0 }), TLOOK);
      expect(t_look(fd)).to.equal(T_DISCONNECT);
      const d = t_discon_of(16);
      await ok(t_rcvdis(fd, d));
      expect(d.reason).to.equal(104);
      expect(t_look(fd)).to.equal(0);
    } finally {
      unregisterProvider(sp.name);
    }
  });

  it("reports T_UDERR on a connectionless endpoint, and t_rcvudata and t_sndudata fail TLOOK for it", async () => {
    const dev = loopback({ servtype: T_CLTS });
    const fd = open(dev);
    await ok(t_bind(fd, null, null));
    await ok(t_sndudata(fd, t_unitdata_of({ addr: text("nowhere"), udata: text("x") })));
    expect(t_look(fd)).to.equal(T_UDERR);
    expectFail(await t_rcvudata(fd, t_unitdata_of({ addr: 64, udata: 64 }), { value: 0 }), TLOOK);
    expectFail(await t_sndudata(fd, t_unitdata_of({ addr: text("nowhere"), udata: text("x") })), TLOOK);
  });
});

describe("TLOOK by call", () => {
  afterEach(cleanup);

  it("t_snd, t_sndrel and t_snddis fail TLOOK while a disconnect is pending", async () => {
    const { client, server } = await connectedPair("/dev/ticotsord");
    await ok(t_snddis(client, null));
    expectFail(await t_snd(server, text("x"), 1, 0), TLOOK);
    expectFail(await t_sndrel(server), TLOOK);
    expectFail(await t_snddis(server, null), TLOOK);
    await ok(t_rcvdis(server, null));
  });

  it("XNS5 t_snd does not fail TLOOK for a pending orderly release", async () => {
    const { client, server } = await connectedPair("/dev/ticotsord");
    await ok(t_sndrel(client));
    expect(t_look(server)).to.equal(T_ORDREL);
    expect(await t_snd(server, text("still"), 5, 0)).to.equal(5);
  });

  it("t_connect fails TLOOK when an event is pending (a connection indication on a listener)", async () => {
    const dev = loopback({ servtype: T_COTS_ORD });
    const l2 = await listener(dev, 1);
    const c = open(dev);
    await ok(t_bind(c, { addr: { maxlen: 0, len: 0, buf: new Uint8Array(0) }, qlen: 1 }, null));
    const c2 = open(dev, true);
    const ret = { addr: { maxlen: 64, len: 0, buf: new Uint8Array(64) }, qlen: 0 };
    
    t_getprotaddr(c, ret, null);
    await ok(t_bind(c2, null, null));
    expectFail(await t_connect(c2, callTo(ret.addr.buf.slice(0, ret.addr.len)), null), TNODATA);
    expect(t_look(c)).to.equal(T_LISTEN);
    expectFail(await t_connect(c, callTo(l2.addr), null), TLOOK);
  });

  it("t_unbind fails TLOOK while an event is pending", async () => {
    const dev = loopback({ servtype: T_CLTS });
    const a = open(dev);
    const b = open(dev);
    const ret = { addr: { maxlen: 64, len: 0, buf: new Uint8Array(64) }, qlen: 0 };
    await ok(t_bind(a, null, ret));
    await ok(t_bind(b, null, null));
    await ok(t_sndudata(b, t_unitdata_of({ addr: ret.addr.buf.slice(0, ret.addr.len), udata: text("x") })));
    expectFail(await t_unbind(a), TLOOK);
    await ok(t_rcvudata(a, t_unitdata_of({ addr: 64, udata: 64 }), { value: 0 }));
    await ok(t_unbind(a));
  });
});
