/**
 * The API fuzzer: calls every exported function of "xti", "xti/tli" and "xti/xns4" (and every
 * method of Endpoint) with seeded random arguments, on endpoints in every state, and checks
 * the API's promises: a C-style call never throws and its Promise never rejects (a failure is
 * -1 or null with t_errno); everything else throws only XTIError; every call settles once the
 * round's endpoints are closed; nothing leaks.
 */
import * as xti from "../../src/index.js";
import * as tli from "../../src/tli.js";
import * as xns4 from "../../src/xns4.js";
import { endpointOf, openDescriptors, type CoreEndpoint } from "../../src/core/endpoint.js";
import { pollTimersPending } from "../../src/poll.js";
import { useNameSystem } from "../../src/nametoaddr/system.js";
import { lookupProvider, providerNames, registerProvider, unregisterProvider } from "../../src/registry.js";
import type { TransportProvider } from "../../src/spi/contract.js";
import { buildWorld, registerFuzzProviders } from "./world.js";
import { type Kind, Values } from "./values.js";

/** Argument kinds of each function (the others get arguments of any kind). */
const SIGNATURES: Readonly<Record<string, readonly Kind[]>> = {
  t_open: ["device", "oflag", "info", "openopts"],
  t_close: ["fd"],
  t_bind: ["fd", "bind", "bind"],
  t_unbind: ["fd"],
  t_getinfo: ["fd", "info"],
  t_getstate: ["fd"],
  t_sync: ["fd"],
  t_look: ["fd"],
  t_getprotaddr: ["fd", "bind", "bind"],
  t_getname: ["fd", "netbuf", "int"],
  t_optmgmt: ["fd", "optmgmt", "optmgmt"],
  t_connect: ["fd", "call", "call"],
  t_rcvconnect: ["fd", "call"],
  t_listen: ["fd", "call"],
  t_accept: ["fd", "fd", "call"],
  t_snd: ["fd", "bytes", "count", "flags"],
  t_sndv: ["fd", "iov", "count", "flags"],
  t_rcv: ["fd", "bytes", "count", "intref"],
  t_rcvv: ["fd", "iov", "count", "intref"],
  t_snddis: ["fd", "call"],
  t_rcvdis: ["fd", "discon"],
  t_sndrel: ["fd"],
  t_rcvrel: ["fd"],
  t_sndreldata: ["fd", "discon"],
  t_rcvreldata: ["fd", "discon"],
  t_sndudata: ["fd", "unitdata"],
  t_sndvudata: ["fd", "unitdata", "iov", "count"],
  t_rcvudata: ["fd", "unitdata", "intref"],
  t_rcvvudata: ["fd", "unitdata", "iov", "count", "intref"],
  t_rcvuderr: ["fd", "uderr"],
  t_alloc: ["fd", "int", "flags"],
  t_free: ["any", "int"],
  t_sysconf: ["int"],
  t_error: ["string"],
  t_errorText: ["string"],
  t_strerror: ["int"],
  fcntl: ["fd", "int", "flags"],
  poll: ["pollfds", "count", "timeout"],
  getnetconfig: ["handle"],
  endnetconfig: ["handle"],
  getnetconfigent: ["string"],
  freenetconfigent: ["netconfig"],
  getnetpath: ["handle"],
  endnetpath: ["handle"],
  nc_perror: ["string"],
  netdir_getbyname: ["netconfig", "hostserv", "ref"],
  netdir_getbyaddr: ["netconfig", "ref", "netbuf"],
  netdir_free: ["any", "int"],
  netdir_options: ["netconfig", "int", "fd", "any"],
  taddr2uaddr: ["netconfig", "netbuf"],
  uaddr2taddr: ["netconfig", "uaddr"],
  netdir_perror: ["string"],
  netbuf: ["count"],
  netbufBytes: ["netbuf"],
  t_bind_of: ["bytes", "int"],
  t_call_of: ["any"],
  t_discon_of: ["bytes"],
  t_optmgmt_of: ["bytes", "flags"],
  t_uderr_of: ["any"],
  t_unitdata_of: ["any"],
  sockaddr_in: ["string", "int"],
  sockaddr_in6: ["string", "int", "int", "int"],
  encodeOptions: ["options"],
  encodeLegacyOptions: ["options"],
  registerProvider: ["provider"],
  unregisterProvider: ["device"],
  lookupProvider: ["device"],
  createLoopbackProvider: ["config"],
  registerRawHost: ["config"],
};

