/**
 * Packets in buffers of their own, for tests: wire/ writes into a caller's buffer and parses into
 * a caller's record, and these allocate both, as a test building or reading one packet wants.
 */
import { ARP_FRAME_LEN, writeArpFrame } from "../../../providers/packet/wire/arp.js";
import type { WireCounters } from "../../../providers/packet/wire/counters.js";
import { ICMP_HEADER_LEN, echoRestOfHeader, writeIcmp } from "../../../providers/packet/wire/icmp.js";
import { emptyTcpSegment, parseTcp, tcpLength, writeTcp } from "../../../providers/packet/wire/tcp.js";
import type { TcpSegment } from "../../../providers/packet/wire/tcp-segment.js";
import { UDP_HEADER_LEN, writeUdp } from "../../../providers/packet/wire/udp.js";

/** `seg` with its checksum over the pseudo-header of src → dst. */
export function encodeTcp(seg: TcpSegment, src: number, dst: number): Uint8Array {
  const out = new Uint8Array(tcpLength(seg));
  writeTcp(seg, out, 0, src, dst, false);
  return out;
}

/** The segment in `bytes` in a record of its own, or null when parseTcp refuses it. */
export function decodeTcp(bytes: Uint8Array, src: number, dst: number, verifyChecksum = true, counters?: WireCounters): TcpSegment | null {
  const seg = emptyTcpSegment();
  return parseTcp(bytes, src, dst, seg, verifyChecksum, counters) ? seg : null;
}

export function encodeUdp(srcPort: number, dstPort: number, payload: Uint8Array, src: number, dst: number, withChecksum = true): Uint8Array {
  const out = new Uint8Array(UDP_HEADER_LEN + payload.length);
  writeUdp(out, 0, srcPort, dstPort, payload, src, dst, withChecksum);
  return out;
}

export function encodeIcmp(type: number, code: number, restOfHeader: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(ICMP_HEADER_LEN + body.length);
  writeIcmp(out, 0, type, code, restOfHeader, body);
  return out;
}

export function encodeIcmpEcho(type: number, identifier: number, sequence: number, data: Uint8Array): Uint8Array {
  return encodeIcmp(type, 0, echoRestOfHeader(identifier, sequence), data);
}

export function encodeArpFrame(destination: Uint8Array, op: number, senderMac: Uint8Array, senderIp: number, targetMac: Uint8Array, targetIp: number): Uint8Array {
  const frame = new Uint8Array(ARP_FRAME_LEN);
  writeArpFrame(frame, destination, op, senderMac, senderIp, targetMac, targetIp);
  return frame;
}
