/**
 * Text for any value, for error messages. A message about bad input must not fail on that input:
 * template literals throw on a Symbol, and on an object whose toString throws or is not a function.
 */
export function show(value: unknown): string {
  try {
    if (typeof value === "string") return JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}...` : value);
    if (typeof value === "symbol") return value.toString();
    if (typeof value === "function") return "a function";
    if (typeof value === "object" && value !== null) return Array.isArray(value) ? "an array" : "an object";
    return String(value);
  } catch {
    return "a value that cannot be shown";
  }
}

/** The message of whatever was thrown, without running code the thrower controls beyond a getter. */
export function messageOf(thrown: unknown): string {
  try {
    if (thrown instanceof Error && typeof thrown.message === "string") return thrown.message;
  } catch {
    // a throwing `message` getter: fall through
  }
  return show(thrown);
}

// eslint-disable-next-line @typescript-eslint/unbound-method -- the getter is only ever called with .call(value)
const TYPED_ARRAY_TAG = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype) as object, Symbol.toStringTag)?.get as (this: unknown) => string | undefined;

/**
 * True for a genuine Uint8Array (a Buffer is one), without running any code the value controls:
 * `instanceof` consults a proxy's getPrototypeOf trap and accepts a proxy around a Uint8Array,
 * whose methods then fail; the typed-array brand cannot be faked.
 */
export function isBytes(value: unknown): value is Uint8Array {
  return ArrayBuffer.isView(value) && TYPED_ARRAY_TAG.call(value) === "Uint8Array";
}

/** `value instanceof type`, false instead of an exception when a proxy's trap throws. */
export function isInstance<T>(value: unknown, type: abstract new (...args: never[]) => T): value is T {
  try {
    return value instanceof type;
  } catch {
    return false;
  }
}
