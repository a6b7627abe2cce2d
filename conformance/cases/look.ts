/** t_look and TLOOK: which events are reported, in which order, and which calls fail TLOOK. */
import {
  F_SETFL,
  fcntl,
  O_NONBLOCK,
  T_CONNECT,
  T_DATA,
  T_DISCONNECT,
  T_LISTEN,
  T_ORDREL,
  TLOOK,
  TNODATA,
  t_accept,
  t_call_of,
  t_listen,
  t_look,
  t_rcv,
  t_rcvdis,
  t_rcvrel,
  t_snd,
  t_snddis,
  t_sndrel,
} from "../../src/index.js";
import { text } from "../context.js";
import type { ConformanceCase } from "../types.js";
import { connectionMode, orderlyRelease } from "./applies.js";

const SOURCE = "XNS5 t_look(3); the TLOOK table of XPG4.2 (z/OS t_look reprint)";

export const lookCases: ConformanceCase[] = [
  {
    id: "L1.no-event",
    group: "look",
    checks: "library",
    rule: "t_look returns 0 when no event is pending",
    source: SOURCE,
    notApplicable: () => null,
    async run(ctx) {
      const fd = await ctx.caller();
      ctx.equal(t_look(fd), 0, "t_look on a quiet bound endpoint");
    },
  },
  {
    id: "L1.listen-and-connect",
    group: "look",
    rule: "t_look reports T_LISTEN on a listener with an indication and T_CONNECT on a caller whose connect was accepted",
    source: SOURCE,
    notApplicable: (i) => connectionMode(i),
    async run(ctx) {
      const l = await ctx.listener(1);
      const client = await ctx.callNonblocking(l.addr);
      await ctx.event(l.fd, T_LISTEN, "the listener");
      const call = t_call_of({ addr: 1024, opt: 1024, udata: 1024 });
      ctx.ok(await t_listen(l.fd, call), "t_listen");
      ctx.ok(await ctx.within(t_accept(l.fd, l.fd, call), "t_accept"), "t_accept");
      await ctx.event(client, T_CONNECT, "the caller once accepted");
    },
  },
  {
    id: "L2.snd-after-disconnect",
    group: "look",
    rule: "t_snd fails TLOOK once a disconnect indication is pending",
    source: SOURCE,
    notApplicable: (i) => connectionMode(i),
    async run(ctx) {
      const { client, server } = await ctx.pair();
      ctx.ok(await t_snddis(client, null), "t_snddis by the peer");
      await ctx.event(server, T_DISCONNECT, "the disconnect arrives");
      ctx.error(await t_snd(server, text("x"), 1, 0), TLOOK, "t_snd with T_DISCONNECT pending");
      ctx.ok(await t_rcvdis(server, null), "t_rcvdis");
    },
  },
  {
    id: "L2.data-before-release",
    group: "look",
    rule: "Data queued ahead of an orderly release is read first; then t_rcv fails TLOOK and t_look reports T_ORDREL",
    source: `${SOURCE}; XNS5 t_rcv(3)`,
    notApplicable: (i) => orderlyRelease(i),
    async run(ctx) {
      const { client, server } = await ctx.pair();
      ctx.ok(await t_snd(client, text("tail"), 4, 0), "t_snd");
      ctx.ok(await t_sndrel(client), "t_sndrel");
      await ctx.event(server, T_DATA, "the data comes first");
      const got = await ctx.readUnit(server, 16);
      ctx.equal(Buffer.from(got.data).toString(), "tail", "the data sent before the release");
      await ctx.event(server, T_ORDREL, "then the release");
      ctx.error(await t_rcv(server, new Uint8Array(4), 4, { value: 0 }), TLOOK, "t_rcv with T_ORDREL next");
    },
  },
  {
    id: "L2.nothing-after-release",
    group: "look",
    rule: "Nothing follows an orderly release in its direction: once t_rcvrel took T_ORDREL, t_look reports no T_DATA or other event from the releasing side",
    source: "XNS5 t_sndrel(3) (the releasing user sends no more data); illumos libnsl t_rcv.c (data after T_ORDREL_IND is a protocol error, EPROTO)",
    notApplicable: (i) => orderlyRelease(i),
    async run(ctx) {
      const { client, server } = await ctx.pair();
      ctx.ok(await t_snd(client, text("last"), 4, 0), "t_snd");
      ctx.ok(await t_sndrel(client), "t_sndrel after data");
      await ctx.event(server, T_DATA, "the data comes first");
      const got = await ctx.readUnit(server, 16);
      ctx.equal(Buffer.from(got.data).toString(), "last", "the data sent before the release");
      await ctx.event(server, T_ORDREL, "then the release");
      ctx.ok(await t_rcvrel(server), "t_rcvrel");
      ctx.quiet(server, "t_look after t_rcvrel (the peer released its direction)");
      ctx.ok(await t_sndrel(server), "t_sndrel without data");
      await ctx.event(client, T_ORDREL, "the second release");
      ctx.ok(await t_rcvrel(client), "t_rcvrel");
      ctx.quiet(client, "t_look after both releases");
    },
  },
  {
    id: "L3.snd-with-release-pending",
    group: "look",
    rule: "XNS5: t_snd does not fail TLOOK for a pending orderly release (XNS4 did)",
    source: "illumos libnsl t_snd.c (_xti_xns5_snd); conformance-rules L3",
    notApplicable: (i) => orderlyRelease(i),
    async run(ctx) {
      const { client, server } = await ctx.pair();
      ctx.ok(await t_sndrel(client), "t_sndrel by the peer");
      await ctx.event(server, T_ORDREL, "the release arrives");
      ctx.ok(await t_snd(server, text("still"), 5, 0), "t_snd with T_ORDREL pending");
    },
  },
  {
    id: "L4.disconnect-over-release",
    group: "look",
    rule: "A disconnect outranks an unread orderly release, which is discarded",
    source: "illumos libnsl t_look.c; conformance-rules L4",
    notApplicable: (i) => orderlyRelease(i),
    async run(ctx) {
      const { client, server } = await ctx.pair();
      ctx.ok(await t_sndrel(client), "t_sndrel by the peer");
      await ctx.event(server, T_ORDREL, "the release arrives");
      ctx.ok(await t_snddis(client, null), "t_snddis by the peer after its release");
      await ctx.event(server, T_DISCONNECT, "t_look reports the disconnect ahead of the release");
      ctx.ok(await t_rcvdis(server, null), "t_rcvdis");
      ctx.equal(t_look(server), 0, "t_look after t_rcvdis (the release is gone)");
    },
  },
  {
    id: "L5.nodata",
    group: "look",
    rule: "A non-blocking t_rcv with nothing queued fails TNODATA; reading the data clears T_DATA",
    source: "XNS5 t_rcv(3); test-xnet 3.5.1",
    notApplicable: (i) => connectionMode(i),
    async run(ctx) {
      const { client, server } = await ctx.pair();
      fcntl(server, F_SETFL, O_NONBLOCK);
      ctx.error(await t_rcv(server, new Uint8Array(8), 8, { value: 0 }), TNODATA, "t_rcv with nothing queued");
      ctx.ok(await t_snd(client, text("data"), 4, 0), "t_snd");
      await ctx.event(server, T_DATA, "the data arrives");
      const got = await ctx.readUnit(server, 16);
      ctx.equal(Buffer.from(got.data).toString(), "data", "the data");
      ctx.equal(t_look(server), 0, "t_look after reading everything");
    },
  },
];
