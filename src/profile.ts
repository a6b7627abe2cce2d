/**
 * API semantics profiles: the observable differences between SVR4 TLI (<tiuser.h>), XNS4 (XPG4
 * XTI, <xti.h> with _XOPEN_SOURCE and without _XPG5) and XNS5 (the default). One core serves all
 * three, as Solaris libnsl does with its api_semantics switch; every difference is a field here
 * and nowhere else. docs/semantics.md prints this table for porters.
 */
import * as C from "./constants.js";
import { EINVAL, ENOENT, EPROTO } from "./errno.js";
import { show } from "./show.js";

/** The three dialects: XNS5 (the default), XNS4 and SVR4 TLI (docs/semantics.md). */
export type SemanticsName = "XNS5" | "XNS4" | "TLI";

/** How a t_errno the library would set appears to the program. */
export interface ErrorRemap {
  t_errno: number;
  errno: number;
}

/** One dialect: every observable difference between the three, as data (docs/semantics.md prints it). */
export interface SemanticsProfile {
  readonly name: SemanticsName;
  /**
   * The library checks the user-level state before acting and fails TOUTSTATE (XTI). TLI does no
   * user-level checks: an out-of-state request goes to the provider, whose protocol error comes
   * back as TSYSERR/EPROTO, possibly on a later call.
   */
  readonly checkState: boolean;
  /** t_snd, t_sndv and t_sndrel fail TLOOK when a disconnect is pending (XTI); TLI leaves it to the provider. */
  readonly sndLookOnDiscon: boolean;
  /** t_snd fails TLOOK when an orderly release indication is pending (XNS4 only). */
  readonly sndLookOnOrdrel: boolean;
  /** t_snd rejects flags other than T_MORE, T_EXPEDITED (and T_PUSH) with TBADFLAG (XTI). */
  readonly checkFlags: boolean;
  /** t_accept fails TLOOK on any pending event on the listener (XNS4, TLI); XNS5 only on T_DISCONNECT. */
  readonly acceptLookOnAnyEvent: boolean;
  /**
   * t_bind requests exactly the given address and fails TADDRBUSY when it is taken (XTI
   * T_BIND_REQ). TLI sends O_T_BIND_REQ: the provider may bind another free address and the
   * program compares req and ret.
   */
  readonly exactBind: boolean;
  /** A returned netbuf with maxlen 0 means "do not return this" (XTI); TLI still fails TBUFOVFLW. */
  readonly maxlenZeroSkips: boolean;
  /** The value of T_ALL for t_alloc (XTI 0xffff, TLI 0x07). */
  readonly tAll: number;
  /** t_alloc size for a T_INFINITE field: null = fail TSYSERR/EINVAL unless fields == T_ALL (XTI). */
  readonly tallocInfiniteSize: number | null;
  /** t_alloc fails TSYSERR/EINVAL for a T_INVALID field unless fields == T_ALL (XTI). */
  readonly tallocInvalidFails: boolean;
  /** t_alloc adds room for XTI-level options to the opt buffer (libnsl: 320 bytes). */
  readonly tallocXtiOptionRoom: number;
  /**
   * t_look reports T_EXDATA instead of T_DATA while in-line expedited data (TCP urgent data) is
   * queued behind normal data (XTI); TLI never upgrades T_DATA.
   */
  readonly lookInlineExpedited: boolean;
  /** T_GODATA / T_GOEXDATA are reported after flow control lifts (XTI only). */
  readonly goEvents: boolean;
  /** t_info has a `flags` field (XTI). */
  readonly infoHasFlags: boolean;
  /** T_PUSH is a valid t_snd flag (XTI). */
  readonly pushFlag: boolean;
  /** t_listen reports TQFULL once when the queue is full (XTI). */
  readonly tqfull: boolean;
  /** A TSDU (datagram) larger than the provider limit: TBADDATA (XTI) or TSYSERR/EPROTO (TLI). */
  readonly oversize: ErrorRemap;
  /** t_optmgmt option buffer format: XTI t_opthdr, or the legacy TLI opthdr. */
  readonly optmgmtFormat: "xti" | "tli";
  /** t_errno values this dialect never reports, and what it reports instead. */
  readonly remap: Readonly<Partial<Record<number, ErrorRemap>>>;
}

