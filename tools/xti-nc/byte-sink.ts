/**
 * Where received bytes go: standard output or a file. `write` calls back once the bytes have been
 * handed to the OS, and the TCP session only then reports them consumed, so a slow reader closes
 * the receive window instead of letting data pile up in memory.
 */
import { createWriteStream } from "node:fs";
import type { Writable } from "node:stream";

export interface ByteSink {
  write(data: Uint8Array, done: () => void): void;
  /** Resolves once everything written has left the process. */
  finish(): Promise<void>;
}

class StreamSink implements ByteSink {
  constructor(
    private readonly stream: Writable,
    private readonly owned: boolean,
  ) {}

  write(data: Uint8Array, done: () => void): void {
    this.stream.write(data, () => done());
  }

  finish(): Promise<void> {
    return new Promise((resolve, reject) => {
      // Standard output is shared with the process: flush it, but do not end it.
      if (!this.owned) this.stream.write(new Uint8Array(0), () => resolve());
      else this.stream.end(() => resolve());
      this.stream.once("error", reject);
    });
  }
}

export function openSink(path: string | null): ByteSink {
  return path === null ? new StreamSink(process.stdout, false) : new StreamSink(createWriteStream(path), true);
}
