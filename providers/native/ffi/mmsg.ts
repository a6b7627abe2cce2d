/**
 * A reusable struct mmsghdr array for recvmmsg/sendmmsg: one message per caller buffer, one iovec
 * each, and an optional control area per message (for PACKET_AUXDATA). The headers and control
 * areas live in a SharedArrayBuffer, and the data buffers must also be memory V8 never moves
 * (SharedArrayBuffer or a large ArrayBuffer), because their addresses are written into the
 * headers once, at construction, and reused for every call.
 *
 * LP64 little-endian layout (x86-64, arm64): msghdr is 56 bytes (name 0, namelen 8, iov 16, iovlen 24, control 32,
 * controllen 40, flags 48), mmsghdr adds msg_len at 56 and pads to 64; iovec is 16 bytes;
 * cmsghdr is len (8), level (4), type (4), then data at 16.
 */
import { endianness } from "node:os";
import { libc, type Libc } from "./libc.js";
import { PACKET_AUXDATA, SOL_PACKET } from "./linux.js";

// 64-bit fields that hold small numbers are accessed as their low 32-bit word (hot path, no BigInt).
const LE = true;
const MMSGHDR_SIZE = 64;
const IOVEC_SIZE = 16;
const CMSG_HEADER_SIZE = 16;
const MSG_IOV = 16;
const MSG_IOVLEN = 24;
const MSG_CONTROL = 32;
const MSG_CONTROLLEN = 40;
const MSG_FLAGS = 48;
const MSG_LEN = 56;

/** Control bytes per message that fit one tpacket_auxdata cmsg (CMSG_SPACE(20) = 40). */
export const AUXDATA_CONTROL_SIZE = 40;

export class MessageVector {
  readonly count: number;
  private readonly c: Libc;
  private readonly view: DataView;
  private readonly base: bigint;
  private readonly iovOffset: number;
  private readonly controlOffset: number;
  private readonly controlSize: number;
  /** The region setBuffer last pointed into, and its address in two 32-bit halves (no BigInt per call). */
  private region: Uint8Array | null = null;
  private regionLow = 0;
  private regionHigh = 0;

  constructor(buffers: readonly Uint8Array[], controlSize = 0) {
    if (endianness() !== "LE") throw new Error("MessageVector supports little-endian LP64 hosts only");
    this.c = libc();
    this.count = buffers.length;
    this.controlSize = controlSize;
    const iovOffset = this.count * MMSGHDR_SIZE;
    this.iovOffset = iovOffset;
    this.controlOffset = iovOffset + this.count * IOVEC_SIZE;
    const memory = new SharedArrayBuffer(this.controlOffset + this.count * controlSize);
    this.view = new DataView(memory);
    this.base = this.c.addressOf(new Uint8Array(memory));
    buffers.forEach((buffer, i) => {
      const header = i * MMSGHDR_SIZE;
      const iov = iovOffset + i * IOVEC_SIZE;
      this.view.setBigUint64(iov, this.c.addressOf(buffer), LE);
      this.view.setBigUint64(iov + 8, BigInt(buffer.byteLength), LE);
      this.view.setBigUint64(header + MSG_IOV, this.base + BigInt(iov), LE);
      this.view.setBigUint64(header + MSG_IOVLEN, 1n, LE);
      if (controlSize > 0) {
        this.view.setBigUint64(header + MSG_CONTROL, this.base + BigInt(this.controlOffset + i * controlSize), LE);
      }
    });
  }

  /**
   * recvmmsg into messages [first, first + n). Returns the number received, or -1 (errno set).
   * msg_controllen is reset first because the kernel overwrites it with the length it used.
   */
  receive(fd: number, first: number, n: number, flags: number): number {
    if (this.controlSize > 0) {
      for (let i = first; i < first + n; i++) {
        this.view.setUint32(i * MMSGHDR_SIZE + MSG_CONTROLLEN, this.controlSize, LE);
      }
    }
    return this.c.recvmmsg(fd, this.base + BigInt(first * MMSGHDR_SIZE), n, flags, null);
  }

  /** sendmmsg of messages [first, first + n), each `setLength` bytes long. */
  send(fd: number, first: number, n: number, flags: number): number {
    return this.c.sendmmsg(fd, this.base + BigInt(first * MMSGHDR_SIZE), n, flags);
  }

  /**
   * Point message i's iovec at `length` bytes `offset` bytes into `region`, which must be memory
   * V8 never moves (as the constructor's buffers). The region's address is looked up once.
   */
  setBuffer(i: number, region: Uint8Array, offset: number, length: number): void {
    if (region !== this.region) {
      const address = this.c.addressOf(region);
      this.region = region;
      this.regionLow = Number(address & 0xffffffffn);
      this.regionHigh = Number(address >> 32n);
    }
    const iov = this.iovOffset + i * IOVEC_SIZE;
    const low = this.regionLow + offset;
    this.view.setUint32(iov, low >>> 0, LE);
    this.view.setUint32(iov + 4, this.regionHigh + Math.floor(low / 0x100000000), LE);
    this.view.setUint32(iov + 8, length, LE);
  }

  /** Set the byte count to send from message i's buffer. */
  setLength(i: number, length: number): void {
    this.view.setUint32(this.iovOffset + i * IOVEC_SIZE + 8, length, LE);
  }

  /** msg_len after a call: bytes received into (or sent from) message i. */
  length(i: number): number {
    return this.view.getUint32(i * MMSGHDR_SIZE + MSG_LEN, LE);
  }

  /** msg_flags after a receive (MSG_TRUNC when the frame did not fit the buffer). */
  flags(i: number): number {
    return this.view.getInt32(i * MMSGHDR_SIZE + MSG_FLAGS, LE);
  }

  /** tp_status of message i's PACKET_AUXDATA control message, or -1 when there is none. */
  packetStatus(i: number): number {
    const header = i * MMSGHDR_SIZE;
    const used = this.view.getUint32(header + MSG_CONTROLLEN, LE);
    const start = this.controlOffset + i * this.controlSize;
    let at = 0;
    while (at + CMSG_HEADER_SIZE <= used) {
      const cmsgLen = this.view.getUint32(start + at, LE);
      if (cmsgLen < CMSG_HEADER_SIZE || at + cmsgLen > used) return -1;
      const level = this.view.getInt32(start + at + 8, LE);
      const type = this.view.getInt32(start + at + 12, LE);
      if (level === SOL_PACKET && type === PACKET_AUXDATA && cmsgLen >= CMSG_HEADER_SIZE + 4) {
        return this.view.getUint32(start + at + CMSG_HEADER_SIZE, LE);
      }
      at += (cmsgLen + 7) & ~7;
    }
    return -1;
  }
}
