/**
 * Byte layouts of the small C structs passed to bind/setsockopt/ioctl (LP64 Linux, host byte
 * order except where the kernel wants network order). Built as bytes so no koffi struct
 * marshalling is involved.
 */
import { endianness } from "node:os";
import { AF_PACKET, IFNAMSIZ } from "./linux.js";

const HOST_LE = endianness() === "LE";

export const SOCKADDR_LL_SIZE = 20;
const IFREQ_SIZE = 40;
const PACKET_MREQ_SIZE = 16;
const SOCK_FPROG_SIZE = 16;
const SOCK_FILTER_SIZE = 8;

/** Host-to-network order for 16-bit values (sll_protocol, socket() protocol). */
export function htons(value: number): number {
  return HOST_LE ? ((value & 0xff) << 8) | ((value >> 8) & 0xff) : value & 0xffff;
}

/** struct sockaddr_ll for bind(): family, protocol (network order), ifindex. */
export function sockaddrLl(ifindex: number, protocol: number): Uint8Array {
  const bytes = new Uint8Array(SOCKADDR_LL_SIZE);
  const view = new DataView(bytes.buffer);
  view.setUint16(0, AF_PACKET, HOST_LE);
  view.setUint16(2, protocol, false);
  view.setInt32(4, ifindex, HOST_LE);
  return bytes;
}

/** A C int option value for setsockopt. */
export function intOption(value: number): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setInt32(0, value, HOST_LE);
  return bytes;
}

/** struct packet_mreq for PACKET_ADD_MEMBERSHIP (mr_ifindex, mr_type, no address). */
export function packetMreq(ifindex: number, type: number): Uint8Array {
  const bytes = new Uint8Array(PACKET_MREQ_SIZE);
  const view = new DataView(bytes.buffer);
  view.setInt32(0, ifindex, HOST_LE);
  view.setUint16(4, type, HOST_LE);
  return bytes;
}

/** struct ifreq with ifr_name set; the union (offset 16) is filled in by the ioctl. */
export function ifreq(ifname: string): Uint8Array {
  const name = new TextEncoder().encode(ifname);
  if (name.length >= IFNAMSIZ || name.includes(0)) {
    throw new RangeError(`interface name '${ifname}' is not a valid Linux interface name`);
  }
  const bytes = new Uint8Array(IFREQ_SIZE);
  bytes.set(name, 0);
  return bytes;
}

/** ifr_hwaddr.sa_data of an ifreq filled by SIOCGIFHWADDR: the 6-byte MAC. */
export function ifreqHardwareAddress(req: Uint8Array): Uint8Array {
  return req.slice(18, 24);
}

/** ifr_mtu of an ifreq filled by SIOCGIFMTU. */
export function ifreqMtu(req: Uint8Array): number {
  return new DataView(req.buffer, req.byteOffset, req.byteLength).getInt32(16, HOST_LE);
}

/** One classic BPF instruction (struct sock_filter). */
export interface SockFilter {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

/** The instructions as the kernel's struct sock_filter array. */
export function sockFilterBytes(program: readonly SockFilter[]): Uint8Array {
  const bytes = new Uint8Array(new ArrayBuffer(program.length * SOCK_FILTER_SIZE));
  const view = new DataView(bytes.buffer);
  program.forEach((ins, i) => {
    const at = i * SOCK_FILTER_SIZE;
    view.setUint16(at, ins.code, HOST_LE);
    view.setUint8(at + 2, ins.jt);
    view.setUint8(at + 3, ins.jf);
    view.setUint32(at + 4, ins.k >>> 0, HOST_LE);
  });
  return bytes;
}

/** struct sock_fprog: instruction count and the address of the sock_filter array. */
export function sockFprog(count: number, filterAddress: bigint): Uint8Array {
  const bytes = new Uint8Array(SOCK_FPROG_SIZE);
  const view = new DataView(bytes.buffer);
  view.setUint16(0, count, HOST_LE);
  view.setBigUint64(8, filterAddress, HOST_LE);
  return bytes;
}
