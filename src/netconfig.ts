/**
 * The netconfig file: the one format and the one parser for the network configuration database
 * (netconfig(4)) and for the parameters of provider instances that netconfig has no column for.
 *
 * A transport line has the seven columns of /etc/netconfig:
 *
 *   # netid  semantics     flags  protofmly  protoname  device       nametoaddr_libs
 *   tcp      tpi_cots_ord  v      inet       tcp        /dev/tcp     -
 *
 * A host line (ours: SVR4 has no such line, so it starts with an at sign) gives the parameters of a
 * provider instance as key=value words, for the devices it lists; one host serves several devices
 * (a user-space stack on one interface serves both /dev/rawtcp and /dev/rawudp):
 *
 *   \@host lab  devices=/dev/rawtcp,/dev/rawudp  interface=xtiA  address=198.18.0.2/24
 *
 * Blank lines and everything after "#" are ignored. The parser checks the columns; what a host's
 * keys mean is up to the provider that reads them, which reports bad values with the host's line.
 * The file in use is the one named by the XTI_NETCONFIG environment variable, or the built-in
 * default that lists this package's providers.
 */
import { readFileSync } from "node:fs";

/** The environment variable naming the netconfig file (the analogue of /etc/netconfig). */
export const NETCONFIG_ENV = "XTI_NETCONFIG";

// nc_semantics values (<netconfig.h>).
/** nc_semantics: connectionless (tpi_clts). */
export const NC_TPI_CLTS = 1;
/** nc_semantics: connection-oriented (tpi_cots). */
export const NC_TPI_COTS = 2;
/** nc_semantics: connection-oriented with orderly release (tpi_cots_ord). */
export const NC_TPI_COTS_ORD = 3;
/** nc_semantics: raw (tpi_raw). */
export const NC_TPI_RAW = 4;

/** nc_flag: none ("-"). */
export const NC_NOFLAG = 0;
/** nc_flag: visible, in the default NETPATH ("v"). */
export const NC_VISIBLE = 0o1;
/** nc_flag: supports broadcast ("b"). */
export const NC_BROADCAST = 0o2;

/** nc_protofmly: none. */
export const NC_NOPROTOFMLY = "-";
/** nc_protofmly: the loopback transports (addresses are strings, netdir's straddr). */
export const NC_LOOPBACK = "loopback";
/** nc_protofmly: IPv4. */
export const NC_INET = "inet";
/** nc_protofmly: IPv6. */
export const NC_INET6 = "inet6";
/** nc_proto: none. */
export const NC_NOPROTO = "-";
/** nc_proto: TCP. */
export const NC_TCP = "tcp";
/** nc_proto: UDP. */
export const NC_UDP = "udp";
/** nc_proto: ICMP. */
export const NC_ICMP = "icmp";

const SEMANTICS: Record<string, number> = {
  tpi_clts: NC_TPI_CLTS,
  tpi_cots: NC_TPI_COTS,
  tpi_cots_ord: NC_TPI_COTS_ORD,
  tpi_raw: NC_TPI_RAW,
};

/** struct netconfig (<netconfig.h>): one transport of the network configuration database. */
export interface netconfig {
  /** The network identifier, e.g. "tcp" (what getnetconfigent and NETPATH name). */
  nc_netid: string;
  /** NC_TPI_CLTS, NC_TPI_COTS, NC_TPI_COTS_ORD or NC_TPI_RAW. */
  nc_semantics: number;
  /** NC_VISIBLE (listed in the default NETPATH) and NC_BROADCAST bits. */
  nc_flag: number;
  /** The protocol family: NC_INET, NC_INET6, NC_LOOPBACK, ... */
  nc_protofmly: string;
  /** The protocol: NC_TCP, NC_UDP, NC_NOPROTO ("-"), ... */
  nc_proto: string;
  /** The device to give t_open, e.g. "/dev/tcp". */
  nc_device: string;
  /** The number of name-to-address libraries. */
  nc_nlookups: number;
  /** The name-to-address libraries ("straddr.so"); none means the system's resolver (inet). */
  nc_lookups: string[];
}

/** One transport line: struct netconfig, with the line it came from. */
export interface NetconfigEntry extends netconfig {
  /** Where the entry was read (file path, or "<built-in>") and its line number. */
  source: string;
  line: number;
}

/** One host line (`@host NAME ...`): the named parameters of a provider instance serving `devices`. */
export interface NetconfigHost {
  name: string;
  devices: string[];
  /** Every key=value word but `devices`, in file order. */
  params: Map<string, string>;
  source: string;
  line: number;
}

/** A parsed netconfig file: its transports and its provider hosts. */
export interface Netconfig {
  source: string;
  entries: NetconfigEntry[];
  hosts: NetconfigHost[];
}

/** A line the parser cannot accept, or a file it cannot read. */
export class NetconfigError extends Error {
  constructor(
    readonly source: string,
    readonly line: number,
    readonly reason: string,
    /** For a file that cannot be read: the errno name of the failure ("ENOENT", "EACCES"...). */
    readonly code?: string,
  ) {
    super(line > 0 ? `${source} line ${line}: ${reason}` : `${source}: ${reason}`);
    this.name = "NetconfigError";
  }
}

