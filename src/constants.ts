/**
 * The numeric constants of <xti.h> with the illumos values (sys/tpicommon.h, sys/xti_xtiopt.h,
 * sys/xti_inet.h), so that ported C code keeps its numbers. TLI-only names live in tli.ts.
 *
 * @categoryDescription t_errno
 * The values of t_errno (t_strerror gives the message). 1-19 are SVR4 TLI's; 20-29 came with XTI.
 * @categoryDescription States
 * The endpoint states t_getstate returns.
 * @categoryDescription Events
 * The events t_look returns.
 * @categoryDescription Data flags
 * Flags of t_snd, t_rcv and t_rcvudata.
 * @categoryDescription Options
 * t_optmgmt flags and results, and the XTI_GENERIC options.
 * @categoryDescription Internet options
 * The TCP, UDP and IP option levels and names (illumos numbers: IP-level numbers differ between vendors).
 * @categoryDescription Service types
 * t_info.servtype and t_info.flags.
 * @categoryDescription t_alloc
 * Structure types and fields of t_alloc and t_free; the iovec limit.
 * @categoryDescription Open flags
 * open(2) flags of t_open and fcntl, with the Linux values.
 * @categoryDescription Special values
 * Sizes and values with a meaning of their own (T_INFINITE, T_INVALID, T_YES, ...).
 */

// t_errno values. 1..19 are the SVR4 TLI set; 20..29 came with XTI.
/** t_errno 1: incorrect address format. @category t_errno */
export const TBADADDR = 1;
/** t_errno 2: incorrect options format. @category t_errno */
export const TBADOPT = 2;
/** t_errno 3: illegal permissions. @category t_errno */
export const TACCES = 3;
/** t_errno 4: illegal file descriptor. @category t_errno */
export const TBADF = 4;
/** t_errno 5: couldn't allocate address. @category t_errno */
export const TNOADDR = 5;
/** t_errno 6: routine will place interface out of state. @category t_errno */
export const TOUTSTATE = 6;
/** t_errno 7: illegal called/calling sequence number. @category t_errno */
export const TBADSEQ = 7;
/** t_errno 8: system error. @category t_errno */
export const TSYSERR = 8;
/** t_errno 9: an event requires attention. @category t_errno */
export const TLOOK = 9;
/** t_errno 10: illegal amount of data. @category t_errno */
export const TBADDATA = 10;
/** t_errno 11: buffer not large enough. @category t_errno */
export const TBUFOVFLW = 11;
/** t_errno 12: can't send message - (blocked). @category t_errno */
export const TFLOW = 12;
/** t_errno 13: no message currently available. @category t_errno */
export const TNODATA = 13;
/** t_errno 14: disconnect message not found. @category t_errno */
export const TNODIS = 14;
/** t_errno 15: unitdata error message not found. @category t_errno */
export const TNOUDERR = 15;
/** t_errno 16: incorrect flags specified. @category t_errno */
export const TBADFLAG = 16;
/** t_errno 17: orderly release message not found. @category t_errno */
export const TNOREL = 17;
/** t_errno 18: primitive not supported by provider. @category t_errno */
export const TNOTSUPPORT = 18;
/** t_errno 19: state is in process of changing. @category t_errno */
export const TSTATECHNG = 19;
/** t_errno 20: unsupported structure type requested (XTI; TLI reports another code, docs/semantics.md). @category t_errno */
export const TNOSTRUCTYPE = 20;
/** t_errno 21: invalid transport provider name (XTI; TLI reports another code, docs/semantics.md). @category t_errno */
export const TBADNAME = 21;
/** t_errno 22: listener queue length limit is zero (XTI; TLI reports another code, docs/semantics.md). @category t_errno */
export const TBADQLEN = 22;
/** t_errno 23: transport address is in use (XTI; TLI reports another code, docs/semantics.md). @category t_errno */
export const TADDRBUSY = 23;
/** t_errno 24: outstanding connection indications (XTI; TLI reports another code, docs/semantics.md). @category t_errno */
export const TINDOUT = 24;
/** t_errno 25: listener-acceptor transport provider mismatch (XTI; TLI reports another code, docs/semantics.md). @category t_errno */
export const TPROVMISMATCH = 25;
/** t_errno 26: connection acceptor has listen queue length limit greater than zero (XTI; TLI reports another code, docs/semantics.md). @category t_errno */
export const TRESQLEN = 26;
/** t_errno 27: connection acceptor-listener addresses not same but required by transport (XTI; TLI reports another code, docs/semantics.md). @category t_errno */
export const TRESADDR = 27;
/** t_errno 28: incoming connection queue is full (XTI; TLI reports another code, docs/semantics.md). @category t_errno */
export const TQFULL = 28;
/** t_errno 29: protocol error on transport primitive (XTI; TLI reports another code, docs/semantics.md). @category t_errno */
export const TPROTO = 29;

