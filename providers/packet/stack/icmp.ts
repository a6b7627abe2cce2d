/**
 * ICMP for the host (RFC 792, RFC 1122 §3.2.2): answers echo requests, sends echo requests for
 * ping, generates destination-unreachable and time-exceeded errors under the RFC 1122 rules and a
 * rate limit, and passes received errors to the transport that sent the quoted packet.
 */
import type { Clock } from "../clock.js";
import type { WireCounters } from "../wire/counters.js";
import {
  ICMP_DEST_UNREACHABLE,
  ICMP_ECHO_REPLY,
  ICMP_ECHO_REQUEST,
  ICMP_HEADER_LEN,
  ICMP_TIME_EXCEEDED,
  ICMP_UNREACH_FRAG_NEEDED,
  ICMP_UNREACH_HOST,
  ICMP_UNREACH_NET,
  ICMP_UNREACH_PORT,
  ICMP_UNREACH_PROTOCOL,
  IcmpHeader,
  echoRestOfHeader,
  parseIcmp,
  writeIcmp,
} from "../wire/icmp.js";
import { Ipv4Header, parseQuotedIpv4 } from "../wire/ipv4.js";
import type { IcmpCounters } from "./counters.js";
import { isMulticastOrReserved, type Ipv4Routes } from "./route.js";
import { IPPROTO_ICMP, type IcmpErrorKind, type Ipv4Address, type PacketWriter, type TransportProtocol } from "./transport-host.js";

/** RFC 1812 §4.3.2.3: an error message should not exceed 576 bytes, IP header included. */
const MAX_ERROR_QUOTE = 576 - 20 - ICMP_HEADER_LEN;
/** A transport header quote shorter than this tells the transport nothing (ports, sequence). */
const MIN_TRANSPORT_QUOTE = 8;
/** Types that are queries, not errors: an error about one of these is allowed. */
const QUERY_TYPES = new Set([ICMP_ECHO_REPLY, ICMP_ECHO_REQUEST, 13, 14, 15, 16, 17, 18]);

/** An echo reply arrived; `data` (the echoed bytes) is the handler's to keep. */
export type EchoReplyHandler = (src: Ipv4Address, identifier: number, sequence: number, data: Uint8Array) => void;

/** What ICMP needs from the IP layer below it. */
export interface IcmpNetwork {
  readonly address: Ipv4Address;
  readonly routes: Ipv4Routes;
  /** Send an ICMP message of `length` bytes, which `write` builds, from our address. */
  sendIcmp(dst: Ipv4Address, length: number, write: PacketWriter): boolean;
  /** The transport registered for a protocol number. */
  transport(protocol: number): TransportProtocol | undefined;
}

export interface IcmpConfig {
  /** Errors sent per second on average (token bucket refill, default 1000, as Linux). */
  errorsPerSecond: number;
  /** Errors that may be sent back to back (bucket size, default 50). */
  errorBurst: number;
}

export const DEFAULT_ICMP_CONFIG: IcmpConfig = { errorsPerSecond: 1000, errorBurst: 50 };

export class IcmpProtocol implements TransportProtocol {
  private readonly header = new IcmpHeader();
  private readonly quoted = new Ipv4Header();
  private echoReplyHandler: EchoReplyHandler | null = null;
  private tokens: number;
  private tokensAt: number;

  constructor(
    private readonly network: IcmpNetwork,
    private readonly clock: Clock,
    private readonly counters: IcmpCounters,
    private readonly wire: WireCounters,
    private readonly config: IcmpConfig = DEFAULT_ICMP_CONFIG,
  ) {
    this.tokens = config.errorBurst;
    this.tokensAt = clock.now();
  }

  /** Receive echo replies (for ping); null stops. */
  setEchoReplyHandler(handler: EchoReplyHandler | null): void {
    this.echoReplyHandler = handler;
  }

  sendEcho(dst: Ipv4Address, identifier: number, sequence: number, data: Uint8Array): boolean {
    this.counters.echoRequestsSent++;
    return this.send(dst, ICMP_ECHO_REQUEST, 0, echoRestOfHeader(identifier, sequence), data);
  }

