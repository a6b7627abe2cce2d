/**
 * Engine-wide TCP parameters. Every duration is in milliseconds of the injected Clock. Defaults
 * follow the RFCs and, where an RFC leaves a choice, Linux (so a Linux peer sees familiar timing).
 */
import { EPHEMERAL_PORT_MAX, EPHEMERAL_PORT_MIN } from "../port-table.js";
import { CONGESTION_CONTROL_NAMES, type CongestionControlName } from "./congestion.js";

/** The user-space TCP's configuration (buffer sizes, timers, options, congestion control...). */
export interface TcpConfig {
  /** Initial retransmission timeout (RFC 6298 §2.1: 1 s). */
  rtoInitialMs: number;
  /** Lower bound of the RTO (RFC 6298 says 1 s; Linux and most stacks use 200 ms). */
  rtoMinMs: number;
  /** Upper bound of the RTO and of backed-off persist/keepalive intervals (RFC 6298 §2.5: at least 60 s). */
  rtoMaxMs: number;
  /** SYN (or SYN-ACK) retransmissions before giving up with ETIMEDOUT (Linux tcp_syn_retries: 6). */
  synRetries: number;
  /** Data/FIN retransmissions (or unanswered window probes) before giving up with ETIMEDOUT (Linux tcp_retries2: 15). */
  dataRetries: number;
  /** Maximum segment lifetime; TIME_WAIT lasts 2×MSL (RFC 9293 §3.4.2). Tests use a small one. */
  mslMs: number;
  /** How long an orphaned FIN_WAIT_2 connection (after close()) waits for the peer's FIN (Linux: 60 s). */
  finWait2TimeoutMs: number;
  /**
   * Orphans the engine finishes at most: connections the user has closed that still deliver data
   * or a FIN, or wait for the peer's (FIN_WAIT_1, FIN_WAIT_2, CLOSING, LAST_ACK, a lingering
   * close). A close() beyond them resets the connection instead (counted: `orphansAborted`), as
   * Linux does past tcp_max_orphans, which it sizes by memory (4096 on a small machine). TIME_WAIT
   * is bounded apart (`maxTimeWait`).
   */
  maxOrphans: number;
  /**
   * Connections in TIME_WAIT at most. One that would enter it beyond them acknowledges the peer's
   * FIN and goes to CLOSED at once (counted: `timeWaitOverflows`), as Linux does past
   * tcp_max_tw_buckets ("time wait bucket table overflow").
   */
  maxTimeWait: number;
  /**
   * Bytes delivered to the user and not yet reported consumed that do not narrow the receive
   * window (0: every unread byte does). A layer above with a queue of its own sets it (as a STREAMS
   * stream head holds data the transport has sent up): a batch of segments is delivered before its
   * reader runs, and counting all of it would shrink every window advertised meanwhile. Unread
   * data still makes close() a reset.
   */
  unreadAllowance: number;
  /** Delayed-ACK timeout (RFC 9293 §3.8.6.3: under 0.5 s; Linux ~40 ms). */
  delayedAckMs: number;
  /**
   * Most bytes of in-order data received in one burst of frames (LinkDevice.signalsBurstEnd)
   * before an ACK goes out in the middle of it; below that, the ACK owed for every second
   * full-sized segment waits for the burst's end, so a burst is answered by one ACK as Linux's GRO
   * answers one merged super-packet (64 KiB). Never more than a quarter of the receive buffer.
   * 0: an ACK for every second full-sized segment, bursts or not (RFC 9293 §3.8.6.3).
   */
  ackCoalescing: number;
  /** Default send buffer per connection, in bytes. */
  sendBufferSize: number;
  /**
   * Largest size a send buffer grows to, to hold two congestion windows (three for BBR), when the
   * user did not set its size (Linux's tcp_wmem[2]: 4 MiB).
   */
  sendBufferMax: number;
  /** Default receive buffer per connection, in bytes; fixes the window scale offered in the SYN. */
  receiveBufferSize: number;
  /** Offer the window scale option (RFC 7323). */
  windowScaling: boolean;
  /** Offer SACK-permitted (RFC 2018) and use SACK-based recovery (RFC 6675). */
  sack: boolean;
  /** Offer timestamps (RFC 7323: RTTM and PAWS). */
  timestamps: boolean;
  /** Report duplicate segments in the first SACK block (D-SACK, RFC 2883) when SACK is in use. */
  dsack: boolean;
  /**
   * Congestion control: "cubic" (RFC 9438, the default), "newreno" (RFC 5681/6582) or "bbr" (BBR
   * version 1, draft-cardwell-iccrg-bbr-congestion-control-00, with pacing).
   */
  congestionControl: CongestionControlName;
  /** Send tail loss probes (RFC 8985 §7) when SACK is in use. */
  lossProbes: boolean;
  /**
   * Least probe timeout. RFC 8985 asks for 2·SRTT; on a path with a sub-millisecond RTT that is
   * below the clock's and a peer's ACK granularity, so probes would mostly be spurious (Linux
   * floors it likewise).
   */
  lossProbeMinMs: number;
  /** Keepalive defaults for connections that enable it (Linux: 7200 s, 75 s, 9 probes). */
  keepaliveIdleMs: number;
  keepaliveIntervalMs: number;
  keepaliveCount: number;
  /**
   * RFC 5961 §7: the engine-wide budget of challenge ACKs per second. Each second's budget is
   * drawn at random between half and one and a half times this, so that an off-path attacker
   * cannot count it down to learn whether a guessed connection exists (CVE-2016-5696).
   */
  challengeAckLimit: number;
  /**
   * Least interval between two ACKs one connection sends in answer to invalid segments without
   * data (out of window, beyond SND.NXT, PAWS, challenges, TIME_WAIT strays); Linux's
   * tcp_invalid_ratelimit. Without it two confused ends can answer each other's ACKs for ever.
   * Invalid segments carrying data are always answered (their sender needs the ACK).
   */
  invalidAckIntervalMs: number;
  /**
   * Half-open (SYN_RECEIVED) connections per listener; past them a SYN gets a SYN cookie (or is
   * dropped, without `synCookies`).
   */
  synBacklog: number;
  /** Answer SYNs with SYN cookies (RFC 4987 §3.6) while a listener's SYN queue is full. */
  synCookies: boolean;
  /** Ephemeral port range (RFC 6056 suggests 49152-65535): for binds without a port and active opens. */
  ephemeralPortMin: number;
  ephemeralPortMax: number;
}

