/**
 * Every segment a connection sends is built here. Data segments and bare ACKs carry the
 * acknowledgment, window, timestamps, SACK blocks and urgent pointer of the moment; SYNs carry the
 * handshake's options; RSTs carry what RFC 9293 and RFC 5961 ask. New data gathered during one
 * output pass leaves as one super-segment when the link cuts TCP segments itself (one frame and
 * one kernel packet instead of one per SMSS). What to send, and when, is the connection's.
 */
import { TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, TCP_URG, type TcpOptions, type TcpSegment } from "../../wire/tcp-segment.js";
import type { AckPolicy } from "./ack-policy.js";
import type { ConnectionContext, TcpConnection } from "./connection.js";
import type { Handshake } from "./handshake.js";
import type { TcpReceiver } from "./receiver.js";
import type { TcpSender, Transmission } from "./sender.js";
import { seqAdd, seqDiff, seqGt } from "./seq.js";
import type { TcpTimestamps } from "./timestamps.js";

const EMPTY = new Uint8Array(0);
/** A TCP header with the most options, which a super-segment's header never exceeds. */
const TCP_MAX_HEADER = 60;

type SegmentFields = Pick<TcpSegment, "seq" | "ack" | "flags"> & Partial<Pick<TcpSegment, "window" | "urgentPointer" | "options" | "payload">>;

export class SegmentOutput {
  /** Segments handed to the network layer, a super-segment counted as the segments it becomes. */
  segmentsSent = 0;
  /** ACKs that reported a duplicate (D-SACK, RFC 2883). */
  dsacksSent = 0;
  /** The super-segment being gathered: its start, length, whether the FIN ends it. */
  private superSeq = 0;
  private superLen = 0;
  private superFin = false;
  /** Data one super-segment may carry in this output pass (0: segment by segment). */
  private superRoom = 0;

  constructor(
    private readonly ctx: ConnectionContext,
    private readonly conn: TcpConnection,
    private readonly sender: TcpSender,
    private readonly receiver: TcpReceiver,
    private readonly timestamps: TcpTimestamps,
    private readonly handshake: Handshake,
    private readonly acks: AckPolicy,
  ) {}

  /** An output pass starts: decide whether this one gathers super-segments (whole SMSS, at least two). */
  beginPass(): void {
    const smss = this.sender.smss;
    const max = this.ctx.maxSuperSegment(this.conn);
    const room = max > TCP_MAX_HEADER ? Math.floor((max - TCP_MAX_HEADER) / smss) * smss : 0;
    this.superRoom = room >= 2 * smss ? room : 0;
  }

  /** The output pass ends: send what was gathered. */
  endPass(): void {
    this.flushSuperSegment();
    this.superRoom = 0;
  }

  /**
   * Send one data or FIN segment for `t`; with SACK blocks to report, `t` shrinks to fit them.
   * New data may be gathered into the pass's super-segment instead, and leave at endPass().
   */
  data(t: Transmission): void {
    const s = this.sender;
    const sack = this.sackBlocks();
    if (sack === undefined && this.superRoom > 0 && !t.retransmit && t.len > 0 && !s.urgentActive) {
      this.gather(t);
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
    this.emit(t.seq, flags, t.len > 0 ? s.buffer.slice(t.seq, t.len) : EMPTY, sack);
  }

  /** A bare ACK at SND.NXT. */
  ack(): void {
    this.emit(this.sender.sndNxt, TCP_ACK, EMPTY, this.sackBlocks());
  }

  /** A keepalive probe: SEG.SEQ = SND.NXT - 1 and no data, outside the peer's window, so it must answer. */
  keepaliveProbe(): void {
    this.emit(seqAdd(this.sender.sndNxt, -1), TCP_ACK, EMPTY, undefined);
  }

  /** Our SYN, or SYN-ACK, at the ISS. */
  syn(withAck: boolean): void {
    const rcv = this.receiver;
    const options = this.handshake.synOptions(withAck);
    const window = withAck ? rcv.windowField(false) : Math.min(0xffff, rcv.bufferSize);
    this.handshake.synSent();
    this.send({ seq: this.sender.iss, ack: withAck ? rcv.rcvNxt : 0, flags: withAck ? TCP_SYN | TCP_ACK : TCP_SYN, window, options });
    if (withAck) this.timestamps.lastAckSent = rcv.rcvNxt;
  }

  /**
   * <SEQ=SND.NXT><ACK=RCV.NXT><CTL=RST,ACK>, for abort and data after close. SND.NXT is capped at
   * the right edge of the peer's window (SND.UNA + SND.WND), as Linux's tcp_acceptable_seq() does:
   * a zero-window probe, or a window the peer shrank onto data in flight, leaves SND.NXT beyond
   * it, where the peer drops the RST unseen (RFC 9293 §3.10.7.4: a zero window accepts only
   * RCV.NXT) instead of resetting or challenging (RFC 5961 §3.2). SND.NXT never counts data queued
   * and not yet sent. In SYN_RECEIVED (`synReceived`) the peer's window is its SYN's: SND.NXT
   * (ISS + 1) is kept.
   */
  reset(synReceived: boolean): void {
    const s = this.sender;
    const edge = seqAdd(s.sndUna, s.sndWnd);
    const seq = !synReceived && seqGt(s.sndNxt, edge) ? edge : s.sndNxt;
    this.send({ seq, ack: this.receiver.rcvNxt, flags: TCP_RST | TCP_ACK });
  }

  /** <SEQ=SEG.ACK><CTL=RST> for an unacceptable ACK in SYN_SENT or SYN_RECEIVED. */
  bareReset(seq: number): void {
    this.send({ seq, ack: 0, flags: TCP_RST });
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

  /** Data segments, bare ACKs and keepalive probes: ACK, window, timestamps, SACK, URG of the moment. */
  private emit(seq: number, flags: number, payload: Uint8Array, sack: Array<[number, number]> | undefined, segmentSize = 0): void {
    const s = this.sender;
    const rcv = this.receiver;
    const options: TcpOptions = {};
    if (this.timestamps.enabled) options.timestamp = this.timestamps.option();
    if (sack !== undefined) options.sack = sack;
    let urgentPointer = 0;
    if (s.urgentActive && seqGt(s.sndUp, seq)) {
      flags |= TCP_URG;
      urgentPointer = Math.min(0xffff, seqDiff(s.sndUp, seq));
    }
    this.send({ seq, ack: rcv.rcvNxt, flags, window: rcv.windowField(true), urgentPointer, options, payload }, segmentSize);
    this.timestamps.lastAckSent = rcv.rcvNxt;
    this.acks.sent();
  }

  /** Hand a segment to the network layer: our ports, and no window, urgent pointer, options or data unless given. */
  private send(fields: SegmentFields, segmentSize = 0): void {
    const seg: TcpSegment = { srcPort: this.conn.local.port, dstPort: this.conn.remote.port, window: 0, urgentPointer: 0, options: {}, payload: EMPTY, ...fields };
    this.segmentsSent += segmentSize > 0 ? Math.ceil(seg.payload.length / segmentSize) : 1;
    this.ctx.transmit(this.conn, seg, segmentSize);
  }

  /** The SACK blocks our next ACK reports (D-SACK first), or undefined when there are none. */
  private sackBlocks(): Array<[number, number]> | undefined {
    const rcv = this.receiver;
    if (!this.handshake.sack || (rcv.queue.isEmpty && !rcv.dsackPending)) return undefined;
    if (rcv.dsackPending) this.dsacksSent++;
    return rcv.sackBlocks(this.timestamps.enabled ? 3 : 4);
  }
}
