/**
 * One TCP connection: the RFC 9293 state machine (§3.10 event processing) tying together the
 * receiver (receiver.ts), the sender (sender.ts), the handshake's options (handshake.ts), the
 * timestamps (timestamps.ts), when to acknowledge (ack-policy.ts), how segments are built
 * (segment-output.ts), the timers (connection-timers.ts) and the user-facing callbacks.
 *
 * Reentrancy: user callbacks run synchronously from inside segment processing and may call back
 * into the connection (send, consumed, shutdown, abort...). Output requested during input is
 * deferred to the end of that input; after every callback the processing checks whether the
 * callback closed the connection.
 */
import type { Clock } from "../../clock.js";
import type { Random } from "../../random.js";
import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN, TCP_URG, type TcpOptions, type TcpSegment } from "../../wire/tcp-segment.js";
import type { AddressPort, IpSendOptions } from "../transport-host.js";
import { AckPolicy } from "./ack-policy.js";
import type { TcpConfig } from "./config.js";
import { Keepalive, KeepaliveAction, PersistTimer, RecoveryTimers, type KeepaliveOptions } from "./connection-timers.js";
import { DeadlineTimer } from "./deadline-timer.js";
import { ConnectionEvents } from "./events.js";
import { Handshake } from "./handshake.js";
import { DEFAULT_PEER_MSS, MIN_SEND_MSS } from "./options.js";
import { Arrival, TcpReceiver } from "./receiver.js";
import { RttEstimator } from "./rtt.js";
import { SegmentOutput } from "./segment-output.js";
import { TcpSender, type Transmission } from "./sender.js";
import { seqAdd, seqDiff, seqGt, seqLe, seqLt } from "./seq.js";
import { TcpTimestamps } from "./timestamps.js";
import {
  TcpError,
  TcpState,
  type ConnectionHandlers,
  type ConnectionStats,
  type TcpConnectionInfo,
  type TcpDisconnectReason,
} from "./types.js";

export type { KeepaliveOptions } from "./connection-timers.js";

/** An IP header byte (TTL from 1, TOS from 0), or EINVAL. */
export function checkIpByte(value: number, min: number, what: string): void {
  if (!Number.isInteger(value) || value < min || value > 255) throw new TcpError("EINVAL", `bad ${what} ${value}`);
}

/** What a connection needs from its engine. */
export interface ConnectionContext {
  readonly clock: Clock;
  /** The engine's randomness (the congestion control's draws). */
  readonly random: Random;
  readonly config: TcpConfig;
  /**
   * Hand a segment to the network layer. `segmentSize` > 0: a super-segment of full segments
   * that the link cuts into segments of that much data (within maxSuperSegment).
   */
  transmit(conn: TcpConnection, seg: TcpSegment, segmentSize?: number): void;
  /** Longest TCP segment (header + data) the link would cut up itself towards the peer now; 0: none. */
  maxSuperSegment(conn: TcpConnection): number;
  /** RFC 5961 §7 rate limit, shared by the engine. */
  allowChallengeAck(): boolean;
  /** The connection reached CLOSED (or left TIME_WAIT): forget it. */
  release(conn: TcpConnection): void;
  /** The user closed the connection, which has yet to finish: false when no more orphans are allowed. */
  adoptOrphan(conn: TcpConnection): boolean;
  /** The connection is about to enter TIME_WAIT: false when no more may be in it. */
  admitTimeWait(conn: TcpConnection): boolean;
  /** `outstanding` changed, or the connection entered TIME_WAIT or CLOSED. */
  activity(conn: TcpConnection): void;
  /**
   * The connection owes an ACK that may wait for the end of the link's receive burst: true when
   * a burst is under way and the engine will call flushDeferredAck() at its end.
   */
  deferAck(conn: TcpConnection): boolean;
}

/** The listener side of a passively opened connection, until it is accepted. */
export interface PassiveOwner {
  /** Whether the accept queue has room; when it has none the final ACK is dropped (as Linux does). */
  canComplete(): boolean;
  /** The handshake completed: indicate the connection to the user. */
  handshakeCompleted(conn: TcpConnection): void;
  /** A not yet accepted connection (half-open or indicated) went away; null reason = local abort. */
  connectionLost(conn: TcpConnection, reason: TcpDisconnectReason | null): void;
}

export interface ConnectionSetup {
  local: AddressPort;
  remote: AddressPort;
  iss: number;
  timestampOffset: number;
  /** The MSS we advertise: largest TCP payload that fits our path without options. */
  ourMss: number;
  sendBufferSize: number;
  /** How far the send buffer may grow by itself (TcpConfig.sendBufferMax); 0 when the user set its size. */
  sendBufferGrowsTo: number;
  receiveBufferSize: number;
  handlers: ConnectionHandlers | null;
  owner: PassiveOwner | null;
}

export interface SendOptions {
  /** Mark the last byte of this send as urgent (TCP urgent pointer, XTI T_EXPEDITED). */
  urgent?: boolean;
}

export class TcpConnection {
  readonly local: AddressPort;
  readonly remote: AddressPort;
  /** Listener-assigned number for passive connections (XTI SEQ_number), 0 for active ones. */
  sequence = 0;
  /** @internal Per-segment IP settings (TTL, TOS), read by the engine for every segment sent. */
  readonly ipOptions: IpSendOptions = {};
  private stateValue: TcpState = TcpState.CLOSED;
  private readonly ctx: ConnectionContext;
  private readonly config: TcpConfig;
  private readonly clock: Clock;
  private readonly receiver: TcpReceiver;
  private readonly sender: TcpSender;
  private readonly events: ConnectionEvents;
  private readonly handshake: Handshake;
  private readonly timestamps: TcpTimestamps;
  private readonly acks: AckPolicy;
  private readonly out: SegmentOutput;
  private owner: PassiveOwner | null;

