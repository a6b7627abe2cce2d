/** ICMP for IPv4 (RFC 792): echo, destination unreachable, time exceeded. */
import { checksumValid, internetChecksum, onesComplementSum } from "./checksum.js";
import { readU32, writeU16, writeU32 } from "./bytes.js";
import type { WireCounters } from "./counters.js";

export const ICMP_HEADER_LEN = 8;
export const ICMP_ECHO_REPLY = 0;
export const ICMP_DEST_UNREACHABLE = 3;
export const ICMP_ECHO_REQUEST = 8;
export const ICMP_TIME_EXCEEDED = 11;

export const ICMP_UNREACH_NET = 0;
export const ICMP_UNREACH_HOST = 1;
export const ICMP_UNREACH_PROTOCOL = 2;
export const ICMP_UNREACH_PORT = 3;
export const ICMP_UNREACH_FRAG_NEEDED = 4;
export const ICMP_TIME_EXCEEDED_TTL = 0;
export const ICMP_TIME_EXCEEDED_REASSEMBLY = 1;

/** A parsed ICMP header; one instance is reused per receive path. */
export class IcmpHeader {
  type = 0;
  code = 0;
  /** Bytes 4..7: identifier and sequence for echo, next-hop MTU (low 16 bits) for fragmentation-needed. */
  restOfHeader = 0;

  get identifier(): number {
    return this.restOfHeader >>> 16;
  }
  get sequence(): number {
    return this.restOfHeader & 0xffff;
  }
  get nextHopMtu(): number {
    return this.restOfHeader & 0xffff;
  }
}

/** Fill `out` from the ICMP message at `buf[off]` (`len` bytes); false (counted) if short or if the checksum is bad. */
export function parseIcmp(buf: Uint8Array, off: number, len: number, out: IcmpHeader, counters: WireCounters, verifyChecksum = true): boolean {
  if (len < ICMP_HEADER_LEN) {
    counters.icmpTooShort++;
    return false;
  }
  if (verifyChecksum && !checksumValid(onesComplementSum(buf, off, len))) {
    counters.icmpBadChecksum++;
    return false;
  }
  out.type = buf[off]!;
  out.code = buf[off + 1]!;
  out.restOfHeader = readU32(buf, off + 4);
  return true;
}

/** Write an ICMP message at `buf[off]` (ICMP_HEADER_LEN + body.length bytes): the header, `body` copied in, the checksum. */
export function writeIcmp(buf: Uint8Array, off: number, type: number, code: number, restOfHeader: number, body: Uint8Array): void {
  buf[off] = type;
  buf[off + 1] = code;
  writeU16(buf, off + 2, 0); // the buffer may hold an older frame: the sum covers this field
  writeU32(buf, off + 4, restOfHeader);
  buf.set(body, off + ICMP_HEADER_LEN);
  writeU16(buf, off + 2, internetChecksum(buf, off, ICMP_HEADER_LEN + body.length));
}

/** The rest-of-header word of an echo request or reply: identifier and sequence number. */
export function echoRestOfHeader(identifier: number, sequence: number): number {
  return ((identifier & 0xffff) * 0x10000 + (sequence & 0xffff)) >>> 0;
}

