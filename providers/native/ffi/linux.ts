/** Linux x86-64/arm64 constants for the calls in libc.ts (values from the kernel UAPI headers). */

export const AF_PACKET = 17;
export const SOCK_RAW = 3;
export const SOCK_NONBLOCK = 0o4000;
export const SOCK_CLOEXEC = 0o2000000;

export const ETH_P_ALL = 0x0003;

export const SOL_SOCKET = 1;
export const SO_RCVBUF = 8;
export const SO_ATTACH_FILTER = 26;
export const SO_RCVBUFFORCE = 33;
export const SO_SNDBUFFORCE = 32;

export const SOL_PACKET = 263;
export const PACKET_ADD_MEMBERSHIP = 1;
export const PACKET_STATISTICS = 6;
export const PACKET_AUXDATA = 8;
export const PACKET_VNET_HDR = 15;
export const PACKET_QDISC_BYPASS = 20;
export const PACKET_IGNORE_OUTGOING = 23;
export const PACKET_MR_PROMISC = 1;

/** tpacket_auxdata.tp_status bits. */
export const TP_STATUS_CSUMNOTREADY = 0x8;
export const TP_STATUS_CSUM_VALID = 0x80;

export const MSG_TRUNC = 0x20;
export const MSG_DONTWAIT = 0x40;

export const POLLIN = 0x1;
export const POLLPRI = 0x2;
export const POLLNVAL = 0x20;

export const EFD_NONBLOCK = 0o4000;
export const EFD_CLOEXEC = 0o2000000;

export const SIOCGIFMTU = 0x8921;
export const SIOCGIFHWADDR = 0x8927;

export const IFNAMSIZ = 16;

export const EINTR = 4;
export const EAGAIN = 11;

// Internet sockets (the kernel TCP/UDP providers).
export const AF_UNSPEC = 0;
export const AF_INET = 2;
export const AF_INET6 = 10;
export const SOCK_STREAM = 1;
export const SOCK_DGRAM = 2;

export const IPPROTO_IP = 0;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IPPROTO_IPV6 = 41;

export const SO_REUSEADDR = 2;
export const SO_ERROR = 4;
export const SO_DONTROUTE = 5;
export const SO_BROADCAST = 6;
export const SO_SNDBUF = 7;
export const SO_KEEPALIVE = 9;
export const SO_OOBINLINE = 10;
export const SO_NO_CHECK = 11;
export const SO_LINGER = 13;

export const TCP_NODELAY = 1;
export const TCP_MAXSEG = 2;
export const TCP_KEEPIDLE = 4;
export const TCP_INFO = 11;
/** tcp_info.tcpi_state values (the first byte of TCP_INFO). */
export const TCP_STATE_FIN_WAIT1 = 4;
export const TCP_STATE_CLOSE = 7;
export const TCP_STATE_LAST_ACK = 9;
export const TCP_STATE_CLOSING = 11;

export const IP_TOS = 1;
export const IP_TTL = 2;
export const IP_RECVERR = 11;
export const IPV6_UNICAST_HOPS = 16;
export const IPV6_V6ONLY = 26;
export const IPV6_RECVERR = 25;
export const IPV6_TCLASS = 67;

export const MSG_OOB = 0x1;
export const MSG_PEEK = 0x2;
export const MSG_ERRQUEUE = 0x2000;
export const MSG_NOSIGNAL = 0x4000;

export const SHUT_WR = 1;

export const EPOLL_CLOEXEC = 0o2000000;
export const EPOLL_CTL_ADD = 1;
export const EPOLL_CTL_DEL = 2;
export const EPOLL_CTL_MOD = 3;
export const EPOLLIN = 0x1;
/** Urgent data is there (TCP: the urgent byte is in the receive queue, not yet read past). */
export const EPOLLPRI = 0x2;
export const EPOLLOUT = 0x4;
export const EPOLLERR = 0x8;
export const EPOLLHUP = 0x10;
export const EPOLLONESHOT = 1 << 30;

export const EISCONN = 106;
export const EALREADY = 114;
export const EINPROGRESS = 115;
