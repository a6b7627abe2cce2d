/**
 * examples/echo: the ported connectionless echo server and client (t_sndudata, t_rcvudata, and
 * t_rcvuderr after TLOOK with T_UDERR) as separate processes over /dev/udp, including datagrams
 * that cannot be delivered, on either side.
 */
import { expect } from "chai";
import { createSocket } from "node:dgram";
import { ExampleServer, run, runExample } from "./helpers/programs.js";

/** A UDP port nobody listens on right now. */
function deadPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createSocket("udp4").bind(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/**
 * Send one datagram to `port` from a socket connected elsewhere (port 9), so that the kernel
 * refuses the answer (an ICMP port unreachable to the sender). Python: Node's dgram cannot sendto
 * on a connected socket.
 */
const SEND_FROM_CONNECTED = [
  "import socket, sys",
  "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)",
  "s.bind(('127.0.0.1', 0))",
  "s.connect(('127.0.0.1', 9))",
  "s.sendto(b'lost', ('127.0.0.1', int(sys.argv[1])))",
  "print(s.getsockname()[1])",
].join("\n");

describe("examples/echo", function () {
  this.timeout(30_000);
  let server: ExampleServer | null = null;
  afterEach(async () => {
    await server?.stop();
    server = null;
  });

  it("the client gets every message back, one datagram each, the empty one too", async () => {
    const started = await ExampleServer.start("echo/server.ts", ["udp", "0", "3"]);
    server = started.server;
    expect(started.netid).to.equal("udp");
    const client = await runExample("echo/client.ts", ["udp", "localhost", String(started.port), "hello", "two words", ""]);
    expect(client.code, client.stderr).to.equal(0);
    expect(client.stdout).to.equal("hello\ntwo words\n\n");
    expect(await server.exit).to.deep.equal({ code: 0, stdout: started.server.output("stdout"), stderr: "" });
  });

  it("the client reports the unit data error of a datagram to a port nobody listens on", async () => {
    const port = await deadPort();
    const client = await runExample("echo/client.ts", ["udp", "127.0.0.1", String(port), "anyone?"]);
    expect(client.code).to.equal(1);
    expect(client.stdout).to.equal("");
    const p1 = Math.floor(port / 256);
    const p2 = port % 256;
    expect(client.stderr).to.equal(`client: datagram to 127.0.0.1.${p1}.${p2} failed: Connection refused\n`);
  });

  it("the server reports an answer that could not be delivered, and goes on serving", async () => {
    const started = await ExampleServer.start("echo/server.ts", ["udp", "0", "2"]);
    server = started.server;
    const sender = await run("/usr/bin/python3", ["-c", SEND_FROM_CONNECTED, String(started.port)]);
    expect(sender.code, sender.stderr).to.equal(0);
    const from = Number(sender.stdout);
    await server.waitFor("stderr", /\n/);
    expect(server.output("stderr")).to.equal(`server: datagram to 127.0.0.1.${Math.floor(from / 256)}.${from % 256} failed: Connection refused\n`);
    const client = await runExample("echo/client.ts", ["udp", "localhost", String(started.port), "still there?"]);
    expect(client.code, client.stderr).to.equal(0);
    expect(client.stdout).to.equal("still there?\n");
    expect((await server.exit).code).to.equal(0);
  });

  it("says why when the transport or the service is unknown", async () => {
    const netid = await runExample("echo/client.ts", ["nosuch", "localhost", "7", "x"]);
    expect(netid.code).to.equal(1);
    expect(netid.stderr).to.equal("nosuch: netid not found in <built-in>\n");
    const service = await runExample("echo/client.ts", ["udp", "localhost", "no-such-service", "x"]);
    expect(service.code).to.equal(1);
    expect(service.stderr).to.equal("localhost: n2a: service name not found (no service no-such-service/udp in /etc/services)\n");
  });
});
