/**
 * When a connection acknowledges data (RFC 9293 §3.8.6.3, RFC 5681 §4.2): at once for
 * out-of-order data and filled holes, and for whatever the state machine wants answered (`due`);
 * for every second full-sized segment, that ACK waiting for the end of the link's receive burst
 * (up to TcpConfig.ackCoalescing) except while quick ACKs are due; otherwise within the
 * delayed-ACK time. Every segment the connection sends carries the ACK (sent()).
 */
import type { Clock } from "../../clock.js";
import type { TcpConfig } from "./config.js";
import { DeadlineTimer } from "./deadline-timer.js";
import { Arrival, type TcpReceiver } from "./receiver.js";

/**
 * ACKs a connection sends every second segment, coalescing none, when data starts to flow and
 * again after the data stopped for longer than an RTO (Linux's TCP_MAX_QUICKACKS, 16).
 */
export const QUICK_ACKS = 16;

export class AckPolicy {
  /** An ACK is owed now: the connection's next output sends one. */
  due = false;
  /** The ACK owed waits for the end of the link's receive burst. */
  private deferred = false;
  /** ACKs still to send at once, every second segment, before bursts are answered once. */
  private quickAcks = 0;
  /** When data last arrived (-Infinity: never). */
  private lastDataAt = -Infinity;
  private readonly delayedAckTimer: DeadlineTimer;

  constructor(
    private readonly config: TcpConfig,
    clock: Clock,
    private readonly receiver: TcpReceiver,
    /** Ask the engine to call back at the end of the receive burst under way; false: none is. */
    private readonly deferToBurstEnd: () => boolean,
    /** The delayed-ACK time ran out: send the ACK. */
    sendAck: () => void,
  ) {
    this.delayedAckTimer = new DeadlineTimer(clock, sendAck);
  }

  /**
   * Data was accepted at `now`: decide when to acknowledge it. `rto` tells whether the data had
   * stopped long enough for the sender to start again from its initial window.
   */
  dataArrived(arrival: Arrival, now: number, rto: number): void {
    if (now - this.lastDataAt > rto) this.quickAcks = QUICK_ACKS;
    this.lastDataAt = now;
    const rcv = this.receiver;
    if (arrival === Arrival.OutOfOrder || arrival === Arrival.FilledHole) this.due = true;
    else if (rcv.unackedBytes >= 2 * rcv.rcvMss && !this.defer()) this.due = true;
    else if (arrival === Arrival.InOrder) this.delayedAckTimer.ensure(this.config.delayedAckMs);
  }

  /**
   * The ACK owed for every second full-sized segment may wait for the end of the receive burst:
   * true when it will, the delayed-ACK timer standing by in case the burst's end never comes (the
   * device closed under it). Not while quick ACKs are due: a sender in slow start that counts
   * ACKs, or caps its growth per ACK (RFC 3465's L), needs them.
   */
  private defer(): boolean {
    const rcv = this.receiver;
    const limit = Math.min(this.config.ackCoalescing, rcv.bufferSize >> 2);
    if (rcv.unackedBytes >= limit || this.due) return false;
    if (this.quickAcks > 0) {
      this.quickAcks--;
      return false;
    }
    if (!this.deferred) {
      if (!this.deferToBurstEnd()) return false;
      this.deferred = true;
    }
    return true;
  }

  /** The receive burst ended: true when the ACK that waited for it is still owed. */
  burstEnded(): boolean {
    if (!this.deferred) return false;
    this.deferred = false;
    return this.receiver.unackedBytes > 0;
  }

  /** A segment carrying our ACK of everything received left: nothing is owed. */
  sent(): void {
    this.due = false;
    this.receiver.unackedBytes = 0;
    this.delayedAckTimer.lapse();
  }

  /** The connection closed. */
  stop(): void {
    this.due = false;
    this.delayedAckTimer.stop();
  }
}
