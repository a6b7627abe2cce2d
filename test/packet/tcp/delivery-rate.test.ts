/** Delivery rate estimation (draft-cheng-iccrg-delivery-rate-estimation), on hand-made send and ACK times. */
import { expect } from "chai";
import { DeliveryRateEstimator, type StampedSegment } from "../../../providers/packet/stack/tcp/delivery-rate.js";

const MSS = 1000;

interface Segment extends StampedSegment {
  retransmitted: boolean;
  xmitTime: number;
}

/** A sender's view: what is in flight, stamped as the estimator says when each segment leaves. */
class Flow {
  readonly rate = new DeliveryRateEstimator();
  readonly inFlight: Segment[] = [];

  send(now: number, count = 1): Segment[] {
    const out: Segment[] = [];
    for (let i = 0; i < count; i++) {
      const tx = this.rate.onSend(now, this.inFlight.length === 0);
      const seg: Segment = {
        length: MSS,
        xmitTime: now,
        retransmitted: false,
        txDelivered: tx.delivered,
        txDeliveredTime: tx.deliveredTime,
        txFirstSentTime: tx.firstSentTime,
        txAppLimited: tx.appLimited,
      };
      this.inFlight.push(seg);
      out.push(seg);
    }
    return out;
  }

  /** Send `seg` again at `now`: it carries the delivery state of its new transmission. */
  resend(seg: Segment, now: number): void {
    const tx = this.rate.onSend(now, false);
    Object.assign(seg, { xmitTime: now, retransmitted: true, txDelivered: tx.delivered, txDeliveredTime: tx.deliveredTime, txFirstSentTime: tx.firstSentTime, txAppLimited: tx.appLimited });
  }

  /** One ACK at `now` delivering the oldest `count` segments in flight. */
  ack(now: number, count: number) {
    for (const seg of this.inFlight.splice(0, count)) this.rate.onDelivered(seg, now);
    return { ...this.rate.takeSample() };
  }
}

describe("packet/tcp delivery rate estimation", () => {
  it("a window delivered in one round trip gives its size over the round trip, and the RTT of its newest segment", () => {
    const f = new Flow();
    f.send(0, 10);
    const rs = f.ack(10, 10);
    expect(rs.newlyDelivered).to.equal(10 * MSS);
    expect(rs.deliveredTotal).to.equal(10 * MSS);
    expect(rs.priorDelivered).to.equal(0);
    expect(rs.interval).to.equal(10);
    expect(rs.deliveryRate).to.equal(1000); // bytes per ms
    expect(rs.rtt).to.equal(10);
    expect(f.rate.latestRate).to.equal(1000);
  });

  it("an ACK clock at a steady rate measures that rate, whatever the window (1 segment per ms, RTT 20 ms)", () => {
    const f = new Flow();
    const rates: number[] = [];
    // One segment leaves every ms; each is acknowledged 20 ms later on its own ACK.
    for (let t = 0; t < 200; t++) {
      f.send(t);
      if (t >= 20) {
        const rs = f.ack(t, 1);
        if (rs.deliveryRate >= 0) rates.push(rs.deliveryRate);
      }
    }
    // The first samples span the flight's start; once ACKs clock the sends, every sample is exact.
    for (const r of rates.slice(25)) expect(r).to.be.closeTo(MSS, 1e-9);
  });

  it("takes the longer of the send and the ACK interval, so neither bunched ACKs nor a send burst inflates the rate", () => {
    const rate = new DeliveryRateEstimator();
    const seg = (xmitTime: number, txDelivered: number, txDeliveredTime: number, txFirstSentTime: number): StampedSegment => ({
      length: MSS,
      xmitTime,
      retransmitted: false,
      txDelivered,
      txDeliveredTime,
      txFirstSentTime,
      txAppLimited: false,
    });
    // Ten segments sent over 30 ms (the flight began at 0, the newest left at 30) come back in
    // one bunch 3 ms after the newest left: 5 ms of ACK interval, 30 ms of send interval.
    for (let i = 0; i < 9; i++) rate.onDelivered(seg(3 * i, 0, 28, 0), 33);
    rate.onDelivered(seg(30, 0, 28, 0), 33);
    const compressed = rate.takeSample();
    expect(compressed.delivered).to.equal(10 * MSS);
    expect(compressed.interval).to.equal(30);
    expect(compressed.deliveryRate).to.be.closeTo((10 * MSS) / 30, 1e-9);
    expect(compressed.rtt, "the newest segment's").to.equal(3);
    // Sent in one burst (no send interval), delivered over 40 ms: the ACK interval rules.
    rate.onDelivered(seg(50, 10 * MSS, 30, 50), 70);
    const burst = rate.takeSample();
    expect(burst.interval).to.equal(40);
    expect(burst.deliveryRate).to.equal(MSS / 40);
  });

  it("discards a sample whose interval is shorter than the minimum RTT (it measures a burst, not the path)", () => {
    const f = new Flow();
    f.send(0, 10);
    expect(f.ack(10, 10).deliveryRate).to.equal(1000);
    expect(f.rate.minRtt).to.equal(10);
    // A segment resent 5 ms after it first left, and acknowledged 1 ms after the resend (the
    // original got through): its stamp is the resend's, so the sample spans only 6 ms.
    const [seg] = f.send(20);
    f.resend(seg!, 25);
    const rs = f.ack(26, 1);
    expect(rs.interval).to.equal(6);
    expect(rs.deliveryRate).to.equal(-1);
    expect(rs.rtt, "no RTT from a retransmitted segment").to.equal(-1);
    expect(f.rate.latestRate, "the last valid sample stays").to.equal(1000);
    expect(rs.newlyDelivered).to.equal(MSS);
  });

  it("an ACK that delivers nothing gives no sample; a retransmitted segment gives no RTT", () => {
    const f = new Flow();
    f.send(0, 2);
    const none = f.ack(5, 0);
    expect(none.priorDelivered).to.equal(-1);
    expect(none.deliveryRate).to.equal(-1);
    expect(none.newlyDelivered).to.equal(0);
    f.resend(f.inFlight[0]!, 8);
    expect(f.ack(12, 1).rtt).to.equal(-1);
    expect(f.ack(13, 1).rtt).to.equal(13);
  });

  it("marks samples of data sent while application-limited, until the data in flight then is delivered", () => {
    const f = new Flow();
    f.send(0, 4);
    f.rate.markAppLimited(4 * MSS); // nothing more to send: the connection is app-limited
    expect(f.rate.appLimited).to.equal(true);
    f.send(1, 2); // sent while app-limited
    const early = f.ack(10, 4);
    expect(early.appLimited, "the first four left before the mark").to.equal(false);
    expect(f.rate.appLimited, "the mark holds until 4 segments are delivered").to.equal(true);
    f.send(11, 2); // still app-limited
    const late = f.ack(12, 2);
    expect(late.appLimited).to.equal(true);
    expect(f.rate.appLimited, "past the mark: no longer app-limited").to.equal(false);
    f.send(13, 1);
    expect(f.inFlight.at(-1)!.txAppLimited).to.equal(false);
  });
});