  // Timers.
  private readonly recovery: RecoveryTimers;
  /** Pacing held transmissions back: output again when the pacer has credit (pacer.ts). */
  private readonly pacingTimer: DeadlineTimer;
  private readonly persist: PersistTimer;
  private readonly keepalive: Keepalive;
  /** TIME_WAIT, orphaned FIN_WAIT_2 and linger share this one: they never overlap. */
  private readonly stateTimer: DeadlineTimer;
  /** When data last left (-1: never): after an idle RTO the window starts again (RFC 5681 §4.1). */
  private lastDataSentAt = -1;

  // User-side state.
  private lingerMs: number | null = null;
  private userClosed = false;
  private shutdownRequested = false;
  private wantWritable = false;
  private softError: TcpDisconnectReason | null = null;
  /** What the engine was last told (see reportActivity). */
  private reportedOutstanding = false;
  private reportedOpen = false;
  /** When this connection last answered an invalid segment (see invalidAckIntervalMs). */
  private lastInvalidAckAt = -Infinity;
  /** Active open (we sent the first SYN), as opposed to a connection made by a listener. */
  private readonly active: boolean;

  // Processing flags.
  private inInput = false;
  private inOutput = false;

  private readonly counters = {
    segmentsReceived: 0,
    bytesReceived: 0,
    windowProbes: 0,
    keepaliveProbes: 0,
    pawsDrops: 0,
    challengeAcksSent: 0,
    invalidAcksSuppressed: 0,
    outOfOrderSegments: 0,
  };

  constructor(ctx: ConnectionContext, setup: ConnectionSetup) {
    this.ctx = ctx;
    const config = (this.config = ctx.config);
    const clock = (this.clock = ctx.clock);
    this.local = { ...setup.local };
    this.remote = { ...setup.remote };
    this.events = new ConnectionEvents(setup.handlers, setup.owner !== null);
    this.owner = setup.owner;
    this.active = setup.owner === null;
    const rtt = new RttEstimator(config.rtoMinMs, config.rtoMaxMs, config.rtoInitialMs);
    this.sender = new TcpSender(setup.iss, Math.max(MIN_SEND_MSS, Math.min(DEFAULT_PEER_MSS, setup.ourMss)), setup.sendBufferSize, rtt, {
      congestionControl: config.congestionControl,
      lossProbes: config.lossProbes,
      lossProbeMinMs: config.lossProbeMinMs,
      random: ctx.random,
      sendBufferGrowsTo: setup.sendBufferGrowsTo,
    });
    this.receiver = new TcpReceiver(setup.receiveBufferSize, setup.ourMss, this.deliver, config.unreadAllowance);
    this.timestamps = new TcpTimestamps(clock, setup.timestampOffset);
    this.handshake = new Handshake(config, clock, setup.ourMss, setup.receiveBufferSize, this.sender, this.receiver, this.timestamps);
    this.acks = new AckPolicy(config, clock, this.receiver, () => ctx.deferAck(this), () => this.sendAck());
    this.out = new SegmentOutput(ctx, this, this.sender, this.receiver, this.timestamps, this.handshake, this.acks);
    this.recovery = new RecoveryTimers(
      clock,
      () => this.onRetransmitTimeout(),
      () => this.onReorderTimeout(),
      () => this.onLossProbeTimeout(),
    );
    this.pacingTimer = new DeadlineTimer(clock, () => this.output());
    this.persist = new PersistTimer(clock, config, rtt, () => this.onPersistTimeout());
    this.keepalive = new Keepalive(clock, config, () => this.onKeepaliveTimeout());
    this.stateTimer = new DeadlineTimer(clock, () => this.onStateTimeout());
  }

  // ---------------------------------------------------------------- public API

  get state(): TcpState {
    return this.stateValue;
  }

  /** A getter, so that checks after user callbacks are not narrowed away by the compiler. */
  private get closed(): boolean {
    return this.stateValue === TcpState.CLOSED;
  }

  /** Effective send MSS: payload bytes in a full-sized segment. */
  get mss(): number {
    return this.sender.smss;
  }

  /**
   * Something of ours is not yet sent or not yet acknowledged: a SYN, data or a FIN. A program
   * whose connections have nothing outstanding may end without losing what it sent, the rule a
   * provider keeping the process alive follows.
   */
  get outstanding(): boolean {
    const state = this.stateValue;
    if (state === TcpState.CLOSED || state === TcpState.TIME_WAIT) return false;
    if (state === TcpState.SYN_SENT || state === TcpState.SYN_RECEIVED) return true;
    const s = this.sender;
    return s.buffer.length > 0 || !s.allAcknowledged || (s.finQueued && !s.finSent);
  }

  /** Room below the send buffer's nominal size: sendPiece() takes a piece of any size while this is above 0. */
  get sendBufferFree(): number {
    return this.sender.buffer.free;
  }

  info(): TcpConnectionInfo {
    return {
      state: this.stateValue,
      local: { ...this.local },
      remote: { ...this.remote },
      windowScaling: this.handshake.windowScaling,
      sendWindowScale: this.sender.windowScale,
      receiveWindowScale: this.receiver.windowScale,
      sack: this.handshake.sack,
      timestamps: this.timestamps.enabled,
    };
  }

  stats(): ConnectionStats {
    const s = this.sender;
    const c = this.counters;
    return {
      segmentsSent: this.out.segmentsSent,
      segmentsReceived: c.segmentsReceived,
      bytesReceived: c.bytesReceived,
      windowProbes: c.windowProbes,
      keepaliveProbes: c.keepaliveProbes,
      pawsDrops: c.pawsDrops,
      challengeAcksSent: c.challengeAcksSent,
      invalidAcksSuppressed: c.invalidAcksSuppressed,
      outOfOrderSegments: c.outOfOrderSegments,
      dsacksSent: this.out.dsacksSent,
      bytesSent: s.bytesSent,
      retransmits: s.retransmits,
      rtoEvents: s.rtoEvents,
      fastRetransmits: s.fastRetransmits,
      srtt: s.rtt.srtt,
      rttvar: s.rtt.rttvar,
      rto: s.rtt.rto,
      cwnd: s.congestion.cwnd,
      ssthresh: s.congestion.ssthresh,
      sendWindow: s.sndWnd,
      receiveWindow: this.receiver.window,
      outOfOrderRefused: this.receiver.queue.refused,
      mss: s.smss,
      lossProbes: s.lossProbe.probesSent,
      rackLosses: s.rackLosses,
      rescueRetransmits: s.rescueRetransmits,
      dsacksReceived: s.dsacksReceived,
      undoneRecoveries: s.undoneRecoveries,
      pacingRate: s.pacer.pacing ? s.pacer.rate * 1000 : 0,
      deliveryRate: s.deliveryRate.latestRate * 1000,
    };
  }

