/**
 * The whole state table: every state-checked call in every state. Where the table allows the
 * call, a scenario makes it succeed and the endpoint must reach the table's next state; where it
 * does not, the call must fail TOUTSTATE and leave the state unchanged.
 */
import { expect } from "chai";
import {
  CALL_EVENTS_FOR_TEST,
  T_CLTS,
  T_COTS_ORD,
  T_CURRENT,
  T_DATAXFER,
  T_IDLE,
  T_INCON,
  T_INREL,
  T_OUTCON,
  T_OUTREL,
  T_UNBND,
  TNODATA,
  TOUTSTATE,
  XTI_GENERIC,
  XTI_RCVBUF,
  allowedInForTest,
  encodeOptions,
  netbuf,
  STATE_NAMES,
  t_accept,
  t_bind,
  t_call_of,
  t_connect,
  t_discon_of,
  t_getprotaddr,
  t_listen,
  t_optmgmt,
  t_optmgmt_of,
  t_rcv,
  t_rcvconnect,
  t_rcvdis,
  t_rcvrel,
  t_rcvudata,
  t_rcvuderr,
  t_snd,
  t_snddis,
  t_sndrel,
  t_sndudata,
  t_unbind,
  t_unitdata_of,
  t_uderr_of,
} from "./statetable-imports.js";
import { callTo, cleanup, connectedPair, expectFail, listener, loopback, ok, open, releaseOneWay, settle, state, text } from "../helpers/xti.js";

interface Ctx {
  fd: number;
  /** The other end of the connection, or the listener a client is calling. */
  peer: number;
  /** Clients calling a listener fd (INCON setups). */
  clients: number[];
  sequences: number[];
  addr: Uint8Array;
}

let cots = "";
let clts = "";

async function at(s: number): Promise<Ctx> {
  const ctx: Ctx = { fd: -1, peer: -1, clients: [], sequences: [], addr: new Uint8Array(0) };
  switch (s) {
    case T_UNBND:
      ctx.fd = open(cots);
      return ctx;
    case T_IDLE:
      ctx.fd = open(cots);
      await ok(t_bind(ctx.fd, null, null));
      return ctx;
    case T_OUTCON: {
      const l = await listener(cots, 2);
      ctx.peer = l.fd;
      ctx.addr = l.addr;
      ctx.fd = open(cots, true);
      await ok(t_bind(ctx.fd, null, null));
      expectFail(await t_connect(ctx.fd, callTo(l.addr), null), TNODATA);
      return ctx;
    }
    case T_INCON: {
      const l = await listener(cots, 3);
      ctx.fd = l.fd;
      ctx.addr = l.addr;
      await addIndication(ctx);
      return ctx;
    }
    case T_DATAXFER:
    case T_OUTREL:
    case T_INREL: {
      const p = await connectedPair(cots);
      ctx.fd = p.client;
      ctx.peer = p.server;
      if (s === T_OUTREL) await ok(t_sndrel(ctx.fd));
      if (s === T_INREL) await releaseOneWay(ctx.peer, ctx.fd);
      return ctx;
    }
    default:
      throw new Error(`no setup for state ${s}`);
  }
}

/** Another client calls the INCON listener and t_listen takes the indication. */
async function addIndication(ctx: Ctx): Promise<void> {
  const c = open(cots, true);
  await ok(t_bind(c, null, null));
  expectFail(await t_connect(c, callTo(ctx.addr), null), TNODATA);
  const call = t_call_of({ addr: 64, udata: 64 });
  await ok(t_listen(ctx.fd, call));
  ctx.clients.push(c);
  ctx.sequences.push(call.sequence);
}

async function atClts(s: number): Promise<Ctx> {
  const ctx: Ctx = { fd: open(clts), peer: -1, clients: [], sequences: [], addr: new Uint8Array(0) };
  if (s === T_IDLE) await ok(t_bind(ctx.fd, null, null));
  return ctx;
}

type Call = keyof typeof CALL_EVENTS_FOR_TEST;