/** Arguments of the Endpoint methods. */
const METHODS: Readonly<Record<string, readonly Kind[]>> = {
  getinfo: [],
  getstate: [],
  look: [],
  getprotaddr: [],
  bind: ["bytes", "int"],
  unbind: [],
  connect: ["bytes", "any"],
  rcvconnect: [],
  listen: [],
  accept: ["int", "endpoint", "any"],
  snd: ["bytes", "flags"],
  sndv: ["any"],
  rcv: ["bytes"],
  rcvv: ["any"],
  rcvUnit: ["count"],
  snddis: ["bytes", "int"],
  rcvdis: [],
  sndrel: [],
  rcvrel: [],
  sndreldata: ["bytes"],
  rcvreldata: [],
  sndudata: ["bytes", "bytes", "bytes"],
  rcvudata: ["count"],
  rcvuderr: [],
  optmgmt: ["flags", "options"],
  close: [],
};

/** Exports that may throw XTIError (helpers and the idiomatic API); every other function never throws. */
const MAY_THROW_XTIERROR = new Set([
  "netbuf",
  "netbufBytes",
  "t_bind_of",
  "t_call_of",
  "t_discon_of",
  "t_optmgmt_of",
  "t_uderr_of",
  "t_unitdata_of",
  "sockaddr_in",
  "sockaddr_in6",
  "formatIpv6",
  "encodeOptions",
  "encodeLegacyOptions",
  "readOpthdr",
  "T_OPT_DATA",
  "scalarValue",
  "scalarsValue",
  "readScalar",
  "readUscalar",
  "OPTLEN",
  "registerProvider",
  "registerProviderFactory",
  "lookupProvider",
  "createLoopbackProvider",
  "registerRawHost",
  "Endpoint.open",
  "Endpoint.fromFd",
]);

/** Helpers that allocate what they are asked for: sizes between 16 MiB and their limit are left out (memory, not correctness). */
const ALLOCATES = new Set(["netbuf", "t_bind_of", "t_discon_of", "t_optmgmt_of", "t_call_of", "t_uderr_of", "t_unitdata_of", "rcvUnit", "rcvudata"]);

interface Target {
  name: string;
  fn: (...args: unknown[]) => unknown;
  construct: boolean;
}

/** Every function exported by the three entry points, once each (xns4 shares most with xti). */
export function targets(): Target[] {
  const seen = new Map<unknown, Target>();
  for (const [module, m] of [["xti", xti], ["tli", tli], ["xns4", xns4]] as const) {
    for (const [name, value] of Object.entries(m)) {
      if (typeof value !== "function" || seen.has(value)) continue;
      const isClass = /^class\b/.test(Function.prototype.toString.call(value));
      seen.set(value, { name: seen.size > 0 && [...seen.values()].some((t) => t.name === name) ? `${module}.${name}` : name, fn: value as (...args: unknown[]) => unknown, construct: isClass });
    }
  }
  return [...seen.values()];
}

export interface Violation {
  call: string;
  problem: string;
}

export interface FuzzReport {
  calls: number;
  perTarget: Map<string, number>;
  /** How the C-style calls ended: "ok" (not -1 or null) or "failed", per call name. */
  outcomes: Map<string, { ok: number; failed: number }>;
  violations: Violation[];
  unsettled: string[];
  leaks: string[];
}

function describe(v: unknown): string {
  try {
    if (typeof v === "string") return JSON.stringify(v.length > 20 ? `${v.slice(0, 20)}...` : v);
    if (typeof v === "symbol" || typeof v === "bigint" || typeof v === "number" || typeof v === "boolean" || v === null || v === undefined) return String(v);
    if (typeof v === "function") return "fn";
    if (v instanceof Uint8Array) return `u8[${v.length}]`;
    if (Array.isArray(v)) return `[${v.length}]`;
    return "{...}";
  } catch {
    return "<hostile>";
  }
}

