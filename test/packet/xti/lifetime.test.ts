/**
 * Process lifetime with /dev/rawtcp and /dev/rawudp (child processes on an in-memory hub; no
 * privileges): a pending connect, unacknowledged data, a listener and a blocked call keep the
 * process alive as a socket would, without anyone calling ref(); an idle host, or a closed one,
 * lets it exit by itself; an uncaught exception ends it even while a call is blocked.
 */
import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Errno } from "../../../src/index.js";

const CHILD = fileURLToPath(new URL("./fixtures/lifetime-child.ts", import.meta.url));

interface Run {
  code: number | null;
  lines: Array<Record<string, unknown>>;
  stderr: string;
}

const running: ChildProcess[] = [];

/** Run the child in `mode` to its end; a child still running after `limitMs` is killed (and fails). */
function run(mode: string, limitMs = 15_000): Promise<Run> {
  const child = spawn(process.execPath, ["--import", "tsx", CHILD, mode], { stdio: ["ignore", "pipe", "pipe"] });
  running.push(child);
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (t: string) => (stdout += t));
  child.stderr.setEncoding("utf8").on("data", (t: string) => (stderr += t));
  const timer = setTimeout(() => child.kill("SIGKILL"), limitMs);
  return new Promise((resolve) =>
    child.once("close", (code) => {
      clearTimeout(timer);
      const lines = stdout
        .split("\n")
        .filter((l) => l !== "")
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      resolve({ code, lines, stderr });
    }),
  );
}

describe("packet/xti: process lifetime with the user-space providers", function () {
  this.timeout(30_000);

  afterEach(() => {
    for (const c of running.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  });

  it("a pending connect keeps the process alive until it is decided (here: refused, after 300 ms)", async function () {
    const r = await run("connect-pending");
    expect(r.code, r.stderr).to.equal(0);
    expect(r.lines).to.deep.equal([{ started: true }, { event: "T_DISCONNECT", reason: Errno.ECONNREFUSED }]);
  });

  it("data sent and not yet acknowledged keeps it alive after t_close: the peer gets all of it", async function () {
    const r = await run("unacked");
    expect(r.code, r.stderr).to.equal(0);
    expect(r.lines).to.deep.equal([{ sent: 200_000 }, { received: 200_000, after: "TLOOK" }]);
  });

  it("a listener keeps it alive; closed, it lets the process exit", async function () {
    const r = await run("listening");
    expect(r.code, r.stderr).to.equal(0);
    expect(r.lines).to.deep.equal([{ listening: true }, { closed: true }]);
  });

  it("a call blocked on an endpoint keeps it alive until it completes", async function () {
    const r = await run("blocked");
    expect(r.code, r.stderr).to.equal(0);
    expect(r.lines).to.deep.equal([{ blocked: true }, { received: "hi" }]);
  });

  it("endpoints open with nothing pending or waiting, or closed, let the process exit by itself", async function () {
    for (const mode of ["idle", "closed"]) {
      const r = await run(mode);
      expect(r.code, `${mode}: ${r.stderr}`).to.equal(0);
      expect(r.lines).to.deep.equal([{ done: true }]);
    }
  });

  it("an uncaught exception ends a process blocked in t_rcv", async function () {
    const r = await run("throw");
    expect(r.code).to.equal(1);
    expect(r.stderr).to.contain("boom");
    expect(r.lines).to.deep.equal([{ blocked: true }]);
  });
});
