/**
 * Every send-type call in every state under each dialect, against the specification:
 * xti-spec.md §2 (valid states per call, TNOTSUPPORT by service type) and §6 (TLI leaves state
 * checks to the provider; the XTI-only calls have XNS5 semantics everywhere), and the SVR4
 * t_snd(3N) page as docs/semantics.md quotes it (T_IDLE: the data is discarded; any other state
 * but T_DATAXFER and T_INREL: TSYSERR/EPROTO, at once or on a later call).
 *
 * The expected outcomes are written here from those texts, one table per dialect, not derived
 * from the library's state table.
 */
import { expect } from "chai";
import {
  O_NONBLOCK,
  O_RDWR,
  T_DATAXFER,
  T_IDLE,
  T_INCON,
  T_INREL,
  T_OUTCON,
  T_OUTREL,
  T_UNBND,
  TNODATA,
  TSYSERR,
  errno,
  errnoName,
  t_bind,
  t_call_of,
  t_connect,
  t_errno,
  t_getstate,
  t_listen,
  t_look,
  t_open,
  t_rcvrel,
  t_snd,
  t_snddis,
  t_sndrel,
  t_sndreldata,
  t_sndudata,
  t_sndv,
  t_sndvudata,
  t_unitdata_of,
  tErrnoName,
} from "../../src/index.js";
import { callTo, cleanup, connectedPair, listener, ok, open, state, text } from "../helpers/xti.js";

type Dialect = "XNS5" | "XNS4" | "TLI";
const DIALECTS: Dialect[] = ["XNS5", "XNS4", "TLI"];
type StateName = "T_UNBND" | "T_IDLE" | "T_OUTCON" | "T_INCON" | "T_DATAXFER" | "T_OUTREL" | "T_INREL";
const COTS_STATES: StateName[] = ["T_UNBND", "T_IDLE", "T_OUTCON", "T_INCON", "T_DATAXFER", "T_OUTREL", "T_INREL"];
const STATE_VALUES: Record<StateName, number> = { T_UNBND, T_IDLE, T_OUTCON, T_INCON, T_DATAXFER, T_OUTREL, T_INREL };

/** What a call returned, as "ok" or the t_errno name (TSYSERR with its errno). */
function outcome(r: number): string {
  if (r >= 0) return "ok";
  return t_errno === TSYSERR ? `TSYSERR/${errnoName(errno)}` : tErrnoName(t_errno);
}

/**
 * An endpoint of `device` in `target`, with the dialect `d`; returns it and, for T_INCON, the
 * sequence of the indication it holds.
 */
async function endpointIn(device: string, d: Dialect, target: StateName): Promise<{ fd: number; sequence: number }> {
  switch (target) {
    case "T_UNBND":
      return { fd: open(device, false, d), sequence: 0 };
    case "T_IDLE": {
      const fd = open(device, false, d);
      await ok(t_bind(fd, null, null));
      return { fd, sequence: 0 };
    }
    case "T_OUTCON": {
      const l = await listener(device, 1);
      const fd = t_open(device, O_RDWR | O_NONBLOCK, null, { semantics: d });
      await ok(t_bind(fd, null, null));
      expect(await t_connect(fd, callTo(l.addr), null)).to.equal(-1);
      expect(t_errno).to.equal(TNODATA);
      return { fd, sequence: 0 };
    }
    case "T_INCON": {
      const l = await listener(device, 1, d);
      const caller = open(device, true);
      await ok(t_bind(caller, null, null));
      await t_connect(caller, callTo(l.addr), null);
      const call = t_call_of({ addr: 64 });
      await ok(t_listen(l.fd, call));
      return { fd: l.fd, sequence: call.sequence };
    }
    case "T_DATAXFER":
      return { fd: (await connectedPair(device, { semantics: d })).client, sequence: 0 };
    case "T_OUTREL": {
      const { client } = await connectedPair(device, { semantics: d });
      await ok(t_sndrel(client));
      return { fd: client, sequence: 0 };
    }
    case "T_INREL": {
      const { client, server } = await connectedPair(device, { semantics: d });
      await ok(t_sndrel(server));
      await ok(t_rcvrel(client));
      return { fd: client, sequence: 0 };
    }
  }
}