  setHandlers(handlers: ConnectionHandlers): void {
    this.events.setHandlers(handlers);
  }

  /**
   * Queue a whole piece, or none of it: the SPI's rule for a data request (STREAMS canput). The
   * piece is taken whenever less than the send buffer's nominal size is queued, even if it then
   * exceeds it; otherwise the answer is false and a "writable" callback follows once a retry will
   * succeed. With `urgent`, the last byte of the piece is the urgent byte (t_snd with T_EXPEDITED
   * sends a one-byte piece so).
   */
  sendPiece(piece: Uint8Array, options: SendOptions = {}): boolean {
    this.assertSending();
    if (!this.sender.writePiece(piece, options.urgent === true)) {
      this.wantWritable = true;
      return false;
    }
    if (piece.length > 0) this.requestOutput();
    return true;
  }

  /**
   * The user consumed `n` bytes of delivered data: reopen the receive window, with an immediate
   * window update when it is worth one and the peer may still send (ESTABLISHED, FIN_WAIT_1,
   * FIN_WAIT_2). Once its FIN has arrived (CLOSE_WAIT, CLOSING, LAST_ACK, TIME_WAIT) a window
   * update tells the peer nothing it can use; from TIME_WAIT it would even draw a RST from a peer
   * already CLOSED, which ends the wait early (RFC 1337's hazard).
   */
  consumed(n: number): void {
    if (n <= 0 || this.closed) return;
    if (this.receiver.consume(n) && this.peerMaySend()) {
      this.acks.due = true;
      this.requestOutput();
    }
  }

  /** Send a FIN after the queued data (half-close); receiving continues. */
  shutdown(): void {
    if (this.shutdownRequested) return;
    const s = this.stateValue;
    if (s === TcpState.CLOSED || s === TcpState.LISTEN) throw new TcpError("ENOTCONN", "connection is not open");
    this.shutdownRequested = true;
    this.sender.finQueued = true;
    if (s === TcpState.ESTABLISHED) this.setState(TcpState.FIN_WAIT_1);
    else if (s === TcpState.CLOSE_WAIT) this.setState(TcpState.LAST_ACK);
    // In SYN_SENT/SYN_RECEIVED the FIN waits for the handshake (RFC 9293 §3.10.4).
    this.requestOutput();
  }

  /** Reset the connection: queued data is discarded, the peer gets a RST. No callback follows. */
  abort(): void {
    const s = this.stateValue;
    if (s === TcpState.CLOSED) return;
    if (s !== TcpState.SYN_SENT && s !== TcpState.TIME_WAIT) this.out.reset(this.stateValue === TcpState.SYN_RECEIVED);
    this.terminate(null);
  }

  /**
   * Release the connection. With linger 0, or with unconsumed received data (as Linux does), this
   * is an abort; otherwise it is a shutdown after which the connection finishes on its own (FIN
   * retransmissions, FIN_WAIT_2 timeout, TIME_WAIT) and data still arriving is answered by RST.
   * In TIME_WAIT both directions are already released: nothing is sent and the 2·MSL wait runs
   * out as it would have (RFC 9293 §3.10.4; Linux's close() leaves its timewait socket alone too),
   * whatever the linger or unread data.
   */
  close(): void {
    const s = this.stateValue;
    if (s === TcpState.CLOSED || this.userClosed) return;
    if (s === TcpState.TIME_WAIT) {
      this.userClosed = true;
      this.events.setHandlers(null);
      return;
    }
    // Past maxOrphans the engine refuses another connection to finish by itself: it is reset.
    if (s === TcpState.SYN_SENT || this.lingerMs === 0 || this.receiver.unconsumed > 0 || !this.ctx.adoptOrphan(this)) {
      this.abort();
      return;
    }
    this.userClosed = true;
    this.events.setHandlers(null);
    if (!this.shutdownRequested) this.shutdown();
    if (this.stateValue === TcpState.FIN_WAIT_2) this.stateTimer.start(this.config.finWait2TimeoutMs);
    else if (this.lingerMs !== null) this.stateTimer.start(this.lingerMs);
  }

  setNoDelay(on: boolean): void {
    this.sender.noDelay = on;
    if (on) this.requestOutput();
  }

  get noDelay(): boolean {
    return this.sender.noDelay;
  }

  /** Keepalive probes after `idleMs` without traffic, every `intervalMs`, giving up after `count`. */
  setKeepAlive(on: boolean, options: KeepaliveOptions = {}): void {
    this.keepalive.configure(on, options, this.keepaliveApplies());
  }

  /** SO_LINGER: null = off; 0 = close() resets; otherwise close() resets if not finished within `ms`. */
  setLinger(ms: number | null): void {
    this.lingerMs = ms;
  }

  get linger(): number | null {
    return this.lingerMs;
  }

  get keepAlive(): Required<KeepaliveOptions> & { on: boolean } {
    const k = this.keepalive;
    return { on: k.on, idleMs: k.idleMs, intervalMs: k.intervalMs, count: k.count };
  }

  /** The send buffer's nominal size: sendPiece() takes a piece while less than this is queued. */
  get sendBufferSize(): number {
    return this.sender.buffer.capacity;
  }

  /** A size the user sets is kept: the buffer no longer sizes itself. */
  setSendBufferSize(bytes: number): void {
    this.sender.sendBufferGrowsTo = 0;
    this.sender.buffer.resize(bytes);
  }

