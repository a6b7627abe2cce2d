/**
 * The three dialects side by side: for every difference between XNS5 (default), XNS4 and SVR4
 * TLI, the same scenario on the loopback providers under each profile, and what each one shows.
 */
import { expect } from "chai";
import { readFileSync } from "node:fs";
import { semanticsTable } from "../../scripts/profile-table.js";
import * as tli from "../../src/tli.js";
import * as xns4 from "../../src/xns4.js";
import {
  F_SETFL,
  fcntl,
  O_NONBLOCK,
  O_RDWR,
  T_ALL,
  T_CALL,
  T_CHECK,
  T_CLTS,
  T_COTS,
  T_CURRENT,
  T_DEFAULT,
  T_FAILURE,
  T_GODATA,
  T_MORE,
  T_NEGOTIATE,
  T_PUSH,
  T_SUCCESS,
  TBADOPT,
  TSYSERR,
  XTI_GENERIC,
  XTI_RCVBUF,
  encodeOptions,
  errno,
  netbuf,
  PROFILES,
  scalarValue,
  t_accept,
  t_alloc,
  t_bind,
  t_bind_of,
  t_call_of,
  t_connect,
  t_errno,
  t_error,
  t_getinfo,
  t_getprotaddr,
  t_listen,
  t_look,
  t_open,
  t_optmgmt,
  t_optmgmt_of,
  t_rcv,
  t_snd,
  t_snddis,
  t_sndrel,
  t_sndv,
  t_sndudata,
  t_unitdata_of,
  errnoName,
  tErrnoName,
} from "../../src/index.js";
import { EPROTO } from "../../src/errno.js";
import { endpointOf } from "../../src/core/endpoint.js";
import { registerProvider, unregisterProvider } from "../../src/registry.js";
import { ScriptedProvider } from "../helpers/scripted.js";
import { callTo, cleanup, closeAll, connectedPair, expectFail, listener, loopback, ok, open, pattern, text } from "../helpers/xti.js";

type Dialect = "XNS5" | "XNS4" | "TLI";
const DIALECTS: Dialect[] = ["XNS5", "XNS4", "TLI"];

/** A result as "ok", "ok:<n>" or the t_errno name (with errno for TSYSERR). */
function outcome(r: number): string {
  if (r >= 0) return `ok:${r}`;
  return t_errno === TSYSERR ? `TSYSERR/${errnoName(errno)}` : tErrnoName(t_errno);
}

/** Run `scenario` once per dialect and compare what each shows with `expected`. */
async function sideBySide(expected: Record<Dialect, string>, scenario: (d: Dialect) => Promise<string>): Promise<void> {
  const seen: Partial<Record<Dialect, string>> = {};
  for (const d of DIALECTS) {
    seen[d] = await scenario(d);
    await closeAll();
  }
  expect(seen).to.deep.equal(expected);
}

