/**
 * Blocking and non-blocking mode: non-blocking calls fail TNODATA / TFLOW instead of waiting;
 * blocking calls wait for the event that lets them complete or fail TLOOK; t_close completes a
 * pending call with TBADF; O_NONBLOCK can be switched with fcntl.
 */
import { expect } from "chai";
import {
  F_GETFL,
  F_SETFL,
  fcntl,
  O_NONBLOCK,
  O_RDWR,
  T_COTS,
  T_DATAXFER,
  TBADF,
  TLOOK,
  TNODATA,
  TOUTSTATE,
  TSTATECHNG,
  t_accept,
  t_bind,
  t_connect,
  t_call_of,
  t_close,
  t_getstate,
  t_listen,
  t_look,
  t_open,
  t_rcv,
  t_rcvudata,
  t_snd,
  t_snddis,
  t_unitdata_of,
  errno,
} from "../../src/index.js";
import { EBADF } from "../../src/errno.js";
import { callTo, cleanup, connectedPair, expectFail, expectFailAsync, listener, loopback, ok, open, settle, text } from "../helpers/xti.js";

describe("blocking and non-blocking calls", () => {
  afterEach(cleanup);

  it("a non-blocking t_rcv, t_listen and t_rcvudata fail TNODATA with nothing queued", async () => {
    const { server } = await connectedPair("/dev/ticots");
    fcntl(server, F_SETFL, O_NONBLOCK);
    expectFail(await t_rcv(server, new Uint8Array(4), 4, { value: 0 }), TNODATA);
    const l = await listener("/dev/ticots", 1);
    fcntl(l.fd, F_SETFL, O_NONBLOCK);
    expectFail(await t_listen(l.fd, t_call_of({ addr: 64 })), TNODATA);
    const u = open("/dev/ticlts", true);
    await ok(t_bind(u, null, null));
    expectFail(await t_rcvudata(u, t_unitdata_of({ addr: 64, udata: 64 }), { value: 0 }), TNODATA);
  });

  it("a blocking t_rcv waits for data, and is woken by a disconnect with TLOOK", async () => {
    const { client, server } = await connectedPair("/dev/ticots");
    const buf = new Uint8Array(8);
    let done = false;
    const first = t_rcv(server, buf, 8, { value: 0 }).then((n) => ((done = true), n));
    await settle();
    expect(done).to.equal(false);
    await ok(t_snd(client, text("hi"), 2, 0));
    expect(await first).to.equal(2);
    const second = t_rcv(server, buf, 8, { value: 0 });
    await settle();
    await ok(t_snddis(client, null));
    await expectFailAsync(second, TLOOK);
  });

  it("t_close completes a call blocked on that endpoint with TBADF", async () => {
    const { server } = await connectedPair("/dev/ticots");
    const pending = t_rcv(server, new Uint8Array(8), 8, { value: 0 });
    await settle();
    await ok(t_close(server));
    await expectFailAsync(pending, TBADF);
    expectFail(t_getstate(server), TBADF);
  });

  it("t_close completes a blocked send (flow control) with TBADF", async () => {
    const dev = loopback({ servtype: T_COTS, rcvbuf: 4, tidu: 4 });
    const { client } = await connectedPair(dev);
    const pending = t_snd(client, new Uint8Array(64), 64, 0);
    await settle();
    await ok(t_close(client));
    const r = await pending;
    expect(r === -1 || r > 0).to.equal(true);
    if (r === -1) expectFail(r, TBADF);
  });

  it("switches O_NONBLOCK with fcntl, and fcntl on a bad descriptor fails with errno EBADF", async () => {
    const fd = t_open("/dev/ticots", O_RDWR, null);
    expect(fcntl(fd, F_GETFL)).to.equal(O_RDWR);
    expect(fcntl(fd, F_SETFL, O_NONBLOCK)).to.equal(0);
    expect(fcntl(fd, F_GETFL)).to.equal(O_RDWR | O_NONBLOCK);
    expect(fcntl(12345, F_GETFL)).to.equal(-1);
    expect(errno).to.equal(EBADF);
  });

  it("t_getstate reports TSTATECHNG while a state change is in flight, then the new state", async () => {
    const l = await listener("/dev/ticots", 1);
    const c = open("/dev/ticots");
    await ok(t_bind(c, null, null));
    const connecting = t_connect(c, callTo(l.addr), null);
    expectFail(t_getstate(c), TSTATECHNG);
    const call = t_call_of({ addr: 64 });
    await ok(t_listen(l.fd, call));
    await ok(t_accept(l.fd, l.fd, call));
    await ok(connecting);
    expect(t_getstate(c)).to.equal(T_DATAXFER);
  });

  it("keeps two concurrent flows apart: each blocking t_rcv gets its own TSDU", async () => {
    const { client, server } = await connectedPair("/dev/ticots");
    const a = new Uint8Array(8);
    const b = new Uint8Array(8);
    const ra = t_rcv(server, a, 8, { value: 0 });
    const rb = t_rcv(server, b, 8, { value: 0 });
    await ok(t_snd(client, text("one"), 3, 0));
    await ok(t_snd(client, text("two"), 3, 0));
    expect([await ra, await rb]).to.deep.equal([3, 3]);
    expect(new Set([Buffer.from(a.subarray(0, 3)).toString(), Buffer.from(b.subarray(0, 3)).toString()])).to.deep.equal(new Set(["one", "two"]));
  });
});

describe("flow control events", () => {
  afterEach(cleanup);

  it("reports T_GODATA only to non-blocking senders (a blocking send that waited gets no event)", async () => {
    const dev = loopback({ servtype: T_COTS, rcvbuf: 4, tidu: 4 });
    const { client, server } = await connectedPair(dev);
    const sending = t_snd(client, new Uint8Array(12), 12, 0);
    const buf = new Uint8Array(12);
    let got = 0;
    while (got < 12) got += await ok(t_rcv(server, buf.subarray(got), 12 - got, { value: 0 }));
    expect(await sending).to.equal(12);
    expect(t_look(client), "no T_GODATA for a blocking endpoint").to.equal(0);
  });
});

describe("a blocked call whose endpoint changes state under it", () => {
  afterEach(cleanup);

  it("fails TOUTSTATE when another flow disconnects the endpoint it waits on", async () => {
    const { server } = await connectedPair("/dev/ticots");
    const waiting = t_rcv(server, new Uint8Array(8), 8, { value: 0 });
    await settle();
    await ok(t_snddis(server, null));
    await expectFailAsync(waiting, TOUTSTATE);
  });
});
