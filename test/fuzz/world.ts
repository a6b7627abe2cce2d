/**
 * The endpoints a fuzz round calls into: one in every state of every dialect, blocking and not,
 * with data, expedited data, releases and disconnects queued, flow controlled, after a fatal
 * provider error, on connectionless providers, and on a chaotic provider whose methods throw
 * or misbehave at random.
 */
import { expect } from "chai";
import {
  Endpoint,
  F_SETFL,
  O_NONBLOCK,
  O_RDWR,
  T_COTS_ORD,
  T_EXPEDITED,
  T_INFINITE,
  createLoopbackProvider,
  fcntl,
  getnetconfigent,
  registerProvider,
  setnetconfig,
  setnetpath,
  t_accept,
  t_bind,
  t_bind_of,
  t_call_of,
  t_connect,
  t_listen,
  t_open,
  t_snd,
  t_snddis,
  t_sndrel,
  t_rcvrel,
  t_sndudata,
  t_unitdata_of,
  ProviderError,
  type ProviderEndpoint,
  type ProviderUser,
  type TransportProvider,
} from "../../src/index.js";
import { openDescriptors } from "../../src/core/endpoint.js";
import type { Values } from "./values.js";

type Dialect = "XNS5" | "XNS4" | "TLI";
const DIALECTS: Dialect[] = ["XNS5", "XNS4", "TLI"];

export const CHAOS_DEVICE = "/dev/fuzz-chaos";
export const SMALL_DEVICE = "/dev/fuzz-small";

/** A provider whose endpoints throw, reject or answer oddly at random (the guard must contain them). */
export function chaosProvider(values: Values): TransportProvider {
  const maybe = <T>(ok: () => T): T => {
    const r = values.int(10);
    if (r === 0) throw new TypeError("chaos: a provider bug");
    if (r === 1) throw new ProviderError("TOUTSTATE");
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- a broken provider throwing a non-Error is what this tests
    if (r === 2) throw Object.assign(Object.create(null) as object, { code: "TBADADDR" });
    return ok();
  };
  return {
    name: CHAOS_DEVICE,
    open(user: ProviderUser): ProviderEndpoint {
      const ep: ProviderEndpoint = {
        info: () => ({ addr: 16, options: T_INFINITE, tsdu: T_INFINITE, etsdu: T_INFINITE, connect: T_INFINITE, discon: T_INFINITE, servtype: T_COTS_ORD, tidu: 8, sendZero: true, ordrelData: values.chance(0.5), expInline: false }),
        bind: async (req) => maybe(() => ({ addr: req.addr ?? new Uint8Array([1]), qlen: req.qlen })),
        unbind: async () => maybe(() => undefined),
        addresses: () => maybe(() => ({ local: null, remote: values.chance(0.5) ? new Uint8Array(3) : null })),
        connect: async () =>
          maybe(() => {
            if (values.chance(0.5)) queueMicrotask(() => user.connCon({ addr: new Uint8Array(2), opt: new Uint8Array(0), udata: new Uint8Array(0) }));
          }),
        accept: async () => maybe(() => undefined),
        disconnect: async () => maybe(() => undefined),
        data: () => maybe(() => values.chance(0.8)),
        exdata: () => maybe(() => values.chance(0.8)),
        ordrel: () => maybe(() => true),
        unitdata: () => maybe(() => true),
        consumed: () => maybe(() => undefined),
        options: () => maybe(() => []),
        close: async () => maybe(() => undefined),
        userBlocked: () => maybe(() => undefined),
      };
      // Indications at random moments, some in states where they make no sense.
      queueMicrotask(() => {
        if (values.chance(0.3)) user.dataInd(new Uint8Array(3), values.chance(0.5));
        if (values.chance(0.1)) user.error(71);
        if (values.chance(0.1)) user.disconInd({ reason: 104, sequence: -1, udata: new Uint8Array(0) });
        if (values.chance(0.1)) user.connInd({ sequence: values.int(3), addr: new Uint8Array(1), opt: new Uint8Array(0), udata: new Uint8Array(0) });
      });
      return ep;
    },
  };
}

/** Register the fuzz providers (a small-buffer loopback for flow control, and the chaotic one). */
export function registerFuzzProviders(values: Values): void {
  registerProvider(createLoopbackProvider({ name: SMALL_DEVICE, servtype: T_COTS_ORD, rcvbuf: 16, tidu: 8, tsdu: 64 }));
  registerProvider(chaosProvider(values));
}

async function must(r: Promise<number> | number, what: string): Promise<void> {
  expect(await r, `world setup: ${what}`).to.be.at.least(0);
}

function openIn(device: string, d: Dialect, nonblock: boolean): number {
  const fd = t_open(device, O_RDWR | (nonblock ? O_NONBLOCK : 0), null, { semantics: d });
  expect(fd, `world setup: t_open ${device}`).to.be.at.least(0);
  return fd;
}

