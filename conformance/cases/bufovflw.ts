/** TBUFOVFLW and its side effects; maxlen 0 as "do not return". */
import { T_DATAXFER, T_INCON, T_IDLE, T_LISTEN, TBUFOVFLW, netbuf, t_bind, t_bind_of, t_call_of, t_connect, t_listen, t_snddis } from "../../src/index.js";
import type { ConformanceCase } from "../types.js";
import { connectionMode } from "./applies.js";

const SOURCE = "XNS5 t_listen(3), t_connect(3), t_rcvconnect(3) (TBUFOVFLW)";

export const bufovflwCases: ConformanceCase[] = [
  {
    id: "B1.listen-overflow",
    group: "bufovflw",
    rule: "t_listen with a too-small buffer fails TBUFOVFLW but takes the indication: T_INCON, and the sequence works with t_snddis",
    source: `${SOURCE}; illumos libnsl t_listen.c`,
    notApplicable: (i) => connectionMode(i),
    async run(ctx) {
      const l = await ctx.listener(1);
      await ctx.callNonblocking(l.addr);
      await ctx.event(l.fd, T_LISTEN, "the indication arrives");
      const call = t_call_of({ addr: 1 });
      ctx.error(await t_listen(l.fd, call), TBUFOVFLW, "t_listen with addr.maxlen 1");
      ctx.state(l.fd, T_INCON, "the listener after TBUFOVFLW");
      ctx.ok(await t_snddis(l.fd, call), "t_snddis with the returned sequence");
      ctx.state(l.fd, T_IDLE, "the listener after rejecting");
    },
  },
  {
    id: "B3.connect-overflow",
    group: "bufovflw",
    rule: "A synchronous t_connect with a too-small rcvcall fails TBUFOVFLW but the connection is established (T_DATAXFER)",
    source: `${SOURCE}; OpenSS7 __xnet_t_rcvconnect`,
    notApplicable: (i) => connectionMode(i),
    async run(ctx) {
      const l = await ctx.listener(1);
      const c = ctx.open({ device: ctx.target.peerDevice ?? ctx.target.device });
      ctx.ok(await t_bind(c, null, null), "t_bind");
      const accepting = ctx.acceptNext(l.fd, l.fd);
      const r = await ctx.within(t_connect(c, { ...t_call_of(), addr: netbuf(l.addr) }, t_call_of({ addr: 1 })), "t_connect");
      await accepting;
      ctx.error(r, TBUFOVFLW, "t_connect with rcvcall.addr.maxlen 1");
      ctx.state(c, T_DATAXFER, "the caller after TBUFOVFLW");
    },
  },
  {
    id: "B4.maxlen-zero",
    group: "bufovflw",
    checks: "library",
    rule: "XTI: a returned netbuf with maxlen 0 means 'do not return this field' and is never TBUFOVFLW",
    source: "XNS5 (netbuf maxlen 0); illumos man3nsl TLI COMPATIBILITY",
    notApplicable: () => null,
    async run(ctx) {
      const fd = ctx.open();
      const ret = t_bind_of(0);
      ctx.ok(await t_bind(fd, null, ret), "t_bind with ret.addr.maxlen 0");
      ctx.equal(ret.addr.len, 0, "ret.addr.len");
    },
  },
];
