/** Abortive disconnect: TNODIS, refused connects, disconnect data, reasons, close, queued data. */
import {
  Errno,
  F_SETFL,
  fcntl,
  O_NONBLOCK,
  T_COTS_ORD,
  T_DATA,
  T_DISCONNECT,
  T_IDLE,
  T_LISTEN,
  T_INVALID,
  T_ORDREL,
  TBADDATA,
  TLOOK,
  TNODIS,
  netbuf,
  t_call_of,
  t_close,
  t_connect,
  t_discon_of,
  t_errno,
  t_listen,
  t_look,
  t_rcv,
  t_rcvdis,
  t_snd,
  t_snddis,
  errnoName,
} from "../../src/index.js";
import { describeResult, EVENT_NAMES, text } from "../context.js";
import type { CaseContext } from "../context.js";
import type { ConformanceCase, TargetFeatures } from "../types.js";
import { connectionMode, feature, first, na, type Reason } from "./applies.js";

const refusesUnknown = (f: TargetFeatures): Reason =>
  f.refusesUnknownAddress === false ? na("features.refusesUnknownAddress", "the provider does not refuse connects to non-listeners") : null;

/** Call an endpoint that does not listen; the refusal is taken with t_rcvdis, whose reason is returned. */
async function refusedReason(ctx: CaseContext): Promise<number> {
  const quiet = await ctx.listener(0);
  const fd = await ctx.caller({ device: ctx.target.peerDevice ?? ctx.target.device });
  ctx.error(await ctx.within(t_connect(fd, { ...t_call_of(), addr: netbuf(quiet.addr) }, null), "t_connect"), TLOOK, "t_connect to a non-listener");
  ctx.equal(EVENT_NAMES[t_look(fd)], "T_DISCONNECT", "t_look after the refusal");
  const d = t_discon_of(1024);
  ctx.ok(await t_rcvdis(fd, d), "t_rcvdis");
  ctx.state(fd, T_IDLE, "after t_rcvdis");
  return d.reason;
}

const SOURCE = "XNS5 t_snddis(3), t_rcvdis(3)";

