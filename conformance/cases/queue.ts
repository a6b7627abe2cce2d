/** The connection queue: sequences, TQFULL, TINDOUT, TBADSEQ, TRESQLEN, accept onto other endpoints, rejects, connect data. */
import {
  F_SETFL,
  fcntl,
  O_NONBLOCK,
  T_CONNECT,
  T_DATAXFER,
  T_DISCONNECT,
  T_IDLE,
  T_INCON,
  T_INVALID,
  T_LISTEN,
  TBADDATA,
  TBADSEQ,
  TINDOUT,
  TNODATA,
  TQFULL,
  TRESQLEN,
  netbuf,
  t_accept,
  t_call_of,
  t_connect,
  t_discon_of,
  t_getprotaddr,
  t_listen,
  t_rcvconnect,
  t_rcvdis,
  t_snddis,
} from "../../src/index.js";
import type { CaseContext } from "../context.js";
import { text } from "../context.js";
import type { ConformanceCase } from "../types.js";
import { connectionMode, first } from "./applies.js";

const SOURCE = "XNS5 t_listen(3), t_accept(3); illumos libnsl t_listen.c, t_accept.c";

/** Take the next indication on `listener` (waiting for it). */
async function listen(ctx: CaseContext, listener: number): Promise<ReturnType<typeof t_call_of>> {
  await ctx.event(listener, T_LISTEN, "a connection indication arrives");
  const call = t_call_of({ addr: 1024, opt: 1024, udata: 1024 });
  ctx.ok(await t_listen(listener, call), "t_listen");
  return call;
}

