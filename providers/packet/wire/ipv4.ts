/** IPv4 header (RFC 791) parsing and emission. Options are never emitted and skipped on receive. */
import { checksumValid, internetChecksum, onesComplementSum } from "./checksum.js";
import { readU16, readU32, writeU16, writeU32 } from "./bytes.js";
import type { WireCounters } from "./counters.js";

export const IPV4_HEADER_LEN = 20;
export const IPV4_MAX_PACKET_LEN = 65535;
export const IPV4_FLAG_DF = 0x4000;
export const IPV4_FLAG_MF = 0x2000;
const FRAGMENT_OFFSET_MASK = 0x1fff;

/** A parsed IPv4 header; one instance is reused per receive path so parsing does not allocate. */
export class Ipv4Header {
  /** IHL in bytes (20..60): where the payload starts. */
  headerLength = 0;
  tos = 0;
  /** Header + payload, as the header says; bytes past it (Ethernet padding) are not part of the packet. */
  totalLength = 0;
  identification = 0;
  dontFragment = false;
  moreFragments = false;
  /** Fragment offset in bytes (the field counts 8-byte units). */
  fragmentOffset = 0;
  ttl = 0;
  protocol = 0;
  src = 0;
  dst = 0;

  get isFragment(): boolean {
    return this.moreFragments || this.fragmentOffset !== 0;
  }
}

function readFields(buf: Uint8Array, off: number, out: Ipv4Header): void {
  out.tos = buf[off + 1]!;
  out.totalLength = readU16(buf, off + 2);
  out.identification = readU16(buf, off + 4);
  const fragment = readU16(buf, off + 6);
  out.dontFragment = (fragment & IPV4_FLAG_DF) !== 0;
  out.moreFragments = (fragment & IPV4_FLAG_MF) !== 0;
  out.fragmentOffset = (fragment & FRAGMENT_OFFSET_MASK) * 8;
  out.ttl = buf[off + 8]!;
  out.protocol = buf[off + 9]!;
  out.src = readU32(buf, off + 12);
  out.dst = readU32(buf, off + 16);
}

/**
 * Fill `out` from the packet at `buf[off]`, of which `len` bytes were received. False (counted) for
 * a short buffer, a version other than 4, an IHL out of range, a total length that is shorter than
 * the header or longer than what arrived, or a bad header checksum.
 */
export function parseIpv4(buf: Uint8Array, off: number, len: number, out: Ipv4Header, counters: WireCounters): boolean {
  if (len < IPV4_HEADER_LEN) {
    counters.ipv4TooShort++;
    return false;
  }
  const versionIhl = buf[off]!;
  if (versionIhl >>> 4 !== 4) {
    counters.ipv4BadVersion++;
    return false;
  }
  const headerLength = (versionIhl & 0x0f) * 4;
  if (headerLength < IPV4_HEADER_LEN || headerLength > len) {
    counters.ipv4BadHeaderLength++;
    return false;
  }
  const totalLength = readU16(buf, off + 2);
  if (totalLength < headerLength || totalLength > len) {
    counters.ipv4BadTotalLength++;
    return false;
  }
  if (!checksumValid(onesComplementSum(buf, off, headerLength))) {
    counters.ipv4BadChecksum++;
    return false;
  }
  out.headerLength = headerLength;
  readFields(buf, off, out);
  return true;
}

/**
 * Parse the IPv4 header quoted inside an ICMP error. The quote is truncated by design and the
 * header may have been rewritten on the way, so only the version and IHL are checked.
 */
export function parseQuotedIpv4(buf: Uint8Array, off: number, len: number, out: Ipv4Header): boolean {
  if (len < IPV4_HEADER_LEN) return false;
  const versionIhl = buf[off]!;
  const headerLength = (versionIhl & 0x0f) * 4;
  if (versionIhl >>> 4 !== 4 || headerLength < IPV4_HEADER_LEN || headerLength > len) return false;
  out.headerLength = headerLength;
  readFields(buf, off, out);
  return true;
}

/**
 * Write a 20-byte header (no options) at `buf[off]` with its checksum. `fragmentField` is the flags
 * and offset word: IPV4_FLAG_DF / IPV4_FLAG_MF ORed with the offset in 8-byte units.
 */
export function writeIpv4Header(
  buf: Uint8Array,
  off: number,
  tos: number,
  totalLength: number,
  identification: number,
  fragmentField: number,
  ttl: number,
  protocol: number,
  src: number,
  dst: number,
): void {
  buf[off] = 0x45;
  buf[off + 1] = tos;
  writeU16(buf, off + 2, totalLength);
  writeU16(buf, off + 4, identification);
  writeU16(buf, off + 6, fragmentField);
  buf[off + 8] = ttl;
  buf[off + 9] = protocol;
  writeU16(buf, off + 10, 0);
  writeU32(buf, off + 12, src);
  writeU32(buf, off + 16, dst);
  writeU16(buf, off + 10, internetChecksum(buf, off, IPV4_HEADER_LEN));
}
