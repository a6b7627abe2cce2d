/**
 * The holes issue 11 lists, one by one: each input that used to make a C-style call throw (or
 * an Endpoint method throw something else than XTIError) now fails the documented way. The
 * fuzzer (test/api-fuzz.test.ts) covers the rest.
 */
import { expect } from "chai";
import * as xti from "../../src/index.js";
import * as tli from "../../src/tli.js";
import { EFAULT, EINVAL } from "../../src/errno.js";
import { Endpoint, O_RDWR, T_DATAXFER, TBADF, TBADFLAG, TSYSERR, XTIError, t_errno, t_open } from "../../src/index.js";
import { cleanup, connectedPair, expectFail } from "../helpers/xti.js";

/** Run `call` and return what it threw, or null. */
async function thrown(call: () => unknown): Promise<unknown> {
  try {
    await call();
    return null;
  } catch (e) {
    return e;
  }
}

/** Assert an XTIError with this t_errno (and errno). */
function isXTIError(e: unknown, code: number, errno?: number): void {
  expect(e, String(e)).to.be.instanceOf(XTIError);
  expect((e as XTIError).t_errno).to.equal(code);
  if (errno !== undefined) expect((e as XTIError).errno).to.equal(errno);
}

const hostile = new Proxy(
  {},
  {
    get() {
      throw new Error("trap");
    },
  },
);
const untyped = xti as unknown as Record<string, (...a: unknown[]) => unknown>;

