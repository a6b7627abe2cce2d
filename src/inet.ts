/**
 * Internet addresses as XTI carries them: a netbuf holding a 16-byte `struct sockaddr_in`
 * (sin_family in host order, sin_port and sin_addr in network order, 8 bytes of zero), and the
 * universal address form "h1.h2.h3.h4.p1.p2" of netdir(3NSL).
 */

export const AF_INET = 2;
export const SOCKADDR_IN_SIZE = 16;
export const INADDR_ANY = "0.0.0.0";

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export interface InetAddress {
  address: string;
  port: number;
}

function parseDotted(address: string): number[] | null {
  const parts = address.split(".");
  if (parts.length !== 4) return null;
  const bytes = parts.map((p) => (/^\d{1,3}$/.test(p) ? Number(p) : NaN));
  return bytes.every((b) => b >= 0 && b <= 255) ? bytes : null;
}

/** A sockaddr_in for `address:port`. Throws RangeError on a malformed address or port. */
export function sockaddr_in(address: string, port: number): Uint8Array {
  const bytes = parseDotted(address);
  if (bytes === null) throw new RangeError(`not a dotted IPv4 address: ${address}`);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`not a port number: ${port}`);
  const out = new Uint8Array(SOCKADDR_IN_SIZE);
  const v = new DataView(out.buffer);
  v.setUint16(0, AF_INET, HOST_LITTLE_ENDIAN);
  v.setUint16(2, port, false);
  out.set(bytes, 4);
  return out;
}

/** The address and port of a sockaddr_in, or null if `bytes` is not one. */
export function parseSockaddrIn(bytes: Uint8Array): InetAddress | null {
  if (bytes.length < 8) return null;
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (v.getUint16(0, HOST_LITTLE_ENDIAN) !== AF_INET) return null;
  return { address: `${bytes[4]}.${bytes[5]}.${bytes[6]}.${bytes[7]}`, port: v.getUint16(2, false) };
}

/** The universal address of a sockaddr_in: "h1.h2.h3.h4.p1.p2" (port high byte, low byte). */
export function taddr2uaddr(bytes: Uint8Array): string | null {
  const a = parseSockaddrIn(bytes);
  if (a === null) return null;
  return `${a.address}.${a.port >> 8}.${a.port & 0xff}`;
}

/** The sockaddr_in of a universal address, or null if it is not one. */
export function uaddr2taddr(uaddr: string): Uint8Array | null {
  const parts = uaddr.split(".");
  if (parts.length !== 6) return null;
  const hi = Number(parts[4]);
  const lo = Number(parts[5]);
  if (!Number.isInteger(hi) || !Number.isInteger(lo) || hi < 0 || hi > 255 || lo < 0 || lo > 255) return null;
  try {
    return sockaddr_in(parts.slice(0, 4).join("."), hi * 256 + lo);
  } catch {
    return null;
  }
}
