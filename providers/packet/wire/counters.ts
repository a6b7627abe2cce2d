/**
 * Why received bytes were rejected by a wire parser. Parsers never throw on malformed input: they
 * return null/false and bump one of these counters, which the stack exposes for diagnostics.
 */
export class WireCounters {
  ethernetTooShort = 0;
  /** 802.1Q / 802.1ad tagged frames: this stack runs on untagged links only. */
  ethernetVlanDropped = 0;
  arpMalformed = 0;
  ipv4TooShort = 0;
  ipv4BadVersion = 0;
  ipv4BadHeaderLength = 0;
  ipv4BadTotalLength = 0;
  ipv4BadChecksum = 0;
  icmpTooShort = 0;
  icmpBadChecksum = 0;
  udpTooShort = 0;
  udpBadLength = 0;
  udpBadChecksum = 0;
  tcpTooShort = 0;
  tcpBadDataOffset = 0;
  tcpBadChecksum = 0;
  /** Options with an impossible length; the rest of the option list is ignored, the segment kept. */
  tcpBadOption = 0;
}
