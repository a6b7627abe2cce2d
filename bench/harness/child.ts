/**
 * Measurements that need a process of their own (a fresh heap, V8 flags, a preload, nothing else
 * running): the parent starts a child script with a JSON input and gets one Sample back. The child
 * side is children/protocol.ts.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Sample } from "./scenario.js";

/** The repository's root, where the children run (so `--import tsx` resolves). */
export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** The line a child prints its result on. */
export const RESULT_PREFIX = "BENCH-RESULT ";

/**
 * Run `script` (a file URL) under tsx with `nodeFlags` and `env` added to this process's
 * environment; resolves with the Sample it prints.
 */
export function runChild(script: URL, input: unknown, nodeFlags: readonly string[] = [], env: Readonly<Record<string, string>> = {}): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeFlags, "--import", "tsx", fileURLToPath(script), JSON.stringify(input)], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (text: string) => (stdout += text));
    child.stderr.setEncoding("utf8").on("data", (text: string) => (stderr += text));
    child.once("error", reject);
    child.once("close", (code, signal) => {
      const line = stdout.split("\n").find((l) => l.startsWith(RESULT_PREFIX));
      if (code !== 0 || line === undefined) {
        reject(new Error(`${fileURLToPath(script)} exited with ${code ?? signal} and no result:\n${stderr.trim()}`));
        return;
      }
      resolve(JSON.parse(line.slice(RESULT_PREFIX.length)) as Sample);
    });
  });
}