export const DEFAULT_TCP_CONFIG: Readonly<TcpConfig> = Object.freeze({
  rtoInitialMs: 1000,
  rtoMinMs: 200,
  rtoMaxMs: 120_000,
  synRetries: 6,
  dataRetries: 15,
  mslMs: 30_000,
  finWait2TimeoutMs: 60_000,
  maxOrphans: 4096,
  maxTimeWait: 16_384,
  unreadAllowance: 0,
  delayedAckMs: 40,
  ackCoalescing: 64 * 1024,
  sendBufferSize: 256 * 1024,
  sendBufferMax: 4 * 1024 * 1024,
  receiveBufferSize: 256 * 1024,
  windowScaling: true,
  sack: true,
  timestamps: true,
  dsack: true,
  congestionControl: "cubic",
  lossProbes: true,
  lossProbeMinMs: 10,
  keepaliveIdleMs: 7_200_000,
  keepaliveIntervalMs: 75_000,
  keepaliveCount: 9,
  challengeAckLimit: 100,
  invalidAckIntervalMs: 500,
  synBacklog: 256,
  synCookies: true,
  ephemeralPortMin: EPHEMERAL_PORT_MIN,
  ephemeralPortMax: EPHEMERAL_PORT_MAX,
});

export function resolveTcpConfig(overrides: Partial<TcpConfig> = {}): TcpConfig {
  const config: TcpConfig = { ...DEFAULT_TCP_CONFIG, ...overrides };
  if (config.rtoMinMs <= 0 || config.rtoInitialMs < config.rtoMinMs || config.rtoMaxMs < config.rtoInitialMs) {
    throw new RangeError("TCP config: need 0 < rtoMinMs <= rtoInitialMs <= rtoMaxMs");
  }
  if (config.sendBufferSize < 1 || config.receiveBufferSize < 1) throw new RangeError("TCP config: buffer sizes must be positive");
  if (!(config.sendBufferMax >= 1)) throw new RangeError("TCP config: sendBufferMax must be positive");
  if (!CONGESTION_CONTROL_NAMES.includes(config.congestionControl)) {
    throw new RangeError(`TCP config: unknown congestion control ${String(config.congestionControl)}`);
  }
  if (!(config.lossProbeMinMs >= 0)) throw new RangeError("TCP config: lossProbeMinMs must be 0 or more");
  if (!Number.isInteger(config.maxOrphans) || config.maxOrphans < 0) throw new RangeError("TCP config: maxOrphans must be an integer, 0 or more");
  if (!Number.isInteger(config.maxTimeWait) || config.maxTimeWait < 0) throw new RangeError("TCP config: maxTimeWait must be an integer, 0 or more");
  if (!Number.isInteger(config.unreadAllowance) || config.unreadAllowance < 0) throw new RangeError("TCP config: unreadAllowance must be an integer, 0 or more");
  if (!Number.isInteger(config.ackCoalescing) || config.ackCoalescing < 0) throw new RangeError("TCP config: ackCoalescing must be an integer, 0 or more");
  if (config.ephemeralPortMin < 1 || config.ephemeralPortMax > 65535 || config.ephemeralPortMin > config.ephemeralPortMax) {
    throw new RangeError("TCP config: bad ephemeral port range");
  }
  return config;
}
