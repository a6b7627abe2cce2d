import { expect } from "chai";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { requireRoot } from "./helpers/privileges.js";
import { STACK_IF, topologyDown, topologyUp } from "./helpers/topology.js";

const child = fileURLToPath(new URL("./fixtures/device-child.ts", import.meta.url));
const EXIT_BOUND_MS = 3000;

interface ChildResult {
  code: number | null;
  /** From the child's "opened" line to its exit. */
  exitMs: number;
  stderr: string;
}

/** Run the child in `mode`; kill it (and fail) if it outlives the bound. */
function runChild(mode: string): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ["--import", "tsx", child, STACK_IF, mode], { stdio: ["ignore", "pipe", "pipe"] });
    let openedAt: number | undefined;
    let stdout = "";
    let stderr = "";
    const killer = setTimeout(() => proc.kill("SIGKILL"), 15_000);
    proc.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      if (openedAt === undefined && stdout.includes("opened\n")) openedAt = Date.now();
    });
    proc.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    proc.once("error", reject);
    proc.once("close", (code) => {
      clearTimeout(killer);
      if (openedAt === undefined) reject(new Error(`child (${mode}) never opened the device: ${stderr}`));
      else resolve({ code, exitMs: Date.now() - openedAt, stderr });
    });
  });
}

describe("packet/io: AfPacketDevice never holds a process up", function () {
  this.timeout(30_000);

  before(function () {
    requireRoot(this);
    topologyUp();
  });

  after(function () {
    if (process.getuid?.() === 0) topologyDown();
  });

  it("exits promptly after close()", async function () {
    const result = await runChild("close");
    expect(result.code, result.stderr).to.equal(0);
    expect(result.exitMs).to.be.lessThan(EXIT_BOUND_MS);
  });

  it("exits promptly when an open device is idle and nothing else is pending", async function () {
    const result = await runChild("idle");
    expect(result.code, result.stderr).to.equal(0);
    expect(result.exitMs).to.be.lessThan(EXIT_BOUND_MS);
  });

  it("exits promptly on an uncaught exception with the device open", async function () {
    const result = await runChild("throw");
    expect(result.code).to.equal(1);
    expect(result.stderr).to.contain("deliberate uncaught exception");
    expect(result.exitMs).to.be.lessThan(EXIT_BOUND_MS);
  });

  it("exits promptly on process.exit() with the device open", async function () {
    const result = await runChild("exit");
    expect(result.code, result.stderr).to.equal(3);
    expect(result.exitMs).to.be.lessThan(EXIT_BOUND_MS);
  });
});
