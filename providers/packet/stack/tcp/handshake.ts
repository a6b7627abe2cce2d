/**
 * What a connection's three-way handshake settles and measures: the options our SYN or SYN-ACK
 * carries, what both ends agreed on (options.ts decides; this applies it to the sender, the
 * receiver and the timestamps), how often the SYN was sent again, and the RTT sample the
 * handshake gives (RFC 6298 §3, Karn's rule). The state transitions stay with the connection.
 */
import type { Clock } from "../../clock.js";
import type { TcpOptions, TcpSegment } from "../../wire/tcp-segment.js";
import type { TcpConfig } from "./config.js";
import { negotiateOptions, windowShiftFor } from "./options.js";
import type { TcpReceiver } from "./receiver.js";
import type { TcpSender } from "./sender.js";
import type { TcpTimestamps } from "./timestamps.js";

export class Handshake {
  /** Window scaling agreed: both SYNs carried the option. */
  windowScaling = false;
  /** SACK agreed (RFC 2018). */
  sack = false;
  /** Times our SYN or SYN-ACK was sent again after a timeout. */
  private resent = 0;
  /** The window shift our SYN offers, fitting the receive buffer it was sized for. */
  readonly offeredWindowShift: number;
  /** When our last SYN or SYN-ACK left (clock ms). */
  private sentAt = 0;

  constructor(
    private readonly config: TcpConfig,
    private readonly clock: Clock,
    /** The MSS we advertise: largest TCP payload that fits our path without options. */
    readonly ourMss: number,
    receiveBufferSize: number,
    private readonly sender: TcpSender,
    private readonly receiver: TcpReceiver,
    private readonly timestamps: TcpTimestamps,
  ) {
    this.offeredWindowShift = config.windowScaling ? windowShiftFor(receiveBufferSize) : 0;
  }

  get retransmits(): number {
    return this.resent;
  }

  /** Our SYN or SYN-ACK is about to go again after a timeout. */
  synResent(): void {
    this.resent++;
  }

  /** Our SYN or SYN-ACK left: the handshake's RTT is measured from here. */
  synSent(): void {
    this.sentAt = this.clock.now();
  }

  /**
   * The options of our SYN: a SYN offers what the configuration enables; a SYN-ACK answers with
   * only what was agreed.
   */
  synOptions(withAck: boolean): TcpOptions {
    const options: TcpOptions = { mss: this.ourMss };
    if (withAck) {
      if (this.windowScaling) options.windowScale = this.receiver.windowScale;
      if (this.sack) options.sackPermitted = true;
      if (this.timestamps.enabled) options.timestamp = this.timestamps.option();
    } else {
      const c = this.config;
      if (c.windowScaling) options.windowScale = this.offeredWindowShift;
      if (c.sack) options.sackPermitted = true;
      if (c.timestamps) options.timestamp = { value: this.timestamps.now(), echo: 0 };
    }
    return options;
  }

  /** Agree on window scaling, SACK, timestamps and the segment sizes from the peer's SYN options. */
  negotiate(peer: TcpOptions): void {
    const c = this.config;
    const n = negotiateOptions(
      { windowScaling: c.windowScaling, sack: c.sack, timestamps: c.timestamps, windowShift: this.offeredWindowShift, mss: this.ourMss },
      peer,
    );
    this.windowScaling = n.windowScaling;
    this.sack = n.sack;
    this.timestamps.enabled = n.timestamps;
    this.sender.windowScale = n.sendWindowShift;
    this.receiver.windowScale = n.receiveWindowShift;
    this.sender.sackEnabled = n.sack;
    this.sender.timestampsEnabled = n.timestamps;
    this.sender.negotiatedMss(n.sendMss);
    this.receiver.maxSegment = n.receiveMss;
  }

  /** The segment that completed the handshake gives the first RTT sample, unless a SYN was resent. */
  rttSample(seg: TcpSegment): void {
    if (this.resent > 0) return; // Karn: which SYN is being answered is unknown
    const ts = seg.options.timestamp;
    const rtt = this.sender.rtt;
    if (this.timestamps.enabled && ts !== undefined) rtt.sample(this.timestamps.echoAge(ts));
    else rtt.sample(this.clock.now() - this.sentAt);
  }
}