export const queueCases: ConformanceCase[] = [
  {
    id: "Q1.sequences",
    group: "queue",
    rule: "t_listen returns a sequence per indication; several indications can be held before any is answered",
    source: SOURCE,
    notApplicable: (i) => connectionMode(i),
    async run(ctx) {
      const l = await ctx.listener(2);
      await ctx.callNonblocking(l.addr);
      const first = await listen(ctx, l.fd);
      await ctx.callNonblocking(l.addr);
      const second = await listen(ctx, l.fd);
      ctx.truthy(first.sequence !== second.sequence, "two indications have different sequences", "distinct sequences", `${first.sequence} and ${second.sequence}`);
      ctx.state(l.fd, T_INCON, "the listener with two indications");
    },
  },
  {
    id: "Q2.tqfull",
    group: "queue",
    rule: "When the outstanding indications reach qlen, t_listen fails TQFULL once, then TNODATA, and the provider indicates no caller beyond qlen (it refuses or holds it)",
    source: `${SOURCE} (TX_TQFULL_NOTIFIED); test-xnet 7.3.4`,
    notApplicable: (i, f) => first(connectionMode(i), f.boundedQueue === false ? "the provider does not bound its queue by qlen" : null),
    async run(ctx) {
      const l = await ctx.listener(1);
      await ctx.callNonblocking(l.addr);
      await listen(ctx, l.fd);
      fcntl(l.fd, F_SETFL, O_NONBLOCK);
      ctx.error(await t_listen(l.fd, t_call_of({ addr: 1024 })), TQFULL, "t_listen with ocnt == qlen");
      ctx.error(await t_listen(l.fd, t_call_of({ addr: 1024 })), TNODATA, "the next t_listen");
      // The queue bound is the provider's: a second caller must not be indicated while one is outstanding.
      const extra = await ctx.callNonblocking(l.addr);
      const outcome = await ctx.firstEvent([
        [extra, T_DISCONNECT, "refused"],
        [l.fd, T_LISTEN, "indicated"],
      ]);
      ctx.truthy(outcome !== "indicated", "a caller beyond qlen", "refused (T_DISCONNECT) or held without an indication", "the listener got T_LISTEN for it");
    },
  },
  {
    id: "Q3.tindout",
    group: "queue",
    checks: "library",
    rule: "t_accept onto the listener itself with more than one indication outstanding fails TINDOUT",
    source: `${SOURCE}; test-xnet 7.1.1`,
    notApplicable: (i) => connectionMode(i),
    async run(ctx) {
      const l = await ctx.listener(2);
      await ctx.callNonblocking(l.addr);
      const call = await listen(ctx, l.fd);
      await ctx.callNonblocking(l.addr);
      await listen(ctx, l.fd);
      ctx.error(await t_accept(l.fd, l.fd, call), TINDOUT, "t_accept(fd, fd) with two outstanding");
    },
  },
  {
    id: "Q3.tbadseq",
    group: "queue",
    checks: "library",
    rule: "t_accept and t_snddis with a sequence that is not outstanding fail TBADSEQ",
    source: SOURCE,
    notApplicable: (i) => connectionMode(i),
    async run(ctx) {
      const l = await ctx.listener(1);
      await ctx.callNonblocking(l.addr);
      const call = await listen(ctx, l.fd);
      const bogus = { ...t_call_of(), sequence: call.sequence + 7919 };
      ctx.error(await t_accept(l.fd, l.fd, bogus), TBADSEQ, "t_accept with an unknown sequence");
      ctx.error(await t_snddis(l.fd, bogus), TBADSEQ, "t_snddis with an unknown sequence");
    },
  },
  {
    id: "Q3.tresqlen",
    group: "queue",
    checks: "library",
    rule: "t_accept onto another endpoint bound with qlen > 0 fails TRESQLEN",
    source: SOURCE,
    notApplicable: (i) => connectionMode(i),
    async run(ctx) {
      const l = await ctx.listener(1);
      await ctx.callNonblocking(l.addr);
      const call = await listen(ctx, l.fd);
      const other = await ctx.listener(1);
      ctx.error(await t_accept(l.fd, other.fd, call), TRESQLEN, "t_accept onto a listener");
    },
  },
  {
    id: "Q5.accept-onto-unbound",
    group: "queue",
    rule: "t_accept onto an unbound endpoint binds it: the listener goes back to T_IDLE, the acceptor to T_DATAXFER with an address",
    source: `${SOURCE}; test-inet_tcp 4.1.4`,
    notApplicable: (i) => connectionMode(i),
    async run(ctx) {
      const l = await ctx.listener(1);
      const c = await ctx.callNonblocking(l.addr);
      const call = await listen(ctx, l.fd);
      const res = ctx.open();
      ctx.ok(await ctx.within(t_accept(l.fd, res, call), "t_accept"), "t_accept onto an unbound endpoint");
      ctx.state(l.fd, T_IDLE, "the listener");
      ctx.state(res, T_DATAXFER, "the acceptor");
      const bound = { addr: netbuf(1024), qlen: 0 };
      ctx.ok(t_getprotaddr(res, bound, null), "t_getprotaddr");
      ctx.truthy(bound.addr.len > 0, "the acceptor has a bound address", "a non-empty address", "none");
      await ctx.event(c, T_CONNECT, "the caller's confirmation");
      ctx.ok(await t_rcvconnect(c, null), "t_rcvconnect");
    },
  },
  {
    id: "Q.reject",
    group: "queue",
    rule: "t_snddis with an indication's sequence rejects it: the caller gets T_DISCONNECT, the listener goes back to T_IDLE",
    source: "XNS5 t_snddis(3)",
    notApplicable: (i) => connectionMode(i),
    async run(ctx) {
      const l = await ctx.listener(1);
      const c = await ctx.callNonblocking(l.addr);
      const call = await listen(ctx, l.fd);
      ctx.ok(await t_snddis(l.fd, call), "t_snddis(listener, sequence)");
      ctx.state(l.fd, T_IDLE, "the listener after rejecting its only indication");
      await ctx.event(c, T_DISCONNECT, "the rejected caller");
      ctx.ok(await t_rcvdis(c, null), "t_rcvdis");
      ctx.state(c, T_IDLE, "the rejected caller after t_rcvdis");
    },
  },
  {
    id: "Q.withdraw",
    group: "queue",
    rule: "A caller withdrawing after t_listen shows as T_DISCONNECT on the listener, and t_rcvdis names its sequence",
    source: "XNS5 t_rcvdis(3) (discon.sequence); UNP xti_accept.c",
    notApplicable: (i) => connectionMode(i),
    async run(ctx) {
      const l = await ctx.listener(1);
      const c = await ctx.callNonblocking(l.addr);
      const call = await listen(ctx, l.fd);
      ctx.ok(await t_snddis(c, null), "t_snddis by the caller");
      await ctx.event(l.fd, T_DISCONNECT, "the listener");
      const d = t_discon_of(1024);
      ctx.ok(await t_rcvdis(l.fd, d), "t_rcvdis");
      ctx.equal(d.sequence, call.sequence, "discon.sequence");
      ctx.state(l.fd, T_IDLE, "the listener");
    },
  },
  {
    id: "Q.connect-data",
    group: "queue",
    rule: "Connect data reaches t_listen and accept data reaches the caller when t_info.connect allows it; otherwise TBADDATA",
    source: "XNS5 t_connect(3), t_accept(3)",
    notApplicable: (i) => connectionMode(i),
    async run(ctx) {
      const l = await ctx.listener(1);
      if (ctx.info.connect === T_INVALID || (ctx.info.connect >= 0 && ctx.info.connect < 5)) {
        const fd = await ctx.caller();
        ctx.error(await t_connect(fd, { ...t_call_of(), addr: netbuf(l.addr), udata: netbuf(text("hello")) }, null), TBADDATA, "t_connect with data");
        return;
      }
      const c = await ctx.callNonblocking(l.addr, text("hello"));
      const call = await listen(ctx, l.fd);
      ctx.equal(Buffer.from(call.udata.buf.subarray(0, call.udata.len)).toString(), "hello", "the connect data at t_listen");
      ctx.ok(await ctx.within(t_accept(l.fd, l.fd, { ...call, udata: netbuf(text("howdy")) }), "t_accept"), "t_accept with data");
      await ctx.event(c, T_CONNECT, "the confirmation");
      const got = t_call_of({ addr: 1024, opt: 1024, udata: 1024 });
      ctx.ok(await t_rcvconnect(c, got), "t_rcvconnect");
      ctx.equal(Buffer.from(got.udata.buf.subarray(0, got.udata.len)).toString(), "howdy", "the accept data");
    },
  },
];
