/**
 * t_optmgmt with t_opthdr buffers: T_CURRENT, T_DEFAULT, T_NEGOTIATE, T_CHECK and T_ALLOPT on
 * the XTI_GENERIC options every provider has; per-option status and the worst one in ret.flags;
 * TBADOPT, TBADFLAG and TBUFOVFLW; XTI_RCVBUF changing a loopback receiver's flow control.
 * Endpoint.optmgmt, which works on option records: the same answers and errors, no TBUFOVFLW.
 */
import { expect } from "chai";
import {
  Endpoint,
  F_SETFL,
  fcntl,
  O_NONBLOCK,
  T_ALLOPT,
  T_CHECK,
  T_COTS,
  T_CURRENT,
  T_DEFAULT,
  T_FAILURE,
  T_NEGOTIATE,
  T_NO,
  T_NOTSUPPORT,
  T_PARTSUCCESS,
  T_SUCCESS,
  T_UNBND,
  T_UNINIT,
  T_UNSPEC,
  T_YES,
  TBADFLAG,
  TBADOPT,
  TBUFOVFLW,
  TFLOW,
  TOUTSTATE,
  XTI_DEBUG,
  XTI_GENERIC,
  XTI_LINGER,
  XTI_RCVBUF,
  XTI_RCVLOWAT,
  XTI_SNDBUF,
  XTI_SNDLOWAT,
  decodeOptions,
  encodeOptions,
  netbufBytes,
  readScalar,
  readUscalar,
  scalarValue,
  scalarsValue,
  t_optmgmt,
  t_optmgmt_of,
  t_snd,
  T_OPT_DATA,
  T_OPT_FIRSTHDR,
  T_OPT_NEXTHDR,
  readOpthdr,
  tErrnoName,
  type XtiOption,
} from "../../src/index.js";
import { endpointOf } from "../../src/core/endpoint.js";
import { cleanup, connectedPair, expectFail, loopback, ok, open, pattern, xtiErrorOf } from "../helpers/xti.js";

async function manage(fd: number, flags: number, options: Array<{ level: number; name: number; value?: Uint8Array }>, retSize = 1024) {
  const ret = t_optmgmt_of(retSize);
  const r = await t_optmgmt(fd, t_optmgmt_of(encodeOptions(options), flags), ret);
  return { r, flags: ret.flags, options: decodeOptions(netbufBytes(ret.opt)) ?? [] };
}