async function connected(device: string, d: Dialect, nonblock: boolean): Promise<{ client: number; server: number; listener: number }> {
  const listener = openIn(device, d, false);
  const ret = t_bind_of(64);
  await must(t_bind(listener, t_bind_of(0, 2), ret), "bind listener");
  const client = openIn(device, d, false);
  await must(t_bind(client, null, null), "bind client");
  const server = openIn(device, d, false);
  const call = t_call_of({ addr: 64 });
  const accepted = (async () => {
    await must(t_listen(listener, call), "listen");
    await must(t_accept(listener, server, call), "accept");
  })();
  const snd = t_call_of();
  snd.addr = { maxlen: ret.addr.len, len: ret.addr.len, buf: ret.addr.buf.slice(0, ret.addr.len) };
  await must(t_connect(client, snd, null), "connect");
  await accepted;
  if (nonblock) {
    fcntl(client, F_SETFL, O_NONBLOCK);
    fcntl(server, F_SETFL, O_NONBLOCK);
  }
  return { client, server, listener };
}

/**
 * Build this round's endpoints (a random subset of the states, each in a random dialect and
 * mode) and tell `values` about them.
 */
export async function buildWorld(values: Values): Promise<void> {
  const d = (): Dialect => values.pick(DIALECTS);
  const nb = (): boolean => values.chance(0.5);
  for (let i = 0; i < 4; i++) openIn(values.pick(["/dev/ticots", "/dev/ticotsord", "/dev/ticlts", SMALL_DEVICE]), d(), nb()); // T_UNBND
  const idle = openIn("/dev/ticotsord", d(), nb());
  await must(t_bind(idle, null, null), "bind idle");
  const clts = openIn("/dev/ticlts", d(), nb());
  const ret = t_bind_of(64);
  await must(t_bind(clts, null, ret), "bind clts");
  const addresses = [ret.addr.buf.slice(0, ret.addr.len)];
  if (values.chance(0.5)) await t_sndudata(clts, t_unitdata_of({ addr: ret.addr.buf.slice(0, ret.addr.len), udata: new Uint8Array(5) }));
  const pair = await connected(values.pick(["/dev/ticotsord", "/dev/ticots", SMALL_DEVICE]), d(), nb());
  if (values.chance(0.5)) await t_snd(pair.server, new Uint8Array(9), 9, values.chance(0.5) ? T_EXPEDITED : 0);
  if (values.chance(0.3)) await t_sndrel(pair.server).then((r) => (r === 0 && values.chance(0.5) ? t_rcvrel(pair.client) : r));
  if (values.chance(0.2)) await t_snddis(pair.server, null);
  // A listener with a pending or listened-to indication (T_INCON), and an outgoing connect (T_OUTCON).
  const l = openIn("/dev/ticotsord", d(), false);
  const lret = t_bind_of(64);
  await must(t_bind(l, t_bind_of(0, 2), lret), "bind listener");
  const caller = openIn("/dev/ticotsord", d(), true);
  await must(t_bind(caller, null, null), "bind caller");
  const snd = t_call_of();
  snd.addr = { maxlen: lret.addr.len, len: lret.addr.len, buf: lret.addr.buf.slice(0, lret.addr.len) };
  await t_connect(caller, snd, null);
  if (values.chance(0.5)) await t_listen(l, t_call_of({ addr: 64 }));
  addresses.push(lret.addr.buf.slice(0, lret.addr.len));
  // Flow control: fill a small-buffer connection.
  if (values.chance(0.5)) {
    const small = await connected(SMALL_DEVICE, d(), true);
    for (let i = 0; i < 4; i++) await t_snd(small.client, new Uint8Array(8), 8, 0);
  }
  // A fatal provider error (TLI t_snd in T_UNBND) and the chaotic provider.
  const fatal = openIn("/dev/ticotsord", "TLI", false);
  await t_snd(fatal, new Uint8Array(1), 1, 0);
  for (let i = 0; i < 2; i++) {
    const fd = t_open(CHAOS_DEVICE, O_RDWR | (nb() ? O_NONBLOCK : 0), null, { semantics: d() });
    if (fd >= 0 && values.chance(0.5)) await t_bind(fd, null, null);
  }
  values.fds = openDescriptors();
  values.addresses = addresses;
  values.endpoints = values.fds.slice(0, 6).map((fd) => Endpoint.fromFd(fd));
  values.netconfigs = ["tcp", "udp6", "ticotsord", "ticlts", "rawtcp"].map((id) => getnetconfigent(id)).filter((nc) => nc !== null);
  values.handles = [setnetconfig(), setnetpath()];
}

