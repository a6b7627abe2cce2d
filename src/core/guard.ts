/**
 * The library's side of the provider boundary: every request goes to the provider through a
 * guard that turns whatever the provider throws into an XtiFailure (error acks into their
 * t_errno, anything else into TSYSERR/EIO). What escapes a call's core code without being an
 * XtiFailure can then only come from the caller's arguments (failure.ts, callerFailure).
 *
 * Each method is wrapped by hand, with its own parameters: data() and consumed() are on the hot
 * path, and a rest-parameter wrapper would allocate an array per piece.
 */
import type { ProviderEndpoint, ProviderOption } from "../spi/contract.js";
import { toFailure } from "./failure.js";

async function settled<T>(request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (e) {
    throw toFailure(e);
  }
}

function guardOption(o: ProviderOption): ProviderOption {
  const call = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (e) {
      throw toFailure(e);
    }
  };
  return {
    level: o.level,
    name: o.name,
    length: o.length,
    readOnly: () => call(() => o.readOnly()),
    defaultValue: () => call(() => o.defaultValue()),
    currentValue: () => call(() => o.currentValue()),
    check: (value) => call(() => o.check(value)),
    set: (value) => call(() => o.set(value)),
  };
}

/** `pep` with every method guarded. The raw endpoint stays the identity passed back to its provider (AcceptRequest.acceptor). */
export function guardEndpoint(pep: ProviderEndpoint): ProviderEndpoint {
  const guarded: ProviderEndpoint = {
    info() {
      try {
        return pep.info();
      } catch (e) {
        throw toFailure(e);
      }
    },
    bind: (req) => settled(() => pep.bind(req)),
    unbind: () => settled(() => pep.unbind()),
    addresses() {
      try {
        return pep.addresses();
      } catch (e) {
        throw toFailure(e);
      }
    },
    connect: (req) => settled(() => pep.connect(req)),
    accept: (req) => settled(() => pep.accept(req)),
    disconnect: (req) => settled(() => pep.disconnect(req)),
    data(buf, more) {
      try {
        return pep.data(buf, more);
      } catch (e) {
        throw toFailure(e);
      }
    },
    exdata(buf, more) {
      try {
        return pep.exdata(buf, more);
      } catch (e) {
        throw toFailure(e);
      }
    },
    ordrel(udata) {
      try {
        return pep.ordrel(udata);
      } catch (e) {
        throw toFailure(e);
      }
    },
    unitdata(req) {
      try {
        return pep.unitdata(req);
      } catch (e) {
        throw toFailure(e);
      }
    },
    consumed(bytes, expedited) {
      try {
        pep.consumed(bytes, expedited);
      } catch (e) {
        throw toFailure(e);
      }
    },
    options() {
      try {
        return pep.options().map(guardOption);
      } catch (e) {
        throw toFailure(e);
      }
    },
    close: () => settled(() => pep.close()),
  };
  if (pep.userBlocked !== undefined) {
    guarded.userBlocked = (blocked) => {
      try {
        pep.userBlocked?.(blocked);
      } catch (e) {
        throw toFailure(e);
      }
    };
  }
  return guarded;
}
