/**
 * XTI-side helpers for the kernel-provider tests: endpoints on loopback, receiving until the end of
 * the stream, and the sockaddr of a port.
 */
import { expect } from "chai";
import {
  T_DISCONNECT,
  T_EXPEDITED,
  T_ORDREL,
  TLOOK,
  netbuf,
  parseSockaddrIn,
  parseSockaddrIn6,
  sockaddr_in,
  sockaddr_in6,
  t_bind,
  t_bind_of,
  t_call_of,
  t_connect,
  t_discon_of,
  t_errno,
  t_look,
  t_rcv,
  t_rcvdis,
  t_rcvrel,
} from "../../../src/index.js";
import { ok, open } from "../../helpers/xti.js";

export type Family = "inet" | "inet6";

export const DEVICES = {
  inet: { tcp: "/dev/tcp", udp: "/dev/udp" },
  inet6: { tcp: "/dev/tcp6", udp: "/dev/udp6" },
} as const;

/** The loopback sockaddr of `port`. */
export function loopback(family: Family, port = 0): Uint8Array {
  return family === "inet" ? sockaddr_in("127.0.0.1", port) : sockaddr_in6("::1", port);
}

export function portOf(addr: Uint8Array): number {
  const a = parseSockaddrIn(addr) ?? parseSockaddrIn6(addr);
  if (a === null) throw new Error("not an Internet address");
  return a.port;
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

export interface Received {
  bytes: Uint8Array;
  /** How the stream ended. */
  end: "ordrel" | "disconnect";
  /** The disconnect reason (an errno), when it ended with one. */
  reason?: number;
}

/** t_rcv until the stream ends (T_ORDREL taken with t_rcvrel, or T_DISCONNECT with t_rcvdis). */
export async function receiveAll(fd: number, size = 65536): Promise<Received> {
  const chunks: Uint8Array[] = [];
  const buf = new Uint8Array(size);
  const flags = { value: 0 };
  for (;;) {
    const n = await t_rcv(fd, buf, size, flags);
    if (n >= 0) {
      chunks.push(buf.slice(0, n));
      continue;
    }
    expect(t_errno, "t_rcv ends with TLOOK").to.equal(TLOOK);
    const event = t_look(fd);
    if (event === T_ORDREL) {
      await ok(t_rcvrel(fd), "t_rcvrel");
      return { bytes: Buffer.concat(chunks), end: "ordrel" };
    }
    expect(event, "the event after the data").to.equal(T_DISCONNECT);
    const d = t_discon_of(0);
    await ok(t_rcvdis(fd, d), "t_rcvdis");
    return { bytes: Buffer.concat(chunks), end: "disconnect", reason: d.reason };
  }
}

/** One t_rcv: the bytes and whether they were expedited. */
export async function receivePiece(fd: number, size = 4096): Promise<{ text: string; expedited: boolean }> {
  const buf = new Uint8Array(size);
  const flags = { value: 0 };
  const n = await ok(t_rcv(fd, buf, size, flags), "t_rcv");
  return { text: Buffer.from(buf.subarray(0, n)).toString(), expedited: (flags.value & T_EXPEDITED) !== 0 };
}
