/**
 * One connection's RFC 7323 timestamps: our timestamp clock, the peer's most recent value
 * (TS.Recent) with the PAWS test against it, and Last.ACK.sent, which decides when TS.Recent may
 * move. Whether both ends agreed to use them is settled by the handshake (`enabled`).
 */
import type { Clock } from "../../clock.js";
import { seqDiff, seqGt, seqLe, seqLt } from "./seq.js";

/** The timestamps option as it arrives: TSval and TSecr. */
export interface TimestampValue {
  readonly value: number;
  readonly echo: number;
}

/** RFC 7323 §5.5: TS.Recent is invalid after 24 days of idleness. */
export const PAWS_IDLE_LIMIT_MS = 24 * 24 * 3600 * 1000;

export class TcpTimestamps {
  /** Both ends sent the option in their SYNs. */
  enabled = false;
  /** TS.Recent: the peer's timestamp our ACKs echo. */
  recent = 0;
  /** When TS.Recent was set (clock ms); -1: not set, or invalidated by idleness. */
  private recentAt = -1;
  /** Last.ACK.sent: the acknowledgment number of the last segment we sent. */
  lastAckSent = 0;

  constructor(
    private readonly clock: Clock,
    /** Added to every value we send, so the clock is not shared between connections (RFC 7323 §5.4). */
    private readonly offset: number,
  ) {}

  /** Our timestamp clock: 1 ms ticks plus the per-connection offset. */
  now(): number {
    return (Math.floor(this.clock.now()) + this.offset) >>> 0;
  }

  /** The option for a segment we send now (its TSecr is TS.Recent). */
  option(): TimestampValue {
    return { value: this.now(), echo: this.recent };
  }

  /** Take the peer's value as TS.Recent. */
  setRecent(value: number): void {
    this.recent = value;
    this.recentAt = this.clock.now();
  }

  /** The peer's SYN or SYN-ACK gives the first TS.Recent, once the option is agreed. */
  recentFromSyn(ts: TimestampValue | undefined): void {
    if (this.enabled && ts !== undefined) this.setRecent(ts.value);
  }

  /**
   * PAWS (RFC 7323 §5.3): true when the segment is an old duplicate, its timestamp older than
   * TS.Recent. A TS.Recent idle for longer than PAWS_IDLE_LIMIT_MS is forgotten instead (§5.5).
   * Not for RSTs, which carry no reliable timestamp.
   */
  rejects(ts: TimestampValue | undefined): boolean {
    if (!this.enabled || ts === undefined || this.recentAt < 0 || !seqLt(ts.value, this.recent)) return false;
    if (this.clock.now() - this.recentAt <= PAWS_IDLE_LIMIT_MS) return true;
    this.recentAt = -1;
    return false;
  }

  /**
   * RFC 7323 §4.3: an acceptable segment starting at or before Last.ACK.sent carries the
   * timestamp our next ACK is to echo.
   */
  segmentAccepted(seq: number, ts: TimestampValue | undefined): void {
    if (ts === undefined || !this.enabled || !seqLe(seq, this.lastAckSent)) return;
    if (this.recentAt < 0 || !seqLt(ts.value, this.recent)) this.setRecent(ts.value);
  }

  /**
   * Milliseconds since we sent the timestamp `ts` echoes (an RTT sample); negative: no usable
   * sample (none agreed or carried, or an echo from the future).
   */
  echoAge(ts: TimestampValue | undefined): number {
    return this.enabled && ts !== undefined ? seqDiff(this.now(), ts.echo) : -1;
  }

  /** When the timestamp `ts` echoes was sent (clock ms, floored), or null without one. */
  echoTime(ts: TimestampValue | undefined): number | null {
    const age = this.echoAge(ts);
    return age >= 0 ? Math.floor(this.clock.now()) - age : null;
  }

  /** RFC 6191: a SYN reusing a TIME_WAIT 4-tuple is new when its timestamp is beyond TS.Recent. */
  isNewer(ts: TimestampValue): boolean {
    return seqGt(ts.value, this.recent);
  }
}
