/**
 * Delivery rate estimation (draft-cheng-iccrg-delivery-rate-estimation): how fast the network
 * delivered our data lately, measured per ACK, for model-based congestion control (BBR).
 *
 * Each transmission is stamped with the connection's delivery state at that moment: how many
 * bytes had been delivered so far (C.delivered), when the last delivery happened
 * (C.delivered_time), when the flight that the transmission belongs to began (C.first_sent_time),
 * and whether the sender was application-limited. When an ACK delivers segments, the newest of
 * them (the one with the largest stamped C.delivered) gives the sample: the bytes delivered since
 * it was sent, over the longer of its send interval and its ACK interval. Taking the longer of
 * the two keeps ACK compression (ACKs bunched together on the way back) and send bursts from
 * inflating the rate. A sample whose interval is shorter than the path's minimum RTT cannot be
 * trusted (it measures a burst, not the path) and is discarded.
 *
 * A sender that ran out of data (or of anything to send within cwnd) marks the connection
 * application-limited up to the data then in flight: samples of transmissions made in that state
 * say how fast the application was, not the network, and a model takes them only when they raise
 * its estimate. Times are ms of the injected Clock (fractions allowed), sizes bytes.
 */

/** The delivery state a transmission is stamped with (the draft's P.* fields but sent_time). */
export interface TxStamp {
  /** C.delivered when it was sent. */
  delivered: number;
  /** C.delivered_time when it was sent. */
  deliveredTime: number;
  /** C.first_sent_time when it was sent: the send time of the flight's first transmission. */
  firstSentTime: number;
  /** Sent while the connection was application-limited. */
  appLimited: boolean;
}

/** What the estimator needs of a delivered segment: the stamp of its last transmission, its size, and when it left. */
export interface StampedSegment {
  readonly length: number;
  /** When it was last sent (P.sent_time). */
  readonly xmitTime: number;
  /** Sent more than once: its RTT is ambiguous (Karn). */
  readonly retransmitted: boolean;
  readonly txDelivered: number;
  readonly txDeliveredTime: number;
  readonly txFirstSentTime: number;
  readonly txAppLimited: boolean;
}

/** One ACK's delivery rate sample (the draft's rs.*), with the connection-level counts around it. */
export interface RateSample {
  /** C.delivered after this ACK: every byte delivered so far. */
  deliveredTotal: number;
  /** Bytes this ACK delivered (cumulatively or selectively). */
  newlyDelivered: number;
  /** rs.prior_delivered: C.delivered when the newest segment this ACK delivered was sent; -1 if it delivered none. */
  priorDelivered: number;
  /** rs.delivered: bytes delivered over the sample's interval. */
  delivered: number;
  /** rs.interval (ms). */
  interval: number;
  /** rs.delivery_rate in bytes per ms; -1 when the ACK gives no valid sample. */
  deliveryRate: number;
  /** rs.is_app_limited. */
  appLimited: boolean;
  /** RTT of the newest segment this ACK delivered (ms), or -1 when it was retransmitted or none was. */
  rtt: number;
}

export class DeliveryRateEstimator {
  /** C.delivered: bytes delivered so far. */
  delivered = 0;
  /** C.delivered_time: when the latest delivery happened. */
  private deliveredTime = 0;
  /** C.first_sent_time: the send time of the newest segment delivered (the current flight's start). */
  private firstSentTime = 0;
  /** C.app_limited: 0, or the C.delivered value past which the application-limited period ends. */
  private appLimitedUntil = 0;
  /** The path's minimum RTT seen (ms), against which sample intervals are checked. */
  minRtt = Infinity;
  /** The latest valid sample's rate (bytes per ms), 0 before one. */
  latestRate = 0;

