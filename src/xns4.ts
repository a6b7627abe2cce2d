/**
 * `xti/xns4`: XTI with XNS Issue 4 semantics (what `<xti.h>` gives a program compiled with
 * _XOPEN_SOURCE and without _XPG5): t_snd fails TLOOK on a pending orderly release, and t_accept
 * on any pending event. Everything else is the `xti` API; t_open here opens XNS4 endpoints.
 *
 * @module xti/xns4
 */
import * as api from "./api.js";
import type { t_info } from "./structs.js";

export * from "./index.js";

/** t_open(3): open `name` with XNS4 semantics (see the t_open of xti). */
export function t_open(name: string, oflag: number, info?: t_info | null): number {
  return api.t_open(name, oflag, info ?? null, { semantics: "XNS4" });
}
