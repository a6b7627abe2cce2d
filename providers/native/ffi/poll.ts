/**
 * poll() over a fixed set of fds, the pollfd array kept as bytes (struct pollfd: int fd,
 * short events, short revents) so each call passes one buffer instead of marshalling structs.
 */
import { endianness } from "node:os";
import { libc, type Libc } from "./libc.js";

const POLLFD_SIZE = 8;
const HOST_LE = endianness() === "LE";

export class PollSet {
  private readonly c: Libc;
  private readonly bytes: Uint8Array;
  private readonly view: DataView;
  private readonly n: number;

  constructor(fds: readonly number[], events: number) {
    this.c = libc();
    this.n = fds.length;
    this.bytes = new Uint8Array(new ArrayBuffer(this.n * POLLFD_SIZE));
    this.view = new DataView(this.bytes.buffer);
    fds.forEach((fd, i) => {
      this.view.setInt32(i * POLLFD_SIZE, fd, HOST_LE);
      this.view.setInt16(i * POLLFD_SIZE + 4, events, HOST_LE);
    });
  }

  /** Block up to `timeoutMs` (-1: forever). Returns the number of ready fds, or -1 (errno set). */
  wait(timeoutMs: number): number {
    return this.c.poll(this.bytes, this.n, timeoutMs);
  }

  /** revents of entry i after the last wait. */
  revents(i: number): number {
    return this.view.getInt16(i * POLLFD_SIZE + 6, HOST_LE);
  }
}
