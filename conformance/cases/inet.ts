/**
 * What the TCP and UDP cases share: Internet addresses as XTI's Internet appendix carries them
 * (the bytes of a struct sockaddr_in, or of a sockaddr_in6 for IPv6), and single Internet options
 * negotiated and read back through t_optmgmt.
 */
import {
  IN6ADDR_ANY,
  INADDR_ANY,
  SOCKADDR_IN6_SIZE,
  SOCKADDR_IN_SIZE,
  T_CHECK,
  T_CURRENT,
  T_DEFAULT,
  T_FAILURE,
  T_NEGOTIATE,
  T_NOTSUPPORT,
  T_PARTSUCCESS,
  T_READONLY,
  T_SUCCESS,
  parseSockaddrIn,
  parseSockaddrIn6,
  sockaddr_in,
  sockaddr_in6,
} from "../../src/index.js";
import { hex } from "../context.js";
import type { CaseContext } from "../context.js";
import { manage } from "./options.js";

/** An Internet address read from a netbuf. */
export interface InetAddr {
  family: "inet" | "inet6";
  address: string;
  port: number;
}

/** The address `bytes` hold if they are exactly a sockaddr_in or a sockaddr_in6, else null. */
export function sockaddrOf(bytes: Uint8Array): InetAddr | null {
  if (bytes.length === SOCKADDR_IN_SIZE) {
    const a = parseSockaddrIn(bytes);
    return a === null ? null : { family: "inet", address: a.address, port: a.port };
  }
  if (bytes.length === SOCKADDR_IN6_SIZE) {
    const a = parseSockaddrIn6(bytes);
    return a === null ? null : { family: "inet6", address: a.address, port: a.port };
  }
  return null;
}

/** "127.0.0.1:5000", "[::1]:5000". */
export function showAddr(a: InetAddr): string {
  return a.family === "inet6" ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
}

/** INADDR_ANY or the IPv6 unspecified address: no interface chosen yet. */
export const isWildcard = (a: InetAddr): boolean => a.address === INADDR_ANY || a.address === IN6ADDR_ANY;

/** The sockaddr of `family` for `address` and `port`. */
export function sockaddrFor(family: InetAddr["family"], address: string, port: number): Uint8Array {
  return family === "inet" ? sockaddr_in(address, port) : sockaddr_in6(address, port);
}

/** The wildcard address of a family. */
export const wildcardOf = (family: InetAddr["family"]): string => (family === "inet" ? INADDR_ANY : IN6ADDR_ANY);

/**
 * The Internet address in `bytes`; fails the case unless they are a sockaddr_in or sockaddr_in6
 * of the size t_info.addr gives (16 or 28 bytes).
 */
export function inetAddress(ctx: CaseContext, bytes: Uint8Array, what: string): InetAddr {
  const a = sockaddrOf(bytes);
  const size = ctx.info.addr;
  const family = size === SOCKADDR_IN_SIZE ? "sockaddr_in" : size === SOCKADDR_IN6_SIZE ? "sockaddr_in6" : "sockaddr_in or sockaddr_in6";
  if (a === null || (size > 0 && bytes.length !== size)) ctx.fail(what, `a ${family} (${size} bytes, t_info.addr)`, `${bytes.length} bytes: ${hex(bytes)}`);
  return a;
}

/** Whether `a` and `b` are the same address family, address and port. */
export const sameEndpoint = (a: InetAddr, b: InetAddr): boolean => a.family === b.family && a.address === b.address && a.port === b.port;

const FLAG_NAMES: Record<number, string> = { [T_NEGOTIATE]: "T_NEGOTIATE", [T_CHECK]: "T_CHECK", [T_DEFAULT]: "T_DEFAULT", [T_CURRENT]: "T_CURRENT" };
const STATUS_NAMES: Record<number, string> = {
  [T_SUCCESS]: "T_SUCCESS",
  [T_PARTSUCCESS]: "T_PARTSUCCESS",
  [T_FAILURE]: "T_FAILURE",
  [T_READONLY]: "T_READONLY",
  [T_NOTSUPPORT]: "T_NOTSUPPORT",
};

/** An option status as XTI names it. */
export const statusName = (s: number): string => STATUS_NAMES[s] ?? `0x${s.toString(16)}`;

/** An Internet option the cases negotiate, with the name a report shows. */
export interface InetOption {
  label: string;
  level: number;
  name: number;
}

/** One option alone in a t_optmgmt request (`value` with T_NEGOTIATE and T_CHECK): its status and value. */
export async function optionAlone(ctx: CaseContext, fd: number, flags: number, o: InetOption, value?: Uint8Array): Promise<{ status: number; value: Uint8Array; flags: number }> {
  const r = await manage(ctx, fd, flags, [{ level: o.level, name: o.name, ...(value !== undefined ? { value } : {}) }]);
  const got = r.options.find((x) => x.level === o.level && x.name === o.name);
  if (got === undefined) return ctx.fail(`t_optmgmt ${FLAG_NAMES[flags] ?? flags} of ${o.label}`, `${o.label} in ret.opt`, r.options.length === 0 ? "no option" : `options ${r.options.map((x) => `${x.level}/${x.name}`).join(", ")}`);
  return { status: got.status, value: got.value, flags: r.flags };
}

/** The option's current value, which must be readable (T_SUCCESS, or T_READONLY for a read-only one). */
export async function currentValue(ctx: CaseContext, fd: number, o: InetOption): Promise<Uint8Array> {
  const r = await optionAlone(ctx, fd, T_CURRENT, o);
  ctx.truthy(r.status === T_SUCCESS || r.status === T_READONLY, `T_CURRENT of ${o.label}`, "T_SUCCESS or T_READONLY (the option is supported)", statusName(r.status));
  return r.value;
}
