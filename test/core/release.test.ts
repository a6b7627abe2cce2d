/**
 * Orderly release and abortive disconnect: T_OUTREL/T_INREL, receiving after t_sndrel,
 * simultaneous release, TNOREL, TNOTSUPPORT on T_COTS, release data, disconnect data and reasons,
 * a disconnect while data is queued, and closing an endpoint with a connection.
 */
import { expect } from "chai";
import {
  T_COTS,
  T_COTS_ORD,
  T_DATA,
  T_DATAXFER,
  T_DISCONNECT,
  T_IDLE,
  T_INREL,
  T_ORDREL,
  T_OUTREL,
  TBADDATA,
  TLOOK,
  TNODIS,
  TNOREL,
  TNOTSUPPORT,
  TOUTSTATE,
  netbuf,
  t_close,
  t_discon_of,
  t_getinfo,
  t_look,
  t_rcv,
  t_rcvdis,
  t_rcvrel,
  t_rcvreldata,
  t_snd,
  t_snddis,
  t_sndrel,
  t_sndreldata,
} from "../../src/index.js";
import { ECONNRESET } from "../../src/errno.js";
import { cleanup, connectedPair, expectFail, loopback, ok, pattern, state, str, text } from "../helpers/xti.js";

describe("orderly release", () => {
  afterEach(cleanup);

  it("goes T_DATAXFER -> T_OUTREL on t_sndrel, keeps receiving, and ends in T_IDLE on both sides", async () => {
    const { client, server } = await connectedPair("/dev/ticotsord");
    await ok(t_sndrel(client));
    expect(state(client)).to.equal(T_OUTREL);
    expectFail(await t_snd(client, text("x"), 1, 0), TOUTSTATE);
    expect(t_look(server)).to.equal(T_ORDREL);
    await ok(t_rcvrel(server));
    expect(state(server)).to.equal(T_INREL);
    expectFail(await t_rcv(server, new Uint8Array(4), 4, { value: 0 }), TOUTSTATE);
    // The half-closed side still sends, the releasing side still receives.
    await ok(t_snd(server, text("late"), 4, 0));
    const buf = new Uint8Array(8);
    expect(await t_rcv(client, buf, 8, { value: 0 })).to.equal(4);
    expect(str(buf.subarray(0, 4))).to.equal("late");
    await ok(t_sndrel(server));
    expect(state(server)).to.equal(T_IDLE);
    await ok(t_rcvrel(client));
    expect(state(client)).to.equal(T_IDLE);
  });

  it("handles a simultaneous release from both sides", async () => {
    const { client, server } = await connectedPair("/dev/ticotsord");
    await ok(t_sndrel(client));
    await ok(t_sndrel(server));
    expect(state(client)).to.equal(T_OUTREL);
    expect(state(server)).to.equal(T_OUTREL);
    expect(t_look(client)).to.equal(T_ORDREL);
    expect(t_look(server)).to.equal(T_ORDREL);
    await ok(t_rcvrel(client));
    await ok(t_rcvrel(server));
    expect(state(client)).to.equal(T_IDLE);
    expect(state(server)).to.equal(T_IDLE);
  });

  it("delivers all data sent before the release first (1 MiB, then T_ORDREL)", async () => {
    const { client, server } = await connectedPair("/dev/ticotsord");
    const unit = pattern(1 << 20, 3);
    const sending = (async () => {
      await ok(t_snd(client, unit, unit.length, 0));
      await ok(t_sndrel(client));
    })();
    const got: Uint8Array[] = [];
    const buf = new Uint8Array(30000);
    for (;;) {
      const n = await t_rcv(server, buf, buf.length, { value: 0 });
      if (n < 0) break;
      got.push(buf.slice(0, n));
    }
    await sending;
    expect(t_look(server)).to.equal(T_ORDREL);
    expect(Buffer.compare(Buffer.concat(got), unit)).to.equal(0);
    await ok(t_rcvrel(server));
  });

  it("fails TNOREL when no release is pending and TNOTSUPPORT on a T_COTS provider", async () => {
    const { server } = await connectedPair("/dev/ticotsord");
    expectFail(await t_rcvrel(server), TNOREL);
    const cots = await connectedPair("/dev/ticots");
    expectFail(await t_sndrel(cots.client), TNOTSUPPORT);
    expectFail(await t_rcvrel(cots.server), TNOTSUPPORT);
    expectFail(await t_sndreldata(cots.client, null), TNOTSUPPORT);
    expectFail(await t_rcvreldata(cots.server, null), TNOTSUPPORT);
  });

  it("t_sndreldata without data acts as t_sndrel; with data it is TBADDATA unless the provider has T_ORDRELDATA", async () => {
    const { client, server } = await connectedPair("/dev/ticotsord");
    expectFail(await t_sndreldata(client, t_discon_of(text("bye"))), TBADDATA);
    await ok(t_sndreldata(client, null));
    const d = t_discon_of(16);
    await ok(t_rcvreldata(server, d));
    expect(d.udata.len).to.equal(0);
    expect(state(server)).to.equal(T_INREL);

    const withData = loopback({ servtype: T_COTS_ORD, ordrelData: true, discon: 8 });
    const p = await connectedPair(withData);
    expectFail(await t_sndreldata(p.client, t_discon_of(text("too long data"))), TBADDATA);
    await ok(t_sndreldata(p.client, t_discon_of(text("bye"))));
    const got = t_discon_of(16);
    await ok(t_rcvreldata(p.server, got));
    expect(str(got.udata.buf.subarray(0, got.udata.len))).to.equal("bye");
  });
});

