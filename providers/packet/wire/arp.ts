/** ARP for IPv4 over Ethernet (RFC 826): the only hardware/protocol pair this stack speaks. */
import { readU16, readU32, writeU16, writeU32 } from "./bytes.js";
import type { WireCounters } from "./counters.js";
import { ETHERNET_HEADER_LEN, ETHERTYPE_ARP, ETHERTYPE_IPV4, writeEthernetHeader } from "./ethernet.js";
import { MAC_LEN } from "./mac.js";

export const ARP_PACKET_LEN = 28;
export const ARP_REQUEST = 1;
export const ARP_REPLY = 2;
const HTYPE_ETHERNET = 1;

/** A parsed ARP packet; one instance is reused for every packet so parsing does not allocate. */
export class ArpPacket {
  op = 0;
  readonly senderMac = new Uint8Array(MAC_LEN);
  senderIp = 0;
  readonly targetMac = new Uint8Array(MAC_LEN);
  targetIp = 0;
}

/** Fill `out` from the ARP packet at `buf[off]` (`len` bytes); false (counted) if it is not Ethernet/IPv4 ARP. */
export function parseArp(buf: Uint8Array, off: number, len: number, out: ArpPacket, counters: WireCounters): boolean {
  if (len < ARP_PACKET_LEN || readU16(buf, off) !== HTYPE_ETHERNET || readU16(buf, off + 2) !== ETHERTYPE_IPV4 || buf[off + 4] !== MAC_LEN || buf[off + 5] !== 4) {
    counters.arpMalformed++;
    return false;
  }
  const op = readU16(buf, off + 6);
  if (op !== ARP_REQUEST && op !== ARP_REPLY) {
    counters.arpMalformed++;
    return false;
  }
  out.op = op;
  out.senderMac.set(buf.subarray(off + 8, off + 14));
  out.senderIp = readU32(buf, off + 14);
  out.targetMac.set(buf.subarray(off + 18, off + 24));
  out.targetIp = readU32(buf, off + 24);
  return true;
}

/** Bytes of an Ethernet frame carrying one ARP packet. */
export const ARP_FRAME_LEN = ETHERNET_HEADER_LEN + ARP_PACKET_LEN;

/** Write a complete Ethernet frame carrying one ARP packet into `frame` (ARP_FRAME_LEN bytes from 0). */
export function writeArpFrame(
  frame: Uint8Array,
  ethernetDestination: Uint8Array,
  op: number,
  senderMac: Uint8Array,
  senderIp: number,
  targetMac: Uint8Array,
  targetIp: number,
): void {
  writeEthernetHeader(frame, ethernetDestination, senderMac, ETHERTYPE_ARP);
  const p = ETHERNET_HEADER_LEN;
  writeU16(frame, p, HTYPE_ETHERNET);
  writeU16(frame, p + 2, ETHERTYPE_IPV4);
  frame[p + 4] = MAC_LEN;
  frame[p + 5] = 4;
  writeU16(frame, p + 6, op);
  frame.set(senderMac, p + 8);
  writeU32(frame, p + 14, senderIp);
  frame.set(targetMac, p + 18);
  writeU32(frame, p + 24, targetIp);
}
