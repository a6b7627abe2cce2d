/**
 * A subject of the mutation harness (the loopback providers, the example pipe provider, the kernel
 * TCP and UDP providers) copied
 * into a temporary directory with one mutant's edits applied. The working tree is only read.
 *
 * The copy keeps the repository layout for the files it holds, so their relative imports of each
 * other still work; every other import of the repository (relative, or the package's own
 * `xti/...` exports) is pointed at the sources in the working tree, so the copy runs against the
 * same library as the suite that certifies it, from source, whatever state dist/ is in.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, posix, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** The repository root (this file is scripts/mutants/copy.ts). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

export type SubjectName = "loopback" | "pipe" | "inet";

export interface Subject {
  name: SubjectName;
  /** Repository-relative files the copy holds (the ones a mutant may edit, and the entry). */
  files: readonly string[];
  /** The module the suite loads (`xti-conformance -p`), one of `files`. */
  entry: string;
}

export const SUBJECTS: Readonly<Record<SubjectName, Subject>> = {
  loopback: {
    name: "loopback",
    files: ["providers/loopback/conformance.ts", "providers/loopback/endpoint.ts", "providers/loopback/index.ts", "providers/loopback/namespace.ts", "providers/loopback/provider.ts", "scripts/mutants/entries/loopback.ts"],
    entry: "scripts/mutants/entries/loopback.ts",
  },
  pipe: {
    name: "pipe",
    files: ["examples/pipe-provider/index.ts", "scripts/mutants/entries/pipe.ts"],
    entry: "scripts/mutants/entries/pipe.ts",
  },
  // The native layer (providers/native/) stays in the working tree: the bugs are in the mapping of XTI onto sockets.
  inet: {
    name: "inet",
    files: [
      "providers/inet/address.ts",
      "providers/inet/conformance.ts",
      "providers/inet/index.ts",
      "providers/inet/listener.ts",
      "providers/inet/options.ts",
      "providers/inet/provider.ts",
      "providers/inet/tcp-connection.ts",
      "providers/inet/tcp-endpoint.ts",
      "providers/inet/udp-endpoint.ts",
      "providers/inet/urgent-reader.ts",
      "scripts/mutants/entries/inet.ts",
    ],
    entry: "scripts/mutants/entries/inet.ts",
  },
};

/** One textual change: `find` must occur exactly once in `file`. */
export interface Edit {
  file: string;
  find: string;
  replace: string;
}

/** A mutant whose edits no longer match the sources (they changed): the harness cannot judge it. */
export class StaleEdit extends Error {
  override name = "StaleEdit";
}

/** `text` with `edit` applied, or StaleEdit when its `find` does not occur exactly once. */
export function applyEdit(text: string, edit: Edit): string {
  const at = text.indexOf(edit.find);
  if (at < 0) throw new StaleEdit(`${edit.file}: the text to change is not there any more: ${JSON.stringify(edit.find.slice(0, 80))}`);
  if (text.indexOf(edit.find, at + 1) >= 0) throw new StaleEdit(`${edit.file}: the text to change occurs more than once: ${JSON.stringify(edit.find.slice(0, 80))}`);
  return text.slice(0, at) + edit.replace + text.slice(at + edit.find.length);
}

/** The package's own exports ("xti", "xti/spi", ...) as repository source files, from package.json. */
function packageExports(): Map<string, string> {
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { name: string; exports: Record<string, { default: string }> };
  const out = new Map<string, string>();
  for (const [key, target] of Object.entries(pkg.exports)) {
    const built = posix.normalize(target.default); // "dist/src/spi/index.js"
    out.set(posix.join(pkg.name, key), built.replace(/^dist\//, "").replace(/\.js$/, ".ts"));
  }
  return out;
}

const IMPORT = /(\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)(["'])([^"']+)\2/g;

/** Point the imports of `file` that leave the copied set at the working tree's sources. */
function rewriteImports(file: string, text: string, copied: ReadonlySet<string>, exportsMap: ReadonlyMap<string, string>): string {
  return text.replace(IMPORT, (whole, lead: string, quote: string, spec: string) => {
    let target: string | undefined;
    if (spec.startsWith(".")) {
      const resolved = posix.normalize(posix.join(posix.dirname(file), spec)).replace(/\.js$/, ".ts");
      if (copied.has(resolved)) return whole;
      target = resolved;
    } else {
      target = exportsMap.get(spec);
    }
    if (target === undefined) return whole; // node: modules and other packages
    return `${lead}${quote}${pathToFileURL(join(ROOT, target)).href}${quote}`;
  });
}

/** A materialised copy: where its entry module is, and how to remove it. */
export interface Copy {
  dir: string;
  entry: string;
  remove(): void;
}

/** Copies not removed yet: removed when the process exits, however it exits (an error, a closed pipe). */
const live = new Set<string>();
process.on("exit", () => {
  for (const dir of live) rmSync(dir, { recursive: true, force: true });
});

/** Copy `subject` into a fresh temporary directory with `edits` applied (StaleEdit if one does not apply). */
export function materialize(subject: Subject, edits: readonly Edit[]): Copy {
  const copied = new Set(subject.files);
  for (const e of edits) if (!copied.has(e.file)) throw new StaleEdit(`${e.file} is not part of the ${subject.name} subject`);
  const exportsMap = packageExports();
  const texts = new Map(subject.files.map((f) => [f, readFileSync(join(ROOT, f), "utf8")]));
  for (const e of edits) texts.set(e.file, applyEdit(texts.get(e.file) as string, e));
  const dir = mkdtempSync(join(tmpdir(), `xti-mutant-${subject.name}-`));
  try {
    // ES modules, as in the repository (without it, files outside a package load as CommonJS).
    writeFileSync(join(dir, "package.json"), `${JSON.stringify({ type: "module", private: true })}\n`);
    for (const [file, text] of texts) {
      const path = join(dir, file);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, rewriteImports(file, text, copied, exportsMap));
    }
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  live.add(dir);
  return {
    dir,
    entry: join(dir, subject.entry),
    remove: () => {
      rmSync(dir, { recursive: true, force: true });
      live.delete(dir);
    },
  };
}
