/**
 * The idiomatic layer: Endpoint methods return results and throw XTIError with t_errno, errno and
 * the call name, over the same core as the C-style functions. Also: t_errno is per thread.
 */
import { expect } from "chai";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import {
  Endpoint,
  O_RDWR,
  T_DATAXFER,
  T_DISCONNECT,
  T_EXPEDITED,
  T_MORE,
  T_COTS_ORD,
  T_ORDREL,
  TBADF,
  TBADNAME,
  TLOOK,
  TNODATA,
  TSYSERR,
  XTIError,
  t_errno,
  t_look,
  t_open,
  t_snd,
} from "../../src/index.js";
import { ECONNREFUSED, EFAULT } from "../../src/errno.js";
import { cleanup, detach, loopback, text, xtiErrorOf } from "../helpers/xti.js";


let services = 0;

async function connected(device = "/dev/ticotsord"): Promise<{ client: Endpoint; server: Endpoint; listener: Endpoint }> {
  const listener = Endpoint.open(device);
  const { addr } = await listener.bind(text(`svc-${++services}`), 1);
  const client = Endpoint.open(device);
  await client.bind();
  const server = Endpoint.open(device);
  const accepting = listener.listen().then((ind) => listener.accept(ind.sequence, server));
  await client.connect(addr);
  await accepting;
  return { client, server, listener };
}