/** The built-in netconfig: this package's providers, visible ones first as in illumos's default. */
export const DEFAULT_NETCONFIG = `# The xti built-in netconfig (used when ${NETCONFIG_ENV} names no file).
# netid     semantics     flags  protofmly  protoname  device          nametoaddr_libs
udp6        tpi_clts      v      inet6      udp        /dev/udp6       -
tcp6        tpi_cots_ord  v      inet6      tcp        /dev/tcp6       -
udp         tpi_clts      v      inet       udp        /dev/udp        -
tcp         tpi_cots_ord  v      inet       tcp        /dev/tcp        -
ticlts      tpi_clts      v      loopback   -          /dev/ticlts     straddr.so
ticotsord   tpi_cots_ord  v      loopback   -          /dev/ticotsord  straddr.so
ticots      tpi_cots      v      loopback   -          /dev/ticots     straddr.so
rawtcp      tpi_cots_ord  -      inet       tcp        /dev/rawtcp     -
rawudp      tpi_clts      -      inet       udp        /dev/rawudp     -
`;

function parseFlags(word: string, source: string, line: number): number {
  if (word === "-") return NC_NOFLAG;
  let flags = NC_NOFLAG;
  for (const ch of word) {
    if (ch === "v") flags |= NC_VISIBLE;
    else if (ch === "b") flags |= NC_BROADCAST;
    else throw new NetconfigError(source, line, `unknown flag '${ch}' in '${word}' (flags are v, b or -)`);
  }
  return flags;
}

function parseTransport(words: string[], source: string, line: number): NetconfigEntry {
  if (words.length !== 7) {
    throw new NetconfigError(source, line, `a transport line has 7 columns (netid semantics flags protofmly protoname device nametoaddr_libs), this one has ${words.length}`);
  }
  const [netid, semantics, flags, family, proto, device, libs] = words as [string, string, string, string, string, string, string];
  const nc_semantics = SEMANTICS[semantics];
  if (nc_semantics === undefined || !Object.hasOwn(SEMANTICS, semantics)) {
    throw new NetconfigError(source, line, `unknown semantics '${semantics}' (tpi_clts, tpi_cots, tpi_cots_ord or tpi_raw)`);
  }
  if (!device.startsWith("/")) throw new NetconfigError(source, line, `the device '${device}' is not an absolute path`);
  const lookups = libs === "-" ? [] : libs.split(",").filter((l) => l !== "");
  return {
    nc_netid: netid,
    nc_semantics,
    nc_flag: parseFlags(flags, source, line),
    nc_protofmly: family,
    nc_proto: proto,
    nc_device: device,
    nc_nlookups: lookups.length,
    nc_lookups: lookups,
    source,
    line,
  };
}

function parseHost(words: string[], source: string, line: number): NetconfigHost {
  const name = words[1];
  if (name === undefined || name.includes("=")) throw new NetconfigError(source, line, "a host line is '@host NAME key=value ...'");
  const params = new Map<string, string>();
  let devices: string[] | null = null;
  for (const word of words.slice(2)) {
    const eq = word.indexOf("=");
    if (eq <= 0) throw new NetconfigError(source, line, `'${word}' is not key=value`);
    const key = word.slice(0, eq);
    const value = word.slice(eq + 1);
    if (key === "devices") {
      devices = value.split(",").filter((d) => d !== "");
      const bad = devices.find((d) => !d.startsWith("/"));
      if (bad !== undefined) throw new NetconfigError(source, line, `the device '${bad}' is not an absolute path`);
      continue;
    }
    if (params.has(key)) throw new NetconfigError(source, line, `'${key}' is given twice`);
    params.set(key, value);
  }
  if (devices === null || devices.length === 0) throw new NetconfigError(source, line, `host ${name} lists no devices (devices=/dev/...,/dev/...)`);
  return { name, devices, params, source, line };
}

/** Parse netconfig text. Throws NetconfigError naming the source and line of the first bad line. */
export function parseNetconfig(text: string, source: string): Netconfig {
  const entries: NetconfigEntry[] = [];
  const hosts: NetconfigHost[] = [];
  const lines = text.split("\n");
  for (const [i, raw] of lines.entries()) {
    const line = i + 1;
    const hash = raw.indexOf("#");
    const words = (hash >= 0 ? raw.slice(0, hash) : raw).trim().split(/\s+/).filter((w) => w !== "");
    if (words.length === 0) continue;
    if (words[0] === "@host") {
      const host = parseHost(words, source, line);
      const clash = hosts.find((h) => h.name === host.name || h.devices.some((d) => host.devices.includes(d)));
      if (clash !== undefined) throw new NetconfigError(source, line, `host ${host.name} repeats a name or a device of host ${clash.name} (line ${clash.line})`);
      hosts.push(host);
      continue;
    }
    if (words[0]?.startsWith("@")) throw new NetconfigError(source, line, `unknown directive '${words[0]}' (only @host)`);
    const entry = parseTransport(words, source, line);
    const clash = entries.find((e) => e.nc_netid === entry.nc_netid);
    if (clash !== undefined) throw new NetconfigError(source, line, `the netid '${entry.nc_netid}' is already defined on line ${clash.line}`);
    entries.push(entry);
  }
  return { source, entries, hosts };
}

/** The path named by XTI_NETCONFIG, or null for the built-in default. */
export function netconfigPath(): string | null {
  const path = process.env[NETCONFIG_ENV];
  return path === undefined || path === "" ? null : path;
}

/**
 * Read and parse the netconfig in use (the file named by XTI_NETCONFIG, or the built-in default),
 * afresh on every call, as setnetconfig(3NSL) does. Throws NetconfigError.
 */
export function readNetconfig(path: string | null = netconfigPath()): Netconfig {
  if (path === null) return parseNetconfig(DEFAULT_NETCONFIG, "<built-in>");
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? "error";
    throw new NetconfigError(path, 0, `cannot read the file named by ${NETCONFIG_ENV} (${code})`, code);
  }
  return parseNetconfig(text, path);
}
