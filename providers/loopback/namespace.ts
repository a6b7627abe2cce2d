/**
 * One loopback transport's address space: bound addresses (opaque byte strings compared by length
 * and content) and connection sequence numbers. ticots, ticotsord and ticlts each have their own,
 * as the tl driver keeps one per transport type.
 */

/** Addresses the provider chooses are 4-byte counters starting at 0x1000, as tl's default addresses. */
const FIRST_AUTO_ADDRESS = 0x1000;

function key(addr: Uint8Array): string {
  return Buffer.from(addr.buffer, addr.byteOffset, addr.byteLength).toString("latin1");
}

export class LoopNamespace<E> {
  private readonly bound = new Map<string, E>();
  private nextAuto = FIRST_AUTO_ADDRESS;
  private nextSequence = 1;

  lookup(addr: Uint8Array): E | undefined {
    return this.bound.get(key(addr));
  }

  inUse(addr: Uint8Array): boolean {
    return this.bound.has(key(addr));
  }

  add(addr: Uint8Array, ep: E): void {
    this.bound.set(key(addr), ep);
  }

  remove(addr: Uint8Array, ep: E): void {
    if (this.bound.get(key(addr)) === ep) this.bound.delete(key(addr));
  }

  /** A free address of the provider's choosing. */
  allocate(): Uint8Array {
    for (;;) {
      const addr = new Uint8Array(4);
      new DataView(addr.buffer).setUint32(0, this.nextAuto >>> 0, true);
      this.nextAuto = (this.nextAuto + 1) >>> 0;
      if (!this.inUse(addr)) return addr;
    }
  }

  sequence(): number {
    return this.nextSequence++;
  }
}