export const disconnectCases: ConformanceCase[] = [
  {
    id: "D1.tnodis",
    group: "disconnect",
    checks: "library",
    rule: "t_rcvdis with no disconnect indication fails TNODIS",
    source: `${SOURCE}; test-xnet 7.7.1`,
    notApplicable: (i) => connectionMode(i),
    async run(ctx) {
      const { server } = await ctx.pair();
      ctx.error(await t_rcvdis(server, null), TNODIS, "t_rcvdis");
    },
  },
  {
    id: "D2.refused",
    group: "disconnect",
    rule: "A connect to an endpoint that does not listen is refused: t_connect fails TLOOK, t_look reports T_DISCONNECT, t_rcvdis ends in T_IDLE",
    source: `${SOURCE}; UNP daytimecli01; conformance-rules D2`,
    notApplicable: (i, f) => first(connectionMode(i), refusesUnknown(f)),
    async run(ctx) {
      const reason = await refusedReason(ctx);
      ctx.truthy(reason !== 0, "a refusal carries a reason", "a non-zero reason", String(reason));
    },
  },
  {
    id: "D2.refused-reason",
    group: "disconnect",
    rule: "With errno reasons, a connect nobody accepts is reported with reason ECONNREFUSED",
    source: "conformance-rules D2 (UNP treats the reason as an errno: ECONNREFUSED); OpenSS7 xti_tcp(3) (t_rcvdis reasons are errno values)",
    notApplicable: (i, f) => first(connectionMode(i), refusesUnknown(f), feature(f, "errnoReasons", "disconnect reasons are not declared to be errno values")),
    async run(ctx) {
      const reason = await refusedReason(ctx);
      ctx.equal(errnoName(reason), "ECONNREFUSED", "discon.reason of the refusal");
    },
  },
  {
    id: "D.abort-reason",
    group: "disconnect",
    rule: "With errno reasons, the peer of an endpoint that aborts an established connection gets reason ECONNRESET",
    source: "OpenSS7 xti_tcp(3) (t_rcvdis reasons are errno values: ECONNRESET for a reset connection)",
    notApplicable: (i, f) => first(connectionMode(i), feature(f, "errnoReasons", "disconnect reasons are not declared to be errno values")),
    async run(ctx) {
      const { client, server } = await ctx.pair();
      ctx.ok(await t_snddis(client, null), "t_snddis");
      await ctx.event(server, T_DISCONNECT, "the abort arrives");
      const d = t_discon_of(1024);
      ctx.ok(await t_rcvdis(server, d), "t_rcvdis");
      ctx.equal(errnoName(d.reason), errnoName(Errno.ECONNRESET), "discon.reason of the abort");
    },
  },
  {
    id: "D3.disconnect-data",
    group: "disconnect",
    rule: "Disconnect data passes to the peer when t_info.discon allows it; otherwise t_snddis with data fails TBADDATA",
    source: `${SOURCE}; test-inet_tcp 4.2.1`,
    notApplicable: (i) => connectionMode(i),
    async run(ctx) {
      const { client, server } = await ctx.pair();
      const call = { ...t_call_of(), udata: netbuf(text("bye!")) };
      if (ctx.info.discon === T_INVALID || (ctx.info.discon >= 0 && ctx.info.discon < 4)) {
        ctx.error(await t_snddis(client, call), TBADDATA, "t_snddis with data the provider cannot carry");
        return;
      }
      ctx.ok(await t_snddis(client, call), "t_snddis with data");
      await ctx.event(server, T_DISCONNECT, "the disconnect arrives");
      const d = t_discon_of(64);
      ctx.ok(await t_rcvdis(server, d), "t_rcvdis");
      ctx.equal(Buffer.from(d.udata.buf.subarray(0, d.udata.len)).toString(), "bye!", "the disconnect data");
      ctx.equal(d.sequence, -1, "discon.sequence outside a connection queue");
    },
  },
  {
    id: "D.abort-both-idle",
    group: "disconnect",
    rule: "After t_snddis the endpoint is T_IDLE; the peer gets T_DISCONNECT and t_rcvdis takes it to T_IDLE",
    source: SOURCE,
    notApplicable: (i) => connectionMode(i),
    async run(ctx) {
      const { client, server } = await ctx.pair();
      ctx.ok(await t_snddis(server, null), "t_snddis");
      ctx.state(server, T_IDLE, "the aborting side");
      await ctx.event(client, T_DISCONNECT, "the peer");
      ctx.ok(await t_rcvdis(client, null), "t_rcvdis");
      ctx.state(client, T_IDLE, "the peer after t_rcvdis");
    },
  },
  {
    id: "D.abort-with-queued-data",
    group: "disconnect",
    rule: "A disconnect while data is queued: the data is read first or discarded, then TLOOK with T_DISCONNECT, never an error",
    source: "conformance-rules L4 (either is allowed); test-inet_tcp group 12",
    notApplicable: (i) => connectionMode(i),
    async run(ctx) {
      const { client, server } = await ctx.pair();
      ctx.ok(await t_snd(client, text("in flight"), 9, 0), "t_snd");
      ctx.ok(await t_snddis(client, null), "t_snddis");
      await ctx.event(server, T_DISCONNECT, "the disconnect arrives");
      const buf = new Uint8Array(64);
      for (;;) {
        const r = await ctx.within(t_rcv(server, buf, 64, { value: 0 }), "t_rcv");
        if (r >= 0) continue; // unread data delivered ahead of the disconnect
        ctx.truthy(t_errno === TLOOK, "t_rcv ends with TLOOK", "-1 with TLOOK", describeResult(r));
        break;
      }
      ctx.ok(await t_rcvdis(server, null), "t_rcvdis");
    },
  },
  {
    id: "D3.abort-discards-unread",
    group: "disconnect",
    rule: "An abortive disconnect discards the data the peer has not read: after it, t_rcv fails TLOOK at once and t_look says T_DISCONNECT",
    source: "conformance-rules D3 (an abortive disconnect discards queued data; test-inet_tcp group 12); illumos tl.c (M_FLUSH before T_DISCON_IND)",
    notApplicable: (i, f) => first(connectionMode(i), feature(f, "abortDiscardsUnread", "the provider does not declare that an abort discards unread data")),
    async run(ctx) {
      const { client, server } = await ctx.pair();
      ctx.ok(await t_snd(client, text("read in part"), 12, 0), "t_snd of a TSDU read in part");
      ctx.ok(await t_snd(client, text("never read"), 10, 0), "t_snd of a TSDU never read");
      await ctx.event(server, T_DATA, "the data arrives");
      const part = new Uint8Array(4);
      ctx.ok(await ctx.within(t_rcv(server, part, 4, { value: 0 }), "t_rcv"), "t_rcv of 4 bytes");
      ctx.ok(await t_snddis(client, null), "t_snddis with data unread at the peer");
      await ctx.event(server, T_DISCONNECT, "the disconnect arrives");
      fcntl(server, F_SETFL, O_NONBLOCK);
      const r = await t_rcv(server, new Uint8Array(64), 64, { value: 0 });
      ctx.truthy(r === -1 && t_errno === TLOOK, "t_rcv after the abort (the unread data is gone)", "-1 with TLOOK", r >= 0 ? `${r} bytes of the discarded data` : describeResult(r));
      ctx.ok(await t_rcvdis(server, null), "t_rcvdis");
      ctx.quiet(server, "t_look after t_rcvdis");
    },
  },
  {
    id: "D.close-refuses-callers",
    group: "disconnect",
    rule: "Closing a listener refuses the callers it holds, whether t_listen took their indications or not: each gets T_DISCONNECT",
    source: "XNS5 t_close(3); illumos tl.c (pending connection requests get T_DISCON_IND when the listener closes)",
    notApplicable: (i) => connectionMode(i),
    async run(ctx) {
      const l = await ctx.listener(2);
      const listened = await ctx.callNonblocking(l.addr);
      await ctx.event(l.fd, T_LISTEN, "the first call arrives");
      ctx.ok(await t_listen(l.fd, t_call_of({ addr: 1024, opt: 1024, udata: 1024 })), "t_listen");
      const waiting = await ctx.callNonblocking(l.addr);
      ctx.ok(await t_close(l.fd), "t_close of the listener");
      await ctx.event(listened, T_DISCONNECT, "the caller whose indication t_listen took");
      await ctx.event(waiting, T_DISCONNECT, "the caller not yet listened for");
    },
  },
  {
    id: "D.close-ends-connection",
    group: "disconnect",
    rule: "Closing an endpoint ends its connection: the peer sees T_DISCONNECT (or, on a T_COTS_ORD provider whose close releases, T_ORDREL)",
    source: "XNS5 t_close(3); OpenSS7 xti_tcp(3) (TCP close is orderly); T_COTS has no orderly release (XNS5 t_sndrel(3))",
    notApplicable: (i) => connectionMode(i),
    async run(ctx) {
      const { client, server } = await ctx.pair();
      ctx.ok(await t_close(client), "t_close");
      const deadline = Date.now() + ctx.timeoutMs;
      let ev = t_look(server);
      while (ev !== T_DISCONNECT && ev !== T_ORDREL && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 2));
        ev = t_look(server);
      }
      const orderly = ctx.info.servtype === T_COTS_ORD;
      const expected = orderly ? "T_DISCONNECT or T_ORDREL" : "T_DISCONNECT (T_COTS has no orderly release)";
      ctx.truthy(ev === T_DISCONNECT || (orderly && ev === T_ORDREL), "t_look on the peer", expected, EVENT_NAMES[ev] ?? String(ev));
    },
  },
];
