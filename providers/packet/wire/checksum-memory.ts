/**
 * Memory whose Internet checksums are summed in WebAssembly. A JavaScript loop sums about
 * 1.2 GB/s here (1.2-1.3 us per 1480-byte segment, the largest single cost of receiving a frame);
 * checksum.wat sums memory it shares with JavaScript at about 7 GB/s (215 ns), but only memory it
 * can address: copying a frame into it first cost as much as the loop saved. So the AF_PACKET
 * device allocates its receive ring and its transmit arena here, and onesComplementSum() takes
 * the fast path for any view of such memory.
 */
import { CHECKSUM_WASM } from "./checksum-wasm.js";

/** Sum of the little-endian 32-bit halves of [ptr, ptr + len): ptr 8-aligned, len a multiple of 8. */
export type WasmSummer = (ptr: number, len: number) => number;

/** The part of the WebAssembly API used here (the project compiles without the DOM library). */
interface WasmApi {
  Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => { readonly buffer: ArrayBufferLike };
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
}
// Absent under --jitless or --no-expose-wasm: checksumMemory() then falls back (its catch).
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

const WASM_PAGE = 64 * 1024;
const summers = new WeakMap<ArrayBufferLike, WasmSummer>();
let compiled: object | null = null;

/**
 * A SharedArrayBuffer of at least `bytes` (whole 64 KiB pages) that never grows or moves, with
 * its checksums summed in WebAssembly. Where WebAssembly is unavailable (`--jitless`) or refuses
 * the memory (each shared memory reserves about 10 GiB of address space on x64, which an
 * RLIMIT_AS can forbid), a plain SharedArrayBuffer of `bytes`, summed in JavaScript.
 */
export function checksumMemory(bytes: number): SharedArrayBuffer {
  const pages = Math.max(1, Math.ceil(bytes / WASM_PAGE));
  try {
    const memory = new wasm.Memory({ initial: pages, maximum: pages, shared: true });
    compiled ??= new wasm.Module(CHECKSUM_WASM);
    const instance = new wasm.Instance(compiled, { env: { memory } });
    const buffer = memory.buffer as SharedArrayBuffer;
    summers.set(buffer, instance.exports["sum"] as WasmSummer);
    return buffer;
  } catch {
    return new SharedArrayBuffer(bytes);
  }
}

/** The WebAssembly summer of memory from checksumMemory(), or undefined for any other buffer. */
export function wasmSummer(buffer: ArrayBufferLike): WasmSummer | undefined {
  return summers.get(buffer);
}
