/**
 * Connection establishment and the connection queue: qlen negotiation, sequences, TBADQLEN,
 * TQFULL (once per full episode), TINDOUT, TBADSEQ, TRESQLEN, TPROVMISMATCH, binding an unbound
 * acceptor, rejecting an indication, refused and withdrawn connects, connect and disconnect data.
 */
import { expect } from "chai";
import {
  T_CONNECT,
  T_COTS,
  T_COTS_ORD,
  T_DATAXFER,
  T_DISCONNECT,
  T_IDLE,
  T_INCON,
  T_LISTEN,
  T_OUTCON,
  TADDRBUSY,
  TBADADDR,
  TBADDATA,
  TBADOPT,
  TBADQLEN,
  TBADSEQ,
  TINDOUT,
  TLOOK,
  TNODATA,
  TPROVMISMATCH,
  TQFULL,
  TRESQLEN,
  netbuf,
  fcntl,
  F_SETFL,
  O_NONBLOCK,
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
  t_close,
  T_INVALID,
} from "../../src/index.js";
import { ECONNREFUSED, ECONNRESET } from "../../src/errno.js";
import { callTo, cleanup, connectedPair, expectFail, listener, loopback, ok, open, settle, state, str, text } from "../helpers/xti.js";

/** A client that called `addr` without waiting (non-blocking connect). */
async function caller(device: string, addr: Uint8Array, udata?: Uint8Array): Promise<number> {
  const c = open(device, true);
  await ok(t_bind(c, null, null));
  expectFail(await t_connect(c, callTo(addr, udata), null), TNODATA);
  return c;
}

