/** UDP (RFC 768). A zero checksum means "not computed": sent only when asked, accepted on receive. */
import { checksumValid, finishChecksum, onesComplementSum, pseudoHeaderSum } from "./checksum.js";
import { readU16, writeU16 } from "./bytes.js";
import type { WireCounters } from "./counters.js";

export const UDP_HEADER_LEN = 8;
export const UDP_MAX_PAYLOAD = 65535 - 20 - UDP_HEADER_LEN;
const IPPROTO_UDP = 17;

/** A parsed UDP header; one instance is reused per receive path. */
export class UdpHeader {
  srcPort = 0;
  dstPort = 0;
  /** Header + data as the length field says (at most what arrived). */
  length = 0;
  /** The sender computed a checksum (the field is not 0). */
  checksummed = false;
}

/**
 * Fill `out` from the datagram at `buf[off]` (`len` bytes of IPv4 payload). False (counted) if it is
 * short, its length field is below 8 or beyond the payload, or its non-zero checksum is wrong.
 */
export function parseUdp(buf: Uint8Array, off: number, len: number, src: number, dst: number, out: UdpHeader, counters: WireCounters, verifyChecksum = true): boolean {
  if (len < UDP_HEADER_LEN) {
    counters.udpTooShort++;
    return false;
  }
  const length = readU16(buf, off + 4);
  if (length < UDP_HEADER_LEN || length > len) {
    counters.udpBadLength++;
    return false;
  }
  const checksummed = readU16(buf, off + 6) !== 0;
  if (verifyChecksum && checksummed) {
    const sum = pseudoHeaderSum(src, dst, IPPROTO_UDP, length) + onesComplementSum(buf, off, length);
    if (!checksumValid(sum)) {
      counters.udpBadChecksum++;
      return false;
    }
  }
  out.srcPort = readU16(buf, off);
  out.dstPort = readU16(buf, off + 2);
  out.length = length;
  out.checksummed = checksummed;
  return true;
}

/**
 * Write a UDP datagram at `buf[off]` (UDP_HEADER_LEN + payload.length bytes): the header, `payload`
 * copied in, and its checksum (a computed 0 is sent as 0xffff), or a zero checksum field without
 * `withChecksum` (RFC 768; RFC 1122 §4.1.3.4 lets a user turn it off).
 */
export function writeUdp(buf: Uint8Array, off: number, srcPort: number, dstPort: number, payload: Uint8Array, src: number, dst: number, withChecksum = true): void {
  const length = UDP_HEADER_LEN + payload.length;
  writeU16(buf, off, srcPort);
  writeU16(buf, off + 2, dstPort);
  writeU16(buf, off + 4, length);
  writeU16(buf, off + 6, 0); // the buffer may hold an older frame: the sum covers this field
  buf.set(payload, off + UDP_HEADER_LEN);
  if (!withChecksum) return;
  const checksum = finishChecksum(pseudoHeaderSum(src, dst, IPPROTO_UDP, length) + onesComplementSum(buf, off, length));
  writeU16(buf, off + 6, checksum === 0 ? 0xffff : checksum);
}