// Endpoint states (t_getstate).
/** Not open (the state of a closed descriptor). @category States */
export const T_UNINIT = 0;
/** Open, not bound. @category States */
export const T_UNBND = 1;
/** Bound, no connection. @category States */
export const T_IDLE = 2;
/** Outgoing connection pending (t_connect sent, not confirmed). @category States */
export const T_OUTCON = 3;
/** Incoming connection pending (t_listen returned an indication not yet accepted or rejected). @category States */
export const T_INCON = 4;
/** Connected: data transfer. @category States */
export const T_DATAXFER = 5;
/** Outgoing orderly release sent (t_sndrel); may still receive. @category States */
export const T_OUTREL = 6;
/** Incoming orderly release received (t_rcvrel); may still send. @category States */
export const T_INREL = 7;

// t_look events.
/** A connection indication (t_listen takes it). @category Events */
export const T_LISTEN = 0x0001;
/** A connection confirmation (t_rcvconnect takes it). @category Events */
export const T_CONNECT = 0x0002;
/** Normal data (t_rcv, t_rcvudata). @category Events */
export const T_DATA = 0x0004;
/** Expedited data (t_rcv returns it with T_EXPEDITED). @category Events */
export const T_EXDATA = 0x0008;
/** A disconnect (t_rcvdis takes it). @category Events */
export const T_DISCONNECT = 0x0010;
/** A unit data error (t_rcvuderr takes it). @category Events */
export const T_UDERR = 0x0040;
/** An orderly release (t_rcvrel takes it). @category Events */
export const T_ORDREL = 0x0080;
/** Flow control on normal data lifted (XTI; consumed by t_look). @category Events */
export const T_GODATA = 0x0100;
/** Flow control on expedited data lifted (XTI; consumed by t_look). @category Events */
export const T_GOEXDATA = 0x0200;

// Data flags (t_snd, t_rcv, t_rcvudata).
/** The unit (TSDU, ETSDU or datagram) continues in a later call. @category Data flags */
export const T_MORE = 0x001;
/** Expedited data (an ETSDU). @category Data flags */
export const T_EXPEDITED = 0x002;
/** Send now (XTI; accepted and ignored, as in illumos). @category Data flags */
export const T_PUSH = 0x004;

// t_optmgmt request and result flags (a separate namespace: T_PUSH and T_NEGOTIATE are both 4).
/** t_optmgmt: set the options. @category Options */
export const T_NEGOTIATE = 0x004;
/** t_optmgmt: check the options without setting them. @category Options */
export const T_CHECK = 0x008;
/** t_optmgmt: the default values. @category Options */
export const T_DEFAULT = 0x010;
/** t_optmgmt result: accepted as asked. @category Options */
export const T_SUCCESS = 0x020;
/** t_optmgmt result: refused. @category Options */
export const T_FAILURE = 0x040;
/** t_optmgmt: the current values. @category Options */
export const T_CURRENT = 0x080;
/** t_optmgmt result: accepted with a lesser value. @category Options */
export const T_PARTSUCCESS = 0x100;
/** t_optmgmt result: the option cannot be changed now. @category Options */
export const T_READONLY = 0x200;
/** t_optmgmt result: the provider has no such option. @category Options */
export const T_NOTSUPPORT = 0x400;

