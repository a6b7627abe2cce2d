/** The constants and structures of <netdir.h>, and how a translator reports a failure. */
import type { netbuf } from "../structs.js";

// _nderror values. Negative ones end a search; positive ones let the next library try.
/** The name server did not answer (try again later). */
export const ND_TRY_AGAIN = -5;
/** The name server failed for good. */
export const ND_NO_RECOVERY = -4;
/** The name exists but has no address of the transport's family. */
export const ND_NO_DATA = -3;
/** Same as ND_NO_DATA. */
export const ND_NO_ADDRESS = ND_NO_DATA;
/** A bad argument. */
export const ND_BADARG = -2;
/** Out of memory. */
export const ND_NOMEM = -1;
/** Success. */
export const ND_OK = 0;
/** The host name was not found. */
export const ND_NOHOST = 1;
/** The service name was not found. */
export const ND_NOSERV = 2;
/** A name-to-address library lacks a routine. */
export const ND_NOSYM = 3;
/** A name-to-address library cannot be opened (xti knows straddr.so, tcpip.so and switch.so). */
export const ND_OPEN = 4;
/** Access denied. */
export const ND_ACCESS = 5;
/** netdir_free was given an unknown structure type. */
export const ND_UKNWN = 6;
/** netdir_options was given an option the transport does not know. */
export const ND_NOCTRL = 7;
/** A netdir_options option failed. */
export const ND_FAILCTRL = 8;
/** A system error (errno says which). */
export const ND_SYSTEM = 9;

// netdir_free structure types.
/** netdir_free: an nd_hostserv. */
export const ND_HOSTSERV = 0;
/** netdir_free: an nd_hostservlist. */
export const ND_HOSTSERVLIST = 1;
/** netdir_free: a netbuf (an address). */
export const ND_ADDR = 2;
/** netdir_free: an nd_addrlist. */
export const ND_ADDRLIST = 3;

// netdir_options options.
/** Allow broadcast on the endpoint (inet: T_IP_BROADCAST where the provider has it). */
export const ND_SET_BROADCAST = 1;
/** Bind the unbound endpoint to a reserved port (inet: below 1024; needs the privilege). */
export const ND_SET_RESERVEDPORT = 2;
/** Is the address in the netbuf on a reserved port? 0 if it is, 1 if not. */
export const ND_CHECK_RESERVEDPORT = 3;
/** Merge a server's universal address with a client's (struct nd_mergearg). */
export const ND_MERGEADDR = 4;

// Special host names for netdir_getbyname (the C strings "\1", "\2", "\3", "\4").
/** The address local programs bind to (inet: the wildcard address). */
export const HOST_SELF = "\\1";
/** Any host (inet: none, IP cannot name a service without a host). */
export const HOST_ANY = "\\2";
/** Every host the transport reaches (inet: the broadcast address of each interface). */
export const HOST_BROADCAST = "\\3";
/** Same as HOST_SELF. */
export const HOST_SELF_BIND = HOST_SELF;
/** The address to connect to this host (inet: the loopback address). */
export const HOST_SELF_CONNECT = "\\4";

/** struct nd_hostserv: a host and a service name (h_serv null: no service, port 0 for inet). */
export interface nd_hostserv {
  h_host: string | null;
  h_serv: string | null;
}

/** struct nd_hostservlist. */
export interface nd_hostservlist {
  h_cnt: number;
  h_hostservs: nd_hostserv[];
}

/** struct nd_addrlist: the addresses netdir_getbyname found, as netbufs ready for t_connect or t_bind. */
export interface nd_addrlist {
  n_cnt: number;
  n_addrs: netbuf[];
}

/** struct nd_mergearg of ND_MERGEADDR: the server's and client's universal addresses, and the result. */
export interface nd_mergearg {
  s_uaddr: string;
  c_uaddr: string;
  m_uaddr: string | null;
}

/** A translation failure: the _nderror code, what it is about, and errno for ND_SYSTEM. */
export class NetdirFailure {
  constructor(
    readonly code: number,
    readonly detail = "",
    readonly errno = 0,
  ) {}
}

export function ndFail(code: number, detail = "", errno = 0): never {
  throw new NetdirFailure(code, detail, errno);
}

/** One name-to-address library: how a family of transports names its addresses. */
export interface Translator {
  /** The addresses of a host and service (rejects with a NetdirFailure). */
  getbyname(nc: Transport, host: string | null, serv: string | null): Promise<Uint8Array[]>;
  /** The host and service names of an address. */
  getbyaddr(nc: Transport, addr: Uint8Array): Promise<nd_hostserv[]>;
  /** An address in universal form (throws a NetdirFailure). */
  taddr2uaddr(nc: Transport, addr: Uint8Array): string;
  /** The address of a universal address. */
  uaddr2taddr(nc: Transport, uaddr: string): Uint8Array;
  /** netdir_options: 0, 1 (ND_CHECK_RESERVEDPORT: not reserved), or a NetdirFailure. */
  options(nc: Transport, option: number, fd: number, par: unknown): Promise<number>;
}

/** The fields of struct netconfig a translator uses, read once from the caller's object. */
export interface Transport {
  netid: string;
  family: string;
  proto: string;
}