  /** As if no size had ever been set: the stack's default, growing with the congestion window. */
  autoSizeSendBuffer(): void {
    this.sender.sendBufferGrowsTo = this.config.sendBufferMax;
    this.sender.buffer.resize(this.config.sendBufferSize);
  }

  get receiveBufferSize(): number {
    return this.receiver.bufferSize;
  }

  /** Takes effect on the window at once; the window scale was fixed by the SYN. */
  setReceiveBufferSize(bytes: number): void {
    this.receiver.bufferSize = Math.max(1, bytes);
  }

  /** IP time to live of this connection's segments; null = the stack's default. */
  get ttl(): number | null {
    return this.ipOptions.ttl ?? null;
  }

  /** EINVAL outside 1-255. */
  setTtl(ttl: number | null): void {
    if (ttl === null) {
      delete this.ipOptions.ttl;
      return;
    }
    checkIpByte(ttl, 1, "TTL");
    this.ipOptions.ttl = ttl;
  }

  /** IP type of service byte of this connection's segments. */
  get tos(): number {
    return this.ipOptions.tos ?? 0;
  }

  /** EINVAL outside 0-255. */
  setTos(tos: number): void {
    checkIpByte(tos, 0, "TOS");
    this.ipOptions.tos = tos;
  }

  // ---------------------------------------------------------------- engine entry points

  /** Active open: send the SYN. */
  openActive(): void {
    this.setState(TcpState.SYN_SENT);
    this.out.syn(false);
    this.sender.synSent();
    this.recovery.retransmit.start(this.sender.rtt.rto);
    this.reportActivity();
  }

  /** Passive open: a listener got this SYN. */
  openPassive(syn: TcpSegment): void {
    this.receiver.start(syn.seq);
    this.handshake.negotiate(syn.options);
    this.sender.initWindow(syn.seq, this.sender.iss, syn.window);
    this.timestamps.recentFromSyn(syn.options.timestamp);
    this.setState(TcpState.SYN_RECEIVED);
    this.out.syn(true);
    this.sender.synSent();
    this.recovery.retransmit.start(this.sender.rtt.rto);
    this.reportActivity();
  }

  /**
   * A valid SYN cookie came back in `ack` (RFC 4987 §3.6): the handshake is complete. `peer` holds
   * the SYN's options as the cookie preserved them (MSS, and window scale and SACK-permitted when
   * timestamps carried them).
   */
  openFromCookie(ack: TcpSegment, peer: TcpOptions): void {
    this.receiver.start(seqAdd(ack.seq, -1));
    this.receiver.windowField(false); // the window the cookie SYN-ACK offered (unscaled, at most 64 KiB)
    this.handshake.negotiate(peer);
    const s = this.sender;
    s.synSent();
    s.synAcknowledged();
    s.initWindow(seqAdd(ack.seq, -1), ack.ack, 0);
    s.updateWindow(ack.seq, ack.ack, ack.window, true);
    this.timestamps.recentFromSyn(peer.timestamp);
    this.timestamps.lastAckSent = this.receiver.rcvNxt;
    this.setState(TcpState.SYN_RECEIVED);
    this.becomeEstablished();
  }

  /** The connection has reached CLOSED. */
  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * RFC 6191-style TIME_WAIT assassination check: a new SYN may reuse this 4-tuple if its
   * timestamp (when both use them) or its sequence number is beyond what the old connection saw.
   */
  acceptsReuse(syn: TcpSegment): boolean {
    if (this.stateValue !== TcpState.TIME_WAIT) return false;
    const ts = syn.options.timestamp;
    if (this.timestamps.enabled && ts !== undefined) return this.timestamps.isNewer(ts);
    return seqGt(syn.seq, this.receiver.rcvNxt);
  }

  /** An ICMP error quoting one of our segments with sequence number `seq`. */
  icmpError(reason: TcpDisconnectReason, seq: number): void {
    const s = this.sender;
    if (seqLt(seq, s.sndUna) || seqGt(seq, s.sndNxt)) return; // RFC 5927 §4.1: not in flight
    if (this.stateValue === TcpState.SYN_SENT) {
      this.terminate(reason);
      return;
    }
    // Soft error in a synchronized state (RFC 1122 §4.2.3.9): reported if the connection times out.
    this.softError = reason;
  }

  /** The engine is going away. */
  shutdownEngine(): void {
    if (this.closed) return;
    if (this.isSynchronized() && this.stateValue !== TcpState.TIME_WAIT) this.out.reset(this.stateValue === TcpState.SYN_RECEIVED);
    this.terminate(this.stateValue === TcpState.TIME_WAIT ? null : "ECONNABORTED");
  }

  /** A segment for this connection arrived. */
  input(seg: TcpSegment): void {
    if (this.closed) return;
    this.counters.segmentsReceived++;
    this.inInput = true;
    try {
      if (this.stateValue === TcpState.SYN_SENT) this.inputSynSent(seg);
      else this.inputSynchronized(seg);
    } finally {
      this.inInput = false;
    }
    if (!this.closed) this.output();
    this.reportActivity();
  }

  // ---------------------------------------------------------------- input processing

  /** RFC 9293 §3.10.7.3, with RFC 5961 §3.2 for the RST. */
  private inputSynSent(seg: TcpSegment): void {
    const flags = seg.flags;
    const s = this.sender;
    let ackOk = false;
    if ((flags & TCP_ACK) !== 0) {
      if (seqLe(seg.ack, s.iss) || seqGt(seg.ack, s.sndNxt)) {
        if ((flags & TCP_RST) === 0) this.out.bareReset(seg.ack);
        return;
      }
      ackOk = true;
    }
    if ((flags & TCP_RST) !== 0) {
      if (ackOk) this.terminate("ECONNREFUSED");
      return;
    }
    if ((flags & TCP_SYN) === 0) return;
    this.receiver.start(seg.seq);
    this.handshake.negotiate(seg.options);
    this.timestamps.recentFromSyn(seg.options.timestamp);
    if (ackOk) {
      s.synAcknowledged();
      s.initWindow(seg.seq, seg.ack, seg.window);
      this.handshake.rttSample(seg);
      this.acks.due = true;
      this.becomeEstablished();
      return;
    }
    // Simultaneous open: answer with SYN-ACK for the same ISS.
    s.initWindow(seg.seq, s.iss, seg.window);
    this.setState(TcpState.SYN_RECEIVED);
    this.out.syn(true);
    this.recovery.retransmit.start(s.rtt.rto);
  }

