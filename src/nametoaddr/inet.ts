/**
 * Name-to-address translation for the Internet transports (families "inet" and "inet6"): host
 * names through the system's resolver (/etc/hosts, DNS), service names through the services file
 * for the transport's protocol, numeric forms as they are. Addresses are sockaddr_in (inet) or
 * sockaddr_in6 (inet6, IPv4 hosts as v4-mapped addresses); universal addresses are
 * "h1.h2.h3.h4.p1.p2" and "x:...:x.p1.p2".
 *
 * The special hosts, as illumos resolves them: HOST_SELF is the wildcard address (0.0.0.0, ::),
 * HOST_SELF_CONNECT and "localhost" the loopback address (127.0.0.1, ::1), HOST_BROADCAST the
 * broadcast address of each IPv4 interface (none for inet6), and HOST_ANY no address at all (IP
 * cannot name a service without a host). The service "rpcbind" is port 111, a missing service
 * port 0.
 */
import * as control from "../core/control.js";
import { callerFailure } from "../core/failure.js";
import * as optmgmt from "../core/optmgmt.js";
import { T_INET_IP, T_IP_BROADCAST, T_NEGOTIATE, T_NOTSUPPORT, T_PARTSUCCESS, T_SUCCESS, T_UNBND, T_YES, TACCES, TADDRBUSY, TBADADDR, TBADOPT, TSYSERR } from "../constants.js";
import { type CoreEndpoint, endpointOf } from "../core/endpoint.js";
import { EACCES, EBADF, EISCONN } from "../errno.js";
import { tErrnoName } from "../messages.js";
import { formatIpv6, parseIpv4, parseIpv6, parseSockaddrIn, parseSockaddrIn6, sockaddr_in, sockaddr_in6, sockaddrToUaddr, uaddrToSockaddr } from "../inet.js";
import { encodeLegacyOptions } from "../options/legacy.js";
import { encodeOptions, scalarValue } from "../options/opthdr.js";
import { t_bind_of, t_optmgmt_of } from "../structs.js";
import {
  HOST_ANY,
  HOST_BROADCAST,
  HOST_SELF,
  HOST_SELF_CONNECT,
  ND_BADARG,
  ND_CHECK_RESERVEDPORT,
  ND_FAILCTRL,
  ND_MERGEADDR,
  ND_NO_DATA,
  ND_NO_RECOVERY,
  ND_NOCTRL,
  ND_NOHOST,
  ND_NOSERV,
  ND_SET_BROADCAST,
  ND_SET_RESERVEDPORT,
  ND_SYSTEM,
  ND_TRY_AGAIN,
  ndFail,
  type nd_mergearg,
  type Transport,
  type Translator,
} from "./constants.js";
import { isBytes } from "../show.js";
import { portOf, serviceAt } from "./services.js";
import { type LocalAddress, nameSystem } from "./system.js";

/** IPPORT_RESERVED: ports below it need privilege. */
const IPPORT_RESERVED = 1024;
/** The reserved ports ND_SET_RESERVEDPORT tries, from the top down (as bindresvport). */
const RESERVED_LOW = 512;

const v6 = (nc: Transport): boolean => nc.family === "inet6";

/** The socket address of `host` text and `port` for the transport's family. */
function sockaddr(nc: Transport, address: string, port: number): Uint8Array {
  return v6(nc) ? sockaddr_in6(address, port) : sockaddr_in(address, port);
}

/** The address and port of a socket address of the transport's family, or ND_BADARG. */
function parse(nc: Transport, bytes: Uint8Array): { address: string; port: number } {
  const a = v6(nc) ? parseSockaddrIn6(bytes) : parseSockaddrIn(bytes);
  if (a === null) ndFail(ND_BADARG, `not a ${v6(nc) ? "sockaddr_in6" : "sockaddr_in"}`);
  return a;
}

