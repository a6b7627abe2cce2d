/**
 * Applicability from capabilities: each helper returns why a case does not apply, naming the
 * t_info field or target feature that decides it, or null when the case applies.
 */
import { T_CLTS, T_COTS, T_COTS_ORD, T_INFINITE, T_INVALID, T_ORDRELDATA, T_SENDZERO, type t_info } from "../../src/index.js";
import type { NotApplicable, TargetDeclaration, TargetFeatures } from "../types.js";

export type Reason = NotApplicable | null;

/** A not-applicable reason resting on `field`. */
export function na(field: string, reason: string): NotApplicable {
  return { field, reason };
}

/** The first reason that applies, if any. */
export function first(...reasons: Reason[]): Reason {
  for (const r of reasons) if (r !== null) return r;
  return null;
}

/** A t_info size as XTI names it: T_INFINITE, T_INVALID or the number. */
export function sizeName(n: number): string {
  return n === T_INFINITE ? "T_INFINITE" : n === T_INVALID ? "T_INVALID" : String(n);
}

export function servtypeName(n: number): string {
  return n === T_COTS ? "T_COTS" : n === T_COTS_ORD ? "T_COTS_ORD" : n === T_CLTS ? "T_CLTS" : `servtype ${n}`;
}

/** t_info.flags as XTI names them. */
export function infoFlagsName(flags: number): string {
  const names = [(flags & T_SENDZERO) !== 0 ? "T_SENDZERO" : "", (flags & T_ORDRELDATA) !== 0 ? "T_ORDRELDATA" : ""].filter((s) => s !== "");
  const unknown = flags & ~(T_SENDZERO | T_ORDRELDATA);
  if (unknown !== 0) names.push(`0x${unknown.toString(16)}`);
  return names.length === 0 ? "0" : names.join("|");
}

const SERVTYPE = "t_info.servtype";
const TSDU = "t_info.tsdu";
const ETSDU = "t_info.etsdu";
const FLAGS = "t_info.flags";

export const connectionMode = (i: t_info): Reason => (i.servtype === T_CLTS ? na(SERVTYPE, "connectionless provider (T_CLTS)") : null);
export const connectionless = (i: t_info): Reason => (i.servtype !== T_CLTS ? na(SERVTYPE, `connection-mode provider (${servtypeName(i.servtype)})`) : null);
export const orderlyRelease = (i: t_info): Reason => (i.servtype !== T_COTS_ORD ? na(SERVTYPE, `no orderly release (${servtypeName(i.servtype)}, not T_COTS_ORD)`) : null);
export const plainCots = (i: t_info): Reason => (i.servtype !== T_COTS ? na(SERVTYPE, `the provider has orderly release or is connectionless (${servtypeName(i.servtype)}, not T_COTS)`) : null);
export const normalData = (i: t_info): Reason => first(connectionMode(i), i.tsdu === T_INVALID ? na(TSDU, "no normal data (tsdu T_INVALID)") : null);
export const tsduBoundaries = (i: t_info): Reason =>
  first(connectionMode(i), i.tsdu === 0 ? na(TSDU, "no TSDU boundaries (tsdu 0: a byte stream)") : null, i.tsdu === T_INVALID ? na(TSDU, "no normal data (tsdu T_INVALID)") : null);
export const byteStream = (i: t_info): Reason => first(connectionMode(i), i.tsdu !== 0 ? na(TSDU, `the provider keeps TSDU boundaries (tsdu ${sizeName(i.tsdu)}, not 0)`) : null);
export const expedited = (i: t_info): Reason => first(connectionMode(i), i.etsdu === T_INVALID ? na(ETSDU, "no expedited data (etsdu T_INVALID)") : null);
export const noExpedited = (i: t_info): Reason => first(connectionMode(i), i.etsdu !== T_INVALID ? na(ETSDU, `the provider has expedited data (etsdu ${sizeName(i.etsdu)})`) : null);
export const sendZero = (i: t_info): Reason => ((i.flags & T_SENDZERO) === 0 ? na(FLAGS, "no zero-length units (T_SENDZERO not set)") : null);
export const noSendZero = (i: t_info): Reason => ((i.flags & T_SENDZERO) !== 0 ? na(FLAGS, "zero-length units are supported (T_SENDZERO set)") : null);
export const ordrelData = (i: t_info): Reason => ((i.flags & T_ORDRELDATA) === 0 ? na(FLAGS, "no orderly release data (T_ORDRELDATA not set)") : null);
export const noOrdrelData = (i: t_info): Reason => ((i.flags & T_ORDRELDATA) !== 0 ? na(FLAGS, "orderly release carries data (T_ORDRELDATA set)") : null);

/** The unit size limit has room for `n` bytes (T_INFINITE, or a positive limit >= n). */
export function fits(limit: number, n: number): boolean {
  return limit === T_INFINITE || limit >= n;
}

/** Not applicable when the TSDU (or ETSDU) limit has no room for `n` bytes (`what` names it). */
export function room(what: "tsdu" | "etsdu", limit: number, n: number, shown = `${n} bytes`): Reason {
  return fits(limit, n) ? null : na(`t_info.${what}`, `${what} ${sizeName(limit)} is below ${shown}`);
}

export const limitedTsdu = (i: t_info): Reason => (i.tsdu <= 0 ? na(TSDU, `no finite TSDU limit (tsdu ${sizeName(i.tsdu)})`) : null);
export const limitedEtsdu = (i: t_info): Reason => (i.etsdu <= 0 ? na(ETSDU, `no finite ETSDU limit (etsdu ${sizeName(i.etsdu)})`) : null);
/** A limit small enough for the suite to send a unit of exactly that size. */
export function moderate(what: "tsdu" | "etsdu", limit: number, max = 1 << 20): Reason {
  return limit > max ? na(`t_info.${what}`, `${what} ${limit} is above ${max} bytes`) : null;
}

/** Not applicable unless the target sets `feature` to true (a feature that defaults to false). */
export function feature(f: TargetFeatures, name: "reportsUderr" | "confirmedOnAccept" | "abortDiscardsUnread" | "errnoReasons" | "opaqueAddresses", reason: string): Reason {
  return f[name] === true ? null : na(`features.${name}`, reason);
}

/** Not applicable unless the target declares the provider as XTI's mapping of `protocol` (the XNS5 Internet appendix). */
export function internet(d: TargetDeclaration | undefined, protocol: "tcp" | "udp"): Reason {
  if (d?.protocol === protocol) return null;
  return na("declared.protocol", d?.protocol === undefined ? "the target declares no Internet protocol" : `declared as ${d.protocol}, not ${protocol}`);
}
