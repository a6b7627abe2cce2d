/**
 * The numeric constants of <xti.h> with the illumos values (sys/tpicommon.h, sys/xti_xtiopt.h,
 * sys/xti_inet.h), so that ported C code keeps its numbers. TLI-only names live in tli.ts.
 */

// t_errno values. 1..19 are the SVR4 TLI set; 20..29 came with XTI.
export const TBADADDR = 1;
export const TBADOPT = 2;
export const TACCES = 3;
export const TBADF = 4;
export const TNOADDR = 5;
export const TOUTSTATE = 6;
export const TBADSEQ = 7;
export const TSYSERR = 8;
export const TLOOK = 9;
export const TBADDATA = 10;
export const TBUFOVFLW = 11;
export const TFLOW = 12;
export const TNODATA = 13;
export const TNODIS = 14;
export const TNOUDERR = 15;
export const TBADFLAG = 16;
export const TNOREL = 17;
export const TNOTSUPPORT = 18;
export const TSTATECHNG = 19;
export const TNOSTRUCTYPE = 20;
export const TBADNAME = 21;
export const TBADQLEN = 22;
export const TADDRBUSY = 23;
export const TINDOUT = 24;
export const TPROVMISMATCH = 25;
export const TRESQLEN = 26;
export const TRESADDR = 27;
export const TQFULL = 28;
export const TPROTO = 29;

// Endpoint states (t_getstate).
export const T_UNINIT = 0;
export const T_UNBND = 1;
export const T_IDLE = 2;
export const T_OUTCON = 3;
export const T_INCON = 4;
export const T_DATAXFER = 5;
export const T_OUTREL = 6;
export const T_INREL = 7;

// t_look events.
export const T_LISTEN = 0x0001;
export const T_CONNECT = 0x0002;
export const T_DATA = 0x0004;
export const T_EXDATA = 0x0008;
export const T_DISCONNECT = 0x0010;
export const T_UDERR = 0x0040;
export const T_ORDREL = 0x0080;
export const T_GODATA = 0x0100;
export const T_GOEXDATA = 0x0200;

// Data flags (t_snd, t_rcv, t_rcvudata).
export const T_MORE = 0x001;
export const T_EXPEDITED = 0x002;
export const T_PUSH = 0x004;

// t_optmgmt request and result flags (a separate namespace: T_PUSH and T_NEGOTIATE are both 4).
export const T_NEGOTIATE = 0x004;
export const T_CHECK = 0x008;
export const T_DEFAULT = 0x010;
export const T_SUCCESS = 0x020;
export const T_FAILURE = 0x040;
export const T_CURRENT = 0x080;
export const T_PARTSUCCESS = 0x100;
export const T_READONLY = 0x200;
export const T_NOTSUPPORT = 0x400;

// Service types (t_info.servtype).
export const T_COTS = 1;
export const T_COTS_ORD = 2;
export const T_CLTS = 3;

// t_info.flags.
export const T_SENDZERO = 0x001;
export const T_ORDRELDATA = 0x002;

// Special sizes and values.
export const T_INFINITE = -1;
export const T_INVALID = -2;
export const T_UNSPEC = -3;
export const T_ALLOPT = 0;
export const T_YES = 1;
export const T_NO = 0;
export const T_NULL = 0;
export const T_UNUSED = -1;
export const T_ABSREQ = 0x8000;
export const T_GARBAGE = 0x02;

// t_alloc structure types and fields.
export const T_BIND = 1;
export const T_OPTMGMT = 2;
export const T_CALL = 3;
export const T_DIS = 4;
export const T_UNITDATA = 5;
export const T_UDERROR = 6;
export const T_INFO = 7;
export const T_ADDR = 0x01;
export const T_OPT = 0x02;
export const T_UDATA = 0x04;
export const T_ALL = 0xffff;

// t_sndv / t_rcvv and t_sysconf.
export const T_IOV_MAX = 16;
export const _SC_T_IOV_MAX = 79;

// XTI generic options (level XTI_GENERIC).
export const XTI_GENERIC = 0xfffe;
export const XTI_DEBUG = 0x0001;
export const XTI_LINGER = 0x0080;
export const XTI_RCVBUF = 0x1002;
export const XTI_RCVLOWAT = 0x1004;
export const XTI_SNDBUF = 0x1001;
export const XTI_SNDLOWAT = 0x1003;

// Internet options (illumos numbers; IP-level numbers differ between vendors).
export const T_INET_TCP = 6;
export const T_TCP_NODELAY = 0x1;
export const T_TCP_MAXSEG = 0x2;
export const T_TCP_KEEPALIVE = 0x8;
export const T_INET_UDP = 17;
export const T_UDP_CHECKSUM = 0x0600;
export const T_INET_IP = 0;
export const T_IP_OPTIONS = 0x107;
export const T_IP_TOS = 0x108;
export const T_IP_TTL = 0x4;
export const T_IP_REUSEADDR = 0x104;
export const T_IP_DONTROUTE = 0x105;
export const T_IP_BROADCAST = 0x106;

// T_IP_TOS precedence and type-of-service values, and SET_TOS.
export const T_ROUTINE = 0;
export const T_PRIORITY = 1;
export const T_IMMEDIATE = 2;
export const T_FLASH = 3;
export const T_OVERRIDEFLASH = 4;
export const T_CRITIC_ECP = 5;
export const T_INETCONTROL = 6;
export const T_NETCONTROL = 7;
export const T_NOTOS = 0;
export const T_LDELAY = 1 << 4;
export const T_HITHRPT = 1 << 3;
export const T_HIREL = 1 << 2;
export const T_LOCOST = 1 << 1;
/** SET_TOS(prec, tos): the T_IP_TOS value for a precedence and type-of-service bits. Non-integers count as 0. */
export function SET_TOS(precedence: number, tos: number): number {
  const int = (v: unknown): number => (typeof v === "number" && Number.isInteger(v) ? v : 0);
  return ((0x7 & int(precedence)) << 5) | (0x1e & int(tos));
}

// open(2) flags for t_open, with the Linux values.
export const O_RDONLY = 0;
export const O_WRONLY = 1;
export const O_RDWR = 2;
export const O_NONBLOCK = 0o4000;
