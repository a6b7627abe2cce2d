/**
 * t_alloc and t_free, sized from the provider's t_info as libnsl does; t_sysconf.
 */
import { expect } from "chai";
import {
  _SC_T_IOV_MAX,
  T_ADDR,
  T_ALL,
  T_BIND,
  T_CALL,
  T_DIS,
  T_INFO,
  T_IOV_MAX,
  T_OPT,
  T_OPTMGMT,
  T_UDATA,
  T_UDERROR,
  T_UNITDATA,
  TBADF,
  TBADFLAG,
  TNOSTRUCTYPE,
  TSYSERR,
  registerProvider,
  t_alloc,
  errno,
  t_errno,
  t_free,
  t_sysconf,
  unregisterProvider,
} from "../../src/index.js";
import { EINVAL } from "../../src/errno.js";
import { ScriptedProvider } from "../helpers/scripted.js";
import { cleanup, expectFail, open } from "../helpers/xti.js";

describe("t_alloc / t_free", () => {
  const sized = new ScriptedProvider("/dev/test-sized", { addr: 16, options: 64, connect: 100, discon: 200, tsdu: 4096 });
  before(() => registerProvider(sized));
  after(() => unregisterProvider(sized.name));
  afterEach(cleanup);

  it("sizes every structure's buffers from t_info (opt gets room for XTI-level options)", () => {
    const fd = open(sized.name);
    const call = t_alloc(fd, T_CALL, T_ALL);
    expect(call?.addr.maxlen).to.equal(16);
    expect(call?.addr.buf.length).to.equal(16);
    expect(call?.opt.maxlen).to.equal(64 + 320);
    expect(call?.udata.maxlen).to.equal(200);
    expect(call?.addr.len).to.equal(0);
    expect(t_alloc(fd, T_BIND, T_ADDR)?.addr.maxlen).to.equal(16);
    expect(t_alloc(fd, T_DIS, T_UDATA)?.udata.maxlen).to.equal(200);
    expect(t_alloc(fd, T_UNITDATA, T_ALL)?.udata.maxlen).to.equal(4096);
    expect(t_alloc(fd, T_UDERROR, T_OPT)?.opt.maxlen).to.equal(384);
    expect(t_alloc(fd, T_OPTMGMT, T_OPT)?.opt.maxlen).to.equal(384);
    expect(t_alloc(fd, T_INFO, 0)).to.deep.include({ addr: 0, servtype: 0 });
  });

  it("leaves fields not asked for as NULL buffers", () => {
    const fd = open(sized.name);
    const call = t_alloc(fd, T_CALL, T_ADDR);
    expect(call?.addr.maxlen).to.equal(16);
    expect(call?.opt.maxlen).to.equal(0);
    expect(call?.udata.maxlen).to.equal(0);
  });

  it("fails TSYSERR/EINVAL for a T_INFINITE or T_INVALID size asked for by name, but not with T_ALL", () => {
    const fd = open("/dev/ticots");
    expect(t_alloc(fd, T_CALL, T_ADDR), "ticots addr is T_INFINITE").to.equal(null);
    expect(t_errno).to.equal(TSYSERR);
    expect(errno).to.equal(EINVAL);
    const all = t_alloc(fd, T_CALL, T_ALL);
    expect(all?.addr.maxlen).to.equal(0);
    const clts = open("/dev/ticlts");
    expect(t_alloc(clts, T_DIS, T_UDATA), "ticlts discon is T_INVALID").to.equal(null);
    expect(t_errno).to.equal(TSYSERR);
    expect(errno).to.equal(EINVAL);
  });

  it("fails TNOSTRUCTYPE for an unknown structure type and TBADF for an unknown descriptor", () => {
    const fd = open("/dev/ticots");
    expect(t_alloc(fd, 99, T_ALL)).to.equal(null);
    expect(t_errno).to.equal(TNOSTRUCTYPE);
    expect(t_alloc(9999, T_BIND, T_ALL)).to.equal(null);
    expect(t_errno).to.equal(TBADF);
  });

  it("t_free detaches the buffers and checks the type", () => {
    const fd = open(sized.name);
    const call = t_alloc(fd, T_CALL, T_ALL);
    expect(t_free(call, T_CALL)).to.equal(0);
    expect(call?.addr.maxlen).to.equal(0);
    expectFail(t_free(call, 42), TNOSTRUCTYPE);
  });
});

describe("t_sysconf", () => {
  it("returns T_IOV_MAX for _SC_T_IOV_MAX and fails TBADFLAG for anything else", () => {
    expect(t_sysconf(_SC_T_IOV_MAX)).to.equal(T_IOV_MAX);
    expectFail(t_sysconf(1), TBADFLAG);
  });
});
