/** t_optmgmt: the XTI_GENERIC options, negotiation, per-option status, malformed requests. */
import {
  T_ALLOPT,
  T_CHECK,
  T_CURRENT,
  T_NEGOTIATE,
  T_NOTSUPPORT,
  T_PARTSUCCESS,
  T_READONLY,
  T_SUCCESS,
  TBADFLAG,
  TBADOPT,
  XTI_DEBUG,
  XTI_GENERIC,
  XTI_LINGER,
  XTI_RCVBUF,
  XTI_RCVLOWAT,
  XTI_SNDBUF,
  XTI_SNDLOWAT,
  decodeOptions,
  encodeOptions,
  netbufBytes,
  readUscalar,
  scalarValue,
  t_optmgmt,
  t_optmgmt_of,
  type XtiOption,
} from "../../src/index.js";
import type { CaseContext } from "../context.js";
import type { ConformanceCase } from "../types.js";

const SOURCE = "XNS5 t_optmgmt(3); XTI generic options (xti_xtiopt.h)";

/** One t_optmgmt request on `fd`; returns ret.flags and the options returned, each with its status. */
export async function manage(ctx: CaseContext, fd: number, flags: number, options: Array<{ level: number; name: number; value?: Uint8Array }>): Promise<{ flags: number; options: XtiOption[] }> {
  const ret = t_optmgmt_of(4096);
  ctx.ok(await t_optmgmt(fd, t_optmgmt_of(encodeOptions(options), flags), ret), "t_optmgmt");
  return { flags: ret.flags, options: decodeOptions(netbufBytes(ret.opt)) ?? [] };
}

export const optionCases: ConformanceCase[] = [
  {
    id: "X1.generic-options",
    group: "options",
    checks: "library",
    rule: "Every endpoint has the XTI_GENERIC options: T_CURRENT with T_ALLOPT returns all six with a usable status",
    source: SOURCE,
    notApplicable: () => null,
    async run(ctx) {
      const fd = ctx.open();
      const r = await manage(ctx, fd, T_CURRENT, [{ level: XTI_GENERIC, name: T_ALLOPT }]);
      const names = r.options.map((o) => o.name).sort((a, b) => a - b);
      ctx.equal(names, [XTI_DEBUG, XTI_LINGER, XTI_RCVBUF, XTI_RCVLOWAT, XTI_SNDBUF, XTI_SNDLOWAT].sort((a, b) => a - b), "the XTI_GENERIC options returned");
      const bad = r.options.find((o) => o.status !== T_SUCCESS && o.status !== T_READONLY);
      ctx.truthy(bad === undefined, "each option's status", "T_SUCCESS or T_READONLY", bad === undefined ? "" : `option ${bad.name}: 0x${bad.status.toString(16)}`);
    },
  },
  {
    id: "X2.negotiate",
    group: "options",
    rule: "Negotiating XTI_RCVBUF to a new value succeeds (T_SUCCESS with the value asked for, or T_PARTSUCCESS with another) and T_CURRENT then reports the negotiated value",
    source: `${SOURCE} (T_SUCCESS: the requested value was negotiated)`,
    notApplicable: () => null,
    async run(ctx) {
      const fd = ctx.open();
      // Ask for a value other than the current one, so the negotiation has something to change.
      const before = await manage(ctx, fd, T_CURRENT, [{ level: XTI_GENERIC, name: XTI_RCVBUF }]);
      const requested = readUscalar(before.options[0]?.value ?? new Uint8Array(4)) === 32768 ? 16384 : 32768;
      const n = await manage(ctx, fd, T_NEGOTIATE, [{ level: XTI_GENERIC, name: XTI_RCVBUF, value: scalarValue(requested) }]);
      const status = n.options[0]?.status;
      ctx.truthy(status === T_SUCCESS || status === T_PARTSUCCESS, "the negotiation", "T_SUCCESS or T_PARTSUCCESS", `0x${(status ?? 0).toString(16)}`);
      const value = readUscalar(n.options[0]?.value ?? new Uint8Array(4));
      if (status === T_SUCCESS) ctx.equal(value, requested, "the value returned with T_SUCCESS");
      const cur = await manage(ctx, fd, T_CURRENT, [{ level: XTI_GENERIC, name: XTI_RCVBUF }]);
      ctx.equal(readUscalar(cur.options[0]?.value ?? new Uint8Array(4)), value, "T_CURRENT after T_NEGOTIATE");
    },
  },
  {
    id: "X3.unknown-option",
    group: "options",
    checks: "library",
    rule: "An unknown option gets T_NOTSUPPORT, which is also the worst status reported in ret.flags",
    source: SOURCE,
    notApplicable: () => null,
    async run(ctx) {
      const fd = ctx.open();
      const r = await manage(ctx, fd, T_CHECK, [
        { level: XTI_GENERIC, name: XTI_RCVBUF, value: scalarValue(4096) },
        { level: XTI_GENERIC, name: 0x7777, value: scalarValue(1) },
      ]);
      ctx.equal(r.options[1]?.status, T_NOTSUPPORT, "the unknown option's status");
      ctx.equal(r.flags, T_NOTSUPPORT, "ret.flags");
    },
  },
  {
    id: "X4.malformed",
    group: "options",
    checks: "library",
    rule: "A request without a well-formed t_opthdr fails TBADOPT; flags other than one request type fail TBADFLAG",
    source: SOURCE,
    notApplicable: () => null,
    async run(ctx) {
      const fd = ctx.open();
      ctx.error(await t_optmgmt(fd, t_optmgmt_of(new Uint8Array(8), T_CURRENT), t_optmgmt_of(256)), TBADOPT, "t_optmgmt with 8 bytes of options");
      const req = t_optmgmt_of(encodeOptions([{ level: XTI_GENERIC, name: XTI_RCVBUF }]), T_NEGOTIATE | T_CHECK);
      ctx.error(await t_optmgmt(fd, req, t_optmgmt_of(256)), TBADFLAG, "t_optmgmt with T_NEGOTIATE|T_CHECK");
    },
  },
];
