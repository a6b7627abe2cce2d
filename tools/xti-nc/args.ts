/** Command line of xti-nc: parsed into one typed value, or a usage error with a message. */
import { parseArgs } from "node:util";
import { parseIpv4Address } from "../../providers/packet/wire/ipv4-address.js";
import { parseMac } from "../../providers/packet/wire/mac.js";
import type { InputSpec } from "./byte-source.js";

export const USAGE = `usage: xti-nc [-D DEVICE] [options] connect ADDRESS
       xti-nc [-D DEVICE] [options] listen ADDRESS

A netcat over XTI: every transfer goes through t_* calls on DEVICE, so it works over any
provider. A connection-mode device (T_COTS, T_COTS_ORD) carries a stream, a T_CLTS device
datagrams. ADDRESS is "HOST PORT" for the Internet devices (sockaddr_in: /dev/rawtcp,
/dev/rawudp, /dev/tcp, /dev/udp), otherwise one word whose bytes are the address (/dev/ticotsord
and the other loopback devices, which only reach endpoints of this process).

  -D, --device DEVICE  the transport provider (default /dev/rawtcp, or /dev/rawudp with --udp)
  --udp                the default device is /dev/rawudp
  --send-file F        send the contents of F instead of standard input
  --send-bytes N       send N bytes of the deterministic pattern instead of standard input
  --pattern-seed S     seed of that pattern (default 1)
  --recv-file F        write what arrives to F instead of standard output
  --sha256             print the SHA-256 of what was sent and received on standard error
  --urgent-at N[,N..]  send the bytes at these stream offsets (from 0) as expedited data
                       (TCP urgent data; each one t_snd with T_EXPEDITED)
  --urgent-apart       keep expedited bytes that arrive out of the output; each is reported on
                       standard error, in order, as "urgent byte 0xHH at offset N"
  --pace-ms MS         wait MS after each expedited byte sent (TCP marks one urgent byte at a time)
  --idle-ms MS         datagrams: exit once the input is sent and nothing arrived for MS (default 1000)
  --timeout-ms MS      give up connecting after MS (default 10000)
  --stats              print the user-space host's counters (JSON) on standard error at the end
  -h, --help           this text

The user-space devices (/dev/rawtcp, /dev/rawudp) run on the host the netconfig file
(XTI_NETCONFIG) gives them, or on one described here (root or CAP_NET_RAW; the kernel must not
own the address on the interface):
  --if IFNAME          interface to open
  --ip A.B.C.D/LEN     our address and on-link prefix length
  --mac 02:..          our MAC (default: the interface's; another one turns promiscuous mode on)
  --gateway A.B.C.D    default gateway
  --loss PCT           drop PCT % of frames in each direction with the seeded fault injector
  --seed S             seed of the fault injector (default 1)
  --pcap FILE          record every frame in FILE (libpcap format)

A stream ends with an orderly release after the input (t_sndrel; T_COTS has none, so there the
input's end is an abortive t_snddis) and xti-nc exits once the peer has released too.
Exit status: 0 success, 1 connection failure (the errno or t_errno name is printed), 2 usage, 130 SIGINT.`;

export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** A host described on the command line, for the user-space devices. */
export interface HostOptions {
  ifname: string;
  address: string;
  prefixLength: number;
  mac: string | null;
  gateway: string | null;
  lossPercent: number;
  seed: number;
  pcapFile: string | null;
}

