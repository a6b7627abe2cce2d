/**
 * The xti-nc command against the kernel: a 50 MB run each way with SHA-256 on both ends, the
 * listening side with a pcap that tshark reads, the fault injector, UDP, a refused connection
 * (exit 1 with the errno name), usage errors (exit 2) and SIGINT (exit 130, nothing left open).
 */
import { expect } from "chai";
import { execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { KernelProcess, kernelTcp } from "./helpers/kernel-peer.js";
import {
  KERNEL_IP,
  PREFIX_LENGTH,
  STACK_IF,
  STACK_IP,
  STACK_MAC_TEXT,
  useInteropTopology,
} from "./helpers/topology.js";
import { within } from "./helpers/user-side.js";

const CLI = fileURLToPath(new URL("../../../tools/xti-nc/xti-nc.ts", import.meta.url));
const STACK_ARGS = ["--if", STACK_IF, "--ip", `${STACK_IP}/${PREFIX_LENGTH}`, "--mac", STACK_MAC_TEXT];
const MB = 1024 * 1024;

interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

class CliProcess {
  readonly done: Promise<CliRun>;
  private readonly child;
  private stderrText = "";

  constructor(args: readonly string[], stdin = "") {
    this.child = spawn(process.execPath, ["--import", "tsx", CLI, ...args], { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    this.child.stdout.setEncoding("utf8").on("data", (t: string) => (stdout += t));
    this.child.stderr.setEncoding("utf8").on("data", (t: string) => (this.stderrText += t));
    this.child.stdin.end(stdin);
    this.done = new Promise((resolve, reject) => {
      this.child.once("error", reject);
      this.child.once("close", (code, signal) => resolve({ code, signal, stdout, stderr: this.stderrText }));
    });
  }

  /** Resolves once standard error contains `text`. */
  async stderrContains(text: string): Promise<void> {
    while (!this.stderrText.includes(text)) {
      if (this.child.exitCode !== null) throw new Error(`xti-nc exited before printing "${text}":\n${this.stderrText}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  signal(name: NodeJS.Signals): void {
    this.child.kill(name);
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
  }
}

/** The `sent`/`received` SHA-256 lines of --sha256. */
function hashes(stderr: string): { sent: number; sentSha256: string; received: number; receivedSha256: string } {
  const sent = /xti-nc: sent (\d+) bytes sha256 ([0-9a-f]{64})/.exec(stderr);
  const received = /xti-nc: received (\d+) bytes sha256 ([0-9a-f]{64})/.exec(stderr);
  if (sent === null || received === null) throw new Error(`no --sha256 lines in:\n${stderr}`);
  return { sent: Number(sent[1]), sentSha256: sent[2]!, received: Number(received[1]), receivedSha256: received[2]! };
}

describe("packet/interop: the xti-nc command", function () {
  this.timeout(60_000);

  describe("without the network", function () {
    it("exits 2 with the usage on a bad command line, and 0 for --help", async function () {
      const bad = await new CliProcess(["--if", "xtinope", "--ip", "198.18.0.2", "connect", "198.18.0.1", "80"]).done;
      expect(bad.code).to.equal(2);
      expect(bad.stderr).to.contain("--ip needs A.B.C.D/LEN").and.contain("usage: xti-nc");
      const noMode = await new CliProcess([...STACK_ARGS, "send", "198.18.0.1"]).done;
      expect(noMode.code).to.equal(2);
      const help = await new CliProcess(["--help"]).done;
      expect(help.code).to.equal(0);
      expect(help.stdout).to.contain("usage: xti-nc");
    });
  });

  describe("against the kernel", function () {
    let dir = "";
    const children: Array<{ kill(): void }> = [];

    useInteropTopology(() => {
      if (dir !== "") rmSync(dir, { recursive: true, force: true });
    });

    before(function () {
      dir = mkdtempSync(join(tmpdir(), "xti-nc-"));
    });

    afterEach(function () {
      for (const child of children.splice(0)) child.kill();
    });

    it("connect: 50 MB each way, SHA-256 equal on both ends", async function () {
      const peer = kernelTcp({ listen: 5301, sendBytes: 50 * MB, order: "duplex" });
      children.push(peer);
      await peer.ready;
      const cli = new CliProcess([...STACK_ARGS, "--send-bytes", String(50 * MB), "--recv-file", "/dev/null", "--sha256", "connect", KERNEL_IP, "5301"]);
      children.push(cli);
      const run = await within(cli.done, 50_000, "xti-nc");
      const kernel = await peer.result;
      expect(run.code, run.stderr).to.equal(0);
      const ours = hashes(run.stderr);
      expect(ours.sent).to.equal(50 * MB);
      expect(kernel["received_sha256"]).to.equal(ours.sentSha256);
      expect(ours.received).to.equal(50 * MB);
      expect(ours.receivedSha256).to.equal(kernel["sent_sha256"]);
    });

    it("listen: serves one kernel client, writes what arrives, and records a pcap tshark reads", async function () {
      const pcap = join(dir, "listen.pcap");
      const received = join(dir, "received.bin");
      const cli = new CliProcess([...STACK_ARGS, "--send-bytes", String(MB), "--recv-file", received, "--sha256", "--pcap", pcap, "listen", "5302"]);
      children.push(cli);
      await cli.stderrContains("listening on");
      const peer = kernelTcp({ connect: { host: STACK_IP, port: 5302 }, sendBytes: MB, order: "duplex" });
      children.push(peer);
      const run = await within(cli.done, 30_000, "xti-nc");
      const kernel = await peer.result;
      expect(run.code, run.stderr).to.equal(0);
      expect(run.stderr).to.match(/connection from 198\.18\.0\.1:\d+/);
      const ours = hashes(run.stderr);
      expect(kernel["received_sha256"]).to.equal(ours.sentSha256);
      expect(ours.receivedSha256).to.equal(kernel["sent_sha256"]);
      expect(createHash("sha256").update(readFileSync(received)).digest("hex"), "the --recv-file contents").to.equal(kernel["sent_sha256"]);
      const syns = execFileSync("tshark", ["-r", pcap, "-Y", "tcp.flags.syn == 1", "-T", "fields", "-e", "ip.src", "-e", "tcp.srcport", "-e", "tcp.dstport", "-e", "tcp.flags.ack"], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "ignore"], // tshark warns on stderr when run as root
      });
      const lines = syns.trim().split("\n");
      expect(lines, "SYN and SYN-ACK in the capture").to.have.length(2);
      expect(lines[0]).to.match(new RegExp(`^${KERNEL_IP}\t\\d+\t5302\t0$`));
      expect(lines[1]).to.match(new RegExp(`^${STACK_IP}\t5302\t\\d+\t1$`));
    });

    it("--loss: the fault injector drops frames both ways and the transfer still completes", async function () {
      const peer = kernelTcp({ listen: 5303, sendBytes: 2 * MB, order: "duplex" });
      children.push(peer);
      await peer.ready;
      const cli = new CliProcess([...STACK_ARGS, "--loss", "3", "--seed", "5", "--send-bytes", String(2 * MB), "--recv-file", "/dev/null", "--sha256", "--stats", "connect", KERNEL_IP, "5303"]);
      children.push(cli);
      const run = await within(cli.done, 50_000, "xti-nc");
      const kernel = await peer.result;
      expect(run.code, run.stderr).to.equal(0);
      const ours = hashes(run.stderr);
      expect(kernel["received_sha256"]).to.equal(ours.sentSha256);
      expect(ours.receivedSha256).to.equal(kernel["sent_sha256"]);
      const stats = /xti-nc: stats (\{.*\})/.exec(run.stderr);
      expect(stats, "--stats line").to.not.equal(null);
      const counters = JSON.parse(stats![1]!) as { faults: { tx: { dropped: number }; rx: { dropped: number } }; tcp: { segmentsSent: number } };
      expect(counters.faults.tx.dropped, "frames dropped on send").to.be.greaterThan(0);
      expect(counters.faults.rx.dropped, "frames dropped on receive").to.be.greaterThan(0);
      expect(counters.tcp.segmentsSent, "the stack's TCP counters").to.be.greaterThan(0);
    });

    it("--udp: sends standard input as datagrams and writes the echo", async function () {
      const peer = new KernelProcess(["--timeout", "10", "udp-echo", "7301", "1"]);
      children.push(peer);
      await peer.ready;
      const run = await within(new CliProcess([...STACK_ARGS, "--udp", "--idle-ms", "300", "connect", KERNEL_IP, "7301"], "hello over UDP\n").done, 20_000, "xti-nc");
      expect(run.code, run.stderr).to.equal(0);
      expect(run.stdout).to.equal("hello over UDP\n");
      expect(await peer.result).to.deep.equal({ echoed: [Buffer.from("hello over UDP\n").toString("hex")] });
    });

    it("exits 1 with ECONNREFUSED when the kernel refuses the connection", async function () {
      const run = await within(new CliProcess([...STACK_ARGS, "connect", KERNEL_IP, "9"]).done, 20_000, "xti-nc");
      expect(run.code).to.equal(1);
      expect(run.stderr).to.contain("connection failed: ECONNREFUSED");
    });

    it("exits 130 on SIGINT while listening, promptly, with the stack closed", async function () {
      const cli = new CliProcess([...STACK_ARGS, "--stats", "listen", "5304"]);
      children.push(cli);
      await cli.stderrContains("listening on");
      const start = Date.now();
      cli.signal("SIGINT");
      const run = await within(cli.done, 5000, "xti-nc after SIGINT");
      expect(run.code).to.equal(130);
      expect(run.stderr).to.contain("connection failed: ECONNABORTED (interrupted)");
      expect(run.stderr, "counters printed on the way out").to.match(/xti-nc: stats \{/);
      expect(Date.now() - start, "ms to exit").to.be.lessThan(3000);
    });
  });
});
