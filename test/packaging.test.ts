/**
 * What `npm publish` would ship: exactly the compiled modules the package's exports and bin
 * reach (no test, bench, packet-stack or script code that nothing imports), their type
 * declarations, README, LICENSE and CHANGELOG; no source maps (they would point at sources the
 * package does not contain). Needs a build (npm test builds first).
 */
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";
import { ROOT, reachable } from "./helpers/imports.js";

interface PackageJson {
  version: string;
  license: string;
  exports: Record<string, { types: string; default: string }>;
  bin: Record<string, string>;
}

const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as PackageJson;

/** The source file a dist path was compiled from. */
const sourceOf = (distPath: string): string => distPath.replace(/^\.\/dist\//, "").replace(/\.(d\.ts|js)$/, ".ts");

describe("the published package", function () {
  this.timeout(60_000);

  it("has an MIT LICENSE, as package.json says, and a CHANGELOG", () => {
    expect(pkg.license).to.equal("MIT");
    expect(readFileSync(join(ROOT, "LICENSE"), "utf8")).to.match(/^MIT License\n/);
    expect(readFileSync(join(ROOT, "CHANGELOG.md"), "utf8")).to.match(/^## \[Unreleased\]$/m);
  });

  it("contains exactly what its exports and bin reach, without source maps", async () => {
    expect(existsSync(join(ROOT, "dist/src/index.js")), "dist/ is missing: run npm run build").to.equal(true);
    const { stdout } = await promisify(execFile)("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: ROOT, maxBuffer: 16 << 20 });
    const shipped = new Set((JSON.parse(stdout) as Array<{ files: Array<{ path: string }> }>)[0]?.files.map((f) => f.path));
    const entries = [...Object.values(pkg.exports).flatMap((e) => [e.default, e.types]), ...Object.values(pkg.bin)];
    for (const entry of entries) expect(shipped.has(entry.replace(/^\.\//, "")), `${entry} is shipped`).to.equal(true);
    const sources = reachable([...new Set(entries.map(sourceOf))]);
    const expected = new Set(["package.json", "README.md", "LICENSE", "CHANGELOG.md", ...[...sources].flatMap((s) => [`dist/${s.replace(/\.ts$/, ".js")}`, `dist/${s.replace(/\.ts$/, ".d.ts")}`])]);
    expect([...shipped].filter((f) => !expected.has(f)).sort(), "shipped but reached by no export").to.deep.equal([]);
    expect([...expected].filter((f) => !shipped.has(f)).sort(), "reached but not shipped").to.deep.equal([]);
    expect([...shipped].filter((f) => f.endsWith(".map"))).to.deep.equal([]);
  });
});
