// The state-table test needs the table internals next to the public API.
export * from "../../src/index.js";
export { CALL_EVENTS as CALL_EVENTS_FOR_TEST, allowedIn as allowedInForTest } from "../../src/statetable.js";
