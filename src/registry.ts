/**
 * Device names → transport providers. t_open looks a name up here; built-in providers register
 * themselves when the package is imported, third-party providers with registerProvider.
 */
import type { TransportProvider } from "./spi/contract.js";

type Entry = { provider: TransportProvider } | { factory: () => TransportProvider };

const registry = new Map<string, Entry>();

/** Register (or replace) the provider for its device name. */
export function registerProvider(provider: TransportProvider): void {
  registry.set(provider.name, { provider });
}

/**
 * Register a provider created on first use (a provider that loads native code or reads
 * configuration should not do it at import time).
 */
export function registerProviderFactory(name: string, factory: () => TransportProvider): void {
  registry.set(name, { factory });
}

export function unregisterProvider(name: string): boolean {
  return registry.delete(name);
}

/** The provider for `name`, creating it on first use; undefined if none is registered. */
export function lookupProvider(name: string): TransportProvider | undefined {
  const entry = registry.get(name);
  if (entry === undefined) return undefined;
  if ("provider" in entry) return entry.provider;
  const provider = entry.factory();
  registry.set(name, { provider });
  return provider;
}

/** Registered device names, in registration order. */
export function providerNames(): string[] {
  return [...registry.keys()];
}
