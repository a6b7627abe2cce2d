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

export const SOL_PACKET = 263;
export const PACKET_ADD_MEMBERSHIP = 1;
export const PACKET_STATISTICS = 6;
export const PACKET_AUXDATA = 8;
export const PACKET_IGNORE_OUTGOING = 23;
export const PACKET_MR_PROMISC = 1;

/** tpacket_auxdata.tp_status bits. */
export const TP_STATUS_CSUMNOTREADY = 0x8;
export const TP_STATUS_CSUM_VALID = 0x80;

export const MSG_TRUNC = 0x20;
export const MSG_DONTWAIT = 0x40;

export const POLLIN = 0x1;
export const POLLNVAL = 0x20;

export const EFD_NONBLOCK = 0o4000;
export const EFD_CLOEXEC = 0o2000000;

export const SIOCGIFMTU = 0x8921;
export const SIOCGIFHWADDR = 0x8927;

export const IFNAMSIZ = 16;

export const EINTR = 4;
export const EAGAIN = 11;
