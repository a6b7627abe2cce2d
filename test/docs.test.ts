/**
 * The reference documentation builds from the sources (npm run docs), and every exported
 * function, class, interface, type and constant of xti, xti/tli, xti/xns4, xti/spi and
 * xti/conformance has a doc comment: typedoc's validation, with warnings as errors.
 */
import { execFile } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify, stripVTControlCharacters } from "node:util";
import { expect } from "chai";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

describe("reference documentation", function () {
  this.timeout(120_000);

  it("typedoc finds a doc comment on every export and nothing broken", async () => {
    const typedoc = join(ROOT, "node_modules", "typedoc", "bin", "typedoc");
    const run = await promisify(execFile)(process.execPath, [typedoc, "--emit", "none", "--treatWarningsAsErrors"], { cwd: ROOT }).then(
      (r) => ({ code: 0, out: r.stdout + r.stderr }),
      (e: { code?: number; stdout?: string; stderr?: string }) => ({ code: e.code ?? 1, out: `${e.stdout ?? ""}${e.stderr ?? ""}` }),
    );
    expect(stripVTControlCharacters(run.out), "typedoc output").to.not.match(/\[(warning|error)\]/);
    expect(run.code).to.equal(0);
  });
});
