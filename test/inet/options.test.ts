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
  T_CHECK,
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
  t_bind,
  t_call_of,
  t_close,
  t_getinfo,
  t_listen,
  t_optmgmt,
  t_optmgmt_of,
  t_rcv,
  t_snd,
  t_sndrel,
  type t_info,
  type XtiOption,
} from "../../src/index.js";
import { cleanup, ok, open, pattern } from "../helpers/xti.js";
import { type PeerProcess, servePeer } from "./helpers/peer.js";
import { bound, connectTo, type Family, receiveAll } from "./helpers/xti.js";

async function manage(fd: number, flags: number, options: Array<{ level: number; name: number; value?: Uint8Array }>): Promise<XtiOption[]> {
  const ret = t_optmgmt_of(4096);
  await ok(t_optmgmt(fd, t_optmgmt_of(encodeOptions(options), flags), ret), "t_optmgmt");
  return decodeOptions(netbufBytes(ret.opt)) ?? [];
}

const byte = (n: number): Uint8Array => Uint8Array.of(n);
const sha256 = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");

describe("inet: t_info and options", function () {
  this.timeout(30_000);
  let py: PeerProcess | undefined;

  afterEach(async () => {
    await cleanup();
    await py?.stop();
    py = undefined;
  });

  it("t_info is the XTI Internet appendix's, with one byte of urgent data as the ETSDU", async () => {
    const expected: Record<string, Omit<t_info, "options">> = {
      "/dev/tcp": { addr: 16, tsdu: 0, etsdu: 1, connect: T_INVALID, discon: T_INVALID, servtype: T_COTS_ORD, flags: 0 },
      "/dev/tcp6": { addr: 28, tsdu: 0, etsdu: 1, connect: T_INVALID, discon: T_INVALID, servtype: T_COTS_ORD, flags: 0 },
      "/dev/udp": { addr: 16, tsdu: 65507, etsdu: T_INVALID, connect: T_INVALID, discon: T_INVALID, servtype: T_CLTS, flags: T_SENDZERO },
      "/dev/udp6": { addr: 28, tsdu: 65527, etsdu: T_INVALID, connect: T_INVALID, discon: T_INVALID, servtype: T_CLTS, flags: T_SENDZERO },
    };
    for (const [device, want] of Object.entries(expected)) {
      const info: t_info = { addr: 0, options: 0, tsdu: 0, etsdu: 0, connect: 0, discon: 0, servtype: 0, flags: 0 };
      await ok(t_getinfo(open(device), info), "t_getinfo");
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
    const { fd: acceptor } = await bound("/dev/tcp", "inet"); // TCP-level options are read-only before t_bind
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

  /** A Python caller with a small receive window accepted onto a new bound endpoint of `l`. */
  async function acceptSlowReader(l: { fd: number; port: number }, acceptor: number): Promise<PeerProcess> {
    const peer = servePeer();
    await peer.request({ op: "connect", port: l.port, rcvbuf: 4096 });
    const call = t_call_of({ addr: 64 });
    await ok(t_listen(l.fd, call), "t_listen");
    await ok(t_accept(l.fd, acceptor, call), "t_accept");
    return peer;
  }

  it("XTI_LINGER {T_YES, 0} on an acceptor leaves its orderly release graceful: the peer gets every byte, then end of file", async () => {
    const l = await bound("/dev/tcp", "inet", 1);
    const { fd } = await bound("/dev/tcp", "inet");
    await negotiateAndReadBack(fd, [{ level: XTI_GENERIC, name: XTI_LINGER, value: scalarsValue(T_YES, 0) }]);
    py = await acceptSlowReader(l, fd);
    await py.request({ op: "shutdown" });
    const data = pattern(300_000, 5);
    await ok(t_snd(fd, data, data.length, 0), "t_snd");
    expect((await receiveAll(fd)).end).to.equal("ordrel");
    // Most of the data still waits for the peer's window when the release completes.
    await ok(t_sndrel(fd), "t_sndrel");
    expect(await py.request({ op: "drain" })).to.deep.equal({ received: data.length, sha256: sha256(data), end: "eof" });
  });

  it("a listener's options stay off the connections it hands to another endpoint: T_CURRENT and t_close are the acceptor's", async () => {
    const l = await bound("/dev/tcp", "inet", 1);
    const listenerOptions = [
      { level: T_INET_TCP, name: T_TCP_NODELAY, value: scalarValue(T_YES) },
      { level: T_INET_TCP, name: T_TCP_KEEPALIVE, value: scalarsValue(T_YES, 5) },
      { level: T_INET_IP, name: T_IP_TTL, value: byte(99) },
      { level: T_INET_IP, name: T_IP_TOS, value: byte(0x10) },
      { level: T_INET_IP, name: T_IP_REUSEADDR, value: scalarValue(T_YES) },
      { level: T_INET_IP, name: T_IP_DONTROUTE, value: scalarValue(T_YES) },
      { level: XTI_GENERIC, name: XTI_SNDBUF, value: scalarValue(32768) },
      { level: XTI_GENERIC, name: XTI_RCVBUF, value: scalarValue(32768) },
      { level: XTI_GENERIC, name: XTI_LINGER, value: scalarsValue(T_YES, 0) },
    ];
    await negotiateAndReadBack(l.fd, listenerOptions);
    const { fd: acceptor } = await bound("/dev/tcp", "inet");
    await negotiateAndReadBack(acceptor, [{ level: T_INET_IP, name: T_IP_TTL, value: byte(17) }]); // negotiated on both: the acceptor's wins
    const current = async (): Promise<number[][]> => {
      const values: number[][] = [];
      for (const { level, name } of listenerOptions) values.push(Array.from((await manage(acceptor, T_CURRENT, [{ level, name }]))[0]?.value ?? []));
      return values;
    };
    const before = await current();
    py = await acceptSlowReader(l, acceptor);
    expect(await current(), "the acceptor's T_CURRENT").to.deep.equal(before);
    // The listener's {T_YES, 0} would make this graceful close, with data still on its way, a reset.
    const draining = py.request({ op: "drain" });
    const data = pattern(1 << 20, 6);
    await ok(t_snd(acceptor, data, data.length, 0), "t_snd");
    await ok(t_close(acceptor), "t_close");
    expect(await draining).to.deep.equal({ received: data.length, sha256: sha256(data), end: "eof" });
  });

  it("T_NEGOTIATE and T_CHECK answer T_PARTSUCCESS with the value the kernel really uses when it differs from the one asked for", async () => {
    const { fd } = await bound("/dev/tcp", "inet");
    const asked = [
      { level: XTI_GENERIC, name: XTI_RCVBUF, value: scalarValue(1000) }, // below the kernel's minimum
      { level: XTI_GENERIC, name: XTI_SNDBUF, value: scalarValue(1000) },
      { level: T_INET_IP, name: T_IP_TOS, value: byte(0x13) }, // TCP keeps the ECN bits (the low two) to itself
    ];
    for (const o of asked) {
      const what = `option ${o.level}/${o.name}`;
      const check = t_optmgmt_of(256);
      await ok(t_optmgmt(fd, t_optmgmt_of(encodeOptions([o]), T_CHECK), check), "T_CHECK");
      expect(check.flags, `${what}: T_CHECK`).to.equal(T_PARTSUCCESS);
      const ret = t_optmgmt_of(256);
      await ok(t_optmgmt(fd, t_optmgmt_of(encodeOptions([o]), T_NEGOTIATE), ret), "T_NEGOTIATE");
      const [n] = decodeOptions(netbufBytes(ret.opt)) ?? [];
      expect({ flags: ret.flags, status: n?.status }, `${what}: T_NEGOTIATE`).to.deep.equal({ flags: T_PARTSUCCESS, status: T_PARTSUCCESS });
      expect(Array.from(n!.value), `${what}: the value used`).to.not.deep.equal(Array.from(o.value));
      const [cur] = await manage(fd, T_CURRENT, [{ level: o.level, name: o.name }]);
      expect(Array.from(cur!.value), `${what}: T_CURRENT`).to.deep.equal(Array.from(n!.value));
    }
    const [tos] = await manage(fd, T_CURRENT, [{ level: T_INET_IP, name: T_IP_TOS }]);
    expect(tos?.value[0]).to.equal(0x10);
    const [rcvbuf] = await manage(fd, T_CURRENT, [{ level: XTI_GENERIC, name: XTI_RCVBUF }]);
    expect(readUscalar(rcvbuf!.value)).to.be.greaterThan(1000);
  });

  it("TCP-level options and UDP_CHECKSUM are read-only until t_bind (the appendix: read-only in T_UNBND)", async () => {
    const tcp = open("/dev/tcp");
    const unbound = await manage(tcp, T_NEGOTIATE, [
      { level: T_INET_TCP, name: T_TCP_NODELAY, value: scalarValue(T_YES) },
      { level: T_INET_TCP, name: T_TCP_KEEPALIVE, value: scalarsValue(T_YES, 5) },
    ]);
    expect(unbound.map((o) => o.status)).to.deep.equal([T_READONLY, T_READONLY]);
    const [nodelay] = await manage(tcp, T_CURRENT, [{ level: T_INET_TCP, name: T_TCP_NODELAY }]);
    expect(readUscalar(nodelay!.value), "nothing changed").to.equal(T_NO);
    const [ttl] = await manage(tcp, T_NEGOTIATE, [{ level: T_INET_IP, name: T_IP_TTL, value: byte(33) }]);
    expect(ttl?.status, "IP-level options are negotiable unbound").to.equal(T_SUCCESS);
    await ok(t_bind(tcp, null, null), "t_bind");
    await negotiateAndReadBack(tcp, [{ level: T_INET_TCP, name: T_TCP_NODELAY, value: scalarValue(T_YES) }]);
    const udp = open("/dev/udp");
    const [sum] = await manage(udp, T_NEGOTIATE, [{ level: T_INET_UDP, name: T_UDP_CHECKSUM, value: scalarValue(T_NO) }]);
    expect(sum?.status).to.equal(T_READONLY);
    await ok(t_bind(udp, null, null), "t_bind");
    await negotiateAndReadBack(udp, [{ level: T_INET_UDP, name: T_UDP_CHECKSUM, value: scalarValue(T_NO) }]);
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
