/**
 * Where the program's outgoing bytes come from: standard input, a file, or the deterministic
 * pattern. One interface, pulled a chunk at a time so that a slow network applies back-pressure
 * to the reader instead of buffering the whole input.
 */
import { createReadStream } from "node:fs";
import type { Readable } from "node:stream";
import { PatternStream } from "./pattern.js";

export interface ByteSource {
  /** The next chunk, or null at the end of the input. A chunk is valid until the next call. */
  read(): Promise<Uint8Array | null>;
  /** Stop reading early (the connection went away). */
  close(): void;
}

class StreamSource implements ByteSource {
  private readonly chunks: AsyncIterator<unknown>;

  constructor(private readonly stream: Readable) {
    this.chunks = stream[Symbol.asyncIterator]();
  }

  async read(): Promise<Uint8Array | null> {
    const next = await this.chunks.next();
    if (next.done === true) return null;
    const value: unknown = next.value;
    if (value instanceof Uint8Array) return value;
    throw new TypeError("input stream yielded a non-binary chunk");
  }

  close(): void {
    // Standard input is not ours to destroy (it would close the terminal's descriptor); pausing it
    // lets the event loop end.
    if (this.stream === process.stdin) this.stream.pause();
    else this.stream.destroy();
  }
}

class PatternSource implements ByteSource {
  private readonly pattern: PatternStream;

  constructor(length: number, seed: number) {
    this.pattern = new PatternStream(length, seed);
  }

  read(): Promise<Uint8Array | null> {
    return Promise.resolve(this.pattern.next());
  }

  close(): void {}
}

export type InputSpec = { kind: "stdin" } | { kind: "file"; path: string } | { kind: "pattern"; length: number; seed: number };

export function openSource(spec: InputSpec): ByteSource {
  switch (spec.kind) {
    case "stdin":
      return new StreamSource(process.stdin);
    case "file":
      return new StreamSource(createReadStream(spec.path, { highWaterMark: 64 * 1024 }));
    case "pattern":
      return new PatternSource(spec.length, spec.seed);
  }
}
