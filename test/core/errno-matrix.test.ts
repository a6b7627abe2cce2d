/**
 * The t_errno cases not already shown by the other suites, so that every t_errno each call can set
 * on the loopback providers (and every provider error the library passes through) has a test.
 */
import { expect } from "chai";
import {
  F_SETFL,
  fcntl,
  O_NONBLOCK,
  T_COTS_ORD,
  T_INREL,
  TACCES,
  TBADDATA,
  TBADOPT,
  TBUFOVFLW,
  TFLOW,
  TLOOK,
  TNOADDR,
  TNODATA,
  TNOTSUPPORT,
  netbuf,
  registerProvider,
  t_accept,
  t_bind,
  t_call_of,
  t_connect,
  t_discon_of,
  t_listen,
  t_rcvconnect,
  t_rcvdis,
  t_rcvrel,
  t_rcvreldata,
  t_rcvudata,
  t_rcvuderr,
  t_rcvvudata,
  t_snd,
  t_snddis,
  t_sndrel,
  t_sndreldata,
  t_sndvudata,
  t_unitdata_of,
  unregisterProvider,
} from "../../src/index.js";
import { ProviderError, ScriptedProvider } from "../helpers/scripted.js";
import { callTo, cleanup, connectedPair, expectFail, listener, loopback, ok, open, pattern, state, text } from "../helpers/xti.js";

describe("t_errno cases", () => {
  afterEach(cleanup);

  it("connection-mode calls on a connectionless endpoint, and connectionless calls on a connection endpoint: TNOTSUPPORT", async () => {
    const u = open("/dev/ticlts");
    await ok(t_bind(u, null, null));
    const call = t_call_of({ addr: 8 });
    for (const r of [
      await t_rcvconnect(u, null),
      await t_accept(u, u, call),
      await t_snddis(u, null),
      await t_rcvdis(u, null),
      await t_sndrel(u),
      await t_rcvrel(u),
    ]) {
      expectFail(r, TNOTSUPPORT);
    }
    const c = open("/dev/ticotsord");
    await ok(t_bind(c, null, null));
    expectFail(await t_rcvudata(c, t_unitdata_of({ addr: 8, udata: 8 }), { value: 0 }), TNOTSUPPORT);
    expectFail(await t_rcvuderr(c, null), TNOTSUPPORT);
    expectFail(await t_sndvudata(c, t_unitdata_of({ addr: text("x") }), [{ iov_base: text("x"), iov_len: 1 }], 1), TNOTSUPPORT);
  });

  it("t_rcvconnect and t_listen fail TLOOK when a disconnect is pending", async () => {
    const l = await listener("/dev/ticotsord", 1);
    const c = open("/dev/ticotsord", true);
    await ok(t_bind(c, null, null));
    expectFail(await t_connect(c, callTo(l.addr), null), TNODATA);
    const call = t_call_of({ addr: 64 });
    await ok(t_listen(l.fd, call));
    await ok(t_snddis(l.fd, call));
    expectFail(await t_rcvconnect(c, null), TLOOK);

    const l2 = await listener("/dev/ticotsord", 2);
    const a = open("/dev/ticotsord", true);
    await ok(t_bind(a, null, null));
    expectFail(await t_connect(a, callTo(l2.addr), null), TNODATA);
    await ok(t_listen(l2.fd, t_call_of({ addr: 64 })));
    await ok(t_snddis(a, null));
    expectFail(await t_listen(l2.fd, t_call_of({ addr: 64 })), TLOOK);
  });

  it("t_accept fails TBADDATA for accept data beyond the provider limit and TBADOPT for options (tl takes none)", async () => {
    const dev = loopback({ servtype: T_COTS_ORD, connect: 4 });
    const l = await listener(dev, 1);
    const c = open(dev, true);
    await ok(t_bind(c, null, null));
    expectFail(await t_connect(c, callTo(l.addr), null), TNODATA);
    const call = t_call_of({ addr: 64 });
    await ok(t_listen(l.fd, call));
    expectFail(await t_accept(l.fd, l.fd, { ...call, udata: netbuf(text("12345")) }), TBADDATA);
    expectFail(await t_accept(l.fd, l.fd, { ...call, opt: netbuf(new Uint8Array(16)) }), TBADOPT);
    await ok(t_accept(l.fd, l.fd, call));
  });

  it("t_sndrel fails TFLOW in non-blocking mode while the peer's queue is full", async () => {
    const dev = loopback({ servtype: T_COTS_ORD, rcvbuf: 8 });
    const { client } = await connectedPair(dev);
    fcntl(client, F_SETFL, O_NONBLOCK);
    await ok(t_snd(client, pattern(8), 8, 0));
    expectFail(await t_sndrel(client), TFLOW);
  });

  it("t_rcvrel fails TLOOK when a disconnect is pending; t_rcvreldata fails TBUFOVFLW but takes the release", async () => {
    const { client, server } = await connectedPair("/dev/ticotsord");
    await ok(t_snddis(client, null));
    expectFail(await t_rcvrel(server), TLOOK);
    const dev = loopback({ servtype: T_COTS_ORD, ordrelData: true });
    const q = await connectedPair(dev);
    await ok(t_sndreldata(q.client, t_discon_of(text("farewell"))));
    expectFail(await t_rcvreldata(q.server, t_discon_of(2)), TBUFOVFLW);
    expect(state(q.server), "the release was taken").to.equal(T_INREL);
  });

  it("t_sndvudata and t_rcvvudata fail TBADDATA for iovcount 0 or beyond T_IOV_MAX", async () => {
    const u = open("/dev/ticlts");
    await ok(t_bind(u, null, null));
    const iov = Array.from({ length: 17 }, () => ({ iov_base: text("x"), iov_len: 1 }));
    expectFail(await t_sndvudata(u, t_unitdata_of({ addr: text("x") }), iov, 17), TBADDATA);
    expectFail(await t_rcvvudata(u, t_unitdata_of({ addr: 8 }), iov, 0, { value: 0 }), TBADDATA);
  });

  it("passes provider error acknowledgements through as their t_errno (TNOADDR, TACCES)", async () => {
    const sp = new ScriptedProvider("/dev/test-errors");
    registerProvider(sp);
    try {
      const fd = open(sp.name);
      sp.last.nextError = new ProviderError("TNOADDR");
      expectFail(await t_bind(fd, null, null), TNOADDR);
      sp.last.nextError = new ProviderError("TACCES");
      expectFail(await t_bind(fd, null, null), TACCES);
      await ok(t_bind(fd, null, null));
      sp.last.nextError = new ProviderError("TACCES");
      expectFail(await t_connect(fd, callTo(text("x")), null), TACCES);
    } finally {
      unregisterProvider(sp.name);
    }
  });
});
