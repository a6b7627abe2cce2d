/**
 * Shared test helpers: endpoints in a known state, pairs of connected endpoints, configured
 * loopback providers under unique names, and assertions on t_errno.
 */
import { expect } from "chai";
import {
  createLoopbackProvider,
  O_NONBLOCK,
  O_RDWR,
  t_accept,
  t_bind,
  t_bind_of,
  t_call_of,
  t_close,
  t_connect,
  t_errno,
  t_getstate,
  t_listen,
  t_open,
  t_rcvrel,
  t_sndrel,
  type LoopbackConfig,
  registerProvider,
  unregisterProvider,
  tErrnoName,
  errno,
  netbuf,
  parseSockaddrIn,
  parseSockaddrIn6,
  T_DISCONNECT,
  T_ORDREL,
  TLOOK,
  t_discon_of,
  t_look,
  t_rcv,
  t_rcvdis,
  XTIError,
} from "../../src/index.js";
import { openDescriptors } from "../../src/core/endpoint.js";

let serial = 0;
const registered: string[] = [];

/** Register a loopback provider with `config` under a fresh device name; returns the name. */
export function loopback(config: Omit<LoopbackConfig, "name">): string {
  const name = `/dev/test-loop-${++serial}`;
  registerProvider(createLoopbackProvider({ ...config, name }));
  registered.push(name);
  return name;
}

/** Close every endpoint still open. */
export async function closeAll(): Promise<void> {
  for (const fd of openDescriptors()) await t_close(fd);
}

/** Close every endpoint still open and forget test providers (use in afterEach). */
export async function cleanup(): Promise<void> {
  await closeAll();
  while (registered.length > 0) unregisterProvider(registered.pop() as string);
}

/** Assert that a call returned -1 with `expected` as t_errno (and errno when given). */
export function expectFail(result: number, expected: number, expectedErrno?: number): void {
  expect(result, `expected -1 with ${tErrnoName(expected)}`).to.equal(-1);
  expect(tErrnoName(t_errno)).to.equal(tErrnoName(expected));
  if (expectedErrno !== undefined) expect(errno).to.equal(expectedErrno);
}

/** Assert that a promised call failed with `expected`. */
export async function expectFailAsync(result: Promise<number>, expected: number, expectedErrno?: number): Promise<void> {
  expectFail(await result, expected, expectedErrno);
}

/** The XTIError an Endpoint call (a Promise) is rejected with; fails the test if it resolves or throws something else. */
export async function xtiErrorOf(p: Promise<unknown>): Promise<XTIError> {
  try {
    await p;
  } catch (e) {
    expect(e).to.be.instanceOf(XTIError);
    return e as XTIError;
  }
  throw new Error("expected an XTIError");
}

export function open(device: string, nonblock = false, semantics?: "XNS5" | "XNS4" | "TLI"): number {
  const fd = t_open(device, O_RDWR | (nonblock ? O_NONBLOCK : 0), null, semantics !== undefined ? { semantics } : undefined);
  expect(fd, `t_open ${device} failed: ${tErrnoName(t_errno)}`).to.be.at.least(0);
  return fd;
}

export async function ok(result: Promise<number> | number, what = "call"): Promise<number> {
  const r = await result;
  expect(r, `${what} failed with ${tErrnoName(t_errno)}`).to.be.at.least(0);
  return r;
}

/** An endpoint of a connectionless device, bound to an address the provider chooses; its fd and address. */
export async function boundClts(device: string): Promise<{ fd: number; addr: Uint8Array }> {
  const fd = open(device);
  const ret = t_bind_of(64);
  await ok(t_bind(fd, null, ret));
  return { fd, addr: ret.addr.buf.slice(0, ret.addr.len) };
}

/** Transfer the buffer behind `bytes` away, as postMessage to a worker would: `bytes` is left empty. */
export function detach(bytes: Uint8Array): void {
  const own = bytes.buffer as ArrayBuffer;
  structuredClone(own, { transfer: [own] });
}

/** A bound listener; returns its fd and bound address. */
export async function listener(device: string, qlen = 1, semantics?: "XNS5" | "XNS4" | "TLI"): Promise<{ fd: number; addr: Uint8Array }> {
  const fd = open(device, false, semantics);
  const ret = t_bind_of(64);
  await ok(t_bind(fd, t_bind_of(0, qlen), ret), "t_bind listener");
  return { fd, addr: ret.addr.buf.slice(0, ret.addr.len) };
}

export function callTo(addr: Uint8Array, udata?: Uint8Array): ReturnType<typeof t_call_of> {
  const c = t_call_of();
  c.addr = netbuf(addr);
  if (udata !== undefined) c.udata = netbuf(udata);
  return c;
}

export interface Pair {
  /** The listener, still listening (qlen as given), unless `acceptOnListener`. */
  listener: number;
  /** The accepted end. */
  server: number;
  client: number;
}

/** A connected client/server pair on `device` (accepted onto a separate endpoint). */
export async function connectedPair(device: string, options: { semantics?: "XNS5" | "XNS4" | "TLI"; acceptOnListener?: boolean } = {}): Promise<Pair> {
  const l = await listener(device, 1, options.semantics);
  const client = open(device, false, options.semantics);
  await ok(t_bind(client, null, null), "t_bind client");
  const server = options.acceptOnListener === true ? l.fd : open(device, false, options.semantics);
  const call = t_call_of({ addr: 64, udata: 64 });
  const accepted = (async () => {
    await ok(t_listen(l.fd, call), "t_listen");
    await ok(t_accept(l.fd, server, call), "t_accept");
  })();
  await ok(t_connect(client, callTo(l.addr), null), "t_connect");
  await accepted;
  return { listener: l.fd, server, client };
}

/** Drive a connected pair to: a in T_OUTREL, or a in T_INREL. */
export async function releaseOneWay(from: number, to: number): Promise<void> {
  await ok(t_sndrel(from), "t_sndrel");
  // `to` sees the T_ORDREL and takes it
  await ok(t_rcvrel(to), "t_rcvrel");
}

export function state(fd: number): number {
  return t_getstate(fd);
}

/** Let pending promise continuations run (for tests that observe intermediate states). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
}

export const text = (s: string): Uint8Array => new TextEncoder().encode(s);
export const str = (b: Uint8Array): string => new TextDecoder().decode(b);

export { pattern } from "../../conformance/context.js";

/** The port of a sockaddr_in or sockaddr_in6 netbuf. */
export function portOf(addr: Uint8Array): number {
  const a = parseSockaddrIn(addr) ?? parseSockaddrIn6(addr);
  if (a === null) throw new Error("not an Internet address");
  return a.port;
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
