/**
 * The parsed form of a TCP segment: the contract between wire/tcp.ts (which writes and parses it
 * with checksums) and stack/tcp (which never touches bytes of a header).
 * Sequence numbers, acknowledgment numbers and timestamps are unsigned 32-bit values (0..2^32-1).
 *
 * wire/tcp.ts follows wire/'s convention (addresses are host-order uint32 IPv4):
 *   writeTcp(seg, buf, off, src, dst, partialChecksum): header + options (padded to 4 bytes) +
 *     payload at buf[off] (tcpLength(seg) bytes), the checksum over the pseudo-header filled in
 *     (or only its pseudo-header part, for a device that completes it).
 *   parseTcp(bytes, src, dst, out, verifyChecksum = true): false for anything malformed (short
 *     header, data offset out of range, bad checksum); unknown or malformed options are skipped,
 *     never thrown on. `out.payload` is a view into `bytes`.
 */
export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;
export const TCP_URG = 0x20;
export const TCP_ECE = 0x40;
export const TCP_CWR = 0x80;

export interface TcpOptions {
  /** Maximum segment size (kind 2), SYN only. */
  mss?: number;
  /** Window scale shift (kind 3), SYN only; 0..14 (larger values are clamped to 14 on receive). */
  windowScale?: number;
  /** SACK permitted (kind 4), SYN only. */
  sackPermitted?: boolean;
  /** SACK blocks (kind 5): [left edge, right edge) pairs, at most 4. */
  sack?: Array<[number, number]>;
  /** Timestamps (kind 8). */
  timestamp?: { value: number; echo: number };
}

export interface TcpSegment {
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  /** Bit set of TCP_FIN … TCP_CWR. */
  flags: number;
  /** The 16-bit window field as sent (not scaled). */
  window: number;
  urgentPointer: number;
  options: TcpOptions;
  payload: Uint8Array;
}
