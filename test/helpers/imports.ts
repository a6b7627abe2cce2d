/**
 * The import statements of the repository's sources, as the layer and packaging tests read
 * them: static and dynamic imports, re-exports and worker modules, resolved to repository paths.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** Every .ts source under `dir` (repository-relative), declaration files left out. */
export function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) out.push(path);
  }
  return out;
}

export interface Import {
  /** Repository-relative path of the imported file (.ts), or the bare specifier of a package. */
  target: string;
  typeOnly: boolean;
  line: string;
}

/** Static and dynamic imports and re-exports of one file. */
export function importsOf(file: string): Import[] {
  const text = readFileSync(join(ROOT, file), "utf8");
  const out: Import[] = [];
  // Also `new URL("./worker.js", import.meta.url)`: a module started as a worker thread.
  const pattern = /^\s*(import|export)\s+(type\s+)?(?:[^"';]*?\s+from\s+)?["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)|new URL\(\s*["'](\.[^"']+\.js)["']\s*,\s*import\.meta\.url\s*\)/gm;
  for (const m of text.matchAll(pattern)) {
    const spec = (m[3] ?? m[4] ?? m[5]) as string;
    const target = spec.startsWith(".") ? relative(ROOT, resolve(ROOT, dirname(file), spec)).replace(/\.js$/, ".ts") : spec;
    out.push({ target, typeOnly: m[2] !== undefined, line: m[0].trim() });
  }
  return out;
}

/** Every repository source file reachable from `entries` through imports (types included). */
export function reachable(entries: string[]): Set<string> {
  const seen = new Set<string>();
  const todo = [...entries];
  for (let file = todo.pop(); file !== undefined; file = todo.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    for (const imp of importsOf(file)) if (imp.target.endsWith(".ts")) todo.push(imp.target);
  }
  return seen;
}
