/**
 * The largest value seen over the last N rounds (BBR's BtlBw filter: the bottleneck bandwidth
 * is the best delivery rate of the last 10 round trips). One slot per round in a ring: a new
 * round clears the slots of the rounds that fell out of the window, and the estimate is the
 * largest slot. Exact, not an approximation, and cheap for the small N it serves.
 */
export class WindowedMax {
  private readonly slots: number[];
  private lastRound = -1;
  private bestValue = 0;

  constructor(readonly rounds: number) {
    if (!Number.isInteger(rounds) || rounds < 1) throw new RangeError("WindowedMax: rounds must be a positive integer");
    this.slots = new Array<number>(rounds).fill(0);
  }

  /** The largest value of the last `rounds` rounds (0 before any). */
  get best(): number {
    return this.bestValue;
  }

  /** A sample taken in round `round` (rounds never go back). Returns the new estimate. */
  update(value: number, round: number): number {
    const n = this.rounds;
    if (round > this.lastRound) {
      // Forget the rounds the window no longer covers (all of them after a long gap).
      const stale = this.lastRound < 0 ? n : Math.min(n, round - this.lastRound);
      for (let i = 0; i < stale; i++) this.slots[(round - i) % n] = 0;
      this.lastRound = round;
    }
    const slot = round % n;
    if (value > this.slots[slot]!) this.slots[slot] = value;
    let best = 0;
    for (const v of this.slots) if (v > best) best = v;
    this.bestValue = best;
    return best;
  }

  /** Forget every sample. */
  reset(): void {
    this.slots.fill(0);
    this.lastRound = -1;
    this.bestValue = 0;
  }
}