describe("abortive disconnect", () => {
  afterEach(cleanup);

  it("passes disconnect data and the reason to the peer and leaves both sides T_IDLE", async () => {
    const { client, server } = await connectedPair("/dev/ticots");
    await ok(t_snddis(client, { addr: netbuf(0), opt: netbuf(0), udata: netbuf(text("abort!")), sequence: 0 }));
    expect(state(client)).to.equal(T_IDLE);
    expect(t_look(server)).to.equal(T_DISCONNECT);
    const d = t_discon_of(16);
    await ok(t_rcvdis(server, d));
    expect(str(d.udata.buf.subarray(0, d.udata.len))).to.equal("abort!");
    expect(d.reason).to.equal(ECONNRESET);
    expect(d.sequence).to.equal(-1);
    expect(state(server)).to.equal(T_IDLE);
  });

  it("discards data queued at the receiver when the sender aborts (tl flushes), so t_rcv fails TLOOK", async () => {
    const { client, server } = await connectedPair("/dev/ticots");
    await ok(t_snd(client, text("never read"), 10, 0));
    expect(t_look(server)).to.equal(T_DATA);
    await ok(t_snddis(client, null));
    expect(t_look(server)).to.equal(T_DISCONNECT);
    expectFail(await t_rcv(server, new Uint8Array(16), 16, { value: 0 }), TLOOK);
    await ok(t_rcvdis(server, null));
    expectFail(await t_rcvdis(server, null), TOUTSTATE);
  });

  it("fails TNODIS when no disconnect is pending", async () => {
    const { server } = await connectedPair("/dev/ticots");
    expectFail(await t_rcvdis(server, null), TNODIS);
    expect(state(server)).to.equal(T_DATAXFER);
  });

  it("disconnects the peer when an endpoint with a connection is closed", async () => {
    const { client, server } = await connectedPair("/dev/ticots");
    await t_close(client);
    expect(t_look(server)).to.equal(T_DISCONNECT);
    const d = t_discon_of(8);
    await ok(t_rcvdis(server, d));
    expect(d.reason).to.equal(ECONNRESET);
  });

  it("discards unsent and unread data of the aborting side: a later connection starts clean", async () => {
    const dev = loopback({ servtype: T_COTS, rcvbuf: 16 });
    const { client, server } = await connectedPair(dev);
    await ok(t_snd(server, text("unread by client"), 16, 0));
    await ok(t_snddis(client, null));
    expect(t_look(client)).to.equal(0);
    await ok(t_rcvdis(server, null));
    expect(t_look(server)).to.equal(0);
  });
});

describe("T_COTS and T_COTS_ORD", () => {
  afterEach(cleanup);
  it("report their service type", async () => {
    const info = { addr: 0, options: 0, tsdu: 0, etsdu: 0, connect: 0, discon: 0, servtype: 0, flags: 0 };
    const a = await connectedPair("/dev/ticots");
    t_getinfo(a.client, info);
    expect(info.servtype).to.equal(T_COTS);
    const b = await connectedPair("/dev/ticotsord");
    t_getinfo(b.client, info);
    expect(info.servtype).to.equal(T_COTS_ORD);
  });
});