describe("idiomatic Endpoint API", () => {
  afterEach(cleanup);

  it("connects, exchanges a TSDU in pieces and releases", async () => {
    const { client, server } = await connected();
    expect(client.getstate()).to.equal(T_DATAXFER);
    await client.snd(text("hello "), T_MORE);
    await client.snd(text("world"));
    const unit = await server.rcvUnit(4);
    expect(Buffer.from(unit.data).toString()).to.equal("hello world");
    expect(unit.expedited).to.equal(false);
    await client.snd(text("!"), T_EXPEDITED);
    expect((await server.rcvUnit()).expedited).to.equal(true);
    await client.sndrel();
    expect(server.look()).to.equal(T_ORDREL);
    await server.rcvrel();
    await server.sndrel();
    await client.rcvrel();
    expect(client.getprotaddr().remote.length).to.equal(0);
  });

  it("rcvUnit: an ETSDU overtaking a TSDU being read comes first, and the TSDU is completed by the next call", async () => {
    const { client, server } = await connected();
    await client.snd(text("abc"), T_MORE);
    const first = server.rcvUnit(); // reads "abc", then waits for the rest of the TSDU
    await new Promise((r) => setImmediate(r));
    await client.snd(text("X"), T_EXPEDITED);
    const ex = await first;
    expect({ data: Buffer.from(ex.data).toString(), expedited: ex.expedited }).to.deep.equal({ data: "X", expedited: true });
    await client.snd(text("def"));
    const unit = await server.rcvUnit();
    expect({ data: Buffer.from(unit.data).toString(), expedited: unit.expedited }).to.deep.equal({ data: "abcdef", expedited: false });
  });

  it("rcvUnit: each unit has a buffer of its own, so transferring one leaves the next unit and the queue whole", async () => {
    const { client, server } = await connected();
    for (const word of ["one", "two", "three"]) await client.snd(text(word));
    const first = (await server.rcvUnit()).data;
    expect(first.buffer.byteLength, "the unit's buffer holds only the unit").to.equal(first.length);
    detach(first);
    expect(first.length).to.equal(0);
    const rest = [await server.rcvUnit(), await server.rcvUnit()].map((u) => Buffer.from(u.data).toString());
    expect(rest).to.deep.equal(["two", "three"]);
    await client.snd(text("four"));
    expect(Buffer.from((await server.rcvUnit()).data).toString(), "data after it flows as before").to.equal("four");
  });

  it("rcvUnit on a byte stream, in pieces smaller than what arrived: each has a buffer of its own, and transferring one loses nothing", async () => {
    const { client, server } = await connected(loopback({ servtype: T_COTS_ORD, tsdu: 0 }));
    const sent = Uint8Array.from({ length: 100 }, (_, i) => i);
    await client.snd(sent);
    const first = (await server.rcvUnit(16)).data;
    expect([...first]).to.deep.equal([...sent.subarray(0, 16)]);
    expect(first.buffer.byteLength, "not a view of the 100-byte piece").to.equal(16);
    detach(first);
    expect([...(await server.rcvUnit()).data], "the other 84 bytes").to.deep.equal([...sent.subarray(16)]);
  });

  it("rcvudata: concurrent receives on one endpoint each get their own datagram and address", async () => {
    const a = Endpoint.open("/dev/ticlts");
    const b = Endpoint.open("/dev/ticlts");
    const { addr: aAddr } = await a.bind(text("udp-a"));
    await b.bind(text("udp-b"));
    const got = Promise.all([a.rcvudata(), a.rcvudata(), a.rcvudata()]);
    await new Promise((r) => setImmediate(r));
    for (const m of ["one", "two", "three"]) await b.sndudata(aAddr, text(m));
    const received = await got;
    // Later receives reuse the endpoint's buffers; results already returned must stay intact.
    await b.sndudata(aAddr, text("four"));
    const fourth = await a.rcvudata();
    expect(received.map((d) => Buffer.from(d.udata).toString()).sort()).to.deep.equal(["one", "three", "two"]);
    expect(received.map((d) => Buffer.from(d.addr).toString())).to.deep.equal(["udp-b", "udp-b", "udp-b"]);
    expect(Buffer.from(fourth.udata).toString()).to.equal("four");
  });

  it("rcvudata in parts: each part has a buffer of its own, and transferring one loses nothing of the rest", async () => {
    const a = Endpoint.open("/dev/ticlts");
    const b = Endpoint.open("/dev/ticlts");
    const { addr: aAddr } = await a.bind(text("udp-parts-a"));
    await b.bind(text("udp-parts-b"));
    const sent = Uint8Array.from({ length: 100 }, (_, i) => i);
    await b.sndudata(aAddr, sent);
    const first = await a.rcvudata(16);
    expect(first.flags & T_MORE, "the rest follows").to.equal(T_MORE);
    expect(first.udata.buffer.byteLength, "not a view of the 100-byte datagram").to.equal(16);
    detach(first.udata);
    const rest = await a.rcvudata();
    expect([...rest.udata], "the other 84 bytes").to.deep.equal([...sent.subarray(16)]);
  });

  it("throws XTIError with t_errno, errno, code, the call and a readable message", async () => {
    const e = (() => {
      try {
        Endpoint.open("/dev/none");
      } catch (err) {
        return err as XTIError;
      }
      throw new Error("no error");
    })();
    expect(e.t_errno).to.equal(TBADNAME);
    expect(e.code).to.equal("TBADNAME");
    expect(e.call).to.equal("t_open");
    expect(e.message).to.match(/^t_open: TBADNAME: Invalid transport provider name/);

    const ep = Endpoint.open("/dev/ticots", { nonblock: true });
    await ep.bind();
    const refused = await xtiErrorOf(ep.connect(text("nobody")));
    expect(refused.t_errno).to.equal(TNODATA);
    expect(ep.look()).to.equal(T_DISCONNECT);
    const d = await ep.rcvdis();
    expect(d.reason).to.equal(ECONNREFUSED);
  });

  it("reports TSYSERR with errno, and TLOOK from a blocking connect", async () => {
    const { client } = await connected("/dev/ticots");
    const sys = await xtiErrorOf((client as unknown as { snd: (d: unknown) => Promise<number> }).snd("bytes?"));
    expect(sys.t_errno).to.equal(TSYSERR);
    expect(sys.errno).to.equal(EFAULT);
    expect(sys.message).to.contain("EFAULT");
    const lone = Endpoint.open("/dev/ticots");
    await lone.bind();
    const look = await xtiErrorOf(lone.connect(text("nobody")));
    expect(look.t_errno).to.equal(TLOOK);
  });

  it("gives concurrent flows their own errors without a shared t_errno", async () => {
    const a = Endpoint.open("/dev/ticots", { nonblock: true });
    const b = Endpoint.open("/dev/ticots");
    await b.bind();
    const [ea, eb] = await Promise.all([xtiErrorOf(a.rcv(new Uint8Array(1))), xtiErrorOf(b.connect(text("nobody")))]);
    expect(ea.call).to.equal("t_rcv");
    expect(eb.call).to.equal("t_connect");
    expect(eb.t_errno).to.equal(TLOOK);
  });

  it("shares descriptors with the C-style API", async () => {
    const fd = t_open("/dev/ticots", O_RDWR);
    const ep = Endpoint.fromFd(fd);
    await ep.bind();
    expect(t_look(fd)).to.equal(0);
    expect(await t_snd(fd, text("x"), 1, 0)).to.equal(-1);
    expect(t_errno).to.not.equal(0);
    await ep.close();
    expect(() => ep.look()).to.throw(XTIError).with.property("t_errno", TBADF);
  });

  it("keeps t_errno per thread: a failure in a worker does not change this thread's t_errno", async () => {
    expect(t_open("/dev/none", O_RDWR)).to.equal(-1);
    expect(t_errno).to.equal(TBADNAME);
    // Node 20 does not pass --import tsx to workers: the worker registers tsx's CommonJS hook itself.
    const req = createRequire(import.meta.url);
    const code = `
      require(${JSON.stringify(req.resolve("tsx/cjs/api"))}).register();
      const { parentPort } = require("node:worker_threads");
      const x = require(${JSON.stringify(fileURLToPath(new URL("../../src/index.ts", import.meta.url)))});
      x.t_close(77).then((r) => parentPort.postMessage({ r, t_errno: x.t_errno }));
    `;
    const worker = new Worker(code, { eval: true });
    const msg = await new Promise<{ r: number; t_errno: number }>((resolve, reject) => {
      worker.once("message", resolve);
      worker.once("error", reject);
    });
    await worker.terminate();
    expect(msg).to.deep.equal({ r: -1, t_errno: TBADF });
    expect(t_errno, "this thread still sees its own last error").to.equal(TBADNAME);
  });
});
