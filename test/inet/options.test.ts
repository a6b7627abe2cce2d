/**
 * t_info of the four devices, and the XTI Internet options through t_optmgmt: each one negotiated
 * and read back (T_CURRENT reads the kernel), the values the kernel cannot do, XTI_LINGER 0 aborting
 * on t_close, options carried onto an accepted connection, and XTI_RCVBUF bounding what the provider
 * reads ahead of its user (the kernel's window closes instead).
 */
import { expect } from "chai";
import { createHash } from "node:crypto";
import {
  T_CLTS,
  T_COTS_ORD,
  T_CURRENT,
  T_FAILURE,
  T_GARBAGE,
  T_INET_IP,
  T_INET_TCP,
  T_INET_UDP,
  T_INVALID,
  T_IP_BROADCAST,
  T_IP_DONTROUTE,
  T_IP_REUSEADDR,
  T_IP_TOS,
  T_IP_TTL,
  T_NEGOTIATE,
  T_NO,
  T_PARTSUCCESS,
  T_READONLY,
  T_SENDZERO,
  T_SUCCESS,
  T_TCP_KEEPALIVE,
  T_TCP_MAXSEG,
  T_TCP_NODELAY,
  T_UDP_CHECKSUM,
  T_YES,
  XTI_GENERIC,
  XTI_LINGER,
  XTI_RCVBUF,
  XTI_SNDBUF,
  decodeOptions,
  encodeOptions,
  netbufBytes,
  readUscalar,
  scalarValue,
  scalarsValue,
  t_accept,
  t_call_of,
  t_close,
  t_getinfo,
  t_listen,
  t_optmgmt,
  t_optmgmt_of,
  t_rcv,
  type t_info,
  type XtiOption,
} from "../../src/index.js";
import { cleanup, ok, open } from "../helpers/xti.js";
import { type PeerProcess, servePeer } from "./helpers/peer.js";
import { bound, connectTo, type Family } from "./helpers/xti.js";

async function manage(fd: number, flags: number, options: Array<{ level: number; name: number; value?: Uint8Array }>): Promise<XtiOption[]> {
  const ret = t_optmgmt_of(4096);
  await ok(t_optmgmt(fd, t_optmgmt_of(encodeOptions(options), flags), ret), "t_optmgmt");
  return decodeOptions(netbufBytes(ret.opt)) ?? [];
}

const byte = (n: number): Uint8Array => Uint8Array.of(n);

