/**
 * Where received TCP data is copied out of the frame that brought it. The link lends each frame
 * for one call only (LinkDevice.setReceiver), so the bytes a connection delivers or holds out of
 * order must be copied; copying them into shared chunks costs one allocation per chunk instead of
 * one per segment. A piece keeps its chunk alive for as long as the user keeps the piece: a reader
 * that holds small pieces for long holds more memory than their bytes (at most one chunk each).
 */

/** Bytes per chunk: about 45 full-sized segments at MTU 1500. */
export const ARENA_CHUNK = 64 * 1024;
/** A piece longer than this gets a buffer of its own rather than most of a chunk. */
const OWN_BUFFER_OVER = ARENA_CHUNK / 4;

export class ReceiveArena {
  private chunk: Uint8Array | null = null;
  private used = 0;

  /** A copy of `bytes` that its receiver may keep. */
  copy(bytes: Uint8Array): Uint8Array {
    const n = bytes.length;
    if (n > OWN_BUFFER_OVER) return bytes.slice();
    let chunk = this.chunk;
    if (chunk === null || this.used + n > chunk.length) {
      chunk = this.chunk = new Uint8Array(ARENA_CHUNK);
      this.used = 0;
    }
    const piece = chunk.subarray(this.used, this.used + n);
    piece.set(bytes);
    this.used += (n + 7) & ~7; // 8-byte aligned starts, as the transmit arena's
    return piece;
  }
}