// Service types (t_info.servtype).
/** Connection-oriented service without orderly release. @category Service types */
export const T_COTS = 1;
/** Connection-oriented service with orderly release. @category Service types */
export const T_COTS_ORD = 2;
/** Connectionless service. @category Service types */
export const T_CLTS = 3;

// t_info.flags.
/** Zero-length TSDUs, ETSDUs and datagrams may be sent. @category Service types */
export const T_SENDZERO = 0x001;
/** Orderly release carries user data (t_sndreldata). @category Service types */
export const T_ORDRELDATA = 0x002;

// Special sizes and values.
/** A size without limit. @category Special values */
export const T_INFINITE = -1;
/** A service the provider does not have (size -2). @category Special values */
export const T_INVALID = -2;
/** An option value left to the provider. @category Special values */
export const T_UNSPEC = -3;
/** t_optmgmt: every option of the level. @category Special values */
export const T_ALLOPT = 0;
/** Option value: on. @category Special values */
export const T_YES = 1;
/** Option value: off. @category Special values */
export const T_NO = 0;
/** Zero. @category Special values */
export const T_NULL = 0;
/** Unused (-1). @category Special values */
export const T_UNUSED = -1;
/** An absolute requirement (option names of negotiable options). @category Special values */
export const T_ABSREQ = 0x8000;
/** T_TCP_KEEPALIVE: also send a garbage octet. @category Special values */
export const T_GARBAGE = 0x02;

// t_alloc structure types and fields.
/** t_alloc: struct t_bind. @category t_alloc */
export const T_BIND = 1;
/** t_alloc: struct t_optmgmt. @category t_alloc */
export const T_OPTMGMT = 2;
/** t_alloc: struct t_call. @category t_alloc */
export const T_CALL = 3;
/** t_alloc: struct t_discon. @category t_alloc */
export const T_DIS = 4;
/** t_alloc: struct t_unitdata. @category t_alloc */
export const T_UNITDATA = 5;
/** t_alloc: struct t_uderr. @category t_alloc */
export const T_UDERROR = 6;
/** t_alloc: struct t_info. @category t_alloc */
export const T_INFO = 7;
/** t_alloc: allocate the addr netbuf. @category t_alloc */
export const T_ADDR = 0x01;
/** t_alloc: allocate the opt netbuf. @category t_alloc */
export const T_OPT = 0x02;
/** t_alloc: allocate the udata netbuf. @category t_alloc */
export const T_UDATA = 0x04;
/** t_alloc: every netbuf of the structure (XTI value; xti/tli's T_ALL is 0x07). @category t_alloc */
export const T_ALL = 0xffff;

// t_sndv / t_rcvv and t_sysconf.
/** The most t_iovec entries t_sndv, t_rcvv and the vudata calls take. @category t_alloc */
export const T_IOV_MAX = 16;
/** t_sysconf name of T_IOV_MAX. @category t_alloc */
export const _SC_T_IOV_MAX = 79;

// XTI generic options (level XTI_GENERIC).
/** The option level every provider has. @category Options */
export const XTI_GENERIC = 0xfffe;
/** XTI_GENERIC: debugging flags (t_uscalar_t[]). @category Options */
export const XTI_DEBUG = 0x0001;
/** XTI_GENERIC: linger on close (struct t_linger). @category Options */
export const XTI_LINGER = 0x0080;
/** XTI_GENERIC: receive buffer size. @category Options */
export const XTI_RCVBUF = 0x1002;
/** XTI_GENERIC: receive low-water mark. @category Options */
export const XTI_RCVLOWAT = 0x1004;
/** XTI_GENERIC: send buffer size. @category Options */
export const XTI_SNDBUF = 0x1001;
/** XTI_GENERIC: send low-water mark. @category Options */
export const XTI_SNDLOWAT = 0x1003;

