/** Orderly release: T_OUTREL / T_INREL, receiving after t_sndrel, TNOREL, simultaneous release, release data. */
import {
  T_DATA,
  T_DATAXFER,
  T_IDLE,
  T_INREL,
  T_ORDREL,
  T_OUTREL,
  TBADDATA,
  TNOREL,
  TNOTSUPPORT,
  t_discon_of,
  t_rcvrel,
  t_rcvreldata,
  t_snd,
  t_sndrel,
  t_sndreldata,
  t_unbind,
} from "../../src/index.js";
import { text } from "../context.js";
import type { ConformanceCase } from "../types.js";
import { first, noOrdrelData, ordrelData, orderlyRelease, plainCots } from "./applies.js";

const SOURCE = "XNS5 t_sndrel(3), t_rcvrel(3); illumos man3nsl";

export const releaseCases: ConformanceCase[] = [
  {
    id: "O1.release-cycle",
    group: "release",
    rule: "t_sndrel: T_DATAXFER -> T_OUTREL, still receiving; the peer's t_rcvrel: -> T_INREL, still sending; both end in T_IDLE, the connection over (t_unbind works)",
    source: SOURCE,
    notApplicable: (i) => orderlyRelease(i),
    async run(ctx) {
      const { client, server } = await ctx.pair();
      ctx.ok(await t_sndrel(client), "t_sndrel");
      ctx.state(client, T_OUTREL, "after t_sndrel");
      await ctx.event(server, T_ORDREL, "the peer sees the release");
      ctx.ok(await t_rcvrel(server), "t_rcvrel");
      ctx.state(server, T_INREL, "after t_rcvrel");
      ctx.ok(await t_snd(server, text("late"), 4, 0), "t_snd by the half-closed side");
      await ctx.event(client, T_DATA, "data after our release");
      const got = await ctx.readUnit(client, 16);
      ctx.equal(Buffer.from(got.data).toString(), "late", "data received in T_OUTREL");
      ctx.ok(await t_sndrel(server), "t_sndrel completing the release");
      ctx.state(server, T_IDLE, "after both releases");
      await ctx.event(client, T_ORDREL, "the second release arrives");
      ctx.ok(await t_rcvrel(client), "t_rcvrel completing the release");
      ctx.state(client, T_IDLE, "after both releases");
      // The connection is over for the provider too: both endpoints can be unbound.
      ctx.ok(await t_unbind(client), "t_unbind after the release");
      ctx.ok(await t_unbind(server), "t_unbind of the peer after the release");
    },
  },
  {
    id: "O1.tnorel",
    group: "release",
    checks: "library",
    rule: "t_rcvrel with no orderly release indication fails TNOREL",
    source: `${SOURCE}; test-xnet 7.8.1`,
    notApplicable: (i) => orderlyRelease(i),
    async run(ctx) {
      const { server } = await ctx.pair();
      ctx.error(await t_rcvrel(server), TNOREL, "t_rcvrel");
      ctx.state(server, T_DATAXFER, "the state after TNOREL");
    },
  },
  {
    id: "O1.cots-has-no-release",
    group: "release",
    checks: "library",
    rule: "On a T_COTS provider t_sndrel and t_rcvrel fail TNOTSUPPORT",
    source: SOURCE,
    notApplicable: (i) => plainCots(i),
    async run(ctx) {
      const { client, server } = await ctx.pair();
      ctx.error(await t_sndrel(client), TNOTSUPPORT, "t_sndrel");
      ctx.error(await t_rcvrel(server), TNOTSUPPORT, "t_rcvrel");
    },
  },
  {
    id: "O2.simultaneous-release",
    group: "release",
    rule: "Both sides may release at once: each ends T_OUTREL, sees T_ORDREL, and t_rcvrel takes it to T_IDLE",
    source: `${SOURCE}; test-inet_tcp 5.3, 8.3`,
    notApplicable: (i) => orderlyRelease(i),
    async run(ctx) {
      const { client, server } = await ctx.pair();
      ctx.ok(await t_sndrel(client), "t_sndrel (client)");
      ctx.ok(await t_sndrel(server), "t_sndrel (server)");
      await ctx.event(client, T_ORDREL, "the client sees the server's release");
      await ctx.event(server, T_ORDREL, "the server sees the client's release");
      ctx.ok(await t_rcvrel(client), "t_rcvrel (client)");
      ctx.ok(await t_rcvrel(server), "t_rcvrel (server)");
      ctx.state(client, T_IDLE, "the client");
      ctx.state(server, T_IDLE, "the server");
    },
  },
  {
    id: "O2.no-release-data",
    group: "release",
    rule: "Without T_ORDRELDATA, t_sndreldata with data fails TBADDATA; without data it releases like t_sndrel",
    source: "illumos libnsl t_sndreldata.c (the XNS5 page, and conformance-rules O2, say TNOTSUPPORT; libnsl, followed here, checks the data instead)",
    notApplicable: (i) => first(orderlyRelease(i), noOrdrelData(i)),
    async run(ctx) {
      const { client, server } = await ctx.pair();
      ctx.error(await t_sndreldata(client, t_discon_of(text("bye"))), TBADDATA, "t_sndreldata with data");
      ctx.ok(await t_sndreldata(client, null), "t_sndreldata without data");
      await ctx.event(server, T_ORDREL, "the release arrives");
      const d = t_discon_of(64);
      ctx.ok(await t_rcvreldata(server, d), "t_rcvreldata");
      ctx.equal(d.udata.len, 0, "release data length");
    },
  },
  {
    id: "O2.release-data",
    group: "release",
    rule: "With T_ORDRELDATA the data of t_sndreldata arrives with t_rcvreldata",
    source: "XNS5 t_sndreldata(3), t_rcvreldata(3)",
    notApplicable: (i) => first(orderlyRelease(i), ordrelData(i)),
    async run(ctx) {
      const { client, server } = await ctx.pair();
      ctx.ok(await t_sndreldata(client, t_discon_of(text("bye"))), "t_sndreldata");
      await ctx.event(server, T_ORDREL, "the release arrives");
      const d = t_discon_of(64);
      ctx.ok(await t_rcvreldata(server, d), "t_rcvreldata");
      ctx.equal(Buffer.from(d.udata.buf.subarray(0, d.udata.len)).toString(), "bye", "the release data");
    },
  },
];
