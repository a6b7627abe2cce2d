/**
 * SYN cookies (RFC 4987 §3.6): when a listener's queue of half-open connections is full, the
 * SYN-ACK's sequence number carries what the connection needs, and no state is kept; the
 * client's ACK brings it back (ACK - 1), and a valid cookie rebuilds the connection.
 *
 * The 32-bit cookie: the top 5 bits are a counter of 64-second periods, the next 3 the index of
 * the client's MSS in a table (the largest entry not above it), and the low 24 bits a MAC: the
 * first bytes of HMAC-SHA-256, keyed with a secret drawn from the injected Random, over the
 * 4-tuple, the client's ISN, the period counter and the MSS index. The ACK is accepted when the
 * MAC matches (so its SEQ must be the client's ISN + 1, and the MSS index cannot be forged) and
 * the period is the current one or one of the two before (a cookie lives 128 to 192 s).
 *
 * Window scale and SACK-permitted do not fit in the sequence number. When the client's SYN had
 * timestamps they ride in the low 6 bits of our SYN-ACK's TSval, which the client echoes in every
 * segment: bits 0-3 the window shift (15: none), bit 4 SACK-permitted. The TSval is rounded down
 * so that the connection's later timestamps never go backwards. Without timestamps, a cookie
 * connection has neither option (as on Linux).
 */
import { createHmac } from "node:crypto";
import type { Clock } from "../../clock.js";
import type { Random } from "../../random.js";
import type { TcpOptions, TcpSegment } from "../../wire/tcp-segment.js";
import type { Ipv4Address } from "../transport-host.js";
import { MAX_WINDOW_SHIFT } from "./options.js";

/** MSS values a cookie can carry (3 bits): the client's MSS is rounded down to one of them. */
export const COOKIE_MSS_TABLE: readonly number[] = Object.freeze([216, 536, 1024, 1220, 1360, 1400, 1440, 1460]);
/** Length of one period of the cookie's time counter. */
export const COOKIE_PERIOD_MS = 64_000;
/** How many periods back a cookie is still accepted. */
const MAX_AGE_PERIODS = 2;
const TS_OPTION_BITS = 6;
const TS_OPTION_MASK = (1 << TS_OPTION_BITS) - 1;
const NO_WINDOW_SCALE = 0xf;
const SACK_BIT = 0x10;

export interface CookieTuple {
  localAddress: Ipv4Address;
  localPort: number;
  remoteAddress: Ipv4Address;
  remotePort: number;
}

/** What the options a cookie carries in the timestamp say. */
export interface CookieOptions {
  /** The client's window shift, or null if it did not offer window scaling. */
  windowScale: number | null;
  sackPermitted: boolean;
}

export class SynCookies {
  private readonly secret: Buffer;
  private readonly message = Buffer.alloc(20);

  constructor(
    private readonly clock: Clock,
    random: Random,
  ) {
    const key = new Uint8Array(32);
    random.fill(key);
    this.secret = Buffer.from(key);
  }

  /** The cookie (our ISS) for a SYN with sequence number `clientIsn` and MSS `peerMss`. */
  make(tuple: CookieTuple, clientIsn: number, peerMss: number): number {
    const period = this.period();
    const mssIndex = mssIndexFor(peerMss);
    return ((period << 27) | (mssIndex << 24) | this.mac(tuple, clientIsn, period, mssIndex)) >>> 0;
  }

  /**
   * Check a cookie returned as `ack - 1` in an ACK whose sequence number is `clientIsn + 1`. Returns
   * the MSS it carries, or null when it was not made here, for this connection, recently enough.
   */
  check(tuple: CookieTuple, clientIsn: number, cookie: number): number | null {
    const period = cookie >>> 27;
    const mssIndex = (cookie >>> 24) & 0x7;
    const age = (this.period() - period) & 0x1f;
    if (age > MAX_AGE_PERIODS) return null;
    if ((cookie & 0xffffff) !== this.mac(tuple, clientIsn, period, mssIndex)) return null;
    return COOKIE_MSS_TABLE[mssIndex] as number;
  }

