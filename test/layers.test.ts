/**
 * The layer rules, checked on the import statements of every source file: a built-in provider is
 * written against the boundary a third party has (`xti/spi`, i.e. src/spi/index.ts), the library
 * knows no provider internals, and the user-space stack imports nothing from the library.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { type Import, ROOT, importsOf, sourceFiles } from "./helpers/imports.js";

function violations(files: string[], allowed: (imp: Import, file: string) => boolean): string[] {
  const out: string[] = [];
  for (const file of files) for (const imp of importsOf(file)) if (!allowed(imp, file)) out.push(`${file}: ${imp.line}`);
  return out;
}

describe("layers: who may import what", () => {
  const providerFiles = sourceFiles("providers");

  it("finds the import statements it checks", () => {
    const loopback = importsOf("providers/loopback/endpoint.ts").map((i) => i.target);
    expect(loopback).to.include("src/spi/index.ts");
    expect(providerFiles.length).to.be.greaterThan(50);
  });

  it("a built-in provider imports from the library only xti/spi (src/spi/index.ts), and from the suite only types", () => {
    const bad = violations(providerFiles, (imp) => {
      if (imp.target.startsWith("src/")) return imp.target === "src/spi/index.ts";
      if (imp.target.startsWith("conformance/")) return imp.typeOnly && (imp.target === "conformance/types.ts" || imp.target === "conformance/index.ts");
      return !imp.target.startsWith("examples/");
    });
    expect(bad).to.deep.equal([]);
  });

  it("one provider does not reach into another: shared native code lives in providers/native/", () => {
    const bad = violations(providerFiles, (imp, file) => {
      if (!imp.target.startsWith("providers/")) return true;
      const own = file.split("/")[1];
      const theirs = imp.target.split("/")[1];
      return file === "providers/index.ts" || own === theirs || theirs === "native";
    });
    expect(bad).to.deep.equal([]);
  });

  it("the user-space stack (providers/packet/stack/) imports nothing from the library", () => {
    const bad = violations(sourceFiles("providers/packet/stack"), (imp) => !imp.target.startsWith("src/") && !imp.target.startsWith("conformance/"));
    expect(bad).to.deep.equal([]);
  });

  it("the library (src/) knows no provider internals: only the providers index registers them", () => {
    const bad = violations(sourceFiles("src"), (imp, file) => {
      if (!imp.target.startsWith("providers/")) return true;
      return file === "src/index.ts" && (imp.target === "providers/index.ts" || imp.target === "providers/loopback/index.ts");
    });
    expect(bad).to.deep.equal([]);
  });

  it("only providers/native/ loads koffi (by import or by require)", () => {
    const all = [...sourceFiles("src"), ...providerFiles, ...sourceFiles("conformance")];
    const bad = all.filter((file) => !file.startsWith("providers/native/") && /["']koffi["']/.test(readFileSync(join(ROOT, file), "utf8")));
    expect(bad).to.deep.equal([]);
    expect(sourceFiles("providers/native").some((file) => /["']koffi["']/.test(readFileSync(join(ROOT, file), "utf8")))).to.equal(true);
  });
});
