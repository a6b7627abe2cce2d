/**
 * One TCP connection: the RFC 9293 state machine (§3.10 event processing) tying together the
 * receiver, the sender, option negotiation, the timers and the user-facing callbacks.
 *
 * Reentrancy: user callbacks run synchronously from inside segment processing and may call back
 * into the connection (send, consumed, shutdown, abort...). Output requested during input is
 * deferred to the end of that input; after every callback the processing checks whether the
 * callback closed the connection.
 */
import type { Clock } from "../../clock.js";
import type { Random } from "../../random.js";
import { TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, TCP_URG, type TcpOptions, type TcpSegment } from "../../wire/tcp-segment.js";
import type { AddressPort, IpSendOptions } from "../transport-host.js";
import type { TcpConfig } from "./config.js";
import { DeadlineTimer } from "./deadline-timer.js";
import { ConnectionEvents } from "./events.js";
import { DEFAULT_PEER_MSS, MIN_SEND_MSS, negotiateOptions, windowShiftFor } from "./options.js";
import { Arrival, TcpReceiver } from "./receiver.js";
import { RttEstimator } from "./rtt.js";
import { TcpSender, type Transmission } from "./sender.js";
import { seqAdd, seqDiff, seqGt, seqLe, seqLt } from "./seq.js";
import {
  TcpError,
  TcpState,
  type ConnectionHandlers,
  type ConnectionStats,
  type TcpConnectionInfo,
  type TcpDisconnectReason,
} from "./types.js";

/** RFC 7323 §5.5: TS.Recent is invalid after 24 days of idleness. */
const PAWS_IDLE_LIMIT_MS = 24 * 24 * 3600 * 1000;
const EMPTY = new Uint8Array(0);
/** A TCP header with the most options, which a super-segment's header never exceeds. */
const TCP_MAX_HEADER = 60;

/** An IP header byte (TTL from 1, TOS from 0), or EINVAL. */
export function checkIpByte(value: number, min: number, what: string): void {
  if (!Number.isInteger(value) || value < min || value > 255) throw new TcpError("EINVAL", `bad ${what} ${value}`);
}

/**
 * ACKs a connection sends every second segment, coalescing none, when data starts to flow and
 * again after the data stopped for longer than an RTO (Linux's TCP_MAX_QUICKACKS, 16).
 */
export const QUICK_ACKS = 16;

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

export interface KeepaliveOptions {
  idleMs?: number;
  intervalMs?: number;
  count?: number;
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
  private owner: PassiveOwner | null;
  private readonly ourMss: number;
  private readonly offeredWindowShift: number;

  // Negotiated options.
  private windowScaling = false;
  private sackOk = false;
  private timestampsOk = false;
  private readonly timestampOffset: number;
  private tsRecent = 0;
  private tsRecentAt = -1;
  /** RFC 7323 Last.ACK.sent. */
  private lastAckSent = 0;

  // Timers.
  private readonly retransmitTimer: DeadlineTimer;
  /** RACK's reordering timer (RFC 8985 §6.2 step 5). */
  private readonly reorderTimer: DeadlineTimer;
  /** The tail loss probe timer (PTO, RFC 8985 §7.2). */
  private readonly lossProbeTimer: DeadlineTimer;
  /** New data left or an ACK advanced SND.UNA since the probe timer was last set: restart it. */
  private lossProbeRestart = false;
  /** Pacing held transmissions back: output again when the pacer has credit (pacer.ts). */
  private readonly pacingTimer: DeadlineTimer;
  private readonly persistTimer: DeadlineTimer;
  private readonly delayedAckTimer: DeadlineTimer;
  private readonly keepaliveTimer: DeadlineTimer;
  /** TIME_WAIT, orphaned FIN_WAIT_2 and linger share this one: they never overlap. */
  private readonly stateTimer: DeadlineTimer;
  private synRetransmits = 0;
  private synSentAt = 0;
  private persistBackoff = 0;
  private probesUnanswered = 0;
  private keepaliveUnanswered = 0;
  private lastDataSentAt = -1;
  /**
   * New data gathered during one output pass to leave as one super-segment when the link segments
   * TCP itself (one frame and one kernel packet instead of one per SMSS): its start and length,
   * whether it ends with the FIN, and how much data one may carry (0: send segment by segment).
   */
  private superSeq = 0;
  private superLen = 0;
  private superFin = false;
  private superRoom = 0;

