/** Connectionless units: datagrams as units, T_MORE pieces, TBUFOVFLW, unit data errors, limits. */
import {
  T_DATA,
  T_MORE,
  T_UDERR,
  TBADDATA,
  TBUFOVFLW,
  TNOUDERR,
  t_close,
  t_rcvudata,
  t_rcvuderr,
  t_sndudata,
  t_uderr_of,
  t_unitdata_of,
} from "../../src/index.js";
import { hex, pattern, sameBytes, text } from "../context.js";
import type { CaseContext } from "../context.js";
import type { ConformanceCase } from "../types.js";
import { connectionless, feature, first, limitedTsdu, moderate, sendZero } from "./applies.js";

const SOURCE = "XNS5 t_sndudata(3), t_rcvudata(3), t_rcvuderr(3)";

async function receive(ctx: CaseContext, fd: number, size: number, addrSize = 1024) {
  await ctx.event(fd, T_DATA, "a datagram arrives");
  const ud = t_unitdata_of({ addr: addrSize, opt: 1024, udata: size });
  const flags = { value: 0 };
  const r = await ctx.within(t_rcvudata(fd, ud, flags), "t_rcvudata");
  return { r, ud, flags: flags.value };
}

export const cltsCases: ConformanceCase[] = [
  {
    id: "C1.datagram",
    group: "clts",
    rule: "A datagram arrives whole with the sender's address; t_rcvudata returns 0 with T_MORE clear",
    source: SOURCE,
    notApplicable: (i) => connectionless(i),
    async run(ctx) {
      const { a, b, aAddr, bAddr } = await ctx.datagramPair();
      const data = pattern(100, 1);
      ctx.ok(await t_sndudata(a, t_unitdata_of({ addr: bAddr, udata: data })), "t_sndudata");
      const { r, ud, flags } = await receive(ctx, b, 1024);
      ctx.equal(r, 0, "t_rcvudata's return value");
      ctx.equal(flags, 0, "flags");
      ctx.truthy(sameBytes(ud.udata.buf.subarray(0, ud.udata.len), data), "the datagram", "the 100 bytes sent", `${ud.udata.len} bytes`);
      ctx.truthy(sameBytes(ud.addr.buf.subarray(0, ud.addr.len), aAddr), "the source address", `the sender's bound address ${hex(aAddr)}`, hex(ud.addr.buf.subarray(0, ud.addr.len)));
      ctx.quiet(b, "t_look after the one datagram sent was received");
    },
  },
  {
    id: "C1.units-kept-apart",
    group: "clts",
    rule: "Datagrams sent back to back are received one per t_rcvudata, never merged",
    source: SOURCE,
    notApplicable: (i) => connectionless(i),
    async run(ctx) {
      const { a, b, bAddr } = await ctx.datagramPair();
      const sizes = [5, 1, 64];
      for (const n of sizes) ctx.ok(await t_sndudata(a, t_unitdata_of({ addr: bAddr, udata: pattern(n, n) })), "t_sndudata");
      const got: number[] = [];
      for (let i = 0; i < sizes.length; i++) got.push((await receive(ctx, b, 1024)).ud.udata.len);
      ctx.equal(got.sort((x, y) => x - y), [...sizes].sort((x, y) => x - y), "the sizes of the datagrams received");
      ctx.quiet(b, "t_look once the three datagrams were received (no unit twice)");
    },
  },
  {
    id: "T8.datagram-pieces",
    group: "clts",
    rule: "A datagram larger than udata.maxlen fills the buffer with T_MORE; later calls return the rest with addr.len = opt.len = 0",
    source: `${SOURCE}; test-xnet 8.3.2`,
    notApplicable: (i) => connectionless(i),
    async run(ctx) {
      const { a, b, bAddr } = await ctx.datagramPair();
      const data = pattern(25, 2);
      ctx.ok(await t_sndudata(a, t_unitdata_of({ addr: bAddr, udata: data })), "t_sndudata");
      await ctx.event(b, T_DATA, "the datagram arrives");
      const parts: Uint8Array[] = [];
      const seen: Array<{ n: number; flags: number; addr: number }> = [];
      for (;;) {
        const ud = t_unitdata_of({ addr: 1024, opt: 1024, udata: 10 });
        const flags = { value: 0 };
        ctx.ok(await ctx.within(t_rcvudata(b, ud, flags), "t_rcvudata"), "t_rcvudata");
        parts.push(ud.udata.buf.slice(0, ud.udata.len));
        seen.push({ n: ud.udata.len, flags: flags.value, addr: ud.addr.len });
        if ((flags.value & T_MORE) === 0 || seen.length > 10) break;
      }
      ctx.equal(seen.map((s) => [s.n, s.flags]), [[10, T_MORE], [10, T_MORE], [5, 0]], "the pieces (bytes, flags)");
      ctx.truthy(seen.slice(1).every((s) => s.addr === 0), "later pieces carry no address", "addr.len 0", JSON.stringify(seen));
      ctx.truthy(sameBytes(Buffer.concat(parts), data), "the datagram reassembled", "25 bytes", "different bytes");
    },
  },
  {
    id: "B2.short-address",
    group: "clts",
    rule: "t_rcvudata with an address buffer too small fails TBUFOVFLW and discards the datagram",
    source: `${SOURCE} (TBUFOVFLW)`,
    notApplicable: (i) => connectionless(i),
    async run(ctx) {
      const { a, b, bAddr } = await ctx.datagramPair();
      ctx.ok(await t_sndudata(a, t_unitdata_of({ addr: bAddr, udata: text("lost") })), "t_sndudata");
      await ctx.event(b, T_DATA, "the datagram arrives");
      const r = await t_rcvudata(b, t_unitdata_of({ addr: 1, udata: 64 }), { value: 0 });
      ctx.error(r, TBUFOVFLW, "t_rcvudata with addr.maxlen 1");
      ctx.ok(await t_sndudata(a, t_unitdata_of({ addr: bAddr, udata: text("kept") })), "t_sndudata");
      const { ud } = await receive(ctx, b, 64);
      ctx.equal(Buffer.from(ud.udata.buf.subarray(0, ud.udata.len)).toString(), "kept", "the next datagram (the first was discarded)");
    },
  },
  {
    id: "C2.unit-data-error",
    group: "clts",
    rule: "A datagram that cannot be delivered comes back as T_UDERR; t_rcvuderr returns it once, with its destination address, then TNOUDERR",
    source: SOURCE,
    notApplicable: (i, f) => first(connectionless(i), feature(f, "reportsUderr", "the provider does not report undeliverable datagrams")),
    async run(ctx) {
      const { a } = await ctx.datagramPair();
      const gone = await ctx.listener(0);
      ctx.ok(await t_close(gone.fd), "t_close of the destination");
      ctx.ok(await t_sndudata(a, t_unitdata_of({ addr: gone.addr, udata: text("x") })), "t_sndudata to a closed endpoint");
      await ctx.event(a, T_UDERR, "the unit data error");
      const e = t_uderr_of({ addr: 1024, opt: 1024 });
      ctx.ok(await t_rcvuderr(a, e), "t_rcvuderr");
      ctx.truthy(e.error !== 0, "the error code", "non-zero", String(e.error));
      const addr = e.addr.buf.subarray(0, e.addr.len);
      ctx.truthy(sameBytes(addr, gone.addr), "the address t_rcvuderr returns (the undeliverable datagram's destination)", hex(gone.addr), hex(addr));
      ctx.error(await t_rcvuderr(a, null), TNOUDERR, "a second t_rcvuderr");
    },
  },
  {
    id: "C2.tnouderr",
    group: "clts",
    checks: "library",
    rule: "t_rcvuderr with no unit data error fails TNOUDERR",
    source: SOURCE,
    notApplicable: (i) => connectionless(i),
    async run(ctx) {
      const { a } = await ctx.datagramPair();
      ctx.error(await t_rcvuderr(a, null), TNOUDERR, "t_rcvuderr");
    },
  },
  {
    id: "C3.zero-length-datagram",
    group: "clts",
    rule: "With T_SENDZERO a zero-length datagram is delivered as such",
    source: SOURCE,
    notApplicable: (i) => first(connectionless(i), sendZero(i)),
    async run(ctx) {
      const { a, b, bAddr } = await ctx.datagramPair();
      ctx.ok(await t_sndudata(a, t_unitdata_of({ addr: bAddr, udata: new Uint8Array(0) })), "t_sndudata of 0 bytes");
      const { r, ud } = await receive(ctx, b, 64);
      ctx.equal(r, 0, "t_rcvudata");
      ctx.equal(ud.udata.len, 0, "udata.len");
    },
  },
  {
    id: "C3.datagram-limit",
    group: "clts",
    checks: "library",
    rule: "A datagram larger than t_info.tsdu fails TBADDATA",
    source: SOURCE,
    notApplicable: (i) => first(connectionless(i), limitedTsdu(i), moderate("tsdu", i.tsdu)),
    async run(ctx) {
      const { a, bAddr } = await ctx.datagramPair();
      const n = ctx.info.tsdu + 1;
      ctx.error(await t_sndudata(a, t_unitdata_of({ addr: bAddr, udata: new Uint8Array(n) })), TBADDATA, `t_sndudata of tsdu+1 (${n}) bytes`);
    },
  },
  {
    id: "C3.exact-datagram",
    group: "clts",
    rule: "A datagram of exactly t_info.tsdu bytes (the largest allowed) arrives whole",
    source: `${SOURCE} (udata up to tsdu bytes)`,
    notApplicable: (i) => first(connectionless(i), limitedTsdu(i), moderate("tsdu", i.tsdu)),
    async run(ctx) {
      const { a, b, bAddr } = await ctx.datagramPair();
      const max = ctx.info.tsdu;
      const data = pattern(max, 23);
      ctx.ok(await t_sndudata(a, t_unitdata_of({ addr: bAddr, udata: data })), `t_sndudata of tsdu (${max}) bytes`);
      const { r, ud, flags } = await receive(ctx, b, max);
      ctx.equal(r, 0, "t_rcvudata's return value");
      ctx.equal(flags, 0, "flags (the whole datagram fits the tsdu-sized buffer)");
      const got = ud.udata.buf.subarray(0, ud.udata.len);
      ctx.truthy(sameBytes(got, data), "the tsdu-sized datagram", `the ${max} bytes sent`, `${got.length} bytes${got.length === max ? " (different)" : ""}`);
    },
  },
];
