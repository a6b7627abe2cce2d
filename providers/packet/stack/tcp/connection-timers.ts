/**
 * A connection's timers, grouped by what they guard. The connection decides what an expiry means
 * (resend, probe, give up); these keep the deadlines, the backoffs and the counts of unanswered
 * probes. The delayed ACK belongs to ack-policy.ts.
 */
import type { Clock } from "../../clock.js";
import type { TcpConfig } from "./config.js";
import { DeadlineTimer } from "./deadline-timer.js";
import type { RttEstimator } from "./rtt.js";
import type { TcpSender } from "./sender.js";

/**
 * Loss recovery's three timers: the retransmission timer (RFC 6298), RACK's reordering timer
 * (RFC 8985 §6.2 step 5) and the tail loss probe timer (PTO, RFC 8985 §7.2).
 */
export class RecoveryTimers {
  readonly retransmit: DeadlineTimer;
  readonly reorder: DeadlineTimer;
  readonly lossProbe: DeadlineTimer;
  /** New data left or an ACK advanced SND.UNA since the probe timer was last set: restart it. */
  restartProbe = false;

  constructor(clock: Clock, onRetransmit: () => void, onReorder: () => void, onLossProbe: () => void) {
    this.retransmit = new DeadlineTimer(clock, onRetransmit);
    this.reorder = new DeadlineTimer(clock, onReorder);
    this.lossProbe = new DeadlineTimer(clock, onLossProbe);
  }

  /**
   * After input or output: the reordering timer follows the sender's deadline, and the probe
   * timer is (re)started when new data left or SND.UNA advanced, while a probe is allowed
   * (RFC 8985 §7.2); it never outlives the retransmission timer. `sending`: the state lets data go.
   */
  update(sender: TcpSender, sending: boolean, now: number): void {
    if (sender.reorderDeadline >= 0 && sending) this.reorder.start(sender.reorderDeadline - now);
    else this.reorder.stop();
    const restart = this.restartProbe;
    this.restartProbe = false;
    if (!sending || !sender.lossProbeAllowed || !this.retransmit.running) {
      this.lossProbe.stop();
      return;
    }
    if (!restart && this.lossProbe.running) return;
    const pto = sender.lossProbeTimeout(this.retransmit.remaining);
    if (pto === null) this.lossProbe.stop();
    else this.lossProbe.start(pto);
  }

  stop(): void {
    this.retransmit.stop();
    this.reorder.stop();
    this.lossProbe.stop();
  }
}

/**
 * The persist timer (RFC 9293 §3.8.6.1, RFC 1122 §4.2.2.17): zero-window probes at an interval
 * that doubles from the RTO up to rtoMaxMs, for as long as the peer answers them. The same timer
 * sends a small segment when the window is open but sender SWS avoidance would wait for ever.
 */
export class PersistTimer {
  private probes = 0;
  private backoff = 0;
  private readonly timer: DeadlineTimer;

  constructor(
    clock: Clock,
    private readonly config: TcpConfig,
    private readonly rtt: RttEstimator,
    onExpire: () => void,
  ) {
    this.timer = new DeadlineTimer(clock, onExpire);
  }

  get running(): boolean {
    return this.timer.running;
  }

  /** Zero-window probes sent since the peer last answered anything. */
  get unanswered(): number {
    return this.probes;
  }

  probeSent(): void {
    this.probes++;
  }

  /** Any segment from the peer keeps a closed window alive indefinitely (RFC 1122 §4.2.2.17). */
  answered(): void {
    this.probes = 0;
  }

  /** (Re)start at the current interval: the RTO (the initial one before any sample), doubled per backoff. */
  start(): void {
    const c = this.config;
    const base = this.rtt.hasSample ? this.rtt.rto : c.rtoInitialMs;
    this.timer.start(Math.min(c.rtoMaxMs, base * 2 ** this.backoff));
  }

  /** A probe went unanswered so far: the next interval doubles. */
  backOff(): void {
    this.backoff++;
  }

  /** The window opened: stop, and start again from the RTO next time. */
  reset(): void {
    this.timer.stop();
    this.backoff = 0;
  }

  stop(): void {
    this.timer.stop();
  }
}

export interface KeepaliveOptions {
  idleMs?: number;
  intervalMs?: number;
  count?: number;
}

/** What a keepalive expiry calls for. */
export const enum KeepaliveAction {
  /** Nothing: keepalive is off, does not apply in this state, or waits for retransmissions. */
  None = 0,
  /** Send a probe, then call probeSent(). */
  Probe = 1,
  /** `count` probes went unanswered: the connection times out. */
  GiveUp = 2,
}

/** TCP keepalive (RFC 1122 §4.2.3.6): probes after `idleMs` without traffic, every `intervalMs`, `count` at most. */
export class Keepalive {
  on = false;
  idleMs: number;
  intervalMs: number;
  count: number;
  private unanswered = 0;
  private readonly timer: DeadlineTimer;

  constructor(clock: Clock, config: TcpConfig, onExpire: () => void) {
    this.idleMs = config.keepaliveIdleMs;
    this.intervalMs = config.keepaliveIntervalMs;
    this.count = config.keepaliveCount;
    this.timer = new DeadlineTimer(clock, onExpire);
  }

  /** SO_KEEPALIVE and its settings; `applies`: the connection is in a state keepalive watches. */
  configure(on: boolean, options: KeepaliveOptions, applies: boolean): void {
    this.on = on;
    if (options.idleMs !== undefined) this.idleMs = options.idleMs;
    if (options.intervalMs !== undefined) this.intervalMs = options.intervalMs;
    if (options.count !== undefined) this.count = options.count;
    this.unanswered = 0;
    if (on && applies) this.timer.start(this.idleMs);
    else this.timer.stop();
  }

  /** A segment arrived: the peer is alive, the idle time starts again. */
  activity(applies: boolean): void {
    this.unanswered = 0;
    if (this.on && applies) this.timer.start(this.idleMs);
  }

  /** The connection was established. */
  established(): void {
    if (this.on) this.timer.start(this.idleMs);
  }

  /** The timer expired. `allAcknowledged`: nothing in flight, which retransmissions would cover instead. */
  expired(applies: boolean, allAcknowledged: boolean): KeepaliveAction {
    if (!this.on || !applies) return KeepaliveAction.None;
    if (!allAcknowledged) {
      this.timer.start(this.idleMs);
      return KeepaliveAction.None;
    }
    if (this.unanswered >= this.count) return KeepaliveAction.GiveUp;
    this.unanswered++;
    return KeepaliveAction.Probe;
  }

  /** The probe expired() asked for left: the next one follows after `intervalMs`. */
  probeSent(): void {
    this.timer.start(this.intervalMs);
  }

  stop(): void {
    this.timer.stop();
  }
}