describe("inet: t_info and options", function () {
  this.timeout(30_000);
  let py: PeerProcess | undefined;

  afterEach(async () => {
    await cleanup();
    await py?.stop();
    py = undefined;
  });

  it("t_info is the XTI Internet appendix's, with one byte of urgent data as the ETSDU", () => {
    const expected: Record<string, Omit<t_info, "options">> = {
      "/dev/tcp": { addr: 16, tsdu: 0, etsdu: 1, connect: T_INVALID, discon: T_INVALID, servtype: T_COTS_ORD, flags: 0 },
      "/dev/tcp6": { addr: 28, tsdu: 0, etsdu: 1, connect: T_INVALID, discon: T_INVALID, servtype: T_COTS_ORD, flags: 0 },
      "/dev/udp": { addr: 16, tsdu: 65507, etsdu: T_INVALID, connect: T_INVALID, discon: T_INVALID, servtype: T_CLTS, flags: T_SENDZERO },
      "/dev/udp6": { addr: 28, tsdu: 65527, etsdu: T_INVALID, connect: T_INVALID, discon: T_INVALID, servtype: T_CLTS, flags: T_SENDZERO },
    };
    for (const [device, want] of Object.entries(expected)) {
      const info: t_info = { addr: 0, options: 0, tsdu: 0, etsdu: 0, connect: 0, discon: 0, servtype: 0, flags: 0 };
      ok(t_getinfo(open(device), info), "t_getinfo");
      const { options, ...rest } = info;
      expect(rest, device).to.deep.equal(want);
      expect(options, `${device}: room for its options`).to.be.greaterThan(100);
    }
  });

  /** Negotiate each option, then read it back with T_CURRENT: both must give `expected`. */
  async function negotiateAndReadBack(fd: number, cases: Array<{ level: number; name: number; value: Uint8Array; status?: number; expected?: Uint8Array }>): Promise<void> {
    for (const c of cases) {
      const what = `option ${c.level}/${c.name}`;
      const [n] = await manage(fd, T_NEGOTIATE, [c]);
      expect(n?.status, `${what}: T_NEGOTIATE status`).to.equal(c.status ?? T_SUCCESS);
      const want = Array.from(c.expected ?? c.value);
      expect(Array.from(n?.value ?? []), `${what}: negotiated value`).to.deep.equal(want);
      const [cur] = await manage(fd, T_CURRENT, [{ level: c.level, name: c.name }]);
      expect(Array.from(cur?.value ?? []), `${what}: T_CURRENT`).to.deep.equal(want);
    }
  }

  for (const family of ["inet", "inet6"] as Family[]) {
    const suffix = family === "inet" ? "" : "6";

    it(`/dev/tcp${suffix}: every option reads back as negotiated`, async () => {
      py = servePeer();
      const { port } = (await py.request({ op: "listen", family })) as { port: number };
      const fd = await connectTo(`/dev/tcp${suffix}`, family, port);
      await negotiateAndReadBack(fd, [
        { level: T_INET_TCP, name: T_TCP_NODELAY, value: scalarValue(T_YES) },
        { level: T_INET_TCP, name: T_TCP_KEEPALIVE, value: scalarsValue(T_YES, 5) },
        { level: T_INET_TCP, name: T_TCP_KEEPALIVE, value: scalarsValue(T_YES | T_GARBAGE, 7), status: T_PARTSUCCESS, expected: scalarsValue(T_YES, 7) },
        { level: T_INET_IP, name: T_IP_TOS, value: byte(0x10) },
        { level: T_INET_IP, name: T_IP_TTL, value: byte(33) },
        { level: T_INET_IP, name: T_IP_REUSEADDR, value: scalarValue(T_YES) },
        { level: T_INET_IP, name: T_IP_DONTROUTE, value: scalarValue(T_YES) },
        { level: XTI_GENERIC, name: XTI_SNDBUF, value: scalarValue(32768) },
        { level: XTI_GENERIC, name: XTI_RCVBUF, value: scalarValue(32768) },
        { level: XTI_GENERIC, name: XTI_LINGER, value: scalarsValue(T_YES, 7) },
      ]);
      const [mss] = await manage(fd, T_NEGOTIATE, [{ level: T_INET_TCP, name: T_TCP_MAXSEG, value: scalarValue(1000) }]);
      expect(mss?.status, "TCP_MAXSEG is read-only").to.equal(T_READONLY);
      expect(readUscalar(mss!.value), "the MSS of a loopback connection").to.be.greaterThan(1000);
      const refused = await manage(fd, T_NEGOTIATE, [{ level: T_INET_TCP, name: T_TCP_NODELAY, value: scalarValue(7) }]);
      expect(refused[0]?.status, "a value that is neither T_YES nor T_NO").to.equal(T_FAILURE);
      const ttl = await manage(fd, T_NEGOTIATE, [{ level: T_INET_IP, name: T_IP_TTL, value: byte(0) }]);
      expect(ttl[0]?.status, "TTL 0").to.equal(T_FAILURE);
    });

    it(`/dev/udp${suffix}: every option reads back as negotiated`, async () => {
      const { fd } = await bound(`/dev/udp${suffix}`, family);
      const cases = [
        { level: T_INET_IP, name: T_IP_TOS, value: byte(0x08) },
        { level: T_INET_IP, name: T_IP_TTL, value: byte(200) },
        { level: T_INET_IP, name: T_IP_REUSEADDR, value: scalarValue(T_YES) },
        { level: XTI_GENERIC, name: XTI_SNDBUF, value: scalarValue(65536) },
        { level: XTI_GENERIC, name: XTI_RCVBUF, value: scalarValue(65536) },
      ];
      if (family === "inet") {
        cases.push({ level: T_INET_UDP, name: T_UDP_CHECKSUM, value: scalarValue(T_NO) }, { level: T_INET_IP, name: T_IP_BROADCAST, value: scalarValue(T_YES) });
      }
      await negotiateAndReadBack(fd, cases);
      if (family === "inet6") {
        const [sum] = await manage(fd, T_NEGOTIATE, [{ level: T_INET_UDP, name: T_UDP_CHECKSUM, value: scalarValue(T_NO) }]);
        expect({ status: sum?.status, value: readUscalar(sum!.value) }, "IPv6 requires UDP checksums").to.deep.equal({ status: T_READONLY, value: T_YES });
      }
    });
  }

  it("XTI_LINGER with l_linger 0 makes t_close abort the connection (the peer sees a reset)", async () => {
    py = servePeer();
    const { port } = (await py.request({ op: "listen" })) as { port: number };
    const fd = await connectTo("/dev/tcp", "inet", port);
    await py.request({ op: "accept" });
    await negotiateAndReadBack(fd, [{ level: XTI_GENERIC, name: XTI_LINGER, value: scalarsValue(T_YES, 0) }]);
    await ok(t_close(fd), "t_close");
    expect(await py.request({ op: "recv" })).to.deep.equal({ error: "ECONNRESET" });
  });

  it("options negotiated on an acceptor apply to the connection accepted onto it", async () => {
    const l = await bound("/dev/tcp", "inet", 1);
    const acceptor = open("/dev/tcp");
    await negotiateAndReadBack(acceptor, [
      { level: T_INET_TCP, name: T_TCP_NODELAY, value: scalarValue(T_YES) },
      { level: T_INET_IP, name: T_IP_TTL, value: byte(17) },
    ]);
    py = servePeer();
    await py.request({ op: "connect", port: l.port });
    const call = t_call_of({ addr: 64 });
    await ok(t_listen(l.fd, call), "t_listen");
    await ok(t_accept(l.fd, acceptor, call), "t_accept");
    const cur = await manage(acceptor, T_CURRENT, [
      { level: T_INET_TCP, name: T_TCP_NODELAY },
    ]);
    expect(readUscalar(cur[0]!.value)).to.equal(T_YES);
    const [ttl] = await manage(acceptor, T_CURRENT, [{ level: T_INET_IP, name: T_IP_TTL }]);
    expect(ttl?.value[0]).to.equal(17);
  });

  it("XTI_RCVBUF bounds what is read ahead of the user: the sender stalls, and nothing is lost", async () => {
    const l = await bound("/dev/tcp", "inet", 1);
    const fd = open("/dev/tcp");
    await negotiateAndReadBack(fd, [{ level: XTI_GENERIC, name: XTI_RCVBUF, value: scalarValue(16384) }]);
    py = servePeer();
    await py.request({ op: "connect", port: l.port });
    const call = t_call_of({ addr: 64 });
    await ok(t_listen(l.fd, call), "t_listen");
    await ok(t_accept(l.fd, fd, call), "t_accept");
    const total = 16 * 1024 * 1024;
    const flood = (await py.request({ op: "flood", n: total, sndbuf: 65536 })) as { sent: number; sha256: string };
    // What the kernels buffer and what the provider read ahead, far below what was offered.
    expect(flood.sent).to.be.below(total / 4);
    const hash = createHash("sha256");
    const buf = new Uint8Array(65536);
    for (let got = 0; got < flood.sent; ) {
      const n = await ok(t_rcv(fd, buf, buf.length, { value: 0 }), "t_rcv");
      hash.update(buf.subarray(0, n));
      got += n;
    }
    expect(hash.digest("hex")).to.equal(flood.sha256);
  });
});
