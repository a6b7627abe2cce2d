/**
 * What the provider says it is: t_info against the target's declaration, t_info against XTI's own
 * rules for it, and behaviour against t_info (a service t_info says is missing must not appear).
 */
import {
  T_CLTS,
  T_COTS,
  T_COTS_ORD,
  T_EXDATA,
  T_EXPEDITED,
  T_INVALID,
  T_MORE,
  T_ORDRELDATA,
  T_SENDZERO,
  TNOTSUPPORT,
  t_look,
  t_snd,
  type t_info,
} from "../../src/index.js";
import { pattern, sameBytes, text } from "../context.js";
import type { CaseContext } from "../context.js";
import type { ConformanceCase, TargetDeclaration } from "../types.js";
import { first, infoFlagsName, na, noExpedited, servtypeName, sizeName, type Reason } from "./applies.js";

const SOURCE = "XNS5 t_open(3), t_getinfo(3) (the t_info fields)";

const SIZE_FIELDS = ["addr", "options", "tsdu", "etsdu", "connect", "discon"] as const;
type InfoField = (typeof SIZE_FIELDS)[number] | "servtype" | "flags";

function show(field: InfoField, value: number): string {
  if (field === "servtype") return servtypeName(value);
  if (field === "flags") return infoFlagsName(value);
  return sizeName(value);
}

/** "servtype T_COTS_ORD, tsdu T_INFINITE": the given fields of a t_info, for expected / actual. */
function describe(info: Partial<t_info>, fields: readonly InfoField[]): string {
  return fields.map((f) => `${f} ${show(f, info[f] ?? 0)}`).join(", ");
}

const declaredFields = (d: TargetDeclaration): InfoField[] => (["servtype", ...SIZE_FIELDS, "flags"] as const).filter((f) => d[f] !== undefined);

/** What XTI's Internet appendix says t_info is for each protocol (xti-spec §7.1: illumos tcp.c/udp.c, OpenSS7 xti_tcp). */
function protocolRules(protocol: "tcp" | "udp", i: t_info): Array<[rule: string, ok: boolean, actual: string]> {
  if (protocol === "tcp") {
    return [
      ["servtype T_COTS_ORD", i.servtype === T_COTS_ORD, servtypeName(i.servtype)],
      ["tsdu 0 (a byte stream)", i.tsdu === 0, `tsdu ${sizeName(i.tsdu)}`],
      ["etsdu not T_INVALID (urgent data is expedited data)", i.etsdu !== T_INVALID, `etsdu ${sizeName(i.etsdu)}`],
      ["connect T_INVALID", i.connect === T_INVALID, `connect ${sizeName(i.connect)}`],
      ["discon T_INVALID", i.discon === T_INVALID, `discon ${sizeName(i.discon)}`],
      ["no T_ORDRELDATA", (i.flags & T_ORDRELDATA) === 0, `flags ${infoFlagsName(i.flags)}`],
    ];
  }
  return [
    ["servtype T_CLTS", i.servtype === T_CLTS, servtypeName(i.servtype)],
    ["tsdu > 0 (the largest datagram)", i.tsdu > 0, `tsdu ${sizeName(i.tsdu)}`],
  ];
}

/** Send normal data of every shape t_info allows and read it all back, checking every read against t_info. */
async function normalTraffic(ctx: CaseContext, client: number, server: number): Promise<void> {
  const units: Array<[Uint8Array, number]> = [
    [text("small"), 0],
    [text("in "), T_MORE],
    [text("pieces"), 0],
    [pattern(100_000, 31), 0],
  ];
  const zeroUnit = (ctx.info.flags & T_SENDZERO) !== 0 && ctx.info.tsdu !== 0; // a byte stream has no empty units
  if (zeroUnit) units.push([new Uint8Array(0), 0]);
  const expected = Buffer.concat(units.map(([u]) => u));
  const sending = ctx.alongside(
    (async () => {
      for (const [u, f] of units) ctx.ok(await t_snd(client, u, u.length, f), `t_snd of ${u.length} bytes`);
    })(),
  );
  const got: Uint8Array[] = [];
  let total = 0;
  let zero = zeroUnit ? 1 : 0;
  while (total < expected.length || zero > 0) {
    if (t_look(server) === T_EXDATA) ctx.fail("t_look on a provider whose t_info.etsdu is T_INVALID", "no T_EXDATA", "T_EXDATA");
    const unit = await ctx.readUnit(server, 4096);
    if (unit.data.length === 0) zero--;
    got.push(unit.data);
    total += unit.data.length;
  }
  await ctx.within(sending, "the sends");
  ctx.truthy(sameBytes(Buffer.concat(got), expected), "the data received", `the ${expected.length} bytes sent`, `${total} bytes`);
}

