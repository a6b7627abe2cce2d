/**
 * Typed koffi bindings to the glibc calls the packet stack and the kernel socket providers need. Buffers travel as `void *`
 * (koffi passes the TypedArray's memory directly); hot-path structs (pollfd, mmsghdr) are built
 * by hand in bytes rather than marshalled as koffi struct objects, which costs ~5x more per call.
 *
 * ssize_t results are declared as intptr_t: koffi has no ssize_t and both are 64-bit on LP64.
 */
import { loadKoffi } from "./koffi.js";
import { OsError } from "./os-error.js";

export interface Libc {
  socket(domain: number, type: number, protocol: number): number;
  bind(fd: number, addr: Uint8Array, addrlen: number): number;
  listen(fd: number, backlog: number): number;
  /** `addrlen` is a one-element socklen_t in/out array. */
  accept4(fd: number, addr: Uint8Array, addrlen: Uint32Array, flags: number): number;
  connect(fd: number, addr: Uint8Array, addrlen: number): number;
  getsockname(fd: number, addr: Uint8Array, addrlen: Uint32Array): number;
  getpeername(fd: number, addr: Uint8Array, addrlen: Uint32Array): number;
  shutdown(fd: number, how: number): number;
  /** 1 when the next byte to read is the urgent mark, 0 otherwise (SIOCATMARK). */
  sockatmark(fd: number): number;
  setsockopt(fd: number, level: number, name: number, value: Uint8Array, len: number): number;
  /** `len` is a one-element socklen_t in/out array. */
  getsockopt(fd: number, level: number, name: number, value: Uint8Array, len: Uint32Array): number;
  send(fd: number, buf: Uint8Array, len: number, flags: number): number;
  sendto(fd: number, buf: Uint8Array, len: number, flags: number, addr: Uint8Array | null, addrlen: number): number;
  recv(fd: number, buf: Uint8Array, len: number, flags: number): number;
  recvfrom(fd: number, buf: Uint8Array, len: number, flags: number, addr: Uint8Array, addrlen: Uint32Array): number;
  /** `msg` is the address of a struct msghdr in memory V8 never moves (see error-queue.ts). */
  recvmsg(fd: number, msg: bigint, flags: number): number;
  /** `msgvec` is the address of an mmsghdr array (see mmsg.ts). */
  sendmmsg(fd: number, msgvec: bigint, vlen: number, flags: number): number;
  recvmmsg(fd: number, msgvec: bigint, vlen: number, flags: number, timeout: null): number;
  /** `fds` holds `nfds` struct pollfd (8 bytes each). */
  poll(fds: Uint8Array, nfds: number, timeoutMs: number): number;
  epoll_create1(flags: number): number;
  /** `event` is one struct epoll_event (see epoll.ts for its layout). */
  epoll_ctl(epfd: number, op: number, fd: number, event: Uint8Array | null): number;
  epoll_wait(epfd: number, events: Uint8Array, maxevents: number, timeoutMs: number): number;
  /** ioctl with one pointer argument (ioctl is variadic; koffi needs the type spelled out). */
  ioctl(fd: number, request: number, arg: Uint8Array): number;
  if_nametoindex(name: string): number;
  eventfd(initval: number, flags: number): number;
  read(fd: number, buf: Uint8Array, len: number): number;
  write(fd: number, buf: Uint8Array, len: number): number;
  close(fd: number): number;
  /** errno of the calling thread, as left by the last call. */
  errno(): number;
  strerror(errnum: number): string;
  /** Address of a view's first byte; stable only for memory V8 never moves (see mmsg.ts). */
  addressOf(view: Uint8Array): bigint;
  /** An OsError for `syscall` built from the current errno (read it before any other call). */
  failure(syscall: string, context?: string): OsError;
}

let bound: Libc | undefined;

/** The bindings of this thread, created on first use. */
export function libc(): Libc {
  bound ??= bind();
  return bound;
}

