/**
 * Python peers (peers/inet_peer.py) run as child processes: JSON lines out, and in `serve` mode
 * JSON commands in, one reply per command. They use Python's socket module, so what they see is
 * what any other program on the kernel's TCP/UDP would see.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

/** Debian's python3 (the first python3 on PATH may be another one). */
export const PYTHON = "/usr/bin/python3";
export const PEER_SCRIPT = fileURLToPath(new URL("../peers/inet_peer.py", import.meta.url));

export type Reply = Record<string, unknown>;

export class PeerProcess {
  private readonly child: ChildProcess;
  private readonly lines: Reply[] = [];
  private readonly waiting: Array<(line: Reply) => void> = [];
  private stderr = "";
  /** Resolves with the exit code once the process has ended (and its output been read). */
  readonly exited: Promise<number | null>;

  constructor(args: readonly string[]) {
    this.child = spawn(PYTHON, [PEER_SCRIPT, ...args], { stdio: ["pipe", "pipe", "pipe"] });
    let pending = "";
    this.child.stdout!.setEncoding("utf8").on("data", (text: string) => {
      pending += text;
      let nl: number;
      while ((nl = pending.indexOf("\n")) >= 0) {
        const line = JSON.parse(pending.slice(0, nl)) as Reply;
        pending = pending.slice(nl + 1);
        const w = this.waiting.shift();
        if (w !== undefined) w(line);
        else this.lines.push(line);
      }
    });
    this.child.stderr!.setEncoding("utf8").on("data", (text: string) => (this.stderr += text));
    this.exited = new Promise((resolve) => this.child.once("close", (code) => resolve(code)));
  }

  /** The next line the peer prints; rejects if it exits first. */
  next(): Promise<Reply> {
    const line = this.lines.shift();
    if (line !== undefined) return Promise.resolve(line);
    return new Promise((resolve, reject) => {
      this.waiting.push(resolve);
      void this.exited.then((code) => reject(new Error(`python peer exited (${code}) before answering; stderr:\n${this.stderr}`)));
    });
  }

  /** serve mode: send one command and wait for its reply. */
  request(cmd: Record<string, unknown>): Promise<Reply> {
    this.child.stdin!.write(`${JSON.stringify(cmd)}\n`);
    return this.next();
  }

  /** Stop the peer (teardown): end its input, then kill it if it is still there. */
  async stop(): Promise<void> {
    this.child.stdin!.end();
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
    await this.exited;
  }
}

/** A command-driven peer (inet_peer.py serve). */
export function servePeer(): PeerProcess {
  return new PeerProcess(["serve"]);
}

export const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
export const unhex = (s: unknown): Uint8Array => Uint8Array.from(Buffer.from(String(s), "hex"));
