/** UDP (RFC 768). The checksum is always sent; on receive a zero checksum means "not computed". */
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
  if (verifyChecksum && readU16(buf, off + 6) !== 0) {
    const sum = pseudoHeaderSum(src, dst, IPPROTO_UDP, length) + onesComplementSum(buf, off, length);
    if (!checksumValid(sum)) {
      counters.udpBadChecksum++;
      return false;
    }
  }
  out.srcPort = readU16(buf, off);
  out.dstPort = readU16(buf, off + 2);
  out.length = length;
  return true;
}

/** A UDP datagram with `payload` copied in and its checksum (a computed 0 is sent as 0xffff). */
export function encodeUdp(srcPort: number, dstPort: number, payload: Uint8Array, src: number, dst: number): Uint8Array {
  const length = UDP_HEADER_LEN + payload.length;
  const out = new Uint8Array(length);
  writeU16(out, 0, srcPort);
  writeU16(out, 2, dstPort);
  writeU16(out, 4, length);
  out.set(payload, UDP_HEADER_LEN);
  const checksum = finishChecksum(pseudoHeaderSum(src, dst, IPPROTO_UDP, length) + onesComplementSum(out, 0, length));
  writeU16(out, 6, checksum === 0 ? 0xffff : checksum);
  return out;
}