  /** RFC 9293 §3.10.7.4 (every state after SYN_SENT), with RFC 7323 PAWS and RFC 5961. */
  private inputSynchronized(seg: TcpSegment): void {
    const flags = seg.flags;
    const rcv = this.receiver;
    const rst = (flags & TCP_RST) !== 0;
    let syn = (flags & TCP_SYN) !== 0;
    let fin = (flags & TCP_FIN) !== 0;
    let seq = seg.seq;
    let payload = seg.payload;
    const ts = seg.options.timestamp;

    if (this.stateValue === TcpState.SYN_RECEIVED && syn && (flags & TCP_ACK) === 0 && seq === rcv.irs) {
      this.out.syn(true); // the peer retransmitted its SYN: our SYN-ACK was lost
      return;
    }
    const keepalive = this.keepalive;
    keepalive.activity(keepalive.on && this.keepaliveApplies());

    // PAWS (RFC 7323 §5.3): an old duplicate carries an older timestamp than TS.Recent.
    if (!rst && this.timestamps.rejects(ts)) {
      this.counters.pawsDrops++;
      // The usual old duplicate: an original that arrives after its retransmission. Its data
      // below RCV.NXT is reported as a D-SACK, which is how the sender learns the resend was spurious.
      this.duplicateBelowRcvNxt(seq, payload.length);
      this.answerInvalid(seg);
      return;
    }

    if (this.stateValue === TcpState.TIME_WAIT) {
      this.inputTimeWait(seg);
      return;
    }

    // Sequence number check. A FIN at RCV.NXT passes even a zero window (it needs no buffer
    // space; Linux takes it too, and refusing it makes some peers repeat it forever).
    const segLen = payload.length + (syn ? 1 : 0) + (fin ? 1 : 0);
    if (!rcv.acceptable(seq, segLen)) {
      if (rst) return;
      // Data entirely below RCV.NXT arrived twice: say so in a D-SACK (RFC 2883).
      this.duplicateBelowRcvNxt(seq, payload.length);
      this.answerInvalid(seg);
      return;
    }
    // RST (RFC 5961 §3.2): only an exact match resets; anything else in window is challenged.
    if (rst) {
      if (seq === rcv.rcvNxt) this.resetReceived();
      else this.challengeAck();
      return;
    }
    // Trim what lies before RCV.NXT (a SYN there is the peer's old SYN) and beyond the window.
    let skip = seqDiff(rcv.rcvNxt, seq);
    if (skip > 0) {
      if (syn) {
        syn = false;
        skip--;
        seq = seqAdd(seq, 1);
      }
      const drop = Math.min(skip, payload.length);
      if (drop > 0) this.noteDuplicate(seq, seqAdd(seq, drop));
      payload = payload.subarray(drop);
      seq = seqAdd(seq, drop);
    }
    const room = rcv.window - (payload.length > 0 ? seqDiff(seq, rcv.rcvNxt) : 0);
    if (payload.length > room) {
      payload = payload.subarray(0, Math.max(0, room));
      fin = false;
      this.acks.due = true; // tell the peer again where the window ends
    }
    // A SYN in window (RFC 5961 §4): challenge it instead of resetting.
    if (syn) {
      this.challengeAck();
      return;
    }
    if ((flags & TCP_ACK) === 0) return;
    if (!this.processAck(seg)) return;
    if (this.closed) return;

    // RFC 7323 §4.3: remember the timestamp of the segment our next ACK will acknowledge.
    this.timestamps.segmentAccepted(seg.seq, ts);

    const receiving = this.receivingData();
    if ((flags & TCP_URG) !== 0 && receiving) {
      const offset = rcv.noteUrgent(seg.seq, seg.urgentPointer);
      if (offset >= 0) {
        this.events.urgentPending(offset);
        if (this.closed) return;
      }
    }

    if (payload.length > 0 && receiving) {
      if (this.userClosed) {
        // Nobody will read this data (Linux answers with a reset too).
        this.abort();
        return;
      }
      this.counters.bytesReceived += payload.length;
      const arrival = rcv.accept(seq, payload);
      if (this.closed) return;
      const duplicate = arrival === Arrival.OutOfOrder ? rcv.queue.duplicate : null;
      if (duplicate !== null) this.noteDuplicate(duplicate[0], duplicate[1]);
      if (arrival === Arrival.OutOfOrder) this.counters.outOfOrderSegments++;
      this.acks.dataArrived(arrival, this.clock.now(), this.sender.rtt.rto);
    }

    if (fin && receiving) {
      if (rcv.noteFin(seqAdd(seq, payload.length))) this.finArrived();
      else this.acks.due = true;
    } else if (rcv.takeFinIfInOrder()) {
      this.finArrived();
    }
  }

  /**
   * TIME_WAIT (RFC 9293 §3.10.7.4): a retransmitted FIN is acknowledged and restarts the 2·MSL
   * wait; an exact-sequence RST ends the wait early (as on Linux, rather than RFC 1337's "ignore");
   * a bare ACK at RCV.NXT (the peer acknowledging our FIN again) gets no answer, or two ends in
   * TIME_WAIT would acknowledge each other's ACKs for ever; anything else gets a rate-limited ACK.
   */
  private inputTimeWait(seg: TcpSegment): void {
    if ((seg.flags & TCP_RST) !== 0) {
      if (seg.seq === this.receiver.rcvNxt) this.terminate(null);
      return;
    }
    if ((seg.flags & TCP_FIN) !== 0) {
      this.stateTimer.start(2 * this.config.mslMs);
      this.acks.due = true;
      return;
    }
    if (seg.payload.length === 0 && (seg.flags & TCP_SYN) === 0 && seg.seq === this.receiver.rcvNxt) return;
    this.answerInvalid(seg);
  }

