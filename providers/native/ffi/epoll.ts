/**
 * struct epoll_event as bytes: `uint32_t events` then a 64-bit `data`, which x86-64 declares
 * packed (12 bytes, data at offset 4) and every other Linux architecture pads (16 bytes, data at
 * offset 8). `data` carries a 32-bit token here, stored in its low word.
 */
import { endianness } from "node:os";

const HOST_LE = endianness() === "LE";

export const EPOLL_EVENT_SIZE = process.arch === "x64" ? 12 : 16;
const DATA_OFFSET = process.arch === "x64" ? 4 : 8;
// The low 32-bit word of the 64-bit data field.
const TOKEN_OFFSET = DATA_OFFSET + (HOST_LE ? 0 : 4);

/** An array of `count` epoll_events (a one-element one for epoll_ctl). */
export class EpollEvents {
  readonly bytes: Uint8Array;
  private readonly view: DataView;

  constructor(readonly count: number) {
    this.bytes = new Uint8Array(new ArrayBuffer(count * EPOLL_EVENT_SIZE));
    this.view = new DataView(this.bytes.buffer);
  }

  set(i: number, events: number, token: number): void {
    const at = i * EPOLL_EVENT_SIZE;
    this.view.setUint32(at, events >>> 0, HOST_LE);
    this.view.setUint32(at + DATA_OFFSET, 0);
    this.view.setUint32(at + DATA_OFFSET + 4, 0);
    this.view.setUint32(at + TOKEN_OFFSET, token >>> 0, HOST_LE);
  }

  events(i: number): number {
    return this.view.getUint32(i * EPOLL_EVENT_SIZE, HOST_LE);
  }

  token(i: number): number {
    return this.view.getUint32(i * EPOLL_EVENT_SIZE + TOKEN_OFFSET, HOST_LE);
  }
}