// Internet options (illumos numbers; IP-level numbers differ between vendors).
/** The TCP option level. @category Internet options */
export const T_INET_TCP = 6;
/** TCP: no Nagle delay (T_YES/T_NO). @category Internet options */
export const T_TCP_NODELAY = 0x1;
/** TCP: the maximum segment size (read-only). @category Internet options */
export const T_TCP_MAXSEG = 0x2;
/** TCP: keep-alive (struct t_kpalive). @category Internet options */
export const T_TCP_KEEPALIVE = 0x8;
/** The UDP option level. @category Internet options */
export const T_INET_UDP = 17;
/** UDP: send and check checksums (T_YES/T_NO). @category Internet options */
export const T_UDP_CHECKSUM = 0x0600;
/** The IP option level. @category Internet options */
export const T_INET_IP = 0;
/** IP: IP header options. @category Internet options */
export const T_IP_OPTIONS = 0x107;
/** IP: type of service (SET_TOS). @category Internet options */
export const T_IP_TOS = 0x108;
/** IP: time to live. @category Internet options */
export const T_IP_TTL = 0x4;
/** IP: allow binding an address in use. @category Internet options */
export const T_IP_REUSEADDR = 0x104;
/** IP: do not route, send on the local network. @category Internet options */
export const T_IP_DONTROUTE = 0x105;
/** IP: allow broadcast (datagrams). @category Internet options */
export const T_IP_BROADCAST = 0x106;

// T_IP_TOS precedence and type-of-service values, and SET_TOS.
/** T_IP_TOS precedence: routine. @category Internet options */
export const T_ROUTINE = 0;
/** T_IP_TOS precedence: priority. @category Internet options */
export const T_PRIORITY = 1;
/** T_IP_TOS precedence: immediate. @category Internet options */
export const T_IMMEDIATE = 2;
/** T_IP_TOS precedence: flash. @category Internet options */
export const T_FLASH = 3;
/** T_IP_TOS precedence: flash override. @category Internet options */
export const T_OVERRIDEFLASH = 4;
/** T_IP_TOS precedence: critic/ECP. @category Internet options */
export const T_CRITIC_ECP = 5;
/** T_IP_TOS precedence: internetwork control. @category Internet options */
export const T_INETCONTROL = 6;
/** T_IP_TOS precedence: network control. @category Internet options */
export const T_NETCONTROL = 7;
/** T_IP_TOS type of service: none. @category Internet options */
export const T_NOTOS = 0;
/** T_IP_TOS type of service: low delay. @category Internet options */
export const T_LDELAY = 1 << 4;
/** T_IP_TOS type of service: high throughput. @category Internet options */
export const T_HITHRPT = 1 << 3;
/** T_IP_TOS type of service: high reliability. @category Internet options */
export const T_HIREL = 1 << 2;
/** T_IP_TOS type of service: low cost. @category Internet options */
export const T_LOCOST = 1 << 1;
/** SET_TOS(prec, tos): the T_IP_TOS value for a precedence and type-of-service bits. Non-integers count as 0. @category Internet options */
export function SET_TOS(precedence: number, tos: number): number {
  const int = (v: unknown): number => (typeof v === "number" && Number.isInteger(v) ? v : 0);
  return ((0x7 & int(precedence)) << 5) | (0x1e & int(tos));
}

// open(2) flags for t_open, with the Linux values.
/** open(2) flag (t_open needs O_RDWR). @category Open flags */
export const O_RDONLY = 0;
/** open(2) flag (t_open needs O_RDWR). @category Open flags */
export const O_WRONLY = 1;
/** t_open: read and write (required). @category Open flags */
export const O_RDWR = 2;
/** t_open / fcntl: non-blocking mode. @category Open flags */
export const O_NONBLOCK = 0o4000;