async function port(nc: Transport, serv: string | null): Promise<number> {
  if (serv === null) return 0;
  if (serv === "rpcbind") return 111;
  if (/^\d*$/.test(serv)) {
    const n = serv === "" ? 0 : Number(serv);
    if (n > 65535) ndFail(ND_NOSERV, `port ${serv} is out of range`);
    return n;
  }
  const p = await portOf(serv, nc.proto);
  if (p === null) ndFail(ND_NOSERV, `no service ${serv}/${nc.proto} in ${nameSystem.servicesFile}`);
  return p;
}

/** The broadcast address of each IPv4 interface that is up and not the loopback. */
function broadcastAddresses(): string[] {
  return nameSystem
    .interfaces()
    .filter((i) => i.family === 4 && !i.internal)
    .flatMap((i) => {
      const a = parseIpv4(i.address);
      const m = parseIpv4(i.netmask);
      return a === null || m === null ? [] : [a.map((b, k) => (b | (~(m[k] as number) & 0xff)) & 0xff).join(".")];
    });
}

/** The resolver's error as an _nderror. */
function resolverFailure(host: string, e: unknown): never {
  const code = (e as { code?: unknown } | null)?.code;
  switch (code) {
    case "ENOTFOUND":
      return ndFail(ND_NOHOST, `${host} is not known`);
    case "ENODATA":
      return ndFail(ND_NO_DATA, `${host} has no address of this family`);
    case "EAI_AGAIN":
    case "ETIMEOUT":
      return ndFail(ND_TRY_AGAIN, `no answer for ${host}`);
    default:
      ndFail(ND_NO_RECOVERY, `looking up ${host}: ${String(code ?? e)}`);
  }
}

async function hostAddresses(nc: Transport, host: string): Promise<string[]> {
  if (host === HOST_SELF) return [v6(nc) ? "::" : "0.0.0.0"];
  if (host === HOST_SELF_CONNECT || host === "localhost") return [v6(nc) ? "::1" : "127.0.0.1"];
  if (host === HOST_ANY) ndFail(ND_NOHOST, "IP cannot name a service without a host (HOST_ANY)");
  if (host === HOST_BROADCAST) {
    const list = v6(nc) ? [] : broadcastAddresses();
    if (list.length === 0) ndFail(ND_NOHOST, v6(nc) ? "IPv6 has no broadcast" : "no interface has a broadcast address");
    return list;
  }
  // An IPv4 literal on an inet6 transport is its v4-mapped address, as for an IPv4 host name (the
  // resolver would hand the literal back unchanged).
  if (parseIpv4(host) !== null) return [v6(nc) ? formatIpv6(parseIpv6(`::ffff:${host}`) as Uint8Array) : host];
  if (host.includes(":")) {
    const bytes = v6(nc) ? parseIpv6(host) : null;
    if (bytes === null) ndFail(ND_NOHOST, `${host} is not an address of this family`);
    return [formatIpv6(bytes)];
  }
  let found: string[];
  try {
    found = await nameSystem.addresses(host, v6(nc) ? 6 : 4);
  } catch (e) {
    resolverFailure(host, e);
  }
  if (found.length === 0) ndFail(ND_NO_DATA, `${host} has no address of this family`);
  return [...new Set(found)];
}

/** The bits two addresses share from the top, under a netmask (-1 when they differ inside it). */
function prefixMatch(a: number[] | Uint8Array, b: number[] | Uint8Array, mask: number[] | Uint8Array): number {
  let bits = 0;
  for (let i = 0; i < a.length; i++) {
    const m = (mask[i] ?? 0) & 0xff;
    if ((((a[i] ?? 0) ^ (b[i] ?? 0)) & m) !== 0) return -1;
    bits += m.toString(2).replace(/0/g, "").length;
  }
  return bits;
}

