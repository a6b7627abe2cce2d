/** State errors and transitions: TOUTSTATE, TNOTSUPPORT by service type, TBADQLEN, the table. */
import {
  T_CONNECT,
  T_COTS_ORD,
  T_DATAXFER,
  T_DISCONNECT,
  T_IDLE,
  T_INCON,
  T_OUTCON,
  T_UNBND,
  TBADQLEN,
  TNODATA,
  TNOTSUPPORT,
  TOUTSTATE,
  netbuf,
  t_accept,
  t_bind,
  t_call_of,
  t_connect,
  t_listen,
  t_rcv,
  t_rcvconnect,
  t_rcvdis,
  t_rcvudata,
  t_snd,
  t_snddis,
  t_sndrel,
  t_sndudata,
  t_unbind,
  t_unitdata_of,
} from "../../src/index.js";
import { text } from "../context.js";
import type { ConformanceCase } from "../types.js";
import { connectionless, connectionMode } from "./applies.js";

export const stateCases: ConformanceCase[] = [
  {
    id: "S1.out-of-state",
    group: "state",
    checks: "library",
    rule: "A call outside its valid states fails TOUTSTATE and changes nothing (t_snd/t_rcv/t_rcvconnect/t_accept in T_IDLE)",
    source: "XNS5 state tables; illumos man3nsl (each call's valid states)",
    notApplicable: (i) => connectionMode(i),
    async run(ctx) {
      const fd = await ctx.caller();
      ctx.error(await t_snd(fd, text("x"), 1, 0), TOUTSTATE, "t_snd in T_IDLE");
      ctx.error(await t_rcv(fd, new Uint8Array(4), 4, { value: 0 }), TOUTSTATE, "t_rcv in T_IDLE");
      ctx.error(await t_rcvconnect(fd, null), TOUTSTATE, "t_rcvconnect in T_IDLE");
      ctx.error(await t_accept(fd, fd, { ...t_call_of(), sequence: 1 }), TOUTSTATE, "t_accept in T_IDLE");
      ctx.error(await t_rcvdis(fd, null), TOUTSTATE, "t_rcvdis in T_IDLE");
      if (ctx.info.servtype === T_COTS_ORD) ctx.error(await t_sndrel(fd), TOUTSTATE, "t_sndrel in T_IDLE");
      ctx.state(fd, T_IDLE, "the state after the failed calls");
    },
  },
  {
    id: "S2.connection-calls-on-clts",
    group: "state",
    checks: "library",
    rule: "Connection-mode calls on a T_CLTS endpoint fail TNOTSUPPORT (checked before the state)",
    source: "illumos libnsl t_snd.c, t_listen.c (servtype check first)",
    notApplicable: (i) => connectionless(i),
    async run(ctx) {
      const fd = ctx.open();
      const call = t_call_of({ addr: 64 });
      ctx.error(await t_connect(fd, { ...t_call_of(), addr: netbuf(text("x")) }, null), TNOTSUPPORT, "t_connect");
      ctx.error(await t_listen(fd, call), TNOTSUPPORT, "t_listen");
      ctx.error(await t_snd(fd, text("x"), 1, 0), TNOTSUPPORT, "t_snd");
      ctx.error(await t_rcv(fd, new Uint8Array(1), 1, { value: 0 }), TNOTSUPPORT, "t_rcv");
      ctx.error(await t_sndrel(fd), TNOTSUPPORT, "t_sndrel");
    },
  },
  {
    id: "S2.datagram-calls-on-cots",
    group: "state",
    checks: "library",
    rule: "Connectionless calls on a connection-mode endpoint fail TNOTSUPPORT",
    source: "illumos libnsl t_sndudata.c, t_rcvudata.c",
    notApplicable: (i) => connectionMode(i),
    async run(ctx) {
      const fd = await ctx.caller();
      ctx.error(await t_sndudata(fd, t_unitdata_of({ addr: text("x"), udata: text("x") })), TNOTSUPPORT, "t_sndudata");
      ctx.error(await t_rcvudata(fd, t_unitdata_of({ addr: 64, udata: 64 }), { value: 0 }), TNOTSUPPORT, "t_rcvudata");
    },
  },
  {
    id: "S3.badqlen",
    group: "state",
    checks: "library",
    rule: "t_listen on an endpoint bound with qlen 0 fails TBADQLEN",
    source: "XNS5 t_listen(3); illumos libnsl t_listen.c; test-xnet 7.3.1",
    notApplicable: (i) => connectionMode(i),
    async run(ctx) {
      const fd = await ctx.caller();
      ctx.error(await t_listen(fd, t_call_of({ addr: 1024 })), TBADQLEN, "t_listen with qlen 0");
    },
  },
  {
    id: "S4.wrong-sequence",
    group: "state",
    checks: "library",
    rule: "A second t_bind, and t_connect or t_unbind on a connected endpoint, fail TOUTSTATE",
    source: "XNS5 t_bind(3), t_connect(3), t_unbind(3); test-inet_tcp 3.5, 3.6, 4.1.5",
    notApplicable: (i) => connectionMode(i),
    async run(ctx) {
      const { client } = await ctx.pair();
      ctx.error(await t_bind(client, null, null), TOUTSTATE, "t_bind on a bound endpoint");
      ctx.error(await t_connect(client, { ...t_call_of(), addr: netbuf(text("x")) }, null), TOUTSTATE, "t_connect in T_DATAXFER");
      ctx.error(await t_unbind(client), TOUTSTATE, "t_unbind in T_DATAXFER");
      ctx.state(client, T_DATAXFER, "the state after the failed calls");
    },
  },
  {
    id: "S5.transitions",
    group: "state",
    rule: "t_getstate follows the state table through bind, connect, listen, accept, disconnect (which the peer receives) and unbind of all three endpoints",
    source: "XNS5 state tables; illumos libnsl _data2.c",
    notApplicable: (i) => connectionMode(i),
    async run(ctx) {
      const l = await ctx.listener(1);
      ctx.state(l.fd, T_IDLE, "the listener after t_bind (T_BIND)");
      const client = ctx.open({ nonblock: true });
      ctx.state(client, T_UNBND, "a new endpoint");
      ctx.ok(await t_bind(client, null, null), "t_bind");
      ctx.error(await t_connect(client, { ...t_call_of(), addr: netbuf(l.addr) }, null), TNODATA, "a non-blocking t_connect");
      ctx.state(client, T_OUTCON, "the caller after a non-blocking t_connect (T_CONNECT2)");
      const call = t_call_of({ addr: 1024, opt: 1024, udata: 1024 });
      ctx.ok(await ctx.within(t_listen(l.fd, call), "t_listen"), "t_listen");
      ctx.state(l.fd, T_INCON, "the listener after t_listen (T_LISTN)");
      const res = ctx.open();
      ctx.ok(await ctx.within(t_accept(l.fd, res, call), "t_accept"), "t_accept");
      ctx.state(l.fd, T_IDLE, "the listener after accepting onto another endpoint (T_ACCEPT2)");
      ctx.state(res, T_DATAXFER, "the acceptor (T_PASSCON)");
      await ctx.event(client, T_CONNECT, "the caller's confirmation");
      ctx.ok(await t_rcvconnect(client, null), "t_rcvconnect");
      ctx.state(client, T_DATAXFER, "the caller after t_rcvconnect (T_RCVCONNECT)");
      ctx.ok(await t_snddis(client, null), "t_snddis");
      ctx.state(client, T_IDLE, "after t_snddis (T_SNDDIS1)");
      await ctx.event(res, T_DISCONNECT, "the peer of the endpoint that disconnected");
      ctx.ok(await t_rcvdis(res, null), "t_rcvdis");
      ctx.state(res, T_IDLE, "the peer after t_rcvdis (T_RCVDIS1)");
      ctx.ok(await t_unbind(client), "t_unbind");
      ctx.state(client, T_UNBND, "after t_unbind (T_UNBIND)");
      // The provider must have ended the connection and the indication on its side too.
      ctx.ok(await t_unbind(res), "t_unbind of the peer after t_rcvdis");
      ctx.state(res, T_UNBND, "the peer after t_unbind");
      ctx.ok(await t_unbind(l.fd), "t_unbind of the listener whose indication was accepted");
      ctx.state(l.fd, T_UNBND, "the listener after t_unbind");
    },
  },
  {
    id: "S5.clts-transitions",
    group: "state",
    rule: "A connectionless endpoint goes T_UNBND -> T_IDLE on t_bind and back on t_unbind, and stays T_IDLE sending",
    source: "XNS5 state tables",
    notApplicable: (i) => connectionless(i),
    async run(ctx) {
      const fd = ctx.open();
      ctx.state(fd, T_UNBND, "a new endpoint");
      ctx.ok(await t_bind(fd, null, null), "t_bind");
      ctx.state(fd, T_IDLE, "after t_bind");
      const peer = await ctx.listener(0);
      ctx.ok(await t_sndudata(fd, t_unitdata_of({ addr: peer.addr, udata: text("x") })), "t_sndudata");
      ctx.state(fd, T_IDLE, "after t_sndudata");
      ctx.ok(await t_unbind(fd), "t_unbind");
      ctx.state(fd, T_UNBND, "after t_unbind");
    },
  },
];