describe("a total API: the inputs issue 11 found", () => {
  afterEach(cleanup);

  it("t_sysconf, t_strerror and t_error take arguments of any type", () => {
    for (const v of [Symbol("s"), hostile, { toString: () => { throw new Error("x"); } }, 10n, "79"]) {
      expectFail(untyped.t_sysconf!(v) as number, TBADFLAG);
      expect(untyped.t_strerror!(v)).to.be.a("string").and.match(/error unknown$/);
      if (typeof v !== "string") expectFail(untyped.t_error!(v) as number, TSYSERR, EFAULT);
    }
    expect(xti.t_sysconf(xti._SC_T_IOV_MAX)).to.equal(xti.T_IOV_MAX);
    expect((tli as unknown as Record<string, (...a: unknown[]) => unknown>).t_error!(Symbol("s"))).to.equal(undefined);
    expect(t_errno).to.equal(TSYSERR);
  });

  it("a semantics option that names no dialect (an Object.prototype key, an unknown name) fails TSYSERR/EINVAL", () => {
    for (const semantics of ["toString", "__proto__", "constructor", "XNS6", "tli", 5]) {
      expectFail(t_open("/dev/ticots", O_RDWR, null, { semantics } as unknown as xti.OpenOptions), TSYSERR, EINVAL);
    }
    expectFail(t_open("/dev/ticots", O_RDWR, null, 7 as unknown as xti.OpenOptions), TSYSERR, EFAULT);
    expectFail(t_open("/dev/ticots", O_RDWR, null, hostile), TSYSERR, EFAULT);
    expect(t_open("/dev/ticots", O_RDWR, null, null)).to.be.at.least(3);
  });

  it("Endpoint.open with a bad, null or hostile options object: XTIError, or the defaults for null", async () => {
    isXTIError(await thrown(() => Endpoint.open("/dev/ticots", { semantics: "toString" } as unknown as xti.EndpointOptions)), TSYSERR, EINVAL);
    isXTIError(await thrown(() => Endpoint.open("/dev/ticots", { nonblock: "yes" } as unknown as xti.EndpointOptions)), TSYSERR, EINVAL);
    isXTIError(await thrown(() => Endpoint.open("/dev/ticots", 3 as unknown as xti.EndpointOptions)), TSYSERR, EFAULT);
    isXTIError(await thrown(() => Endpoint.open("/dev/ticots", hostile)), TSYSERR, EFAULT);
    isXTIError(await thrown(() => Endpoint.open(42 as unknown as string)), TSYSERR, EFAULT);
    expect(Endpoint.open("/dev/ticots", null).fd).to.be.at.least(3);
  });

  it("nonblocking on a closed Endpoint throws XTIError TBADF", async () => {
    const ep = Endpoint.open("/dev/ticots");
    await ep.close();
    isXTIError(await thrown(() => ep.nonblocking), TBADF);
    isXTIError(await thrown(() => (ep.nonblocking = true)), TBADF);
  });

  it("arguments of the wrong type to sndv, rcvv, optmgmt, connect, snddis, rcvudata and rcvUnit throw XTIError", async () => {
    const { client } = await connectedPair("/dev/ticotsord");
    const ep = Endpoint.fromFd(client);
    expect(ep.getstate()).to.equal(T_DATAXFER);
    const bad = ep as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
    const cases: Array<[string, unknown[]]> = [
      ["sndv", ["not an array"]],
      ["sndv", [[new Uint8Array(1), "x"]]],
      ["rcvv", [42]],
      ["optmgmt", [xti.T_NEGOTIATE, "options"]],
      ["optmgmt", [xti.T_NEGOTIATE, [{ level: Symbol("l"), name: 1 }]]],
      ["connect", [null]],
      ["connect", [new Uint8Array(2), 5]],
      ["snddis", ["bye"]],
      ["snddis", [new Uint8Array(0), 1.5]],
      ["rcvudata", [-1]],
      ["rcvudata", [2 ** 40]],
      ["rcvUnit", [-5]],
      ["rcvUnit", [Number.NaN]],
      ["snd", [hostile]],
      ["accept", [0, "not an endpoint"]],
    ];
    for (const [method, args] of cases) {
      const e = await thrown(() => (bad[method] as (...a: unknown[]) => Promise<unknown>).apply(ep, args));
      expect(e, `${method} with case ${cases.findIndex((c) => c[1] === args)}`).to.be.instanceOf(XTIError);
      // TBADOPT: optmgmt checks its option records as t_optmgmt checks a t_opthdr buffer.
      expect((e as XTIError).t_errno, method).to.be.oneOf([TSYSERR, TBADF, xti.TNOTSUPPORT, xti.TOUTSTATE, xti.TBADOPT]);
    }
  });

  it("a getter that throws, a proxy or a buffer detached during the call is TSYSERR/EFAULT (a bad pointer), not an exception", async () => {
    const { client, server } = await connectedPair("/dev/ticotsord");
    const idle = t_open("/dev/ticotsord", O_RDWR);
    expect(await xti.t_bind(idle, null, null)).to.equal(0);
    const call = Object.defineProperty({ opt: xti.netbuf(0), udata: xti.netbuf(0), sequence: 0 }, "addr", {
      get() {
        throw new Error("getter");
      },
    });
    expectFail(await xti.t_connect(idle, call as unknown as xti.t_call, null), TSYSERR, EFAULT);
    expectFail(await xti.t_snd(client, new Proxy(new Uint8Array(4), {}), 4, 0), TSYSERR, EFAULT);
    const ab = new ArrayBuffer(16);
    const buf = new Uint8Array(ab);
    const reading = xti.t_rcv(server, buf, 16, { value: 0 });
    structuredClone(ab, { transfer: [ab] }); // the program frees the buffer while t_rcv waits
    expect(await xti.t_snd(client, new Uint8Array(8), 8, 0)).to.equal(8);
    expectFail(await reading, TSYSERR, EFAULT);
  });

  it("helpers throw only XTIError, parsers return null", async () => {
    isXTIError(await thrown(() => xti.netbuf(-1)), TSYSERR, EINVAL);
    isXTIError(await thrown(() => xti.t_call_of({ addr: -3 })), TSYSERR, EINVAL);
    isXTIError(await thrown(() => xti.sockaddr_in("nope", 1)), xti.TBADADDR);
    isXTIError(await thrown(() => xti.encodeOptions(hostile as never)), TSYSERR, EINVAL);
    isXTIError(await thrown(() => xti.createLoopbackProvider(null as never)), TSYSERR, EINVAL);
    isXTIError(await thrown(() => xti.registerProvider({} as never)), TSYSERR, EINVAL);
    expect(xti.parseSockaddrIn(hostile as never)).to.equal(null);
    expect(xti.decodeOptions("x" as never)).to.equal(null);
    expect(xti.nextState("toString" as never, 1)).to.equal(null);
    expect(xti.T_OPT_NEXTHDR(hostile as never, 0)).to.equal(null);
  });
});