/** The local address a client at `client` would reach this host by (ND_MERGEADDR). */
function closestLocal(nc: Transport, client: string): string {
  const family = v6(nc) ? 6 : 4;
  const parseAddr = (s: string): number[] | Uint8Array | null => (family === 4 ? parseIpv4(s) : parseIpv6(s));
  const c = parseAddr(client);
  if (c === null) ndFail(ND_NOHOST, `${client} is not an address of this family`);
  const candidates = nameSystem.interfaces().filter((i: LocalAddress) => i.family === family);
  let best: { address: string; bits: number } | null = null;
  for (const i of candidates) {
    const a = parseAddr(i.address);
    const m = parseAddr(i.netmask);
    if (a === null || m === null) continue;
    const bits = prefixMatch(a, c, m);
    if (bits >= 0 && (best === null || bits > best.bits)) best = { address: i.address, bits };
  }
  const chosen = best?.address ?? candidates.find((i) => !i.internal)?.address;
  if (chosen === undefined) ndFail(ND_NOHOST, "no local interface to offer the client");
  return family === 6 ? formatIpv6(parseIpv6(chosen) as Uint8Array) : chosen;
}

/** The host part and the ".p1.p2" port part of a universal address. */
function splitUaddr(uaddr: unknown): { host: string; port: string } {
  if (typeof uaddr !== "string" || uaddrToSockaddr(uaddr) === null) ndFail(ND_BADARG, "not a universal address");
  const m = /^(.+)(\.\d{1,3}\.\d{1,3})$/.exec(uaddr) as RegExpExecArray;
  return { host: m[1] as string, port: m[2] as string };
}

function mergeAddresses(nc: Transport, par: unknown): number {
  const m = par as nd_mergearg;
  if (typeof par !== "object" || par === null) ndFail(ND_BADARG, "ND_MERGEADDR needs an nd_mergearg");
  const server = splitUaddr(m.s_uaddr);
  const client = splitUaddr(m.c_uaddr);
  const wildcard = v6(nc) ? client.host === "::" : client.host === "0.0.0.0";
  m.m_uaddr = wildcard ? m.s_uaddr : `${closestLocal(nc, client.host)}${server.port}`;
  return 0;
}

function checkReservedPort(par: unknown): number {
  if (par === null || par === undefined) ndFail(ND_FAILCTRL, "ND_CHECK_RESERVEDPORT needs the address");
  const nb = par as { buf?: unknown; len?: unknown };
  if (!isBytes(nb.buf) || typeof nb.len !== "number" || !Number.isInteger(nb.len) || nb.len < 0 || nb.len > nb.buf.length) ndFail(ND_BADARG, "not a netbuf");
  const bytes = nb.buf.subarray(0, nb.len);
  const a = parseSockaddrIn(bytes) ?? parseSockaddrIn6(bytes);
  if (a === null) ndFail(ND_BADARG, "the netbuf holds no Internet address");
  return a.port < IPPORT_RESERVED ? 0 : 1;
}

/** ND_SET_BROADCAST: negotiate T_IP_BROADCAST where the provider has it (IP allows broadcast without asking otherwise). */
async function setBroadcast(fd: number): Promise<number> {
  let ep: CoreEndpoint;
  try {
    ep = endpointOf(fd);
  } catch {
    ndFail(ND_FAILCTRL, `${String(fd)} is not an open transport endpoint`, EBADF);
  }
  const legacy = ep.profile.optmgmtFormat === "tli";
  const option = { level: T_INET_IP, name: T_IP_BROADCAST, value: scalarValue(T_YES) };
  const req = t_optmgmt_of(legacy ? encodeLegacyOptions([option]) : encodeOptions([option]), T_NEGOTIATE);
  const ret = t_optmgmt_of(256);
  try {
    optmgmt.t_optmgmt(ep, req, ret);
  } catch (e) {
    const code = callerFailure(e).t_errno;
    if (legacy && code === TBADOPT) return 0; // TLI's all-or-nothing negotiation: the provider has no such option
    ndFail(ND_FAILCTRL, `t_optmgmt failed with ${tErrnoName(code)}`);
  }
  if (ret.flags === T_SUCCESS || ret.flags === T_PARTSUCCESS || ret.flags === T_NOTSUPPORT || ret.flags === T_NEGOTIATE) return 0;
  ndFail(ND_FAILCTRL, "the provider refused T_IP_BROADCAST");
}

