import type { Random } from "../../../providers/packet/random.js";

/** A Random that returns a fixed script of values in [0, 1) (then 0.999...), to force chosen decisions. */
export class ScriptedRandom implements Random {
  private i = 0;
  constructor(private readonly values: number[]) {}
  next(): number {
    return this.values[this.i++] ?? 0.999999;
  }
  nextU32(): number {
    return Math.floor(this.next() * 4294967296) >>> 0;
  }
  fill(out: Uint8Array): void {
    for (let i = 0; i < out.length; i++) out[i] = this.nextU32() & 0xff;
  }
}
