/**
 * The receiving half of a connection: RCV.NXT, in-order delivery, out-of-order reassembly,
 * the advertised window (with receiver-side silly-window avoidance), the peer's FIN and urgent
 * pointer. It never sends anything itself; the connection asks it what to put in each ACK.
 */
import { ReceiveArena } from "./receive-arena.js";
import { ReassemblyQueue } from "./reassembly.js";
import { seqAdd, seqDiff, seqGt, seqInRange, seqLt } from "./seq.js";

const MAX_WINDOW_FIELD = 0xffff;

/** What accepting one segment's text did, for the ACK policy. */
export const enum Arrival {
  /** Nothing new (duplicate or empty). */
  Nothing = 0,
  /** Data at RCV.NXT with no hole pending. */
  InOrder = 1,
  /** Data beyond a hole: ACK at once so the sender sees duplicates (RFC 5681 §4.2). */
  OutOfOrder = 2,
  /** Data that filled (part of) a hole: ACK at once (RFC 5681 §4.2). */
  FilledHole = 3,
}

export type DeliverFn = (data: Uint8Array, urgent: boolean) => void;

export class TcpReceiver {
  irs = 0;
  rcvNxt = 0;
  /** Our window shift (RFC 7323), applied to every window field we send after the SYN. */
  windowScale = 0;
  bufferSize: number;
  /** Largest payload the peer may send us (our MSS minus per-segment options). */
  maxSegment: number;
  /** Estimated size of the peer's full segments, for "every second full-sized segment". */
  rcvMss: number;
  /** Sequence number of the peer's FIN once seen (maybe still beyond a hole). */
  finSeq: number | null = null;
  finReceived = false;
  /** Bytes delivered to the user and not yet reported consumed. */
  unconsumed = 0;
  /** Bytes delivered since the connection started (stream offsets for urgent data). */
  delivered = 0;
  /** Bytes received since we last sent an ACK. */
  unackedBytes = 0;
  readonly queue = new ReassemblyQueue();
  /** Right edge of the window as last advertised (RCV.NXT + RCV.WND then). */
  private advertisedEdge = 0;
  /** A duplicate received since the last ACK, to report as a D-SACK (RFC 2883), or null. */
  private dsack: [number, number] | null = null;
  /** Sequence number of the urgent byte not yet delivered, valid while `urgentPending`. */
  private urgentSeq = 0;
  urgentPending = false;
  /** Where in-order text is copied (a segment's payload is lent for the call). */
  private readonly arena = new ReceiveArena();

  constructor(
    bufferSize: number,
    maxSegment: number,
    private readonly deliver: DeliverFn,
    /** Unconsumed bytes that do not narrow the window (TcpConfig.unreadAllowance). */
    private readonly unreadAllowance = 0,
  ) {
    this.bufferSize = bufferSize;
    this.maxSegment = maxSegment;
    this.rcvMss = Math.min(536, maxSegment);
  }

  /** The peer's SYN fixed IRS. */
  start(irs: number): void {
    this.irs = irs;
    this.rcvNxt = seqAdd(irs, 1);
    this.advertisedEdge = this.rcvNxt;
  }

  /** RCV.WND: what the peer may still send beyond RCV.NXT under our last advertisement. */
  get window(): number {
    return Math.max(0, seqDiff(this.advertisedEdge, this.rcvNxt));
  }

  /**
   * RFC 9293 §3.10.7.4 acceptability test, with its "special allowance" for a zero window: a
   * segment at RCV.NXT is taken so that its ACK, URG and RST are processed (MUST-66); its data is
   * then trimmed away by the caller.
   */
  acceptable(seq: number, len: number): boolean {
    const wnd = this.window;
    if (wnd === 0) return seq === this.rcvNxt;
    if (len === 0) return seqInRange(seq, this.rcvNxt, seqAdd(this.rcvNxt, wnd));
    const end = seqAdd(seq, len - 1);
    const right = seqAdd(this.rcvNxt, wnd);
    return seqInRange(seq, this.rcvNxt, right) || seqInRange(end, this.rcvNxt, right);
  }

  /**
   * Take segment text already trimmed to [RCV.NXT, window edge), lent for the call: it is copied
   * once, in-order bytes into the arena and out-of-order ones by the reassembly queue. In-order
   * bytes are delivered at once, followed by whatever out-of-order data they connect to.
   */
  accept(seq: number, text: Uint8Array): Arrival {
    if (text.length === 0) return Arrival.Nothing;
    if (text.length > this.rcvMss) this.rcvMss = Math.min(text.length, this.maxSegment);
    this.unackedBytes += text.length;
    if (seq !== this.rcvNxt) {
      this.queue.insert(seq, text);
      return Arrival.OutOfOrder;
    }
    const hadHole = !this.queue.isEmpty;
    this.push(this.arena.copy(text));
    for (let next = this.queue.takeAt(this.rcvNxt); next !== null; next = this.queue.takeAt(this.rcvNxt)) this.push(next);
    return hadHole ? Arrival.FilledHole : Arrival.InOrder;
  }

