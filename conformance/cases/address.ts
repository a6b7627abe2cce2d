/**
 * Addresses: binding exactly what was asked, telling distinct addresses apart, choosing free
 * addresses, freeing them, and reporting the right addresses for a connection.
 */
import {
  T_CLTS,
  T_DATA,
  T_LISTEN,
  TADDRBUSY,
  netbuf,
  t_accept,
  t_bind,
  t_call_of,
  t_close,
  t_connect,
  t_listen,
  t_look,
  t_rcvudata,
  t_snddis,
  t_sndudata,
  t_unbind,
  t_unitdata_of,
  tErrnoName,
  t_errno,
} from "../../src/index.js";
import { describeResult, hex, sameBytes, text } from "../context.js";
import type { CaseContext } from "../context.js";
import type { ConformanceCase } from "../types.js";
import { connectionMode, feature } from "./applies.js";

const SOURCE = "XNS5 t_bind(3)";

/** The qlen a bound endpoint gets in these cases: a listener where there are connections. */
const qlenFor = (ctx: CaseContext): number => (ctx.info.servtype === T_CLTS ? 0 : 1);

/** An endpoint bound where the provider chooses; returns it and the address it got. */
async function autoBound(ctx: CaseContext, qlen = 0): Promise<{ fd: number; addr: Uint8Array }> {
  const fd = ctx.open();
  const ret = { addr: netbuf(1024), qlen: 0 };
  ctx.ok(await t_bind(fd, { addr: netbuf(new Uint8Array(0)), qlen }, ret), "t_bind without an address");
  return { fd, addr: ret.addr.buf.slice(0, ret.addr.len) };
}

/** `addr` read as an unsigned integer of its own length (little or big endian) plus `k`, same length. */
function plus(addr: Uint8Array, k: number, littleEndian: boolean): Uint8Array {
  const out = addr.slice();
  let carry = k;
  for (let n = 0; n < out.length && carry > 0; n++) {
    const i = littleEndian ? n : out.length - 1 - n;
    const sum = (out[i] as number) + carry;
    out[i] = sum & 0xff;
    carry = sum >> 8;
  }
  return out;
}

/** `addr` ending in decimal digits, with that number plus `k` ("pipe-7" -> "pipe-8"), or null. */
function plusDecimal(addr: Uint8Array, k: number): Uint8Array | null {
  const m = /^(.*?)(\d+)$/s.exec(Buffer.from(addr).toString("latin1"));
  if (m === null) return null;
  return Buffer.from(`${m[1] ?? ""}${BigInt(m[2] ?? "0") + BigInt(k)}`, "latin1");
}

/**
 * The addresses an allocator is most likely to choose after `addr`: the next values of a counter
 * of the address's own width in either byte order, or of a decimal number it ends in.
 */
function likelyNext(addr: Uint8Array, count: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  const seen = new Set([hex(addr)]);
  for (let k = 1; k <= count; k++) {
    for (const next of [plus(addr, k, true), plus(addr, k, false), plusDecimal(addr, k)]) {
      if (next === null || seen.has(hex(next))) continue;
      seen.add(hex(next));
      out.push(next);
    }
  }
  return out;
}

/**
 * Pairs of distinct addresses that a provider comparing them as text would confuse: invalid UTF-8
 * that decodes to the same replacement character, letters that differ only in case, and byte
 * strings that a C-string comparison cuts at the first NUL.
 */
function confusable(): Uint8Array[] {
  const tag = (bytes: number[]): Uint8Array => Buffer.concat([text("xti-A1:"), Buffer.from(bytes)]);
  return [tag([0xff]), tag([0xfe]), tag([0x61]), tag([0x41]), tag([0x01]), tag([0x01, 0x00]), tag([0x00, 0x01]), tag([0x00, 0x02])];
}

