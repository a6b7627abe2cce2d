/**
 * Device names → transport providers. t_open looks a name up here; built-in providers register
 * themselves when the package is imported, third-party providers with registerProvider.
 */
import { TSYSERR } from "./constants.js";
import { toFailure } from "./core/failure.js";
import { EIO } from "./errno.js";
import { show } from "./show.js";
import type { TransportProvider } from "./spi/contract.js";
import { XTIError, guarded, invalidArgument } from "./xtierror.js";

type Entry = { provider: TransportProvider } | { factory: () => TransportProvider };

const registry = new Map<string, Entry>();

function deviceName(call: string, name: unknown): string {
  if (typeof name !== "string" || name === "") invalidArgument(call, `the device name ${show(name)} is not a non-empty string`);
  return name;
}

/** Register (or replace) the provider for its device name. Throws XTIError for something that is not a provider. */
export function registerProvider(provider: TransportProvider): void {
  guarded("registerProvider", () => {
    if (typeof provider !== "object" || provider === null || typeof provider.open !== "function") {
      invalidArgument("registerProvider", `${show(provider)} is not a transport provider (an object with a name and open())`);
    }
    registry.set(deviceName("registerProvider", provider.name), { provider });
  });
}

/**
 * Register a provider created on first use (a provider that loads native code or reads
 * configuration should not do it at import time). Throws XTIError for a bad name or factory.
 */
export function registerProviderFactory(name: string, factory: () => TransportProvider): void {
  const device = deviceName("registerProviderFactory", name);
  if (typeof factory !== "function") invalidArgument("registerProviderFactory", `the factory for ${device} is not a function`);
  registry.set(device, { factory });
}

/** Forget the provider of `name`; false when none was registered. */
export function unregisterProvider(name: string): boolean {
  return registry.delete(name);
}

/**
 * The provider for `name`, creating it on first use; undefined if none is registered. A factory
 * that throws, or returns no provider, makes this throw XTIError (the code of a ProviderError it
 * threw, else TSYSERR/EIO; t_open fails with the same).
 */
export function lookupProvider(name: string): TransportProvider | undefined {
  const entry = registry.get(name);
  if (entry === undefined) return undefined;
  if ("provider" in entry) return entry.provider;
  let provider: unknown;
  try {
    provider = entry.factory();
  } catch (e) {
    const f = toFailure(e); // a ProviderError keeps its code; anything else is TSYSERR/EIO
    throw new XTIError("lookupProvider", f.t_errno, f.errno, `the provider of ${name} failed to start: ${f.detail ?? ""}`);
  }
  if (typeof provider !== "object" || provider === null || typeof (provider as TransportProvider).open !== "function") {
    throw new XTIError("lookupProvider", TSYSERR, EIO, `the factory registered for ${name} returned no transport provider`);
  }
  registry.set(name, { provider: provider as TransportProvider });
  return provider as TransportProvider;
}

/** Registered device names, in registration order. */
export function providerNames(): string[] {
  return [...registry.keys()];
}
