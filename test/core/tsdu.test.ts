/**
 * TSDU and ETSDU framing: T_MORE across calls, small receive buffers, zero-length units, size
 * limits, expedited data inside a TSDU, partial non-blocking sends, byte-stream providers and
 * the iovec variants.
 */
import { expect } from "chai";
import {
  F_SETFL,
  fcntl,
  O_NONBLOCK,
  T_COTS,
  T_DATA,
  T_EXDATA,
  T_COTS_ORD,
  T_EXPEDITED,
  T_GODATA,
  T_INVALID,
  T_MORE,
  T_PUSH,
  TBADDATA,
  TBADFLAG,
  TFLOW,
  TNODATA,
  TNOTSUPPORT,
  TSYSERR,
  t_look,
  t_rcv,
  t_rcvv,
  t_snd,
  t_sndv,
} from "../../src/index.js";
import { EFAULT } from "../../src/errno.js";
import { cleanup, connectedPair, expectFail, loopback, ok, pattern, text } from "../helpers/xti.js";

interface Piece {
  n: number;
  flags: number;
}

/** Read one unit with `size`-byte reads; returns the bytes and the (n, flags) of every read. */
async function readUnit(fd: number, size: number): Promise<{ data: Uint8Array; pieces: Piece[] }> {
  const chunks: Uint8Array[] = [];
  const pieces: Piece[] = [];
  const buf = new Uint8Array(size);
  const flags = { value: 0 };
  for (;;) {
    const n = await ok(t_rcv(fd, buf, size, flags), "t_rcv");
    chunks.push(buf.slice(0, n));
    pieces.push({ n, flags: flags.value });
    if ((flags.value & T_MORE) === 0) break;
  }
  return { data: Buffer.concat(chunks), pieces };
}

