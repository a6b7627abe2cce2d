/** Regenerate the dialect table in docs/semantics.md from the profile data (npm run docs:semantics). */
import { readFileSync, writeFileSync } from "node:fs";
import { semanticsTable } from "./profile-table.js";

const path = new URL("../docs/semantics.md", import.meta.url);
const doc = readFileSync(path, "utf8");
const start = "<!-- profile-table:start -->\n";
const end = "<!-- profile-table:end -->";
const a = doc.indexOf(start);
const b = doc.indexOf(end);
if (a < 0 || b < 0) throw new Error("docs/semantics.md has no profile-table markers");
writeFileSync(path, doc.slice(0, a + start.length) + semanticsTable() + doc.slice(b));
console.log("docs/semantics.md: table regenerated");
