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
  t_look,
  t_rcvconnect,
  t_rcvdis,
  t_snddis,
  t_unbind,
} from "../../src/index.js";
import type { CaseContext } from "../context.js";
import { text } from "../context.js";
import type { ConformanceCase, TargetFeatures } from "../types.js";
import { connectionMode, feature, first, na, type Reason } from "./applies.js";

const boundedQueue = (f: TargetFeatures): Reason => (f.boundedQueue === false ? na("features.boundedQueue", "the provider does not bound its queue by qlen") : null);

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
    id: "Q1.unique-sequences",
    group: "queue",
    rule: "A sequence names one caller while its indication is outstanding: a new caller never gets the sequence of one still waiting, and t_accept with it connects that caller",
    source: `${SOURCE} (call->sequence identifies the indication); XNS5 t_snddis(3), t_rcvdis(3)`,
    notApplicable: (i) => connectionMode(i),
    async run(ctx) {
      const l = await ctx.listener(2);
      ctx.truthy(l.qlen >= 2, "the qlen t_bind negotiated (two indications must be held)", "2", String(l.qlen));
      const a = await ctx.callNonblocking(l.addr);
      const seqA = (await listen(ctx, l.fd)).sequence;
      const b = await ctx.callNonblocking(l.addr);
      const seqB = (await listen(ctx, l.fd)).sequence;
      ctx.truthy(seqA !== seqB, "the first two indications", "distinct sequences", `${seqA} and ${seqB}`);
      // The first leaves the queue (rejected): the next caller must not get the sequence still outstanding.
      ctx.ok(await t_snddis(l.fd, { ...t_call_of(), sequence: seqA }), "t_snddis rejecting the first caller");
      await ctx.event(a, T_DISCONNECT, "the rejected caller");
      const c = await ctx.callNonblocking(l.addr);
      const seqC = (await listen(ctx, l.fd)).sequence;
      ctx.truthy(seqC !== seqB, "the sequence of a caller arriving while another is outstanding", `not ${seqB} (outstanding)`, String(seqC));
      // The second withdraws: the listener is told under its sequence; the next caller must differ from the third.
      ctx.ok(await t_snddis(b, null), "t_snddis by the second caller");
      await ctx.event(l.fd, T_DISCONNECT, "the withdrawal");
      const d = t_discon_of(1024);
      ctx.ok(await t_rcvdis(l.fd, d), "t_rcvdis");
      ctx.equal(d.sequence, seqB, "discon.sequence of the withdrawn caller");
      const e = await ctx.callNonblocking(l.addr);
      const seqE = (await listen(ctx, l.fd)).sequence;
      ctx.truthy(seqE !== seqC, "the sequence of another caller arriving while one is outstanding", `not ${seqC} (outstanding)`, String(seqE));
      // Each sequence still names its own caller.
      const resE = ctx.open();
      ctx.ok(await ctx.within(t_accept(l.fd, resE, { ...t_call_of(), sequence: seqE }), "t_accept"), "t_accept of the last caller's sequence");
      await ctx.event(e, T_CONNECT, "the caller whose sequence was accepted");
      // Where a caller is confirmed only on acceptance, accepting another one must not confirm it.
      if (ctx.target.features?.confirmedOnAccept === true) ctx.equal(t_look(c), 0, "t_look on the caller still waiting");
      const resC = ctx.open();
      ctx.ok(await ctx.within(t_accept(l.fd, resC, { ...t_call_of(), sequence: seqC }), "t_accept"), "t_accept of the other outstanding sequence");
      await ctx.event(c, T_CONNECT, "the other caller");
    },
  },
  {
    id: "Q.confirmed-on-accept",
    group: "queue",
    rule: "A caller is confirmed only when the listener accepts it: while its indication waits (listened for or not), t_look on the caller says nothing and t_rcvconnect fails TNODATA",
    source: "XNS5 t_connect(3), t_rcvconnect(3), t_accept(3) (the connection is established by the acceptance; the WARNINGS allow providers where the indication is the connection)",
    notApplicable: (i, f) => first(connectionMode(i), feature(f, "confirmedOnAccept", "the provider does not declare that callers are confirmed only on acceptance")),
    async run(ctx) {
      const l = await ctx.listener(1);
      const c = await ctx.callNonblocking(l.addr);
      await ctx.event(l.fd, T_LISTEN, "the call arrives");
      ctx.equal(t_look(c), 0, "t_look on the caller while its indication is not yet listened for");
      const call = await listen(ctx, l.fd);
      ctx.equal(t_look(c), 0, "t_look on the caller while the listener holds its indication");
      ctx.error(await t_rcvconnect(c, null), TNODATA, "t_rcvconnect before the listener accepts");
      ctx.ok(await ctx.within(t_accept(l.fd, l.fd, call), "t_accept"), "t_accept");
      await ctx.event(c, T_CONNECT, "the confirmation once accepted");
      ctx.ok(await t_rcvconnect(c, null), "t_rcvconnect");
    },
  },
  {
    id: "Q2.tqfull",
    group: "queue",
    rule: "When the outstanding indications reach qlen, t_listen fails TQFULL once, then TNODATA, and the provider indicates no caller beyond qlen (it refuses or holds it)",
    source: `${SOURCE} (TX_TQFULL_NOTIFIED); test-xnet 7.3.4`,
    notApplicable: (i, f) => first(connectionMode(i), boundedQueue(f)),
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
    id: "Q2.beyond-qlen",
    group: "queue",
    rule: "A caller beyond qlen is refused at once (T_DISCONNECT) or held unindicated until the queue has room, as the provider declares; once room is made, callers are indicated again",
    source: `${SOURCE}; XNS5 t_bind(3) (qlen: the number of outstanding indications); illumos tl.c (refuses beyond TL_MAXQLEN)`,
    notApplicable: (i, f) =>
      first(connectionMode(i), boundedQueue(f), f.callerBeyondQlen === undefined ? na("features.callerBeyondQlen", "the provider does not declare what becomes of a caller beyond qlen") : null),
    async run(ctx) {
      const l = await ctx.listener(1);
      await ctx.callNonblocking(l.addr);
      const call = await listen(ctx, l.fd);
      const extra = await ctx.callNonblocking(l.addr);
      if (ctx.target.features?.callerBeyondQlen === "refused") {
        const outcome = await ctx.firstEvent([
          [extra, T_DISCONNECT, "refused"],
          [l.fd, T_LISTEN, "indicated"],
        ]);
        ctx.equal(outcome, "refused", "the caller beyond qlen (declared: refused)");
        ctx.ok(await t_rcvdis(extra, null), "t_rcvdis by the refused caller");
        ctx.state(extra, T_IDLE, "the refused caller");
        ctx.ok(await t_snddis(l.fd, call), "t_snddis making room in the queue");
        await ctx.callNonblocking(l.addr);
        await listen(ctx, l.fd);
        return;
      }
      const outcome = await ctx.firstEvent([
        [extra, T_DISCONNECT, "refused"],
        [l.fd, T_LISTEN, "indicated"],
      ]);
      ctx.equal(outcome, "none", "the caller beyond qlen while the queue is full (declared: held)");
      ctx.ok(await t_snddis(l.fd, call), "t_snddis making room in the queue");
      const held = await listen(ctx, l.fd);
      const res = ctx.open();
      ctx.ok(await ctx.within(t_accept(l.fd, res, held), "t_accept"), "t_accept of the caller that was held");
      await ctx.event(extra, T_CONNECT, "the held caller is connected");
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
    rule: "t_snddis with an indication's sequence rejects it: the caller gets T_DISCONNECT (and can then be unbound), the listener goes back to T_IDLE",
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
      // The connect is over for the provider too: the caller can be unbound.
      ctx.ok(await t_unbind(c), "t_unbind of the rejected caller");
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
