/**
 * XTI over UDP (the XNS5 Internet appendix), for providers declared `protocol: "udp"`: what UDP
 * says beyond the generic connectionless cases (the datagram sizes it carries, Internet addresses,
 * the UDP and IP options).
 */
import {
  SOCKADDR_IN6_SIZE,
  T_CURRENT,
  T_DATA,
  T_DEFAULT,
  T_INET_UDP,
  T_NEGOTIATE,
  T_NO,
  T_NOTSUPPORT,
  T_READONLY,
  T_SUCCESS,
  T_UDP_CHECKSUM,
  T_YES,
  netbuf,
  scalarValue,
  t_bind,
  t_rcvudata,
  t_sndudata,
  t_unitdata_of,
} from "../../src/index.js";
import { pattern, sameBytes } from "../context.js";
import type { CaseContext } from "../context.js";
import type { ConformanceCase } from "../types.js";
import { connectionless, first, internet, limitedTsdu, sendZero } from "./applies.js";
import { inetAddress, isWildcard, type InetAddr, type InetOption, optionAlone, sameEndpoint, showAddr, statusName } from "./inet.js";
import { IP_OPTIONS, negotiateEach, reuseAddressInEffect, showValue } from "./inet-options.js";

const APPENDIX = "XNS5 Internet appendix (XTI over UDP)";
const OPTIONS_SOURCE = `${APPENDIX}: the T_INET_UDP and T_INET_IP options; XNS5 t_optmgmt(3); OpenSS7 xti_udp(3)`;

/** The largest UDP payload: 65535 less the UDP header and, for IPv4, the IP header its length counts. */
const LARGEST_PAYLOAD = { inet: 65535 - 8 - 20, inet6: 65535 - 8 } as const;

const CHECKSUM: InetOption = { label: "UDP_CHECKSUM", level: T_INET_UDP, name: T_UDP_CHECKSUM };

/** The next datagram on `fd` (waiting for it), read into a buffer of `size` bytes. */
async function nextDatagram(ctx: CaseContext, fd: number, size: number, what: string): Promise<{ data: Uint8Array; from: Uint8Array; flags: number }> {
  await ctx.event(fd, T_DATA, what);
  const ud = t_unitdata_of({ addr: 1024, opt: 1024, udata: Math.max(size, 1) });
  const flags = { value: 0 };
  ctx.ok(await ctx.within(t_rcvudata(fd, ud, flags), "t_rcvudata"), `t_rcvudata (${what})`);
  return { data: ud.udata.buf.slice(0, ud.udata.len), from: ud.addr.buf.slice(0, ud.addr.len), flags: flags.value };
}

/** Send one datagram from `a` to `to` and receive it on `b`: the source address `b` sees. */
async function sourceSeen(ctx: CaseContext, a: number, b: number, to: Uint8Array): Promise<InetAddr> {
  ctx.ok(await t_sndudata(a, t_unitdata_of({ addr: to, udata: pattern(32, 5) })), "t_sndudata");
  const got = await nextDatagram(ctx, b, 64, "the datagram arrives");
  return inetAddress(ctx, got.from, "the source address t_rcvudata returned");
}