describe("TSDU framing", () => {
  afterEach(cleanup);

  it("keeps a TSDU sent in three T_MORE pieces whole, read with a 7-byte buffer", async () => {
    const { client, server } = await connectedPair("/dev/ticots");
    await ok(t_snd(client, text("one "), 4, T_MORE));
    await ok(t_snd(client, text("TSDU "), 5, T_MORE));
    await ok(t_snd(client, text("in pieces"), 9, 0));
    await ok(t_snd(client, text("next"), 4, 0));
    const first = await readUnit(server, 7);
    expect(Buffer.from(first.data).toString()).to.equal("one TSDU in pieces");
    expect(first.pieces.map((p) => p.n)).to.deep.equal([7, 7, 4]);
    expect(first.pieces.map((p) => p.flags)).to.deep.equal([T_MORE, T_MORE, 0]);
    const second = await readUnit(server, 7);
    expect(Buffer.from(second.data).toString()).to.equal("next");
  });

  const sizes = [0, 1, 7, 12, 13, 100, 4096, 65535, 65536, 65537];
  for (const bufSize of [1, 7, 12]) {
    it(`delivers units of ${sizes.join(", ")} bytes intact through a ${bufSize}-byte buffer`, async () => {
      const { client, server } = await connectedPair("/dev/ticotsord");
      for (const size of sizes) {
        if (bufSize === 1 && size > 4096) continue; // byte-at-a-time reads of 64 KiB add nothing but time
        const unit = pattern(size, size + 1);
        const sending = ok(t_snd(client, unit, size, 0));
        const { data, pieces } = await readUnit(server, bufSize);
        await sending;
        expect(data.length, `unit of ${size}`).to.equal(size);
        expect(Buffer.compare(data, unit), `unit of ${size}`).to.equal(0);
        // Every read but the last says the unit continues; the last one ends it.
        for (const p of pieces.slice(0, -1)) expect(p.flags & T_MORE).to.equal(T_MORE);
        expect(pieces[pieces.length - 1]?.flags).to.equal(0);
        if (size === 0) expect(pieces).to.deep.equal([{ n: 0, flags: 0 }]);
      }
    });
  }

  it("delivers a 1 MiB TSDU intact (several TIDU pieces and flow-control rounds)", async () => {
    const { client, server } = await connectedPair("/dev/ticotsord");
    const unit = pattern(1 << 20, 77);
    const sending = ok(t_snd(client, unit, unit.length, 0));
    const small = await readUnit(server, 12 * 1024);
    await sending;
    expect(Buffer.compare(small.data, unit)).to.equal(0);
    const again = ok(t_snd(client, unit, unit.length, 0));
    const big = await readUnit(server, 1 << 20);
    await again;
    expect(Buffer.compare(big.data, unit)).to.equal(0);
  });

  it("receives a zero-length TSDU as 0 with T_MORE clear, also as the end of a T_MORE sequence", async () => {
    const { client, server } = await connectedPair("/dev/ticots");
    await ok(t_snd(client, new Uint8Array(0), 0, 0));
    await ok(t_snd(client, text("abc"), 3, T_MORE));
    await ok(t_snd(client, new Uint8Array(0), 0, 0));
    const flags = { value: -1 };
    const buf = new Uint8Array(16);
    expect(await t_rcv(server, buf, 16, flags)).to.equal(0);
    expect(flags.value).to.equal(0);
    const { data, pieces } = await readUnit(server, 3);
    expect(Buffer.from(data).toString()).to.equal("abc");
    expect(pieces).to.deep.equal([
      { n: 3, flags: T_MORE },
      { n: 0, flags: 0 },
    ]);
  });

  it("rejects a zero-length piece with T_MORE, and zero-length units without T_SENDZERO (TBADDATA)", async () => {
    const { client } = await connectedPair("/dev/ticots");
    expectFail(await t_snd(client, new Uint8Array(0), 0, T_MORE), TBADDATA);
    const noZero = loopback({ servtype: T_COTS, sendZero: false });
    const p = await connectedPair(noZero);
    expectFail(await t_snd(p.client, new Uint8Array(0), 0, 0), TBADDATA);
  });

  it("fails TBADDATA for a TSDU or ETSDU larger than the provider limit, also across T_MORE calls", async () => {
    const dev = loopback({ servtype: T_COTS, tsdu: 100, etsdu: 10 });
    const { client, server } = await connectedPair(dev);
    expectFail(await t_snd(client, new Uint8Array(101), 101, 0), TBADDATA);
    expect(await t_snd(client, new Uint8Array(100), 100, 0)).to.equal(100);
    expect(await t_snd(client, new Uint8Array(60), 60, T_MORE)).to.equal(60);
    expectFail(await t_snd(client, new Uint8Array(60), 60, 0), TBADDATA);
    expect(await t_snd(client, new Uint8Array(40), 40, 0)).to.equal(40);
    expectFail(await t_snd(client, new Uint8Array(11), 11, T_EXPEDITED), TBADDATA);
    expect(await t_snd(client, new Uint8Array(10), 10, T_EXPEDITED)).to.equal(10);
    const ex = await readUnit(server, 64);
    expect(ex.pieces).to.deep.equal([{ n: 10, flags: T_EXPEDITED }]);
    expect((await readUnit(server, 200)).data.length).to.equal(100);
    expect((await readUnit(server, 200)).data.length).to.equal(100);
  });

  it("fails TNOTSUPPORT for expedited data on a provider without an expedited service", async () => {
    const dev = loopback({ servtype: T_COTS, etsdu: T_INVALID });
    const { client } = await connectedPair(dev);
    expectFail(await t_snd(client, text("x"), 1, T_EXPEDITED), TNOTSUPPORT);
  });

  it("fails TBADFLAG for flags other than T_MORE, T_EXPEDITED and T_PUSH (T_PUSH is accepted)", async () => {
    const { client } = await connectedPair("/dev/ticots");
    expectFail(await t_snd(client, text("x"), 1, 0x40), TBADFLAG);
    expect(await t_snd(client, text("x"), 1, T_PUSH)).to.equal(1);
  });

  it("fails TSYSERR/EFAULT when nbytes exceeds the buffer, without reading past it", async () => {
    const { client, server } = await connectedPair("/dev/ticots");
    expectFail(await t_snd(client, new Uint8Array(4), 5, 0), TSYSERR, EFAULT);
    expectFail(await t_rcv(server, new Uint8Array(4), 5, { value: 0 }), TSYSERR, EFAULT);
  });
});