describe("t_optmgmt", () => {
  afterEach(cleanup);

  it("returns current and default values of the XTI generic options", async () => {
    const fd = open("/dev/ticots");
    const cur = await manage(fd, T_CURRENT, [{ level: XTI_GENERIC, name: XTI_RCVBUF }]);
    expect(cur.r).to.equal(0);
    expect(cur.flags).to.equal(T_SUCCESS);
    expect(readUscalar(cur.options[0]!.value)).to.equal(65536);
    const def = await manage(fd, T_DEFAULT, [{ level: XTI_GENERIC, name: XTI_LINGER }]);
    expect(readScalar(def.options[0]!.value, 0)).to.equal(T_NO);
    expect(readScalar(def.options[0]!.value, 1)).to.equal(T_UNSPEC);
  });

  it("negotiates a value and reports it as current; a too-large buffer gets T_PARTSUCCESS", async () => {
    const fd = open("/dev/ticots");
    const n = await manage(fd, T_NEGOTIATE, [{ level: XTI_GENERIC, name: XTI_SNDBUF, value: scalarValue(12345) }]);
    expect(n.flags).to.equal(T_SUCCESS);
    expect(readUscalar(n.options[0]!.value)).to.equal(12345);
    const cur = await manage(fd, T_CURRENT, [{ level: XTI_GENERIC, name: XTI_SNDBUF }]);
    expect(readUscalar(cur.options[0]!.value)).to.equal(12345);
    const big = await manage(fd, T_NEGOTIATE, [{ level: XTI_GENERIC, name: XTI_RCVBUF, value: scalarValue(1 << 30) }]);
    expect(big.flags).to.equal(T_PARTSUCCESS);
    expect(readUscalar(big.options[0]!.value)).to.equal(16 * 1024 * 1024);
  });

  it("reports per-option status and the worst status in ret.flags", async () => {
    const fd = open("/dev/ticots");
    const r = await manage(fd, T_NEGOTIATE, [
      { level: XTI_GENERIC, name: XTI_RCVLOWAT, value: scalarValue(4) },
      { level: XTI_GENERIC, name: XTI_SNDLOWAT, value: scalarValue(0) },
      { level: XTI_GENERIC, name: 0x7777, value: scalarValue(1) },
    ]);
    expect(r.options.map((o) => o.status)).to.deep.equal([T_SUCCESS, T_FAILURE, T_NOTSUPPORT]);
    expect(r.flags).to.equal(T_NOTSUPPORT);
    const lowat = await manage(fd, T_CURRENT, [{ level: XTI_GENERIC, name: XTI_SNDLOWAT }]);
    expect(readUscalar(lowat.options[0]!.value), "a failed negotiation changes nothing").to.equal(1);
  });

  it("checks values without changing them (T_CHECK)", async () => {
    const fd = open("/dev/ticots");
    const good = await manage(fd, T_CHECK, [{ level: XTI_GENERIC, name: XTI_LINGER, value: scalarsValue(T_YES, 10) }]);
    expect(good.flags).to.equal(T_SUCCESS);
    const bad = await manage(fd, T_CHECK, [{ level: XTI_GENERIC, name: XTI_LINGER, value: scalarsValue(7, 10) }]);
    expect(bad.flags).to.equal(T_FAILURE);
    const cur = await manage(fd, T_CURRENT, [{ level: XTI_GENERIC, name: XTI_LINGER }]);
    expect(readScalar(cur.options[0]!.value, 0)).to.equal(T_NO);
  });

  it("expands T_ALLOPT to every option of the level and ignores options after it", async () => {
    const fd = open("/dev/ticots");
    const all = await manage(fd, T_CURRENT, [
      { level: XTI_GENERIC, name: T_ALLOPT },
      { level: XTI_GENERIC, name: 0x7777 },
    ]);
    expect(all.options.map((o) => o.name).sort((a, b) => a - b)).to.deep.equal(
      [XTI_DEBUG, XTI_LINGER, XTI_RCVBUF, XTI_RCVLOWAT, XTI_SNDBUF, XTI_SNDLOWAT].sort((a, b) => a - b),
    );
    expect(all.flags).to.equal(T_SUCCESS);
    await manage(fd, T_NEGOTIATE, [{ level: XTI_GENERIC, name: XTI_SNDBUF, value: scalarValue(999) }]);
    await manage(fd, T_NEGOTIATE, [{ level: XTI_GENERIC, name: T_ALLOPT }]);
    const back = await manage(fd, T_CURRENT, [{ level: XTI_GENERIC, name: XTI_SNDBUF }]);
    expect(readUscalar(back.options[0]!.value), "T_NEGOTIATE with T_ALLOPT restores defaults").to.equal(65536);
    expectFail((await manage(fd, T_CHECK, [{ level: XTI_GENERIC, name: T_ALLOPT }])).r, TBADOPT);
  });

  it("navigates a returned buffer with T_OPT_FIRSTHDR / T_OPT_NEXTHDR / T_OPT_DATA", async () => {
    const fd = open("/dev/ticots");
    const ret = t_optmgmt_of(1024);
    await ok(t_optmgmt(fd, t_optmgmt_of(encodeOptions([{ level: XTI_GENERIC, name: XTI_RCVBUF }, { level: XTI_GENERIC, name: XTI_DEBUG }]), T_CURRENT), ret));
    const names: number[] = [];
    for (let h = T_OPT_FIRSTHDR(ret.opt); h !== null; h = T_OPT_NEXTHDR(ret.opt, h)) {
      const hdr = readOpthdr(ret.opt.buf, h);
      names.push(hdr.name);
      if (hdr.name === XTI_RCVBUF) expect(readUscalar(ret.opt.buf.subarray(T_OPT_DATA(h)))).to.equal(65536);
    }
    expect(names).to.deep.equal([XTI_RCVBUF, XTI_DEBUG]);
  });

  it("fails TBADOPT for malformed buffers and mixed levels, TBADFLAG for bad flags, TBUFOVFLW for a small ret", async () => {
    const fd = open("/dev/ticots");
    expectFail(await t_optmgmt(fd, t_optmgmt_of(new Uint8Array(8), T_CURRENT), t_optmgmt_of(256)), TBADOPT);
    const bogus = encodeOptions([{ level: XTI_GENERIC, name: XTI_RCVBUF }]);
    new DataView(bogus.buffer).setUint32(0, 4000, true);
    expectFail(await t_optmgmt(fd, t_optmgmt_of(bogus, T_CURRENT), t_optmgmt_of(256)), TBADOPT);
    expectFail((await manage(fd, T_CURRENT, [{ level: XTI_GENERIC, name: XTI_RCVBUF }, { level: 6, name: 1 }])).r, TBADOPT);
    expectFail((await manage(fd, T_NEGOTIATE, [{ level: XTI_GENERIC, name: XTI_RCVBUF, value: new Uint8Array(2) }])).r, TBADOPT);
    expectFail((await manage(fd, T_NEGOTIATE | T_CHECK, [{ level: XTI_GENERIC, name: XTI_RCVBUF }])).r, TBADFLAG);
    expectFail((await manage(fd, T_CURRENT, [{ level: XTI_GENERIC, name: T_ALLOPT }], 20)).r, TBUFOVFLW);
  });

  it("XTI_RCVBUF sets a loopback receiver's high-water mark: a smaller buffer flow-controls the sender sooner", async () => {
    const dev = loopback({ servtype: T_COTS, tidu: 100 });
    const { client, server } = await connectedPair(dev);
    await ok(manage(server, T_NEGOTIATE, [{ level: XTI_GENERIC, name: XTI_RCVBUF, value: scalarValue(200) }]).then((x) => x.r));
    fcntl(client, F_SETFL, O_NONBLOCK);
    expect(await t_snd(client, pattern(100), 100, 0)).to.equal(100);
    expect(await t_snd(client, pattern(100), 100, 0)).to.equal(100);
    expectFail(await t_snd(client, pattern(100), 100, 0), TFLOW);
  });
});

