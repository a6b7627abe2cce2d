/**
 * Internet addresses as XTI carries them: a netbuf holding a 16-byte `struct sockaddr_in`
 * (sin_family in host order, sin_port and sin_addr in network order, 8 bytes of zero) or a 28-byte
 * `struct sockaddr_in6` (sin6_family in host order, sin6_port, sin6_flowinfo and sin6_addr in
 * network order, sin6_scope_id in host order), and the universal address forms of netdir(3NSL):
 * "h1.h2.h3.h4.p1.p2" for IPv4, "x:x:...:x.p1.p2" for IPv6.
 *
 * The parsers return null for anything they cannot read (whatever its type); the builders throw
 * XTIError: TBADADDR for an address, TSYSERR/EINVAL for a port, scope or flow label.
 */
import { isBytes, show } from "./show.js";
import { badAddress, invalidArgument } from "./xtierror.js";

/** The address family of a sockaddr_in. */
export const AF_INET = 2;
/** Linux's AF_INET6 (the value a sockaddr_in6 carries on this system). */
export const AF_INET6 = 10;
/** sizeof(struct sockaddr_in). */
export const SOCKADDR_IN_SIZE = 16;
/** sizeof(struct sockaddr_in6) on Linux. */
export const SOCKADDR_IN6_SIZE = 28;
/** The IPv4 wildcard address. */
export const INADDR_ANY = "0.0.0.0";
/** The IPv6 wildcard address. */
export const IN6ADDR_ANY = "::";

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** An IPv4 address in text form and a port. */
export interface InetAddress {
  address: string;
  port: number;
}

/** An IPv6 address in text form, a port, the flow label and the scope (interface index). */
export interface Inet6Address extends InetAddress {
  flowinfo: number;
  scopeId: number;
}

/** The four bytes of a dotted-quad IPv4 address, or null if `address` is not one. */
export function parseIpv4(address: string): number[] | null {
  if (typeof address !== "string") return null;
  const parts = address.split(".");
  if (parts.length !== 4) return null;
  const bytes = parts.map((p) => (/^\d{1,3}$/.test(p) ? Number(p) : NaN));
  return bytes.every((b) => b >= 0 && b <= 255) ? bytes : null;
}

/** The sixteen bytes of an IPv6 address in text form (RFC 4291 §2.2, with "::" and a trailing dotted quad), or null. */
export function parseIpv6(address: string): Uint8Array | null {
  if (typeof address !== "string" || !/^[0-9A-Fa-f:.]+$/.test(address)) return null;
  const halves = address.split("::");
  if (halves.length > 2) return null;
  const groups = (text: string): number[] | null => {
    if (text === "") return [];
    const out: number[] = [];
    const parts = text.split(":");
    for (const [i, part] of parts.entries()) {
      if (i === parts.length - 1 && part.includes(".")) {
        const v4 = parseIpv4(part);
        if (v4 === null) return null;
        out.push(((v4[0] as number) << 8) | (v4[1] as number), ((v4[2] as number) << 8) | (v4[3] as number));
      } else if (/^[0-9A-Fa-f]{1,4}$/.test(part)) {
        out.push(parseInt(part, 16));
      } else {
        return null;
      }
    }
    return out;
  };
  const head = groups(halves[0] as string);
  const tail = halves.length === 2 ? groups(halves[1] as string) : [];
  if (head === null || tail === null) return null;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const all = [...head, ...new Array<number>(missing).fill(0), ...tail];
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

/** RFC 5952 text of sixteen address bytes: lower case, the longest run of zero groups as "::". */
export function formatIpv6(bytes: Uint8Array): string {
  if (!isBytes(bytes) || bytes.length < 16) badAddress("formatIpv6", "an IPv6 address is 16 bytes");
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push(((bytes[2 * i] ?? 0) << 8) | (bytes[2 * i + 1] ?? 0));
  let best = -1;
  let bestLen = 1; // a single zero group is not compressed
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (list: number[]): string => list.map((v) => v.toString(16)).join(":");
  if (best < 0) return hex(g);
  return `${hex(g.slice(0, best))}::${hex(g.slice(best + bestLen))}`;
}

function checkPort(call: string, port: unknown): asserts port is number {
  if (typeof port !== "number" || !Number.isInteger(port) || port < 0 || port > 65535) invalidArgument(call, `not a port number: ${show(port)}`);
}

/** A sockaddr_in for `address:port`. Throws XTIError: TBADADDR for the address, TSYSERR/EINVAL for the port. */
export function sockaddr_in(address: string, port: number): Uint8Array {
  const bytes = parseIpv4(address);
  if (bytes === null) badAddress("sockaddr_in", `not a dotted IPv4 address: ${show(address)}`);
  checkPort("sockaddr_in", port);
  const out = new Uint8Array(SOCKADDR_IN_SIZE);
  const v = new DataView(out.buffer);
  v.setUint16(0, AF_INET, HOST_LITTLE_ENDIAN);
  v.setUint16(2, port, false);
  out.set(bytes, 4);
  return out;
}

/** A sockaddr_in6 for `[address]:port`. Throws XTIError: TBADADDR for the address, TSYSERR/EINVAL for the port, scope or flow label. */
export function sockaddr_in6(address: string, port: number, scopeId = 0, flowinfo = 0): Uint8Array {
  const bytes = parseIpv6(address);
  if (bytes === null) badAddress("sockaddr_in6", `not an IPv6 address: ${show(address)}`);
  checkPort("sockaddr_in6", port);
  for (const [name, v] of [["scope id", scopeId], ["flow info", flowinfo]] as const) {
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > 0xffffffff) invalidArgument("sockaddr_in6", `not a ${name}: ${show(v)}`);
  }
  const out = new Uint8Array(SOCKADDR_IN6_SIZE);
  const v = new DataView(out.buffer);
  v.setUint16(0, AF_INET6, HOST_LITTLE_ENDIAN);
  v.setUint16(2, port, false);
  v.setUint32(4, flowinfo, false);
  out.set(bytes, 8);
  v.setUint32(24, scopeId, HOST_LITTLE_ENDIAN);
  return out;
}

