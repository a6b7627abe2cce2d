/**
 * A kernel socket owned through koffi: non-blocking and close-on-exec from creation, with the calls
 * the Internet providers make. Calls that can fail as part of normal operation return the kernel's
 * convention (a result >= 0, or -errno) so callers branch on errno without exceptions; only creation
 * throws (an OsError). Addresses are `struct sockaddr` bytes (sockaddr_in, sockaddr_in6), exactly
 * the netbuf contents XTI carries.
 */
import { libc, type Libc } from "./ffi/libc.js";
import {
  IPPROTO_TCP,
  SHUT_WR,
  SO_ERROR,
  SO_LINGER,
  SOCK_CLOEXEC,
  SOCK_NONBLOCK,
  SOL_SOCKET,
  TCP_INFO,
} from "./ffi/linux.js";

/** Room for the largest address these sockets use (sockaddr_in6 is 28 bytes). */
const SOCKADDR_MAX = 128;
const UNSPEC_ADDRESS = new Uint8Array(16); // sa_family AF_UNSPEC (0) in either byte order

// Scratch for the small out-parameters; every call fills and reads them synchronously.
const intValue = new Int32Array(2);
const intBytes = new Uint8Array(intValue.buffer);
const length = new Uint32Array(1);
const nameBuffer = new Uint8Array(SOCKADDR_MAX);
const tcpInfoByte = new Uint8Array(8);
// One struct pollfd (int fd, short events, short revents) for ready().
const pollFd = new Int32Array(2);
const pollFdBytes = new Uint8Array(pollFd.buffer);
const pollFdHalves = new Int16Array(pollFd.buffer);

export class KernelSocket {
  private readonly c: Libc;
  private open = true;

  private constructor(
    readonly fd: number,
    readonly family: number,
  ) {
    this.c = libc();
  }

  /** socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0). Throws OsError (EAFNOSUPPORT, EMFILE...). */
  static create(family: number, type: number): KernelSocket {
    const c = libc();
    const fd = c.socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) throw c.failure("socket");
    return new KernelSocket(fd, family);
  }

  get closed(): boolean {
    return !this.open;
  }

  private result(r: number): number {
    return r < 0 ? -this.c.errno() : r;
  }

  bind(addr: Uint8Array): number {
    return this.result(this.c.bind(this.fd, addr, addr.length));
  }

  listen(backlog: number): number {
    return this.result(this.c.listen(this.fd, backlog));
  }

  /** connect(): 0, -EINPROGRESS (completion is reported as writability), or -errno. */
  connect(addr: Uint8Array): number {
    return this.result(this.c.connect(this.fd, addr, addr.length));
  }

  /**
   * connect() with AF_UNSPEC: drops the association. On TCP this aborts a connection with a RST
   * (tcp_disconnect) and leaves the socket reusable, still bound if its port was bound explicitly.
   */
  disconnect(): number {
    return this.result(this.c.connect(this.fd, UNSPEC_ADDRESS, UNSPEC_ADDRESS.length));
  }

  /** accept4() a non-blocking connection: the socket and the caller's address, or -errno. */
  accept(): { socket: KernelSocket; peer: Uint8Array } | number {
    length[0] = SOCKADDR_MAX;
    const fd = this.c.accept4(this.fd, nameBuffer, length, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return -this.c.errno();
    return { socket: new KernelSocket(fd, this.family), peer: nameBuffer.slice(0, Math.min(length[0], SOCKADDR_MAX)) };
  }

  /** getsockname(), or null if it fails. */
  localAddress(): Uint8Array | null {
    length[0] = SOCKADDR_MAX;
    if (this.c.getsockname(this.fd, nameBuffer, length) < 0) return null;
    return nameBuffer.slice(0, Math.min(length[0], SOCKADDR_MAX));
  }

  /** getpeername(), or null when not connected. */
  peerAddress(): Uint8Array | null {
    length[0] = SOCKADDR_MAX;
    if (this.c.getpeername(this.fd, nameBuffer, length) < 0) return null;
    return nameBuffer.slice(0, Math.min(length[0], SOCKADDR_MAX));
  }

  send(buf: Uint8Array, len: number, flags: number): number {
    return this.result(this.c.send(this.fd, buf, len, flags));
  }

  sendTo(buf: Uint8Array, len: number, flags: number, addr: Uint8Array): number {
    return this.result(this.c.sendto(this.fd, buf, len, flags, addr, addr.length));
  }

  recv(buf: Uint8Array, len: number, flags: number): number {
    return this.result(this.c.recv(this.fd, buf, len, flags));
  }

  /** recvfrom(): the byte count (or -errno); the sender's address goes to `from` (its length returned by fromLength()). */
  recvFrom(buf: Uint8Array, len: number, flags: number, from: Uint8Array, fromLength: Uint32Array): number {
    fromLength[0] = from.length;
    return this.result(this.c.recvfrom(this.fd, buf, len, flags, from, fromLength));
  }

  /** poll() without waiting: which of `events` (POLLERR and POLLHUP always) hold now, or -errno. */
  ready(events: number): number {
    pollFd[0] = this.fd;
    pollFdHalves[2] = events;
    pollFdHalves[3] = 0;
    const r = this.c.poll(pollFdBytes, 1, 0);
    return r < 0 ? -this.c.errno() : pollFdHalves[3] & 0xffff;
  }

  /** 1 when the next byte to read is at the urgent mark, 0 when not, or -errno. */
  atMark(): number {
    return this.result(this.c.sockatmark(this.fd));
  }

  shutdownWrite(): number {
    return this.result(this.c.shutdown(this.fd, SHUT_WR));
  }

  /** getsockopt of a C int, or null if the kernel refuses. */
  getInt(level: number, name: number): number | null {
    length[0] = 4;
    if (this.c.getsockopt(this.fd, level, name, intBytes, length) < 0) return null;
    return intValue[0]!;
  }

  /** setsockopt of a C int: 0 or -errno. */
  setInt(level: number, name: number, value: number): number {
    intValue[0] = value;
    return this.result(this.c.setsockopt(this.fd, level, name, intBytes, 4));
  }

  /** SO_LINGER as { onoff, seconds }, or null. */
  getLinger(): { onoff: boolean; seconds: number } | null {
    length[0] = 8;
    if (this.c.getsockopt(this.fd, SOL_SOCKET, SO_LINGER, intBytes, length) < 0) return null;
    return { onoff: intValue[0] !== 0, seconds: intValue[1]! };
  }

  setLinger(onoff: boolean, seconds: number): number {
    intValue[0] = onoff ? 1 : 0;
    intValue[1] = seconds;
    return this.result(this.c.setsockopt(this.fd, SOL_SOCKET, SO_LINGER, intBytes, 8));
  }

  /** The pending socket error (SO_ERROR), which reading clears; 0 if none. */
  takeError(): number {
    return this.getInt(SOL_SOCKET, SO_ERROR) ?? 0;
  }

  /** The TCP state (tcp_info.tcpi_state), or -1. */
  tcpState(): number {
    length[0] = 1;
    if (this.c.getsockopt(this.fd, IPPROTO_TCP, TCP_INFO, tcpInfoByte, length) < 0) return -1;
    return tcpInfoByte[0]!;
  }

  /** close() once; later calls do nothing. */
  close(): void {
    if (!this.open) return;
    this.open = false;
    this.c.close(this.fd);
  }
}