  /** Step five of §3.10.7.4; returns false when the segment must be dropped. */
  private processAck(seg: TcpSegment): boolean {
    const s = this.sender;
    const ack = seg.ack;
    if (this.stateValue === TcpState.SYN_RECEIVED) {
      if (!(seqLt(s.sndUna, ack) && seqLe(ack, s.sndNxt))) {
        this.out.bareReset(ack);
        return false;
      }
      if (this.owner !== null && !this.owner.canComplete()) return false;
      s.synAcknowledged();
      s.updateWindow(seg.seq, ack, seg.window, true);
      this.handshake.rttSample(seg);
      this.becomeEstablished();
      return !this.closed;
    }
    // RFC 5961 §5: acceptable only within [SND.UNA - MAX.SND.WND, SND.NXT].
    if (seqGt(ack, s.sndNxt)) {
      this.answerInvalid(seg);
      return false;
    }
    if (seqLt(ack, seqAdd(s.sndUna, -s.maxSndWnd))) {
      this.challengeAck();
      return false;
    }
    const scaledWindow = seg.window * 2 ** s.windowScale;
    const duplicate =
      ack === s.sndUna && seg.payload.length === 0 && (seg.flags & (TCP_SYN | TCP_FIN)) === 0 && scaledWindow === s.sndWnd && s.sndWnd > 0 && !s.allAcknowledged;
    const windowBefore = s.sndWnd;
    const bufferBefore = s.buffer.capacity;
    if (seqLe(s.sndUna, ack)) s.updateWindow(seg.seq, ack, seg.window, true);
    const ts = seg.options.timestamp;
    const now = this.clock.now();
    const tsRtt = seqGt(ack, s.sndUna) ? this.timestamps.echoAge(ts) : -1;
    const result = s.onAck(ack, seg.options.sack, duplicate, tsRtt, now, this.timestamps.echoTime(ts));
    const recovery = this.recovery;
    if (result.advanced) recovery.restartProbe = true;
    this.persist.answered();
    if (result.advanced) {
      // With the window closed the persist timer, not the retransmission timer, runs (below).
      if (s.allAcknowledged || s.sndWnd === 0) recovery.retransmit.stop();
      else recovery.retransmit.start(s.rtt.rto);
    }
    this.maybeWritable(s.buffer.capacity > bufferBefore);
    if (this.closed) return false;
    if (s.sndWnd === 0) {
      // The peer shrank its window onto data in flight (Linux does under memory pressure): probe
      // it in the standard way instead of timing the connection out (RFC 1122 §4.2.2.16).
      if (!s.allAcknowledged && !this.persist.running) {
        recovery.retransmit.stop();
        this.persist.start();
      }
    } else if (windowBefore === 0 || this.persist.running) {
      this.persist.reset();
      if (windowBefore === 0 && !s.allAcknowledged) {
        // What was in flight beyond the old edge was dropped: resend it now, not after an RTO.
        s.windowReopened();
        recovery.retransmit.ensure(s.rtt.rto);
      }
    }
    if (result.finAcked) {
      switch (this.stateValue) {
        case TcpState.FIN_WAIT_1:
          this.setState(TcpState.FIN_WAIT_2);
          if (this.userClosed) this.stateTimer.start(this.config.finWait2TimeoutMs);
          break;
        case TcpState.CLOSING:
          if (this.enterTimeWait(true)) break;
          this.finishOrderly(); // maxTimeWait reached: straight to CLOSED
          return false;
        case TcpState.LAST_ACK:
          this.finishOrderly();
          return false;
        default:
          break;
      }
    }
    return true;
  }

  private finArrived(): void {
    this.acks.due = true;
    let timeWait = false;
    switch (this.stateValue) {
      case TcpState.ESTABLISHED:
        this.setState(TcpState.CLOSE_WAIT);
        break;
      case TcpState.FIN_WAIT_1:
        if (this.sender.finAcknowledged) timeWait = true;
        else this.setState(TcpState.CLOSING);
        break;
      case TcpState.FIN_WAIT_2:
        timeWait = true;
        break;
      default:
        break;
    }
    if (timeWait && !this.enterTimeWait(false)) {
      // maxTimeWait reached: acknowledge the FIN now and go straight to CLOSED (as Linux does
      // when its TIME_WAIT buckets run out).
      this.sendAck();
      this.events.end();
      if (!this.closed) this.finishOrderly();
      return;
    }
    this.events.end();
    if (timeWait && !this.closed) this.events.closed();
  }

  /** A RST that passed the RFC 5961 check. */
  private resetReceived(): void {
    switch (this.stateValue) {
      case TcpState.SYN_RECEIVED:
        this.terminate(this.active ? "ECONNREFUSED" : "ECONNRESET");
        break;
      case TcpState.CLOSING:
      case TcpState.LAST_ACK:
      case TcpState.TIME_WAIT:
        this.terminate(null);
        break;
      default:
        this.terminate("ECONNRESET");
    }
  }

  // ---------------------------------------------------------------- output

  private requestOutput(): void {
    if (!this.inInput) this.output();
  }

  /** Send whatever the windows, Nagle and the ACK policy allow. */
  private output(): void {
    if (this.inOutput || this.closed) return;
    this.inOutput = true;
    try {
      if (this.canSendData()) this.transmitQueued();
      if (this.acks.due) this.sendAck();
      if (!this.closed) this.recovery.update(this.sender, this.canSendData(), this.clock.now());
    } finally {
      this.inOutput = false;
    }
    this.reportActivity();
  }

