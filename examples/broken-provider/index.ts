/**
 * A deliberately broken transport provider, to show (and test) that the conformance suite catches
 * framing bugs. It is the loopback T_COTS_ORD provider with one fault in how it passes data up:
 *
 *   "lose-more"   every data piece arrives with MORE clear: a TSDU sent in pieces falls apart
 *   "merge-tsdus" every data piece arrives with MORE set: TSDUs never end, so they run together
 *   "refuse"      every connection request is answered with a disconnect (ECONNREFUSED)
 *   "never-close" closing a bound endpoint never completes (a provider that hangs)
 *
 * The last two show that the suite reports a provider that misbehaves badly, rather than stopping.
 *
 * Certify it to see the failures:  npm run conformance -- -p ./examples/broken-provider/index.ts
 * (this file's default export uses "lose-more").
 */
import { createLoopbackProvider, Errno, T_COTS_ORD, T_INFINITE, T_SENDZERO, type ProviderEndpoint, type ProviderUser, type TransportProvider } from "xti";
import type { ConformanceTarget } from "xti/conformance";

export type Fault = "lose-more" | "merge-tsdus" | "refuse" | "never-close";

export function createBrokenProvider(fault: Fault, name = `/dev/broken-${fault}`): TransportProvider {
  const inner = createLoopbackProvider({ name, servtype: T_COTS_ORD });
  const more = (sent: boolean): boolean => (fault === "lose-more" ? false : fault === "merge-tsdus" ? true : sent);
  return {
    name,
    open(user: ProviderUser): ProviderEndpoint {
      // Forward every indication unchanged except the MORE flag of data pieces.
      const faulty: ProviderUser = {
        connInd: (ind) => user.connInd(ind),
        connCon: (con) => user.connCon(con),
        disconInd: (ind) => user.disconInd(ind),
        dataInd: (data, m) => user.dataInd(data, more(m)),
        exdataInd: (data, m) => user.exdataInd(data, more(m)),
        ordrelInd: (udata) => user.ordrelInd(udata),
        unitdataInd: (ind) => user.unitdataInd(ind),
        uderrorInd: (ind) => user.uderrorInd(ind),
        flush: () => user.flush(),
        writable: (expedited) => user.writable(expedited),
        error: (errno) => user.error(errno),
      };
      const ep = inner.open(faulty);
      // The requests are replaced on the endpoint itself: the loopback provider accepts a
      // connection only onto its own endpoints, so a wrapper object would not do.
      if (fault === "refuse") {
        ep.connect = async () => {
          queueMicrotask(() => user.disconInd({ reason: Errno.ECONNREFUSED, sequence: -1, udata: new Uint8Array(0) }));
        };
      }
      if (fault === "never-close") {
        const close = ep.close.bind(ep);
        ep.close = () => (ep.addresses().local === null ? close() : new Promise<void>(() => undefined));
      }
      return ep;
    },
  };
}

export const provider = createBrokenProvider("lose-more", "/dev/broken");
export default provider;
export const conformanceTarget: ConformanceTarget = {
  name: "broken",
  device: "/dev/broken",
  description: "loopback with T_MORE lost on receive (deliberately broken)",
  // What it is meant to be: the loopback T_COTS_ORD provider it wraps (only the MORE flag is broken).
  declared: { servtype: T_COTS_ORD, addr: T_INFINITE, options: T_INFINITE, tsdu: T_INFINITE, etsdu: T_INFINITE, connect: T_INFINITE, discon: T_INFINITE, flags: T_SENDZERO },
  features: { reportsUderr: true, boundedQueue: true, callerBeyondQlen: "refused", confirmedOnAccept: true, refusesUnknownAddress: true, abortDiscardsUnread: true, errnoReasons: true, opaqueAddresses: true },
  eventTimeoutMs: 1000,
};