  // User-side state.
  private keepaliveOn = false;
  private keepaliveIdleMs: number;
  private keepaliveIntervalMs: number;
  private keepaliveCount: number;
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
  private ackNow = false;
  /** An ACK owed for in-order data waits for the end of the link's receive burst. */
  private ackDeferred = false;
  /** ACKs still to send at once, every second segment, before bursts are answered once (QUICK_ACKS). */
  private quickAcks = 0;
  /** When data last arrived (-Infinity: never). */
  private lastDataAt = -Infinity;
  private inInput = false;
  private inOutput = false;

  private readonly counters = {
    segmentsSent: 0,
    segmentsReceived: 0,
    bytesReceived: 0,
    windowProbes: 0,
    keepaliveProbes: 0,
    pawsDrops: 0,
    challengeAcksSent: 0,
    invalidAcksSuppressed: 0,
    outOfOrderSegments: 0,
    dsacksSent: 0,
  };

  constructor(ctx: ConnectionContext, setup: ConnectionSetup) {
    this.ctx = ctx;
    this.config = ctx.config;
    this.clock = ctx.clock;
    this.local = { ...setup.local };
    this.remote = { ...setup.remote };
    this.events = new ConnectionEvents(setup.handlers, setup.owner !== null);
    this.owner = setup.owner;
    this.active = setup.owner === null;
    this.ourMss = setup.ourMss;
    this.timestampOffset = setup.timestampOffset;
    this.keepaliveIdleMs = this.config.keepaliveIdleMs;
    this.keepaliveIntervalMs = this.config.keepaliveIntervalMs;
    this.keepaliveCount = this.config.keepaliveCount;
    this.offeredWindowShift = this.config.windowScaling ? windowShiftFor(setup.receiveBufferSize) : 0;
    const rtt = new RttEstimator(this.config.rtoMinMs, this.config.rtoMaxMs, this.config.rtoInitialMs);
    this.sender = new TcpSender(setup.iss, Math.max(MIN_SEND_MSS, Math.min(DEFAULT_PEER_MSS, setup.ourMss)), setup.sendBufferSize, rtt, {
      congestionControl: this.config.congestionControl,
      lossProbes: this.config.lossProbes,
      lossProbeMinMs: this.config.lossProbeMinMs,
      random: ctx.random,
      sendBufferGrowsTo: setup.sendBufferGrowsTo,
    });
    this.receiver = new TcpReceiver(setup.receiveBufferSize, setup.ourMss, this.deliver, this.config.unreadAllowance);
    this.retransmitTimer = new DeadlineTimer(this.clock, () => this.onRetransmitTimeout());
    this.reorderTimer = new DeadlineTimer(this.clock, () => this.onReorderTimeout());
    this.lossProbeTimer = new DeadlineTimer(this.clock, () => this.onLossProbeTimeout());
    this.pacingTimer = new DeadlineTimer(this.clock, () => this.output());
    this.persistTimer = new DeadlineTimer(this.clock, () => this.onPersistTimeout());
    this.delayedAckTimer = new DeadlineTimer(this.clock, () => this.sendAck());
    this.keepaliveTimer = new DeadlineTimer(this.clock, () => this.onKeepaliveTimeout());
    this.stateTimer = new DeadlineTimer(this.clock, () => this.onStateTimeout());
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
      windowScaling: this.windowScaling,
      sendWindowScale: this.sender.windowScale,
      receiveWindowScale: this.receiver.windowScale,
      sack: this.sackOk,
      timestamps: this.timestampsOk,
    };
  }

  stats(): ConnectionStats {
    const s = this.sender;
    return {
      ...this.counters,
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
      this.ackNow = true;
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
    if (s !== TcpState.SYN_SENT && s !== TcpState.TIME_WAIT) this.sendReset();
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
    this.keepaliveOn = on;
    if (options.idleMs !== undefined) this.keepaliveIdleMs = options.idleMs;
    if (options.intervalMs !== undefined) this.keepaliveIntervalMs = options.intervalMs;
    if (options.count !== undefined) this.keepaliveCount = options.count;
    this.keepaliveUnanswered = 0;
    if (on && this.keepaliveApplies()) this.keepaliveTimer.start(this.keepaliveIdleMs);
    else this.keepaliveTimer.stop();
  }

  /** SO_LINGER: null = off; 0 = close() resets; otherwise close() resets if not finished within `ms`. */
  setLinger(ms: number | null): void {
    this.lingerMs = ms;
  }

  get linger(): number | null {
    return this.lingerMs;
  }

  get keepAlive(): Required<KeepaliveOptions> & { on: boolean } {
    return { on: this.keepaliveOn, idleMs: this.keepaliveIdleMs, intervalMs: this.keepaliveIntervalMs, count: this.keepaliveCount };
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
    this.sendSyn(false);
    this.sender.synSent();
    this.retransmitTimer.start(this.sender.rtt.rto);
    this.reportActivity();
  }

  /** Passive open: a listener got this SYN. */
  openPassive(syn: TcpSegment): void {
    this.receiver.start(syn.seq);
    this.negotiate(syn.options);
    this.sender.initWindow(syn.seq, this.sender.iss, syn.window);
    if (syn.options.timestamp !== undefined && this.timestampsOk) this.setTsRecent(syn.options.timestamp.value);
    this.setState(TcpState.SYN_RECEIVED);
    this.sendSyn(true);
    this.sender.synSent();
    this.retransmitTimer.start(this.sender.rtt.rto);
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
    this.negotiate(peer);
    const s = this.sender;
    s.synSent();
    s.synAcknowledged();
    s.initWindow(seqAdd(ack.seq, -1), ack.ack, 0);
    s.updateWindow(ack.seq, ack.ack, ack.window, true);
    if (peer.timestamp !== undefined && this.timestampsOk) this.setTsRecent(peer.timestamp.value);
    this.lastAckSent = this.receiver.rcvNxt;
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
    if (this.timestampsOk && ts !== undefined) return seqGt(ts.value, this.tsRecent);
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
    if (this.isSynchronized() && this.stateValue !== TcpState.TIME_WAIT) this.sendReset();
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
        if ((flags & TCP_RST) === 0) this.sendBareReset(seg.ack);
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
    this.negotiate(seg.options);
    if (seg.options.timestamp !== undefined && this.timestampsOk) this.setTsRecent(seg.options.timestamp.value);
    if (ackOk) {
      s.synAcknowledged();
      s.initWindow(seg.seq, seg.ack, seg.window);
      this.synRttSample(seg);
      this.ackNow = true;
      this.becomeEstablished();
      return;
    }
    // Simultaneous open: answer with SYN-ACK for the same ISS.
    s.initWindow(seg.seq, s.iss, seg.window);
    this.setState(TcpState.SYN_RECEIVED);
    this.sendSyn(true);
    this.retransmitTimer.start(s.rtt.rto);
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
      this.sendSyn(true); // the peer retransmitted its SYN: our SYN-ACK was lost
      return;
    }
    this.noteActivity();

    // PAWS (RFC 7323 §5.3): an old duplicate carries an older timestamp than TS.Recent.
    if (this.timestampsOk && ts !== undefined && !rst && this.tsRecentAt >= 0 && seqLt(ts.value, this.tsRecent)) {
      if (this.clock.now() - this.tsRecentAt <= PAWS_IDLE_LIMIT_MS) {
        this.counters.pawsDrops++;
        // The usual old duplicate: an original that arrives after its retransmission. Its data
        // below RCV.NXT is reported as a D-SACK, which is how the sender learns the resend was spurious.
        this.duplicateBelowRcvNxt(seq, payload.length);
        this.answerInvalid(seg);
        return;
      }
      this.tsRecentAt = -1;
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
      this.ackNow = true; // tell the peer again where the window ends
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
    if (ts !== undefined && this.timestampsOk && seqLe(seg.seq, this.lastAckSent) && (this.tsRecentAt < 0 || !seqLt(ts.value, this.tsRecent))) {
      this.setTsRecent(ts.value);
    }

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
      const now = this.clock.now();
      if (now - this.lastDataAt > this.sender.rtt.rto) this.quickAcks = QUICK_ACKS; // the sender starts (again) from its initial window
      this.lastDataAt = now;
      const arrival = rcv.accept(seq, payload);
      if (this.closed) return;
      const duplicate = arrival === Arrival.OutOfOrder ? rcv.queue.duplicate : null;
      if (duplicate !== null) this.noteDuplicate(duplicate[0], duplicate[1]);
      if (arrival === Arrival.OutOfOrder) this.counters.outOfOrderSegments++;
      if (arrival === Arrival.OutOfOrder || arrival === Arrival.FilledHole) this.ackNow = true;
      else if (rcv.unackedBytes >= 2 * rcv.rcvMss && !this.deferAck()) this.ackNow = true;
      else if (arrival === Arrival.InOrder) this.delayedAckTimer.ensure(this.config.delayedAckMs);
    }

    if (fin && receiving) {
      if (rcv.noteFin(seqAdd(seq, payload.length))) this.finArrived();
      else this.ackNow = true;
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
      this.ackNow = true;
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
        this.sendBareReset(ack);
        return false;
      }
      if (this.owner !== null && !this.owner.canComplete()) return false;
      s.synAcknowledged();
      s.updateWindow(seg.seq, ack, seg.window, true);
      this.synRttSample(seg);
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
    const tsRtt = this.timestampsOk && ts !== undefined && seqGt(ack, s.sndUna) ? seqDiff(this.timestampNow(), ts.echo) : -1;
    const result = s.onAck(ack, seg.options.sack, duplicate, tsRtt, now, this.echoTime(ts));
    if (result.advanced) this.lossProbeRestart = true;
    // Any answer keeps a closed window alive indefinitely (RFC 1122 §4.2.2.17).
    this.probesUnanswered = 0;
    if (result.advanced) {
      // With the window closed the persist timer, not the retransmission timer, runs (below).
      if (s.allAcknowledged || s.sndWnd === 0) this.retransmitTimer.stop();
      else this.retransmitTimer.start(s.rtt.rto);
    }
    this.maybeWritable(s.buffer.capacity > bufferBefore);
    if (this.closed) return false;
    if (s.sndWnd === 0) {
      // The peer shrank its window onto data in flight (Linux does under memory pressure): probe
      // it in the standard way instead of timing the connection out (RFC 1122 §4.2.2.16).
      if (!s.allAcknowledged && !this.persistTimer.running) {
        this.retransmitTimer.stop();
        this.persistTimer.start(this.persistInterval());
      }
    } else if (windowBefore === 0 || this.persistTimer.running) {
      this.persistTimer.stop();
      this.persistBackoff = 0;
      if (windowBefore === 0 && !s.allAcknowledged) {
        // What was in flight beyond the old edge was dropped: resend it now, not after an RTO.
        s.windowReopened();
        this.retransmitTimer.ensure(s.rtt.rto);
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
    this.ackNow = true;
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
      if (this.ackNow && !this.closed && this.stateValue !== TcpState.SYN_SENT) this.sendAck();
      if (!this.closed) this.updateLossTimers();
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
    this.superRoom = this.superSegmentRoom();
    for (let t = s.next(pipe, now); t !== null; t = s.next(pipe, now)) {
      this.transmit(t, now);
      pipe += t.len + (t.fin ? 1 : 0);
      if (!t.retransmit) this.lossProbeRestart = true;
    }
    this.flushSuperSegment();
    this.superRoom = 0;
    s.outputDone(pipe);
    if (s.pacingLimited) this.pacingTimer.start(s.pacer.delay(now));
    if (s.windowLimited && s.allAcknowledged && !this.persistTimer.running) {
      this.retransmitTimer.stop();
      this.persistTimer.start(this.persistInterval());
    }
  }

  /** Build, send and account one data/FIN segment. */
  private transmit(t: Transmission, now: number): void {
    this.sendTransmission(t, now);
    if (!this.retransmitTimer.running) this.retransmitTimer.start(this.sender.rtt.rto);
  }

  /** Build and send one data/FIN segment and record it with the sender; no timer is touched. */
  private sendTransmission(t: Transmission, now: number): void {
    const s = this.sender;
    const sack = this.pendingSackBlocks();
    if (sack === undefined && this.superRoom > 0 && !t.retransmit && t.len > 0 && !s.urgentActive) {
      this.gather(t);
      s.sent(t, now);
      this.lastDataSentAt = now;
      return;
    }
    this.flushSuperSegment();
    if (sack !== undefined) {
      // The SACK option eats payload room (RFC 6691: MSS excludes options).
      const room = s.smss - (4 + 8 * sack.length);
      if (t.len > room) {
        t.len = room;
        t.fin = false;
      }
    }
    let flags = TCP_ACK;
    if (t.fin) flags |= TCP_FIN;
    if (t.len > 0 && seqAdd(t.seq, t.len) === s.buffer.endSeq) flags |= TCP_PSH;
    const payload = t.len > 0 ? s.buffer.slice(t.seq, t.len) : EMPTY;
    this.emit(t.seq, flags, payload, sack);
    s.sent(t, now);
    if (t.len > 0) this.lastDataSentAt = now;
  }

  /** Data bytes one super-segment may carry in this output pass: whole SMSS, at least two; else 0. */
  private superSegmentRoom(): number {
    const smss = this.sender.smss;
    const max = this.ctx.maxSuperSegment(this);
    const room = max > TCP_MAX_HEADER ? Math.floor((max - TCP_MAX_HEADER) / smss) * smss : 0;
    return room >= 2 * smss ? room : 0;
  }

  /** Add new data to the super-segment, sending the one gathered first unless `t` continues it. */
  private gather(t: Transmission): void {
    const smss = this.sender.smss;
    const continues = this.superLen > 0 && t.seq === seqAdd(this.superSeq, this.superLen) && !this.superFin && this.superLen % smss === 0 && this.superLen + t.len <= this.superRoom;
    if (!continues) {
      this.flushSuperSegment();
      this.superSeq = t.seq;
    }
    this.superLen += t.len;
    this.superFin = t.fin;
  }

  /** Send the gathered data: every segment but the last is a full SMSS, the FIN and PSH end it. */
  private flushSuperSegment(): void {
    const len = this.superLen;
    if (len === 0) return;
    this.superLen = 0;
    const s = this.sender;
    let flags = TCP_ACK;
    if (this.superFin) flags |= TCP_FIN;
    if (seqAdd(this.superSeq, len) === s.buffer.endSeq) flags |= TCP_PSH;
    this.emit(this.superSeq, flags, s.buffer.slice(this.superSeq, len), undefined, len > s.smss ? s.smss : 0);
  }

  /**
   * The ACK owed for every second full-sized segment may wait for the end of the receive burst
   * (TcpConfig.ackCoalescing): true when it will, the delayed-ACK timer standing by in case the
   * burst's end never comes (the device closed under it). Not while quick ACKs are due: a sender
   * in slow start that counts ACKs, or caps its growth per ACK (RFC 3465's L), needs them.
   */
  private deferAck(): boolean {
    const rcv = this.receiver;
    const limit = Math.min(this.config.ackCoalescing, rcv.bufferSize >> 2);
    if (rcv.unackedBytes >= limit || this.ackNow) return false;
    if (this.quickAcks > 0) {
      this.quickAcks--;
      return false;
    }
    if (!this.ackDeferred) {
      if (!this.ctx.deferAck(this)) return false;
      this.ackDeferred = true;
    }
    return true;
  }

  /** The engine's receive burst is over: send the ACK that waited for it, if still owed. */
  flushDeferredAck(): void {
    if (!this.ackDeferred) return;
    this.ackDeferred = false;
    if (this.closed || this.receiver.unackedBytes === 0) return;
    this.ackNow = true;
    this.output();
  }

  private sendAck(): void {
    if (this.closed || this.stateValue === TcpState.SYN_SENT) return;
    this.emit(this.sender.sndNxt, TCP_ACK, EMPTY, this.pendingSackBlocks());
  }

  private sendSyn(withAck: boolean): void {
    const s = this.sender;
    const options: TcpOptions = { mss: this.ourMss };
    if (withAck) {
      if (this.windowScaling) options.windowScale = this.receiver.windowScale;
      if (this.sackOk) options.sackPermitted = true;
      if (this.timestampsOk) options.timestamp = { value: this.timestampNow(), echo: this.tsRecent };
    } else {
      if (this.config.windowScaling) options.windowScale = this.offeredWindowShift;
      if (this.config.sack) options.sackPermitted = true;
      if (this.config.timestamps) options.timestamp = { value: this.timestampNow(), echo: 0 };
    }
    const window = withAck ? this.receiver.windowField(false) : Math.min(0xffff, this.receiver.bufferSize);
    this.synSentAt = this.clock.now();
    this.sendSegment({ seq: s.iss, ack: withAck ? this.receiver.rcvNxt : 0, flags: withAck ? TCP_SYN | TCP_ACK : TCP_SYN, window, options });
    if (withAck) this.lastAckSent = this.receiver.rcvNxt;
  }

  /** Every non-SYN segment we send goes through here: ACK, window, timestamps, SACK, URG. */
  private emit(seq: number, flags: number, payload: Uint8Array, sack: Array<[number, number]> | undefined, segmentSize = 0): void {
    const s = this.sender;
    const rcv = this.receiver;
    const options: TcpOptions = {};
    if (this.timestampsOk) options.timestamp = { value: this.timestampNow(), echo: this.tsRecent };
    if (sack !== undefined) options.sack = sack;
    let urgentPointer = 0;
    if (s.urgentActive && seqGt(s.sndUp, seq)) {
      flags |= TCP_URG;
      urgentPointer = Math.min(0xffff, seqDiff(s.sndUp, seq));
    }
    this.sendSegment({ seq, ack: rcv.rcvNxt, flags, window: rcv.windowField(true), urgentPointer, options, payload }, segmentSize);
    this.lastAckSent = rcv.rcvNxt;
    this.ackNow = false;
    rcv.unackedBytes = 0;
    this.delayedAckTimer.lapse();
  }

  /** Send a segment of this connection: its ports, and no window, urgent pointer, options or data unless given. */
  private sendSegment(fields: Pick<TcpSegment, "seq" | "ack" | "flags"> & Partial<Pick<TcpSegment, "window" | "urgentPointer" | "options" | "payload">>, segmentSize = 0): void {
    const seg: TcpSegment = { srcPort: this.local.port, dstPort: this.remote.port, window: 0, urgentPointer: 0, options: {}, payload: EMPTY, ...fields };
    this.counters.segmentsSent += segmentSize > 0 ? Math.ceil(seg.payload.length / segmentSize) : 1;
    this.ctx.transmit(this, seg, segmentSize);
  }

  private pendingSackBlocks(): Array<[number, number]> | undefined {
    const rcv = this.receiver;
    if (!this.sackOk || (rcv.queue.isEmpty && !rcv.dsackPending)) return undefined;
    if (rcv.dsackPending) this.counters.dsacksSent++;
    return rcv.sackBlocks(this.timestampsOk ? 3 : 4);
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
    if (!this.sackOk || !this.config.dsack) return;
    this.receiver.noteDuplicate(start, end);
    this.ackNow = true;
  }

  /**
   * <SEQ=SND.NXT><ACK=RCV.NXT><CTL=RST,ACK>, for abort and data after close. SND.NXT is capped at
   * the right edge of the peer's window (SND.UNA + SND.WND), as Linux's tcp_acceptable_seq() does:
   * a zero-window probe, or a window the peer shrank onto data in flight, leaves SND.NXT beyond
   * it, where the peer drops the RST unseen (RFC 9293 §3.10.7.4: a zero window accepts only
   * RCV.NXT) instead of resetting or challenging (RFC 5961 §3.2). SND.NXT never counts data queued
   * and not yet sent. In SYN_RECEIVED the peer's window is its SYN's: SND.NXT (ISS + 1) is kept.
   */
  private sendReset(): void {
    const s = this.sender;
    const edge = seqAdd(s.sndUna, s.sndWnd);
    const seq = this.stateValue !== TcpState.SYN_RECEIVED && seqGt(s.sndNxt, edge) ? edge : s.sndNxt;
    this.sendSegment({ seq, ack: this.receiver.rcvNxt, flags: TCP_RST | TCP_ACK });
  }

  /** <SEQ=SEG.ACK><CTL=RST> for an unacceptable ACK in SYN_SENT or SYN_RECEIVED. */
  private sendBareReset(seq: number): void {
    this.sendSegment({ seq, ack: 0, flags: TCP_RST });
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
    if ((carriesData && (seg.flags & TCP_SYN) === 0) || this.invalidAckAllowed()) this.ackNow = true;
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
    if (state === TcpState.SYN_SENT || state === TcpState.SYN_RECEIVED) {
      if (this.synRetransmits >= this.config.synRetries) {
        this.terminate(this.softError ?? "ETIMEDOUT");
        return;
      }
      this.synRetransmits++;
      s.rtt.backoff();
      s.retransmits++;
      this.sendSyn(state === TcpState.SYN_RECEIVED);
      this.retransmitTimer.start(s.rtt.rto);
      return;
    }
    if (s.allAcknowledged || state === TcpState.CLOSED || state === TcpState.TIME_WAIT) return;
    if (s.timeouts >= this.config.dataRetries) {
      this.terminate(this.softError ?? "ETIMEDOUT");
      return;
    }
    s.onTimeout(this.clock.now());
    this.retransmitTimer.start(s.rtt.rto);
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
    this.retransmitTimer.start(s.rtt.rto);
  }

  /**
   * After input or output, RACK's reordering timer follows the sender's deadline, and the probe
   * timer is (re)started when new data left or SND.UNA advanced, while a probe is allowed
   * (RFC 8985 §7.2); it never outlives the retransmission timer.
   */
  private updateLossTimers(): void {
    const s = this.sender;
    const now = this.clock.now();
    if (s.reorderDeadline >= 0 && this.canSendData()) this.reorderTimer.start(s.reorderDeadline - now);
    else this.reorderTimer.stop();
    const restart = this.lossProbeRestart;
    this.lossProbeRestart = false;
    if (!this.canSendData() || !s.lossProbeAllowed || !this.retransmitTimer.running) {
      this.lossProbeTimer.stop();
      return;
    }
    if (!restart && this.lossProbeTimer.running) return;
    const pto = s.lossProbeTimeout(this.retransmitTimer.remaining);
    if (pto === null) this.lossProbeTimer.stop();
    else this.lossProbeTimer.start(pto);
  }

  private persistInterval(): number {
    const rtt = this.sender.rtt;
    const base = rtt.hasSample ? rtt.rto : this.config.rtoInitialMs;
    return Math.min(this.config.rtoMaxMs, Math.max(this.config.rtoMinMs, base) * 2 ** this.persistBackoff);
  }

  /** Zero-window probe (RFC 9293 §3.8.6.1), or a forced small segment when SWS avoidance stalls. */
  private onPersistTimeout(): void {
    const s = this.sender;
    if (!this.canSendData()) return;
    if (this.probesUnanswered >= this.config.dataRetries) {
      this.terminate(this.softError ?? "ETIMEDOUT");
      return;
    }
    const now = this.clock.now();
    if (s.sndWnd === 0) {
      const probe = s.probe();
      if (probe === null) return;
      this.counters.windowProbes++;
      this.probesUnanswered++;
      this.sendTransmission(probe, now); // the persist timer, not the RTO, covers it
    } else {
      // The window is open but smaller than what SWS avoidance waits for: send what fits.
      const len = Math.min(s.unsent, s.smss, Math.max(0, seqDiff(seqAdd(s.sndUna, s.sndWnd), s.sndNxt)));
      if (len > 0) this.transmit({ seq: s.sndNxt, len, fin: false, retransmit: false }, now);
    }
    this.persistBackoff++;
    if (s.sndWnd === 0 || s.unsent > 0) this.persistTimer.start(this.persistInterval());
  }

  private onKeepaliveTimeout(): void {
    if (!this.keepaliveOn || !this.keepaliveApplies()) return;
    if (!this.sender.allAcknowledged) {
      this.keepaliveTimer.start(this.keepaliveIdleMs); // retransmissions cover this case
      return;
    }
    if (this.keepaliveUnanswered >= this.keepaliveCount) {
      this.terminate(this.softError ?? "ETIMEDOUT");
      return;
    }
    this.keepaliveUnanswered++;
    this.counters.keepaliveProbes++;
    // SEG.SEQ = SND.NXT - 1 with no data: outside the peer's window, so it must answer with an ACK.
    this.emit(seqAdd(this.sender.sndNxt, -1), TCP_ACK, EMPTY, undefined);
    this.keepaliveTimer.start(this.keepaliveIntervalMs);
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

  private noteActivity(): void {
    this.keepaliveUnanswered = 0;
    if (this.keepaliveOn && this.keepaliveApplies()) this.keepaliveTimer.start(this.keepaliveIdleMs);
  }

  // ---------------------------------------------------------------- transitions

  private becomeEstablished(): void {
    this.setState(TcpState.ESTABLISHED);
    this.retransmitTimer.stop();
    this.sender.updatePacingRate(this.clock.now()); // the initial window is paced too
    if (this.synRetransmits > 0) this.sender.rtt.useSynTimeoutFallback();
    if (this.keepaliveOn) this.keepaliveTimer.start(this.keepaliveIdleMs);
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
    this.retransmitTimer.stop();
    this.reorderTimer.stop();
    this.lossProbeTimer.stop();
    this.pacingTimer.stop();
    this.persistTimer.stop();
    this.keepaliveTimer.stop();
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
    this.retransmitTimer.stop();
    this.reorderTimer.stop();
    this.lossProbeTimer.stop();
    this.pacingTimer.stop();
    this.persistTimer.stop();
    this.delayedAckTimer.stop();
    this.keepaliveTimer.stop();
    this.stateTimer.stop();
    this.ackNow = false;
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

  /** Apply RFC 7323 / 2018 / MSS negotiation from the peer's SYN options. */
  private negotiate(peer: TcpOptions): void {
    const c = this.config;
    const n = negotiateOptions(
      { windowScaling: c.windowScaling, sack: c.sack, timestamps: c.timestamps, windowShift: this.offeredWindowShift, mss: this.ourMss },
      peer,
    );
    this.windowScaling = n.windowScaling;
    this.sackOk = n.sack;
    this.timestampsOk = n.timestamps;
    this.sender.windowScale = n.sendWindowShift;
    this.receiver.windowScale = n.receiveWindowShift;
    this.sender.sackEnabled = n.sack;
    this.sender.timestampsEnabled = n.timestamps;
    this.sender.negotiatedMss(n.sendMss);
    this.receiver.maxSegment = n.receiveMss;
  }

  /** Path MTU shrank (ICMP fragmentation needed). */
  private synRttSample(seg: TcpSegment): void {
    if (this.synRetransmits > 0) return; // Karn: the SYN was sent more than once
    const ts = seg.options.timestamp;
    const rtt = this.sender.rtt;
    if (this.timestampsOk && ts !== undefined) rtt.sample(seqDiff(this.timestampNow(), ts.echo));
    else rtt.sample(this.clock.now() - this.synSentAt);
  }

  private setTsRecent(value: number): void {
    this.tsRecent = value;
    this.tsRecentAt = this.clock.now();
  }

  /** When the timestamp this option echoes was sent (clock ms, floored), or null without one. */
  private echoTime(ts: { echo: number } | undefined): number | null {
    if (!this.timestampsOk || ts === undefined) return null;
    const age = seqDiff(this.timestampNow(), ts.echo);
    return age >= 0 ? Math.floor(this.clock.now()) - age : null;
  }

  /** Our timestamp clock: 1 ms ticks plus the per-connection offset (RFC 7323 §5.4). */
  private timestampNow(): number {
    return (Math.floor(this.clock.now()) + this.timestampOffset) >>> 0;
  }

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
