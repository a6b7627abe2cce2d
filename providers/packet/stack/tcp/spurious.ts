/**
 * D-SACK based detection of spurious retransmissions (RFC 3708 §3, the idea of RFC 2883 §5):
 * a loss recovery episode (fast recovery or a timeout) retransmitted some segments; if the
 * receiver reports every one of them as a duplicate (D-SACK), none was lost, the congestion
 * response was a mistake and the sender may undo it.
 *
 * The ranges retransmitted in the episode are kept (at most MAX_RANGES; beyond that the episode
 * can no longer be undone), until the recovery ends; D-SACKs keep counting after that, since they
 * come a round trip later. A D-SACK retires the ranges it overlaps. A duplicate the network made
 * of an original segment is D-SACKed too, but matches no retransmitted range and is ignored.
 */
import { seqGt, seqLt } from "./seq.js";

const MAX_RANGES = 1024;

export class SpuriousRetransmitDetector {
  private active = false;
  /** Retransmissions still belong to the episode (its recovery has not ended). */
  private recording = false;
  private undoable = false;
  /** [start, end) pairs of retransmissions not yet D-SACKed. */
  private ranges: number[] = [];
  /** Lowest sequence number of the episode: D-SACKs below it are about older episodes. */
  private from = 0;
  private dsacked = 0;

  get inEpisode(): boolean {
    return this.active;
  }

  /** A recovery episode starts; SND.UNA is `sndUna`. */
  begin(sndUna: number): void {
    this.active = true;
    this.recording = true;
    this.undoable = true;
    this.ranges = [];
    this.from = sndUna;
    this.dsacked = 0;
  }

  /** The episode's recovery ended: later retransmissions (probes, say) are not part of it. */
  recoveryEnded(): void {
    this.recording = false;
  }

  /** Give up on this episode (a later one started, or the state it would restore is gone). */
  end(): void {
    this.active = false;
    this.recording = false;
    this.ranges = [];
  }

  retransmitted(start: number, end: number): void {
    if (!this.recording) return;
    if (this.ranges.length >= 2 * MAX_RANGES) this.undoable = false;
    else this.ranges.push(start, end);
  }

  /** A D-SACK for [left, right). Returns true when it retired a retransmission of this episode. */
  dsack(left: number, right: number): boolean {
    if (!this.active || seqLt(left, this.from)) return false;
    let retired = false;
    const kept: number[] = [];
    for (let i = 0; i < this.ranges.length; i += 2) {
      const s = this.ranges[i] as number;
      const e = this.ranges[i + 1] as number;
      if (seqLt(s, right) && seqGt(e, left)) retired = true;
      else kept.push(s, e);
    }
    this.ranges = kept;
    if (retired) this.dsacked++;
    return retired;
  }

  /** Every retransmission of the episode was reported as a duplicate. */
  get allSpurious(): boolean {
    return this.active && this.undoable && this.dsacked > 0 && this.ranges.length === 0;
  }
}
