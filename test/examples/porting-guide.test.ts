/**
 * docs/porting.md cannot drift from the programs it quotes: every C or TypeScript excerpt names
 * its example file and appears in it verbatim, every ported program has its C original beside it
 * and says in its header how to run it, and the guide's links lead somewhere.
 */
import { expect } from "chai";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { ROOT } from "./helpers/programs.js";

const GUIDE = "docs/porting.md";
const guide = readFileSync(join(ROOT, GUIDE), "utf8");

/** The ported programs: every .ts file in these example directories. */
const PORTED = ["daytime", "echo", "mux", "idioms"];

interface Block {
  lang: string;
  file: string | null;
  text: string;
  line: number;
}

/** The fenced code blocks of a markdown text, with the file an info string names after the language. */
function blocks(markdown: string): Block[] {
  const out: Block[] = [];
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)(?: (\S+))?$/.exec(lines[i]!);
    if (open === null) continue;
    const end = lines.indexOf("```", i + 1);
    expect(end, `${GUIDE} line ${i + 1}: a code block that does not end`).to.be.greaterThan(i);
    out.push({ lang: open[1]!, file: open[2] ?? null, text: lines.slice(i + 1, end).join("\n"), line: i + 1 });
    i = end;
  }
  return out;
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens. */
function slug(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, "")
    .replace(/ /g, "-");
}

function anchors(markdown: string): Set<string> {
  return new Set([...markdown.matchAll(/^#+ (.+)$/gm)].map((m) => slug(m[1]!)));
}

describe("docs/porting.md", () => {
  const code = blocks(guide).filter((b) => b.lang === "c" || b.lang === "ts");

  it("quotes every C and TypeScript excerpt verbatim from the example it names", () => {
    expect(code.length).to.be.greaterThan(20);
    for (const b of code) {
      expect(b.file, `${GUIDE} line ${b.line}: a \`\`\`${b.lang} block must name its file`).to.be.a("string");
      const file = b.file as string;
      expect(file, `${GUIDE} line ${b.line}`).to.match(new RegExp(`^examples/.+\\.${b.lang}$`));
      expect(existsSync(join(ROOT, file)), `${GUIDE} line ${b.line}: ${file} does not exist`).to.equal(true);
      const source = readFileSync(join(ROOT, file), "utf8");
      expect(source.includes(`${b.text}\n`), `${GUIDE} line ${b.line}: this excerpt is no longer in ${file}:\n${b.text}`).to.equal(true);
    }
  });

  it("shows every ported program beside the C it came from", () => {
    for (const dir of PORTED) {
      const files = readdirSync(join(ROOT, "examples", dir));
      const programs = files.filter((f) => f.endsWith(".ts"));
      expect(programs, `examples/${dir}`).to.not.be.empty;
      for (const ts of programs) {
        const c = ts.replace(/\.ts$/, ".c");
        expect(files, `examples/${dir}/${ts} has no ${c} beside it`).to.include(c);
        for (const file of [`examples/${dir}/${ts}`, `examples/${dir}/${c}`]) {
          expect(code.some((b) => b.file === file), `${GUIDE} quotes nothing of ${file}`).to.equal(true);
        }
      }
      for (const c of files.filter((f) => f.endsWith(".c"))) expect(programs, `examples/${dir}/${c} has no port`).to.include(c.replace(/\.c$/, ".ts"));
    }
  });

  it("finds in each program's header how to run it", () => {
    for (const dir of PORTED) {
      for (const ts of readdirSync(join(ROOT, "examples", dir)).filter((f) => f.endsWith(".ts"))) {
        const header = readFileSync(join(ROOT, "examples", dir, ts), "utf8").split("*/")[0]!;
        expect(header, `examples/${dir}/${ts}`).to.include("Usage: ");
        expect(header, `examples/${dir}/${ts}`).to.match(new RegExp(`npm run build && (\\w+=\\S+ )?node --import tsx examples/${dir}/${ts}`));
        const cHeader = readFileSync(join(ROOT, "examples", dir, ts.replace(/\.ts$/, ".c")), "utf8").split("*/")[0]!;
        expect(cHeader, `examples/${dir}/${ts.replace(/\.ts$/, ".c")}`).to.include("Usage: ");
      }
    }
  });

  it("links only to files and headings that exist", () => {
    const links = [...guide.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!).filter((l) => !/^[a-z]+:/.test(l));
    expect(links.length).to.be.greaterThan(10);
    for (const link of links) {
      const [path, anchor] = link.split("#") as [string, string | undefined];
      const target = path === "" ? GUIDE : normalize(join(dirname(GUIDE), path));
      expect(existsSync(join(ROOT, target)), `${GUIDE} links to ${link}: no ${target}`).to.equal(true);
      if (anchor !== undefined) expect([...anchors(readFileSync(join(ROOT, target), "utf8"))], `${GUIDE} links to ${link}`).to.include(anchor);
    }
  });
});