/** A call with plausible arguments, for the TOUTSTATE half of the matrix. */
function invoke(call: Call, ctx: Ctx): Promise<number> {
  const fd = ctx.fd;
  const buf = new Uint8Array(8);
  const flags = { value: 0 };
  switch (call) {
    case "t_bind":
      return t_bind(fd, null, null);
    case "t_unbind":
      return t_unbind(fd);
    case "t_optmgmt":
      return t_optmgmt(fd, t_optmgmt_of(encodeOptions([{ level: XTI_GENERIC, name: XTI_RCVBUF }]), T_CURRENT), t_optmgmt_of(256));
    case "t_connect":
      return t_connect(fd, callTo(text("nobody")), null);
    case "t_rcvconnect":
      return t_rcvconnect(fd, null);
    case "t_listen":
      return t_listen(fd, t_call_of({ addr: 64 }));
    case "t_accept":
      return t_accept(fd, fd, { ...t_call_of(), sequence: 1 });
    case "t_snd":
      return t_snd(fd, buf, 1, 0);
    case "t_rcv":
      return t_rcv(fd, buf, 1, flags);
    case "t_snddis":
      return t_snddis(fd, null);
    case "t_rcvdis":
      return t_rcvdis(fd, null);
    case "t_sndrel":
      return t_sndrel(fd);
    case "t_rcvrel":
      return t_rcvrel(fd);
    case "t_sndudata":
      return t_sndudata(fd, t_unitdata_of({ addr: text("x"), udata: text("x") }));
    case "t_rcvudata":
      return t_rcvudata(fd, t_unitdata_of({ addr: 64, udata: 64 }), flags);
    case "t_rcvuderr":
      return t_rcvuderr(fd, null);
  }
}

interface Scenario {
  call: Call;
  from: number;
  title: string;
  clts?: boolean;
  /** Make the call succeed; returns nothing, the state is checked afterwards. */
  run(ctx: Ctx): Promise<void>;
  to: number;
}