  input(src: Ipv4Address, dst: Ipv4Address, payload: Uint8Array, checksumTrusted?: boolean): void {
    const h = this.header;
    if (!parseIcmp(payload, 0, payload.length, h, this.wire, checksumTrusted !== true)) return;
    this.counters.received++;
    switch (h.type) {
      case ICMP_ECHO_REQUEST:
        this.counters.echoRequestsReceived++;
        if (dst !== this.network.address) {
          this.counters.broadcastEchoIgnored++;
          return;
        }
        if (this.send(src, ICMP_ECHO_REPLY, 0, h.restOfHeader, payload.subarray(ICMP_HEADER_LEN))) this.counters.echoRepliesSent++;
        return;
      case ICMP_ECHO_REPLY:
        this.counters.echoRepliesReceived++;
        this.echoReplyHandler?.(src, h.identifier, h.sequence, payload.slice(ICMP_HEADER_LEN)); // the payload is lent, the data the handler's
        return;
      case ICMP_DEST_UNREACHABLE:
      case ICMP_TIME_EXCEEDED:
        this.counters.errorsReceived++;
        this.deliverError(h, payload);
        return;
      default:
        this.counters.otherTypes++;
    }
  }

  /**
   * Send an error of `type`/`code` about the received packet `buf[off, off + len)` whose header is
   * `h`, unless RFC 1122 §3.2.2 forbids it or the rate limit is exhausted. `linkBroadcast` tells
   * that the packet arrived in a link-layer broadcast frame.
   */
  sendError(type: number, code: number, restOfHeader: number, buf: Uint8Array, off: number, len: number, h: Ipv4Header, linkBroadcast: boolean): void {
    const routes = this.network.routes;
    const aboutError = h.protocol === IPPROTO_ICMP && (len <= h.headerLength || !QUERY_TYPES.has(buf[off + h.headerLength]!));
    if (
      aboutError ||
      linkBroadcast ||
      h.fragmentOffset !== 0 ||
      routes.isBroadcast(h.dst) ||
      isMulticastOrReserved(h.dst) ||
      h.src === 0 ||
      routes.isBroadcast(h.src) ||
      isMulticastOrReserved(h.src) ||
      h.src >>> 24 === 127
    ) {
      this.counters.errorsSuppressed++;
      return;
    }
    if (!this.takeToken()) {
      this.counters.errorsRateLimited++;
      return;
    }
    const quote = buf.subarray(off, off + Math.min(len, MAX_ERROR_QUOTE));
    if (!this.send(h.src, type, code, restOfHeader, quote)) return;
    if (type === ICMP_TIME_EXCEEDED) this.counters.timeExceededSent++;
    else this.counters.unreachableSent++;
  }

  /** Send an ICMP message, built where IP sends it from: its body is copied once. */
  private send(dst: Ipv4Address, type: number, code: number, restOfHeader: number, body: Uint8Array): boolean {
    return this.network.sendIcmp(dst, ICMP_HEADER_LEN + body.length, (buf, off) => writeIcmp(buf, off, type, code, restOfHeader, body));
  }

  private takeToken(): boolean {
    const now = this.clock.now();
    this.tokens = Math.min(this.config.errorBurst, this.tokens + ((now - this.tokensAt) * this.config.errorsPerSecond) / 1000);
    this.tokensAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  private deliverError(h: IcmpHeader, payload: Uint8Array): void {
    const q = this.quoted;
    const body = payload.subarray(ICMP_HEADER_LEN);
    if (!parseQuotedIpv4(body, 0, body.length, q) || body.length < q.headerLength + MIN_TRANSPORT_QUOTE || q.src !== this.network.address) {
      this.counters.errorsMalformed++;
      return;
    }
    const kind = errorKind(h.type, h.code);
    const transport = this.network.transport(q.protocol);
    if (transport?.icmpError === undefined || q.protocol === IPPROTO_ICMP) return;
    this.counters.errorsDelivered++;
    transport.icmpError(kind, q.src, q.dst, body.subarray(q.headerLength), kind === "fragmentation-needed" ? h.nextHopMtu : undefined);
  }
}

/** RFC 792 / RFC 1122 codes folded into the kinds transports care about. */
function errorKind(type: number, code: number): IcmpErrorKind {
  if (type === ICMP_TIME_EXCEEDED) return "time-exceeded";
  switch (code) {
    case ICMP_UNREACH_NET:
    case 6: // destination network unknown
    case 9: // network administratively prohibited
    case 11: // network unreachable for TOS
      return "net-unreachable";
    case ICMP_UNREACH_PROTOCOL:
      return "protocol-unreachable";
    case ICMP_UNREACH_PORT:
      return "port-unreachable";
    case ICMP_UNREACH_FRAG_NEEDED:
      return "fragmentation-needed";
    case ICMP_UNREACH_HOST:
    default:
      return "host-unreachable";
  }
}
