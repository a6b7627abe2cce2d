/**
 * The library's side of the provider boundary: every request goes to the provider through a
 * guard that turns whatever the provider throws into an XtiFailure (error acks into their
 * t_errno, anything else into TSYSERR/EIO). What escapes a call's core code without being an
 * XtiFailure can then only come from the caller's arguments (failure.ts, callerFailure).
 */
import type { ProviderEndpoint, ProviderInfo, ProviderOption } from "../spi/contract.js";
import { toFailure } from "./failure.js";

function guardSync<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
  return (...args) => {
    try {
      return fn(...args);
    } catch (e) {
      throw toFailure(e);
    }
  };
}

function guardAsync<A extends unknown[], R>(fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args) => {
    try {
      return await fn(...args);
    } catch (e) {
      throw toFailure(e);
    }
  };
}

function guardOption(o: ProviderOption): ProviderOption {
  return {
    level: o.level,
    name: o.name,
    length: o.length,
    readOnly: guardSync(() => o.readOnly()),
    defaultValue: guardSync(() => o.defaultValue()),
    currentValue: guardSync(() => o.currentValue()),
    check: guardSync((value: Uint8Array) => o.check(value)),
    set: guardSync((value: Uint8Array) => o.set(value)),
  };
}

/** `pep` with every method guarded. The raw endpoint stays the identity passed back to its provider (AcceptRequest.acceptor). */
export function guardEndpoint(pep: ProviderEndpoint): ProviderEndpoint {
  const blocked = pep.userBlocked;
  const guarded: ProviderEndpoint = {
    info: guardSync((): ProviderInfo => pep.info()),
    bind: guardAsync((req) => pep.bind(req)),
    unbind: guardAsync(() => pep.unbind()),
    addresses: guardSync(() => pep.addresses()),
    connect: guardAsync((req) => pep.connect(req)),
    accept: guardAsync((req) => pep.accept(req)),
    disconnect: guardAsync((req) => pep.disconnect(req)),
    data: guardSync((buf, more) => pep.data(buf, more)),
    exdata: guardSync((buf, more) => pep.exdata(buf, more)),
    ordrel: guardSync((udata) => pep.ordrel(udata)),
    unitdata: guardSync((req) => pep.unitdata(req)),
    consumed: guardSync((bytes, expedited) => pep.consumed(bytes, expedited)),
    options: guardSync(() => pep.options().map(guardOption)),
    close: guardAsync(() => pep.close()),
  };
  if (blocked !== undefined) guarded.userBlocked = guardSync((b: boolean) => blocked.call(pep, b));
  return guarded;
}
