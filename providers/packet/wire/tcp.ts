/**
 * TCP segments written into a caller's buffer and parsed into a caller's record (RFC 9293 §3.1),
 * with the options of RFC 7323 (window scale, timestamps), RFC 2018 (SACK) and MSS, against the
 * TcpSegment contract in tcp-segment.ts.
 */
import { checksumValid, finishChecksum, foldSum, onesComplementSum, pseudoHeaderSum } from "./checksum.js";
import { readU16, readU32, readU8, writeU16, writeU32 } from "./bytes.js";
import type { WireCounters } from "./counters.js";
import type { TcpOptions, TcpSegment } from "./tcp-segment.js";

export const TCP_HEADER_LEN = 20;
/** Where the checksum field is in the header. */
export const TCP_CHECKSUM_OFFSET = 16;
const TCP_MAX_HEADER_LEN = 60;
const IPPROTO_TCP = 6;
const MAX_WINDOW_SCALE = 14;

const OPT_EOL = 0;
const OPT_NOP = 1;
const OPT_MSS = 2;
const OPT_WINDOW_SCALE = 3;
const OPT_SACK_PERMITTED = 4;
const OPT_SACK = 5;
const OPT_TIMESTAMP = 8;

/** Bytes the options of `o` take once laid out by writeTcp (always a multiple of 4, at most 40). */
function optionsLayout(o: TcpOptions): { length: number; sackBlocks: number } {
  let length = 0;
  if (o.mss !== undefined) length += 4;
  // SACK-permitted rides in the two NOP slots in front of the timestamp when both are present.
  if (o.timestamp !== undefined) length += 12;
  else if (o.sackPermitted === true) length += 4;
  if (o.windowScale !== undefined) length += 4;
  let sackBlocks = 0;
  if (o.sack !== undefined && o.sack.length > 0) {
    const room = Math.floor((TCP_MAX_HEADER_LEN - TCP_HEADER_LEN - length - 4) / 8);
    sackBlocks = Math.max(0, Math.min(o.sack.length, 4, room));
    if (sackBlocks > 0) length += 4 + 8 * sackBlocks;
  }
  return { length, sackBlocks };
}

/** Bytes writeTcp produces for `seg`: header, options (padded to 4 bytes) and payload. */
export function tcpLength(seg: TcpSegment): number {
  return TCP_HEADER_LEN + optionsLayout(seg.options).length + seg.payload.length;
}

/**
 * Write `seg` at `buf[off]` (tcpLength(seg) bytes); returns the header length. Options are laid
 * out as Linux does (MSS, SACK-permitted+timestamp, NOP+window scale, NOP NOP+SACK) so every
 * option is 4-byte aligned; SACK blocks that do not fit in the 40 option bytes are left out.
 * `partialChecksum`: leave the folded pseudo-header sum in the checksum field for a device that
 * completes it (checksum offload), instead of summing the payload here.
 */
export function writeTcp(seg: TcpSegment, buf: Uint8Array, off: number, src: number, dst: number, partialChecksum: boolean): number {
  const o = seg.options;
  const layout = optionsLayout(o);
  const headerLen = TCP_HEADER_LEN + layout.length;
  const length = headerLen + seg.payload.length;
  const out = off === 0 && buf.length === length ? buf : buf.subarray(off, off + length);
  writeU16(out, 0, seg.srcPort);
  writeU16(out, 2, seg.dstPort);
  writeU32(out, 4, seg.seq);
  writeU32(out, 8, seg.ack);
  out[12] = (headerLen / 4) << 4;
  out[13] = seg.flags;
  writeU16(out, 14, seg.window);
  writeU16(out, 18, seg.urgentPointer);

  let p = TCP_HEADER_LEN;
  if (o.mss !== undefined) {
    out[p] = OPT_MSS;
    out[p + 1] = 4;
    writeU16(out, p + 2, o.mss);
    p += 4;
  }
  if (o.timestamp !== undefined) {
    if (o.sackPermitted === true) {
      out[p] = OPT_SACK_PERMITTED;
      out[p + 1] = 2;
    } else {
      out[p] = OPT_NOP;
      out[p + 1] = OPT_NOP;
    }
    out[p + 2] = OPT_TIMESTAMP;
    out[p + 3] = 10;
    writeU32(out, p + 4, o.timestamp.value);
    writeU32(out, p + 8, o.timestamp.echo);
    p += 12;
  } else if (o.sackPermitted === true) {
    out[p] = OPT_NOP;
    out[p + 1] = OPT_NOP;
    out[p + 2] = OPT_SACK_PERMITTED;
    out[p + 3] = 2;
    p += 4;
  }
  if (o.windowScale !== undefined) {
    out[p] = OPT_NOP;
    out[p + 1] = OPT_WINDOW_SCALE;
    out[p + 2] = 3;
    out[p + 3] = Math.min(o.windowScale, MAX_WINDOW_SCALE);
    p += 4;
  }
  if (layout.sackBlocks > 0 && o.sack !== undefined) {
    out[p] = OPT_NOP;
    out[p + 1] = OPT_NOP;
    out[p + 2] = OPT_SACK;
    out[p + 3] = 2 + 8 * layout.sackBlocks;
    p += 4;
    for (let i = 0; i < layout.sackBlocks; i++) {
      const block = o.sack[i]!;
      writeU32(out, p, block[0]);
      writeU32(out, p + 4, block[1]);
      p += 8;
    }
  }
  writeU16(out, TCP_CHECKSUM_OFFSET, 0);
  out.set(seg.payload, headerLen);
  const pseudo = pseudoHeaderSum(src, dst, IPPROTO_TCP, length);
  writeU16(out, TCP_CHECKSUM_OFFSET, partialChecksum ? foldSum(pseudo) : finishChecksum(pseudo + onesComplementSum(out, 0, length)));
  return headerLen;
}

