/**
 * `xti/spi`: everything a transport provider may use, and nothing else. A third-party provider
 * imports this module; the built-in providers import it too (a test scans their imports), so the
 * boundary they are written against is the one a third party has.
 *
 * - the contract: the request and indication interfaces, ProviderInfo, ProviderError (contract.ts)
 * - the numeric constants of <xti.h> (service types, option levels and names, T_SUCCESS...)
 * - errno values and their names, for TSYSERR errors and disconnect reasons
 * - option helpers: t_opthdr values (scalars, t_linger, t_kpalive) and a stored option with a rule
 * - Internet addresses: sockaddr_in / sockaddr_in6 netbufs and universal addresses
 * - registration: a provider makes its device name known to t_open
 *
 * @module xti/spi
 */
export * from "./contract.js";
export * from "../constants.js";
export * from "../errno.js";
export {
  T_OPTHDR_SIZE,
  decodeOptions,
  encodeOptions,
  readScalar,
  readUscalar,
  scalarValue,
  scalarsValue,
  type XtiOption,
} from "../options/opthdr.js";
export { UDP_MAX_DATAGRAM, byteAtLeastRule, internetInfo, keepaliveRule, yesNoRule, yesNoValue, type JudgedValue } from "../options/inet.js";
export { MAX_BUFFER_OPTION, StoredOption, bufferSizeRule, lingerRule } from "../options/generic.js";
export * from "../inet.js";
export { registerProvider, registerProviderFactory, unregisterProvider, providerNames } from "../registry.js";
export {
  NC_BROADCAST,
  NC_TPI_CLTS,
  NC_TPI_COTS,
  NC_TPI_COTS_ORD,
  NC_TPI_RAW,
  NC_VISIBLE,
  NETCONFIG_ENV,
  NetconfigError,
  readNetconfig,
  type Netconfig,
  type NetconfigEntry,
  type NetconfigHost,
} from "../netconfig.js";
