#!/usr/bin/env node
/**
 * xti-conformance: certify transport providers on TSDU boundaries and XTI semantics.
 *
 *   xti-conformance                          every registered provider that can run here
 *   xti-conformance -p ticots -p ./my-provider.js --format junit --output report.xml
 *
 * Exit code: 0 all passed (or not applicable), 1 a case failed, 2 bad usage, 3 a provider
 * named on the command line could not run here.
 */
import { existsSync, writeFileSync } from "node:fs";
import { basename, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { registerProvider, type TransportProvider } from "../src/index.js";
import { formatReport, type Format } from "./report.js";
import { failed, runSuite, selectCases } from "./runner.js";
import { conformanceTargets, findConformanceTarget, registerConformanceTarget } from "./targets.js";
import { GROUPS, type ConformanceTarget, type Outcome } from "./types.js";

const USAGE = `usage: xti-conformance [options]

  -p, --provider NAME|DEVICE|MODULE   a registered provider (ticots, /dev/ticots, ...) or the path
                                      of a module exporting a TransportProvider (repeatable;
                                      default: every registered provider that can run here)
  -c, --case PREFIX                   only cases whose id starts with PREFIX, or a group name
                                      (${GROUPS.join(", ")}); repeatable
  -f, --format text|json|junit|tap    report format (default text)
  -o, --output FILE                   write the report to FILE instead of standard output
  -t, --timeout MS                    per-case time limit (default 20000)
  -l, --list                          list the cases and the registered providers, run nothing
  -v, --verbose                       list every case's outcome in the text report
  -q, --quiet                         no progress on standard error
  -h, --help
`;

function isModulePath(arg: string): boolean {
  return arg.includes("/") && !arg.startsWith("/dev/") ? true : /\.(c|m)?[jt]s$/.test(arg);
}

function isProvider(v: unknown): v is TransportProvider {
  return typeof v === "object" && v !== null && typeof (v as TransportProvider).name === "string" && typeof (v as TransportProvider).open === "function";
}

/** TypeScript provider modules load through tsx when it is installed (it is a development dependency here). */
async function loadTypeScriptSupport(path: string): Promise<void> {
  if (process.execArgv.some((a) => a.includes("tsx"))) return;
  try {
    const api = (await import("tsx/esm/api")) as { register: () => unknown };
    api.register();
  } catch {
    throw new Error(`${path} is TypeScript: install tsx (npm i -D tsx) or compile it to JavaScript`);
  }
}

/** Load a third-party provider module: it exports a provider (default or `provider`), or `providers`, and optionally `conformanceTarget(s)`. */
async function loadModule(path: string): Promise<ConformanceTarget[]> {
  const full = resolve(path);
  if (!existsSync(full)) throw new Error(`no such module: ${path}`);
  if (/\.(c|m)?ts$/.test(full)) await loadTypeScriptSupport(path);
  const mod = (await import(pathToFileURL(full).href)) as Record<string, unknown>;
  const listed = (key: string): unknown[] => (Array.isArray(mod[key]) ? (mod[key] as unknown[]) : []);
  const providers = [...new Set([mod["default"], mod["provider"], ...listed("providers")])].filter(isProvider);
  if (providers.length === 0) throw new Error(`${path} exports no TransportProvider (default export, "provider" or "providers")`);
  const declared = [mod["conformanceTarget"], ...listed("conformanceTargets")].filter(
    (t): t is ConformanceTarget => typeof t === "object" && t !== null && typeof (t as ConformanceTarget).device === "string",
  );
  const found: ConformanceTarget[] = [];
  for (const p of providers) {
    registerProvider(p);
    const target = declared.find((t) => t.device === p.name) ?? { name: basename(p.name), device: p.name, description: `from ${path}` };
    registerConformanceTarget(target);
    found.push(target);
  }
  return found;
}

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({
      options: {
        provider: { type: "string", short: "p", multiple: true },
        case: { type: "string", short: "c", multiple: true },
        format: { type: "string", short: "f", default: "text" },
        output: { type: "string", short: "o" },
        timeout: { type: "string", short: "t" },
        list: { type: "boolean", short: "l" },
        verbose: { type: "boolean", short: "v" },
        quiet: { type: "boolean", short: "q" },
        help: { type: "boolean", short: "h" },
      },
      allowPositionals: false,
    }).values;
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n${USAGE}`);
    return 2;
  }
  if (args.help === true) {
    process.stdout.write(USAGE);
    return 0;
  }
  const format = args.format as Format;
  if (!["text", "json", "junit", "tap"].includes(format)) {
    process.stderr.write(`unknown format ${format}\n${USAGE}`);
    return 2;
  }
  const timeout = args.timeout === undefined ? undefined : Number(args.timeout);
  if (timeout !== undefined && !(timeout > 0)) {
    process.stderr.write(`bad --timeout ${args.timeout}\n`);
    return 2;
  }

  let targets: ConformanceTarget[] = [];
  const requested = args.provider ?? [];
  try {
    for (const p of requested) {
      if (isModulePath(p)) targets.push(...(await loadModule(p)));
      else {
        const t = findConformanceTarget(p);
        if (t === undefined) throw new Error(`no provider registered as ${p} (registered: ${conformanceTargets().map((x) => x.name).join(", ")})`);
        targets.push(t);
      }
    }
  } catch (e) {
    process.stderr.write(`xti-conformance: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
  if (requested.length === 0) targets = conformanceTargets();

  const cases = selectCases(args.case);
  if (args.list === true) {
    process.stdout.write("Providers:\n" + conformanceTargets().map((t) => `  ${t.name.padEnd(12)} ${t.device.padEnd(18)} ${t.description ?? ""}`).join("\n") + "\n\nCases:\n");
    process.stdout.write(cases.map((c) => `  ${c.id.padEnd(30)} [${c.group}${c.checks === "library" ? ", library" : ""}] ${c.rule}\n      source: ${c.source}`).join("\n") + "\n");
    return 0;
  }
  if (cases.length === 0) {
    process.stderr.write("xti-conformance: no case matches the --case filter\n");
    return 2;
  }

  const tty = process.stderr.isTTY === true && args.quiet !== true;
  const mark: Record<Outcome, string> = { pass: "✓", fail: "✗", na: "-" };
  const reports = await runSuite(targets, {
    ...(args.case !== undefined ? { filter: args.case } : {}),
    ...(timeout !== undefined ? { caseTimeoutMs: timeout } : {}),
    onCaseStart(target, c, i, total) {
      if (args.quiet === true) return;
      if (i === 0) process.stderr.write(`${target.name} (${target.device}): ${total} cases\n`);
      if (tty) process.stderr.write(`\r\x1b[K  [${i + 1}/${total}] ${c.id}`);
    },
    onCaseEnd(result, i, total) {
      if (args.quiet === true) return;
      if (tty) {
        if (result.outcome === "fail") process.stderr.write(`\r\x1b[K  ✗ ${result.id}: ${result.reason ?? ""}\n`);
        if (i + 1 === total) process.stderr.write("\r\x1b[K");
      } else {
        process.stderr.write(`  ${mark[result.outcome]} ${result.id}${result.outcome === "na" ? ` (n/a: ${result.reason ?? ""})` : ""}${result.outcome === "fail" ? `: ${result.reason ?? ""}` : ""}\n`);
      }
    },
  });
  for (const r of reports) if (r.skipped !== undefined && args.quiet !== true) process.stderr.write(`${r.target} (${r.device}): skipped: ${r.skipped}\n`);

  const text = formatReport(reports, format, { verbose: args.verbose === true });
  if (args.output !== undefined) {
    writeFileSync(args.output, text);
    if (args.quiet !== true) process.stderr.write(`report written to ${args.output}\n`);
  } else {
    process.stdout.write(text);
  }
  if (failed(reports)) return 1;
  if (requested.length > 0 && reports.some((r) => r.skipped !== undefined)) return 3;
  return 0;
}

// Until main() settles, an exit means the run was cut short (say, a provider that never answers
// left nothing for the event loop to wait on): that must not read as success.
process.exitCode = 2;
main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`xti-conformance: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 2;
  },
);