  private period(): number {
    return Math.floor(this.clock.now() / COOKIE_PERIOD_MS) & 0x1f;
  }

  private mac(tuple: CookieTuple, clientIsn: number, period: number, mssIndex: number): number {
    const m = this.message;
    m.writeUInt32BE(tuple.localAddress >>> 0, 0);
    m.writeUInt16BE(tuple.localPort, 4);
    m.writeUInt32BE(tuple.remoteAddress >>> 0, 6);
    m.writeUInt16BE(tuple.remotePort, 10);
    m.writeUInt32BE(clientIsn >>> 0, 12);
    m.writeUInt16BE(period, 16);
    m.writeUInt16BE(mssIndex, 18);
    return createHmac("sha256", this.secret).update(m).digest().readUIntBE(0, 3);
  }
}

/** Index of the largest table MSS not above `mss` (the smallest entry if all are). */
export function mssIndexFor(mss: number): number {
  let index = 0;
  for (let i = 0; i < COOKIE_MSS_TABLE.length; i++) if ((COOKIE_MSS_TABLE[i] as number) <= mss) index = i;
  return index;
}

/**
 * Our SYN-ACK's TSval carrying `options`: the timestamp clock `now` with its low bits replaced,
 * rounded down a period if that would put it ahead of `now` (timestamps must not go backwards).
 */
export function cookieTimestamp(now: number, options: CookieOptions): number {
  const bits = (options.windowScale === null ? NO_WINDOW_SCALE : Math.min(options.windowScale, MAX_WINDOW_SHIFT)) | (options.sackPermitted ? SACK_BIT : 0);
  let value = ((now & ~TS_OPTION_MASK) | bits) >>> 0;
  if (((value - now) | 0) > 0) value = (value - (TS_OPTION_MASK + 1)) >>> 0;
  return value;
}

/** The options a cookie's timestamp carries, read back from the client's echo of it. */
export function cookieOptions(echo: number): CookieOptions {
  const shift = echo & 0xf;
  return { windowScale: shift === NO_WINDOW_SCALE ? null : Math.min(shift, MAX_WINDOW_SHIFT), sackPermitted: (echo & SACK_BIT) !== 0 };
}

/** What we offer in a SYN-ACK (the listener's settings). */
export interface CookieOffer {
  windowScaling: boolean;
  sack: boolean;
  timestamps: boolean;
  /** Our window shift, offered with window scaling. */
  windowShift: number;
  /** The MSS we advertise. */
  mss: number;
}

/**
 * The options of a cookie SYN-ACK answering a SYN with `peer`'s options, `tsNow` being our
 * timestamp clock. Window scale and SACK are offered only when timestamps can carry them back.
 */
export function cookieSynAckOptions(offer: CookieOffer, peer: TcpOptions, tsNow: number): TcpOptions {
  const options: TcpOptions = { mss: offer.mss };
  if (!offer.timestamps || peer.timestamp === undefined) return options;
  const windowScale = offer.windowScaling && peer.windowScale !== undefined ? peer.windowScale : null;
  const sackPermitted = offer.sack && peer.sackPermitted === true;
  if (windowScale !== null) options.windowScale = offer.windowShift;
  if (sackPermitted) options.sackPermitted = true;
  options.timestamp = { value: cookieTimestamp(tsNow, { windowScale, sackPermitted }), echo: peer.timestamp.value };
  return options;
}

/** The SYN's options as the cookie preserved them, rebuilt from the ACK that returned it. */
export function cookiePeerOptions(ack: TcpSegment, mss: number): TcpOptions {
  const ts = ack.options.timestamp;
  const options: TcpOptions = { mss };
  if (ts === undefined) return options;
  const carried = cookieOptions(ts.echo);
  if (carried.windowScale !== null) options.windowScale = carried.windowScale;
  if (carried.sackPermitted) options.sackPermitted = true;
  options.timestamp = ts;
  return options;
}
