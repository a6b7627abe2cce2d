/**
 * Helpers for the /dev/rawtcp and /dev/rawudp tests: two user-space hosts on an in-memory hub of
 * their own, registered in code under device names of their own, and XTI-side shorthands
 * (endpoints bound to a host's address, receiving until the stream ends).
 */
import { expect } from "chai";
import { createHash } from "node:crypto";
import {
  T_EXPEDITED,
  T_ORDREL,
  TLOOK,
  netbuf,
  registerRawHost,
  sockaddr_in,
  t_bind,
  t_bind_of,
  t_call_of,
  t_connect,
  t_errno,
  t_look,
  t_rcv,
  t_rcvdis,
  t_rcvrel,
  t_snd,
  t_sndrel,
  unregisterProvider,
  type RawHostRegistration,
} from "../../../src/index.js";
import type { UserHost } from "../../../providers/packet/host.js";
import { RawHost } from "../../../providers/packet/xti/raw-host.js";
import { planHost } from "../../../providers/packet/xti/host-config.js";
import { ok, open, portOf, receiveAll, type Received } from "../../helpers/xti.js";
export { portOf, receiveAll, type Received } from "../../helpers/xti.js";
import { PatternStream } from "../../../tools/xti-nc/pattern.js";

export interface TestHost {
  tcp: string;
  udp: string;
  address: string;
  registration: RawHostRegistration;
}

let serial = 0;

/**
 * Two hosts, "a" (198.18.<net>.1) and "b" (.2), on a hub of their own; `extra` adds settings
 * to both (faults, TCP timing...). Call `remove()` after the tests: it unregisters the devices and
 * closes the hosts.
 */
export function memoryHosts(label: string, extra: { a?: Partial<RawHostRegistration>; b?: Partial<RawHostRegistration> } = {}): { a: TestHost; b: TestHost; remove(): Promise<void> } {
  const id = ++serial;
  const net = 100 + id;
  const make = (side: "a" | "b", last: number): TestHost => {
    const address = `198.18.${net}.${last}`;
    const registration: RawHostRegistration = {
      name: `${label}-${side}`,
      hub: `test-${label}-${id}`,
      address: `${address}/24`,
      tcpDevice: `/dev/test-rawtcp-${label}-${id}${side}`,
      udpDevice: `/dev/test-rawudp-${label}-${id}${side}`,
      ...extra[side],
    };
    registerRawHost(registration);
    return { tcp: registration.tcpDevice!, udp: registration.udpDevice!, address, registration };
  };
  const a = make("a", 1);
  const b = make("b", 2);
  return {
    a,
    b,
    async remove() {
      for (const h of [a, b]) {
        unregisterProvider(h.tcp);
        unregisterProvider(h.udp);
        const { name, tcpDevice: _t, udpDevice: _u, ...description } = h.registration;
        await RawHost.shutdown(planHost(`host ${name}`, description).key);
      }
    },
  };
}

/** The user-space host serving `h` now (its stack, TCP engine and counters); throws if none is open. */
export function userHost(h: TestHost): UserHost {
  const { name, tcpDevice: _t, udpDevice: _u, ...description } = h.registration;
  const live = RawHost.find(planHost(`host ${name}`, description).key);
  if (live === undefined) throw new Error(`host ${name} is not open`);
  return live.host;
}

/** An endpoint of `device` bound to `address` (port 0: the stack chooses) with `qlen`. */
export async function bound(device: string, address: string, qlen = 0, nonblock = false): Promise<{ fd: number; addr: Uint8Array; port: number }> {
  const fd = open(device, nonblock);
  const ret = t_bind_of(64);
  await ok(t_bind(fd, { addr: netbuf(sockaddr_in(address, 0)), qlen }, ret), "t_bind");
  const addr = ret.addr.buf.slice(0, ret.addr.len);
  return { fd, addr, port: portOf(addr) };
}

/** A client on `device` connected to `addr` (t_bind with no address, then a blocking t_connect). */
export async function connectTo(device: string, addr: Uint8Array): Promise<number> {
  const fd = open(device);
  await ok(t_bind(fd, null, null), "t_bind");
  await ok(t_connect(fd, { ...t_call_of(), addr: netbuf(addr) }, null), "t_connect");
  return fd;
}

/** t_rcv pieces as "text" or "text!" (T_EXPEDITED) until the stream ends, then "ORDREL" or "DISCONNECT". */
export async function transcript(fd: number, size = 4096): Promise<string[]> {
  const out: string[] = [];
  const buf = new Uint8Array(size);
  const flags = { value: 0 };
  for (;;) {
    const n = await t_rcv(fd, buf, size, flags);
    if (n >= 0) {
      out.push(Buffer.from(buf.subarray(0, n)).toString() + ((flags.value & T_EXPEDITED) !== 0 ? "!" : ""));
      continue;
    }
    expect(t_errno, "t_rcv ends with TLOOK").to.equal(TLOOK);
    const event = t_look(fd);
    if (event === T_ORDREL) {
      await ok(t_rcvrel(fd), "t_rcvrel");
      out.push("ORDREL");
    } else {
      await ok(t_rcvdis(fd, null), "t_rcvdis");
      out.push("DISCONNECT");
    }
    return out;
  }
}

/** Wait (polling t_look, which consumes nothing but T_GO* events) until `fd` reports `event`. */
export async function lookFor(fd: number, event: number, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (t_look(fd) !== event) {
    if (Date.now() > deadline) throw new Error(`t_look never reported ${event} (last ${t_look(fd)})`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

export interface DuplexSummary {
  sent: number;
  sentSha256: string;
  received: number;
  receivedSha256: string;
  end: "ordrel" | "disconnect";
  reason?: number;
}

/**
 * Send `sendBytes` of the xti-nc pattern with t_snd and release (t_sndrel), while receiving with
 * t_rcv until the peer's release, hashing both directions.
 */
export async function duplex(fd: number, sendBytes: number, seed = 1): Promise<DuplexSummary> {
  const sentHash = createHash("sha256");
  let sent = 0;
  // A send fails (TLOOK) only when the connection breaks: the receiving side reports how.
  const sending = (async () => {
    const source = new PatternStream(sendBytes, seed);
    for (let chunk = source.next(); chunk !== null; chunk = source.next()) {
      if ((await t_snd(fd, chunk, chunk.length, 0)) < 0) return;
      sentHash.update(chunk);
      sent += chunk.length;
    }
    await t_sndrel(fd);
  })();
  const receivedHash = createHash("sha256");
  let received = 0;
  const buf = new Uint8Array(65536);
  const flags = { value: 0 };
  let end: Received;
  for (;;) {
    const n = await t_rcv(fd, buf, buf.length, flags);
    if (n >= 0) {
      receivedHash.update(buf.subarray(0, n));
      received += n;
      continue;
    }
    end = await receiveAll(fd); // takes the T_ORDREL or T_DISCONNECT
    break;
  }
  await sending;
  const summary: DuplexSummary = { sent, sentSha256: sentHash.digest("hex"), received, receivedSha256: receivedHash.digest("hex"), end: end.end };
  if (end.reason !== undefined) summary.reason = end.reason;
  return summary;
}