/**
 * A view of `bytes` with its family, or null when it is too short or not bytes at all. A
 * buffer detached or shrunk under us also gives null (reading it throws, which is caught here).
 */
function withFamily(bytes: unknown, want: number, minLength: number): DataView | null {
  try {
    if (!isBytes(bytes) || bytes.length < minLength) return null;
    const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return v.getUint16(0, HOST_LITTLE_ENDIAN) === want ? v : null;
  } catch {
    return null;
  }
}

/** The address and port of a sockaddr_in, or null if `bytes` is not one. */
export function parseSockaddrIn(bytes: Uint8Array): InetAddress | null {
  const v = withFamily(bytes, AF_INET, 8);
  if (v === null) return null;
  return { address: `${v.getUint8(4)}.${v.getUint8(5)}.${v.getUint8(6)}.${v.getUint8(7)}`, port: v.getUint16(2, false) };
}

/** The address, port, flow info and scope of a sockaddr_in6, or null if `bytes` is not one. */
export function parseSockaddrIn6(bytes: Uint8Array): Inet6Address | null {
  const v = withFamily(bytes, AF_INET6, 24);
  if (v === null) return null;
  const address = new Uint8Array(16);
  for (let i = 0; i < 16; i++) address[i] = v.getUint8(8 + i);
  return {
    address: formatIpv6(address),
    port: v.getUint16(2, false),
    flowinfo: v.getUint32(4, false),
    scopeId: v.byteLength >= SOCKADDR_IN6_SIZE ? v.getUint32(24, HOST_LITTLE_ENDIAN) : 0,
  };
}

/**
 * The universal address of the bytes of a sockaddr_in ("h1.h2.h3.h4.p1.p2") or sockaddr_in6
 * ("x:...:x.p1.p2"): the port follows as two decimal bytes, high then low. Null for anything
 * else. (netdir's taddr2uaddr takes the netconfig entry and a netbuf, as in C.)
 */
export function sockaddrToUaddr(bytes: Uint8Array): string | null {
  const a = parseSockaddrIn(bytes) ?? parseSockaddrIn6(bytes);
  if (a === null) return null;
  return `${a.address}.${a.port >> 8}.${a.port & 0xff}`;
}

/** The sockaddr_in or sockaddr_in6 bytes of a universal address, or null if it is not one. */
export function uaddrToSockaddr(uaddr: string): Uint8Array | null {
  if (typeof uaddr !== "string") return null;
  const m = /^(.+)\.(\d{1,3})\.(\d{1,3})$/.exec(uaddr);
  if (m === null) return null;
  const hi = Number(m[2]);
  const lo = Number(m[3]);
  if (hi > 255 || lo > 255) return null;
  const host = m[1] as string;
  if (parseIpv4(host) !== null) return sockaddr_in(host, hi * 256 + lo);
  if (host.includes(":") && parseIpv6(host) !== null) return sockaddr_in6(host, hi * 256 + lo);
  return null;
}
