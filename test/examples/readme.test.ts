/**
 * The README's example is examples/readme.ts, and running it prints what the README says it
 * prints (it imports "xti" through the package's own exports, so it runs the built dist/).
 */
import { expect } from "chai";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const root = fileURLToPath(new URL("../../", import.meta.url));
const readme = readFileSync(`${root}README.md`, "utf8");

function block(afterIndex: number, lang: string): { text: string; end: number } {
  const start = readme.indexOf("```" + lang + "\n", afterIndex);
  if (start < 0) throw new Error(`no \`\`\`${lang} block in README.md`);
  const body = start + lang.length + 4;
  const end = readme.indexOf("```", body);
  return { text: readme.slice(body, end), end };
}

describe("README example", () => {
  it("is examples/readme.ts, and prints what the README shows", async () => {
    const code = block(0, "ts");
    expect(code.text).to.equal(readFileSync(`${root}examples/readme.ts`, "utf8"));
    const printed = block(code.end + 3, "");
    const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", "examples/readme.ts"], { cwd: root, timeout: 20000 });
    expect(stdout).to.equal(printed.text);
  });
});
