/**
 * XTI-side helpers for the kernel-provider tests: endpoints on loopback, receiving until the end of
 * the stream, and the sockaddr of a port.
 */
import {
  T_EXPEDITED,
  netbuf,
  sockaddr_in,
  sockaddr_in6,
  t_bind,
  t_bind_of,
  t_call_of,
  t_connect,
  t_rcv,
} from "../../../src/index.js";
import { ok, open, portOf } from "../../helpers/xti.js";
export { portOf, receiveAll, type Received } from "../../helpers/xti.js";

export type Family = "inet" | "inet6";

export const DEVICES = {
  inet: { tcp: "/dev/tcp", udp: "/dev/udp" },
  inet6: { tcp: "/dev/tcp6", udp: "/dev/udp6" },
} as const;

/** The loopback sockaddr of `port`. */
export function loopback(family: Family, port = 0): Uint8Array {
  return family === "inet" ? sockaddr_in("127.0.0.1", port) : sockaddr_in6("::1", port);
}

/** An endpoint bound to loopback (port chosen by the system) with `qlen`. */
export async function bound(device: string, family: Family, qlen = 0, nonblock = false): Promise<{ fd: number; addr: Uint8Array; port: number }> {
  const fd = open(device, nonblock);
  const ret = t_bind_of(64);
  await ok(t_bind(fd, { addr: netbuf(loopback(family)), qlen }, ret), "t_bind");
  const addr = ret.addr.buf.slice(0, ret.addr.len);
  return { fd, addr, port: portOf(addr) };
}

/** A client connected to loopback `port` (t_bind with no address, then a blocking t_connect). */
export async function connectTo(device: string, family: Family, port: number): Promise<number> {
  const fd = open(device);
  await ok(t_bind(fd, null, null), "t_bind");
  await ok(t_connect(fd, { ...t_call_of(), addr: netbuf(loopback(family, port)) }, null), "t_connect");
  return fd;
}

/** One t_rcv: the bytes and whether they were expedited. */
export async function receivePiece(fd: number, size = 4096): Promise<{ text: string; expedited: boolean }> {
  const buf = new Uint8Array(size);
  const flags = { value: 0 };
  const n = await ok(t_rcv(fd, buf, size, flags), "t_rcv");
  return { text: Buffer.from(buf.subarray(0, n)).toString(), expedited: (flags.value & T_EXPEDITED) !== 0 };
}