  private transmitQueued(): void {
    const s = this.sender;
    const now = this.clock.now();
    // RFC 5681 §4.1: restart from the initial window after an idle period longer than the RTO.
    if (s.allAcknowledged && this.lastDataSentAt >= 0 && now - this.lastDataSentAt > s.rtt.rto) {
      s.congestion.restartAfterIdle();
      s.updatePacingRate(now);
    }
    let pipe = s.pipe();
    this.out.beginPass();
    for (let t = s.next(pipe, now); t !== null; t = s.next(pipe, now)) {
      this.transmit(t, now);
      pipe += t.len + (t.fin ? 1 : 0);
      if (!t.retransmit) this.recovery.restartProbe = true;
    }
    this.out.endPass();
    s.outputDone(pipe);
    if (s.pacingLimited) this.pacingTimer.start(s.pacer.delay(now));
    if (s.windowLimited && s.allAcknowledged && !this.persist.running) {
      this.recovery.retransmit.stop();
      this.persist.start();
    }
  }

  /** Send and account one data/FIN segment, starting the retransmission timer if it is not running. */
  private transmit(t: Transmission, now: number): void {
    this.sendTransmission(t, now);
    const rto = this.recovery.retransmit;
    if (!rto.running) rto.start(this.sender.rtt.rto);
  }

  /** Send one data/FIN segment and record it with the sender; no timer is touched. */
  private sendTransmission(t: Transmission, now: number): void {
    this.out.data(t);
    this.sender.sent(t, now);
    if (t.len > 0) this.lastDataSentAt = now;
  }

  /** The engine's receive burst is over: send the ACK that waited for it, if still owed. */
  flushDeferredAck(): void {
    if (!this.acks.burstEnded() || this.closed) return;
    this.acks.due = true;
    this.output();
  }

  private sendAck(): void {
    if (this.closed || this.stateValue === TcpState.SYN_SENT) return;
    this.out.ack();
  }

  /** The part of [seq, seq + len) below RCV.NXT, if any, arrived twice. */
  private duplicateBelowRcvNxt(seq: number, len: number): void {
    const rcvNxt = this.receiver.rcvNxt;
    if (len === 0 || !seqLt(seq, rcvNxt)) return;
    const end = seqAdd(seq, len);
    this.noteDuplicate(seq, seqLt(end, rcvNxt) ? end : rcvNxt);
  }

  /** A duplicate of [start, end) arrived: the next ACK reports it, at once (D-SACK, RFC 2883). */
  private noteDuplicate(start: number, end: number): void {
    if (!this.handshake.sack || !this.config.dsack) return;
    this.receiver.noteDuplicate(start, end);
    this.acks.due = true;
  }

  private challengeAck(): void {
    if (!this.invalidAckAllowed() || !this.ctx.allowChallengeAck()) return;
    this.counters.challengeAcksSent++;
    this.sendAck();
  }

  /**
   * ACK an invalid segment. One that carries data (and no SYN) is always answered: its sender is
   * retransmitting and needs our ACK, and data cannot bounce back and forth. Others (bare ACKs,
   * SYNs) at most once per invalidAckIntervalMs on this connection, as Linux does.
   */
  private answerInvalid(seg: TcpSegment): void {
    const carriesData = seg.payload.length > 0 || (seg.flags & TCP_FIN) !== 0;
    if ((carriesData && (seg.flags & TCP_SYN) === 0) || this.invalidAckAllowed()) this.acks.due = true;
  }

  private invalidAckAllowed(): boolean {
    const now = this.clock.now();
    if (now - this.lastInvalidAckAt < this.config.invalidAckIntervalMs) {
      this.counters.invalidAcksSuppressed++;
      return false;
    }
    this.lastInvalidAckAt = now;
    return true;
  }

  // ---------------------------------------------------------------- timers

  private onRetransmitTimeout(): void {
    const s = this.sender;
    const state = this.stateValue;
    const rto = this.recovery.retransmit;
    if (state === TcpState.SYN_SENT || state === TcpState.SYN_RECEIVED) {
      const handshake = this.handshake;
      if (handshake.retransmits >= this.config.synRetries) {
        this.terminate(this.softError ?? "ETIMEDOUT");
        return;
      }
      handshake.synResent();
      s.rtt.backoff();
      s.retransmits++;
      this.out.syn(state === TcpState.SYN_RECEIVED);
      rto.start(s.rtt.rto);
      return;
    }
    if (s.allAcknowledged || state === TcpState.CLOSED || state === TcpState.TIME_WAIT) return;
    if (s.timeouts >= this.config.dataRetries) {
      this.terminate(this.softError ?? "ETIMEDOUT");
      return;
    }
    s.onTimeout(this.clock.now());
    rto.start(s.rtt.rto);
    this.output();
  }

  /** RACK's reordering window has passed for a segment sent before one that was delivered. */
  private onReorderTimeout(): void {
    if (!this.canSendData()) return;
    this.sender.onReorderTimeout(this.clock.now());
    this.output();
  }

  /** RFC 8985 §7.3: the probe timer expired; send one probe and re-arm the retransmission timer. */
  private onLossProbeTimeout(): void {
    const s = this.sender;
    if (!this.canSendData() || !s.lossProbeAllowed) return;
    const probe = s.nextLossProbe();
    if (probe === null) return;
    this.sendTransmission(probe, this.clock.now());
    s.lossProbeSent(probe);
    this.recovery.retransmit.start(s.rtt.rto);
  }

  /** Zero-window probe (RFC 9293 §3.8.6.1), or a forced small segment when SWS avoidance stalls. */
  private onPersistTimeout(): void {
    const s = this.sender;
    const persist = this.persist;
    if (!this.canSendData()) return;
    if (persist.unanswered >= this.config.dataRetries) {
      this.terminate(this.softError ?? "ETIMEDOUT");
      return;
    }
    const now = this.clock.now();
    if (s.sndWnd === 0) {
      const probe = s.probe();
      if (probe === null) return;
      this.counters.windowProbes++;
      persist.probeSent();
      this.sendTransmission(probe, now); // the persist timer, not the RTO, covers it
    } else {
      // The window is open but smaller than what SWS avoidance waits for: send what fits.
      const len = Math.min(s.unsent, s.smss, Math.max(0, seqDiff(seqAdd(s.sndUna, s.sndWnd), s.sndNxt)));
      if (len > 0) this.transmit({ seq: s.sndNxt, len, fin: false, retransmit: false }, now);
    }
    persist.backOff();
    if (s.sndWnd === 0 || s.unsent > 0) persist.start();
  }