/**
 * Parse options in bytes[20, end). Unknown kinds are skipped by their length; a known kind with the
 * wrong length is ignored; a length below 2 or past the header ends the walk (counted), so no input
 * can make this throw or loop.
 */
function decodeOptions(b: Uint8Array, end: number, counters: WireCounters | undefined): TcpOptions {
  const options: TcpOptions = {};
  let p = TCP_HEADER_LEN;
  while (p < end) {
    const kind = readU8(b, p);
    if (kind === OPT_EOL) break;
    if (kind === OPT_NOP) {
      p++;
      continue;
    }
    if (p + 1 >= end) {
      if (counters !== undefined) counters.tcpBadOption++;
      break;
    }
    const len = readU8(b, p + 1);
    if (len < 2 || p + len > end) {
      if (counters !== undefined) counters.tcpBadOption++;
      break;
    }
    switch (kind) {
      case OPT_MSS:
        if (len === 4) options.mss = readU16(b, p + 2);
        break;
      case OPT_WINDOW_SCALE:
        if (len === 3) options.windowScale = Math.min(readU8(b, p + 2), MAX_WINDOW_SCALE);
        break;
      case OPT_SACK_PERMITTED:
        if (len === 2) options.sackPermitted = true;
        break;
      case OPT_SACK:
        if ((len - 2) % 8 === 0 && len > 2 && len <= 2 + 8 * 4) {
          const blocks: Array<[number, number]> = [];
          for (let q = p + 2; q < p + len; q += 8) blocks.push([readU32(b, q), readU32(b, q + 4)]);
          options.sack = blocks;
        }
        break;
      case OPT_TIMESTAMP:
        if (len === 10) options.timestamp = { value: readU32(b, p + 2), echo: readU32(b, p + 6) };
        break;
      default:
        break;
    }
    p += len;
  }
  return options;
}

/** A TcpSegment to parse into (parseTcp fills every field). */
export function emptyTcpSegment(): TcpSegment {
  return { srcPort: 0, dstPort: 0, seq: 0, ack: 0, flags: 0, window: 0, urgentPointer: 0, options: {}, payload: new Uint8Array(0) };
}

/**
 * Fill `out` from the TCP segment `bytes` (exactly the IPv4 payload); false for a short header,
 * a data offset out of range or a bad checksum. `out.payload` is a view into `bytes`; `out.options`
 * is a new record when the header has options. `counters`, when given, records why a segment was
 * rejected or an option list cut short.
 */
export function parseTcp(bytes: Uint8Array, src: number, dst: number, out: TcpSegment, verifyChecksum = true, counters?: WireCounters): boolean {
  if (bytes.length < TCP_HEADER_LEN) {
    if (counters !== undefined) counters.tcpTooShort++;
    return false;
  }
  const headerLen = (readU8(bytes, 12) >>> 4) * 4;
  if (headerLen < TCP_HEADER_LEN || headerLen > bytes.length) {
    if (counters !== undefined) counters.tcpBadDataOffset++;
    return false;
  }
  if (verifyChecksum) {
    const sum = pseudoHeaderSum(src, dst, IPPROTO_TCP, bytes.length) + onesComplementSum(bytes, 0, bytes.length);
    if (!checksumValid(sum)) {
      if (counters !== undefined) counters.tcpBadChecksum++;
      return false;
    }
  }
  out.srcPort = readU16(bytes, 0);
  out.dstPort = readU16(bytes, 2);
  out.seq = readU32(bytes, 4);
  out.ack = readU32(bytes, 8);
  out.flags = readU8(bytes, 13);
  out.window = readU16(bytes, 14);
  out.urgentPointer = readU16(bytes, 18);
  out.options = headerLen > TCP_HEADER_LEN ? decodeOptions(bytes, headerLen, counters) : {};
  out.payload = bytes.subarray(headerLen);
  return true;
}
