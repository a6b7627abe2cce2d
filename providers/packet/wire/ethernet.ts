/** Ethernet II framing (no preamble, no FCS: what a packet socket carries). */
import { readU16, writeU16 } from "./bytes.js";
import type { WireCounters } from "./counters.js";

export const ETHERNET_HEADER_LEN = 14;
export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_ARP = 0x0806;
const ETHERTYPE_VLAN = 0x8100;
const ETHERTYPE_QINQ = 0x88a8;

export const ETHERNET_DESTINATION_OFFSET = 0;
export const ETHERNET_SOURCE_OFFSET = 6;

/**
 * The EtherType of an untagged Ethernet II frame, or -1 (counted) if it is too short or VLAN tagged.
 * An 802.3 frame returns its length field (below 0x0600), which matches no protocol the stack knows.
 */
export function parseEthernet(frame: Uint8Array, counters: WireCounters): number {
  if (frame.length < ETHERNET_HEADER_LEN) {
    counters.ethernetTooShort++;
    return -1;
  }
  const type = readU16(frame, 12);
  if (type === ETHERTYPE_VLAN || type === ETHERTYPE_QINQ) {
    counters.ethernetVlanDropped++;
    return -1;
  }
  return type;
}

/** Write the 14-byte header at the start of `frame`; a null destination is left for ARP to fill in. */
export function writeEthernetHeader(frame: Uint8Array, destination: Uint8Array | null, source: Uint8Array, etherType: number): void {
  if (destination !== null) frame.set(destination, ETHERNET_DESTINATION_OFFSET);
  frame.set(source, ETHERNET_SOURCE_OFFSET);
  writeU16(frame, 12, etherType);
}