function errorName(e: unknown): string {
  try {
    return e instanceof Error ? `${e.constructor.name}: ${e.message}${process.env.XTI_FUZZ_STACKS !== undefined ? ` ${e.stack ?? ""}` : ""}` : describe(e);
  } catch {
    return "<hostile exception>";
  }
}

/** Left out of one argument list: what would hang or exhaust memory, not what could fail. */
function tame(name: string, args: unknown[], values: Values): unknown[] {
  if (ALLOCATES.has(name.replace(/^.*\./, ""))) {
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      if (typeof a === "number" && a > 1 << 24 && a <= 0x7fffffff) args[i] = 1 << 24;
    }
  }
  if (name === "poll" || name === "tli.poll") {
    // poll with no open descriptor and no time limit would sleep forever, as in C. A positive
    // timeout is kept short so that the round can wait for it.
    const nfds = typeof args[1] === "number" && Number.isInteger(args[1]) && args[1] >= 0 ? args[1] : 0;
    const fds = Array.isArray(args[0]) ? (args[0] as unknown[]).slice(0, nfds) : [];
    const open = new Set(values.fds);
    const watchesOpen = fds.some((e) => {
      try {
        return typeof e === "object" && e !== null && open.has((e as { fd: number }).fd);
      } catch {
        return false;
      }
    });
    const t = args[2];
    if (typeof t === "number" && (t < 0 || t > 2) && !watchesOpen) args[2] = 0;
    else if (typeof t === "number" && t > 2 && t !== 2 ** 31 - 1 && t !== 2 ** 40) args[2] = 2;
  }
  return args;
}

/**
 * Run `rounds` rounds of `perRound` calls from `seed`. Never throws for what it finds: the
 * report lists every violation, unsettled call and leak.
 */