export interface CliOptions {
  device: string;
  /** Null: the device needs no host, or the netconfig file gives it one. */
  host: HostOptions | null;
  mode: "connect" | "listen";
  /** The ADDRESS words as given. */
  address: string[];
  input: InputSpec;
  recvFile: string | null;
  sha256: boolean;
  /** Stream offsets of bytes to send as expedited data, ascending. */
  urgentAt: number[];
  urgentApart: boolean;
  paceMs: number;
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

function address(text: string, what: string): void {
  if (parseIpv4Address(text) === null) throw new UsageError(`${what} "${text}" is not a dotted-quad IPv4 address`);
}

function hostOptions(v: Record<string, string | boolean | undefined>): HostOptions | null {
  const given = ["if", "ip", "mac", "gateway", "loss", "seed", "pcap"].filter((k) => v[k] !== undefined);
  if (given.length === 0) return null;
  if (v["if"] === undefined) throw new UsageError(`--${given[0]} describes a host: --if is required with it`);
  if (v["ip"] === undefined) throw new UsageError("--ip is required with --if");
  const ipText = v["ip"] as string;
  const [ip, lengthText, ...extra] = ipText.split("/");
  if (ip === undefined || lengthText === undefined || extra.length > 0) throw new UsageError(`--ip needs A.B.C.D/LEN, got "${ipText}"`);
  address(ip, "--ip");
  const prefixLength = integer(lengthText, "prefix length", 1, 32);
  const mac = v["mac"] as string | undefined;
  if (mac !== undefined) {
    const bytes = parseMac(mac);
    if (bytes === null || (bytes[0]! & 1) !== 0) throw new UsageError(`--mac "${mac}" is not a unicast MAC address`);
  }
  const gateway = v["gateway"] as string | undefined;
  if (gateway !== undefined) address(gateway, "--gateway");
  const loss = v["loss"] as string | undefined;
  const lossPercent = loss === undefined ? 0 : Number(loss);
  if (!(lossPercent >= 0 && lossPercent <= 100)) throw new UsageError(`--loss must be a percentage 0..100, got "${loss}"`);
  const seed = v["seed"] as string | undefined;
  return {
    ifname: v["if"] as string,
    address: ip,
    prefixLength,
    mac: mac ?? null,
    gateway: gateway ?? null,
    lossPercent,
    seed: seed === undefined ? 1 : integer(seed, "--seed", 0, 0xffffffff),
    pcapFile: (v["pcap"] as string | undefined) ?? null,
  };
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
        device: { type: "string", short: "D" },
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
        "urgent-apart": { type: "boolean" },
        "pace-ms": { type: "string" },
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
  const host = hostOptions(v);

  const [command, ...rest] = parsed.positionals;
  if ((command !== "connect" && command !== "listen") || rest.length < 1 || rest.length > 2) {
    throw new UsageError("expected `connect ADDRESS` or `listen ADDRESS` (ADDRESS: HOST PORT, or one word)");
  }

  if (v["send-file"] !== undefined && v["send-bytes"] !== undefined) throw new UsageError("--send-file and --send-bytes exclude each other");
  const patternSeed = v["pattern-seed"] === undefined ? 1 : integer(v["pattern-seed"], "--pattern-seed", 0, 0xffffffff);
  const input: InputSpec =
    v["send-file"] !== undefined
      ? { kind: "file", path: v["send-file"] }
      : v["send-bytes"] !== undefined
        ? { kind: "pattern", length: integer(v["send-bytes"], "--send-bytes", 0, Number.MAX_SAFE_INTEGER), seed: patternSeed }
        : { kind: "stdin" };
  const urgentAt = v["urgent-at"] === undefined ? [] : v["urgent-at"].split(",").map((t) => integer(t, "--urgent-at", 0, Number.MAX_SAFE_INTEGER));
  if (urgentAt.some((o, i) => i > 0 && o <= urgentAt[i - 1]!)) throw new UsageError("--urgent-at offsets must be ascending");

  return {
    device: v.device ?? (v.udp === true ? "/dev/rawudp" : "/dev/rawtcp"),
    host,
    mode: command,
    address: rest,
    input,
    recvFile: v["recv-file"] ?? null,
    sha256: v.sha256 === true,
    urgentAt,
    urgentApart: v["urgent-apart"] === true,
    paceMs: v["pace-ms"] === undefined ? 0 : integer(v["pace-ms"], "--pace-ms", 0, 3_600_000),
    stats: v.stats === true,
    idleMs: v["idle-ms"] === undefined ? 1000 : integer(v["idle-ms"], "--idle-ms", 1, 3_600_000),
    timeoutMs: v["timeout-ms"] === undefined ? 10_000 : integer(v["timeout-ms"], "--timeout-ms", 1, 3_600_000),
  };
}
