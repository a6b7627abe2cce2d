/** Expedited data: T_EXPEDITED on receive, ETSDU pieces, expedited data inside a TSDU, T_EXDATA. */
import { T_DATA, T_EXDATA, T_EXPEDITED, T_MORE, TBADDATA, TBADFLAG, t_rcv, t_snd } from "../../src/index.js";
import { pattern, sameBytes, text } from "../context.js";
import type { ConformanceCase } from "../types.js";
import { connectionMode, expedited, first, limitedEtsdu, moderate, room, tsduBoundaries } from "./applies.js";

const SOURCE = "XNS5 t_rcv(3) and t_snd(3): T_EXPEDITED; illumos man3nsl t_rcv.3nsl";

export const expeditedCases: ConformanceCase[] = [
  {
    id: "E1.expedited-flag",
    group: "expedited",
    rule: "Expedited data is received with T_EXPEDITED; an ETSDU larger than the buffer comes as T_EXPEDITED|T_MORE then T_EXPEDITED",
    source: SOURCE,
    notApplicable: (i) => expedited(i),
    async run(ctx) {
      const { client, server } = await ctx.pair();
      const size = ctx.info.etsdu > 0 ? Math.min(ctx.info.etsdu, 7) : 7;
      const unit = pattern(size, 3);
      ctx.ok(await t_snd(client, unit, size, T_EXPEDITED), "t_snd T_EXPEDITED");
      await ctx.event(server, T_EXDATA, "t_look once the ETSDU arrived");
      const got = await ctx.readUnit(server, Math.max(1, size - 3));
      ctx.truthy(sameBytes(got.data, unit), "the ETSDU", `${size} bytes`, `${got.data.length} bytes`);
      const notEx = got.pieces.find((p) => (p.flags & T_EXPEDITED) === 0);
      ctx.truthy(notEx === undefined, "every piece of the ETSDU has T_EXPEDITED", "T_EXPEDITED on each read", JSON.stringify(got.pieces));
    },
  },
  {
    id: "E2.inside-tsdu",
    group: "expedited",
    rule: "An ETSDU sent in the middle of a TSDU is returned first; normal data then resumes with its T_MORE continuity intact",
    source: `${SOURCE}; test-xnet 8.1.3/8.1.4`,
    notApplicable: (i) => first(expedited(i), tsduBoundaries(i)),
    async run(ctx) {
      const { client, server } = await ctx.pair();
      const head = pattern(20, 1);
      const tail = pattern(20, 2);
      ctx.ok(await t_snd(client, head, 20, T_MORE), "t_snd first half with T_MORE");
      await ctx.event(server, T_DATA, "the first half arrives");
      const buf = new Uint8Array(8);
      const flags = { value: 0 };
      const n = ctx.ok(await ctx.within(t_rcv(server, buf, 8, flags), "t_rcv"), "t_rcv of part of the TSDU");
      ctx.truthy((flags.value & T_MORE) !== 0, "the TSDU is not finished", "T_MORE", `flags ${flags.value}`);
      ctx.ok(await t_snd(client, text("X"), 1, T_EXPEDITED), "t_snd T_EXPEDITED inside the TSDU");
      ctx.ok(await t_snd(client, tail, 20, 0), "t_snd second half");
      await ctx.event(server, T_EXDATA, "t_look reports the ETSDU ahead of the rest of the TSDU");
      const ex = await ctx.readUnit(server, 8);
      ctx.truthy((ex.pieces[0]?.flags ?? 0) & T_EXPEDITED ? true : false, "the next read returns the expedited data", "T_EXPEDITED", JSON.stringify(ex.pieces));
      ctx.equal(Buffer.from(ex.data).toString(), "X", "the expedited data");
      const rest = await ctx.readUnit(server, 8);
      const whole = Buffer.concat([buf.subarray(0, n), rest.data]);
      ctx.truthy(sameBytes(whole, Buffer.concat([head, tail])), "the TSDU around the ETSDU", "the 40 bytes sent", `${whole.length} bytes`);
      ctx.truthy(rest.pieces.every((p) => (p.flags & T_EXPEDITED) === 0), "the rest is normal data", "no T_EXPEDITED", JSON.stringify(rest.pieces));
    },
  },
  {
    id: "E3.look-exdata",
    group: "expedited",
    rule: "t_look reports T_EXDATA when expedited data is queued, even behind normal data",
    source: "XNS5 t_look(3); illumos libnsl t_look.c",
    notApplicable: (i) => expedited(i),
    async run(ctx) {
      const { client, server } = await ctx.pair();
      ctx.ok(await t_snd(client, text("normal"), 6, 0), "t_snd normal data");
      await ctx.event(server, T_DATA, "normal data arrives");
      ctx.ok(await t_snd(client, text("!"), 1, T_EXPEDITED), "t_snd T_EXPEDITED");
      await ctx.event(server, T_EXDATA, "t_look with expedited data queued behind normal data");
    },
  },
  {
    id: "E5.etsdu-pieces",
    group: "expedited",
    rule: "t_snd(T_EXPEDITED|T_MORE) followed by t_snd(T_EXPEDITED) forms one ETSDU",
    source: `${SOURCE}; test-xnet 8.5.4`,
    notApplicable: (i) => first(expedited(i), room("etsdu", i.etsdu, 4)),
    async run(ctx) {
      const { client, server } = await ctx.pair();
      ctx.ok(await t_snd(client, text("ab"), 2, T_EXPEDITED | T_MORE), "t_snd T_EXPEDITED|T_MORE");
      ctx.ok(await t_snd(client, text("cd"), 2, T_EXPEDITED), "t_snd T_EXPEDITED");
      await ctx.event(server, T_EXDATA, "the ETSDU arrives");
      const got = await ctx.readUnit(server, 16);
      ctx.equal(Buffer.from(got.data).toString(), "abcd", "one ETSDU");
    },
  },
  {
    id: "E6.bad-flags",
    group: "expedited",
    checks: "library",
    rule: "t_snd with flags other than T_MORE, T_EXPEDITED and T_PUSH fails TBADFLAG",
    source: "XNS5 t_snd(3); illumos libnsl tx.h TX_ALL_VALID_FLAGS",
    notApplicable: (i) => connectionMode(i),
    async run(ctx) {
      const { client } = await ctx.pair();
      ctx.error(await t_snd(client, text("x"), 1, 0x40), TBADFLAG, "t_snd with flags 0x40");
    },
  },
  {
    id: "T3.etsdu-limit",
    group: "expedited",
    checks: "library",
    rule: "A single t_snd(T_EXPEDITED) larger than t_info.etsdu fails TBADDATA",
    source: "XNS5 t_snd(3); illumos libnsl t_snd.c",
    notApplicable: (i) => first(expedited(i), limitedEtsdu(i), moderate("etsdu", i.etsdu)),
    async run(ctx) {
      const { client } = await ctx.pair();
      const max = ctx.info.etsdu;
      ctx.error(await t_snd(client, new Uint8Array(max + 1), max + 1, T_EXPEDITED), TBADDATA, `t_snd T_EXPEDITED of etsdu+1 (${max + 1}) bytes`);
    },
  },
  {
    id: "T3.exact-etsdu",
    group: "expedited",
    rule: "An ETSDU of exactly t_info.etsdu bytes (the largest allowed) arrives whole, every piece flagged T_EXPEDITED",
    source: "XNS5 t_snd(3), t_rcv(3) (T_EXPEDITED); conformance-rules T3",
    notApplicable: (i) => first(expedited(i), limitedEtsdu(i), moderate("etsdu", i.etsdu)),
    async run(ctx) {
      const { client, server } = await ctx.pair();
      const max = ctx.info.etsdu;
      const unit = pattern(max, 17);
      ctx.ok(await ctx.within(t_snd(client, unit, max, T_EXPEDITED), "t_snd"), `t_snd T_EXPEDITED of etsdu (${max}) bytes`);
      await ctx.event(server, T_EXDATA, "the ETSDU arrives");
      const got = await ctx.readUnit(server, 65536);
      ctx.truthy(sameBytes(got.data, unit), "the etsdu-sized ETSDU", `the ${max} bytes sent`, `${got.data.length} bytes${got.data.length === max ? " (different)" : ""}`);
      ctx.truthy(got.pieces.every((p) => (p.flags & T_EXPEDITED) !== 0), "every piece of the ETSDU has T_EXPEDITED", "T_EXPEDITED on each read", JSON.stringify(got.pieces));
      ctx.quiet(server, "nothing after the ETSDU");
    },
  },
];