  private readonly stamp: TxStamp = { delivered: 0, deliveredTime: 0, firstSentTime: 0, appLimited: false };
  private readonly sample: RateSample = { deliveredTotal: 0, newlyDelivered: 0, priorDelivered: -1, delivered: 0, interval: 0, deliveryRate: -1, appLimited: false, rtt: -1 };
  // The sample being gathered from the segments one ACK delivers (rs.*).
  private deliveredAtAckStart = 0;
  private priorDelivered = -1;
  /** When the segment that gives the sample was sent (ties between segments of one flight go to the later). */
  private priorXmitTime = 0;
  private sampleAppLimited = false;
  private sendElapsed = 0;
  private ackElapsed = 0;
  private sampleRtt = -1;

  get appLimited(): boolean {
    return this.appLimitedUntil !== 0;
  }

  /**
   * A transmission leaves at `now` (`nothingInFlight`: no data was outstanding, so a new flight
   * begins). Returns the stamp to record with it; the object is reused, so copy it.
   */
  onSend(now: number, nothingInFlight: boolean): Readonly<TxStamp> {
    if (nothingInFlight) this.firstSentTime = this.deliveredTime = now;
    const s = this.stamp;
    s.delivered = this.delivered;
    s.deliveredTime = this.deliveredTime;
    s.firstSentTime = this.firstSentTime;
    s.appLimited = this.appLimitedUntil !== 0;
    return s;
  }

  /**
   * The sender has nothing more to send now although cwnd would allow it: the connection is
   * application-limited until what is in flight (`pipe` bytes) has been delivered.
   */
  markAppLimited(pipe: number): void {
    this.appLimitedUntil = this.delivered + pipe || 1;
  }

  /** `seg` was delivered (acknowledged cumulatively or by SACK) at `now`. */
  onDelivered(seg: StampedSegment, now: number): void {
    this.delivered += seg.length;
    this.deliveredTime = now;
    // The newest transmission decides the sample: the one sent when the most had been delivered.
    const prior = seg.txDelivered;
    if (this.priorDelivered < 0 || prior > this.priorDelivered || (prior === this.priorDelivered && seg.xmitTime >= this.priorXmitTime)) {
      this.priorDelivered = prior;
      this.priorXmitTime = seg.xmitTime;
      this.sampleAppLimited = seg.txAppLimited;
      this.sendElapsed = seg.xmitTime - seg.txFirstSentTime;
      this.ackElapsed = now - seg.txDeliveredTime;
      this.firstSentTime = seg.xmitTime;
      this.sampleRtt = seg.retransmitted ? -1 : now - seg.xmitTime;
    }
  }

  /**
   * The sample of the ACK whose deliveries were just reported (the draft's GenerateRateSample).
   * The returned object is reused by the next call.
   */
  takeSample(): Readonly<RateSample> {
    const rs = this.sample;
    if (this.appLimitedUntil !== 0 && this.delivered > this.appLimitedUntil) this.appLimitedUntil = 0;
    if (this.sampleRtt >= 0 && this.sampleRtt < this.minRtt) this.minRtt = this.sampleRtt;
    rs.deliveredTotal = this.delivered;
    rs.newlyDelivered = this.delivered - this.deliveredAtAckStart;
    rs.priorDelivered = this.priorDelivered;
    rs.appLimited = this.sampleAppLimited;
    rs.rtt = this.sampleRtt;
    rs.deliveryRate = -1;
    rs.delivered = 0;
    rs.interval = 0;
    if (this.priorDelivered >= 0) {
      rs.delivered = this.delivered - this.priorDelivered;
      rs.interval = Math.max(this.sendElapsed, this.ackElapsed);
      // An interval below the minimum RTT measures a burst, not the path (and 0 measures nothing).
      if (rs.interval > 0 && rs.interval >= this.minRtt) {
        rs.deliveryRate = rs.delivered / rs.interval;
        this.latestRate = rs.deliveryRate;
      }
    }
    this.deliveredAtAckStart = this.delivered;
    this.priorDelivered = -1;
    this.sampleRtt = -1;
    return rs;
  }
}
