/**
 * /dev/rawtcp and /dev/rawudp against the Linux kernel, through t_* calls only, on a topology of
 * their own (scripts/topology.sh with the names below): the stack on xtiru, configured by a
 * netconfig file as a ported program would be, the kernel in namespace xtirns. 50 MB each way
 * with SHA-256, clean and with 3 % loss; the MSG_OOB transcript both ways; resets both ways; a
 * refused connect; datagram boundaries both ways; TADDRBUSY; a listener with qlen 2 and three
 * callers; ARP failure; and a process on an interface that exits by itself (root).
 */
import { expect } from "chai";
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  Errno,
  F_SETFL,
  O_NONBLOCK,
  T_EXPEDITED,
  T_LISTEN,
  T_ORDREL,
  TADDRBUSY,
  TLOOK,
  TNODATA,
  TQFULL,
  fcntl,
  netbuf,
  registerRawHost,
  sockaddr_in,
  t_accept,
  t_bind,
  t_call_of,
  t_connect,
  t_discon_of,
  t_listen,
  t_look,
  t_rcv,
  t_rcvdis,
  t_rcvudata,
  t_snd,
  t_snddis,
  t_sndrel,
  t_sndudata,
  t_unitdata_of,
  unregisterProvider,
} from "../../../src/index.js";
import { NETCONFIG_ENV } from "../../../src/netconfig.js";
import { RawHost } from "../../../providers/packet/xti/raw-host.js";
import { planHost } from "../../../providers/packet/xti/host-config.js";
import { requireRoot } from "../io/helpers/privileges.js";
import { KernelProcess, PEER_SCRIPT, kernelTcp } from "../interop/helpers/kernel-peer.js";
import { cleanup, expectFail, ok, open, text } from "../../helpers/xti.js";
import { bound, connectTo, duplex, lookFor, receiveAll, transcript } from "./helpers.js";

/** XTI_TAG (a few letters) is appended to every topology name, so two checkouts can run the root tests at once. */
const TAG = process.env["XTI_TAG"] ?? "";

const NAMESPACE = `xtirns${TAG}`;
const KERNEL_IF = `xtirk${TAG}`;
const STACK_IF = `xtiru${TAG}`;
const KERNEL_IP = "198.18.0.1";
const STACK_IP = "198.18.0.2";
/** The lossy runs' host: its own address, so it never meets the netconfig host (described otherwise). */
const LOSSY_IP = "198.18.0.3";
/**
 * Child processes get hosts of their own (address and MAC): a host of this process still
 * finishing a connection on the same address would answer their segments with RSTs.
 */
const CHILD_IP = "198.18.0.4";
const CHILD_MAC = "02:00:00:00:1f:04";
const MB = 1024 * 1024;

const TOPOLOGY = fileURLToPath(new URL("../../../scripts/topology.sh", import.meta.url));
const OOB_PEER = fileURLToPath(new URL("./peers/oob_peer.py", import.meta.url));
const RAW_CHILD = fileURLToPath(new URL("./fixtures/raw-child.ts", import.meta.url));
const XTI_NC = fileURLToPath(new URL("../../../tools/xti-nc/xti-nc.ts", import.meta.url));
const topologyEnv = { ...process.env, XTI_NS: NAMESPACE, XTI_KIF: KERNEL_IF, XTI_UIF: STACK_IF };

function kernel(args: readonly string[], script = PEER_SCRIPT): KernelProcess {
  return new KernelProcess(args, script, NAMESPACE);
}

function nft(rules: string): void {
  execFileSync("ip", ["netns", "exec", NAMESPACE, "nft", "-f", "-"], { input: rules, stdio: ["pipe", "pipe", "pipe"] });
}

