/**
 * The XTI_GENERIC options every endpoint has (XTI_DEBUG, XTI_LINGER, XTI_RCVBUF, XTI_RCVLOWAT,
 * XTI_SNDBUF, XTI_SNDLOWAT). The library keeps them for providers that do not manage them; a
 * provider that declares one of them itself (e.g. XTI_RCVBUF sizing its queue) takes precedence.
 */
import { T_FAILURE, T_INFINITE, T_NO, T_PARTSUCCESS, T_SUCCESS, T_UNSPEC, T_YES, XTI_DEBUG, XTI_GENERIC, XTI_LINGER, XTI_RCVBUF, XTI_RCVLOWAT, XTI_SNDBUF, XTI_SNDLOWAT } from "../constants.js";
import type { ProviderOption } from "../spi/contract.js";
import { readScalar, readUscalar, scalarsValue, scalarValue } from "./opthdr.js";

/** The largest buffer size the library accepts for XTI_RCVBUF / XTI_SNDBUF (larger → T_PARTSUCCESS). */
export const MAX_BUFFER_OPTION = 16 * 1024 * 1024;

/** A stored option value with a validation rule. */
export class StoredOption implements ProviderOption {
  private value: Uint8Array;
  constructor(
    readonly level: number,
    readonly name: number,
    readonly length: number,
    private readonly initial: Uint8Array,
    private readonly judge: (value: Uint8Array) => { status: number; value: Uint8Array },
  ) {
    this.value = initial;
  }
  readOnly(): boolean {
    return false;
  }
  defaultValue(): Uint8Array {
    return this.initial;
  }
  currentValue(): Uint8Array {
    return this.value;
  }
  check(value: Uint8Array): { status: number; value: Uint8Array } {
    return this.judge(value);
  }
  set(value: Uint8Array): void {
    this.value = value.slice();
  }
}

/** Judge a buffer-size value: > 0, capped at `max`. */
export function bufferSizeRule(max: number): (value: Uint8Array) => { status: number; value: Uint8Array } {
  return (value) => {
    const n = readUscalar(value);
    if (n === 0) return { status: T_FAILURE, value };
    if (n > max) return { status: T_PARTSUCCESS, value: scalarValue(max) };
    return { status: T_SUCCESS, value };
  };
}

function positiveRule(value: Uint8Array): { status: number; value: Uint8Array } {
  return { status: readUscalar(value) > 0 ? T_SUCCESS : T_FAILURE, value };
}

/** Judge a struct t_linger: l_onoff T_YES or T_NO, l_linger >= 0, T_INFINITE or T_UNSPEC. */
export function lingerRule(value: Uint8Array): { status: number; value: Uint8Array } {
  const onoff = readScalar(value, 0);
  const linger = readScalar(value, 1);
  const ok = (onoff === T_YES || onoff === T_NO) && (linger >= 0 || linger === T_INFINITE || linger === T_UNSPEC);
  return { status: ok ? T_SUCCESS : T_FAILURE, value };
}

/** Fresh library-kept XTI_GENERIC options for one endpoint. */
export function genericOptions(defaults: { rcvbuf: number; sndbuf: number }): ProviderOption[] {
  return [
    new StoredOption(XTI_GENERIC, XTI_DEBUG, 0, new Uint8Array(0), (value) => ({ status: T_SUCCESS, value })),
    new StoredOption(XTI_GENERIC, XTI_LINGER, 8, scalarsValue(T_NO, T_UNSPEC), lingerRule),
    new StoredOption(XTI_GENERIC, XTI_RCVBUF, 4, scalarValue(defaults.rcvbuf), bufferSizeRule(MAX_BUFFER_OPTION)),
    new StoredOption(XTI_GENERIC, XTI_RCVLOWAT, 4, scalarValue(1), positiveRule),
    new StoredOption(XTI_GENERIC, XTI_SNDBUF, 4, scalarValue(defaults.sndbuf), bufferSizeRule(MAX_BUFFER_OPTION)),
    new StoredOption(XTI_GENERIC, XTI_SNDLOWAT, 4, scalarValue(1), positiveRule),
  ];
}