describe("expedited data", () => {
  afterEach(cleanup);

  it("returns an ETSDU injected inside a 20-fragment TSDU first, then resumes the TSDU with T_MORE intact", async () => {
    const { client, server } = await connectedPair("/dev/ticots");
    const fragments = Array.from({ length: 20 }, (_, i) => pattern(10, i + 1));
    for (let i = 0; i < 8; i++) await ok(t_snd(client, fragments[i] as Uint8Array, 10, T_MORE));
    // The receiver reads part of the TSDU...
    const buf = new Uint8Array(25);
    const flags = { value: 0 };
    expect(await t_rcv(server, buf, 25, flags)).to.equal(25);
    expect(flags.value).to.equal(T_MORE);
    const normal: Uint8Array[] = [buf.slice(0, 25)];
    // ...then an ETSDU in two pieces arrives in the middle of the TSDU, and the TSDU goes on.
    await ok(t_snd(client, text("URG"), 3, T_EXPEDITED | T_MORE));
    for (let i = 8; i < 12; i++) await ok(t_snd(client, fragments[i] as Uint8Array, 10, T_MORE));
    await ok(t_snd(client, text("ENT"), 3, T_EXPEDITED));
    for (let i = 12; i < 20; i++) await ok(t_snd(client, fragments[i] as Uint8Array, 10, i === 19 ? 0 : T_MORE));

    const ex = new Uint8Array(4);
    expect(await t_rcv(server, ex, 4, flags)).to.equal(4);
    expect(Buffer.from(ex).toString()).to.equal("URGE");
    expect(flags.value).to.equal(T_EXPEDITED | T_MORE);
    expect(await t_rcv(server, ex, 4, flags)).to.equal(2);
    expect(Buffer.from(ex.subarray(0, 2)).toString()).to.equal("NT");
    expect(flags.value).to.equal(T_EXPEDITED);

    const rest = await readUnit(server, 7);
    for (const p of rest.pieces.slice(0, -1)) expect(p.flags).to.equal(T_MORE);
    expect(rest.pieces[rest.pieces.length - 1]?.flags).to.equal(0);
    normal.push(rest.data);
    expect(Buffer.compare(Buffer.concat(normal), Buffer.concat(fragments))).to.equal(0);
  });

  it("forms one ETSDU from T_EXPEDITED|T_MORE then T_EXPEDITED and reports T_EXDATA first", async () => {
    const { client, server } = await connectedPair("/dev/ticots");
    await ok(t_snd(client, text("normal"), 6, 0));
    await ok(t_snd(client, text("ab"), 2, T_EXPEDITED | T_MORE));
    expect(t_look(server)).to.equal(T_EXDATA);
    await ok(t_snd(client, text("cd"), 2, T_EXPEDITED));
    const ex = await readUnit(server, 16);
    expect(Buffer.from(ex.data).toString()).to.equal("abcd");
    expect(ex.pieces.every((p) => (p.flags & T_EXPEDITED) !== 0)).to.equal(true);
    expect(t_look(server)).to.equal(T_DATA);
  });

  it("may return normal data between pieces of an ETSDU that has not fully arrived", async () => {
    const { client, server } = await connectedPair("/dev/ticots");
    await ok(t_snd(client, text("NORMAL"), 6, 0));
    await ok(t_snd(client, text("E1"), 2, T_EXPEDITED | T_MORE));
    const buf = new Uint8Array(16);
    const flags = { value: 0 };
    expect(await t_rcv(server, buf, 16, flags)).to.equal(2);
    expect(flags.value).to.equal(T_EXPEDITED | T_MORE);
    expect(await t_rcv(server, buf, 16, flags)).to.equal(6);
    expect(flags.value).to.equal(0);
    await ok(t_snd(client, text("E2"), 2, T_EXPEDITED));
    expect(await t_rcv(server, buf, 16, flags)).to.equal(2);
    expect(flags.value).to.equal(T_EXPEDITED);
  });
});

