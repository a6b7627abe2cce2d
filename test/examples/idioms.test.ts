/**
 * examples/idioms: the program of docs/porting.md's small idioms runs, over /dev/ticotsord in one
 * process, and prints what the guide says it prints.
 */
import { expect } from "chai";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, runExample } from "./helpers/programs.js";

/** The output block that follows "idioms.ts` prints:" in the guide. */
function printedInGuide(): string {
  const guide = readFileSync(join(ROOT, "docs/porting.md"), "utf8");
  const at = guide.indexOf("`node --import tsx examples/idioms/idioms.ts` prints:");
  expect(at, "the guide shows what idioms.ts prints").to.be.greaterThan(0);
  const start = guide.indexOf("```\n", at) + 4;
  return guide.slice(start, guide.indexOf("```", start));
}

describe("examples/idioms", function () {
  this.timeout(30_000);

  it("runs and prints what docs/porting.md shows", async () => {
    const run = await runExample("idioms/idioms.ts", []);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stderr).to.equal("");
    expect(run.stdout).to.equal(printedInGuide());
  });
});
