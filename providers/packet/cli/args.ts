/** Command line of xti-nc: parsed into one typed value, or a usage error with a message. */
import { parseArgs } from "node:util";
import { parseIpv4Address } from "../wire/ipv4-address.js";
import { parseMac } from "../wire/mac.js";
import type { InputSpec } from "./byte-source.js";

export const USAGE = `usage: xti-nc --if IFNAME --ip A.B.C.D/LEN [options] connect HOST PORT
       xti-nc --if IFNAME --ip A.B.C.D/LEN [options] listen PORT

A netcat over the user-space TCP/IPv4 stack on an AF_PACKET socket (needs root or CAP_NET_RAW).
The kernel must not own the --ip address on IFNAME (it would answer with RSTs).

  --if IFNAME          interface to open
  --ip A.B.C.D/LEN     our address and on-link prefix length
  --mac 02:..          our MAC (default: the interface's; another one turns promiscuous mode on)
  --gateway A.B.C.D    default gateway
  --udp                UDP instead of TCP
  --send-file F        send the contents of F instead of standard input
  --send-bytes N       send N bytes of the deterministic pattern instead of standard input
  --pattern-seed S     seed of that pattern (default 1)
  --recv-file F        write what arrives to F instead of standard output
  --sha256             print the SHA-256 of what was sent and received on standard error
  --urgent-at N        send byte N (counted from 0) as TCP urgent data
  --loss PCT           drop PCT % of frames in each direction with the seeded fault injector
  --seed S             seed of the fault injector (default 1)
  --pcap FILE          record every frame in FILE (libpcap format)
  --stats              print the stack's and the connection's counters (JSON) on standard error
  --idle-ms MS         UDP: exit once the input is sent and nothing arrived for MS (default 1000)
  --timeout-ms MS      TCP: give up connecting after MS (default 10000)
  -h, --help           this text

TCP sends a FIN at the end of the input and exits once the peer has closed too.
Exit status: 0 success, 1 connection failure (the errno name is printed), 2 usage, 130 SIGINT.`;

export class UsageError extends Error {
  override readonly name = "UsageError";
}

export type Mode = { kind: "connect"; host: number; port: number } | { kind: "listen"; port: number };

export interface CliOptions {
  ifname: string;
  address: string;
  prefixLength: number;
  mac: Uint8Array | null;
  gateway: string | null;
  udp: boolean;
  mode: Mode;
  input: InputSpec;
  recvFile: string | null;
  sha256: boolean;
  urgentAt: number | null;
  lossPercent: number;
  seed: number;
  pcapFile: string | null;
  stats: boolean;
  idleMs: number;
  timeoutMs: number;
}

function integer(text: string, what: string, min: number, max: number): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`${what} must be an integer, got "${text}"`);
  const value = Number(text);
  if (value < min || value > max) throw new UsageError(`${what} must be in ${min}..${max}, got ${text}`);
  return value;
}

function address(text: string, what: string): number {
  const value = parseIpv4Address(text);
  if (value === null) throw new UsageError(`${what} "${text}" is not a dotted-quad IPv4 address`);
  return value;
}

/** Parse `argv` (without node and the script). Returns null for --help. */
export function parseCommandLine(argv: readonly string[]): CliOptions | null {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        if: { type: "string" },
        ip: { type: "string" },
        mac: { type: "string" },
        gateway: { type: "string" },
        udp: { type: "boolean" },
        "send-file": { type: "string" },
        "send-bytes": { type: "string" },
        "pattern-seed": { type: "string" },
        "recv-file": { type: "string" },
        sha256: { type: "boolean" },
        "urgent-at": { type: "string" },
        loss: { type: "string" },
        seed: { type: "string" },
        pcap: { type: "string" },
        stats: { type: "boolean" },
        "idle-ms": { type: "string" },
        "timeout-ms": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const v = parsed.values;
  if (v.help === true) return null;
  if (v.if === undefined) throw new UsageError("--if is required");
  if (v.ip === undefined) throw new UsageError("--ip is required");
  const [ip, lengthText, ...extra] = v.ip.split("/");
  if (ip === undefined || lengthText === undefined || extra.length > 0) throw new UsageError(`--ip needs A.B.C.D/LEN, got "${v.ip}"`);
  address(ip, "--ip");
  const prefixLength = integer(lengthText, "prefix length", 1, 32);
  let mac: Uint8Array | null = null;
  if (v.mac !== undefined) {
    mac = parseMac(v.mac);
    if (mac === null || (mac[0]! & 1) !== 0) throw new UsageError(`--mac "${v.mac}" is not a unicast MAC address`);
  }
  if (v.gateway !== undefined) address(v.gateway, "--gateway");

  const [command, ...rest] = parsed.positionals;
  let mode: Mode;
  if (command === "connect" && rest.length === 2) {
    mode = { kind: "connect", host: address(rest[0]!, "HOST"), port: integer(rest[1]!, "PORT", 1, 65535) };
  } else if (command === "listen" && rest.length === 1) {
    mode = { kind: "listen", port: integer(rest[0]!, "PORT", 1, 65535) };
  } else {
    throw new UsageError("expected `connect HOST PORT` or `listen PORT`");
  }

  if (v["send-file"] !== undefined && v["send-bytes"] !== undefined) throw new UsageError("--send-file and --send-bytes exclude each other");
  const patternSeed = v["pattern-seed"] === undefined ? 1 : integer(v["pattern-seed"], "--pattern-seed", 0, 0xffffffff);
  const input: InputSpec =
    v["send-file"] !== undefined
      ? { kind: "file", path: v["send-file"] }
      : v["send-bytes"] !== undefined
        ? { kind: "pattern", length: integer(v["send-bytes"], "--send-bytes", 0, Number.MAX_SAFE_INTEGER), seed: patternSeed }
        : { kind: "stdin" };
  const udp = v.udp === true;
  const urgentAt = v["urgent-at"] === undefined ? null : integer(v["urgent-at"], "--urgent-at", 0, Number.MAX_SAFE_INTEGER);
  if (udp && urgentAt !== null) throw new UsageError("--urgent-at is a TCP option");
  const lossPercent = v.loss === undefined ? 0 : Number(v.loss);
  if (!(lossPercent >= 0 && lossPercent <= 100)) throw new UsageError(`--loss must be a percentage 0..100, got "${v.loss}"`);

  return {
    ifname: v.if,
    address: ip,
    prefixLength,
    mac,
    gateway: v.gateway ?? null,
    udp,
    mode,
    input,
    recvFile: v["recv-file"] ?? null,
    sha256: v.sha256 === true,
    urgentAt,
    lossPercent,
    seed: v.seed === undefined ? 1 : integer(v.seed, "--seed", 0, 0xffffffff),
    pcapFile: v.pcap ?? null,
    stats: v.stats === true,
    idleMs: v["idle-ms"] === undefined ? 1000 : integer(v["idle-ms"], "--idle-ms", 1, 3_600_000),
    timeoutMs: v["timeout-ms"] === undefined ? 10_000 : integer(v["timeout-ms"], "--timeout-ms", 1, 3_600_000),
  };
}