  /** Note a FIN at `seq`; returns true when it is now in order (RCV.NXT advanced past it). */
  noteFin(seq: number): boolean {
    if (this.finSeq === null) this.finSeq = seq;
    return this.takeFinIfInOrder();
  }

  takeFinIfInOrder(): boolean {
    if (this.finReceived || this.finSeq === null || this.finSeq !== this.rcvNxt) return false;
    this.finReceived = true;
    this.rcvNxt = seqAdd(this.rcvNxt, 1);
    if (seqLt(this.advertisedEdge, this.rcvNxt)) this.advertisedEdge = this.rcvNxt;
    return true;
  }

  /**
   * An URG segment: `pointer` is one past the urgent byte (RFC 6093, the BSD/Linux reading).
   * Returns the stream offset of a newly announced urgent byte, or -1 if nothing new.
   */
  noteUrgent(seq: number, pointer: number): number {
    if (pointer === 0) return -1;
    const urgent = seqAdd(seq, pointer - 1);
    if (seqLt(urgent, this.rcvNxt)) return -1;
    if (this.urgentPending && !seqGt(urgent, this.urgentSeq)) return -1;
    // A newer urgent byte replaces an undelivered older one, which becomes normal data (as on Linux).
    this.urgentSeq = urgent;
    this.urgentPending = true;
    return this.delivered + seqDiff(urgent, this.rcvNxt);
  }

  /** The user read `n` bytes. Returns true when the reopened window is worth an immediate update. */
  consume(n: number): boolean {
    const advertised = this.window;
    const openBefore = this.open();
    this.unconsumed = Math.max(0, this.unconsumed - n);
    const openAfter = this.open();
    // Linux-style trigger: update at once only when the advertised window had dropped to half the
    // buffer or less and this read at least doubles it. A window that could already have grown
    // before the read (say, capped by the SYN-ACK's unscaled field) rides on the next ACK instead.
    if (2 * advertised > this.bufferSize) return false;
    const threshold = Math.max(2 * advertised, this.rcvMss);
    return openAfter >= threshold && openBefore < threshold;
  }

  /**
   * The 16-bit window field for an outgoing segment, moving the advertised edge. The edge never
   * moves left (RFC 9293 §3.8.6.2.2); it moves right only by at least min(buffer/2, MSS), and
   * only as far as the field can express.
   */
  windowField(scaled: boolean): number {
    const shift = scaled ? this.windowScale : 0;
    const candidate = this.candidateEdge();
    const step = Math.min(this.bufferSize >> 1, this.rcvMss);
    const target = seqDiff(candidate, this.advertisedEdge) >= step ? candidate : this.advertisedEdge;
    const bytes = Math.max(0, seqDiff(target, this.rcvNxt));
    // Round up so that the edge the peer computes is never left of the one we promised.
    const field = Math.min(MAX_WINDOW_FIELD, Math.ceil(bytes / 2 ** shift));
    const edge = seqAdd(this.rcvNxt, field * 2 ** shift);
    if (seqGt(edge, this.advertisedEdge)) this.advertisedEdge = edge;
    return field;
  }

  /** [start, end) arrived again (below RCV.NXT, or already held out of order): report it once. */
  noteDuplicate(start: number, end: number): void {
    if (seqLt(start, end)) this.dsack = [start, end];
  }

  get dsackPending(): boolean {
    return this.dsack !== null;
  }

  /**
   * Up to `max` SACK blocks for the next segment. A pending D-SACK comes first, followed by the
   * run that holds it when it lies inside one (RFC 2883 §4), then the other runs; it is reported
   * once.
   */
  sackBlocks(max: number): Array<[number, number]> {
    const dsack = this.dsack;
    if (dsack === null) return this.queue.sackBlocks(max);
    this.dsack = null;
    const runs = this.queue.sackBlocks(max);
    const holder = runs.findIndex(([l, r]) => !seqLt(dsack[0], l) && !seqGt(dsack[1], r));
    const ordered = holder < 0 ? runs : [runs[holder] as [number, number], ...runs.filter((_, i) => i !== holder)];
    return [dsack, ...ordered].slice(0, max);
  }

  private candidateEdge(): number {
    return seqAdd(this.rcvNxt, Math.max(0, this.open()));
  }

  /** The buffer the window may offer: all of it less the unconsumed bytes beyond the allowance. */
  private open(): number {
    return this.bufferSize - Math.max(0, this.unconsumed - this.unreadAllowance);
  }

  /** Deliver in-order bytes, splitting so that the urgent byte ends its chunk. */
  private push(data: Uint8Array): void {
    const start = this.rcvNxt;
    this.rcvNxt = seqAdd(start, data.length);
    this.delivered += data.length;
    this.unconsumed += data.length;
    if (this.urgentPending && seqInRange(this.urgentSeq, start, this.rcvNxt)) {
      this.urgentPending = false;
      const cut = seqDiff(this.urgentSeq, start) + 1;
      this.deliver(cut === data.length ? data : data.subarray(0, cut), true);
      if (cut < data.length) this.deliver(data.subarray(cut), false);
      return;
    }
    this.deliver(data, false);
  }
}
