/**
 * Where a connection copies the data it receives out of the frame that brought it. The link lends
 * each frame for one call only (LinkDevice.setReceiver), so the bytes a connection delivers must be
 * copied; copying them into chunks costs one allocation per chunk instead of one per segment.
 *
 * Each connection has its own arena, so a piece it hands out keeps alive only bytes of the same
 * connection, at most one chunk's worth, and never lets a reader see another connection's data
 * through `.buffer`; Endpoint.rcvUnit copies a piece that shares its buffer before handing it to
 * the user, so what a user keeps or transfers holds only its own bytes. Chunks start small and
 * double as the connection keeps receiving: a connection that gets a few small messages pins a
 * few KiB, a bulk transfer reaches 64 KiB chunks (about 45 full-sized segments each) after its
 * first 60 KiB.
 */

/** The first chunk of a connection. */
export const FIRST_CHUNK = 4 * 1024;
/** The largest chunk. */
export const LARGEST_CHUNK = 64 * 1024;
/** A piece longer than this gets a buffer of its own rather than most of a chunk. */
const OWN_BUFFER_OVER = LARGEST_CHUNK / 4;
/**
 * Bytes left unused at the start of each chunk, so that no piece starts at offset 0: a reader
 * (Endpoint.rcvUnit) then tells a piece that shares its buffer by its byteOffset alone, without
 * reading `.buffer`, which costs a small typed array an allocation.
 */
const CHUNK_HEAD = 8;

export class ReceiveArena {
  private chunk: Uint8Array | null = null;
  private used = 0;
  private nextChunk = FIRST_CHUNK;

  /** A copy of `bytes` that its receiver may keep. */
  copy(bytes: Uint8Array): Uint8Array {
    const n = bytes.length;
    if (n === 0) return new Uint8Array(0); // pins no chunk
    if (n > OWN_BUFFER_OVER) return bytes.slice();
    // The piece starts at the same offset modulo 8 as its source: V8 copies out of a
    // SharedArrayBuffer (the AF_PACKET ring) word by word only when both sides are so aligned,
    // and byte by byte otherwise (measured: 1448 bytes in 180 ns against 730 ns).
    const skew = bytes.byteOffset & 7;
    let start = ((this.used + 7) & ~7) + skew;
    let chunk = this.chunk;
    if (chunk === null || start + n > chunk.length) {
      while (this.nextChunk < LARGEST_CHUNK && this.nextChunk < 2 * (n + CHUNK_HEAD + 8)) this.nextChunk *= 2;
      chunk = this.chunk = new Uint8Array(this.nextChunk);
      this.nextChunk = Math.min(LARGEST_CHUNK, 2 * this.nextChunk);
      start = CHUNK_HEAD + skew;
    }
    const end = start + n;
    const piece = chunk.subarray(start, end);
    piece.set(bytes);
    this.used = end;
    return piece;
  }
}
