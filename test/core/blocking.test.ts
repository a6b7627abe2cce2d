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
  T_COTS_ORD,
  T_DATAXFER,
  T_DISCONNECT,
  T_EXPEDITED,
  T_IDLE,
  T_MORE,
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
  t_rcvdis,
  t_rcvrel,
  t_rcvudata,
  t_snd,
  t_snddis,
  t_sndrel,
  t_unitdata_of,
  errno,
  registerProvider,
  unregisterProvider,
} from "../../src/index.js";
import { EBADF } from "../../src/errno.js";
import { ScriptedProvider } from "../helpers/scripted.js";
import { callTo, cleanup, connectedPair, expectFail, expectFailAsync, listener, loopback, ok, open, settle, str, text } from "../helpers/xti.js";

/** Read whole TSDUs from `fd` until `count` have ended (a small buffer, so units come in pieces). */
async function readUnits(fd: number, count: number): Promise<string[]> {
  const units: string[] = [];
  let current = "";
  const buf = new Uint8Array(5);
  const flags = { value: 0 };
  while (units.length < count) {
    const n = await ok(t_rcv(fd, buf, buf.length, flags));
    current += str(buf.subarray(0, n));
    if ((flags.value & T_MORE) === 0) {
      units.push(current);
      current = "";
    }
  }
  return units;
}

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

describe("sends from concurrent flows on one endpoint", () => {
  afterEach(cleanup);

  it("a second flow's TSDU waits until the blocked first one is sent whole (no interleaving)", async () => {
    const dev = loopback({ servtype: T_COTS, tidu: 4, rcvbuf: 8 });
    const { client, server } = await connectedPair(dev);
    const first = t_snd(client, text("AAAAaaaaAAAAaaaa"), 16, 0); // blocks after 8 bytes
    await settle();
    // Reading makes room, and the second flow sends before the first one resumes.
    const head = new Uint8Array(4);
    const reading = t_rcv(server, head, 4, { value: 0 });
    const second = t_snd(client, text("BBBB"), 4, 0);
    expect(await reading).to.equal(4);
    const units = await readUnits(server, 2);
    expect([str(head) + units[0], units[1]]).to.deep.equal(["AAAAaaaaAAAAaaaa", "BBBB"]);
    expect([await first, await second]).to.deep.equal([16, 4]);
  });

  it("an orderly release from another flow goes after the TSDU being sent, not into it", async () => {
    const dev = loopback({ servtype: T_COTS_ORD, tidu: 4, rcvbuf: 8 });
    const { client, server } = await connectedPair(dev);
    const sending = t_snd(client, text("AAAAaaaaAAAAaaaa"), 16, 0);
    await settle();
    const head = new Uint8Array(4);
    const reading = t_rcv(server, head, 4, { value: 0 });
    const releasing = t_sndrel(client);
    expect(await reading).to.equal(4);
    expect((await readUnits(server, 1)).map((u) => str(head) + u)).to.deep.equal(["AAAAaaaaAAAAaaaa"]);
    expect([await sending, await releasing]).to.deep.equal([16, 0]);
    await ok(t_rcvrel(server));
  });

  it("a flow waiting for the endpoint fails TOUTSTATE when the connection ends meanwhile", async () => {
    const dev = loopback({ servtype: T_COTS, tidu: 4, rcvbuf: 4 });
    const { client } = await connectedPair(dev);
    const first = t_snd(client, text("AAAAaaaa"), 8, 0);
    await settle();
    const second = t_snd(client, text("BBBB"), 4, 0);
    await settle();
    await ok(t_snddis(client, null));
    expect(t_getstate(client)).to.equal(T_IDLE);
    // The blocked flow races the disconnect (its retry may reach the provider first, which then
    // discards it, as a kernel would); the one still waiting for the endpoint must not send.
    expect(await first).to.be.oneOf([8, -1]);
    await expectFailAsync(second, TOUTSTATE);
  });
});

describe("a provider's TOUTSTATE with an event pending", () => {
  afterEach(cleanup);

  it("is TLOOK: both ends disconnecting at once, the second learns of the first's disconnect", async () => {
    const { client, server } = await connectedPair("/dev/ticots");
    const a = t_snddis(client, null);
    const b = t_snddis(server, null);
    await ok(a);
    await expectFailAsync(b, TLOOK);
    expect(t_look(server)).to.equal(T_DISCONNECT);
    await ok(t_rcvdis(server, null));
    expect(t_getstate(server)).to.equal(T_IDLE);
  });
});

describe("the end of a connection", () => {
  afterEach(cleanup);

  it("forgets a unit left open: a new connection on the endpoint starts with fresh ETSDU limits", async () => {
    const dev = loopback({ servtype: T_COTS_ORD, etsdu: 4 });
    const l = await listener(dev, 1);
    const client = open(dev);
    await ok(t_bind(client, null, null));
    const connect = async (): Promise<void> => {
      const call = t_call_of({ addr: 64 });
      const accepted = (async () => {
        await ok(t_listen(l.fd, call));
        await ok(t_accept(l.fd, l.fd, call));
      })();
      await ok(t_connect(client, callTo(l.addr), null));
      await accepted;
    };
    await connect();
    await ok(t_snd(client, text("XXX"), 3, T_EXPEDITED | T_MORE)); // an ETSDU left open
    await ok(t_sndrel(client));
    await ok(t_rcv(l.fd, new Uint8Array(8), 8, { value: 0 }));
    await ok(t_rcvrel(l.fd));
    await ok(t_sndrel(l.fd));
    await ok(t_rcvrel(client));
    expect(t_getstate(client)).to.equal(T_IDLE);
    await connect();
    expect(await t_snd(client, text("YY"), 2, T_EXPEDITED), "a 2-byte ETSDU on the new connection").to.equal(2);
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

describe("the provider hears of callers blocked on an endpoint (userBlocked)", () => {
  it("is told true when a call starts waiting and false once no call waits, not on calls that complete at once", async () => {
    const sp = new ScriptedProvider("/dev/test-scripted-blocked");
    registerProvider(sp);
    try {
      const fd = open(sp.name);
      await ok(t_bind(fd, null, null));
      const pending = t_connect(fd, callTo(text("peer")), null);
      await settle();
      const hints = (): boolean[] => sp.last.requests.flatMap((r) => (r.kind === "userBlocked" ? [r.blocked] : []));
      expect(hints(), "t_connect waits for T_CONN_CON").to.deep.equal([true]);
      sp.last.user.connCon({ addr: text("peer"), opt: new Uint8Array(0), udata: new Uint8Array(0) });
      await ok(pending);
      await settle();
      expect(hints()).to.deep.equal([true, false]);
      sp.last.user.dataInd(text("now"), false);
      await ok(t_rcv(fd, new Uint8Array(8), 8, { value: 0 }));
      expect(hints(), "a t_rcv with data queued never blocks").to.deep.equal([true, false]);
      const reading = t_rcv(fd, new Uint8Array(8), 8, { value: 0 });
      await settle();
      expect(hints()).to.deep.equal([true, false, true]);
      await t_close(fd);
      await expectFailAsync(reading, TBADF);
      await settle();
      expect(hints(), "a close wakes the blocked call").to.deep.equal([true, false, true, false]);
    } finally {
      unregisterProvider(sp.name);
    }
  });
});
