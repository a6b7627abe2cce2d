/**
 * A program on the kernel side (peers/kernel_peer.py, scapy scripts, ...) run in the peer
 * namespace as a child process. Its stdout is JSON lines: `ready` resolves with the first one,
 * `result` with the last one once the process has exited.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { NAMESPACE, PYTHON } from "./topology.js";

export const PEER_SCRIPT = fileURLToPath(new URL("../peers/kernel_peer.py", import.meta.url));

export type JsonRecord = Record<string, unknown>;

export class KernelProcess {
  readonly ready: Promise<JsonRecord>;
  readonly result: Promise<JsonRecord>;
  private readonly child: ChildProcess;
  private stderr = "";

  /**
   * Run `script` with `args` in the namespace `namespace` (by default the default interop
   * topology's; null: the root namespace, this process's own).
   */
  constructor(args: readonly string[], script = PEER_SCRIPT, namespace: string | null = NAMESPACE) {
    const argv = [PYTHON, script, ...args];
    this.child = namespace === null ? spawn(argv[0]!, argv.slice(1), { stdio: ["ignore", "pipe", "pipe"] }) : spawn("ip", ["netns", "exec", namespace, ...argv], { stdio: ["ignore", "pipe", "pipe"] });
    const lines: JsonRecord[] = [];
    let pending = "";
    let readyResolve: (value: JsonRecord) => void;
    let readyReject: (err: Error) => void;
    this.ready = new Promise((resolve, reject) => {
      readyResolve = resolve;
      readyReject = reject;
    });
    this.child.stdout!.setEncoding("utf8").on("data", (text: string) => {
      pending += text;
      let nl: number;
      while ((nl = pending.indexOf("\n")) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        const parsed = JSON.parse(line) as JsonRecord;
        if (lines.length === 0) readyResolve(parsed);
        lines.push(parsed);
      }
    });
    this.child.stderr!.setEncoding("utf8").on("data", (text: string) => (this.stderr += text));
    this.result = new Promise((resolve, reject) => {
      this.child.once("error", reject);
      this.child.once("close", (code, signal) => {
        const last = lines.at(-1);
        const failure = new Error(`kernel peer ${args.join(" ")} exited with ${code ?? signal}, no result; stderr:\n${this.stderr}`);
        readyReject(failure);
        if (code === 0 && last !== undefined && lines.length > 1) resolve(last);
        else reject(failure);
      });
    });
    // Callers await one or the other; keep an unobserved rejection from failing the process.
    this.ready.catch(() => undefined);
    this.result.catch(() => undefined);
  }

  /** Stop it if it still runs (test teardown). */
  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
  }
}

/** `tcp` subcommand options of kernel_peer.py. */
export interface KernelTcpOptions {
  listen?: number;
  connect?: { host: string; port: number };
  sendBytes?: number;
  seed?: number;
  order?: "duplex" | "send-first" | "recv-first";
  oobAt?: number;
  watchOob?: boolean;
  recvFile?: string;
  resetAfterBytes?: number;
  /** The namespace to run in (default: the default interop topology's; null: the root namespace). */
  namespace?: string | null;
  /** With `connect`: the local address to connect from. */
  bind?: string;
  /** With `connect`: the socket's congestion control (TCP_CONGESTION). */
  congestion?: string;
}

export function kernelTcp(options: KernelTcpOptions, namespace = NAMESPACE): KernelProcess {
  const args = ["tcp"];
  if (options.listen !== undefined) args.push("--listen", String(options.listen));
  if (options.connect !== undefined) args.push("--connect", options.connect.host, String(options.connect.port));
  if (options.sendBytes !== undefined) args.push("--send-bytes", String(options.sendBytes));
  if (options.seed !== undefined) args.push("--seed", String(options.seed));
  if (options.order !== undefined) args.push("--order", options.order);
  if (options.oobAt !== undefined) args.push("--oob-at", String(options.oobAt));
  if (options.watchOob === true) args.push("--watch-oob");
  if (options.recvFile !== undefined) args.push("--recv-file", options.recvFile);
  if (options.resetAfterBytes !== undefined) args.push("--reset-after-bytes", String(options.resetAfterBytes));
  if (options.bind !== undefined) args.push("--bind", options.bind);
  if (options.congestion !== undefined) args.push("--congestion", options.congestion);
  return new KernelProcess(args, PEER_SCRIPT, options.namespace !== undefined ? options.namespace : namespace);
}
