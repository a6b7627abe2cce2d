/**
 * How the conformance suite certifies the loopback providers: in process, no privileges, immediate
 * indications. Each target declares what its device is meant to be: the t_info of the illumos tl
 * driver it imitates (xti-spec §7.1) and tl's behaviour where XTI leaves a choice.
 */
import { T_CLTS, T_COTS, T_COTS_ORD, T_INFINITE, T_INVALID, T_SENDZERO } from "../../src/spi/index.js";
import type { ConformanceTarget, TargetDeclaration, TargetFeatures } from "../../conformance/types.js";

/** tl's behaviour where XTI leaves a choice (tl.c). */
export const LOOPBACK_FEATURES: Readonly<TargetFeatures> = {
  reportsUderr: true, // T_UDERROR_IND for a datagram to an unbound address
  boundedQueue: true,
  callerBeyondQlen: "refused", // a T_DISCON_IND to a caller when the listener holds qlen indications
  confirmedOnAccept: true, // T_CONN_CON only in answer to T_CONN_RES
  refusesUnknownAddress: true,
  abortDiscardsUnread: true, // M_FLUSH of the peer's read side before T_DISCON_IND
  errnoReasons: true, // ECONNREFUSED for a refused connect, ECONNRESET for an abort
  opaqueAddresses: true, // addresses are byte strings compared by length and bytes
};

/** tl's t_info: ticots and ticotsord unlimited, ticlts datagrams of up to the TIDU (64 KiB). */
const COTS_INFO: TargetDeclaration = { addr: T_INFINITE, options: T_INFINITE, tsdu: T_INFINITE, etsdu: T_INFINITE, connect: T_INFINITE, discon: T_INFINITE, flags: T_SENDZERO };
const CLTS_INFO: TargetDeclaration = { addr: T_INFINITE, options: T_INFINITE, tsdu: 65536, etsdu: T_INVALID, connect: T_INVALID, discon: T_INVALID, flags: T_SENDZERO };

export function loopbackConformanceTargets(): ConformanceTarget[] {
  const features = { ...LOOPBACK_FEATURES };
  return [
    { name: "ticots", device: "/dev/ticots", description: "loopback, T_COTS (tl)", features, declared: { ...COTS_INFO, servtype: T_COTS } },
    { name: "ticotsord", device: "/dev/ticotsord", description: "loopback, T_COTS_ORD (tl)", features, declared: { ...COTS_INFO, servtype: T_COTS_ORD } },
    { name: "ticlts", device: "/dev/ticlts", description: "loopback, T_CLTS (tl)", features, declared: { ...CLTS_INFO, servtype: T_CLTS } },
  ];
}
