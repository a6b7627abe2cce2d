/**
 * xti-nc's datagram session on /dev/ticlts: the idle wait that ends it counts from the end of the
 * input, so an answer that takes its time still arrives when the input itself was slow to come.
 */
import { expect } from "chai";
import { setTimeout as sleep } from "node:timers/promises";
import { t_rcvudata, t_sndudata, t_unitdata_of } from "../../src/index.js";
import type { ByteSink } from "../../tools/xti-nc/byte-sink.js";
import type { ByteSource } from "../../tools/xti-nc/byte-source.js";
import { DatagramSession } from "../../tools/xti-nc/datagram-session.js";
import { boundClts, cleanup } from "../helpers/xti.js";

/** Echo each datagram back to its sender `delayMs` later, until the endpoint is closed. */
async function echo(fd: number, delayMs: number): Promise<void> {
  const ud = t_unitdata_of({ addr: 64, opt: 64, udata: 1024 });
  while ((await t_rcvudata(fd, ud, { value: 0 })) >= 0) {
    const reply = t_unitdata_of({ addr: ud.addr.buf.slice(0, ud.addr.len), udata: ud.udata.buf.slice(0, ud.udata.len) });
    await sleep(delayMs);
    if ((await t_sndudata(fd, reply)) < 0) return;
  }
}

/** One chunk of input, handed over `delayMs` after the first read, then the end of it. */
function slowSource(chunk: Uint8Array, delayMs: number): ByteSource {
  let given = false;
  return {
    async read() {
      if (given) return null;
      given = true;
      await sleep(delayMs);
      return chunk;
    },
    close() {},
  };
}

describe("tools/xti-nc: the datagram session", () => {
  afterEach(cleanup);

  it("waits --idle-ms for the answer from the end of the input, not from the start of the session", async () => {
    const peer = await boundClts("/dev/ticlts");
    const ours = await boundClts("/dev/ticlts");
    const echoing = echo(peer.fd, 50);
    const written: Buffer[] = [];
    const sink: ByteSink = { write: (data, done) => (written.push(Buffer.from(data)), done()), finish: () => Promise.resolve() };
    const notes: string[] = [];
    // The input takes twice the idle time to come; the echo takes a tenth of it.
    const session = new DatagramSession(ours.fd, peer.addr, 1024, { source: slowSource(Buffer.from("ping"), 1000), sink, idleMs: 500, note: (m) => notes.push(m) });
    await session.run();
    expect(Buffer.concat(written).toString(), "the echo written out").to.equal("ping");
    expect(session.totals()).to.include({ sent: 4, received: 4 });
    expect(notes).to.deep.equal([]);
    await cleanup();
    await echoing;
  });
});
