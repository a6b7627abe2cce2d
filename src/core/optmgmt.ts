/**
 * t_optmgmt with XTI t_opthdr buffers: T_NEGOTIATE, T_CHECK, T_DEFAULT and T_CURRENT, per-option
 * status and the worst status in ret->flags. The options come from the provider's table plus the
 * XTI_GENERIC options the library keeps (options/generic.ts).
 */
import {
  T_ALLOPT,
  T_CHECK,
  T_CURRENT,
  T_DEFAULT,
  T_FAILURE,
  T_NEGOTIATE,
  T_NOTSUPPORT,
  T_PARTSUCCESS,
  T_READONLY,
  T_IDLE,
  T_SUCCESS,
  TOUTSTATE,
  TBADFLAG,
  TBADOPT,
  TBUFOVFLW,
  TSYSERR,
} from "../constants.js";
import { EFAULT } from "../errno.js";
import { genericOptions } from "../options/generic.js";
import { decodeOptions, encodeOptions, type XtiOption } from "../options/opthdr.js";
import type { ProviderOption } from "../spi/contract.js";
import type { t_optmgmt } from "../structs.js";
import { checkOutputNetbuf, inputNetbuf, integer } from "./args.js";
import { copyOut, requireState } from "./common.js";
import type { CoreEndpoint } from "./endpoint.js";
import { fail } from "./failure.js";
import { tliOptmgmt } from "./optmgmt-tli.js";

/** Status ranks: ret->flags reports the worst (lowest) status of the options returned. */
const RANK: Record<number, number> = { [T_NOTSUPPORT]: 0, [T_READONLY]: 1, [T_FAILURE]: 2, [T_PARTSUCCESS]: 3, [T_SUCCESS]: 4 };

/** All options of an endpoint: the provider's, then the generic ones it does not manage. */
export function endpointOptions(ep: CoreEndpoint): ProviderOption[] {
  const own = [...ep.pep.options()];
  if (ep.genericOptions.length === 0) ep.genericOptions.push(...genericOptions({ rcvbuf: 65536, sndbuf: 65536 }));
  for (const g of ep.genericOptions) {
    if (!own.some((o) => o.level === g.level && o.name === g.name)) own.push(g);
  }
  return own;
}

function validLength(opt: ProviderOption, value: Uint8Array): boolean {
  return opt.length === 0 ? value.length % 4 === 0 : value.length === opt.length;
}

/** Carry out one option of the request; returns the option as it goes into ret. */
function manage(flags: number, req: XtiOption, opt: ProviderOption | undefined): XtiOption {
  const out = (status: number, value: Uint8Array): XtiOption => ({ level: req.level, name: req.name, status, value });
  if (opt === undefined) return out(T_NOTSUPPORT, new Uint8Array(0));
  const hasValue = req.value.length > 0 || opt.length === 0;
  switch (flags) {
    case T_DEFAULT:
      return out(opt.readOnly() ? T_READONLY : T_SUCCESS, opt.defaultValue());
    case T_CURRENT:
      return out(opt.readOnly() ? T_READONLY : T_SUCCESS, opt.currentValue());
    case T_CHECK: {
      if (!hasValue) return out(opt.readOnly() ? T_READONLY : T_SUCCESS, req.value);
      if (!validLength(opt, req.value)) fail(TBADOPT, 0, `option ${req.level}/${req.name}: value of ${req.value.length} bytes`);
      if (opt.readOnly()) return out(T_READONLY, req.value);
      return out(opt.check(req.value).status, req.value);
    }
    default: {
      // T_NEGOTIATE; an option without a value negotiates its default.
      const proposed = hasValue && req.value.length > 0 ? req.value : opt.defaultValue();
      if (hasValue && req.value.length > 0 && !validLength(opt, req.value)) fail(TBADOPT, 0, `option ${req.level}/${req.name}: value of ${req.value.length} bytes`);
      if (opt.readOnly()) return out(T_READONLY, opt.currentValue());
      const judged = opt.check(proposed);
      if (judged.status === T_FAILURE) return out(T_FAILURE, opt.currentValue());
      opt.set(judged.value);
      return out(judged.status, opt.currentValue());
    }
  }
}

export function t_optmgmt(ep: CoreEndpoint, req: t_optmgmt, ret: t_optmgmt): number {
  try {
    return manageOptions(ep, req, ret);
  } finally {
    ep.infoChanged(); // an option (a buffer size, say) may change what the provider reports
  }
}

