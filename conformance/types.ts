/**
 * The conformance suite's vocabulary: a case (one rule, where it comes from, when it applies, how
 * to check it), a target (a provider to certify, by device name, with what it declares itself to
 * be), and a case's outcome.
 */
import type { t_info } from "../src/index.js";
import type { CaseContext } from "./context.js";

/** The groups of cases: the XTI rules of every provider, then those of XTI's Internet protocols (tcp, udp). */
export type Group =
  | "info"
  | "tsdu"
  | "expedited"
  | "state"
  | "look"
  | "release"
  | "disconnect"
  | "queue"
  | "address"
  | "clts"
  | "bufovflw"
  | "options"
  | "tcp"
  | "udp";

/** The groups, in report order. */
export const GROUPS: readonly Group[] = ["info", "tsdu", "expedited", "state", "look", "release", "disconnect", "queue", "address", "clts", "bufovflw", "options", "tcp", "udp"];

/**
 * Why a case does not apply, and what decided it: `field` names the t_info field
 * ("t_info.etsdu"), the target feature ("features.reportsUderr") or the declaration ("declared")
 * the decision rests on, so a report can say which capability ruled the case out.
 */
export interface NotApplicable {
  field: string;
  reason: string;
}

/** One case: a rule, where it comes from, when it applies, and how to check it. */
export interface ConformanceCase {
  /** Stable identifier, e.g. "T5.small-buffers" (the rule id of conformance-rules.md first). */
  id: string;
  group: Group;
  /** The rule, in one line. */
  rule: string;
  /** Where the rule comes from (XTI manual page, spec section, reference implementation). */
  source: string;
  /**
   * "library" when the outcome is decided by the xti library itself over any provider (state,
   * flag and argument checks, TBADDATA against the advertised limits, option bookkeeping): such a
   * pass shows the library works over the provider, not that the provider behaves. Default
   * "provider": the provider's own behaviour decides.
   */
  checks?: "library" | "provider";
  /**
   * Why the case does not apply to a provider with this t_info, these features and this
   * declaration, or null when it applies. Decided from capabilities only, never from what the
   * provider does.
   */
  notApplicable(info: t_info, features: TargetFeatures, declared: TargetDeclaration | undefined): NotApplicable | null;
  /** Check the rule; throws CaseFailure when it does not hold. */
  run(ctx: CaseContext): Promise<void>;
}

/**
 * Facts about a provider that t_info does not carry. Each has the default most providers match:
 * a provider must opt in to reportsUderr, confirmedOnAccept, abortDiscardsUnread, errnoReasons and opaqueAddresses
 * (their cases check a behaviour XTI leaves to the provider), and opt out of boundedQueue and
 * refusesUnknownAddress (connection transports usually do both).
 */
export interface TargetFeatures {
  /** Undeliverable datagrams come back as T_UDERR (loopback yes; kernel UDP no). Default false. */
  reportsUderr?: boolean;
  /** t_listen can report TQFULL: the provider holds at most qlen indications. Default true. */
  boundedQueue?: boolean;
  /**
   * What becomes of a caller that arrives while the listener already holds qlen indications:
   * "refused" (it gets T_DISCONNECT at once, as tl does) or "held" (it waits unindicated and is
   * indicated once the queue has room, as a TCP listen backlog makes it retry). Undeclared, the
   * suite checks only that no such caller is indicated.
   */
  callerBeyondQlen?: "refused" | "held";
  /**
   * A caller is confirmed (T_CONNECT) only when the listener accepts it, not when it is indicated
   * (tl). Default false: XTI allows providers where the indication is the connection (t_accept(3)
   * and t_listen(3) WARNINGS), as socket emulations over TCP are.
   */
  confirmedOnAccept?: boolean;
  /** A connect to an address where nobody listens is refused (rather than timing out). Default true. */
  refusesUnknownAddress?: boolean;
  /**
   * An abortive disconnect discards the data the peer has not read yet (tl flushes the peer's
   * stream before T_DISCON_IND). Default false: either delivery or loss of that data is allowed
   * (conformance-rules L4).
   */
  abortDiscardsUnread?: boolean;
  /**
   * Disconnect reasons are errno values: ECONNREFUSED for a connect nobody accepts, ECONNRESET
   * for an established connection the peer aborted (the built-in providers, OpenSS7's TCP).
   * Default false: a reason is only required to be non-zero.
   */
  errnoReasons?: boolean;
  /**
   * Any byte string is an address, compared by length and bytes (tl's addresses), so the suite
   * may bind addresses of its own making. Default false.
   */
  opaqueAddresses?: boolean;
}

/**
 * What a provider is meant to be, stated by its target: the t_info a freshly opened endpoint must
 * report (each field given is compared with t_getinfo; `flags` lists every t_info flag that must
 * be set, the others must be clear) and, for XTI's Internet transports, the protocol whose
 * mapping it implements. A provider whose t_info disagrees fails "I1.declared-info" instead of
 * having its cases turned into not applicable.
 */
export interface TargetDeclaration extends Partial<t_info> {
  /**
   * The Internet protocol of the XNS5 Internet appendix the provider maps ("tcp": T_COTS_ORD,
   * no TSDUs, urgent data as expedited data; "udp": T_CLTS). Protocol-specific cases key on it.
   */
  protocol?: "tcp" | "udp";
}

/** A provider to certify: the suite opens endpoints on `device`. */
export interface ConformanceTarget {
  /** Short name for the report, e.g. "ticots". */
  name: string;
  /** The device t_open uses, e.g. "/dev/ticots". */
  device: string;
  description?: string;
  features?: TargetFeatures;
  /** What the provider is meant to be; checked against what it reports and does. */
  declared?: TargetDeclaration;
  /** True when the target can run on this machine, otherwise why not (shown as skipped). */
  available?(): Promise<true | string>;
  /** Called before the cases run. */
  setup?(): Promise<void>;
  /** Called after the cases ran. */
  teardown?(): Promise<void>;
  /** Address for t_bind of a listening/receiving endpoint; null lets the provider choose. */
  bindAddress?(index: number): Uint8Array | null;
  /** An address returned by t_bind, as a peer must give it to t_connect / t_sndudata. */
  dialAddress?(bound: Uint8Array): Uint8Array;
  /** How long to wait for an indication from the peer (network providers need longer). */
  eventTimeoutMs?: number;
  /** Another device whose endpoints can talk to this one's: the connection cases put their callers on it. */
  peerDevice?: string;
}

/** A case passed, failed, or does not apply to the target. */
export type Outcome = "pass" | "fail" | "na";

/** The result of one case on one target. */
export interface CaseResult {
  target: string;
  id: string;
  group: Group;
  rule: string;
  source: string;
  /** What decides the outcome (see ConformanceCase.checks). */
  checks: "library" | "provider";
  outcome: Outcome;
  /** For na: why it does not apply; for fail: what went wrong. */
  reason?: string;
  /** For na: the t_info field, feature or declaration that made the case not applicable. */
  field?: string;
  expected?: string;
  actual?: string;
  durationMs: number;
}

/** The results of every case on one target. */
export interface TargetReport {
  target: string;
  device: string;
  /** Set when the target could not run here; then `results` is empty. */
  skipped?: string;
  results: CaseResult[];
}

/** Thrown by a case: what the rule expected and what the provider did. */
export class CaseFailure extends Error {
  constructor(
    message: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(message);
    this.name = "CaseFailure";
  }
}
