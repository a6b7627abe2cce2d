/**
 * Reads a socket's error queue (IP_RECVERR / IPV6_RECVERR): one recvmsg(MSG_ERRQUEUE) per entry,
 * returning the errno the kernel recorded (sock_extended_err.ee_errno: ECONNREFUSED for an ICMP
 * port unreachable, EHOSTUNREACH, EMSGSIZE...) and the destination of the datagram that failed
 * (msg_name). The msghdr, its iovec and the buffers they point to live in one SharedArrayBuffer,
 * memory V8 never moves, so the pointers written once stay valid.
 *
 * LP64 little-endian layout (x86-64, arm64): msghdr is 56 bytes (name 0, namelen 8, iov 16,
 * iovlen 24, control 32, controllen 40, flags 48); iovec is 16 bytes; cmsghdr is len (8),
 * level (4), type (4), data at 16; sock_extended_err starts with ee_errno (4 bytes).
 */
import { endianness } from "node:os";
import { libc, type Libc } from "./libc.js";
import { IP_RECVERR, IPPROTO_IP, IPPROTO_IPV6, IPV6_RECVERR, MSG_DONTWAIT, MSG_ERRQUEUE } from "./linux.js";

const LE = true;
const MSGHDR_SIZE = 56;
const IOVEC_SIZE = 16;
const NAME_SIZE = 128;
/** The failed datagram's payload is returned too; its start is enough (it is not used). */
const DATA_SIZE = 64;
const CONTROL_SIZE = 256;
const CMSG_HEADER_SIZE = 16;

const IOV_AT = MSGHDR_SIZE;
const NAME_AT = IOV_AT + IOVEC_SIZE;
const DATA_AT = NAME_AT + NAME_SIZE;
const CONTROL_AT = DATA_AT + DATA_SIZE;
const TOTAL = CONTROL_AT + CONTROL_SIZE;

export interface QueuedError {
  /** The errno of the failure (ee_errno). */
  errno: number;
  /** Where the failed datagram was going (a sockaddr), empty if the kernel did not say. */
  destination: Uint8Array;
}

export class ErrorQueueReader {
  private readonly c: Libc;
  private readonly bytes: Uint8Array;
  private readonly view: DataView;
  private readonly address: bigint;

  constructor() {
    if (endianness() !== "LE") throw new Error("ErrorQueueReader supports little-endian LP64 hosts only");
    this.c = libc();
    this.bytes = new Uint8Array(new SharedArrayBuffer(TOTAL));
    this.view = new DataView(this.bytes.buffer);
    const base = this.c.addressOf(this.bytes);
    this.address = base;
    this.view.setBigUint64(0, base + BigInt(NAME_AT), LE);
    this.view.setBigUint64(16, base + BigInt(IOV_AT), LE);
    this.view.setBigUint64(24, 1n, LE);
    this.view.setBigUint64(32, base + BigInt(CONTROL_AT), LE);
    this.view.setBigUint64(IOV_AT, base + BigInt(DATA_AT), LE);
    this.view.setBigUint64(IOV_AT + 8, BigInt(DATA_SIZE), LE);
  }

  /** The next queued error of `fd`, or -errno (-EAGAIN when the queue is empty). */
  read(fd: number): QueuedError | number {
    this.view.setUint32(8, NAME_SIZE, LE);
    this.view.setBigUint64(40, BigInt(CONTROL_SIZE), LE);
    if (this.c.recvmsg(fd, this.address, MSG_ERRQUEUE | MSG_DONTWAIT) < 0) return -this.c.errno();
    const nameLength = Math.min(this.view.getUint32(8, LE), NAME_SIZE);
    const destination = this.bytes.slice(NAME_AT, NAME_AT + nameLength);
    const controlLength = Math.min(Number(this.view.getBigUint64(40, LE)), CONTROL_SIZE);
    let at = 0;
    while (at + CMSG_HEADER_SIZE <= controlLength) {
      const cmsgLength = Number(this.view.getBigUint64(CONTROL_AT + at, LE));
      if (cmsgLength < CMSG_HEADER_SIZE || at + cmsgLength > controlLength) break;
      const level = this.view.getInt32(CONTROL_AT + at + 8, LE);
      const type = this.view.getInt32(CONTROL_AT + at + 12, LE);
      const isRecverr = (level === IPPROTO_IP && type === IP_RECVERR) || (level === IPPROTO_IPV6 && type === IPV6_RECVERR);
      if (isRecverr && cmsgLength >= CMSG_HEADER_SIZE + 4) {
        return { errno: this.view.getUint32(CONTROL_AT + at + CMSG_HEADER_SIZE, LE), destination };
      }
      at += (cmsgLength + 7) & ~7;
    }
    return { errno: 0, destination }; // an entry without its extended error: nothing to report but its presence
  }
}
