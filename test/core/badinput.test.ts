/**
 * Bad input never throws a raw exception and never hangs: unknown descriptors are TBADF, bad
 * flags TBADFLAG, buffers shorter than their count or malformed structures TSYSERR/EFAULT, an
 * unknown device TBADNAME, a wrong oflag TBADFLAG. Also t_strerror, t_error and the messages.
 */
import { expect } from "chai";
import * as xti from "../../src/index.js";
import {
  O_NONBLOCK,
  O_RDONLY,
  O_RDWR,
  T_ERRLIST,
  TBADF,
  TBADFLAG,
  TBADNAME,
  TPROTO,
  TSYSERR,
  t_errno,
  t_errorText,
  t_open,
  t_strerror,
} from "../../src/index.js";
import { EFAULT } from "../../src/errno.js";
import { cleanup, expectFail, open } from "../helpers/xti.js";

describe("bad input", () => {
  afterEach(cleanup);

  it("fails every call on an unknown descriptor with TBADF", async () => {
    const bad = 4242;
    const nb = xti.netbuf(8);
    const call = xti.t_call_of({ addr: 8 });
    const flags = { value: 0 };
    const results: Array<number | Promise<number>> = [
      xti.t_bind(bad, null, null),
      xti.t_unbind(bad),
      xti.t_close(bad),
      xti.t_connect(bad, call, null),
      xti.t_rcvconnect(bad, null),
      xti.t_listen(bad, call),
      xti.t_accept(bad, bad, call),
      xti.t_snd(bad, new Uint8Array(1), 1, 0),
      xti.t_sndv(bad, [{ iov_base: new Uint8Array(1), iov_len: 1 }], 1, 0),
      xti.t_rcv(bad, new Uint8Array(1), 1, flags),
      xti.t_rcvv(bad, [{ iov_base: new Uint8Array(1), iov_len: 1 }], 1, flags),
      xti.t_snddis(bad, null),
      xti.t_rcvdis(bad, null),
      xti.t_sndrel(bad),
      xti.t_rcvrel(bad),
      xti.t_sndreldata(bad, null),
      xti.t_rcvreldata(bad, null),
      xti.t_sndudata(bad, xti.t_unitdata_of()),
      xti.t_sndvudata(bad, xti.t_unitdata_of(), [{ iov_base: new Uint8Array(1), iov_len: 1 }], 1),
      xti.t_rcvudata(bad, xti.t_unitdata_of(), flags),
      xti.t_rcvvudata(bad, xti.t_unitdata_of(), [{ iov_base: new Uint8Array(1), iov_len: 1 }], 1, flags),
      xti.t_rcvuderr(bad, null),
      xti.t_optmgmt(bad, xti.t_optmgmt_of(), xti.t_optmgmt_of()),
      xti.t_look(bad),
      xti.t_getstate(bad),
      xti.t_sync(bad),
      xti.t_getinfo(bad, { addr: 0, options: 0, tsdu: 0, etsdu: 0, connect: 0, discon: 0, servtype: 0, flags: 0 }),
      xti.t_getprotaddr(bad, { addr: nb, qlen: 0 }, null),
    ];
    for (const [i, r] of results.entries()) {
      expect(await r, `call #${i}`).to.equal(-1);
      expect(t_errno, `call #${i}`).to.equal(TBADF);
    }
  });

  it("fails t_open with TBADNAME for an unknown device and TBADFLAG without O_RDWR or with unknown bits", () => {
    expectFail(t_open("/dev/nonexistent", O_RDWR), TBADNAME);
    expectFail(t_open("/dev/ticots", O_RDONLY), TBADFLAG);
    expectFail(t_open("/dev/ticots", O_RDWR | 0x40000000), TBADFLAG);
    expect(t_open("/dev/ticots", O_RDWR | O_NONBLOCK)).to.be.at.least(3);
  });

  it("turns malformed arguments from untyped callers into TSYSERR/EFAULT, not exceptions", async () => {
    const fd = open("/dev/ticots");
    const anyCall = xti as unknown as Record<string, (...args: unknown[]) => unknown>;
    expectFail((await anyCall.t_bind!(fd, { addr: { len: 10, maxlen: 10, buf: new Uint8Array(2) }, qlen: 0 }, null)) as number, TSYSERR, EFAULT);
    expectFail((await anyCall.t_bind!(fd, { addr: "nope", qlen: 0 }, null)) as number, TSYSERR, EFAULT);
    expectFail((await anyCall.t_snd!(fd, "not bytes", 3, 0)) as number, TSYSERR, EFAULT);
    const bound = open("/dev/ticots");
    expect(await xti.t_bind(bound, null, null)).to.equal(0);
    expectFail((await anyCall.t_connect!(bound, null, null)) as number, TSYSERR, EFAULT);
    expectFail(anyCall.t_open!(42, O_RDWR) as number, TSYSERR, EFAULT);
    expectFail((await anyCall.t_rcv!(fd, new Uint8Array(4), 4, null)) as number, TSYSERR, EFAULT);
    expectFail(anyCall.t_getinfo!(fd, null) as number, TSYSERR, EFAULT);
  });

  it("reports a provider that throws unexpectedly as TSYSERR instead of letting the exception out", async () => {
    const broken: xti.TransportProvider = {
      name: "/dev/test-throws",
      open() {
        throw new Error("boom");
      },
    };
    xti.registerProvider(broken);
    try {
      expectFail(t_open("/dev/test-throws", O_RDWR), TSYSERR);
    } finally {
      xti.unregisterProvider(broken.name);
    }
  });

  it("has a message for every t_errno and a fallback for unknown values", () => {
    expect(T_ERRLIST.length).to.equal(TPROTO + 1);
    expect(t_strerror(TBADF)).to.equal("Illegal file descriptor");
    expect(t_strerror(TPROTO)).to.equal("Protocol error on transport primitive");
    expect(t_strerror(99)).to.equal("99: error unknown");
  });

  it("t_error prints the message, and the errno message for TSYSERR", async () => {
    expectFail(t_open("/dev/nonexistent", O_RDWR), TBADNAME);
    expect(t_errorText("t_open")).to.equal("t_open: Invalid transport provider name");
    expect(t_errorText(null)).to.equal("Invalid transport provider name");
    const fd = open("/dev/ticots");
    expectFail(await xti.t_snd(fd, new Uint8Array(1), 2, 0), TSYSERR, EFAULT);
    expect(t_errorText("t_snd")).to.equal("t_snd: System error: Bad address");
    const written: string[] = [];
    const original = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string | Uint8Array) => (written.push(String(chunk)), true));
    try {
      expect(xti.t_error("t_snd")).to.equal(0);
    } finally {
      process.stderr.write = original;
    }
    expect(written).to.deep.equal(["t_snd: System error: Bad address\n"]);
  });
});