const scenarios: Scenario[] = [
  { call: "t_bind", from: T_UNBND, to: T_IDLE, title: "T_BIND", run: async (c) => void (await ok(t_bind(c.fd, null, null))) },
  { call: "t_unbind", from: T_IDLE, to: T_UNBND, title: "T_UNBIND", run: async (c) => void (await ok(t_unbind(c.fd))) },
  {
    call: "t_connect",
    from: T_IDLE,
    to: T_DATAXFER,
    title: "T_CONNECT1 (synchronous)",
    run: async (c) => {
      const l = await listener(cots, 1);
      const call = t_call_of({ addr: 64 });
      const accepting = (async () => {
        await ok(t_listen(l.fd, call));
        await ok(t_accept(l.fd, l.fd, call));
      })();
      await ok(t_connect(c.fd, callTo(l.addr), null));
      await accepting;
    },
  },
  {
    call: "t_rcvconnect",
    from: T_OUTCON,
    to: T_DATAXFER,
    title: "T_RCVCONNECT",
    run: async (c) => {
      const call = t_call_of({ addr: 64 });
      await ok(t_listen(c.peer, call));
      await ok(t_accept(c.peer, c.peer, call));
      await ok(t_rcvconnect(c.fd, null));
    },
  },
  {
    call: "t_listen",
    from: T_IDLE,
    to: T_INCON,
    title: "T_LISTN from T_IDLE",
    run: async (c) => {
      await ok(t_unbind(c.fd));
      const l = await listenerOn(c.fd, 2);
      c.addr = l;
      const client = open(cots, true);
      await ok(t_bind(client, null, null));
      expectFail(await t_connect(client, callTo(l), null), TNODATA);
      await ok(t_listen(c.fd, t_call_of({ addr: 64 })));
    },
  },
  { call: "t_listen", from: T_INCON, to: T_INCON, title: "T_LISTN in T_INCON", run: async (c) => void (await addIndication(c)) },
  {
    call: "t_accept",
    from: T_INCON,
    to: T_DATAXFER,
    title: "T_ACCEPT1 (onto the listener, one indication)",
    run: async (c) => void (await ok(t_accept(c.fd, c.fd, { ...t_call_of(), sequence: c.sequences[0] as number }))),
  },
  {
    call: "t_accept",
    from: T_INCON,
    to: T_IDLE,
    title: "T_ACCEPT2 (onto another endpoint, one indication) and T_PASSCON",
    run: async (c) => {
      const res = open(cots);
      await ok(t_accept(c.fd, res, { ...t_call_of(), sequence: c.sequences[0] as number }));
      expect(state(res)).to.equal(T_DATAXFER);
    },
  },
  {
    call: "t_accept",
    from: T_INCON,
    to: T_INCON,
    title: "T_ACCEPT3 (more than one indication)",
    run: async (c) => {
      await addIndication(c);
      const res = open(cots);
      await ok(t_bind(res, null, null));
      await ok(t_accept(c.fd, res, { ...t_call_of(), sequence: c.sequences[0] as number }));
      expect(state(res)).to.equal(T_DATAXFER);
    },
  },
  { call: "t_snd", from: T_DATAXFER, to: T_DATAXFER, title: "T_SND", run: async (c) => void (await ok(t_snd(c.fd, text("x"), 1, 0))) },
  { call: "t_snd", from: T_INREL, to: T_INREL, title: "T_SND after the peer's release", run: async (c) => void (await ok(t_snd(c.fd, text("x"), 1, 0))) },
  {
    call: "t_rcv",
    from: T_DATAXFER,
    to: T_DATAXFER,
    title: "T_RCV",
    run: async (c) => {
      await ok(t_snd(c.peer, text("x"), 1, 0));
      await ok(t_rcv(c.fd, new Uint8Array(4), 4, { value: 0 }));
    },
  },
  {
    call: "t_rcv",
    from: T_OUTREL,
    to: T_OUTREL,
    title: "T_RCV after our release",
    run: async (c) => {
      await ok(t_snd(c.peer, text("x"), 1, 0));
      await ok(t_rcv(c.fd, new Uint8Array(4), 4, { value: 0 }));
    },
  },
  ...[T_DATAXFER, T_OUTREL, T_INREL].map(
    (from): Scenario => ({ call: "t_snddis", from, to: T_IDLE, title: "T_SNDDIS1 (connection)", run: async (c) => void (await ok(t_snddis(c.fd, null))) }),
  ),
  { call: "t_snddis", from: T_OUTCON, to: T_IDLE, title: "T_SNDDIS1 (withdraw a connect)", run: async (c) => void (await ok(t_snddis(c.fd, null))) },
  {
    call: "t_snddis",
    from: T_INCON,
    to: T_IDLE,
    title: "T_SNDDIS1 (reject the only indication)",
    run: async (c) => void (await ok(t_snddis(c.fd, { ...t_call_of(), sequence: c.sequences[0] as number }))),
  },
  {
    call: "t_snddis",
    from: T_INCON,
    to: T_INCON,
    title: "T_SNDDIS2 (reject one of two indications)",
    run: async (c) => {
      await addIndication(c);
      await ok(t_snddis(c.fd, { ...t_call_of(), sequence: c.sequences[0] as number }));
    },
  },
  ...[T_DATAXFER, T_OUTREL, T_INREL].map(
    (from): Scenario => ({
      call: "t_rcvdis",
      from,
      to: T_IDLE,
      title: "T_RCVDIS1 (the peer aborts)",
      run: async (c) => {
        await ok(t_snddis(c.peer, null));
        await ok(t_rcvdis(c.fd, t_discon_of(64)));
      },
    }),
  ),
  {
    call: "t_rcvdis",
    from: T_OUTCON,
    to: T_IDLE,
    title: "T_RCVDIS1 (the connect is rejected)",
    run: async (c) => {
      const call = t_call_of({ addr: 64 });
      await ok(t_listen(c.peer, call));
      await ok(t_snddis(c.peer, call));
      await ok(t_rcvdis(c.fd, null));
    },
  },
  {
    call: "t_rcvdis",
    from: T_INCON,
    to: T_IDLE,
    title: "T_RCVDIS2 (the only caller withdraws)",
    run: async (c) => {
      await ok(t_snddis(c.clients[0] as number, null));
      await ok(t_rcvdis(c.fd, null));
    },
  },
  {
    call: "t_rcvdis",
    from: T_INCON,
    to: T_INCON,
    title: "T_RCVDIS3 (one of two callers withdraws)",
    run: async (c) => {
      await addIndication(c);
      await ok(t_snddis(c.clients[0] as number, null));
      await ok(t_rcvdis(c.fd, null));
    },
  },
  { call: "t_sndrel", from: T_DATAXFER, to: T_OUTREL, title: "T_SNDREL", run: async (c) => void (await ok(t_sndrel(c.fd))) },
  { call: "t_sndrel", from: T_INREL, to: T_IDLE, title: "T_SNDREL completing the release", run: async (c) => void (await ok(t_sndrel(c.fd))) },
  {
    call: "t_rcvrel",
    from: T_DATAXFER,
    to: T_INREL,
    title: "T_RCVREL",
    run: async (c) => {
      await ok(t_sndrel(c.peer));
      await ok(t_rcvrel(c.fd));
    },
  },
  {
    call: "t_rcvrel",
    from: T_OUTREL,
    to: T_IDLE,
    title: "T_RCVREL completing the release",
    run: async (c) => {
      await ok(t_sndrel(c.peer));
      await ok(t_rcvrel(c.fd));
    },
  },
  ...[T_UNBND, T_IDLE, T_OUTCON, T_INCON, T_DATAXFER, T_OUTREL, T_INREL].map(
    (from): Scenario => ({ call: "t_optmgmt", from, to: from, title: "T_OPTMGMT", run: async (c) => void (await ok(invoke("t_optmgmt", c))) }),
  ),
  {
    call: "t_sndudata",
    from: T_IDLE,
    to: T_IDLE,
    clts: true,
    title: "T_SNDUDATA",
    run: async (c) => {
      const dest = open(clts);
      const ret = { addr: netbuf(64), qlen: 0 };
      await ok(t_bind(dest, null, ret));
      await ok(t_sndudata(c.fd, t_unitdata_of({ addr: ret.addr.buf.slice(0, ret.addr.len), udata: text("hi") })));
    },
  },
  {
    call: "t_rcvudata",
    from: T_IDLE,
    to: T_IDLE,
    clts: true,
    title: "T_RCVUDATA",
    run: async (c) => {
      const me = { addr: netbuf(64), qlen: 0 };
      t_getprotaddr(c.fd, me, null);
      const src = open(clts);
      await ok(t_bind(src, null, null));
      await ok(t_sndudata(src, t_unitdata_of({ addr: me.addr.buf.slice(0, me.addr.len), udata: text("hi") })));
      await ok(t_rcvudata(c.fd, t_unitdata_of({ addr: 64, udata: 64 }), { value: 0 }));
    },
  },
  {
    call: "t_rcvuderr",
    from: T_IDLE,
    to: T_IDLE,
    clts: true,
    title: "T_RCVUDERR",
    run: async (c) => {
      await ok(t_sndudata(c.fd, t_unitdata_of({ addr: text("nobody here"), udata: text("hi") })));
      await ok(t_rcvuderr(c.fd, t_uderr_of({ addr: 64 })));
    },
  },
];