export const infoCases: ConformanceCase[] = [
  {
    id: "I1.declared-info",
    group: "info",
    rule: "t_info reports what the target declares the provider to be (service type, limits, flags)",
    source: `${SOURCE}; the target's declaration (ConformanceTarget.declared)`,
    notApplicable: (_i, _f, d): Reason => (d === undefined || declaredFields(d).length === 0 ? na("declared", "the target declares no t_info") : null),
    async run(ctx) {
      const declared = ctx.target.declared ?? {};
      const fields = declaredFields(declared);
      const wrong = fields.filter((f) => declared[f] !== ctx.info[f]);
      if (wrong.length > 0) ctx.fail("t_info disagrees with the declaration", describe(declared, wrong), describe(ctx.info, wrong));
    },
  },
  {
    id: "I2.info-consistent",
    group: "info",
    rule: "t_info is one XTI allows: a known service type, sizes of at least T_INVALID, only defined flags; T_CLTS has no expedited, connect or disconnect data; T_ORDRELDATA only with T_COTS_ORD",
    source: `${SOURCE} (for T_CLTS etsdu, connect and discon are T_INVALID); XNS5 t_sndreldata(3)`,
    notApplicable: () => null,
    async run(ctx) {
      const i = ctx.info;
      const broken: string[] = [];
      if (i.servtype !== T_COTS && i.servtype !== T_COTS_ORD && i.servtype !== T_CLTS) broken.push(`servtype ${i.servtype}`);
      for (const f of SIZE_FIELDS) if (i[f] < T_INVALID) broken.push(`${f} ${i[f]}`);
      if ((i.flags & ~(T_SENDZERO | T_ORDRELDATA)) !== 0) broken.push(`flags ${infoFlagsName(i.flags)}`);
      if (i.servtype === T_CLTS) for (const f of ["etsdu", "connect", "discon"] as const) if (i[f] !== T_INVALID) broken.push(`${f} ${sizeName(i[f])} on T_CLTS`);
      if ((i.flags & T_ORDRELDATA) !== 0 && i.servtype !== T_COTS_ORD) broken.push(`T_ORDRELDATA on ${servtypeName(i.servtype)}`);
      if (broken.length > 0) ctx.fail("t_info is not one XTI allows", "a consistent t_info", broken.join("; "));
    },
  },
  {
    id: "I3.protocol-info",
    group: "info",
    rule: "A provider declared as XTI's TCP or UDP reports the t_info of the XNS5 Internet appendix (TCP: T_COTS_ORD, tsdu 0, expedited data, no connect/disconnect data; UDP: T_CLTS)",
    source: "XNS5 Internet appendix (xti_inet); illumos tcp.c tcp_g_t_info_ack, udp.c; OpenSS7 xti_tcp(3)",
    notApplicable: (_i, _f, d) => (d?.protocol === undefined ? na("declared.protocol", "the target declares no Internet protocol") : null),
    async run(ctx) {
      const protocol = ctx.target.declared?.protocol;
      if (protocol === undefined) return ctx.fail("the declared protocol", "tcp or udp", "none");
      const broken = protocolRules(protocol, ctx.info).filter(([, ok]) => !ok);
      if (broken.length > 0) ctx.fail(`t_info of a provider declared as ${protocol}`, broken.map(([rule]) => rule).join("; "), broken.map(([, , actual]) => actual).join("; "));
    },
  },
  {
    id: "I4.no-expedited-service",
    group: "info",
    rule: "With etsdu T_INVALID nothing ever arrives as expedited data: normal data of every shape is read without T_EXPEDITED and t_look never says T_EXDATA",
    source: `${SOURCE} (etsdu T_INVALID: no expedited data transfer); XNS5 t_rcv(3)`,
    notApplicable: (i) => first(noExpedited(i), i.tsdu === T_INVALID ? na("t_info.tsdu", "no normal data (tsdu T_INVALID)") : null),
    async run(ctx) {
      const { client, server } = await ctx.pair();
      ctx.error(await t_snd(client, text("x"), 1, T_EXPEDITED), TNOTSUPPORT, "t_snd(T_EXPEDITED) with etsdu T_INVALID");
      await normalTraffic(ctx, client, server);
      ctx.quiet(server, "t_look once everything sent was read");
    },
  },
];