describe("connection establishment", () => {
  let dev = "";
  beforeEach(() => {
    dev = loopback({ servtype: T_COTS_ORD });
  });
  afterEach(cleanup);

  it("negotiates qlen down to the provider maximum (128) and returns it", async () => {
    const fd = open(dev);
    const ret = t_bind_of(64);
    await ok(t_bind(fd, t_bind_of(0, 1000), ret));
    expect(ret.qlen).to.equal(128);
  });

  it("fails t_listen with TBADQLEN on an endpoint bound with qlen 0", async () => {
    const fd = open(dev);
    await ok(t_bind(fd, null, null));
    expectFail(await t_listen(fd, t_call_of({ addr: 64 })), TBADQLEN);
  });

  it("fails a second bind to a listener's address with TADDRBUSY", async () => {
    const l = await listener(dev, 1);
    const fd = open(dev);
    expectFail(await t_bind(fd, t_bind_of(l.addr, 1), null), TADDRBUSY);
  });

  it("carries connect data and the caller's address to t_listen, and a sequence per indication", async () => {
    const l = await listener(dev, 2);
    const a = await caller(dev, l.addr, text("hello"));
    const b = await caller(dev, l.addr, text("world"));
    const c1 = t_call_of({ addr: 64, udata: 64 });
    const c2 = t_call_of({ addr: 64, udata: 64 });
    await ok(t_listen(l.fd, c1));
    await ok(t_listen(l.fd, c2));
    expect(str(c1.udata.buf.subarray(0, c1.udata.len))).to.equal("hello");
    expect(str(c2.udata.buf.subarray(0, c2.udata.len))).to.equal("world");
    expect(c1.sequence).to.not.equal(c2.sequence);
    const aBound = { addr: netbuf(64), qlen: 0 };
    t_getprotaddr(a, aBound, null);
    expect(Buffer.compare(c1.addr.buf.subarray(0, c1.addr.len), aBound.addr.buf.subarray(0, aBound.addr.len))).to.equal(0);
    expect(state(l.fd)).to.equal(T_INCON);
    expect(state(b)).to.equal(T_OUTCON);
  });

  it("reports TQFULL once when ocnt reaches qlen, refuses further callers, and clears it after an accept", async () => {
    const l = await listener(dev, 2);
    await caller(dev, l.addr);
    await caller(dev, l.addr);
    const third = await caller(dev, l.addr);
    expect(t_look(third)).to.equal(T_DISCONNECT);
    const d = t_discon_of(16);
    await ok(t_rcvdis(third, d));
    expect(d.reason).to.equal(ECONNREFUSED);
    const calls = [t_call_of({ addr: 64 }), t_call_of({ addr: 64 })];
    await ok(t_listen(l.fd, calls[0]!));
    await ok(t_listen(l.fd, calls[1]!));
    const fd = l.fd;
    // Non-blocking for the rest, so the second t_listen reports TNODATA instead of waiting.
    fcntl(fd, F_SETFL, O_NONBLOCK);
    expectFail(await t_listen(fd, t_call_of({ addr: 64 })), TQFULL);
    expectFail(await t_listen(fd, t_call_of({ addr: 64 })), TNODATA);
    const res = open(dev);
    await ok(t_accept(fd, res, calls[0]!));
    // Below qlen again: a new caller gets through, and the next full episode reports TQFULL again.
    await caller(dev, l.addr);
    await ok(t_listen(fd, t_call_of({ addr: 64 })));
    expectFail(await t_listen(fd, t_call_of({ addr: 64 })), TQFULL);
  });

  it("holds callers beyond qlen unindicated when configured to, indicating them oldest first as room is made, and refuses them if the listener closes", async () => {
    const held = loopback({ servtype: T_COTS_ORD, holdCallersBeyondQlen: true });
    const l = await listener(held, 1);
    const first = await caller(held, l.addr);
    const [second, third] = [await caller(held, l.addr, text("2nd")), await caller(held, l.addr, text("3rd"))];
    expect([t_look(second), t_look(third)], "held callers are neither refused nor confirmed").to.deep.equal([0, 0]);
    const call = t_call_of({ addr: 64, udata: 64 });
    await ok(t_listen(l.fd, call));
    expect(t_look(l.fd), "nothing beyond qlen is indicated").to.equal(0);
    await ok(t_snddis(l.fd, call)); // room: the longest-waiting held caller is indicated, with its data
    expect(t_look(first)).to.equal(T_DISCONNECT);
    const next = t_call_of({ addr: 64, udata: 64 });
    await ok(t_listen(l.fd, next));
    expect(str(next.udata.buf.subarray(0, next.udata.len))).to.equal("2nd");
    await ok(t_accept(l.fd, open(held), next));
    expect(t_look(second)).to.equal(T_CONNECT);
    expect(t_look(l.fd), "the third caller is indicated once the second was accepted").to.equal(T_LISTEN);
    const fourth = await caller(held, l.addr);
    await ok(t_snddis(fourth, null)); // a held caller that gives up vanishes without a trace
    await ok(t_close(l.fd));
    expect(t_look(third)).to.equal(T_DISCONNECT);
  });

  it("fails TINDOUT accepting onto the listener with more than one indication outstanding", async () => {
    const l = await listener(dev, 2);
    await caller(dev, l.addr);
    await caller(dev, l.addr);
    const c1 = t_call_of({ addr: 64 });
    await ok(t_listen(l.fd, c1));
    await ok(t_listen(l.fd, t_call_of({ addr: 64 })));
    expectFail(await t_accept(l.fd, l.fd, c1), TINDOUT);
    expect(state(l.fd)).to.equal(T_INCON);
  });

  it("fails TBADSEQ for an unknown sequence, in t_accept and in t_snddis", async () => {
    const l = await listener(dev, 1);
    await caller(dev, l.addr);
    const c = t_call_of({ addr: 64 });
    await ok(t_listen(l.fd, c));
    expectFail(await t_accept(l.fd, l.fd, { ...c, sequence: c.sequence + 1000 }), TBADSEQ);
    expectFail(await t_snddis(l.fd, { ...c, sequence: c.sequence + 1000 }), TBADSEQ);
    expectFail(await t_snddis(l.fd, null), TBADSEQ);
  });

  it("fails TRESQLEN accepting onto another listener, TPROVMISMATCH onto another provider", async () => {
    const l = await listener(dev, 1);
    await caller(dev, l.addr);
    const c = t_call_of({ addr: 64 });
    await ok(t_listen(l.fd, c));
    const other = await listener(dev, 1);
    expectFail(await t_accept(l.fd, other.fd, c), TRESQLEN);
    const foreign = open("/dev/ticotsord");
    expectFail(await t_accept(l.fd, foreign, c), TPROVMISMATCH);
    expect(state(l.fd)).to.equal(T_INCON);
  });

  it("binds an unbound acceptor automatically and moves it to T_DATAXFER", async () => {
    const l = await listener(dev, 1);
    const client = await caller(dev, l.addr);
    const c = t_call_of({ addr: 64 });
    await ok(t_listen(l.fd, c));
    const res = open(dev);
    await ok(t_accept(l.fd, res, c));
    expect(state(res)).to.equal(T_DATAXFER);
    expect(state(l.fd)).to.equal(T_IDLE);
    const bound = { addr: netbuf(64), qlen: 0 };
    const peer = { addr: netbuf(64), qlen: 0 };
    t_getprotaddr(res, bound, peer);
    expect(bound.addr.len).to.be.above(0);
    expect(peer.addr.len).to.be.above(0);
    expect(t_look(client)).to.equal(T_CONNECT);
    await ok(t_rcvconnect(client, null));
    expect(state(client)).to.equal(T_DATAXFER);
  });

  it("rejects a chosen indication with t_snddis: the caller sees a disconnect with the reject data", async () => {
    const l = await listener(dev, 2);
    const a = await caller(dev, l.addr);
    const b = await caller(dev, l.addr);
    const ca = t_call_of({ addr: 64 });
    const cb = t_call_of({ addr: 64 });
    await ok(t_listen(l.fd, ca));
    await ok(t_listen(l.fd, cb));
    await ok(t_snddis(l.fd, { ...t_call_of(), sequence: cb.sequence, udata: netbuf(text("go away")) }));
    expect(state(l.fd)).to.equal(T_INCON);
    expect(t_look(b)).to.equal(T_DISCONNECT);
    const d = t_discon_of(64);
    await ok(t_rcvdis(b, d));
    expect(str(d.udata.buf.subarray(0, d.udata.len))).to.equal("go away");
    expect(d.reason).to.equal(ECONNRESET);
    expect(state(b)).to.equal(T_IDLE);
    expect(t_look(a)).to.equal(0);
    await ok(t_accept(l.fd, l.fd, ca));
    expect(state(l.fd)).to.equal(T_DATAXFER);
  });

  it("fails a refused connect with TLOOK (blocking): T_DISCONNECT with reason ECONNREFUSED, state T_OUTCON", async () => {
    const fd = open(dev);
    await ok(t_bind(fd, null, null));
    expectFail(await t_connect(fd, callTo(text("nobody")), null), TLOOK);
    expect(state(fd)).to.equal(T_OUTCON);
    expect(t_look(fd)).to.equal(T_DISCONNECT);
    const d = t_discon_of(8);
    await ok(t_rcvdis(fd, d));
    expect(d.reason).to.equal(ECONNREFUSED);
    expect(d.sequence).to.equal(-1);
    expect(state(fd)).to.equal(T_IDLE);
  });

  it("completes a non-blocking connect with t_rcvconnect, returning the accept data", async () => {
    const l = await listener(dev, 1);
    const c = await caller(dev, l.addr);
    expect(state(c)).to.equal(T_OUTCON);
    expectFail(await t_rcvconnect(c, null), TNODATA);
    const call = t_call_of({ addr: 64 });
    await ok(t_listen(l.fd, call));
    await ok(t_accept(l.fd, l.fd, { ...call, udata: netbuf(text("welcome")) }));
    const got = t_call_of({ addr: 64, udata: 64 });
    await ok(t_rcvconnect(c, got));
    expect(str(got.udata.buf.subarray(0, got.udata.len))).to.equal("welcome");
    expect(state(c)).to.equal(T_DATAXFER);
  });

  it("blocks t_connect until the listener accepts", async () => {
    const l = await listener(dev, 1);
    const fd = open(dev);
    await ok(t_bind(fd, null, null));
    let done = false;
    const connecting = t_connect(fd, callTo(l.addr), null).then((r) => ((done = true), r));
    await settle();
    expect(done).to.equal(false);
    expect(state(fd)).to.equal(T_OUTCON);
    const call = t_call_of({ addr: 64 });
    await ok(t_listen(l.fd, call));
    await ok(t_accept(l.fd, l.fd, call));
    expect(await connecting).to.equal(0);
    expect(state(fd)).to.equal(T_DATAXFER);
  });

  it("withdraws an indication: before t_listen it vanishes, after t_listen t_rcvdis names its sequence", async () => {
    const l = await listener(dev, 2);
    const early = await caller(dev, l.addr);
    await ok(t_snddis(early, null));
    expect(t_look(l.fd)).to.equal(0);
    const late = await caller(dev, l.addr);
    const call = t_call_of({ addr: 64 });
    await ok(t_listen(l.fd, call));
    await t_close(late);
    expect(t_look(l.fd)).to.equal(T_DISCONNECT);
    const d = t_discon_of(8);
    await ok(t_rcvdis(l.fd, d));
    expect(d.sequence).to.equal(call.sequence);
    expect(state(l.fd)).to.equal(T_IDLE);
  });

  it("fails TBADDATA for connect data beyond the provider limit, or any when it has none", async () => {
    const limited = loopback({ servtype: T_COTS, connect: 4, discon: T_INVALID });
    const l = await listener(limited, 1);
    const fd = open(limited);
    await ok(t_bind(fd, null, null));
    expectFail(await t_connect(fd, callTo(l.addr, text("12345")), null), TBADDATA);
    const p = await connectedPair(limited);
    expectFail(await t_snddis(p.client, { ...t_call_of(), udata: netbuf(text("x")) }), TBADDATA);
  });

  it("passes provider errors through: an empty address is TBADADDR, connect options on tl are TBADOPT", async () => {
    const fd = open(dev);
    await ok(t_bind(fd, null, null));
    expectFail(await t_connect(fd, t_call_of(), null), TBADADDR);
    const l = await listener(dev, 1);
    expectFail(await t_connect(fd, { ...callTo(l.addr), opt: netbuf(new Uint8Array(16)) }, null), TBADOPT);
    expect(state(fd)).to.equal(T_IDLE);
  });

  it("t_accept fails TLOOK when a disconnect is pending on the listener (XNS5), not for a new T_LISTEN", async () => {
    const l = await listener(dev, 3);
    await caller(dev, l.addr);
    const b = await caller(dev, l.addr);
    const ca = t_call_of({ addr: 64 });
    const cb = t_call_of({ addr: 64 });
    await ok(t_listen(l.fd, ca));
    await ok(t_listen(l.fd, cb));
    await caller(dev, l.addr);
    expect(t_look(l.fd)).to.equal(T_LISTEN);
    const res = open(dev);
    await ok(t_accept(l.fd, res, ca));
    await ok(t_snddis(b, null));
    const res2 = open(dev);
    expectFail(await t_accept(l.fd, res2, cb), TLOOK);
  });
});
