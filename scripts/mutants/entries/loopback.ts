/**
 * The loopback providers as a module to certify the way a third party's provider is certified
 * (`xti-conformance -p MODULE`): the three tl devices under names of their own, each with the
 * target providers/loopback declares for it, a configured instance with finite limits, no
 * T_SENDZERO and release data, so that the limit and release-data cases apply too, and one that
 * holds callers beyond qlen (a backlog) instead of refusing them. The mutation
 * harness certifies copies of this module whose loopback sources carry one bug each.
 */
import { T_COTS_ORD, T_INFINITE, T_ORDRELDATA } from "../../../src/spi/index.js";
import type { ConformanceTarget } from "../../../conformance/types.js";
import { builtinLoopbackProviders, createLoopbackProvider, LOOPBACK_FEATURES, loopbackConformanceTargets } from "../../../providers/loopback/index.js";

/** In process, indications are immediate: a short wait keeps the runs of broken copies short. */
const EVENT_TIMEOUT_MS = 1000;

/** "/dev/ticots" -> "/dev/copy/ticots": not the built-in devices, which the command registers too. */
const rename = (device: string): string => device.replace(/^\/dev\//, "/dev/copy/");

const limits = createLoopbackProvider({ name: "/dev/copy/ticotsord-limits", servtype: T_COTS_ORD, tsdu: 4096, etsdu: 16, connect: 64, discon: 64, sendZero: false, ordrelData: true });
const backlog = createLoopbackProvider({ name: "/dev/copy/ticotsord-backlog", servtype: T_COTS_ORD, holdCallersBeyondQlen: true });

export const providers = [...builtinLoopbackProviders().map((p) => createLoopbackProvider({ ...p.config, name: rename(p.name) })), limits, backlog];

const builtinTargets = loopbackConformanceTargets();
const ticotsord = builtinTargets.find((t) => t.name === "ticotsord") as ConformanceTarget;

export const conformanceTargets: ConformanceTarget[] = [
  ...builtinTargets.map((t) => ({ ...t, device: rename(t.device), eventTimeoutMs: EVENT_TIMEOUT_MS })),
  {
    name: "ticotsord-limits",
    device: limits.name,
    description: "loopback, T_COTS_ORD with tsdu 4096, etsdu 16, 64 bytes of connect and disconnect data, release data",
    features: { ...LOOPBACK_FEATURES },
    declared: { servtype: T_COTS_ORD, addr: T_INFINITE, options: T_INFINITE, tsdu: 4096, etsdu: 16, connect: 64, discon: 64, flags: T_ORDRELDATA },
    eventTimeoutMs: EVENT_TIMEOUT_MS,
  },
  {
    ...ticotsord,
    name: "ticotsord-backlog",
    device: backlog.name,
    description: "loopback, T_COTS_ORD holding callers beyond qlen until the queue has room",
    features: { ...LOOPBACK_FEATURES, callerBeyondQlen: "held" },
    // Two cases wait out the whole timeout to see that a held caller is not indicated: keep it short.
    eventTimeoutMs: EVENT_TIMEOUT_MS / 2,
  },
];