describe("flow control and partial sends", () => {
  afterEach(cleanup);

  it("returns a partial count in non-blocking mode; the part sent carries an implicit T_MORE", async () => {
    const dev = loopback({ servtype: T_COTS, tidu: 16, rcvbuf: 32 });
    const { client, server } = await connectedPair(dev);
    fcntl(client, F_SETFL, O_NONBLOCK);
    const unit = pattern(100, 5);
    const received = new Uint8Array(100);
    const flags = { value: 0 };
    let sent = await t_snd(client, unit, 100, 0);
    expect(sent, "only what fits below the receiver's high-water mark").to.equal(32);
    let got = 0;
    for (;;) {
      const n = await t_rcv(server, received.subarray(got), 100 - got, flags);
      got += n;
      if (got < 100) {
        expect(flags.value, `after ${got} bytes the unit continues`).to.equal(T_MORE);
        expect(t_look(client)).to.equal(T_GODATA);
        sent += await ok(t_snd(client, unit.subarray(sent), 100 - sent, 0));
      } else {
        expect(flags.value, "the last piece ends the unit").to.equal(0);
        break;
      }
    }
    expect(Buffer.compare(received, unit)).to.equal(0);
  });

  it("fails TFLOW when nothing can be taken, then reports T_GODATA once, consumed by t_look", async () => {
    const dev = loopback({ servtype: T_COTS, rcvbuf: 8 });
    const { client, server } = await connectedPair(dev);
    fcntl(client, F_SETFL, O_NONBLOCK);
    expect(await t_snd(client, pattern(8), 8, 0)).to.equal(8);
    expectFail(await t_snd(client, pattern(8), 8, 0), TFLOW);
    expect(t_look(client)).to.equal(0);
    await ok(t_rcv(server, new Uint8Array(8), 8, { value: 0 }));
    expect(t_look(client)).to.equal(T_GODATA);
    expect(t_look(client)).to.equal(0);
    expect(await t_snd(client, pattern(8), 8, 0)).to.equal(8);
  });

  it("lets a flow-controlled sender go on once the receiver has read down to half its high-water mark (the low-water mark)", async () => {
    const dev = loopback({ servtype: T_COTS, rcvbuf: 8 });
    const { client, server } = await connectedPair(dev);
    fcntl(client, F_SETFL, O_NONBLOCK);
    expect(await t_snd(client, pattern(8), 8, 0)).to.equal(8);
    expectFail(await t_snd(client, pattern(1), 1, 0), TFLOW);
    const two = new Uint8Array(2);
    await ok(t_rcv(server, two, 2, { value: 0 }));
    expect(t_look(client), "6 bytes unread: above the low-water mark").to.equal(0);
    expectFail(await t_snd(client, pattern(1), 1, 0), TFLOW);
    await ok(t_rcv(server, two, 2, { value: 0 }));
    expect(t_look(client), "4 bytes unread: at the low-water mark").to.equal(T_GODATA);
    expect(await t_snd(client, pattern(8), 8, 0), "taken while below the high-water mark").to.equal(8);
  });

  it("blocks a blocking send until the receiver drains, then completes it", async () => {
    const dev = loopback({ servtype: T_COTS, rcvbuf: 16, tidu: 8 });
    const { client, server } = await connectedPair(dev);
    const unit = pattern(64, 9);
    let done = false;
    const sending = t_snd(client, unit, 64, 0).then((n) => {
      done = true;
      return n;
    });
    await new Promise((r) => setImmediate(r));
    expect(done, "the send waits for flow control").to.equal(false);
    const got = await readUnit(server, 64);
    expect(await sending).to.equal(64);
    expect(Buffer.compare(got.data, unit)).to.equal(0);
  });

  it("ignores T_MORE on a byte-stream provider (tsdu 0) and never reports it", async () => {
    const dev = loopback({ servtype: T_COTS_ORD, tsdu: 0 });
    const { client, server } = await connectedPair(dev);
    await ok(t_snd(client, text("abc"), 3, T_MORE));
    await ok(t_snd(client, text("def"), 3, 0));
    await ok(t_snd(client, text("ghi"), 3, T_MORE));
    const buf = new Uint8Array(64);
    const flags = { value: -1 };
    expect(await t_rcv(server, buf, 64, flags)).to.equal(9);
    expect(Buffer.from(buf.subarray(0, 9)).toString()).to.equal("abcdefghi");
    expect(flags.value).to.equal(0);
    expect(t_look(server)).to.equal(0);
  });
});

describe("t_sndv / t_rcvv", () => {
  afterEach(cleanup);

  it("gathers an iovec array into one TSDU and scatters it, filling iov[0] before iov[1]", async () => {
    const { client, server } = await connectedPair("/dev/ticots");
    const parts = [text("ab"), text("cde"), text("f")];
    expect(await t_sndv(client, parts.map((p) => ({ iov_base: p, iov_len: p.length })), 3, 0)).to.equal(6);
    const a = new Uint8Array(4);
    const b = new Uint8Array(4);
    const flags = { value: 0 };
    expect(await t_rcvv(server, [{ iov_base: a, iov_len: 4 }, { iov_base: b, iov_len: 4 }], 2, flags)).to.equal(6);
    expect(Buffer.from(a).toString()).to.equal("abcd");
    expect(Buffer.from(b.subarray(0, 2)).toString()).to.equal("ef");
    expect(flags.value).to.equal(0);
  });

  it("continues a TSDU across t_sndv and t_snd with T_MORE", async () => {
    const { client, server } = await connectedPair("/dev/ticots");
    await ok(t_sndv(client, [{ iov_base: text("12"), iov_len: 2 }], 1, T_MORE));
    await ok(t_snd(client, text("34"), 2, 0));
    expect(Buffer.from((await readUnit(server, 8)).data).toString()).to.equal("1234");
  });

  it("fails TBADDATA for iovcount 0 or beyond T_IOV_MAX", async () => {
    const { client, server } = await connectedPair("/dev/ticots");
    const iov = Array.from({ length: 17 }, () => ({ iov_base: text("x"), iov_len: 1 }));
    expectFail(await t_sndv(client, iov, 17, 0), TBADDATA);
    expectFail(await t_sndv(client, iov, 0, 0), TBADDATA);
    expectFail(await t_rcvv(server, iov, 17, { value: 0 }), TBADDATA);
    expect(await t_sndv(client, iov, 16, 0)).to.equal(16);
  });

  it("returns TNODATA from a non-blocking t_rcvv with nothing queued", async () => {
    const { server } = await connectedPair("/dev/ticots");
    fcntl(server, F_SETFL, O_NONBLOCK);
    expectFail(await t_rcvv(server, [{ iov_base: new Uint8Array(4), iov_len: 4 }], 1, { value: 0 }), TNODATA);
  });
});
