/**
 * Randomness for the user-space stack (ISN secrets, fault injection, port choice). Tests pass a
 * SeededRandom so that every run is the same; production uses CryptoRandom.
 */
import { randomBytes } from "node:crypto";

export interface Random {
  /** Uniform 32-bit unsigned integer. */
  nextU32(): number;
  /** Uniform in [0, 1). */
  next(): number;
  /** Fill `out` with random bytes. */
  fill(out: Uint8Array): void;
}

/** sfc32, seeded through splitmix32: small, fast and good enough for simulation (not for keys in production). */
export class SeededRandom implements Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    let s = seed >>> 0;
    const mix = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = mix();
    this.b = mix();
    this.c = mix();
    this.d = mix();
    for (let i = 0; i < 12; i++) this.nextU32();
  }

  nextU32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  next(): number {
    return this.nextU32() / 4294967296;
  }

  fill(out: Uint8Array): void {
    for (let i = 0; i < out.length; i++) out[i] = this.nextU32() & 0xff;
  }
}

export class CryptoRandom implements Random {
  nextU32(): number {
    return randomBytes(4).readUInt32LE(0);
  }
  next(): number {
    return this.nextU32() / 4294967296;
  }
  fill(out: Uint8Array): void {
    out.set(randomBytes(out.length));
  }
}
