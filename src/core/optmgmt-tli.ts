/**
 * TLI t_optmgmt (T_SVR4_OPTMGMT_REQ) over the same option table as XTI, with the legacy opthdr
 * format: T_NEGOTIATE applies all options or fails TBADOPT, T_CHECK answers T_SUCCESS or
 * T_FAILURE in ret->flags, T_DEFAULT needs an empty request and returns every default.
 */
import { T_CHECK, T_DEFAULT, T_FAILURE, T_NEGOTIATE, T_PARTSUCCESS, T_SUCCESS, TBADFLAG, TBADOPT, TBUFOVFLW } from "../constants.js";
import { decodeLegacyOptions, encodeLegacyOptions, type LegacyOption } from "../options/legacy.js";
import type { ProviderOption } from "../spi/contract.js";
import type { t_optmgmt } from "../structs.js";
import { copyOut } from "./common.js";
import type { CoreEndpoint } from "./endpoint.js";
import { fail } from "./failure.js";

function lookup(available: ProviderOption[], o: LegacyOption): ProviderOption | undefined {
  return available.find((a) => a.level === o.level && a.name === o.name);
}

/** The value `o` asks for, or null when the option or its value is not acceptable. */
function acceptable(opt: ProviderOption | undefined, o: LegacyOption): Uint8Array | null {
  if (opt === undefined || opt.readOnly()) return null;
  const lengthOk = opt.length === 0 ? o.value.length % 4 === 0 : o.value.length === opt.length;
  if (!lengthOk) return null;
  const judged = opt.check(o.value);
  return judged.status === T_SUCCESS || judged.status === T_PARTSUCCESS ? judged.value : null;
}

export function tliOptmgmt(ep: CoreEndpoint, flags: number, request: Uint8Array, ret: t_optmgmt, available: ProviderOption[]): number {
  let result: Array<{ level: number; name: number; value: Uint8Array }>;
  switch (flags) {
    case T_DEFAULT:
      if (request.length !== 0) fail(TBADOPT, 0, "T_DEFAULT takes an empty request in TLI");
      result = available.map((o) => ({ level: o.level, name: o.name, value: o.defaultValue() }));
      ret.flags = T_DEFAULT;
      break;
    case T_CHECK: {
      const opts = decodeLegacyOptions(request);
      if (opts === null || opts.length === 0) fail(TBADOPT, 0, "req.opt does not hold well-formed opthdr options");
      ret.flags = opts.every((o) => acceptable(lookup(available, o), o) !== null) ? T_SUCCESS : T_FAILURE;
      result = opts;
      break;
    }
    case T_NEGOTIATE: {
      const opts = decodeLegacyOptions(request);
      if (opts === null || opts.length === 0) fail(TBADOPT, 0, "req.opt does not hold well-formed opthdr options");
      // All or nothing: judge every option before changing any.
      const plan = opts.map((o) => ({ o, opt: lookup(available, o), value: acceptable(lookup(available, o), o) }));
      const bad = plan.find((p) => p.value === null);
      if (bad !== undefined) fail(TBADOPT, 0, `option ${bad.o.level}/${bad.o.name} cannot be negotiated`);
      for (const p of plan) p.opt?.set(p.value as Uint8Array);
      result = plan.map((p) => ({ level: p.o.level, name: p.o.name, value: (p.opt as ProviderOption).currentValue() }));
      ret.flags = T_NEGOTIATE;
      break;
    }
    default:
      fail(TBADFLAG, 0, "req.flags must be T_NEGOTIATE, T_CHECK or T_DEFAULT");
  }
  if (copyOut(ep.profile, ret.opt, encodeLegacyOptions(result))) fail(TBUFOVFLW, 0, "ret.opt is too small");
  return 0;
}