function bind(): Libc {
  const koffi = loadKoffi();
  const lib = koffi.load("libc.so.6");
  const ioctlVariadic = lib.func("int ioctl(int fd, unsigned long request, ...)") as (
    fd: number,
    request: number,
    argType: string,
    arg: Uint8Array,
  ) => number;
  const errno = (): number => koffi.errno();
  const strerror = lib.func("const char *strerror(int errnum)") as (errnum: number) => string;
  return {
    socket: lib.func("int socket(int domain, int type, int protocol)") as Libc["socket"],
    bind: lib.func("int bind(int fd, const void *addr, uint32_t addrlen)") as Libc["bind"],
    listen: lib.func("int listen(int fd, int backlog)") as Libc["listen"],
    accept4: lib.func("int accept4(int fd, void *addr, void *addrlen, int flags)") as Libc["accept4"],
    connect: lib.func("int connect(int fd, const void *addr, uint32_t addrlen)") as Libc["connect"],
    getsockname: lib.func("int getsockname(int fd, void *addr, void *addrlen)") as Libc["getsockname"],
    getpeername: lib.func("int getpeername(int fd, void *addr, void *addrlen)") as Libc["getpeername"],
    shutdown: lib.func("int shutdown(int fd, int how)") as Libc["shutdown"],
    sockatmark: lib.func("int sockatmark(int fd)") as Libc["sockatmark"],
    setsockopt: lib.func(
      "int setsockopt(int fd, int level, int name, const void *value, uint32_t len)",
    ) as Libc["setsockopt"],
    getsockopt: lib.func(
      "int getsockopt(int fd, int level, int name, void *value, void *len)",
    ) as Libc["getsockopt"],
    send: lib.func("intptr_t send(int fd, const void *buf, size_t len, int flags)") as Libc["send"],
    sendto: lib.func(
      "intptr_t sendto(int fd, const void *buf, size_t len, int flags, const void *addr, uint32_t addrlen)",
    ) as Libc["sendto"],
    recv: lib.func("intptr_t recv(int fd, void *buf, size_t len, int flags)") as Libc["recv"],
    recvfrom: lib.func(
      "intptr_t recvfrom(int fd, void *buf, size_t len, int flags, void *addr, void *addrlen)",
    ) as Libc["recvfrom"],
    recvmsg: lib.func("intptr_t recvmsg(int fd, void *msg, int flags)") as Libc["recvmsg"],
    sendmmsg: lib.func("int sendmmsg(int fd, void *msgvec, unsigned int vlen, int flags)") as Libc["sendmmsg"],
    recvmmsg: lib.func(
      "int recvmmsg(int fd, void *msgvec, unsigned int vlen, int flags, void *timeout)",
    ) as Libc["recvmmsg"],
    poll: lib.func("int poll(void *fds, unsigned long nfds, int timeout)") as Libc["poll"],
    epoll_create1: lib.func("int epoll_create1(int flags)") as Libc["epoll_create1"],
    epoll_ctl: lib.func("int epoll_ctl(int epfd, int op, int fd, void *event)") as Libc["epoll_ctl"],
    epoll_wait: lib.func("int epoll_wait(int epfd, void *events, int maxevents, int timeout)") as Libc["epoll_wait"],
    ioctl: (fd, request, arg) => ioctlVariadic(fd, request, "void *", arg),
    if_nametoindex: lib.func("unsigned int if_nametoindex(const char *name)") as Libc["if_nametoindex"],
    eventfd: lib.func("int eventfd(unsigned int initval, int flags)") as Libc["eventfd"],
    read: lib.func("intptr_t read(int fd, void *buf, size_t len)") as Libc["read"],
    write: lib.func("intptr_t write(int fd, const void *buf, size_t len)") as Libc["write"],
    close: lib.func("int close(int fd)") as Libc["close"],
    errno,
    strerror,
    addressOf: (view) => koffi.address(view),
    failure: (syscall, context) => {
      const code = errno();
      return new OsError(syscall, code, strerror(code), context);
    },
  };
}