describe("packet/xti: /dev/rawtcp and /dev/rawudp against the Linux kernel", function () {
  this.timeout(60_000);
  let dir = "";
  let savedNetconfig: string | undefined;
  /** The netconfig file of child processes (their own host, see CHILD_IP). */
  let childNetconfig = "";
  const peers: Array<{ kill(): void }> = [];
  const start = <T extends { kill(): void }>(p: T): T => {
    peers.push(p);
    return p;
  };
  let port = 5400;

  before(function () {
    requireRoot(this);
    execFileSync(TOPOLOGY, ["up"], { stdio: "pipe", env: topologyEnv });
    dir = mkdtempSync(join(tmpdir(), "xti-rawtcp-linux-"));
    const file = join(dir, "netconfig");
    writeFileSync(file, `rawtcp tpi_cots_ord v inet tcp /dev/rawtcp -\nrawudp tpi_clts v inet udp /dev/rawudp -\n@host lab devices=/dev/rawtcp,/dev/rawudp interface=${STACK_IF} address=${STACK_IP}/24 mac=02:00:00:00:1f:02\n`);
    savedNetconfig = process.env[NETCONFIG_ENV];
    process.env[NETCONFIG_ENV] = file;
    childNetconfig = join(dir, "child-netconfig");
    writeFileSync(childNetconfig, `@host child devices=/dev/rawtcp,/dev/rawudp interface=${STACK_IF} address=${CHILD_IP}/24 mac=${CHILD_MAC}\n`);
  });

  interface ChildRun {
    code: number | null;
    stdout: string;
    stderr: string;
  }

  /** Start a child process with the children's netconfig; `said(text)` resolves once its stderr has `text`. */
  function launch(args: readonly string[]): { done: Promise<ChildRun>; said(text: string): Promise<void> } {
    const c = spawn(process.execPath, ["--import", "tsx", ...args], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, [NETCONFIG_ENV]: childNetconfig } });
    peers.push({ kill: () => c.exitCode === null && c.kill("SIGKILL") });
    let stdout = "";
    let stderr = "";
    const waiting: Array<[string, () => void]> = [];
    c.stdout.setEncoding("utf8").on("data", (t: string) => (stdout += t));
    c.stderr.setEncoding("utf8").on("data", (t: string) => {
      stderr += t;
      for (const [text, resolve] of waiting) if (stderr.includes(text)) resolve();
    });
    const done = new Promise<ChildRun>((resolve) => c.once("close", (code) => resolve({ code, stdout, stderr })));
    return {
      done,
      said: (text) =>
        new Promise<void>((resolve, reject) => {
          if (stderr.includes(text)) resolve();
          waiting.push([text, resolve]);
          void done.then((r) => reject(new Error(`the child ended without saying "${text}":\n${r.stderr}`)));
        }),
    };
  }

  const run = (args: readonly string[]): Promise<ChildRun> => launch(args).done;

  afterEach(async function () {
    for (const p of peers.splice(0)) p.kill();
    await cleanup();
    port++;
  });

  after(async function () {
    if (savedNetconfig === undefined) delete process.env[NETCONFIG_ENV];
    else process.env[NETCONFIG_ENV] = savedNetconfig;
    if (dir !== "") rmSync(dir, { recursive: true, force: true });
    if (process.getuid?.() !== 0) return;
    execFileSync(TOPOLOGY, ["down"], { stdio: "pipe", env: topologyEnv });
    const links = execFileSync("ip", ["-br", "link"], { encoding: "utf8" });
    expect(links, "the stack's interface is gone").to.not.match(new RegExp(`^${STACK_IF}\\b`, "m"));
  });

  describe("bulk transfer", function () {
    it("50 MB each way at once, SHA-256 equal on both ends", async function () {
      const peer = start(kernelTcp({ listen: port, sendBytes: 50 * MB, order: "duplex" }, NAMESPACE));
      await peer.ready;
      const fd = await connectTo("/dev/rawtcp", sockaddr_in(KERNEL_IP, port));
      const ours = await duplex(fd, 50 * MB, 11);
      const theirs = await peer.result;
      expect(ours.end).to.equal("ordrel");
      expect(ours.sent).to.equal(50 * MB);
      expect(theirs["received_sha256"]).to.equal(ours.sentSha256);
      expect(ours.received).to.equal(50 * MB);
      expect(ours.receivedSha256).to.equal(theirs["sent_sha256"]);
    });

    it("50 MB each way at once with 3 % loss each way (nftables at the kernel's input, the fault injector at ours)", async function () {
      this.timeout(150_000);
      const devices = registerRawHost({ name: "lossy", interface: STACK_IF, address: `${LOSSY_IP}/24`, mac: "02:00:00:00:1f:03", faults: { seed: 13, rx: { drop: 0.03 } }, tcpDevice: "/dev/test-rawtcp-lossy", udpDevice: null });
      nft(`table inet xtirloss {\n chain pre {\n  type filter hook prerouting priority -300; policy accept;\n  iifname "${KERNEL_IF}" ip saddr ${LOSSY_IP} numgen random mod 100 < 3 counter drop\n }\n}\n`);
      try {
        const peer = start(kernelTcp({ listen: port, sendBytes: 50 * MB, order: "duplex" }, NAMESPACE));
        await peer.ready;
        const fd = await connectTo("/dev/test-rawtcp-lossy", sockaddr_in(KERNEL_IP, port));
        const ours = await duplex(fd, 50 * MB, 12);
        const theirs = await peer.result;
        expect(ours.end).to.equal("ordrel");
        expect(theirs["received_sha256"]).to.equal(ours.sentSha256);
        expect(ours.received).to.equal(50 * MB);
        expect(ours.receivedSha256).to.equal(theirs["sent_sha256"]);
        const dropped = /counter packets (\d+)/.exec(execFileSync("ip", ["netns", "exec", NAMESPACE, "nft", "list", "table", "inet", "xtirloss"], { encoding: "utf8" }));
        expect(Number(dropped?.[1]), "frames the kernel's rule dropped").to.be.greaterThan(100);
      } finally {
        execFileSync("ip", ["netns", "exec", NAMESPACE, "nft", "delete", "table", "inet", "xtirloss"], { stdio: "pipe" });
        await cleanup();
        for (const d of devices) unregisterProvider(d);
        await RawHost.shutdown(planHost("lossy", { interface: STACK_IF, address: `${LOSSY_IP}/24` }).key);
      }
    });
  });

  describe("urgent data", function () {
    it("the MSG_OOB transcript both ways at once: 123, urgent 4, 56, urgent 7, 89, each piece a second apart", async function () {
      // Python sends to our listener; t_rcv sees each urgent byte alone, T_EXPEDITED, at its place.
      const l = await bound("/dev/rawtcp", STACK_IP, 1);
      const pythonSends = start(kernel(["send", "--connect", STACK_IP, String(l.port), "--gap", "1"], OOB_PEER));
      const weReceive = (async () => {
        const call = t_call_of({ addr: 16 });
        await ok(t_listen(l.fd, call));
        await ok(t_accept(l.fd, l.fd, call));
        const got = await transcript(l.fd);
        await ok(t_sndrel(l.fd));
        return got;
      })();
      // We send to Python's listener with T_EXPEDITED; recv(MSG_OOB) sees each urgent byte at its mark.
      const pythonReceives = start(kernel(["receive", "--listen", String(port)], OOB_PEER));
      await pythonReceives.ready;
      const fd = await connectTo("/dev/rawtcp", sockaddr_in(KERNEL_IP, port));
      for (const [piece, flags] of [["123", 0], ["4", T_EXPEDITED], ["56", 0], ["7", T_EXPEDITED], ["89", 0]] as const) {
        await ok(t_snd(fd, text(piece), piece.length, flags));
        await new Promise((r) => setTimeout(r, 1000));
      }
      await ok(t_sndrel(fd));
      expect(await weReceive).to.deep.equal(["123", "4!", "56", "7!", "89", "ORDREL"]);
      expect(await pythonSends.result).to.deep.equal({ sent: true });
      expect(await pythonReceives.result).to.deep.equal({ events: [["data", "123"], ["urgent", "4"], ["data", "56"], ["urgent", "7"], ["data", "89"], ["eof"]] });
      expect((await receiveAll(fd)).end).to.equal("ordrel");
    });
  });

  describe("resets and refusals", function () {
    it("the kernel resets (SO_LINGER 0) in the middle of our transfer: T_DISCONNECT with ECONNRESET", async function () {
      const peer = start(kernelTcp({ listen: port, resetAfterBytes: 100_000, order: "recv-first" }, NAMESPACE));
      await peer.ready;
      const fd = await connectTo("/dev/rawtcp", sockaddr_in(KERNEL_IP, port));
      const ours = await duplex(fd, 20 * MB, 3);
      expect((await peer.result)["error"]).to.equal("RESET_SENT");
      expect(ours.end).to.equal("disconnect");
      expect(ours.reason).to.equal(Errno.ECONNRESET);
      expect(ours.sent).to.be.lessThan(20 * MB);
    });

    it("our t_snddis resets the connection: the kernel's recv() fails ECONNRESET", async function () {
      const l = await bound("/dev/rawtcp", STACK_IP, 1);
      const peer = start(kernelTcp({ connect: { host: STACK_IP, port: l.port }, sendBytes: 1000, order: "send-first" }, NAMESPACE));
      const call = t_call_of({ addr: 16 });
      await ok(t_listen(l.fd, call));
      await ok(t_accept(l.fd, l.fd, call));
      const buf = new Uint8Array(1000);
      let got = 0;
      while (got < 1000) got += await ok(t_rcv(l.fd, buf, buf.length, { value: 0 }));
      // The kernel's FIN follows its data: once it is here, the kernel is reading (a RST before
      // its shutdown() would fail that call instead).
      await lookFor(l.fd, T_ORDREL);
      await ok(t_snddis(l.fd, null));
      expect((await peer.result)["error"]).to.equal("ECONNRESET");
    });

    it("a connect to a closed kernel port is refused: TLOOK, T_DISCONNECT with ECONNREFUSED", async function () {
      const fd = open("/dev/rawtcp");
      await ok(t_bind(fd, null, null));
      expectFail(await t_connect(fd, { ...t_call_of(), addr: netbuf(sockaddr_in(KERNEL_IP, 9)) }, null), TLOOK);
      const d = t_discon_of(0);
      await ok(t_rcvdis(fd, d));
      expect(d.reason).to.equal(Errno.ECONNREFUSED);
    });

    it("a connect to an address nobody answers ARP for fails with EHOSTUNREACH", async function () {
      const fd = open("/dev/rawtcp");
      await ok(t_bind(fd, null, null));
      expectFail(await t_connect(fd, { ...t_call_of(), addr: netbuf(sockaddr_in("198.18.0.99", 7)) }, null), TLOOK);
      const d = t_discon_of(0);
      await ok(t_rcvdis(fd, d));
      expect(d.reason).to.equal(Errno.EHOSTUNREACH);
    });
  });

  describe("binding and listening", function () {
    it("a port bound with qlen 0 is taken: TADDRBUSY at t_bind", async function () {
      const first = await bound("/dev/rawtcp", STACK_IP, 0);
      expectFail(await t_bind(open("/dev/rawtcp"), { addr: netbuf(sockaddr_in(STACK_IP, first.port)), qlen: 2 }, null), TADDRBUSY);
      const udp = await bound("/dev/rawudp", STACK_IP);
      expectFail(await t_bind(open("/dev/rawudp"), { addr: netbuf(sockaddr_in("0.0.0.0", udp.port)), qlen: 0 }, null), TADDRBUSY);
    });

    it("a listener with qlen 2 and three kernel callers: two indicated, the third once one is accepted", async function () {
      const l = await bound("/dev/rawtcp", STACK_IP, 2);
      const callers = [0, 1, 2].map(() => start(kernelTcp({ connect: { host: STACK_IP, port: l.port }, order: "recv-first" }, NAMESPACE)));
      fcntl(l.fd, F_SETFL, O_NONBLOCK);
      const calls = [];
      for (let i = 0; i < 2; i++) {
        await lookFor(l.fd, T_LISTEN);
        const call = t_call_of({ addr: 16 });
        await ok(t_listen(l.fd, call));
        calls.push(call);
      }
      // ocnt == qlen: TQFULL once, then TNODATA while the third caller is held (never indicated).
      expectFail(await t_listen(l.fd, t_call_of({ addr: 16 })), TQFULL);
      await new Promise((r) => setTimeout(r, 500));
      expectFail(await t_listen(l.fd, t_call_of({ addr: 16 })), TNODATA);
      const servers = [open("/dev/rawtcp"), open("/dev/rawtcp")];
      await ok(t_accept(l.fd, servers[0]!, calls[0]!));
      await lookFor(l.fd, T_LISTEN, 10_000); // the kernel retransmits the third SYN
      const third = t_call_of({ addr: 16 });
      await ok(t_listen(l.fd, third));
      await ok(t_accept(l.fd, servers[1]!, calls[1]!));
      const last = open("/dev/rawtcp");
      await ok(t_accept(l.fd, last, third));
      for (const fd of [...servers, last]) await ok(t_sndrel(fd));
      for (const c of callers) expect((await c.result)["error"]).to.equal(undefined);
      expect(t_look(l.fd)).to.equal(0);
    });
  });

  describe("datagrams", function () {
    it("keeps boundaries both ways: our datagrams echoed by the kernel, the kernel's echoed by us", async function () {
      const echo = start(kernel(["--timeout", "10", "udp-echo", String(port), "4"]));
      await echo.ready;
      const fd = (await bound("/dev/rawudp", STACK_IP)).fd;
      const sizes = [1, 100, 1472, 3000];
      for (const size of sizes) await ok(t_sndudata(fd, t_unitdata_of({ addr: sockaddr_in(KERNEL_IP, port), udata: new Uint8Array(size).fill(size & 0xff) })));
      const ud = t_unitdata_of({ addr: 16, opt: 64, udata: 65536 });
      for (const size of sizes) {
        await ok(t_rcvudata(fd, ud, { value: 0 }));
        expect(ud.udata.len).to.equal(size);
      }
      expect(((await echo.result)["echoed"] as string[]).map((h) => h.length / 2)).to.deep.equal(sizes);

      const ours = await bound("/dev/rawudp", STACK_IP);
      const sender = start(kernel(["--timeout", "5", "udp-send", STACK_IP, String(ours.port), "3"]));
      for (let i = 0; i < 3; i++) {
        await ok(t_rcvudata(ours.fd, ud, { value: 0 }));
        await ok(t_sndudata(ours.fd, t_unitdata_of({ addr: ud.addr.buf.slice(0, ud.addr.len), udata: ud.udata.buf.slice(0, ud.udata.len) })));
      }
      expect((await sender.result)["replies"]).to.deep.equal([0, 1, 2].map((i) => ({ data: `datagram ${i} from the kernel` })));
    });
  });

  describe("xti-nc from the command line", function () {
    it("sends the urgent transcript: Python sees 123, urgent 4, 56, urgent 7, 89", async function () {
      const input = join(dir, "digits");
      writeFileSync(input, "123456789");
      const peer = start(kernel(["receive", "--listen", String(port)], OOB_PEER));
      await peer.ready;
      const r = await run([XTI_NC, "-D", "/dev/rawtcp", "--send-file", input, "--urgent-at", "3,6", "--pace-ms", "1000", "connect", KERNEL_IP, String(port)]);
      expect(r.code, r.stderr).to.equal(0);
      expect(await peer.result).to.deep.equal({ events: [["data", "123"], ["urgent", "4"], ["data", "56"], ["urgent", "7"], ["data", "89"], ["eof"]] });
    });

    it("receives it with --urgent-apart: the urgent bytes out of the output, reported in order", async function () {
      const cli = launch([XTI_NC, "-D", "/dev/rawtcp", "--urgent-apart", "listen", String(port)]);
      await cli.said("listening on");
      start(kernel(["send", "--connect", CHILD_IP, String(port), "--gap", "1"], OOB_PEER));
      const r = await cli.done;
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.equal("1235689");
      expect(r.stderr.split("\n").filter((l) => l.includes("urgent byte"))).to.deep.equal(["xti-nc: urgent byte 0x34 at offset 3", "xti-nc: urgent byte 0x37 at offset 6"]);
    });
  });

  describe("process lifetime on an interface", function () {
    const child = (mode: string, kernelPort: number) => run([RAW_CHILD, mode, KERNEL_IP, String(kernelPort)]);

    it("a process that sends, releases and closes exits by itself once the kernel has everything", async function () {
      const peer = start(kernelTcp({ listen: port, order: "recv-first" }, NAMESPACE));
      await peer.ready;
      const r = await child("close", port);
      expect(r.code, r.stderr).to.equal(0);
      expect((await peer.result)["received"]).to.equal(300_000);
    });

    it("a process blocked in t_rcv exits on an uncaught exception (the receive worker does not hold exit up)", async function () {
      const peer = start(kernelTcp({ listen: port, order: "recv-first" }, NAMESPACE));
      await peer.ready;
      const r = await child("throw", port);
      expect(r.code).to.equal(1);
      expect(r.stderr).to.contain("boom");
      expect(r.stdout).to.contain("blocked");
    });
  });
});