type SendCall = "t_snd" | "t_sndv" | "t_sndrel" | "t_sndreldata" | "t_snddis" | "t_sndudata" | "t_sndvudata";

function send(call: SendCall, fd: number, sequence: number): Promise<number> {
  const one = text("x");
  switch (call) {
    case "t_snd":
      return t_snd(fd, one, 1, 0);
    case "t_sndv":
      return t_sndv(fd, [{ iov_base: one, iov_len: 1 }], 1, 0);
    case "t_sndrel":
      return t_sndrel(fd);
    case "t_sndreldata":
      return t_sndreldata(fd, null);
    case "t_snddis": {
      const c = t_call_of();
      c.sequence = sequence;
      return t_snddis(fd, c);
    }
    case "t_sndudata":
      return t_sndudata(fd, t_unitdata_of({ addr: text("nobody"), udata: one }));
    case "t_sndvudata":
      return t_sndvudata(fd, t_unitdata_of({ addr: text("nobody") }), [{ iov_base: one, iov_len: 1 }], 1);
  }
}

/** The outcome the spec gives, per state; states left out fail with `otherwise`. */
interface Rule {
  ok: StateName[];
  otherwise: string;
  /** TLI t_snd in T_IDLE: accepted, and the provider discards the data. */
  discarded?: StateName[];
}

const XTI_RULES: Record<SendCall, Rule> = {
  t_snd: { ok: ["T_DATAXFER", "T_INREL"], otherwise: "TOUTSTATE" },
  t_sndv: { ok: ["T_DATAXFER", "T_INREL"], otherwise: "TOUTSTATE" },
  t_sndrel: { ok: ["T_DATAXFER", "T_INREL"], otherwise: "TOUTSTATE" },
  t_sndreldata: { ok: ["T_DATAXFER", "T_INREL"], otherwise: "TOUTSTATE" },
  t_snddis: { ok: ["T_OUTCON", "T_INCON", "T_DATAXFER", "T_OUTREL", "T_INREL"], otherwise: "TOUTSTATE" },
  t_sndudata: { ok: ["T_IDLE"], otherwise: "TOUTSTATE" },
  t_sndvudata: { ok: ["T_IDLE"], otherwise: "TOUTSTATE" },
};

/**
 * TLI: no state checks in the library; the provider (tl, and the loopback providers after it)
 * answers out-of-state data and release requests with a fatal EPROTO and acknowledged requests
 * (T_DISCON_REQ) with TOUTSTATE. The XTI-only calls keep XNS5 semantics.
 */
const TLI_RULES: Record<SendCall, Rule> = {
  t_snd: { ok: ["T_DATAXFER", "T_INREL"], discarded: ["T_IDLE"], otherwise: "TSYSERR/EPROTO" },
  t_sndv: XTI_RULES.t_sndv,
  t_sndrel: { ok: ["T_DATAXFER", "T_INREL"], otherwise: "TSYSERR/EPROTO" },
  t_sndreldata: XTI_RULES.t_sndreldata,
  t_snddis: XTI_RULES.t_snddis,
  t_sndudata: { ok: ["T_IDLE"], otherwise: "TSYSERR/EPROTO" },
  t_sndvudata: XTI_RULES.t_sndvudata,
};

const RULES: Record<Dialect, Record<SendCall, Rule>> = { XNS5: XTI_RULES, XNS4: XTI_RULES, TLI: TLI_RULES };

function expected(d: Dialect, call: SendCall, s: StateName): string {
  const rule = RULES[d][call];
  if (rule.ok.includes(s) || rule.discarded?.includes(s)) return "ok";
  return rule.otherwise;
}