export async function fuzz(seed: number, rounds: number, perRound: number): Promise<FuzzReport> {
  const values = new Values(seed);
  const report: FuzzReport = { calls: 0, perTarget: new Map(), outcomes: new Map(), violations: [], unsettled: [], leaks: [] };
  const outcome = (name: string, result: unknown): void => {
    const o = report.outcomes.get(name) ?? { ok: 0, failed: 0 };
    if (result === -1 || result === null) o.failed++;
    else o.ok++;
    report.outcomes.set(name, o);
  };
  const all = targets();
  const saved = new Map<string, TransportProvider | undefined>(providerNames().map((n) => [n, lookupProvider(n)]));
  const unhandled: string[] = [];
  const onUnhandled = (e: unknown): void => void unhandled.push(errorName(e));
  process.on("unhandledRejection", onUnhandled);
  // eslint-disable-next-line @typescript-eslint/unbound-method -- saved to be put back as it was
  const write = process.stderr.write;
  process.stderr.write = (() => true); // t_error, nc_perror, netdir_perror
  const timersBefore = process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
  // No DNS and no files: names resolve at once, from fixed tables.
  useNameSystem({
    addresses: async (host) => (host === "alpha" ? ["198.18.0.1"] : Promise.reject(Object.assign(new Error("no"), { code: "ENOTFOUND" }))),
    hostName: async () => "alpha",
    readText: async () => "daytime 13/tcp\necho 7/udp\n",
    interfaces: () => [{ address: "198.18.0.1", netmask: "255.255.255.0", family: 4, internal: false }],
    nodename: () => "fuzzhost",
  });
  try {
    for (let round = 0; round < rounds; round++) {
      registerFuzzProviders(values);
      await buildWorld(values);
      const pending = new Map<number, string>();
      let id = 0;
      const record = (name: string, args: unknown[]): string => `${name}(${args.map(describe).join(", ")}) [seed ${seed}, round ${round}]`;
      const count = (name: string): void => {
        report.calls++;
        report.perTarget.set(name, (report.perTarget.get(name) ?? 0) + 1);
      };
      const check = (name: string, callText: string, mayThrow: boolean, result: unknown): void => {
        if (result instanceof Promise) {
          const key = id++;
          pending.set(key, callText);
          result.then(
            (r: unknown) => {
              pending.delete(key);
              if (!mayThrow) outcome(name, r);
            },
            (e: unknown) => {
              pending.delete(key);
              if (!(mayThrow && e instanceof xti.XTIError)) report.violations.push({ call: callText, problem: `rejected with ${errorName(e)}` });
            },
          );
        } else {
          if (!mayThrow) outcome(name, result);
          if (!mayThrow && result === -1 && /^(tli\.|xns4\.)?t_/.test(name) && (xti.t_errno < 1 || xti.t_errno > 29)) {
            report.violations.push({ call: callText, problem: `returned -1 with t_errno ${xti.t_errno}` });
          }
        }
      };
      const invoke = (name: string, mayThrow: boolean, call: () => unknown, args: unknown[]): void => {
        count(name);
        const callText = record(name, args);
        let result: unknown;
        try {
          result = call();
        } catch (e) {
          if (!(mayThrow && e instanceof xti.XTIError)) report.violations.push({ call: callText, problem: `threw ${errorName(e)}` });
          return;
        }
        check(name, callText, mayThrow, result);
      };

      for (let i = 0; i < perRound; i++) {
        if (values.chance(0.15) && values.endpoints.length > 0) {
          const ep = values.pick(values.endpoints) as Record<string, (...a: unknown[]) => unknown>;
          const method = values.pick(Object.keys(METHODS));
          const args = tame(method, (METHODS[method] as Kind[]).map((k) => values.of(k)), values);
          invoke(`Endpoint#${method}`, true, () => (ep[method] as (...a: unknown[]) => unknown).apply(ep, args), args);
        } else if (values.chance(0.02)) {
          const args = [values.of("device"), values.of("openopts")];
          invoke("Endpoint.open", true, () => xti.Endpoint.open(args[0] as string, args[1] as xti.EndpointOptions), args);
          const fdArg = [values.of("fd")];
          invoke("Endpoint.fromFd", true, () => xti.Endpoint.fromFd(fdArg[0] as number), fdArg);
        } else {
          const t = values.pick(all);
          const base = t.name.replace(/^.*\./, "");
          const sig = SIGNATURES[base];
          const args = tame(t.name, sig !== undefined ? sig.map((k) => values.of(k)) : Array.from({ length: values.int(5) }, () => values.any(2)), values);
          invoke(t.name, MAY_THROW_XTIERROR.has(base) || t.name === "Endpoint", () => (t.construct ? Reflect.construct(t.fn, args) : t.fn(...args)), args);
        }
        if (values.chance(0.05)) values.detachOne();
        if (values.chance(0.1)) await new Promise<void>((r) => setImmediate(r)); // let calls progress and state change
      }

      // End of round: close everything; every call must then settle, leaving no watch behind.
      const endpoints: CoreEndpoint[] = openDescriptors().map((fd) => endpointOf(fd));
      for (const fd of openDescriptors()) await xti.t_close(fd);
      await new Promise<void>((r) => setTimeout(r, 5)); // poll timeouts are at most 2 ms
      for (let turn = 0; turn < 200 && pending.size > 0; turn++) await new Promise<void>((r) => setImmediate(r));
      report.unsettled.push(...pending.values());
      const watching = endpoints.filter((ep) => ep.waiting > 0).length;
      if (watching > 0) report.leaks.push(`round ${round} [seed ${seed}]: ${watching} closed endpoints still have waits`);
      for (const h of values.handles) xti.endnetconfig(h as xti.NCONF_HANDLE);
      restoreProviders(saved);
      if (report.unsettled.length > 0 || report.violations.length > 20) break;
    }
  } finally {
    process.stderr.write = write;
    process.off("unhandledRejection", onUnhandled);
    useNameSystem(null);
    restoreProviders(saved);
  }
  for (const e of unhandled) report.violations.push({ call: `(unhandled rejection) [seed ${seed}]`, problem: e });
  if (openDescriptors().length > 0) report.leaks.push(`descriptors left open: ${openDescriptors().join(", ")}`);
  if (pollTimersPending() > 0) report.leaks.push(`${pollTimersPending()} poll timers left`);
  const timersAfter = process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
  if (timersAfter > timersBefore) report.leaks.push(`${timersAfter - timersBefore} timers left`);
  return report;
}

/** Put the provider registry back as it was (the fuzzer registers and unregisters devices). */
function restoreProviders(saved: Map<string, TransportProvider | undefined>): void {
  for (const name of providerNames()) if (!saved.has(name)) unregisterProvider(name);
  for (const provider of saved.values()) if (provider !== undefined) registerProvider(provider);
}

