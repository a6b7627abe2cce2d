/**
 * examples/daytime: the ported SVR4 daytime server and client run as separate Node processes,
 * against each other and against nc, each finding its transport through NETPATH and its address
 * through netdir.
 */
import { expect } from "chai";
import { createServer } from "node:net";
import { ExampleServer, run, runExample } from "./helpers/programs.js";

const CTIME = /^(Sun|Mon|Tue|Wed|Thu|Fri|Sat) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ \d]\d \d\d:\d\d:\d\d \d{4}\n$/;

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
  let server: ExampleServer | null = null;
  afterEach(async () => {
    await server?.stop();
    server = null;
  });

  it("the server answers the ported client and nc, then exits after its two callers", async () => {
    const started = await ExampleServer.start("daytime/server.ts", ["0", "2"], { NETPATH: "tcp" });
    server = started.server;
    expect(started.netid).to.equal("tcp");
    // ticotsord first: its loopback netdir finds localhost, nobody listens there, the client goes on to tcp.
    const client = await runExample("daytime/client.ts", ["localhost", String(started.port)], { NETPATH: "ticotsord:tcp" });
    expect(client.code, client.stderr).to.equal(0);
    expect(client.stdout).to.match(CTIME);
    expect(client.stderr).to.match(/^ticotsord: disconnected \(reason \d+\)\n$/);
    const nc = await run("nc", ["-d", "127.0.0.1", String(started.port)]);
    expect(nc.code, nc.stderr).to.equal(0);
    expect(nc.stdout).to.match(CTIME);
    expect((await server.exit).code).to.equal(0);
  });

  it("runs over IPv6 when NETPATH says tcp6, with no change to the programs", async () => {
    const started = await ExampleServer.start("daytime/server.ts", ["0", "1"], { NETPATH: "tcp6" });
    server = started.server;
    expect(started.netid).to.equal("tcp6");
    const client = await runExample("daytime/client.ts", ["::1", String(started.port)], { NETPATH: "tcp6" });
    expect(client.code, client.stderr).to.equal(0);
    expect(client.stdout).to.match(CTIME);
    expect((await server.exit).code).to.equal(0);
  });

  it("the client prints what an nc daytime server sends, and releases the connection", async () => {
    const port = await freePort();
    const time = "Thu Jan  1 00:00:00 1970\n";
    const nc = run("nc", ["-N", "-l", "127.0.0.1", String(port)], { input: time });
    while (!(await run("ss", ["-Hltn", `sport = :${port}`])).stdout.includes(`:${port}`)) await new Promise((r) => setTimeout(r, 20));
    // The default NETPATH puts tcp6 first: 127.0.0.1 is reached there as ::ffff:127.0.0.1.
    const client = await runExample("daytime/client.ts", ["127.0.0.1", String(port)]);
    expect(client.code, client.stderr).to.equal(0);
    expect(client.stdout).to.equal(time);
    expect((await nc).code).to.equal(0);
  });

  it("says why when no transport of NETPATH reaches the service", async () => {
    const unknown = await runExample("daytime/client.ts", ["localhost", "no-such-service"], { NETPATH: "tcp" });
    expect(unknown.code).to.equal(1);
    expect(unknown.stderr).to.equal("tcp: n2a: service name not found (no service no-such-service/tcp in /etc/services)\nclient: cannot reach localhost\n");
    const connectionless = await runExample("daytime/client.ts", ["localhost", "13"], { NETPATH: "udp" });
    expect(connectionless.code).to.equal(1);
    expect(connectionless.stderr).to.equal("client: cannot reach localhost\n");
    const usage = await runExample("daytime/client.ts", []);
    expect(usage.code).to.equal(2);
    const noServer = await runExample("daytime/server.ts", ["0"], { NETPATH: "udp:nosuch" });
    expect(noServer.code).to.equal(1);
    expect(noServer.stderr).to.equal("server: no transport in NETPATH serves this\n");
  });
});
