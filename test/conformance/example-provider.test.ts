/**
 * The example third-party provider (examples/pipe-provider) is certified by the conformance suite,
 * both programmatically and through the xti-conformance command, with exactly the cases its t_info
 * and features make not applicable; plus behaviour the cases do not pin down in full (its names,
 * the reason given to a caller beyond qlen, the XTI_RCVBUF high-water mark; refusing callers beyond
 * qlen and the abortive flush are also cases now, Q2.beyond-qlen and D3.abort-discards-unread).
 *
 * The provider imports "xti", i.e. the built dist/ (npm test builds first); these tests use the
 * sources. Two copies of the library meet here, exactly as with a provider from npm.
 */
import { expect } from "chai";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import {
  Errno,
  F_SETFL,
  fcntl,
  O_NONBLOCK,
  T_DISCONNECT,
  T_GODATA,
  T_NEGOTIATE,
  T_SUCCESS,
  TADDRBUSY,
  TFLOW,
  TLOOK,
  TNODATA,
  XTI_GENERIC,
  XTI_RCVBUF,
  encodeOptions,
  netbuf,
  registerProvider,
  scalarValue,
  t_bind,
  t_bind_of,
  t_call_of,
  t_connect,
  t_discon_of,
  t_getprotaddr,
  t_listen,
  t_look,
  t_optmgmt,
  t_optmgmt_of,
  t_rcv,
  t_rcvdis,
  t_snd,
  t_snddis,
  unregisterProvider,
} from "../../src/index.js";
import { ALL_CASES } from "../../conformance/cases/index.js";
import { runTarget } from "../../conformance/runner.js";
import type { Outcome } from "../../conformance/types.js";
import { callTo, cleanup, connectedPair, expectFail, ok, open, str, text } from "../helpers/xti.js";

type PipeModule = typeof import("../../examples/pipe-provider/index.js");

const root = fileURLToPath(new URL("../../", import.meta.url));
const MODULE = "./examples/pipe-provider/index.ts";

/** What t_info (T_COTS_ORD, tsdu T_INFINITE, etsdu T_INVALID, T_SENDZERO, no T_ORDRELDATA) and the target's features and declaration rule out. */
const NOT_APPLICABLE = [
  // not declared as an Internet protocol; names are UTF-8 text, not opaque bytes
  "I3.protocol-info",
  "A1.opaque-addresses",
  // zero-length TSDUs are supported; TSDUs have no finite limit; boundaries are kept
  "T2.zero-unsupported",
  "T3.tsdu-limit",
  "T3.exact-tsdu",
  "T4.byte-stream",
  // no expedited data
  "E1.expedited-flag",
  "E2.inside-tsdu",
  "E3.look-exdata",
  "E5.etsdu-pieces",
  "T3.etsdu-limit",
  "T3.exact-etsdu",
  // connection mode: the connectionless cases
  "S2.connection-calls-on-clts",
  "S5.clts-transitions",
  "C1.datagram",
  "C1.units-kept-apart",
  "T8.datagram-pieces",
  "B2.short-address",
  "C2.unit-data-error",
  "C2.tnouderr",
  "C3.zero-length-datagram",
  "C3.datagram-limit",
  "C3.exact-datagram",
  // orderly release exists, without release data
  "O1.cots-has-no-release",
  "O2.release-data",
  // not declared as XTI's TCP or UDP: the tcp and udp groups
  "E4.urgent-in-stream",
  "T4.tcp-byte-stream",
  "O1.half-close",
  "D.tcp-reset-reasons",
  "A5.tcp-addresses",
  "X5.tcp-options",
  "X6.tcp-maxseg-read-only",
  "X7.tcp-options-on-accept",
  "X8.tcp-reuseaddr",
  "C3.udp-datagram-sizes",
  "C1.udp-source-address",
  "X5.udp-options",
  "X8.udp-reuseaddr",
].sort();

interface JsonReport {
  suite: string;
  providers: Array<{
    target: string;
    device: string;
    skipped?: string;
    summary: Record<Outcome, number> & { libraryPass: number };
    results: Array<{ id: string; outcome: Outcome; reason?: string }>;
  }>;
}

const idsWith = (results: ReadonlyArray<{ id: string; outcome: Outcome }>, outcome: Outcome): string[] =>
  results.filter((r) => r.outcome === outcome).map((r) => r.id).sort();

