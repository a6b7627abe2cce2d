/**
 * xti: the X/Open Transport Interface (XNS5) for Node.js, with SVR4 TLI and XNS4 semantics on
 * request. Importing the package registers the built-in providers (providers/index.ts).
 */
import "../providers/index.js";

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
export { poll, type pollfd, POLLIN, POLLPRI, POLLOUT, POLLERR, POLLHUP, POLLNVAL, POLLRDNORM, POLLRDBAND, POLLWRNORM, POLLWRBAND } from "./poll.js";
export { Endpoint, type ConnectIndication, type ConnectionInfo, type Datagram, type Disconnect, type Received } from "./endpoint.js";
export { XTIError } from "./xtierror.js";
export { T_ERRLIST, t_nerr, tErrnoName } from "./messages.js";
export * as Errno from "./errno.js";
export { errnoName, strerror } from "./errno.js";
export { PROFILES, type SemanticsName, type SemanticsProfile } from "./profile.js";
export { STATE_TABLE, XtiEvent, nextState, STATE_NAMES } from "./statetable.js";
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
import { createLoopbackProvider as createLoopback, type LoopbackConfig, type LoopbackProvider } from "../providers/loopback/index.js";
import { guarded } from "./xtierror.js";
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
