/**
 * `xti/conformance`: the conformance suite as a library, for providers that certify themselves
 * from their own tests (`runTarget`) or join the `xti-conformance` report (`registerConformanceTarget`).
 *
 * @module xti/conformance
 */
export { ALL_CASES } from "./cases/index.js";
export { CaseContext } from "./context.js";
export { formatReport, type Format } from "./report.js";
export { failed, runSuite, runTarget, selectCases, type RunOptions } from "./runner.js";
export { conformanceTargets, findConformanceTarget, registerConformanceTarget } from "./targets.js";
export {
  CaseFailure,
  GROUPS,
  type CaseResult,
  type ConformanceCase,
  type ConformanceTarget,
  type Group,
  type NotApplicable,
  type Outcome,
  type TargetDeclaration,
  type TargetFeatures,
  type TargetReport,
} from "./types.js";
