/**
 * xti: the X/Open Transport Interface (XTI, XNS Issue 5.2) for Node.js, with SVR4 TLI and XNS4
 * semantics on request (docs/semantics.md). Importing the package registers the built-in
 * providers (/dev/ticots, /dev/ticotsord, /dev/ticlts).
 *
 * Three kinds of exports, and what each does with bad input:
 * - the C-style calls (t_*, fcntl, poll, the netconfig and netdir calls): C names, C arguments,
 *   C results. They never throw: a failure is -1 (null for the calls that return a structure)
 *   with t_errno, errno, _nderror or nc_sperror saying why, as in C.
 * - the idiomatic API (Endpoint): methods that return results and throw XTIError.
 * - helpers (netbuf, t_call_of, sockaddr_in, encodeOptions, ...): they throw only XTIError
 *   (TSYSERR/EINVAL, TBADADDR) for arguments they cannot use; the parsers return null.
 *
 * t_errno, errno, t_errdetail and _nderror are live bindings: read them from the module
 * (`import { t_errno } from "xti"`, or `xti.t_errno`); a copy taken by destructuring
 * (`const { t_errno } = require("xti")`) keeps the value it had when it was taken.
 *
 * @module xti
 */
import { registerRawHost as registerRaw, type RawHostRegistration } from "../providers/index.js";
import { createLoopbackProvider as createLoopback, type LoopbackConfig, type LoopbackProvider } from "../providers/loopback/index.js";
import { guarded } from "./xtierror.js";

export * from "./constants.js";
export {
  netbuf,
  netbufBytes,
  t_bind_of,
  t_call_of,
  t_discon_of,
  t_optmgmt_of,
  t_uderr_of,
  t_unitdata_of,
  type IntRef,
  type Ref,
  type t_call,
  type t_discon,
  type t_info,
  type t_iovec,
  type t_kpalive,
  type t_linger,
  type t_uderr,
  type t_unitdata,
} from "./structs.js";
export * from "./api.js";
export type { XtiStruct } from "./core/alloc.js";
export { poll, type pollfd, POLLIN, POLLPRI, POLLOUT, POLLERR, POLLHUP, POLLNVAL, POLLRDNORM, POLLRDBAND, POLLWRNORM, POLLWRBAND } from "./poll.js";
export { Endpoint, type EndpointOptions, type ConnectIndication, type ConnectionInfo, type Datagram, type Disconnect, type Received } from "./endpoint.js";
export { XTIError } from "./xtierror.js";
export { T_ERRLIST, t_nerr, tErrnoName } from "./messages.js";
export * as Errno from "./errno.js";
export { errnoName, strerror } from "./errno.js";
export { PROFILES, type SemanticsName, type SemanticsProfile, type ErrorRemap } from "./profile.js";
export { STATE_TABLE, XtiEvent, nextState, STATE_NAMES, type XtiEventName, type StateTableRow } from "./statetable.js";
export * from "./spi/contract.js";
export { registerProvider, registerProviderFactory, unregisterProvider, lookupProvider, providerNames } from "./registry.js";
export {
  T_OPTHDR_SIZE,
  T_OPT_FIRSTHDR,
  T_OPT_NEXTHDR,
  T_OPT_DATA,
  readOpthdr,
  decodeOptions,
  encodeOptions,
  scalarValue,
  scalarsValue,
  readScalar,
  readUscalar,
  type t_opthdr,
  type XtiOption,
} from "./options/opthdr.js";
export * from "./inet.js";
export {
  NETCONFIG_ENV,
  NC_TPI_CLTS,
  NC_TPI_COTS,
  NC_TPI_COTS_ORD,
  NC_TPI_RAW,
  NC_NOFLAG,
  NC_VISIBLE,
  NC_BROADCAST,
  NC_NOPROTOFMLY,
  NC_LOOPBACK,
  NC_INET,
  NC_INET6,
  NC_NOPROTO,
  NC_TCP,
  NC_UDP,
  NC_ICMP,
  type netconfig,
} from "./netconfig.js";
export * from "./netselect.js";
export * from "./netdir.js";
export type { LoopbackConfig, LoopbackProvider };

/**
 * A loopback transport provider with its own device name and limits, to register with
 * registerProvider: the built-in /dev/ticots, /dev/ticotsord and /dev/ticlts are three of these.
 * Small TSDU/ETSDU limits, TIDU sizes, receive buffers or queue lengths let a program (or its
 * tests) meet TBADDATA, T_MORE pieces, flow control or TQFULL without a network; see
 * LoopbackConfig for each field and its default. Throws XTIError (TSYSERR/EINVAL) for a
 * configuration it cannot serve.
 *
 * ```ts
 * registerProvider(createLoopbackProvider({ name: "/dev/tiny", servtype: T_COTS_ORD, tsdu: 16 }));
 * const fd = t_open("/dev/tiny", O_RDWR);
 * ```
 */
export function createLoopbackProvider(config: LoopbackConfig): LoopbackProvider {
  return guarded("createLoopbackProvider", () => createLoopback(config));
}
export type { RawHostDescription, RawHostRegistration, FaultConfig, FaultInjectorConfig, TcpConfig, CongestionControlName } from "../providers/index.js";

/**
 * Register /dev/rawtcp and /dev/rawudp (or devices of other names) served by a user-space stack
 * described in code: the same settings as an `@host` line of the netconfig file (interface or
 * in-memory hub, address/prefix, gateway, MAC, fault injection, pcap, TCP configuration). The host
 * opens at the first t_open of one of its devices. Returns the registered device names. Throws
 * XTIError (TSYSERR/EINVAL) for a description it cannot serve, naming what is wrong.
 */
export function registerRawHost(registration: RawHostRegistration): string[] {
  return guarded("registerRawHost", () => registerRaw(registration));
}
