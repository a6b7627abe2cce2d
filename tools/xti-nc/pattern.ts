/**
 * The deterministic test pattern of `--send-bytes`: the little-endian 32-bit words drawn from
 * SeededRandom(seed), cut to the requested length. Pseudo-random rather than periodic, so that a
 * duplicated, dropped or shifted segment always changes the SHA-256 of what arrives.
 */
import { SeededRandom } from "../../providers/packet/random.js";

/** Fill `out` with the next `out.length` pattern bytes (`out.length` a multiple of 4 except at the end). */
function fillWords(random: SeededRandom, out: Uint8Array): void {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const whole = out.length & ~3;
  for (let i = 0; i < whole; i += 4) view.setUint32(i, random.nextU32(), true);
  if (whole < out.length) {
    const last = random.nextU32();
    for (let i = whole; i < out.length; i++) out[i] = (last >>> ((i - whole) * 8)) & 0xff;
  }
}

/** The first `length` bytes of the pattern, in one buffer. */
export function patternBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  fillWords(new SeededRandom(seed), out);
  return out;
}

/** The pattern as a stream of chunks of `chunkSize` bytes (a multiple of 4); each chunk is reused. */
export class PatternStream {
  private readonly random: SeededRandom;
  private readonly chunk: Uint8Array;
  private remaining: number;

  constructor(length: number, seed: number, chunkSize = 64 * 1024) {
    if (chunkSize % 4 !== 0 || chunkSize <= 0) throw new RangeError("chunkSize must be a positive multiple of 4");
    this.random = new SeededRandom(seed);
    this.chunk = new Uint8Array(chunkSize);
    this.remaining = length;
  }

  /** The next chunk (valid until the next call), or null at the end. */
  next(): Uint8Array | null {
    if (this.remaining === 0) return null;
    const n = Math.min(this.remaining, this.chunk.length);
    const out = this.chunk.subarray(0, n);
    fillWords(this.random, out);
    this.remaining -= n;
    return out;
  }
}
