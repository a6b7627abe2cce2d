/**
 * TBUFOVFLW and its side effects: the call still does what it does (t_listen moves to T_INCON
 * with a valid sequence, t_connect/t_rcvconnect to T_DATAXFER, t_bind to T_IDLE, t_rcvdis
 * consumes the event); maxlen 0 means "do not return this field" and is never an overflow.
 */
import { expect } from "chai";
import {
  T_DATAXFER,
  T_IDLE,
  T_INCON,
  TBUFOVFLW,
  TNODATA,
  netbuf,
  t_accept,
  t_bind,
  t_bind_of,
  t_call_of,
  t_connect,
  t_discon_of,
  t_getprotaddr,
  t_listen,
  t_look,
  t_rcvconnect,
  t_rcvdis,
  t_snddis,
} from "../../src/index.js";
import { callTo, cleanup, connectedPair, expectFail, listener, ok, open, state, text } from "../helpers/xti.js";

const dev = "/dev/ticotsord";

describe("TBUFOVFLW", () => {
  afterEach(cleanup);

  it("t_listen: the indication is taken anyway (T_INCON) and its sequence works with t_snddis", async () => {
    const l = await listener(dev, 1);
    const c = open(dev, true);
    await ok(t_bind(c, null, null));
    expectFail(await t_connect(c, callTo(l.addr, text("some connect data")), null), TNODATA);
    const call = t_call_of({ addr: 64, udata: 4 });
    expectFail(await t_listen(l.fd, call), TBUFOVFLW);
    expect(state(l.fd)).to.equal(T_INCON);
    await ok(t_snddis(l.fd, call));
    expect(state(l.fd)).to.equal(T_IDLE);
  });

  it("t_connect (blocking) and t_rcvconnect: the connection is established (T_DATAXFER) anyway", async () => {
    const l = await listener(dev, 2);
    const a = open(dev);
    await ok(t_bind(a, null, null));
    const res = open(dev);
    const accepting = (async () => {
      const call = t_call_of({ addr: 64 });
      await ok(t_listen(l.fd, call));
      await ok(t_accept(l.fd, res, { ...call, udata: netbuf(text("a long accept message")) }));
    })();
    expectFail(await t_connect(a, callTo(l.addr), t_call_of({ addr: 64, udata: 3 })), TBUFOVFLW);
    await accepting;
    expect(state(a)).to.equal(T_DATAXFER);

    const b = open(dev, true);
    await ok(t_bind(b, null, null));
    expectFail(await t_connect(b, callTo(l.addr), null), TNODATA);
    const call = t_call_of({ addr: 64 });
    await ok(t_listen(l.fd, call));
    await ok(t_accept(l.fd, l.fd, call));
    expectFail(await t_rcvconnect(b, t_call_of({ addr: 1 })), TBUFOVFLW);
    expect(state(b)).to.equal(T_DATAXFER);
  });

  it("t_bind: bound anyway (T_IDLE) when ret.addr is too small", async () => {
    const fd = open(dev);
    expectFail(await t_bind(fd, null, t_bind_of(1)), TBUFOVFLW);
    expect(state(fd)).to.equal(T_IDLE);
  });

  it("t_rcvdis: the disconnect is consumed anyway", async () => {
    const { client, server } = await connectedPair(dev);
    await ok(t_snddis(client, { ...t_call_of(), udata: netbuf(text("a long goodbye")) }));
    expectFail(await t_rcvdis(server, t_discon_of(2)), TBUFOVFLW);
    expect(t_look(server)).to.equal(0);
    expect(state(server)).to.equal(T_IDLE);
  });

  it("treats maxlen 0 as 'do not return this field' (no TBUFOVFLW)", async () => {
    const l = await listener(dev, 1);
    const c = open(dev, true);
    await ok(t_bind(c, null, null));
    expectFail(await t_connect(c, callTo(l.addr, text("data")), null), TNODATA);
    const call = t_call_of({ addr: 0, opt: 0, udata: 0 });
    await ok(t_listen(l.fd, call));
    expect(call.addr.len).to.equal(0);
    expect(call.udata.len).to.equal(0);
    const fd = open(dev);
    await ok(t_bind(fd, null, t_bind_of(0)));
  });

  it("t_getprotaddr fails TBUFOVFLW for a buffer smaller than the address", async () => {
    const fd = open(dev);
    await ok(t_bind(fd, null, null));
    expect(t_getprotaddr(fd, t_bind_of(1), null)).to.equal(-1);
    const bound = t_bind_of(64);
    const peer = t_bind_of(64);
    peer.addr.len = 7;
    await ok(t_getprotaddr(fd, bound, peer));
    expect(bound.addr.len).to.be.above(0);
    expect(peer.addr.len, "no peer outside a connection").to.equal(0);
  });
});