const XNS5: SemanticsProfile = {
  name: "XNS5",
  checkState: true,
  sndLookOnDiscon: true,
  sndLookOnOrdrel: false,
  checkFlags: true,
  acceptLookOnAnyEvent: false,
  exactBind: true,
  maxlenZeroSkips: true,
  tAll: C.T_ALL,
  tallocInfiniteSize: null,
  tallocInvalidFails: true,
  tallocXtiOptionRoom: 320,
  lookInlineExpedited: true,
  goEvents: true,
  infoHasFlags: true,
  pushFlag: true,
  tqfull: true,
  oversize: { t_errno: C.TBADDATA, errno: 0 },
  optmgmtFormat: "xti",
  remap: {},
};

const XNS4: SemanticsProfile = {
  ...XNS5,
  name: "XNS4",
  sndLookOnOrdrel: true,
  acceptLookOnAnyEvent: true,
};

const TLI: SemanticsProfile = {
  name: "TLI",
  checkState: false,
  sndLookOnDiscon: false,
  sndLookOnOrdrel: false,
  checkFlags: false,
  acceptLookOnAnyEvent: true,
  exactBind: false,
  maxlenZeroSkips: false,
  tAll: 0x07,
  tallocInfiniteSize: 1024,
  tallocInvalidFails: false,
  tallocXtiOptionRoom: 0,
  lookInlineExpedited: false,
  goEvents: false,
  infoHasFlags: false,
  pushFlag: false,
  tqfull: false,
  oversize: { t_errno: C.TSYSERR, errno: EPROTO },
  optmgmtFormat: "tli",
  remap: {
    [C.TNOSTRUCTYPE]: { t_errno: C.TSYSERR, errno: EINVAL },
    [C.TBADNAME]: { t_errno: C.TSYSERR, errno: ENOENT },
    [C.TBADQLEN]: { t_errno: C.TSYSERR, errno: EPROTO },
    [C.TADDRBUSY]: { t_errno: C.TBADADDR, errno: 0 },
    [C.TINDOUT]: { t_errno: C.TBADF, errno: 0 },
    [C.TPROVMISMATCH]: { t_errno: C.TBADF, errno: 0 },
    [C.TRESQLEN]: { t_errno: C.TBADF, errno: 0 },
    [C.TRESADDR]: { t_errno: C.TBADADDR, errno: 0 },
    [C.TQFULL]: { t_errno: C.TSYSERR, errno: EPROTO },
    [C.TPROTO]: { t_errno: C.TSYSERR, errno: EPROTO },
  },
};

function frozen(p: SemanticsProfile): SemanticsProfile {
  Object.freeze(p.oversize);
  Object.freeze(p.remap);
  for (const r of Object.values(p.remap)) Object.freeze(r);
  return Object.freeze(p);
}

/** The three dialects, by name (frozen: a profile is data the whole process shares). */
export const PROFILES: Readonly<Record<SemanticsName, SemanticsProfile>> = Object.freeze({ XNS5: frozen(XNS5), XNS4: frozen(XNS4), TLI: frozen(TLI) });

/**
 * The calls that exist only in XTI have XNS5 semantics whatever the endpoint's dialect: libnsl
 * implements t_sndv, t_rcvv, t_sndvudata, t_rcvvudata, t_sndreldata, t_rcvreldata and t_sysconf
 * with its XNS5 semantics only (xti-spec.md §6), so a TLI endpoint given to t_sndv is checked as
 * XTI checks it.
 */
export const XNS5_ONLY_CALLS: ReadonlySet<string> = new Set(["t_sndv", "t_rcvv", "t_sndvudata", "t_rcvvudata", "t_sndreldata", "t_rcvreldata", "t_sysconf"]);

/** The semantics `call` has on an endpoint of dialect `endpoint`. */
export function callSemantics(endpoint: SemanticsProfile, call: string): SemanticsProfile {
  return XNS5_ONLY_CALLS.has(call) ? PROFILES.XNS5 : endpoint;
}

/** The profile a `semantics` option names (undefined: XNS5), or null when it names none. */
export function profileNamed(name: unknown): SemanticsProfile | null {
  if (name === undefined) return PROFILES.XNS5;
  return typeof name === "string" && Object.hasOwn(PROFILES, name) ? PROFILES[name as SemanticsName] : null;
}

/** The words of a failure for a `semantics` option that names no dialect. */
export function unknownSemantics(name: unknown): string {
  return `semantics ${show(name)} is not "XNS5", "XNS4" or "TLI"`;
}
