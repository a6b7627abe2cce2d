/** Applicability from capabilities: each returns why a case does not apply, or null. */
import { T_CLTS, T_COTS, T_COTS_ORD, T_INFINITE, T_INVALID, T_ORDRELDATA, T_SENDZERO, type t_info } from "../../src/index.js";

export type Reason = string | null;

/** The first reason that applies, if any. */
export function first(...reasons: Reason[]): Reason {
  for (const r of reasons) if (r !== null) return r;
  return null;
}

export const connectionMode = (i: t_info): Reason => (i.servtype === T_CLTS ? "connectionless provider (T_CLTS)" : null);
export const connectionless = (i: t_info): Reason => (i.servtype !== T_CLTS ? "connection-mode provider" : null);
export const orderlyRelease = (i: t_info): Reason => (i.servtype !== T_COTS_ORD ? "no orderly release (servtype is not T_COTS_ORD)" : null);
export const plainCots = (i: t_info): Reason => (i.servtype !== T_COTS ? "the provider has orderly release or is connectionless" : null);
export const tsduBoundaries = (i: t_info): Reason =>
  first(connectionMode(i), i.tsdu === 0 ? "no TSDU boundaries (tsdu 0: a byte stream)" : null, i.tsdu === T_INVALID ? "no normal data (tsdu T_INVALID)" : null);
export const byteStream = (i: t_info): Reason => first(connectionMode(i), i.tsdu !== 0 ? "the provider keeps TSDU boundaries (tsdu is not 0)" : null);
export const expedited = (i: t_info): Reason => first(connectionMode(i), i.etsdu === T_INVALID ? "no expedited data (etsdu T_INVALID)" : null);
export const sendZero = (i: t_info): Reason => ((i.flags & T_SENDZERO) === 0 ? "no zero-length units (T_SENDZERO not set)" : null);
export const noSendZero = (i: t_info): Reason => ((i.flags & T_SENDZERO) !== 0 ? "zero-length units are supported (T_SENDZERO)" : null);
export const ordrelData = (i: t_info): Reason => ((i.flags & T_ORDRELDATA) === 0 ? "no orderly release data (T_ORDRELDATA not set)" : null);
export const noOrdrelData = (i: t_info): Reason => ((i.flags & T_ORDRELDATA) !== 0 ? "orderly release carries data (T_ORDRELDATA)" : null);

/** The unit size limit has room for `n` bytes (T_INFINITE, or a positive limit >= n). */
export function fits(limit: number, n: number): boolean {
  return limit === T_INFINITE || limit >= n;
}

/** Not applicable when the TSDU (or ETSDU) limit has no room for `n` bytes (`what` names it). */
export function room(what: "tsdu" | "etsdu", limit: number, n: number, shown = `${n} bytes`): Reason {
  return fits(limit, n) ? null : `${what} ${limit} is below ${shown}`;
}

export const limitedTsdu = (i: t_info): Reason => (i.tsdu <= 0 ? `no finite TSDU limit (tsdu ${i.tsdu})` : null);
export const limitedEtsdu = (i: t_info): Reason => (i.etsdu <= 0 ? `no finite ETSDU limit (etsdu ${i.etsdu})` : null);