/** Rebind `fd` (now unbound) as a listener; returns its address. */
async function listenerOn(fd: number, qlen: number): Promise<Uint8Array> {
  const ret = { addr: netbuf(64), qlen: 0 };
  await ok(t_bind(fd, { addr: netbuf(0), qlen }, ret));
  return ret.addr.buf.slice(0, ret.addr.len);
}

const COTS_CALLS: Call[] = ["t_bind", "t_unbind", "t_optmgmt", "t_connect", "t_rcvconnect", "t_listen", "t_accept", "t_snd", "t_rcv", "t_snddis", "t_rcvdis", "t_sndrel", "t_rcvrel"];
const CLTS_CALLS: Call[] = ["t_sndudata", "t_rcvudata", "t_rcvuderr"];
const COTS_STATES = [T_UNBND, T_IDLE, T_OUTCON, T_INCON, T_DATAXFER, T_OUTREL, T_INREL];
const CLTS_STATES = [T_UNBND, T_IDLE];

describe("state table: every call in every state", () => {
  beforeEach(() => {
    cots = loopback({ servtype: T_COTS_ORD });
    clts = loopback({ servtype: T_CLTS });
  });
  afterEach(cleanup);

  it("has a success scenario for every (call, state) the table allows", () => {
    const missing: string[] = [];
    for (const [calls, states, isClts] of [
      [COTS_CALLS, COTS_STATES, false],
      [CLTS_CALLS, CLTS_STATES, true],
    ] as const) {
      for (const call of calls) {
        for (const s of states) {
          if (!allowedInForTest(CALL_EVENTS_FOR_TEST[call], s)) continue;
          if (!scenarios.some((sc) => sc.call === call && sc.from === s && (sc.clts === true) === isClts)) missing.push(`${call} in ${STATE_NAMES[s]}`);
        }
      }
    }
    expect(missing).to.deep.equal([]);
  });

  for (const sc of scenarios) {
    it(`${sc.call} in ${STATE_NAMES[sc.from]}: ${sc.title} -> ${STATE_NAMES[sc.to]}`, async () => {
      const ctx = sc.clts === true ? await atClts(sc.from) : await at(sc.from);
      expect(state(ctx.fd)).to.equal(sc.from);
      await sc.run(ctx);
      await settle();
      expect(STATE_NAMES[state(ctx.fd)]).to.equal(STATE_NAMES[sc.to]);
    });
  }

  for (const [calls, states, isClts] of [
    [COTS_CALLS, COTS_STATES, false],
    [CLTS_CALLS, CLTS_STATES, true],
  ] as const) {
    for (const call of calls) {
      const forbidden = states.filter((s) => !allowedInForTest(CALL_EVENTS_FOR_TEST[call], s));
      if (forbidden.length === 0) continue;
      it(`${call} fails TOUTSTATE and changes nothing in ${forbidden.map((s) => STATE_NAMES[s]).join(", ")}`, async () => {
        for (const s of forbidden) {
          const ctx = isClts ? await atClts(s) : await at(s);
          expectFail(await invoke(call, ctx), TOUTSTATE);
          expect(STATE_NAMES[state(ctx.fd)], `${call} in ${STATE_NAMES[s]}`).to.equal(STATE_NAMES[s]);
          await cleanup();
          cots = loopback({ servtype: T_COTS_ORD });
          clts = loopback({ servtype: T_CLTS });
        }
      });
    }
  }
});
