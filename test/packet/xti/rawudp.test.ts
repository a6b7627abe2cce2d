/**
 * /dev/rawudp through t_* calls, between two stacks on an in-memory hub: /dev/udp's t_info,
 * datagrams kept whole (zero-length and 65507-byte ones too), T_UDERR with Linux's errno for a
 * closed port, TADDRBUSY, and UDP_CHECKSUM both ways.
 */
import { expect } from "chai";
import {
  Errno,
  T_CLTS,
  T_DATA,
  T_INET_UDP,
  T_INVALID,
  T_NEGOTIATE,
  T_NO,
  T_SENDZERO,
  T_SUCCESS,
  T_UDERR,
  T_UDP_CHECKSUM,
  T_YES,
  TADDRBUSY,
  TNODATA,
  XTI_GENERIC,
  XTI_RCVBUF,
  decodeOptions,
  encodeOptions,
  netbuf,
  readUscalar,
  scalarValue,
  sockaddr_in,
  t_bind,
  t_close,
  t_errno,
  t_getinfo,
  t_optmgmt,
  t_optmgmt_of,
  t_rcvudata,
  t_rcvuderr,
  t_sndudata,
  t_uderr_of,
  t_unitdata_of,
  type t_info,
} from "../../../src/index.js";
import { cleanup, expectFail, ok, open, pattern, text } from "../../helpers/xti.js";
import { bound, lookFor, memoryHosts, userHost } from "./helpers.js";