describe("example provider /dev/pipe (examples/pipe-provider)", function () {
  this.timeout(60_000);
  let pipe: PipeModule;

  before(async () => {
    if (!existsSync(`${root}dist/src/index.js`)) throw new Error('dist/ is missing: the example imports "xti" from the build; run npm run build');
    pipe = await import("../../examples/pipe-provider/index.js");
    // The CLI registers a module's provider itself; a program running the suite does it too.
    registerProvider(pipe.provider);
  });

  after(() => {
    unregisterProvider(pipe.provider.name);
  });

  afterEach(cleanup);

  it("exports one provider as default and as `provider`, with a conformance target for its device", () => {
    expect(pipe.default).to.equal(pipe.provider);
    expect(pipe.provider.name).to.equal("/dev/pipe");
    expect(pipe.conformanceTarget.device).to.equal(pipe.provider.name);
  });

  it("passes every applicable case of the suite (runTarget)", async () => {
    const report = await runTarget(pipe.conformanceTarget);
    expect(report.skipped).to.equal(undefined);
    const failures = report.results.filter((r) => r.outcome === "fail").map((r) => `${r.id}: ${r.reason ?? ""} (expected ${r.expected ?? "?"}, actual ${r.actual ?? "?"})`);
    expect(failures).to.deep.equal([]);
    expect(report.results).to.have.length(ALL_CASES.length);
    expect(idsWith(report.results, "na")).to.deep.equal(NOT_APPLICABLE);
    expect(idsWith(report.results, "pass")).to.have.length(ALL_CASES.length - NOT_APPLICABLE.length);
  });

  it("is certified by xti-conformance -p <module> --format json (exit 0)", async () => {
    // execFile rejects on a non-zero exit code, so reaching the checks means exit status 0.
    const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", "conformance/cli.ts", "-p", MODULE, "--format", "json", "-q"], {
      cwd: root,
      timeout: 50_000,
    });
    const report = JSON.parse(stdout) as JsonReport;
    expect(report.suite).to.equal("xti-conformance");
    expect(report.providers.length).to.be.at.least(1);
    // Every entry is this module's provider (the CLI currently lists it once per export that
    // names it, default and `provider`; the entries are identical).
    for (const p of report.providers) {
      expect([p.target, p.device, p.skipped]).to.deep.equal(["pipe", "/dev/pipe", undefined]);
      const libraryApplicable = ALL_CASES.filter((c) => c.checks === "library" && !NOT_APPLICABLE.includes(c.id)).length;
      expect(p.summary).to.deep.equal({ pass: ALL_CASES.length - NOT_APPLICABLE.length, fail: 0, na: NOT_APPLICABLE.length, libraryPass: libraryApplicable });
      expect(idsWith(p.results, "na")).to.deep.equal(NOT_APPLICABLE);
    }
  });

  describe("behaviour the conformance cases do not pin down in full", () => {
    it("binds the names it is given, refuses a name in use, and chooses one when given none", async () => {
      const a = open("/dev/pipe");
      const ret = t_bind_of(64);
      await ok(t_bind(a, { addr: netbuf(text("alice")), qlen: 0 }, ret), "t_bind alice");
      expect(str(ret.addr.buf.subarray(0, ret.addr.len))).to.equal("alice");
      expectFail(await t_bind(open("/dev/pipe"), { addr: netbuf(text("alice")), qlen: 0 }, null), TADDRBUSY);
      const c = open("/dev/pipe");
      await ok(t_bind(c, null, null), "t_bind without an address");
      const bound = t_bind_of(64);
      await ok(t_getprotaddr(c, bound, null), "t_getprotaddr");
      expect(str(bound.addr.buf.subarray(0, bound.addr.len))).to.match(/^pipe-\d+$/);
    });

    it("refuses a caller beyond qlen with a disconnect (ECONNREFUSED)", async () => {
      const l = open("/dev/pipe");
      await ok(t_bind(l, { addr: netbuf(text("busy")), qlen: 1 }, null), "t_bind listener");
      const [first, second] = [open("/dev/pipe", true), open("/dev/pipe", true)];
      for (const fd of [first, second]) {
        await ok(t_bind(fd, null, null), "t_bind caller");
        expectFail(await t_connect(fd, callTo(text("busy")), null), TNODATA);
      }
      expect(t_look(first)).to.equal(0); // waiting in the queue
      expect(t_look(second)).to.equal(T_DISCONNECT); // the queue was full
      const d = t_discon_of(0);
      await ok(t_rcvdis(second, d), "t_rcvdis");
      expect(d.reason).to.equal(Errno.ECONNREFUSED);
      await ok(t_listen(l, t_call_of({ addr: 64 })), "t_listen takes the first caller");
    });

    it("holds a sender off at the receiver's XTI_RCVBUF and back-enables it (T_GODATA) as the receiver reads", async () => {
      const { client, server } = await connectedPair("/dev/pipe");
      const req = t_optmgmt_of(encodeOptions([{ level: XTI_GENERIC, name: XTI_RCVBUF, value: scalarValue(1024) }]), T_NEGOTIATE);
      const ret = t_optmgmt_of(256);
      await ok(t_optmgmt(server, req, ret), "t_optmgmt XTI_RCVBUF 1024");
      expect(ret.flags).to.equal(T_SUCCESS);
      fcntl(client, F_SETFL, O_NONBLOCK);
      const unit = new Uint8Array(512);
      // 0 and 512 bytes unread: taken; 1024 unread: at the high-water mark, refused.
      expect(await t_snd(client, unit, 512, 0)).to.equal(512);
      expect(await t_snd(client, unit, 512, 0)).to.equal(512);
      expectFail(await t_snd(client, unit, 512, 0), TFLOW);
      expect(t_look(client)).to.equal(0);
      expect(await t_rcv(server, new Uint8Array(512), 512, { value: 0 })).to.equal(512);
      expect(t_look(client)).to.equal(T_GODATA);
      expect(await t_snd(client, unit, 512, 0)).to.equal(512);
    });

    it("discards what the peer has not read when a connection is aborted", async () => {
      const { client, server } = await connectedPair("/dev/pipe");
      await ok(t_snd(client, text("never read"), 10, 0), "t_snd");
      await ok(t_snddis(client, null), "t_snddis");
      fcntl(server, F_SETFL, O_NONBLOCK);
      expectFail(await t_rcv(server, new Uint8Array(16), 16, { value: 0 }), TLOOK);
      const d = t_discon_of(0);
      await ok(t_rcvdis(server, d), "t_rcvdis");
      expect(d.reason).to.equal(Errno.ECONNRESET);
    });
  });
});
