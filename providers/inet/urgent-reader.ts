/**
 * One receive step on a TCP socket with SO_OOBINLINE, placing urgent data exactly (docs/inet.md).
 *
 * Linux stops a read at the urgent mark once it has copied something, but a read that starts at
 * the mark reads through it, and afterwards nothing shows where the mark was. So a step peeks first,
 * then asks sockatmark(): at the mark (the peek started there and read through it, or urgent data
 * arrived at the read position since), it reads the urgent byte alone; if not, the peek did not
 * start at the mark, so it stopped before any mark, and no mark can have come to lie in the peeked
 * bytes since (an urgent pointer arrives with or before its byte): it takes exactly them (MSG_TRUNC
 * discards them without a second copy).
 *
 * A plain step is one plain recv(), for a caller that knows the read position is not at the mark
 * and cannot come to be there before the read: the socket was just reported readable (EPOLLIN)
 * without urgent data (no EPOLLPRI), and nothing was read since. Readable means bytes are queued
 * (or the stream has ended, after which nothing arrives), and the kernel never sets a mark on a
 * byte it has already received, so only this read can move the read position to a mark; and a
 * read that does not start at the mark stops at it. Any other step asks poll() the same question
 * first, so it takes the plain read too unless urgent data is there (or an empty socket costs the
 * poll alone).
 */
import { Buffer } from "node:buffer";
import { EAGAIN } from "../../src/spi/index.js";
import { MSG_PEEK, MSG_TRUNC, POLLIN, POLLPRI } from "../native/ffi/linux.js";
import type { KernelSocket } from "../native/socket.js";

export type ReceiveStep =
  | { kind: "data"; bytes: Uint8Array }
  | { kind: "urgent"; byte: Uint8Array }
  | { kind: "eof" }
  | { kind: "again" }
  | { kind: "error"; errno: number };

const AGAIN: ReceiveStep = { kind: "again" };
const EOF: ReceiveStep = { kind: "eof" };

/** The most one step reads. */
export const RECEIVE_MAX = 65536;

/**
 * Reads are made into one buffer shared by every connection. A step that fills at least half of it
 * hands the buffer itself up (the library owns what is indicated) and the next step takes a new
 * one, so a large read is copied once, by the kernel; a smaller one is copied out, so the memory
 * kept is never more than twice the bytes.
 */
let scratch: Uint8Array | null = null;
const one = new Uint8Array(1);

function readBuffer(): Uint8Array {
  // Uninitialised memory (the kernel overwrites what is kept), as a plain Uint8Array: a Buffer's
  // slice() would share memory where the library may expect a copy.
  const b = Buffer.allocUnsafeSlow(RECEIVE_MAX);
  scratch = new Uint8Array(b.buffer, b.byteOffset, b.length);
  return scratch;
}

function taken(buf: Uint8Array, n: number): ReceiveStep {
  if (2 * n < buf.length) return { kind: "data", bytes: buf.slice(0, n) };
  scratch = null;
  // The view handed up reaches the whole buffer (its .buffer): what the kernel did not write is
  // zeroed, so no old heap contents (another connection's bytes) can be read through it.
  buf.fill(0, n);
  return { kind: "data", bytes: buf.subarray(0, n) };
}

function failed(n: number): ReceiveStep {
  return -n === EAGAIN ? AGAIN : { kind: "error", errno: -n };
}

function urgentByte(s: KernelSocket): ReceiveStep {
  const n = s.recv(one, 1, 0);
  if (n === 1) return { kind: "urgent", byte: one.slice() };
  return n === 0 ? EOF : failed(n);
}

/** Read the next piece of the stream: normal bytes, the urgent byte alone, the end, or an error. */
export function receiveStep(s: KernelSocket, max: number = RECEIVE_MAX, plain = false): ReceiveStep {
  const len = Math.min(max, RECEIVE_MAX);
  const buf = scratch ?? readBuffer();
  if (!plain) {
    // A failed poll (EINTR: a signal such as the profiler's SIGPROF or SIGCHLD arrived) says
    // nothing: the peek below finds out.
    const ready = s.ready(POLLIN | POLLPRI);
    if (ready === 0) return AGAIN;
    plain = ready > 0 && (ready & (POLLIN | POLLPRI)) === POLLIN;
  }
  if (plain) {
    const n = s.recv(buf, len, 0);
    if (n <= 0) return n === 0 ? EOF : failed(n);
    return taken(buf, n);
  }
  const peeked = s.recv(buf, len, MSG_PEEK);
  if (peeked <= 0) return peeked === 0 ? EOF : failed(peeked);
  const at = s.atMark();
  if (at < 0) return failed(at);
  if (at === 1) return urgentByte(s);
  const n = s.recv(buf, peeked, MSG_TRUNC);
  if (n < 0) return failed(n);
  return taken(buf, n);
}
