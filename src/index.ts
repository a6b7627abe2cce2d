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
export { createLoopbackProvider, type LoopbackConfig } from "../providers/loopback/index.js";
export { registerRawHost, type RawHostDescription, type RawHostRegistration } from "../providers/index.js";
