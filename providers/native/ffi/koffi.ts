/**
 * Lazy access to koffi. Nothing is loaded at import time, so the rest of xti keeps working where
 * koffi (or its prebuilt binary) is absent; only opening a packet device needs it.
 */
import { createRequire } from "node:module";
import type * as Koffi from "koffi";

export type KoffiModule = typeof Koffi;

let loaded: KoffiModule | undefined;

/** Load koffi on first use (per thread: a worker loads its own copy). */
export function loadKoffi(): KoffiModule {
  if (loaded === undefined) {
    try {
      loaded = createRequire(import.meta.url)("koffi") as KoffiModule;
    } catch (cause) {
      const why = cause instanceof Error ? cause.message : String(cause);
      throw new Error(`koffi is not available, so raw packet I/O cannot be used: ${why}`, { cause });
    }
  }
  return loaded;
}
