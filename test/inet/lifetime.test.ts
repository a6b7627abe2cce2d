/**
 * Process lifetime with the kernel providers, as a C program's: blocked in an XTI call (t_listen)
 * the process stays alive; with its endpoints closed, or open but with no call waiting, it exits by
 * itself; an uncaught exception ends it even while a call is blocked (nothing hangs exit).
 */
import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import { connect } from "node:net";
import { fileURLToPath } from "node:url";

const CHILD = fileURLToPath(new URL("./fixtures/lifetime-child.ts", import.meta.url));

interface Child {
  process: ChildProcess;
  firstLine: Promise<Record<string, unknown>>;
  exit: Promise<{ code: number | null; stderr: string }>;
}

function run(mode: string): Child {
  const child = spawn(process.execPath, ["--import", "tsx", CHILD, mode], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (t: string) => (stderr += t));
  const firstLine = new Promise<Record<string, unknown>>((resolve, reject) => {
    child.stdout.setEncoding("utf8").on("data", (t: string) => {
      stdout += t;
      const nl = stdout.indexOf("\n");
      if (nl >= 0) resolve(JSON.parse(stdout.slice(0, nl)) as Record<string, unknown>);
    });
    child.once("close", (code) => reject(new Error(`child (${mode}) exited with ${code} before printing; stderr:\n${stderr}`)));
  });
  firstLine.catch(() => undefined);
  const exit = new Promise<{ code: number | null; stderr: string }>((resolve) => child.once("close", (code) => resolve({ code, stderr })));
  return { process: child, firstLine, exit };
}

function exited(c: Child): boolean {
  return c.process.exitCode !== null || c.process.signalCode !== null;
}

describe("inet: process lifetime", function () {
  this.timeout(30_000);
  const children: Child[] = [];
  const start = (mode: string): Child => {
    const c = run(mode);
    children.push(c);
    return c;
  };

  afterEach(() => {
    for (const c of children.splice(0)) if (!exited(c)) c.process.kill("SIGKILL");
  });

  it("a process blocked in t_listen stays alive until a client comes, then finishes and exits", async () => {
    const c = start("listen");
    const { port } = (await c.firstLine) as { port: number };
    await new Promise((r) => setTimeout(r, 500));
    expect(exited(c), "the child waiting in t_listen").to.equal(false);
    const received = await new Promise<string>((resolve, reject) => {
      let text = "";
      const s = connect(port, "127.0.0.1");
      s.setEncoding("utf8").on("data", (t: string) => (text += t));
      s.on("end", () => {
        s.end();
        resolve(text);
      });
      s.on("error", reject);
    });
    expect(received).to.equal("hi");
    expect((await c.exit).code).to.equal(0);
  });

  it("a process that closes its endpoints exits by itself", async () => {
    const c = start("close");
    expect(await c.firstLine).to.deep.equal({ done: true });
    expect((await c.exit).code).to.equal(0);
  });

  it("a process whose endpoints are open but with no call waiting exits by itself", async () => {
    const c = start("idle");
    expect(await c.firstLine).to.deep.equal({ done: true });
    expect((await c.exit).code).to.equal(0);
  });

  it("a process that throws while blocked in t_rcv exits (the poller thread does not hold exit up)", async () => {
    const c = start("throw");
    await c.firstLine;
    const { code, stderr } = await c.exit;
    expect(code).to.equal(1);
    expect(stderr).to.contain("boom");
  });
});
