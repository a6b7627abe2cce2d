/**
 * The conformance suite's vocabulary: a case (one rule, where it comes from, when it applies, how
 * to check it), a target (a provider to certify, by device name), and a case's outcome.
 */
import type { t_info } from "../src/index.js";
import type { CaseContext } from "./context.js";

/** The ten groups of cases. */
export type Group =
  | "tsdu"
  | "expedited"
  | "state"
  | "look"
  | "release"
  | "disconnect"
  | "queue"
  | "clts"
  | "bufovflw"
  | "options";

/** The groups, in report order. */
export const GROUPS: readonly Group[] = ["tsdu", "expedited", "state", "look", "release", "disconnect", "queue", "clts", "bufovflw", "options"];

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
   * Why the case does not apply to a provider with this t_info (and these target features), or
   * null when it applies. Decided from capabilities only, never from what the provider does.
   */
  notApplicable(info: t_info, features: TargetFeatures): string | null;
  /** Check the rule; throws CaseFailure when it does not hold. */
  run(ctx: CaseContext): Promise<void>;
}

/**
 * Facts about a provider that t_info does not carry. Each has the default most providers match:
 * a provider must opt in to reportsUderr (datagram transports often cannot report), and opt out
 * of boundedQueue and refusesUnknownAddress (connection transports usually do both).
 */
export interface TargetFeatures {
  /** Undeliverable datagrams come back as T_UDERR (loopback yes; kernel UDP no). Default false. */
  reportsUderr?: boolean;
  /** t_listen can report TQFULL: the provider holds at most qlen indications. Default true. */
  boundedQueue?: boolean;
  /** A connect to an address where nobody listens is refused (rather than timing out). Default true. */
  refusesUnknownAddress?: boolean;
}

/** A provider to certify: the suite opens endpoints on `device`. */
export interface ConformanceTarget {
  /** Short name for the report, e.g. "ticots". */
  name: string;
  /** The device t_open uses, e.g. "/dev/ticots". */
  device: string;
  description?: string;
  features?: TargetFeatures;
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