/**
 * What the call did: its outcome, and for a fatal EPROTO "at once or on a later call" the outcome
 * of the next call (t_look) when the send itself returned success.
 */
async function observe(call: SendCall, fd: number, sequence: number): Promise<string> {
  const first = outcome(await send(call, fd, sequence));
  if (first !== "ok") return first;
  const later = outcome(t_look(fd));
  return later === "TSYSERR/EPROTO" ? later : "ok";
}

describe("send-type calls in every state, under each dialect", () => {
  afterEach(cleanup);

  const cotsCalls: SendCall[] = ["t_snd", "t_sndv", "t_sndrel", "t_sndreldata", "t_snddis"];
  for (const d of DIALECTS) {
    it(`${d}: t_snd, t_sndv, t_sndrel, t_sndreldata and t_snddis in each connection-mode state`, async () => {
      const seen: string[] = [];
      const want: string[] = [];
      for (const call of cotsCalls) {
        for (const s of COTS_STATES) {
          const { fd, sequence } = await endpointIn("/dev/ticotsord", d, s);
          expect(state(fd), `${s} reached`).to.equal(STATE_VALUES[s]);
          seen.push(`${call} in ${s}: ${await observe(call, fd, sequence)}`);
          want.push(`${call} in ${s}: ${expected(d, call, s)}`);
          await cleanup();
        }
      }
      expect(seen).to.deep.equal(want);
    });

    it(`${d}: t_sndudata and t_sndvudata in each connectionless state`, async () => {
      const seen: string[] = [];
      const want: string[] = [];
      for (const call of ["t_sndudata", "t_sndvudata"] as const) {
        for (const s of ["T_UNBND", "T_IDLE"] as const) {
          const { fd } = await endpointIn("/dev/ticlts", d, s);
          seen.push(`${call} in ${s}: ${await observe(call, fd, 0)}`);
          want.push(`${call} in ${s}: ${expected(d, call, s)}`);
          await cleanup();
        }
      }
      expect(seen).to.deep.equal(want);
    });

    it(`${d}: a send of the other service type fails TNOTSUPPORT in every state`, async () => {
      const seen: string[] = [];
      for (const s of ["T_UNBND", "T_IDLE"] as const) {
        const clts = (await endpointIn("/dev/ticlts", d, s)).fd;
        for (const call of cotsCalls) seen.push(`${call} on ticlts in ${s}: ${outcome(await send(call, clts, 0))}`);
        await cleanup();
      }
      for (const s of COTS_STATES) {
        const { fd } = await endpointIn("/dev/ticotsord", d, s);
        for (const call of ["t_sndudata", "t_sndvudata"] as const) seen.push(`${call} on ticotsord in ${s}: ${outcome(await send(call, fd, 0))}`);
        await cleanup();
        if (s === "T_OUTREL" || s === "T_INREL") continue; // ticots has no orderly release to reach these states
        const cots = (await endpointIn("/dev/ticots", d, s)).fd;
        for (const call of ["t_sndrel", "t_sndreldata"] as const) seen.push(`${call} on ticots in ${s}: ${outcome(await send(call, cots, 0))}`);
        await cleanup();
      }
      expect(seen.filter((line) => !line.endsWith(": TNOTSUPPORT"))).to.deep.equal([]);
      expect(seen.length).to.equal(2 * 5 + 7 * 2 + 5 * 2);
    });
  }

  it("TLI t_snd on a listener holding a connect indication: the provider's EPROTO, and every later call fails with it", async () => {
    const { fd } = await endpointIn("/dev/ticotsord", "TLI", "T_INCON");
    const first = outcome(await t_snd(fd, text("x"), 1, 0));
    expect(first).to.equal("TSYSERR/EPROTO");
    expect(outcome(t_getstate(fd))).to.equal("TSYSERR/EPROTO");
    expect(outcome(await t_listen(fd, t_call_of({ addr: 64 })))).to.equal("TSYSERR/EPROTO");
  });
});