/** ND_SET_RESERVEDPORT: bind the unbound endpoint to the highest free port below 1024 (on `par`'s address, or the wildcard). */
async function bindReservedPort(nc: Transport, fd: number, par: unknown): Promise<number> {
  let ep: CoreEndpoint;
  let state: number;
  try {
    ep = endpointOf(fd);
    state = control.t_getstate(ep);
  } catch {
    ndFail(ND_SYSTEM, "the descriptor is not an open transport endpoint", EBADF);
  }
  if (state !== T_UNBND) ndFail(ND_SYSTEM, "the endpoint is already bound", EISCONN);
  let host = v6(nc) ? "::" : "0.0.0.0";
  if (par !== null && par !== undefined) {
    const nb = par as { buf?: unknown; len?: unknown };
    if (!isBytes(nb.buf) || typeof nb.len !== "number" || nb.len > nb.buf.length) ndFail(ND_BADARG, "not a netbuf");
    host = parse(nc, nb.buf.subarray(0, nb.len)).address;
  }
  for (let p = IPPORT_RESERVED - 1; p >= RESERVED_LOW; p--) {
    const ret = t_bind_of(64);
    try {
      await control.t_bind(ep, t_bind_of(sockaddr(nc, host, p)), ret);
    } catch (e) {
      const f = callerFailure(e);
      if (f.t_errno === TADDRBUSY || f.t_errno === TBADADDR) continue;
      if (f.t_errno === TACCES) ndFail(ND_SYSTEM, "binding a reserved port needs the privilege", EACCES);
      if (f.t_errno === TSYSERR) ndFail(ND_SYSTEM, "t_bind failed", f.errno);
      ndFail(ND_FAILCTRL, `t_bind failed with ${tErrnoName(f.t_errno)}`);
    }
    // TLI binds another free address when the one asked for is busy: only a reserved one will do.
    const got = v6(nc) ? parseSockaddrIn6(ret.addr.buf.subarray(0, ret.addr.len)) : parseSockaddrIn(ret.addr.buf.subarray(0, ret.addr.len));
    if (got === null || got.port === p) return 0;
    await control.t_unbind(ep).catch(() => 0);
  }
  ndFail(ND_FAILCTRL, "no reserved port is free");
}

export const inetTranslator: Translator = {
  async getbyname(nc, host, serv) {
    if (host === null) ndFail(ND_NOHOST, "no host name");
    const addresses = await hostAddresses(nc, host);
    const p = await port(nc, serv);
    return addresses.map((a) => sockaddr(nc, a, p));
  },

  async getbyaddr(nc, addr) {
    const a = parse(nc, addr);
    let host: string;
    try {
      host = await nameSystem.hostName(a.address);
    } catch (e) {
      resolverFailure(a.address, e);
    }
    return [{ h_host: host, h_serv: (await serviceAt(a.port, nc.proto)) ?? String(a.port) }];
  },

  taddr2uaddr(nc, addr) {
    parse(nc, addr);
    return sockaddrToUaddr(addr) as string;
  },

  uaddr2taddr(nc, uaddr) {
    const bytes = uaddrToSockaddr(uaddr);
    if (bytes === null) ndFail(ND_BADARG, `${uaddr} is not a universal address`);
    const isV6 = parseSockaddrIn6(bytes) !== null;
    if (isV6 === v6(nc)) return bytes;
    // An IPv4 universal address on an inet6 transport names its v4-mapped address.
    if (v6(nc)) return sockaddr_in6(`::ffff:${(parseSockaddrIn(bytes) as { address: string }).address}`, (parseSockaddrIn(bytes) as { port: number }).port);
    ndFail(ND_BADARG, `${uaddr} is not an IPv4 universal address`);
  },

  async options(nc, option, fd, par) {
    switch (option) {
      case ND_SET_BROADCAST:
        return setBroadcast(fd);
      case ND_SET_RESERVEDPORT:
        return bindReservedPort(nc, fd, par);
      case ND_CHECK_RESERVEDPORT:
        return checkReservedPort(par);
      case ND_MERGEADDR:
        return mergeAddresses(nc, par);
      default:
        ndFail(ND_NOCTRL, `option ${String(option)} is not one of ND_SET_BROADCAST, ND_SET_RESERVEDPORT, ND_CHECK_RESERVEDPORT, ND_MERGEADDR`);
    }
  },
};