export const addressCases: ConformanceCase[] = [
  {
    id: "A1.opaque-addresses",
    group: "address",
    rule: "Opaque addresses are compared as bytes: addresses that differ in any byte or in length bind side by side, each exactly as given, and each reaches its own endpoint",
    source: `${SOURCE}; illumos tl.c (addresses are byte strings compared by length and contents)`,
    notApplicable: (_i, f) => feature(f, "opaqueAddresses", "the provider does not declare opaque (byte string) addresses"),
    async run(ctx) {
      const addrs = confusable();
      const fds: number[] = [];
      for (const addr of addrs) {
        const fd = ctx.open();
        const { r, bound } = await ctx.bindAt(fd, addr, qlenFor(ctx));
        if (r < 0) {
          const confused = t_errno === TADDRBUSY ? " (no endpoint has this address: the provider confused it with one bound before)" : "";
          ctx.fail(`t_bind of ${hex(addr)} while ${addrs.slice(0, fds.length).map(hex).join(", ")} are bound`, "success", `${describeResult(r)}${confused}`);
        }
        ctx.truthy(sameBytes(bound, addr), "the address t_bind bound", hex(addr), hex(bound));
        fds.push(fd);
      }
      for (const [i, addr] of addrs.entries()) {
        const fd = fds[i] as number;
        if (ctx.info.servtype === T_CLTS) {
          const sender = ctx.open();
          ctx.ok(await t_bind(sender, null, null), "t_bind of the sender");
          ctx.ok(await t_sndudata(sender, t_unitdata_of({ addr, udata: text(`to ${i}`) })), `t_sndudata to ${hex(addr)}`);
          await ctx.event(fd, T_DATA, `the datagram for ${hex(addr)} arrives at the endpoint bound to it`);
          const ud = t_unitdata_of({ addr: 1024, opt: 1024, udata: 64 });
          ctx.ok(await t_rcvudata(fd, ud, { value: 0 }), "t_rcvudata");
          ctx.equal(Buffer.from(ud.udata.buf.subarray(0, ud.udata.len)).toString(), `to ${i}`, `the datagram at ${hex(addr)}`);
        } else {
          const caller = await ctx.callNonblocking(addr);
          await ctx.event(fd, T_LISTEN, `the call to ${hex(addr)} arrives at the endpoint bound to it`);
          const call = t_call_of({ addr: 1024, opt: 1024, udata: 1024 });
          ctx.ok(await t_listen(fd, call), "t_listen");
          ctx.ok(await t_snddis(fd, call), "t_snddis rejecting the call");
          ctx.ok(await t_close(caller), "t_close of the caller");
        }
        for (const [j, other] of fds.entries()) if (j !== i) ctx.truthy(t_look(other) === 0, `the endpoint bound to ${hex(addrs[j] as Uint8Array)} while ${hex(addr)} was addressed`, "no event", `event ${t_look(other)}`);
      }
    },
  },
  {
    id: "A2.auto-address-distinct",
    group: "address",
    rule: "An address the provider chooses is never one already bound: not one it handed out before and that was then bound explicitly, nor any it would have chosen next",
    source: `${SOURCE} (req NULL: the provider assigns an address); illumos tl.c (automatic addresses skip those in use)`,
    notApplicable: () => null,
    async run(ctx) {
      const qlen = qlenFor(ctx);
      // An address the provider chose, given back, then bound explicitly.
      const first = await autoBound(ctx, qlen);
      ctx.ok(await t_unbind(first.fd), "t_unbind of the automatically bound endpoint");
      const again = ctx.open();
      const rebound = await ctx.bindAt(again, first.addr, qlen);
      ctx.truthy(rebound.r === 0, `t_bind of ${hex(first.addr)}, an address the provider chose and that was freed`, "success", describeResult(rebound.r));
      const taken = [first.addr];
      // The addresses a counter would produce next, bound explicitly where the provider accepts them.
      for (const next of likelyNext(first.addr, 8)) {
        const fd = ctx.open();
        const { r, bound } = await ctx.bindAt(fd, next, qlen);
        if (r === 0 && sameBytes(bound, next)) taken.push(next);
        else await t_close(fd);
      }
      // Now let the provider choose, many times.
      const chosen: Uint8Array[] = [];
      for (let k = 0; k < 24; k++) {
        const { addr } = await autoBound(ctx, qlen);
        const clash = [...taken, ...chosen].find((t) => sameBytes(t, addr));
        if (clash !== undefined) ctx.fail(`the address chosen by the provider for its ${k + 1}th automatic bind`, `an address not bound already (${taken.length} bound explicitly, ${chosen.length} chosen before)`, `${hex(addr)}, already bound`);
        chosen.push(addr);
      }
    },
  },
  {
    id: "A3.address-busy",
    group: "address",
    rule: "t_bind of an address in use fails TADDRBUSY: a second listener on a listener's address (a second endpoint on a connectionless one's)",
    source: `${SOURCE} (TADDRBUSY; one endpoint per address may have qlen > 0)`,
    notApplicable: () => null,
    async run(ctx) {
      const qlen = qlenFor(ctx);
      const held = await autoBound(ctx, qlen);
      const other = ctx.open();
      const { r } = await ctx.bindAt(other, held.addr, qlen);
      ctx.truthy(r === -1 && t_errno === TADDRBUSY, `t_bind with qlen ${qlen} of ${hex(held.addr)}, bound with qlen ${qlen} by another endpoint`, "-1 with TADDRBUSY", r >= 0 ? "success" : `-1 with ${tErrnoName(t_errno)}`);
    },
  },
  {
    id: "A4.unbind-frees-address",
    group: "address",
    rule: "t_unbind and t_close free the address: another endpoint can then bind it",
    source: `${SOURCE}; XNS5 t_unbind(3), t_close(3)`,
    notApplicable: () => null,
    async run(ctx) {
      const qlen = qlenFor(ctx);
      const a = await autoBound(ctx, qlen);
      ctx.ok(await t_unbind(a.fd), "t_unbind");
      const b = ctx.open();
      const afterUnbind = await ctx.bindAt(b, a.addr, qlen);
      ctx.truthy(afterUnbind.r === 0, `t_bind of ${hex(a.addr)} after its endpoint's t_unbind`, "success", describeResult(afterUnbind.r));
      ctx.ok(await t_close(b), "t_close");
      const c = ctx.open();
      const afterClose = await ctx.bindAt(c, a.addr, qlen);
      ctx.truthy(afterClose.r === 0, `t_bind of ${hex(a.addr)} after its endpoint's t_close`, "success", describeResult(afterClose.r));
    },
  },
  {
    id: "A5.connection-addresses",
    group: "address",
    rule: "t_listen returns the caller's address, t_connect's rcvcall the acceptor's, and t_getprotaddr on each end names the other",
    source: "XNS5 t_listen(3) (the calling user's address), t_connect(3) (rcvcall: the responding endpoint), t_getprotaddr(3)",
    notApplicable: (i) => connectionMode(i),
    async run(ctx) {
      const l = await ctx.listener(1);
      const client = await ctx.caller({ device: ctx.target.peerDevice ?? ctx.target.device });
      const res = ctx.open();
      const rcvcall = t_call_of({ addr: 1024, opt: 1024, udata: 1024 });
      const connecting = ctx.alongside(ctx.within(t_connect(client, { ...t_call_of(), addr: netbuf(l.addr) }, rcvcall), "t_connect"));
      await ctx.event(l.fd, T_LISTEN, "the call arrives");
      const call = t_call_of({ addr: 1024, opt: 1024, udata: 1024 });
      ctx.ok(await t_listen(l.fd, call), "t_listen");
      ctx.ok(await ctx.within(t_accept(l.fd, res, call), "t_accept"), "t_accept onto another endpoint");
      ctx.ok(await connecting, "t_connect");
      const c = ctx.addresses(client);
      const s = ctx.addresses(res);
      const listened = call.addr.buf.subarray(0, call.addr.len);
      const confirmed = rcvcall.addr.buf.subarray(0, rcvcall.addr.len);
      ctx.truthy(sameBytes(listened, c.local), "the caller's address returned by t_listen", hex(c.local), hex(listened));
      ctx.truthy(sameBytes(confirmed, s.local), "the acceptor's address returned in t_connect's rcvcall", hex(s.local), hex(confirmed));
      ctx.truthy(sameBytes(c.remote, s.local), "the caller's peer address (t_getprotaddr)", hex(s.local), hex(c.remote));
      ctx.truthy(sameBytes(s.remote, c.local), "the acceptor's peer address (t_getprotaddr)", hex(c.local), hex(s.remote));
      ctx.equal(t_look(client), 0, "t_look on the connected caller");
    },
  },
];
