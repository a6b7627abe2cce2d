/**
 * How a failed call reaches the program: the C-style functions return -1 (or null) and set
 * t_errno, errno and t_errdetail; the idiomatic API throws an XTIError. Both see the failure as
 * the endpoint's dialect reports it (TLI never shows t_errno 20-29).
 */
import { setFailure } from "../errstate.js";
import { PROFILES, type SemanticsProfile } from "../profile.js";
import { isInstance } from "../show.js";
import { XTIError } from "../xtierror.js";
import { type CoreEndpoint, endpointOf } from "./endpoint.js";
import { callerFailure, type XtiFailure } from "./failure.js";

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

/** What a core call returns: its count now, or the Promise of it when it has to wait. */
export type Count = number | Promise<number>;
type AnyCall = (ep: CoreEndpoint, a: unknown, b: unknown, c: unknown, d: unknown) => Count;

/**
 * Run a core call that may wait, with the C error convention: resolve the endpoint behind `fd`
 * (TBADF when there is none), run the call, and settle with its count, or with -1 and t_errno
 * (set as soon as the failure is known). Never rejects. A call that completes at once costs one
 * resolved Promise and nothing more: the arguments are passed through, not captured in a closure.
 */
export function callAsync(fd: unknown, call: (ep: CoreEndpoint) => Count): Promise<number>;
export function callAsync<A>(fd: unknown, call: (ep: CoreEndpoint, a: A) => Count, a: A): Promise<number>;
export function callAsync<A, B>(fd: unknown, call: (ep: CoreEndpoint, a: A, b: B) => Count, a: A, b: B): Promise<number>;
export function callAsync<A, B, C>(fd: unknown, call: (ep: CoreEndpoint, a: A, b: B, c: C) => Count, a: A, b: B, c: C): Promise<number>;
export function callAsync(fd: unknown, call: AnyCall, a?: unknown, b?: unknown, c?: unknown): Promise<number> {
  return invoke(fd, null, call, a, b, c, undefined);
}

/** callAsync for the calls that have XNS5 semantics on every endpoint (profile.ts, XNS5_ONLY_CALLS). */
export function callAsyncXns5<A>(fd: unknown, call: (ep: CoreEndpoint, a: A) => Count, a: A): Promise<number>;
export function callAsyncXns5<A, B, C>(fd: unknown, call: (ep: CoreEndpoint, a: A, b: B, c: C) => Count, a: A, b: B, c: C): Promise<number>;
export function callAsyncXns5<A, B, C, D>(fd: unknown, call: (ep: CoreEndpoint, a: A, b: B, c: C, d: D) => Count, a: A, b: B, c: C, d: D): Promise<number>;
export function callAsyncXns5(fd: unknown, call: AnyCall, a: unknown, b?: unknown, c?: unknown, d?: unknown): Promise<number> {
  return invoke(fd, PROFILES.XNS5, call, a, b, c, d);
}

/**
 * Settled Promises of the counts a call returns at once, one per count, shared between calls: a
 * settled Promise never changes, and allocating one per call was a fifth of the cost of a 64-byte
 * t_snd/t_rcv pair. Counts beyond the largest piece a provider usually takes get their own.
 */
const settled: Array<Promise<number> | undefined> = [];
const SHARED_COUNTS = 65536;

/** An already resolved Promise of `n` (-1 or a byte count). */
export function resolvedCount(n: number): Promise<number> {
  if (n < -1 || n > SHARED_COUNTS) return Promise.resolve(n);
  const p = settled[n + 1];
  return p !== undefined ? p : (settled[n + 1] = Promise.resolve(n));
}

function invoke(fd: unknown, profile: SemanticsProfile | null, call: AnyCall, a: unknown, b: unknown, c: unknown, d: unknown): Promise<number> {
  let ep: CoreEndpoint;
  try {
    ep = endpointOf(fd);
  } catch (e) {
    return resolvedCount(report(e, PROFILES.XNS5));
  }
  const p = profile ?? ep.profile;
  try {
    const r = call(ep, a, b, c, d);
    return typeof r === "number" ? resolvedCount(r) : r.then(undefined, (e: unknown) => report(e, p));
  } catch (e) {
    return resolvedCount(report(e, p));
  }
}

/** Run a synchronous core call with the C error convention (-1 and t_errno). */
export function callSync(fd: unknown, call: (ep: CoreEndpoint) => number): number;
export function callSync<A>(fd: unknown, call: (ep: CoreEndpoint, a: A) => number, a: A): number;
export function callSync<A, B>(fd: unknown, call: (ep: CoreEndpoint, a: A, b: B) => number, a: A, b: B): number;
export function callSync(fd: unknown, call: (ep: CoreEndpoint, a: unknown, b: unknown) => number, a?: unknown, b?: unknown): number {
  let ep: CoreEndpoint;
  try {
    ep = endpointOf(fd);
  } catch (e) {
    return report(e, PROFILES.XNS5);
  }
  try {
    return call(ep, a, b);
  } catch (e) {
    return report(e, ep.profile);
  }
}

/** Run a synchronous call that needs no endpoint (t_free), with the C error convention and XNS5 semantics. */
export function runSync(fn: () => number): number {
  try {
    return fn();
  } catch (e) {
    return report(e, PROFILES.XNS5);
  }
}
