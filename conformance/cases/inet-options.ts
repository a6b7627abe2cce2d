/**
 * The checks of XTI's Internet options that TCP and UDP share: each option negotiated alone, read
 * back with T_CURRENT, its default unchanged by the negotiation; and T_IP_REUSEADDR in effect on
 * a bind.
 */
import {
  T_CURRENT,
  T_DEFAULT,
  T_INET_IP,
  T_INFINITE,
  T_IP_REUSEADDR,
  T_IP_TOS,
  T_IP_TTL,
  T_LDELAY,
  T_NEGOTIATE,
  T_NO,
  T_ROUTINE,
  T_SUCCESS,
  T_UNSPEC,
  T_YES,
  SET_TOS,
  readScalar,
  scalarValue,
} from "../../src/index.js";
import { describeResult, hex, sameBytes } from "../context.js";
import type { CaseContext } from "../context.js";
import { type InetAddr, type InetOption, inetAddress, optionAlone, sameEndpoint, showAddr, sockaddrFor, statusName, wildcardOf } from "./inet.js";

/** The t_scalar_t at `index` of an option value, or null when the value is too short to hold it. */
export function scalarAt(v: Uint8Array, index: number): number | null {
  return v.length >= (index + 1) * 4 ? readScalar(v, index) : null;
}

const SPECIAL: Record<number, string> = { [T_UNSPEC]: "T_UNSPEC", [T_INFINITE]: "T_INFINITE" };
const yesNo = (n: number | null): string => (n === T_YES ? "T_YES" : n === T_NO ? "T_NO" : n === null ? "(missing)" : String(n));

/** How a report shows an option value: T_YES/T_NO, {onoff, time} (t_kpalive, t_linger), or an unsigned char. */
export const showValue = {
  flag: (v: Uint8Array): string => (v.length === 4 ? yesNo(scalarAt(v, 0)) : hex(v)),
  pair: (v: Uint8Array): string => {
    if (v.length !== 8) return hex(v);
    const time = scalarAt(v, 1) as number;
    return `{${yesNo(scalarAt(v, 0))}, ${SPECIAL[time] ?? String(time)}}`;
  },
  byte: (v: Uint8Array): string => (v.length === 1 ? String(v[0]) : hex(v)),
};

/** An option to negotiate, the value to ask for, and how to show its values. */
export interface Negotiation extends InetOption {
  value: Uint8Array;
  show(v: Uint8Array): string;
}

/** The IP-level options of TCP and UDP, with values other than any system's default. */
export const IP_OPTIONS: readonly Negotiation[] = [
  { label: "T_IP_REUSEADDR", level: T_INET_IP, name: T_IP_REUSEADDR, value: scalarValue(T_YES), show: showValue.flag },
  { label: "T_IP_TTL", level: T_INET_IP, name: T_IP_TTL, value: Uint8Array.of(17), show: showValue.byte },
  { label: "T_IP_TOS", level: T_INET_IP, name: T_IP_TOS, value: Uint8Array.of(SET_TOS(T_ROUTINE, T_LDELAY)), show: showValue.byte },
];

/**
 * Negotiate each option alone on `fd` (T_SUCCESS with the value asked for), then read every one
 * back with T_CURRENT (the negotiated value: negotiating one did not undo another), and check
 * that T_DEFAULT still returns what it returned before (a default is not the current value).
 * Returns the defaults read first.
 */
export async function negotiateEach(ctx: CaseContext, fd: number, list: readonly Negotiation[]): Promise<Map<Negotiation, Uint8Array>> {
  const defaults = new Map<Negotiation, Uint8Array>();
  for (const o of list) {
    const d = await optionAlone(ctx, fd, T_DEFAULT, o);
    ctx.truthy(d.status === T_SUCCESS, `T_DEFAULT of ${o.label}`, "T_SUCCESS (the option is supported and negotiable)", statusName(d.status));
    defaults.set(o, d.value);
  }
  for (const o of list) {
    const n = await optionAlone(ctx, fd, T_NEGOTIATE, o, o.value);
    ctx.truthy(n.status === T_SUCCESS && sameBytes(n.value, o.value), `T_NEGOTIATE of ${o.label} ${o.show(o.value)}`, `T_SUCCESS with ${o.show(o.value)}`, `${statusName(n.status)} with ${o.show(n.value)}`);
  }
  for (const o of list) {
    const c = await optionAlone(ctx, fd, T_CURRENT, o);
    ctx.truthy(c.status === T_SUCCESS && sameBytes(c.value, o.value), `T_CURRENT of ${o.label} once every option was negotiated`, `T_SUCCESS with ${o.show(o.value)}, the value negotiated`, `${statusName(c.status)} with ${o.show(c.value)}`);
  }
  for (const o of list) {
    const before = defaults.get(o) as Uint8Array;
    const d = await optionAlone(ctx, fd, T_DEFAULT, o);
    ctx.truthy(sameBytes(d.value, before), `T_DEFAULT of ${o.label} after it was negotiated`, `${o.show(before)}, the default returned before`, o.show(d.value));
  }
  return defaults;
}

const REUSEADDR = IP_OPTIONS[0] as Negotiation;

/** A fresh endpoint with T_IP_REUSEADDR negotiated to T_YES, bound to exactly `addr` with qlen 0. */
async function reusingEndpoint(ctx: CaseContext, addr: Uint8Array, what: string): Promise<{ r: number; bound: Uint8Array }> {
  const fd = ctx.open();
  const n = await optionAlone(ctx, fd, T_NEGOTIATE, REUSEADDR, REUSEADDR.value);
  ctx.truthy(n.status === T_SUCCESS, `T_NEGOTIATE of T_IP_REUSEADDR T_YES before binding ${what}`, "T_SUCCESS", statusName(n.status));
  return ctx.bindAt(fd, addr, 0);
}

/**
 * T_IP_REUSEADDR in effect: with it set, one endpoint is bound to the wildcard address with a
 * port and another to a specific local address (`local`, an address of this host) with the same
 * port, neither listening, as the Internet appendix defines the option.
 */
export async function reuseAddressInEffect(ctx: CaseContext, local: InetAddr): Promise<void> {
  const any = wildcardOf(local.family);
  const wild = await reusingEndpoint(ctx, sockaddrFor(local.family, any, 0), "the wildcard address");
  ctx.ok(wild.r, `t_bind to the wildcard address ${any} with T_IP_REUSEADDR`);
  const port = inetAddress(ctx, wild.bound, "the address t_bind returned").port;
  const want: InetAddr = { ...local, port };
  const specific = await reusingEndpoint(ctx, sockaddrFor(local.family, local.address, port), showAddr(want));
  ctx.truthy(specific.r === 0, `t_bind of ${showAddr(want)} with T_IP_REUSEADDR while ${showAddr({ ...local, address: any, port })} is bound with it too`, "success", describeResult(specific.r));
  const got = inetAddress(ctx, specific.bound, "the address t_bind returned");
  ctx.truthy(sameEndpoint(got, want), "the address bound", showAddr(want), showAddr(got));
}
