/**
 * The README's "one program" example is examples/portable.ts, and it prints what the README says
 * over both transports, the file XTI_NETCONFIG names deciding which: /dev/ticotsord, and
 * /dev/rawtcp on an in-memory hub (any machine) and through AF_PACKET (root; on `lo`, which the
 * stack, talking to itself, never sends a frame on, so nothing outside is touched). It imports
 * "xti" through the package's own exports, so it runs the built dist/.
 */
import { expect } from "chai";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { requireRoot } from "../packet/io/helpers/privileges.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const readme = readFileSync(`${root}README.md`, "utf8");
const section = readme.slice(readme.indexOf("## One program over /dev/ticotsord or /dev/rawtcp"));

/** The fenced blocks of the section, in order: [lang, text]. */
const blocks = [...section.matchAll(/```(\w*)\n([\s\S]*?)```/g)].map((m) => [m[1]!, m[2]!] as const);

async function run(netconfig: string): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", "examples/portable.ts"], { cwd: root, timeout: 20_000, env: { ...process.env, XTI_NETCONFIG: netconfig } });
  return stdout;
}

describe("README: one program over /dev/ticotsord or /dev/rawtcp", function () {
  this.timeout(30_000);
  let dir = "";
  before(() => (dir = mkdtempSync(join(tmpdir(), "xti-portable-"))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** examples/netconfig/rawtcp.netconfig with its interface replaced by `link`. */
  function rawtcpFile(link: string): string {
    const file = join(dir, `${link.replace(/\W/g, "-")}.netconfig`);
    writeFileSync(file, readFileSync(`${root}examples/netconfig/rawtcp.netconfig`, "utf8").replace("interface=xtiu", link));
    return file;
  }

  it("shows examples/portable.ts", () => {
    expect(blocks[0]?.[0]).to.equal("ts");
    expect(blocks[0]?.[1]).to.equal(readFileSync(`${root}examples/portable.ts`, "utf8"));
  });

  it("prints the README's line over /dev/ticotsord", async () => {
    expect(await run(`${root}examples/netconfig/ticotsord.netconfig`)).to.equal(blocks[2]?.[1]);
  });

  it("prints the README's line over /dev/rawtcp, on an in-memory hub", async () => {
    expect(await run(rawtcpFile("hub=portable"))).to.equal(blocks[4]?.[1]);
  });

  it("prints the README's line over /dev/rawtcp, through AF_PACKET", async function () {
    requireRoot(this);
    expect(await run(rawtcpFile("interface=lo"))).to.equal(blocks[4]?.[1]);
  });
});