describe("API semantics profiles, side by side", () => {
  afterEach(cleanup);

  it("t_snd out of state (T_UNBND): XTI fails TOUTSTATE; TLI passes it to the provider, which reports EPROTO", async () => {
    await sideBySide({ XNS5: "TOUTSTATE", XNS4: "TOUTSTATE", TLI: "TSYSERR/EPROTO" }, async (d) => {
      const fd = open("/dev/ticotsord", false, d);
      return outcome(await t_snd(fd, text("x"), 1, 0));
    });
  });

  it("the provider's EPROTO sticks: every later call on the TLI endpoint fails TSYSERR/EPROTO", async () => {
    const fd = open("/dev/ticotsord", false, "TLI");
    await t_snd(fd, text("x"), 1, 0);
    expectFail(tli.t_look(fd), TSYSERR, EPROTO);
    expectFail(await tli.t_bind(fd, null, null), TSYSERR, EPROTO);
  });

  it("t_snd in T_IDLE: XTI fails TOUTSTATE; under TLI the provider silently discards the data", async () => {
    await sideBySide({ XNS5: "TOUTSTATE", XNS4: "TOUTSTATE", TLI: "ok:3" }, async (d) => {
      const fd = open("/dev/ticots", false, d);
      await ok(t_bind(fd, null, null));
      return outcome(await t_snd(fd, text("abc"), 3, 0));
    });
  });

  it("a TSDU larger than the provider limit: XTI TBADDATA, TLI TSYSERR/EPROTO", async () => {
    const dev = loopback({ servtype: T_COTS, tsdu: 8 });
    await sideBySide({ XNS5: "TBADDATA", XNS4: "TBADDATA", TLI: "TSYSERR/EPROTO" }, async (d) => {
      const { client } = await connectedPair(dev, { semantics: d });
      return outcome(await t_snd(client, pattern(9), 9, 0));
    });
  });

  it("an oversize datagram: XTI TBADDATA, TLI TSYSERR/EPROTO", async () => {
    const dev = loopback({ servtype: T_CLTS, tsdu: 8 });
    await sideBySide({ XNS5: "TBADDATA", XNS4: "TBADDATA", TLI: "TSYSERR/EPROTO" }, async (d) => {
      const fd = open(dev, false, d);
      await ok(t_bind(fd, null, null));
      return outcome(await t_sndudata(fd, t_unitdata_of({ addr: text("x"), udata: pattern(9) })));
    });
  });

  it("a zero-byte send: TBADDATA without zero-length support, 0 (a zero-length TSDU sent) with it, in every dialect", async () => {
    const noZero = loopback({ servtype: T_COTS, sendZero: false });
    await sideBySide({ XNS5: "TBADDATA ok:0", XNS4: "TBADDATA ok:0", TLI: "TBADDATA ok:0" }, async (d) => {
      const a = await connectedPair(noZero, { semantics: d });
      const without = outcome(await t_snd(a.client, new Uint8Array(0), 0, 0));
      const b = await connectedPair("/dev/ticots", { semantics: d });
      return `${without} ${outcome(await t_snd(b.client, new Uint8Array(0), 0, 0))}`;
    });
  });

  it("a partial non-blocking send implies T_MORE for the part sent, in every dialect", async () => {
    const dev = loopback({ servtype: T_COTS, tidu: 4, rcvbuf: 8 });
    await sideBySide({ XNS5: "8 T_MORE", XNS4: "8 T_MORE", TLI: "8 T_MORE" }, async (d) => {
      const { client, server } = await connectedPair(dev, { semantics: d });
      fcntl(client, F_SETFL, O_NONBLOCK);
      const n = await t_snd(client, pattern(20), 20, 0);
      const flags = { value: 0 };
      await t_rcv(server, new Uint8Array(64), 64, flags);
      return `${n} ${flags.value & T_MORE ? "T_MORE" : "end"}`;
    });
  });

  it("flags: XTI rejects unknown flags with TBADFLAG and accepts T_PUSH; TLI checks none", async () => {
    await sideBySide({ XNS5: "TBADFLAG ok:1", XNS4: "TBADFLAG ok:1", TLI: "ok:1 ok:1" }, async (d) => {
      const { client } = await connectedPair("/dev/ticots", { semantics: d });
      return `${outcome(await t_snd(client, text("x"), 1, 0x40))} ${outcome(await t_snd(client, text("x"), 1, T_PUSH))}`;
    });
  });

  it("T_GODATA after flow control lifts: XTI reports it, TLI has no such event", async () => {
    const dev = loopback({ servtype: T_COTS, rcvbuf: 4 });
    await sideBySide({ XNS5: "256", XNS4: "256", TLI: "0" }, async (d) => {
      const { client, server } = await connectedPair(dev, { semantics: d });
      fcntl(client, F_SETFL, O_NONBLOCK);
      await t_snd(client, pattern(4), 4, 0);
      await t_snd(client, pattern(4), 4, 0);
      await t_rcv(server, new Uint8Array(8), 8, { value: 0 });
      return String(t_look(client));
    });
    expect(T_GODATA).to.equal(256);
  });

  it("t_snd with an orderly release pending: TLOOK only under XNS4", async () => {
    await sideBySide({ XNS5: "ok:1", XNS4: "TLOOK", TLI: "ok:1" }, async (d) => {
      const { client, server } = await connectedPair("/dev/ticotsord", { semantics: d });
      await ok(t_sndrel(client));
      return outcome(await t_snd(server, text("x"), 1, 0));
    });
  });

  it("t_sndv with an orderly release pending: never TLOOK (t_sndv has XNS5 semantics even on an XNS4 endpoint)", async () => {
    await sideBySide({ XNS5: "ok:1", XNS4: "ok:1", TLI: "ok:1" }, async (d) => {
      const { client, server } = await connectedPair("/dev/ticotsord", { semantics: d });
      await ok(t_sndrel(client));
      return outcome(await t_sndv(server, [{ iov_base: text("x"), iov_len: 1 }], 1, 0));
    });
  });

  it("t_sndrel with a disconnect pending: XTI fails TLOOK; TLI passes it to the provider, which reports EPROTO", async () => {
    await sideBySide({ XNS5: "TLOOK", XNS4: "TLOOK", TLI: "TSYSERR/EPROTO" }, async (d) => {
      const { client, server } = await connectedPair("/dev/ticotsord", { semantics: d });
      await ok(t_snddis(client, null));
      return outcome(await t_sndrel(server));
    });
  });

  it("t_look with in-line expedited data (TCP urgent data) queued behind normal data: XTI T_EXDATA, TLI T_DATA", async () => {
    const sp = new ScriptedProvider("/dev/test-scripted-inline", { tsdu: 0, expInline: true });
    registerProvider(sp);
    try {
      await sideBySide({ XNS5: "8", XNS4: "8", TLI: "4" }, async (d) => {
        const fd = open(sp.name, false, d);
        await ok(t_bind(fd, null, null));
        const connecting = t_connect(fd, callTo(text("peer")), null);
        await new Promise((r) => setImmediate(r));
        sp.last.user.connCon({ addr: text("peer"), opt: new Uint8Array(0), udata: new Uint8Array(0) });
        await ok(connecting);
        sp.last.user.dataInd(text("ab"), false);
        sp.last.user.exdataInd(text("U"), false);
        return String(t_look(fd));
      });
    } finally {
      unregisterProvider(sp.name);
    }
  });

  it("t_accept with another connection indication pending: TLOOK under XNS4 and TLI, not XNS5", async () => {
    await sideBySide({ XNS5: "ok:0", XNS4: "TLOOK", TLI: "TLOOK" }, async (d) => {
      const l = await listener("/dev/ticotsord", 2, d);
      const callers: number[] = [];
      for (let i = 0; i < 2; i++) {
        const c = open("/dev/ticotsord", true, d);
        await ok(t_bind(c, null, null));
        await t_connect(c, callTo(l.addr), null);
        callers.push(c);
      }
      const call = t_call_of({ addr: 64 });
      await ok(t_listen(l.fd, call));
      const res = open("/dev/ticotsord", false, d);
      return outcome(await t_accept(l.fd, res, call));
    });
  });

  it("t_bind to an address in use: XTI fails TADDRBUSY; TLI (O_T_BIND_REQ) binds another address", async () => {
    await sideBySide({ XNS5: "TADDRBUSY", XNS4: "TADDRBUSY", TLI: "ok:0 other address" }, async (d) => {
      const first = open("/dev/ticots", false, d);
      const want = text("well-known");
      await ok(t_bind(first, t_bind_of(want), null));
      const second = open("/dev/ticots", false, d);
      const ret = t_bind_of(64);
      const r = outcome(await t_bind(second, t_bind_of(want), ret));
      if (r !== "ok:0") return r;
      return `${r} ${Buffer.compare(ret.addr.buf.subarray(0, ret.addr.len), want) === 0 ? "same address" : "other address"}`;
    });
  });

  it("errors 20-29 never appear under TLI: TBADNAME, TNOSTRUCTYPE, TPROVMISMATCH become TSYSERR/ENOENT, TSYSERR/EINVAL, TBADF", async () => {
    await sideBySide(
      {
        XNS5: "TBADNAME TNOSTRUCTYPE TPROVMISMATCH",
        XNS4: "TBADNAME TNOSTRUCTYPE TPROVMISMATCH",
        TLI: "TSYSERR/ENOENT TSYSERR/EINVAL TBADF",
      },
      async (d) => {
        const name = outcome(t_open("/dev/no-such-device", O_RDWR, null, { semantics: d }));
        const fd = open("/dev/ticots", false, d);
        const alloc = t_alloc(fd, 99, T_ALL) === null ? outcome(-1) : "allocated";
        const l = await listener("/dev/ticots", 1, d);
        const c = open("/dev/ticots", true, d);
        await ok(t_bind(c, null, null));
        await t_connect(c, callTo(l.addr), null);
        const call = t_call_of({ addr: 64 });
        await ok(t_listen(l.fd, call));
        const foreign = open("/dev/ticotsord", false, d);
        return `${name} ${alloc} ${outcome(await t_accept(l.fd, foreign, call))}`;
      },
    );
  });

  it("maxlen 0: XTI means 'do not return'; TLI still fails TBUFOVFLW when there is an address to return", async () => {
    await sideBySide({ XNS5: "ok:0", XNS4: "ok:0", TLI: "TBUFOVFLW" }, async (d) => {
      const fd = open("/dev/ticots", false, d);
      return outcome(await t_bind(fd, null, t_bind_of(0)));
    });
  });

  it("t_alloc with T_ALL on ticots (sizes T_INFINITE): XTI gives NULL buffers, TLI 1024-byte buffers; TLI's T_ALL is 0x07", async () => {
    await sideBySide({ XNS5: "0", XNS4: "0", TLI: "1024" }, async (d) => {
      const fd = open("/dev/ticots", false, d);
      const all = d === "TLI" ? tli.T_ALL : T_ALL;
      const call = t_alloc(fd, T_CALL, all);
      return String(call?.addr.maxlen);
    });
    expect(tli.T_ALL).to.equal(0x07);
    expect(T_ALL).to.equal(0xffff);
  });

  it("t_getinfo: TLI's t_info has no flags field", async () => {
    const xtiFd = open("/dev/ticots");
    const tliFd = tli.t_open("/dev/ticots", O_RDWR, null);
    const xi = { addr: 0, options: 0, tsdu: 0, etsdu: 0, connect: 0, discon: 0, servtype: 0, flags: -1 };
    const ti: tli.t_info = { addr: 0, options: 0, tsdu: 0, etsdu: 0, connect: 0, discon: 0, servtype: 0 };
    await ok(t_getinfo(xtiFd, xi));
    await ok(tli.t_getinfo(tliFd, ti));
    expect(xi.flags).to.equal(1); // T_SENDZERO
    expect(Object.keys(ti)).to.not.include("flags");
    expect(ti.servtype).to.equal(xi.servtype);
  });

  it("t_error: returns 0 in XTI, nothing in TLI", () => {
    const original = process.stderr.write.bind(process.stderr);
    process.stderr.write = (() => true);
    try {
      expect(t_error("xti")).to.equal(0);
      expect(tli.t_error("tli")).to.equal(undefined);
    } finally {
      process.stderr.write = original;
    }
  });

  it("TLI has t_getname (LOCALNAME / REMOTENAME) where XTI has t_getprotaddr, with the same addresses", async () => {
    const { client } = await connectedPair("/dev/ticots", { semantics: "TLI" });
    const local = netbuf(64);
    const remote = netbuf(64);
    await ok(tli.t_getname(client, local, tli.LOCALNAME));
    await ok(tli.t_getname(client, remote, tli.REMOTENAME));
    const bound = t_bind_of(64);
    const peer = t_bind_of(64);
    await ok(t_getprotaddr(client, bound, peer));
    expect(Buffer.from(local.buf.subarray(0, local.len))).to.deep.equal(Buffer.from(bound.addr.buf.subarray(0, bound.addr.len)));
    expect(Buffer.from(remote.buf.subarray(0, remote.len))).to.deep.equal(Buffer.from(peer.addr.buf.subarray(0, peer.addr.len)));
    const lone = tli.t_open("/dev/ticots", O_RDWR, null);
    expectFail(tli.t_getname(lone, netbuf(64), tli.REMOTENAME), TSYSERR);
  });

  it("TLI offers no t_sndv, t_rcvv, reldata calls, t_sysconf, t_strerror or t_getprotaddr; XTI offers all", () => {
    const xtiOnly = ["t_sndv", "t_rcvv", "t_sndreldata", "t_rcvreldata", "t_sndvudata", "t_rcvvudata", "t_sysconf", "t_strerror", "t_getprotaddr", "T_PUSH", "T_GODATA", "T_GOEXDATA"];
    for (const name of xtiOnly) {
      expect(Object.keys(tli), name).to.not.include(name);
      expect(Object.keys(xns4), name).to.include(name);
    }
    expect(Object.keys(tli)).to.include.members(["t_getname", "t_errlist", "t_nerr", "t_open", "t_snd", "t_rcv", "t_errno"]);
  });

  it("t_optmgmt: XTI t_opthdr buffers with T_CURRENT; TLI legacy opthdr buffers, T_CHECK -> T_SUCCESS/T_FAILURE, T_DEFAULT needs an empty request", async () => {
    const xtiFd = open("/dev/ticots");
    await ok(t_bind(xtiFd, null, null));
    const ret = t_optmgmt_of(256);
    await ok(t_optmgmt(xtiFd, t_optmgmt_of(encodeOptions([{ level: XTI_GENERIC, name: XTI_RCVBUF }]), T_CURRENT), ret));
    expect(ret.flags).to.equal(T_SUCCESS);

    const tliFd = tli.t_open("/dev/ticots", O_RDWR, null);
    await ok(tli.t_bind(tliFd, null, null));
    const legacy = (value: Uint8Array) => tli.encodeLegacyOptions([{ level: XTI_GENERIC, name: XTI_RCVBUF, value }]);
    const check = t_optmgmt_of(256);
    await ok(tli.t_optmgmt(tliFd, t_optmgmt_of(legacy(scalarValue(4096)), T_CHECK), check));
    expect(check.flags).to.equal(T_SUCCESS);
    await ok(tli.t_optmgmt(tliFd, t_optmgmt_of(legacy(scalarValue(0)), T_CHECK), check));
    expect(check.flags).to.equal(T_FAILURE);
    const neg = t_optmgmt_of(256);
    await ok(tli.t_optmgmt(tliFd, t_optmgmt_of(legacy(scalarValue(4096)), T_NEGOTIATE), neg));
    const back = tli.decodeLegacyOptions(neg.opt.buf.subarray(0, neg.opt.len));
    expect(back?.[0]?.value).to.deep.equal(scalarValue(4096));
    expectFail(await tli.t_optmgmt(tliFd, t_optmgmt_of(legacy(scalarValue(1)), T_DEFAULT), t_optmgmt_of(256)), TBADOPT);
    const defaults = t_optmgmt_of(1024);
    await ok(tli.t_optmgmt(tliFd, t_optmgmt_of(0, T_DEFAULT), defaults));
    expect(tli.decodeLegacyOptions(defaults.opt.buf.subarray(0, defaults.opt.len))?.length).to.be.above(1);
    // The XTI format means nothing to TLI and vice versa.
    expectFail(await tli.t_optmgmt(tliFd, t_optmgmt_of(encodeOptions([{ level: XTI_GENERIC, name: XTI_RCVBUF, value: scalarValue(9) }]), T_NEGOTIATE), t_optmgmt_of(256)), TBADOPT);
  });

  it("t_optmgmt outside T_IDLE: allowed in XTI; TOUTSTATE under TLI on the tl-like loopback providers (their rule)", async () => {
    await sideBySide({ XNS5: "ok:0", XNS4: "ok:0", TLI: "TOUTSTATE" }, async (d) => {
      const fd = open("/dev/ticots", false, d);
      const req = d === "TLI" ? t_optmgmt_of(0, T_DEFAULT) : t_optmgmt_of(encodeOptions([{ level: XTI_GENERIC, name: XTI_RCVBUF }]), T_CURRENT);
      return outcome(await t_optmgmt(fd, req, t_optmgmt_of(1024)));
    });
  });

  it("TLI t_optmgmt outside T_IDLE on a provider that does not declare the tl rule goes ahead", async () => {
    const sp = new ScriptedProvider("/dev/test-scripted-optmgmt");
    registerProvider(sp);
    try {
      const fd = open(sp.name, false, "TLI");
      expect(await t_optmgmt(fd, t_optmgmt_of(0, T_DEFAULT), t_optmgmt_of(1024))).to.equal(0);
    } finally {
      unregisterProvider(sp.name);
    }
  });

  it("the default dialect is XNS5, and xti/xns4's t_open opens XNS4 endpoints", async () => {
    const plain = t_open("/dev/ticotsord", O_RDWR, null);
    const four = xns4.t_open("/dev/ticotsord", O_RDWR, null);
    expect(endpointOf(plain).profile).to.equal(PROFILES.XNS5);
    expect(endpointOf(four).profile).to.equal(PROFILES.XNS4);
  });
});

describe("docs/semantics.md", () => {
  it("shows exactly the profile data of the code (npm run docs:semantics regenerates it)", () => {
    const doc = readFileSync(new URL("../../docs/semantics.md", import.meta.url), "utf8");
    const start = doc.indexOf("<!-- profile-table:start -->\n") + "<!-- profile-table:start -->\n".length;
    const end = doc.indexOf("<!-- profile-table:end -->");
    expect(doc.slice(start, end)).to.equal(semanticsTable());
  });
});