type Request = Array<{ level: number; name: number; value?: Uint8Array }>;

/** Options in a form deep.equal compares by content, whatever buffer a value is a view of. */
function plain(options: readonly XtiOption[]): Array<{ level: number; name: number; status: number; value: number[] }> {
  return options.map((o) => ({ level: o.level, name: o.name, status: o.status, value: Array.from(o.value) }));
}


describe("Endpoint.optmgmt", () => {
  afterEach(cleanup);

  it("answers T_CURRENT, T_DEFAULT, T_NEGOTIATE, T_CHECK and T_ALLOPT as the C-style t_optmgmt does", async () => {
    // Two endpoints given the same requests in the same order, one through each API.
    const fd = open("/dev/ticots");
    const ep = Endpoint.open("/dev/ticots");
    const requests: Array<[number, Request]> = [
      [T_CURRENT, [{ level: XTI_GENERIC, name: XTI_RCVBUF }, { level: XTI_GENERIC, name: XTI_LINGER }]],
      [T_DEFAULT, [{ level: XTI_GENERIC, name: XTI_LINGER }, { level: XTI_GENERIC, name: XTI_DEBUG }]],
      [T_NEGOTIATE, [{ level: XTI_GENERIC, name: XTI_SNDBUF, value: scalarValue(12345) }, { level: XTI_GENERIC, name: XTI_RCVLOWAT }]],
      [T_NEGOTIATE, [{ level: XTI_GENERIC, name: XTI_RCVBUF, value: scalarValue(1 << 30) }]],
      [T_NEGOTIATE, [{ level: XTI_GENERIC, name: XTI_SNDLOWAT, value: scalarValue(0) }, { level: XTI_GENERIC, name: 0x7777, value: scalarValue(1) }]],
      [T_CHECK, [{ level: XTI_GENERIC, name: XTI_LINGER, value: scalarsValue(T_YES, 10) }, { level: XTI_GENERIC, name: XTI_SNDBUF }]],
      [T_CHECK, [{ level: XTI_GENERIC, name: XTI_LINGER, value: scalarsValue(7, 10) }]],
      [T_CURRENT, [{ level: XTI_GENERIC, name: T_ALLOPT }, { level: XTI_GENERIC, name: 0x7777 }]],
      [T_DEFAULT, [{ level: XTI_GENERIC, name: T_ALLOPT }]],
      [T_NEGOTIATE, [{ level: XTI_GENERIC, name: T_ALLOPT }]],
      [T_CURRENT, [{ level: 0x5a5a, name: T_ALLOPT }]],
    ];
    for (const [flags, options] of requests) {
      const c = await manage(fd, flags, options);
      expect(c.r).to.equal(0);
      const e = await ep.optmgmt(flags, options);
      const what = `flags ${flags}, ${options.length} option(s)`;
      expect(e.flags, what).to.equal(c.flags);
      expect(plain(e.options), what).to.deep.equal(plain(c.options));
    }
  });

  it("returns an answer larger than 64 KiB, where a 64 KiB ret fails TBUFOVFLW", async () => {
    // XTI_DEBUG takes any multiple of 4 bytes, so its value can outgrow any fixed buffer.
    const big = new Uint8Array(70000).map((_, i) => i & 0xff);
    const ep = Endpoint.open("/dev/ticots");
    const negotiated = await ep.optmgmt(T_NEGOTIATE, [{ level: XTI_GENERIC, name: XTI_DEBUG, value: big }]);
    expect(negotiated.flags).to.equal(T_SUCCESS);
    expect(negotiated.options[0]!.value).to.deep.equal(big);
    const all = await ep.optmgmt(T_CURRENT, [{ level: XTI_GENERIC, name: T_ALLOPT }]);
    expect(all.options.find((o) => o.name === XTI_DEBUG)!.value).to.deep.equal(big);
    expectFail((await manage(ep.fd, T_CURRENT, [{ level: XTI_GENERIC, name: XTI_DEBUG }], 65536)).r, TBUFOVFLW);
  });

  it("throws TBADFLAG, TBADOPT and TOUTSTATE as t_optmgmt fails, and TBADOPT for a malformed record", async () => {
    const fd = open("/dev/ticots");
    const ep = Endpoint.fromFd(fd);
    const rcvbuf = { level: XTI_GENERIC, name: XTI_RCVBUF };
    const same = async (flags: number, options: Request, expected: number): Promise<void> => {
      const e = await xtiErrorOf(ep.optmgmt(flags, options));
      expect([e.code, e.call]).to.deep.equal([tErrnoName(expected), "t_optmgmt"]);
      expectFail((await manage(fd, flags, options)).r, expected);
    };
    await same(T_NEGOTIATE | T_CHECK, [rcvbuf], TBADFLAG);
    await same(T_CURRENT, [rcvbuf, { level: 6, name: 1 }], TBADOPT);
    await same(T_CHECK, [{ level: XTI_GENERIC, name: T_ALLOPT }], TBADOPT);
    await same(T_NEGOTIATE, [{ ...rcvbuf, value: new Uint8Array(2) }], TBADOPT);
    // T_UNINIT is the one state XTI forbids t_optmgmt in, and no call leaves an open endpoint there.
    endpointOf(fd).state = T_UNINIT;
    try {
      await same(T_CURRENT, [rcvbuf], TOUTSTATE);
    } finally {
      endpointOf(fd).state = T_UNBND;
    }
    const malformed: unknown[] = [
      [{ level: Symbol("l"), name: XTI_RCVBUF }],
      [{ level: XTI_GENERIC, name: 1.5 }],
      [{ level: XTI_GENERIC, name: 2 ** 32 }],
      [{ ...rcvbuf, value: "1234" }],
      [{ ...rcvbuf, value: new Uint32Array(1) }],
      [rcvbuf, null],
      [rcvbuf, , rcvbuf], // eslint-disable-line no-sparse-arrays
      [],
    ];
    for (const options of malformed) {
      const e = await xtiErrorOf(ep.optmgmt(T_CURRENT, options as Request));
      expect([e.code, e.call], JSON.stringify(options, (_k, v: unknown) => (typeof v === "symbol" ? String(v) : v))).to.deep.equal(["TBADOPT", "t_optmgmt"]);
    }
    await ep.close();
    expect((await xtiErrorOf(ep.optmgmt(T_CURRENT, [rcvbuf]))).code).to.equal("TBADF");
  });

  it("returns values of its own: changing one changes neither the option nor a later answer", async () => {
    const ep = Endpoint.open("/dev/ticots");
    const linger = { level: XTI_GENERIC, name: XTI_LINGER };
    const current = await ep.optmgmt(T_CURRENT, [linger]);
    current.options[0]!.value.fill(0xee);
    const defaults = await ep.optmgmt(T_DEFAULT, [linger]);
    defaults.options[0]!.value.fill(0xee);
    const again = await ep.optmgmt(T_CURRENT, [linger]);
    expect([readScalar(again.options[0]!.value, 0), readScalar(again.options[0]!.value, 1)]).to.deep.equal([T_NO, T_UNSPEC]);
    expect(readScalar((await ep.optmgmt(T_DEFAULT, [linger])).options[0]!.value, 0)).to.equal(T_NO);

    const mine = scalarsValue(T_YES, 10);
    const checked = await ep.optmgmt(T_CHECK, [{ ...linger, value: mine }]);
    expect(checked.options[0]!.value, "not the caller's own array").to.not.equal(mine);
    const negotiated = await ep.optmgmt(T_NEGOTIATE, [{ ...linger, value: mine }]);
    mine.fill(0xee);
    negotiated.options[0]!.value.fill(0xee);
    const after = await ep.optmgmt(T_CURRENT, [linger]);
    expect([readScalar(after.options[0]!.value, 0), readScalar(after.options[0]!.value, 1)]).to.deep.equal([T_YES, 10]);
  });
});
