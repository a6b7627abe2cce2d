/** Abortive disconnect: TNODIS, refused connects, disconnect data, reasons, close, queued data. */
import {
  T_DISCONNECT,
  T_IDLE,
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
  t_look,
  t_rcv,
  t_rcvdis,
  t_snd,
  t_snddis,
} from "../../src/index.js";
import { describeResult, EVENT_NAMES, text } from "../context.js";
import type { ConformanceCase } from "../types.js";
import { connectionMode, first } from "./applies.js";

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
    notApplicable: (i, f) => first(connectionMode(i), f.refusesUnknownAddress === false ? "the provider does not refuse connects to non-listeners" : null),
    async run(ctx) {
      const quiet = await ctx.listener(0);
      const fd = await ctx.caller();
      ctx.error(await ctx.within(t_connect(fd, { ...t_call_of(), addr: netbuf(quiet.addr) }, null), "t_connect"), TLOOK, "t_connect to a non-listener");
      ctx.equal(EVENT_NAMES[t_look(fd)], "T_DISCONNECT", "t_look after the refusal");
      const d = t_discon_of(1024);
      ctx.ok(await t_rcvdis(fd, d), "t_rcvdis");
      ctx.truthy(d.reason !== 0, "a refusal carries a reason", "a non-zero reason", String(d.reason));
      ctx.state(fd, T_IDLE, "after t_rcvdis");
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
    id: "D.close-ends-connection",
    group: "disconnect",
    rule: "Closing an endpoint ends its connection: the peer sees T_DISCONNECT (or T_ORDREL where close releases)",
    source: "XNS5 t_close(3); OpenSS7 xti_tcp(3) (TCP close is orderly)",
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
      ctx.truthy(ev === T_DISCONNECT || ev === T_ORDREL, "t_look on the peer", "T_DISCONNECT or T_ORDREL", EVENT_NAMES[ev] ?? String(ev));
    },
  },
];