  private onKeepaliveTimeout(): void {
    const action = this.keepalive.expired(this.keepaliveApplies(), this.sender.allAcknowledged);
    if (action === KeepaliveAction.GiveUp) {
      this.terminate(this.softError ?? "ETIMEDOUT");
    } else if (action === KeepaliveAction.Probe) {
      this.counters.keepaliveProbes++;
      this.out.keepaliveProbe();
      this.keepalive.probeSent();
    }
  }

  private onStateTimeout(): void {
    switch (this.stateValue) {
      case TcpState.TIME_WAIT:
      case TcpState.FIN_WAIT_2:
        this.terminate(null);
        break;
      default:
        // Linger expired before the close finished.
        if (this.userClosed && !this.closed) this.abort();
    }
  }

  // ---------------------------------------------------------------- transitions

  private becomeEstablished(): void {
    this.setState(TcpState.ESTABLISHED);
    this.recovery.retransmit.stop();
    this.sender.updatePacingRate(this.clock.now()); // the initial window is paced too
    if (this.handshake.retransmits > 0) this.sender.rtt.useSynTimeoutFallback();
    this.keepalive.established();
    if (this.shutdownRequested) this.setState(TcpState.FIN_WAIT_1);
    if (this.active) this.events.connected();
    else this.owner?.handshakeCompleted(this);
  }

  /**
   * `announce` = emit "closed" now (the caller emits it itself when "end" must come first). False,
   * with nothing done, when the engine holds maxTimeWait connections in TIME_WAIT already.
   */
  private enterTimeWait(announce: boolean): boolean {
    if (!this.ctx.admitTimeWait(this)) return false;
    this.setState(TcpState.TIME_WAIT);
    this.recovery.stop();
    this.pacingTimer.stop();
    this.persist.stop();
    this.keepalive.stop();
    this.stateTimer.start(2 * this.config.mslMs);
    if (announce) this.events.closed();
    return true;
  }

  private finishOrderly(): void {
    this.events.closed();
    this.terminate(null);
  }

  /** Go to CLOSED: cancel every timer, tell the user (or the listener) why, leave the engine. */
  private terminate(reason: TcpDisconnectReason | null): void {
    if (this.closed) return;
    this.setState(TcpState.CLOSED);
    this.recovery.stop();
    this.pacingTimer.stop();
    this.persist.stop();
    this.acks.stop();
    this.keepalive.stop();
    this.stateTimer.stop();
    this.ctx.release(this);
    this.reportActivity();
    const owner = this.owner;
    this.owner = null;
    this.events.discard();
    if (owner !== null) owner.connectionLost(this, reason);
    else if (reason !== null) this.events.disconnect(reason);
  }

  private setState(state: TcpState): void {
    this.stateValue = state;
  }

  /** Tell the engine when `outstanding` changed, or the connection left the open states. */
  private reportActivity(): void {
    const outstanding = this.outstanding;
    const open = this.stateValue !== TcpState.CLOSED && this.stateValue !== TcpState.TIME_WAIT;
    if (outstanding === this.reportedOutstanding && open === this.reportedOpen) return;
    this.reportedOutstanding = outstanding;
    this.reportedOpen = open;
    this.ctx.activity(this);
  }

  // ---------------------------------------------------------------- user events

  /** Called by the listener when the user accepts this connection. */
  accepted(handlers: ConnectionHandlers): void {
    this.owner = null;
    this.events.release(handlers, () => !this.closed);
  }

  private readonly deliver = (data: Uint8Array, urgent: boolean): void => {
    if (!this.closed) this.events.data(data, urgent); // a callback may have aborted mid-delivery
  };

  /**
   * Tell a user whose piece was refused that a retry will succeed: once the buffer has drained to
   * half its size (hysteresis, as a STREAMS low-water mark), not counting data the receiver
   * already holds (SACKed behind a hole, it can keep the buffer above half while the sender runs
   * dry, and a lost retransmission with nothing sent after it is found only by the RTO); or at
   * once when the buffer has just grown.
   */
  private maybeWritable(grew: boolean): void {
    if (!this.wantWritable) return;
    const buf = this.sender.buffer;
    if (buf.free === 0) return;
    if (!grew && (buf.length - this.sender.scoreboard.sackedBytes) * 2 > buf.capacity) return;
    this.wantWritable = false;
    this.events.writable();
  }

  // ---------------------------------------------------------------- helpers

  private assertSending(): void {
    const s = this.stateValue;
    if (s === TcpState.CLOSED || s === TcpState.LISTEN) throw new TcpError("ENOTCONN", "connection is not open");
    if (this.shutdownRequested || this.userClosed) throw new TcpError("EPIPE", "connection was shut down for sending");
  }

  private isSynchronized(): boolean {
    const s = this.stateValue;
    return s !== TcpState.CLOSED && s !== TcpState.LISTEN && s !== TcpState.SYN_SENT && s !== TcpState.SYN_RECEIVED;
  }

  /** Synchronized, and the peer's FIN not yet received: new data from it may still come. */
  private peerMaySend(): boolean {
    const s = this.stateValue;
    return (s === TcpState.ESTABLISHED || s === TcpState.FIN_WAIT_1 || s === TcpState.FIN_WAIT_2) && !this.receiver.finReceived;
  }

  private canSendData(): boolean {
    const s = this.stateValue;
    return s === TcpState.ESTABLISHED || s === TcpState.CLOSE_WAIT || s === TcpState.FIN_WAIT_1 || s === TcpState.CLOSING || s === TcpState.LAST_ACK;
  }

  private receivingData(): boolean {
    const s = this.stateValue;
    return s === TcpState.ESTABLISHED || s === TcpState.FIN_WAIT_1 || s === TcpState.FIN_WAIT_2 || s === TcpState.SYN_RECEIVED;
  }

  private keepaliveApplies(): boolean {
    const s = this.stateValue;
    return s === TcpState.ESTABLISHED || s === TcpState.CLOSE_WAIT || s === TcpState.FIN_WAIT_2;
  }
}
