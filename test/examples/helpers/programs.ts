/**
 * Running the example programs as the separate processes they are: `node --import tsx
 * examples/...` (they import "xti", so they run the built dist/), with a chosen NETPATH, and
 * reading the universal address a server prints when it is ready.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** How a program ended, and what it wrote. */
export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment of a program: ours, without NETPATH or XTI_NETCONFIG unless `env` sets them. */
function environment(env: Record<string, string>): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...process.env };
  delete out["NETPATH"];
  delete out["XTI_NETCONFIG"];
  return { ...out, ...env };
}

/** Run `command` to its end (killed after 20 s, which shows as a null code). */
export function run(command: string, args: readonly string[], options: { env?: Record<string, string>; input?: string } = {}): Promise<Finished> {
  return new Promise((resolve) => {
    const child = execFile(command, args, { cwd: ROOT, timeout: 20_000, env: environment(options.env ?? {}) }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === "number" ? err.code : null, stdout, stderr });
    });
    child.stdin!.end(options.input ?? "");
  });
}

/** Run the example `program` (a path under examples/) to its end. */
export function runExample(program: string, args: readonly string[], env: Record<string, string> = {}): Promise<Finished> {
  return run(process.execPath, ["--import", "tsx", `examples/${program}`, ...args], { env });
}

/** The port of a universal address ("0.0.0.0.4.1" is port 4*256+1), as the servers print them. */
export function portOfUaddr(uaddr: string): number {
  const m = /\.(\d{1,3})\.(\d{1,3})$/.exec(uaddr);
  if (m === null) throw new Error(`${JSON.stringify(uaddr)} is not a universal address`);
  return Number(m[1]) * 256 + Number(m[2]);
}

/** An example server running in its own process. */
export class ExampleServer {
  private out = "";
  private err = "";
  private closed = false;
  private readonly changed: Array<() => void> = [];
  /** Resolves once the process has ended and its output been read. */
  readonly exit: Promise<Finished>;

  private constructor(private readonly child: ChildProcess) {
    const changed = (): void => this.changed.splice(0).forEach((f) => f());
    child.stdout!.setEncoding("utf8").on("data", (text: string) => ((this.out += text), changed()));
    child.stderr!.setEncoding("utf8").on("data", (text: string) => ((this.err += text), changed()));
    this.exit = new Promise((resolve) =>
      child.once("close", (code) => {
        this.closed = true;
        resolve({ code, stdout: this.out, stderr: this.err });
        changed();
      }),
    );
  }

  /**
   * Start `program` and wait for its first line, "<name> server on NETID UADDR"; resolves with
   * the server and the port it printed. Rejects if the program ends first.
   */
  static async start(program: string, args: readonly string[], env: Record<string, string> = {}): Promise<{ server: ExampleServer; netid: string; port: number }> {
    const child = spawn(process.execPath, ["--import", "tsx", `examples/${program}`, ...args], { cwd: ROOT, env: environment(env), stdio: ["ignore", "pipe", "pipe"] });
    const server = new ExampleServer(child);
    const m = await server.waitFor("stdout", /^\w+ server on (\S+) (\S+)\n/);
    return { server, netid: m[1]!, port: portOfUaddr(m[2]!) };
  }

  /** What the server has written so far. */
  output(stream: "stdout" | "stderr"): string {
    return stream === "stdout" ? this.out : this.err;
  }

  /** Wait until the server's `stream` matches `pattern`; rejects if it ends without. */
  async waitFor(stream: "stdout" | "stderr", pattern: RegExp): Promise<RegExpExecArray> {
    for (;;) {
      const m = pattern.exec(this.output(stream));
      if (m !== null) return m;
      if (this.closed) {
        throw new Error(`the server ended (${this.child.exitCode ?? this.child.signalCode}) without printing ${pattern}:\n${this.out}\n${this.err}`);
      }
      await new Promise<void>((resolve) => this.changed.push(resolve));
    }
  }

  /** Teardown: kill the server if it is still running (a failed test), and wait for its end. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
    await this.exit;
  }
}