export const udpCases: ConformanceCase[] = [
  {
    id: "C3.udp-datagram-sizes",
    group: "udp",
    rule: "UDP carries datagrams of every size from 0 (T_SENDZERO) to t_info.tsdu, which is at most the largest payload IP carries (65507 bytes over IPv4, 65527 over IPv6): each arrives whole, one per t_rcvudata, with T_MORE clear",
    source: `${APPENDIX} (t_info: tsdu is 65535 less the IP and UDP headers, T_SENDZERO); RFC 768 (a datagram may carry no data); RFC 8200 §3 (the IPv6 payload length does not count its header)`,
    notApplicable: (i, _f, d) => first(internet(d, "udp"), connectionless(i), limitedTsdu(i), sendZero(i)),
    async run(ctx) {
      const tsdu = ctx.info.tsdu;
      const largest = ctx.info.addr === SOCKADDR_IN6_SIZE ? LARGEST_PAYLOAD.inet6 : LARGEST_PAYLOAD.inet;
      ctx.truthy(tsdu <= largest, "t_info.tsdu", `at most ${largest}, the largest UDP payload IP carries`, String(tsdu));
      const { a, b, bAddr } = await ctx.datagramPair();
      const sizes = [...new Set([0, 1, 1472, 1473, 9000, tsdu])].filter((n) => n <= tsdu);
      const sent = new Map(sizes.map((n) => [n, pattern(n, 70 + n)]));
      for (const [n, data] of sent) ctx.ok(await t_sndudata(a, t_unitdata_of({ addr: bAddr, udata: data })), `t_sndudata of ${n} bytes`);
      const received: number[] = [];
      for (let k = 0; k < sizes.length; k++) {
        const got = await nextDatagram(ctx, b, tsdu, `datagram ${k + 1} of ${sizes.length} arrives (received so far: ${received.join(", ") || "none"} bytes)`);
        ctx.equal(got.flags, 0, `the flags of the ${got.data.length}-byte datagram read into a tsdu-sized buffer`);
        const want = sent.get(got.data.length);
        ctx.truthy(want !== undefined && sameBytes(got.data, want), "a datagram received", `one of the datagrams sent (${sizes.join(", ")} bytes)`, `${got.data.length} bytes${want === undefined ? "" : ", different"}`);
        received.push(got.data.length);
      }
      ctx.equal([...received].sort((x, y) => x - y), [...sizes].sort((x, y) => x - y), "the sizes of the datagrams received");
      ctx.quiet(b, "t_look once every datagram sent was received");
    },
  },
  {
    id: "C1.udp-source-address",
    group: "udp",
    rule: "UDP addresses are Internet addresses: t_getprotaddr of a bound endpoint gives its sockaddr with a real port and no peer, and a datagram from an endpoint bound to the wildcard address arrives with the sender's real address and bound port",
    source: `XNS5 t_getprotaddr(3), t_rcvudata(3); ${APPENDIX} (addresses are struct sockaddr_in; t_bind with no address binds the wildcard address); RFC 768 (the source port)`,
    notApplicable: (i, _f, d) => first(internet(d, "udp"), connectionless(i)),
    async run(ctx) {
      const receiver = await ctx.listener(0);
      const receiving = inetAddress(ctx, receiver.addr, "the address t_bind returned");
      ctx.truthy(receiving.port !== 0, "the bound port", "a port the provider chose (not 0)", String(receiving.port));
      const r = ctx.addresses(receiver.fd);
      const rLocal = inetAddress(ctx, r.local, "t_getprotaddr boundaddr");
      ctx.truthy(sameEndpoint(rLocal, receiving), "t_getprotaddr boundaddr", showAddr(receiving), showAddr(rLocal));
      ctx.equal(r.remote.length, 0, "t_getprotaddr peeraddr length (no peer)");
      const sender = ctx.open();
      const ret = { addr: netbuf(1024), qlen: 0 };
      ctx.ok(await t_bind(sender, null, ret), "t_bind with no address");
      const bound = inetAddress(ctx, ret.addr.buf.slice(0, ret.addr.len), "the address t_bind chose");
      ctx.truthy(bound.port !== 0, "the port t_bind chose", "a port (not 0)", String(bound.port));
      const from = await sourceSeen(ctx, sender, receiver.fd, receiver.addr);
      const expected = isWildcard(bound) ? `a real ${bound.family === "inet" ? "IPv4" : "IPv6"} address with port ${bound.port}` : showAddr(bound);
      const ok = from.family === bound.family && !isWildcard(from) && from.port === bound.port && (isWildcard(bound) || from.address === bound.address);
      ctx.truthy(ok, "the source address of a datagram from an endpoint bound with no address", expected, showAddr(from));
    },
  },
  {
    id: "X5.udp-options",
    group: "udp",
    rule: "A UDP endpoint has the Internet options: T_IP_REUSEADDR, T_IP_TTL and T_IP_TOS negotiate to the value asked for and T_CURRENT reads it back, T_DEFAULT unchanged; UDP_CHECKSUM, where offered, is on by default and either negotiable (T_CURRENT follows, and datagrams still arrive) or read-only (T_READONLY, still on)",
    source: `${OPTIONS_SOURCE}; RFC 1122 §4.1.3.4 (UDP checksums on by default)`,
    notApplicable: (i, _f, d) => first(internet(d, "udp"), connectionless(i)),
    async run(ctx) {
      const { a, b, bAddr } = await ctx.datagramPair();
      await negotiateEach(ctx, a, IP_OPTIONS);
      const current = await optionAlone(ctx, a, T_CURRENT, CHECKSUM);
      if (current.status === T_NOTSUPPORT) return; // not offered: the IP options above are the case
      ctx.equal(showValue.flag(current.value), "T_YES", `T_CURRENT of UDP_CHECKSUM (${statusName(current.status)}) on a fresh endpoint`);
      const d = await optionAlone(ctx, a, T_DEFAULT, CHECKSUM);
      ctx.equal(showValue.flag(d.value), "T_YES", "T_DEFAULT of UDP_CHECKSUM");
      const off = await optionAlone(ctx, a, T_NEGOTIATE, CHECKSUM, scalarValue(T_NO));
      if (off.status === T_READONLY) {
        const still = await optionAlone(ctx, a, T_CURRENT, CHECKSUM);
        ctx.equal(showValue.flag(still.value), "T_YES", "T_CURRENT of the read-only UDP_CHECKSUM after a T_NEGOTIATE of T_NO");
        return;
      }
      ctx.truthy(off.status === T_SUCCESS && showValue.flag(off.value) === "T_NO", "T_NEGOTIATE of UDP_CHECKSUM T_NO", "T_SUCCESS with T_NO (or T_READONLY)", `${statusName(off.status)} with ${showValue.flag(off.value)}`);
      ctx.equal(showValue.flag((await optionAlone(ctx, a, T_CURRENT, CHECKSUM)).value), "T_NO", "T_CURRENT of UDP_CHECKSUM after negotiating T_NO");
      await sourceSeen(ctx, a, b, bAddr); // a datagram without a checksum is still a datagram
      const on = await optionAlone(ctx, a, T_NEGOTIATE, CHECKSUM, scalarValue(T_YES));
      ctx.truthy(on.status === T_SUCCESS, "T_NEGOTIATE of UDP_CHECKSUM T_YES", "T_SUCCESS", statusName(on.status));
      ctx.equal(showValue.flag((await optionAlone(ctx, a, T_CURRENT, CHECKSUM)).value), "T_YES", "T_CURRENT of UDP_CHECKSUM after negotiating T_YES again");
    },
  },
  {
    id: "X8.udp-reuseaddr",
    group: "udp",
    rule: "With T_IP_REUSEADDR, one UDP endpoint is bound to the wildcard address with a port and another to a specific local address with the same port",
    source: `${OPTIONS_SOURCE} (T_IP_REUSEADDR: the wildcard address and specific addresses may share a port)`,
    notApplicable: (i, _f, d) => first(internet(d, "udp"), connectionless(i)),
    async run(ctx) {
      // A local address of this host, as a datagram carries it.
      const { a, b, bAddr } = await ctx.datagramPair();
      await reuseAddressInEffect(ctx, await sourceSeen(ctx, a, b, bAddr));
    },
  },
];
