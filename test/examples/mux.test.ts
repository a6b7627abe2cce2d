/**
 * examples/mux: the ported non-blocking multiplexing server in its own process, serving three
 * clients at once: one here (an Endpoint over /dev/tcp, which holds its connection open while the
 * others are served), the ported client, and nc. Each gets exactly its own echo, expedited data
 * as expedited data at its place (POLLRDBAND, T_EXDATA, T_EXPEDITED); the server reports the
 * options it negotiated and read back.
 */
import { expect } from "chai";
import { Endpoint, POLLRDBAND, T_EXDATA, T_EXPEDITED, T_ORDREL, TLOOK, XTIError, poll, sockaddr_in, type Received } from "../../src/index.js";
import { ExampleServer, run, runExample } from "./helpers/programs.js";

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

/** What `ep` receives until `until` says stop: pieces, adjacent ones of the same kind merged. */
async function receive(ep: Endpoint, until: (pieces: Array<{ data: string; expedited: boolean }>) => boolean): Promise<Array<{ data: string; expedited: boolean }>> {
  const pieces: Array<{ data: string; expedited: boolean }> = [];
  const buf = new Uint8Array(256);
  while (!until(pieces)) {
    let got: Received;
    try {
      got = await ep.rcv(buf);
    } catch (e) {
      if (e instanceof XTIError && e.t_errno === TLOOK && ep.look() === T_ORDREL) {
        await ep.rcvrel();
        pieces.push({ data: "<ordrel>", expedited: false });
        continue;
      }
      throw e;
    }
    const data = new TextDecoder().decode(buf.subarray(0, got.n));
    const expedited = (got.flags & T_EXPEDITED) !== 0;
    const last = pieces.at(-1);
    if (last !== undefined && last.expedited === expedited && !expedited) last.data += data;
    else pieces.push({ data, expedited });
  }
  return pieces;
}

describe("examples/mux", function () {
  this.timeout(30_000);
  let server: ExampleServer | null = null;
  let held: Endpoint | null = null;
  afterEach(async () => {
    await held?.close();
    held = null;
    await server?.stop();
    server = null;
  });

  it("serves several clients at once, each its own echo with expedited data in place", async () => {
    const started = await ExampleServer.start("mux/server.ts", ["tcp", "0", "3"]);
    server = started.server;

    // The first client connects and is answered, then keeps its connection open.
    held = Endpoint.open("/dev/tcp");
    await held.bind();
    await held.connect(sockaddr_in("127.0.0.1", started.port));
    await held.snd(text("first "));
    expect(await receive(held, (p) => p.map((x) => x.data).join("") === "first ")).to.deep.equal([{ data: "first ", expedited: false }]);

    // Two more while it waits: the ported client (with an expedited byte) and nc.
    const [client, nc] = await Promise.all([
      runExample("mux/client.ts", ["tcp", "localhost", String(started.port), "one ", "!u", " two"]),
      run("nc", ["-N", "127.0.0.1", String(started.port)], { input: "from nc\n" }),
    ]);
    expect(client.code, client.stderr).to.equal(0);
    expect(client.stdout).to.equal("one !u two\n");
    expect(nc.code, nc.stderr).to.equal(0);
    expect(nc.stdout).to.equal("from nc\n");

    // The first client goes on: an expedited byte, more data, its release.
    await held.snd(text("x"), T_EXPEDITED);
    await held.snd(text("second"));
    await held.sndrel();
    // The echoed byte comes back expedited: poll says POLLRDBAND, t_look T_EXDATA, t_rcv T_EXPEDITED.
    const pfd = { fd: held.fd, events: POLLRDBAND, revents: 0 };
    expect(await poll([pfd], 1, -1)).to.equal(1);
    expect(pfd.revents & POLLRDBAND).to.equal(POLLRDBAND);
    expect(held.look()).to.equal(T_EXDATA);
    const rest = await receive(held, (p) => p.at(-1)?.data === "<ordrel>");
    expect(rest).to.deep.equal([
      { data: "x", expedited: true },
      { data: "second", expedited: false },
      { data: "<ordrel>", expedited: false },
    ]);
    await held.close();
    held = null;

    const done = await server.exit;
    expect(done.code, done.stderr).to.equal(0);
    const lines = done.stdout.split("\n");
    const opened = lines.filter((l) => /^connection \d from /.test(l));
    expect(opened).to.have.length(3);
    for (const line of opened) expect(line).to.match(/^connection \d from 127\.0\.0\.1\.\d+\.\d+: nodelay on, keepalive on 10 min$/);
    const closed = lines.filter((l) => /^connection \d closed: /.test(l)).map((l) => l.replace(/^connection \d /, ""));
    expect(closed).to.have.members(["closed: 8 bytes, 1 expedited", "closed: 12 bytes, 1 expedited", "closed: 8 bytes, 0 expedited"]);
    expect(lines.find((l) => l.startsWith("connection 1 closed"))).to.equal("connection 1 closed: 12 bytes, 1 expedited");
  });

  it("says why when it cannot start", async () => {
    const usage = await runExample("mux/server.ts", ["tcp"]);
    expect(usage.code).to.equal(2);
    expect(usage.stderr).to.equal("usage: server netid service [count]\n");
    const netid = await runExample("mux/server.ts", ["nosuch", "0"]);
    expect(netid.code).to.equal(1);
    expect(netid.stderr).to.equal("nosuch: netid not found in <built-in>\n");
  });
});