describe("packet/xti: /dev/rawudp over two stacks on an in-memory hub", function () {
  this.timeout(20_000);
  const hosts = memoryHosts("udp");
  const { a, b } = hosts;

  afterEach(cleanup);
  after(() => hosts.remove());

  async function receive(fd: number): Promise<{ data: Uint8Array; addr: Uint8Array; opt: Uint8Array }> {
    const ud = t_unitdata_of({ addr: 16, opt: 64, udata: 65536 });
    await ok(t_rcvudata(fd, ud, { value: 0 }), "t_rcvudata");
    return { data: ud.udata.buf.slice(0, ud.udata.len), addr: ud.addr.buf.slice(0, ud.addr.len), opt: ud.opt.buf.slice(0, ud.opt.len) };
  }

  it("reports /dev/udp's t_info: datagrams up to 65507 bytes, zero-length ones too", () => {
    const info: t_info = { addr: 0, options: 0, tsdu: 0, etsdu: 0, connect: 0, discon: 0, servtype: 0, flags: 0 };
    expect(t_getinfo(open(a.udp), info)).to.equal(0);
    expect(info).to.include({ addr: 16, tsdu: 65507, etsdu: T_INVALID, connect: T_INVALID, discon: T_INVALID, servtype: T_CLTS, flags: T_SENDZERO });
  });

  it("keeps datagram boundaries both ways, from an empty one to the largest, with the sender's address", async function () {
    const x = await bound(a.udp, a.address);
    const y = await bound(b.udp, b.address);
    const sizes = [0, 1, 1472, 1473, 65507];
    for (const size of sizes) await ok(t_sndudata(x.fd, t_unitdata_of({ addr: y.addr, udata: pattern(size, size) })));
    for (const size of sizes) {
      const got = await receive(y.fd);
      expect(got.data.length).to.equal(size);
      expect(Buffer.compare(got.data, pattern(size, size))).to.equal(0);
      expect(Buffer.from(got.addr)).to.deep.equal(Buffer.from(x.addr));
    }
    await ok(t_sndudata(y.fd, t_unitdata_of({ addr: x.addr, udata: text("back") })));
    expect(Buffer.from((await receive(x.fd)).data).toString()).to.equal("back");
  });

  it("a datagram to a closed port comes back as T_UDERR with ECONNREFUSED (ICMP port unreachable)", async function () {
    const x = await bound(a.udp, a.address);
    await bound(b.udp, b.address); // keeps b's host up: with no endpoint left it would close, and ARP would fail
    const gone = await bound(b.udp, b.address);
    await ok(t_close(gone.fd));
    await ok(t_sndudata(x.fd, t_unitdata_of({ addr: gone.addr, udata: text("anyone?") })));
    await lookFor(x.fd, T_UDERR);
    const e = t_uderr_of({ addr: 16, opt: 16 });
    await ok(t_rcvuderr(x.fd, e));
    expect(e.error).to.equal(Errno.ECONNREFUSED);
    expect(Buffer.from(e.addr.buf.subarray(0, e.addr.len))).to.deep.equal(Buffer.from(gone.addr));
  });

  it("reserves the port at t_bind: a second bind fails TADDRBUSY", async function () {
    const x = await bound(a.udp, a.address);
    expectFail(await t_bind(open(a.udp), { addr: netbuf(sockaddr_in(a.address, x.port)), qlen: 0 }, null), TADDRBUSY);
  });

  it("unread datagrams are bounded by XTI_RCVBUF, each counted as its length plus 256 bytes (empty ones too); those dropped are counted in the stack's counters", async function () {
    const x = await bound(a.udp, a.address);
    const y = await bound(b.udp, b.address, 0, true);
    const rcvbuf = encodeOptions([{ level: XTI_GENERIC, name: XTI_RCVBUF, value: scalarValue(4096) }]);
    await ok(t_optmgmt(y.fd, t_optmgmt_of(rcvbuf, T_NEGOTIATE), t_optmgmt_of(64)));
    await ok(t_sndudata(x.fd, t_unitdata_of({ addr: y.addr, udata: text("first") }))); // ARP resolved
    await lookFor(y.fd, T_DATA);
    expect(Buffer.from((await receive(y.fd)).data).toString()).to.equal("first");
    const counters = userHost(b).stack.counters.udp;
    const readAll = async (): Promise<number> => {
      const ud = t_unitdata_of({ addr: 16, opt: 64, udata: 2048 });
      for (let n = 0; ; n++) {
        if ((await t_rcvudata(y.fd, ud, { value: 0 })) < 0) {
          expect(t_errno).to.equal(TNODATA);
          return n;
        }
      }
    };
    // Taken while less than 4096 bytes are held: 16 empty datagrams (16 × 256), 4 of 1000 bytes (4 × 1256).
    for (const [size, fit] of [
      [0, 16],
      [1000, 4],
    ] as const) {
      const before = counters.receiveBufferErrors;
      for (let i = 0; i < 100; i++) await ok(t_sndudata(x.fd, t_unitdata_of({ addr: y.addr, udata: new Uint8Array(size) })));
      await new Promise((r) => setTimeout(r, 100));
      expect(await readAll(), `${size}-byte datagrams kept`).to.equal(fit);
      expect(counters.receiveBufferErrors - before, "the others dropped and counted").to.equal(100 - fit);
    }
  });

  it("UDP_CHECKSUM T_NO sends without a checksum, and the receiver is told so in the datagram's options", async function () {
    const x = await bound(a.udp, a.address);
    const y = await bound(b.udp, b.address);
    const checksum = (on: number): Uint8Array => encodeOptions([{ level: T_INET_UDP, name: T_UDP_CHECKSUM, value: scalarValue(on) }]);
    const ret = t_optmgmt_of(64);
    await ok(t_optmgmt(x.fd, t_optmgmt_of(checksum(T_NO), T_NEGOTIATE), ret));
    expect(decodeOptions(ret.opt.buf.subarray(0, ret.opt.len))?.[0]?.status).to.equal(T_SUCCESS);
    await ok(t_sndudata(x.fd, t_unitdata_of({ addr: y.addr, udata: text("plain") })));
    const plain = await receive(y.fd);
    const opts = decodeOptions(plain.opt) ?? [];
    expect(opts.map((o) => [o.level, o.name, readUscalar(o.value)])).to.deep.equal([[T_INET_UDP, T_UDP_CHECKSUM, T_NO]]);
    await ok(t_optmgmt(x.fd, t_optmgmt_of(checksum(T_YES), T_NEGOTIATE), t_optmgmt_of(64)));
    await ok(t_sndudata(x.fd, t_unitdata_of({ addr: y.addr, udata: text("summed") })));
    expect((await receive(y.fd)).opt.length, "a checksummed datagram carries no option").to.equal(0);
  });
});
