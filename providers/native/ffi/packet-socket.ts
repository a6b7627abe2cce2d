/**
 * Set-up calls for an AF_PACKET socket and its interface. Each throws an OsError carrying errno
 * and its name when the kernel refuses, so a caller can report "EPERM" or "ENODEV" plainly.
 */
import { libc } from "./libc.js";
import {
  AF_PACKET,
  PACKET_ADD_MEMBERSHIP,
  PACKET_MR_PROMISC,
  PACKET_STATISTICS,
  SIOCGIFHWADDR,
  SIOCGIFMTU,
  SO_ATTACH_FILTER,
  SO_RCVBUF,
  SO_RCVBUFFORCE,
  SO_SNDBUF,
  SO_SNDBUFFORCE,
  SOCK_CLOEXEC,
  SOCK_NONBLOCK,
  SOCK_RAW,
  SOL_PACKET,
  SOL_SOCKET,
} from "./linux.js";
import {
  ifreq,
  ifreqHardwareAddress,
  ifreqMtu,
  intOption,
  packetMreq,
  SOCKADDR_LL_SIZE,
  sockaddrLl,
  sockFilterBytes,
  sockFprog,
  type SockFilter,
} from "./structs.js";

/** if_nametoindex, failing with ENODEV for an unknown name. */
export function interfaceIndex(ifname: string): number {
  const c = libc();
  const index = c.if_nametoindex(ifname);
  if (index === 0) throw c.failure("if_nametoindex", `interface '${ifname}'`);
  return index;
}

/** The interface's MAC address (SIOCGIFHWADDR), queried through any socket `fd`. */
export function interfaceHardwareAddress(fd: number, ifname: string): Uint8Array {
  const c = libc();
  const req = ifreq(ifname);
  if (c.ioctl(fd, SIOCGIFHWADDR, req) < 0) throw c.failure("ioctl(SIOCGIFHWADDR)", `interface '${ifname}'`);
  return ifreqHardwareAddress(req);
}

/** The interface's MTU (SIOCGIFMTU). */
export function interfaceMtu(fd: number, ifname: string): number {
  const c = libc();
  const req = ifreq(ifname);
  if (c.ioctl(fd, SIOCGIFMTU, req) < 0) throw c.failure("ioctl(SIOCGIFMTU)", `interface '${ifname}'`);
  return ifreqMtu(req);
}

/**
 * A non-blocking, close-on-exec SOCK_RAW packet socket with protocol 0: it receives nothing until
 * bound, so options and a filter can be set before the first frame is queued.
 */
export function createPacketSocket(): number {
  const c = libc();
  const fd = c.socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) throw c.failure("socket(AF_PACKET, SOCK_RAW)");
  return fd;
}

/** bind() to one interface for one EtherType (`protocol` in host order, e.g. ETH_P_ALL). */
export function bindPacketSocket(fd: number, ifindex: number, protocol: number): void {
  const c = libc();
  if (c.bind(fd, sockaddrLl(ifindex, protocol), SOCKADDR_LL_SIZE) < 0) throw c.failure("bind(sockaddr_ll)");
}

/** setsockopt with an int value. */
export function setIntOption(fd: number, level: number, name: number, value: number, label: string): void {
  const c = libc();
  if (c.setsockopt(fd, level, name, intOption(value), 4) < 0) throw c.failure(`setsockopt(${label})`);
}

/**
 * Ask for a receive buffer of `bytes`: SO_RCVBUFFORCE (CAP_NET_ADMIN) may exceed
 * net.core.rmem_max, plain SO_RCVBUF is capped by it. Best effort: a smaller buffer still works.
 */
export function setReceiveBuffer(fd: number, bytes: number): void {
  const c = libc();
  const value = intOption(bytes);
  if (c.setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, value, 4) < 0) c.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, value, 4);
}

/** Ask for a send buffer of `bytes` (SO_SNDBUFFORCE, else SO_SNDBUF capped by wmem_max); best effort. */
export function setSendBuffer(fd: number, bytes: number): void {
  const c = libc();
  const value = intOption(bytes);
  if (c.setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, value, 4) < 0) c.setsockopt(fd, SOL_SOCKET, SO_SNDBUF, value, 4);
}

const statistics = new Uint32Array(2);
const statisticsBytes = new Uint8Array(statistics.buffer);
const statisticsLength = new Uint32Array(1);

/**
 * Frames the kernel dropped for this packet socket (receive queue full) since the last call:
 * PACKET_STATISTICS resets its counters on every read. 0 if the call fails.
 */
export function takeKernelDrops(fd: number): number {
  statisticsLength[0] = 8;
  if (libc().getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, statisticsBytes, statisticsLength) < 0) return 0;
  return statistics[1]!; // struct tpacket_stats { tp_packets; tp_drops; }
}

/** Receive frames for every destination MAC (needed when we answer for a MAC not the NIC's own). */
export function addPromiscuousMembership(fd: number, ifindex: number): void {
  const c = libc();
  const mreq = packetMreq(ifindex, PACKET_MR_PROMISC);
  if (c.setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, mreq, mreq.length) < 0) {
    throw c.failure("setsockopt(PACKET_ADD_MEMBERSHIP)");
  }
}

/** Attach a classic BPF program (SO_ATTACH_FILTER); the kernel copies it during the call. */
export function attachSocketFilter(fd: number, program: readonly SockFilter[]): void {
  const c = libc();
  const instructions = sockFilterBytes(program);
  const fprog = sockFprog(program.length, c.addressOf(instructions));
  if (c.setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, fprog, fprog.length) < 0) {
    throw c.failure("setsockopt(SO_ATTACH_FILTER)");
  }
}
