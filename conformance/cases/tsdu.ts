/** TSDU framing: T_MORE across calls, small receive buffers, zero-length units, limits, partial sends. */
import {
  F_SETFL,
  fcntl,
  O_NONBLOCK,
  T_MORE,
  TBADDATA,
  TFLOW,
  t_errno,
  t_rcv,
  t_snd,
} from "../../src/index.js";
import { pattern, sameBytes, text } from "../context.js";
import type { ConformanceCase } from "../types.js";
import { byteStream, connectionMode, first, limitedTsdu, moderate, noSendZero, normalData, room, sendZero, tsduBoundaries } from "./applies.js";

const SOURCE_SND = "XNS5 t_snd(3): T_MORE, TBADDATA; illumos man3nsl t_snd.3nsl";
const SOURCE_RCV = "XNS5 t_rcv(3): T_MORE on receive; illumos man3nsl t_rcv.3nsl";

export const tsduCases: ConformanceCase[] = [
  {
    id: "T1.more-pieces",
    group: "tsdu",
    rule: "A TSDU sent in several t_snd(T_MORE) calls ends at the first call without T_MORE and arrives as one unit",
    source: SOURCE_SND,
    notApplicable: (i) => tsduBoundaries(i),
    async run(ctx) {
      const { client, server } = await ctx.pair();
      for (const [s, f] of [["alpha ", T_MORE], ["beta ", T_MORE], ["gamma", 0], ["next", 0]] as const) ctx.ok(await t_snd(client, text(s), s.length, f), `t_snd "${s}"`);
      const unit = await ctx.readUnit(server, 64);
      ctx.equal(Buffer.from(unit.data).toString(), "alpha beta gamma", "the first TSDU, reassembled by T_MORE");
      const next = await ctx.readUnit(server, 64);
      ctx.equal(Buffer.from(next.data).toString(), "next", "the TSDU after it");
    },
  },
  {
    id: "T1.boundaries",
    group: "tsdu",
    rule: "TSDUs sent back to back are delivered one at a time: a read never returns bytes of two TSDUs",
    source: SOURCE_RCV,
    notApplicable: (i) => first(tsduBoundaries(i), room("tsdu", i.tsdu, 300)),
    async run(ctx) {
      const { client, server } = await ctx.pair();
      const units = [pattern(10, 1), pattern(1, 2), pattern(300, 3)];
      for (const u of units) ctx.ok(await t_snd(client, u, u.length, 0), "t_snd");
      for (const u of units) {
        const got = await ctx.readUnit(server, 4096);
        ctx.truthy(sameBytes(got.data, u), "each TSDU separately", `${u.length} bytes`, `${got.data.length} bytes`);
      }
    },
  },
  {
    id: "T1.buffer-reuse",
    group: "tsdu",
    rule: "The bytes delivered are the ones t_snd was given, even if the sender overwrites its buffer as soon as the call returns",
    source: "XNS5 t_snd(3) (the data is handed to the provider by the call); docs/providers.md, Buffers",
    notApplicable: (i) => first(normalData(i), room("tsdu", i.tsdu, 64)),
    async run(ctx) {
      const { client, server } = await ctx.pair();
      // A Node Buffer, as many programs send: a provider that keeps buf.slice() keeps a view of it.
      const buf = Buffer.alloc(64);
      const sent: Uint8Array[] = [];
      for (let i = 0; i < 3; i++) {
        buf.set(pattern(64, 20 + i));
        sent.push(new Uint8Array(buf));
        ctx.ok(await t_snd(client, buf, 64, 0), "t_snd");
        buf.fill(0xee); // the caller reuses its buffer at once
      }
      const received: Uint8Array[] = [];
      let total = 0;
      const rbuf = new Uint8Array(64);
      while (total < 192) {
        const flags = { value: 0 };
        const n = ctx.ok(await ctx.within(t_rcv(server, rbuf, 64, flags), "t_rcv"), "t_rcv");
        ctx.checkReceived(n, flags.value, "t_rcv");
        received.push(rbuf.slice(0, n));
        total += n;
      }
      ctx.truthy(sameBytes(Buffer.concat(received), Buffer.concat(sent)), "the bytes received", "the 192 bytes as they were when sent", "bytes overwritten after t_snd returned");
    },
  },
  {
    id: "T5.small-buffers",
    group: "tsdu",
    rule: "t_rcv with a buffer smaller than the rest of the TSDU returns it in pieces with T_MORE set on all but the last",
    source: `${SOURCE_RCV}; test-xnet 8.1.4`,
    notApplicable: (i) => first(tsduBoundaries(i), room("tsdu", i.tsdu, 4000)),
    async run(ctx) {
      const { client, server } = await ctx.pair();
      for (const size of [1, 7, 12]) {
        for (const length of [1, 7, 12, 13, 100, 4000]) {
          const unit = pattern(length, length * size);
          ctx.ok(await t_snd(client, unit, length, 0), "t_snd");
          const got = await ctx.readUnit(server, size);
          ctx.truthy(sameBytes(got.data, unit), `a ${length}-byte TSDU through a ${size}-byte buffer`, `the same ${length} bytes`, `${got.data.length} bytes`);
          const early = got.pieces.slice(0, -1).find((p) => (p.flags & T_MORE) === 0);
          ctx.truthy(early === undefined, `every read but the last of a ${length}-byte TSDU has T_MORE`, "T_MORE until the end", JSON.stringify(got.pieces));
        }
      }
    },
  },
  {
    id: "T6.zero-length-unit",
    group: "tsdu",
    rule: "A zero-length TSDU is received as 0 with T_MORE clear, also as the end of a T_MORE sequence",
    source: SOURCE_RCV,
    notApplicable: (i) => first(tsduBoundaries(i), sendZero(i)),
    async run(ctx) {
      const { client, server } = await ctx.pair();
      ctx.ok(await t_snd(client, new Uint8Array(0), 0, 0), "t_snd of 0 bytes");
      ctx.ok(await t_snd(client, text("abc"), 3, T_MORE), "t_snd abc with T_MORE");
      ctx.ok(await t_snd(client, new Uint8Array(0), 0, 0), "t_snd of the 0-byte end");
      const zero = await ctx.readUnit(server, 16);
      ctx.equal(zero.pieces, [{ n: 0, flags: 0 }], "the zero-length TSDU");
      const unit = await ctx.readUnit(server, 16);
      ctx.equal(Buffer.from(unit.data).toString(), "abc", "the TSDU ended by a zero-length piece");
    },
  },
  {
    id: "T2.zero-piece-with-more",
    group: "tsdu",
    checks: "library",
    rule: "A zero-length piece may only end a TSDU: t_snd of 0 bytes with T_MORE fails TBADDATA",
    source: SOURCE_SND,
    notApplicable: (i) => connectionMode(i),
    async run(ctx) {
      const { client } = await ctx.pair();
      ctx.error(await t_snd(client, new Uint8Array(0), 0, T_MORE), TBADDATA, "t_snd(0 bytes, T_MORE)");
    },
  },
  {
    id: "T2.zero-unsupported",
    group: "tsdu",
    checks: "library",
    rule: "Without T_SENDZERO a zero-length t_snd fails TBADDATA",
    source: `${SOURCE_SND}; illumos libnsl t_snd.c`,
    notApplicable: (i) => first(connectionMode(i), noSendZero(i)),
    async run(ctx) {
      const { client } = await ctx.pair();
      ctx.error(await t_snd(client, new Uint8Array(0), 0, 0), TBADDATA, "t_snd(0 bytes)");
    },
  },
  {
    id: "T3.tsdu-limit",
    group: "tsdu",
    checks: "library",
    rule: "A single t_snd larger than t_info.tsdu fails TBADDATA",
    source: SOURCE_SND,
    notApplicable: (i) => first(tsduBoundaries(i), limitedTsdu(i), moderate("tsdu", i.tsdu)),
    async run(ctx) {
      const { client } = await ctx.pair();
      const max = ctx.info.tsdu;
      ctx.error(await t_snd(client, new Uint8Array(max + 1), max + 1, 0), TBADDATA, `t_snd of tsdu+1 (${max + 1}) bytes`);
    },
  },
  {
    id: "T3.exact-tsdu",
    group: "tsdu",
    rule: "A TSDU of exactly t_info.tsdu bytes (the largest allowed) arrives whole, as one unit, and the next TSDU after it",
    source: SOURCE_SND,
    notApplicable: (i) => first(tsduBoundaries(i), limitedTsdu(i), moderate("tsdu", i.tsdu)),
    async run(ctx) {
      const { client, server } = await ctx.pair();
      const max = ctx.info.tsdu;
      const unit = pattern(max, 9);
      const sending = ctx.alongside(
        (async () => {
          ctx.ok(await t_snd(client, unit, max, 0), `t_snd of tsdu (${max}) bytes`);
          ctx.ok(await t_snd(client, text("next"), 4, 0), "t_snd of the next TSDU");
        })(),
      );
      const got = await ctx.readUnit(server, 65536);
      await ctx.within(sending, "the sends");
      ctx.truthy(sameBytes(got.data, unit), "the tsdu-sized unit", `the ${max} bytes sent`, `${got.data.length} bytes${got.data.length === max ? " (different)" : ""}`);
      const next = await ctx.readUnit(server, 64);
      ctx.equal(Buffer.from(next.data).toString(), "next", "the TSDU after it");
    },
  },
  {
    id: "T4.byte-stream",
    group: "tsdu",
    rule: "With tsdu 0 (no TSDUs) T_MORE is ignored on send and the bytes arrive in order",
    source: "illumos libnsl t_snd.c (tsdu 0: T_MORE ignored); XNS5 t_rcv(3)",
    notApplicable: (i) => byteStream(i),
    async run(ctx) {
      const { client, server } = await ctx.pair();
      ctx.ok(await t_snd(client, text("abc"), 3, T_MORE), "t_snd abc with T_MORE");
      ctx.ok(await t_snd(client, text("def"), 3, 0), "t_snd def");
      const got: number[] = [];
      const buf = new Uint8Array(16);
      while (got.length < 6) {
        const n = ctx.ok(await ctx.within(t_rcv(server, buf, 16, { value: 0 }), "t_rcv"), "t_rcv");
        got.push(...buf.subarray(0, n));
      }
      ctx.equal(Buffer.from(got).toString(), "abcdef", "the byte stream");
    },
  },
  {
    id: "T9.beyond-tidu",
    group: "tsdu",
    rule: "A TSDU larger than the TIDU (passed down in several pieces) still arrives as one unit",
    source: "illumos libnsl t_snd.c (TIDU pieces with MORE_flag); test-xnet 8.5.4",
    notApplicable: (i) => first(tsduBoundaries(i), room("tsdu", i.tsdu, 200_000, "200000 bytes")),
    async run(ctx) {
      const { client, server } = await ctx.pair();
      const unit = pattern(200_000, 5);
      const marker = text("marker");
      const sending = ctx.alongside(
        (async () => {
          ctx.ok(await t_snd(client, unit, unit.length, 0), "t_snd of 200000 bytes");
          ctx.ok(await t_snd(client, marker, marker.length, 0), "t_snd of the next TSDU");
        })(),
      );
      const got = await ctx.readUnit(server, 65536);
      await ctx.within(sending, "the sends");
      ctx.truthy(sameBytes(got.data, unit), "the 200000-byte TSDU as one unit", "200000 bytes", `${got.data.length} bytes`);
      const next = await ctx.readUnit(server, 65536);
      ctx.equal(Buffer.from(next.data).toString(), "marker", "the following TSDU");
    },
  },
  {
    id: "T.one-mebibyte",
    group: "tsdu",
    rule: "A 1 MiB TSDU arrives intact and whole (several TIDU pieces and flow-control rounds)",
    source: SOURCE_SND,
    notApplicable: (i) => first(tsduBoundaries(i), room("tsdu", i.tsdu, 1 << 20, "1 MiB")),
    async run(ctx) {
      const { client, server } = await ctx.pair();
      const unit = pattern(1 << 20, 11);
      const sending = t_snd(client, unit, unit.length, 0);
      const got = await ctx.readUnit(server, 65536);
      ctx.ok(await ctx.within(sending, "t_snd"), "t_snd of 1 MiB");
      ctx.truthy(sameBytes(got.data, unit), "the 1 MiB TSDU", `${unit.length} bytes`, `${got.data.length} bytes`);
    },
  },
  {
    id: "T.partial-send-implies-more",
    group: "tsdu",
    rule: "A non-blocking t_snd the provider only partly takes returns the count; the part sent carries an implicit T_MORE",
    source: "SVR4 t_snd(3N) (\"t_snd will set T_MORE for the data that was sent\"); illumos libnsl t_snd.c",
    notApplicable: (i) => first(tsduBoundaries(i), room("tsdu", i.tsdu, 4 << 20, "4 MiB")),
    async run(ctx) {
      const { client, server } = await ctx.pair();
      fcntl(client, F_SETFL, O_NONBLOCK);
      const unit = pattern(4 << 20, 13);
      let sent = 0;
      let partial = 0;
      const received: Uint8Array[] = [];
      let receivedBytes = 0;
      const buf = new Uint8Array(65536);
      const flags = { value: 0 };
      for (;;) {
        if (sent < unit.length) {
          const r = await t_snd(client, unit.subarray(sent), unit.length - sent, 0);
          if (r < 0 && t_errno !== TFLOW) ctx.ok(r, "non-blocking t_snd");
          if (r > 0) sent += r;
          if (r > 0 && sent < unit.length) partial++;
        }
        const n = ctx.ok(await ctx.within(t_rcv(server, buf, buf.length, flags), "t_rcv"), "t_rcv");
        received.push(buf.slice(0, n));
        receivedBytes += n;
        if ((flags.value & T_MORE) === 0) break;
      }
      ctx.truthy(partial > 0, "non-blocking sends of a 4 MiB TSDU", "at least one partial count (flow control)", "the provider took every send whole");
      ctx.equal(receivedBytes, unit.length, "bytes in the unit when T_MORE first clears (no part of it ended the TSDU early)");
      ctx.truthy(sameBytes(Buffer.concat(received), unit), "the unit's bytes", "the 4 MiB sent", "different bytes");
    },
  },
];
