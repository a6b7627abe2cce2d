/**
 * examples/daytime: the ported SVR4 daytime server and client run as two separate Node processes
 * (they import "xti", so they run the built dist/), against each other and against nc.
 */
import { expect } from "chai";
import { execFile, spawn } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));
const CTIME = /^(Sun|Mon|Tue|Wed|Thu|Fri|Sat) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ \d]\d \d\d:\d\d:\d\d \d{4}\n$/;

function run(command: string, args: string[], input?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(command, args, { cwd: root, timeout: 20_000 }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === "number" ? err.code : null, stdout, stderr });
    });
    if (input !== undefined) child.stdin!.end(input);
  });
}

const node = (program: string, ...args: string[]) => run(process.execPath, ["--import", "tsx", `examples/daytime/${program}`, ...args]);

/** Start the server for `count` callers; resolves with its port and its exit. */
function startServer(count: number): Promise<{ port: number; exit: Promise<number | null> }> {
  const child = spawn(process.execPath, ["--import", "tsx", "examples/daytime/server.ts", "0", String(count)], { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
  const exit = new Promise<number | null>((resolve) => child.once("close", resolve));
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (text: string) => {
      out += text;
      const m = /daytime server on port (\d+)\n/.exec(out);
      if (m !== null) resolve({ port: Number(m[1]), exit });
    });
    void exit.then((code) => reject(new Error(`the server exited (${code}) before listening: ${out}`)));
  });
}

/** A port nobody uses right now (for nc -l). */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

describe("examples/daytime", function () {
  this.timeout(30_000);

  it("the server answers the ported client and nc, then exits after its two callers", async () => {
    const server = await startServer(2);
    const client = await node("client.ts", "127.0.0.1", String(server.port));
    expect(client.code, client.stderr).to.equal(0);
    expect(client.stdout).to.match(CTIME);
    const nc = await run("nc", ["-d", "127.0.0.1", String(server.port)]);
    expect(nc.code, nc.stderr).to.equal(0);
    expect(nc.stdout).to.match(CTIME);
    expect(await server.exit).to.equal(0);
  });

  it("the client prints what an nc daytime server sends, and releases the connection", async () => {
    const port = await freePort();
    const time = "Thu Jan  1 00:00:00 1970\n";
    const nc = run("nc", ["-N", "-l", "127.0.0.1", String(port)], time);
    while (!(await run("ss", ["-Hltn", `sport = :${port}`])).stdout.includes(`:${port}`)) await new Promise((r) => setTimeout(r, 20));
    const client = await node("client.ts", "127.0.0.1", String(port));
    expect(client.code, client.stderr).to.equal(0);
    expect(client.stdout).to.equal(time);
    expect((await nc).code).to.equal(0);
  });
});
