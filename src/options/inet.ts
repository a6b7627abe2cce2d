/**
 * What the XTI Internet appendix (XNS5, "Internet Protocol-specific Information") fixes for every
 * TCP and UDP provider, whatever moves the bytes: the t_info of a TCP and of a UDP endpoint, and the
 * rules an option value must follow (T_YES/T_NO flags, unsigned-char IP fields, t_kpalive). A
 * provider judges a value with these and then says what its own protocol machine can honour.
 */
import { T_CLTS, T_COTS_ORD, T_FAILURE, T_GARBAGE, T_INVALID, T_NO, T_PARTSUCCESS, T_SUCCESS, T_UNSPEC, T_YES } from "../constants.js";
import type { ProviderInfo } from "../spi/contract.js";
import { readScalar, readUscalar, scalarValue, scalarsValue } from "./opthdr.js";

/** A judged option value, as ProviderOption.check returns it. */
export interface JudgedValue {
  status: number;
  value: Uint8Array;
}

/** The largest UDP payload over IPv4 (65535 - 20 - 8) and over IPv6 (65535 - 8: the IPv6 payload length excludes its header). */
export const UDP_MAX_DATAGRAM = { inet: 65507, inet6: 65527 } as const;

/**
 * The t_info of an Internet transport endpoint (xti-spec §7.1). TCP: a byte stream (tsdu 0) with
 * orderly release and one byte of urgent data as expedited data (TCP marks only the last byte of
 * an urgent send), kept in line with the stream; no connect or disconnect data. UDP: datagrams up
 * to what IP carries, zero-length ones included, nothing else.
 */
export function internetInfo(spec: {
  transport: "tcp" | "udp";
  /** The size of a sockaddr_in (16) or sockaddr_in6 (28). */
  addr: number;
  family: "inet" | "inet6";
  /** The size of the provider's largest option buffer. */
  options: number;
  /** TCP's TIDU (the largest piece per data request); a UDP TIDU is the datagram size. */
  tcpTidu: number;
}): ProviderInfo {
  const tcp = spec.transport === "tcp";
  const datagram = UDP_MAX_DATAGRAM[spec.family];
  return {
    addr: spec.addr,
    options: spec.options,
    tsdu: tcp ? 0 : datagram,
    etsdu: tcp ? 1 : T_INVALID,
    connect: T_INVALID,
    discon: T_INVALID,
    servtype: tcp ? T_COTS_ORD : T_CLTS,
    tidu: tcp ? spec.tcpTidu : datagram,
    sendZero: !tcp,
    ordrelData: false,
    expInline: tcp,
  };
}

/** A t_uscalar_t T_YES or T_NO (T_TCP_NODELAY, T_IP_REUSEADDR, T_IP_BROADCAST, T_UDP_CHECKSUM...). */
export function yesNoRule(value: Uint8Array): JudgedValue {
  const v = readUscalar(value);
  return { status: v === T_YES || v === T_NO ? T_SUCCESS : T_FAILURE, value };
}

/** The value of a T_YES/T_NO option. */
export function yesNoValue(on: boolean): Uint8Array {
  return scalarValue(on ? T_YES : T_NO);
}

/** An unsigned char of at least `low` (T_IP_TTL from 1, T_IP_TOS from 0). */
export function byteAtLeastRule(low: number): (value: Uint8Array) => JudgedValue {
  return (value) => ({ status: (value[0] ?? 0) >= low ? T_SUCCESS : T_FAILURE, value });
}

/**
 * T_TCP_KEEPALIVE's struct t_kpalive {kp_onoff, kp_timeout minutes}: kp_onoff T_YES, T_NO or
 * T_YES|T_GARBAGE, kp_timeout T_UNSPEC or positive. A provider that sends no garbage octet, or
 * cannot wait longer than `maxMinutes`, answers T_PARTSUCCESS with what it will do; with
 * `unspecMinutes`, T_UNSPEC is answered as the interval it stands for.
 */
export function keepaliveRule(maxMinutes: number, unspecMinutes?: number): (value: Uint8Array) => JudgedValue {
  return (value) => {
    const onoff = readScalar(value, 0);
    const minutes = readScalar(value, 1);
    if (onoff !== T_YES && onoff !== T_NO && onoff !== (T_YES | T_GARBAGE)) return { status: T_FAILURE, value };
    if (minutes !== T_UNSPEC && minutes <= 0) return { status: T_FAILURE, value };
    const asked = minutes === T_UNSPEC ? (unspecMinutes ?? T_UNSPEC) : minutes;
    const used = asked === T_UNSPEC ? T_UNSPEC : Math.min(asked, maxMinutes);
    if (onoff === (T_YES | T_GARBAGE) || (minutes !== T_UNSPEC && minutes > maxMinutes)) return { status: T_PARTSUCCESS, value: scalarsValue(onoff & T_YES, used) };
    return { status: T_SUCCESS, value: used === minutes ? value : scalarsValue(onoff, used) };
  };
}