/**
 * t_optmgmt on option records rather than t_opthdr bytes: the idiomatic Endpoint's way in, with
 * no netbufs to fill and so no TBUFOVFLW. Fails TBADF, TOUTSTATE, TBADFLAG and TBADOPT as
 * t_optmgmt does, in that order. Values may be the caller's or a provider's own buffers: a
 * caller that keeps them copies them.
 */
export function optmgmtRecords(ep: CoreEndpoint, flags: number, requested: readonly XtiOption[]): { flags: number; options: XtiOption[] } {
  try {
    ep.checkUsable();
    requireState(ep, "t_optmgmt");
    checkXtiFlags(flags);
    return manageRecords(ep, flags, requested);
  } finally {
    ep.infoChanged(); // as in t_optmgmt
  }
}

/** The C-style call: checks as before, in the same order, then the record work and the copy into ret. */
function manageOptions(ep: CoreEndpoint, req: t_optmgmt, ret: t_optmgmt): number {
  ep.checkUsable();
  requireState(ep, "t_optmgmt");
  if (typeof req !== "object" || req === null) fail(TSYSERR, EFAULT, "req is not a t_optmgmt");
  if (typeof ret !== "object" || ret === null) fail(TSYSERR, EFAULT, "ret is not a t_optmgmt");
  const flags = integer(req.flags, "req.flags");
  if (ep.profile.optmgmtFormat === "tli") {
    if (ep.info().legacyOptmgmtOnlyIdle === true && ep.state !== T_IDLE) fail(TOUTSTATE, 0, "this provider allows TLI option management only in T_IDLE");
    const request = inputNetbuf(req.opt, "req.opt");
    checkOutputNetbuf(ret.opt, "ret.opt");
    return tliOptmgmt(ep, flags, request, ret, endpointOptions(ep));
  }
  checkXtiFlags(flags);
  const bytes = inputNetbuf(req.opt, "req.opt");
  checkOutputNetbuf(ret.opt, "ret.opt");
  const requested = decodeOptions(bytes);
  if (requested === null) fail(TBADOPT, 0, "req.opt does not hold well-formed t_opthdr options");
  const answer = manageRecords(ep, flags, requested);
  ret.flags = answer.flags;
  if (copyOut(ep.profile, ret.opt, encodeOptions(answer.options))) fail(TBUFOVFLW, 0, "ret.opt is too small for the options returned");
  return 0;
}

function checkXtiFlags(flags: number): void {
  if (flags !== T_NEGOTIATE && flags !== T_CHECK && flags !== T_DEFAULT && flags !== T_CURRENT) {
    fail(TBADFLAG, 0, "req.flags must be one of T_NEGOTIATE, T_CHECK, T_DEFAULT, T_CURRENT");
  }
}

/** The options of one request (all of one level), carried out; flags is the worst status among them. */
function manageRecords(ep: CoreEndpoint, flags: number, requested: readonly XtiOption[]): { flags: number; options: XtiOption[] } {
  // A t_opthdr buffer always decodes to at least one option; an empty list is the same mistake.
  if (requested.length === 0) fail(TBADOPT, 0, "the request holds no options");
  const level = requested[0]?.level;
  if (requested.some((o) => o.level !== level)) fail(TBADOPT, 0, "all options of one request must have the same level");

  const available = endpointOptions(ep);
  const results: XtiOption[] = [];
  for (const r of requested) {
    if (r.name === T_ALLOPT) {
      if (flags === T_CHECK) fail(TBADOPT, 0, "T_ALLOPT cannot be used with T_CHECK");
      const all = available.filter((o) => o.level === r.level);
      if (all.length === 0) results.push({ level: r.level, name: T_ALLOPT, status: T_NOTSUPPORT, value: new Uint8Array(0) });
      for (const o of all) results.push(manage(flags, { level: o.level, name: o.name, status: 0, value: new Uint8Array(0) }, o));
      break; // options after T_ALLOPT are ignored
    }
    results.push(manage(flags, r, available.find((o) => o.level === r.level && o.name === r.name)));
  }
  return { flags: worstStatus(results), options: results };
}

/** ret->flags: the worst (lowest-ranked) status of the options returned. */
function worstStatus(results: readonly XtiOption[]): number {
  let worst = T_SUCCESS;
  for (const r of results) if ((RANK[r.status] ?? 0) < (RANK[worst] ?? 4)) worst = r.status;
  return worst;
}
