/**
 * How a failed call reaches the program: the C-style functions return -1 (or null) and set
 * t_errno, errno and t_errdetail; the idiomatic API throws an XTIError. Both see the failure as
 * the endpoint's dialect reports it (TLI never shows t_errno 20-29).
 */
import { setFailure } from "../errstate.js";
import { PROFILES, type SemanticsProfile } from "../profile.js";
import { isInstance } from "../show.js";
import { XTIError } from "../xtierror.js";
import { endpointOf } from "./endpoint.js";
import { callerFailure, type XtiFailure } from "./failure.js";

/** The dialect of the endpoint behind `fd`, or XNS5 when there is none. */
export function profileOf(fd: unknown): SemanticsProfile {
  try {
    return endpointOf(fd).profile;
  } catch {
    return PROFILES.XNS5;
  }
}

/** The failure as `profile` reports it. */
export function dialectFailure(e: unknown, profile: SemanticsProfile): XtiFailure {
  const f = callerFailure(e);
  const r = profile.remap[f.t_errno];
  return r === undefined ? f : { t_errno: r.t_errno, errno: r.errno, detail: f.detail };
}

/** Set t_errno, errno and t_errdetail from a failure; returns -1 for the caller to return. */
export function report(e: unknown, profile: SemanticsProfile): -1 {
  const f = dialectFailure(e, profile);
  setFailure(f.t_errno, f.errno, f.detail ?? "");
  return -1;
}

/** The failure as the XTIError the idiomatic API throws. */
export function toXTIError(call: string, e: unknown, profile: SemanticsProfile): XTIError {
  if (isInstance(e, XTIError)) return e;
  const f = dialectFailure(e, profile);
  return new XTIError(call, f.t_errno, f.errno, f.detail);
}

/**
 * Run a synchronous core call with the C error convention (-1 and t_errno). `profile` overrides
 * the endpoint's dialect for the calls that always have XNS5 semantics.
 */
export function runSync(fd: unknown, fn: () => number, profile?: SemanticsProfile): number {
  const p = profile ?? profileOf(fd);
  try {
    return fn();
  } catch (e) {
    return report(e, p);
  }
}

/** Run a core call that may wait, with the C error convention. Never rejects. */
export async function runAsync(fd: unknown, fn: () => Promise<number>, profile?: SemanticsProfile): Promise<number> {
  const p = profile ?? profileOf(fd);
  try {
    return await fn();
  } catch (e) {
    return report(e, p);
  }
}
