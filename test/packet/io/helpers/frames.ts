/** Hand-built frames for the I/O tests (the real wire/ layer is written elsewhere). */

export const BROADCAST = Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_ARP = 0x0806;
export const ETHERTYPE_IPV6 = 0x86dd;

export function ipv4(text: string): Uint8Array {
  return Uint8Array.from(text.split(".").map(Number));
}

export function macText(mac: Uint8Array): string {
  return Array.from(mac, (b) => b.toString(16).padStart(2, "0")).join(":");
}

export function ethernet(dst: Uint8Array, src: Uint8Array, type: number, payload: Uint8Array): Uint8Array {
  const frame = new Uint8Array(14 + payload.length);
  frame.set(dst, 0);
  frame.set(src, 6);
  frame[12] = type >> 8;
  frame[13] = type & 0xff;
  frame.set(payload, 14);
  return frame;
}

export function etherType(frame: Uint8Array): number {
  return (frame[12]! << 8) | frame[13]!;
}

/** RFC 826 Ethernet/IPv4 ARP packet inside a frame. op 1 = request, 2 = reply. */
export function arp(
  op: 1 | 2,
  dstMac: Uint8Array,
  senderMac: Uint8Array,
  senderIp: Uint8Array,
  targetMac: Uint8Array,
  targetIp: Uint8Array,
): Uint8Array {
  const body = new Uint8Array(28);
  body.set([0, 1, 0x08, 0x00, 6, 4, 0, op], 0);
  body.set(senderMac, 8);
  body.set(senderIp, 14);
  body.set(targetMac, 18);
  body.set(targetIp, 24);
  return ethernet(dstMac, senderMac, ETHERTYPE_ARP, body);
}

export interface ArpView {
  op: number;
  senderMac: string;
  senderIp: string;
  targetMac: string;
  targetIp: string;
}

export function parseArp(frame: Uint8Array): ArpView | null {
  if (frame.length < 42 || etherType(frame) !== ETHERTYPE_ARP) return null;
  return {
    op: (frame[20]! << 8) | frame[21]!,
    senderMac: macText(frame.subarray(22, 28)),
    senderIp: frame.subarray(28, 32).join("."),
    targetMac: macText(frame.subarray(32, 38)),
    targetIp: frame.subarray(38, 42).join("."),
  };
}

/** RFC 1071 Internet checksum of `bytes`. */
export function internetChecksum(bytes: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i + 1 < bytes.length; i += 2) sum += (bytes[i]! << 8) | bytes[i + 1]!;
  if (bytes.length % 2 === 1) sum += bytes[bytes.length - 1]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** A minimal IPv4 packet (no options, DF clear, TTL 64) with a correct header checksum. */
export function ipv4Packet(protocol: number, src: Uint8Array, dst: Uint8Array, payload: Uint8Array): Uint8Array {
  const packet = new Uint8Array(20 + payload.length);
  const view = new DataView(packet.buffer);
  packet[0] = 0x45;
  view.setUint16(2, packet.length);
  packet[8] = 64;
  packet[9] = protocol;
  packet.set(src, 12);
  packet.set(dst, 16);
  view.setUint16(10, internetChecksum(packet.subarray(0, 20)));
  packet.set(payload, 20);
  return packet;
}

export interface Ipv4View {
  protocol: number;
  src: string;
  dst: string;
  payload: Uint8Array;
}

export function parseIpv4(frame: Uint8Array): Ipv4View | null {
  if (frame.length < 34 || etherType(frame) !== ETHERTYPE_IPV4) return null;
  const headerLength = (frame[14]! & 0x0f) * 4;
  const total = (frame[16]! << 8) | frame[17]!;
  return {
    protocol: frame[23]!,
    src: frame.subarray(26, 30).join("."),
    dst: frame.subarray(30, 34).join("."),
    payload: frame.subarray(14 + headerLength, 14 + total),
  };
}

/** The ICMP echo reply (RFC 792) answering an echo request frame, from `ourMac`. */
export function icmpEchoReply(request: Uint8Array, ourMac: Uint8Array): Uint8Array {
  const ip = parseIpv4(request);
  if (ip === null || ip.protocol !== 1 || ip.payload[0] !== 8) throw new Error("not an ICMP echo request");
  const icmp = Uint8Array.from(ip.payload);
  icmp[0] = 0;
  icmp[2] = 0;
  icmp[3] = 0;
  const sum = internetChecksum(icmp);
  icmp[2] = sum >> 8;
  icmp[3] = sum & 0xff;
  const packet = ipv4Packet(1, ipv4(ip.dst), ipv4(ip.src), icmp);
  return ethernet(request.subarray(6, 12), ourMac, ETHERTYPE_IPV4, packet);
}
