/**
 * The peer side of the in-process workloads: node:net on 127.0.0.1, client and server in this
 * process, written the way a Node program would (write() with back-pressure, 'data' events).
 * Where xti carries TSDUs, node:net gets the usual 4-byte big-endian length prefix to find them.
 */
import { once } from "node:events";
import { createServer, connect, type Server, type Socket } from "node:net";

export interface NetPair {
  readonly client: Socket;
  readonly server: Socket;
  close(): Promise<void>;
}

export async function connectNetPair(): Promise<NetPair> {
  const listener: Server = createServer();
  listener.listen(0, "127.0.0.1");
  await once(listener, "listening");
  const address = listener.address();
  if (address === null || typeof address === "string") throw new Error("node:net listener has no port");
  const accepted = once(listener, "connection") as Promise<[Socket]>;
  const client = connect({ host: "127.0.0.1", port: address.port });
  await once(client, "connect");
  const [server] = await accepted;
  return {
    client,
    server,
    close: async () => {
      client.destroy();
      server.destroy();
      listener.close();
      await once(listener, "close");
    },
  };
}

/** Splits a byte stream into length-prefixed messages (4-byte big-endian length, then the bytes). */
export class FrameReader {
  private carry: Buffer | null = null;

  constructor(private readonly onMessage: (message: Buffer) => void) {}

  readonly push = (chunk: Buffer): void => {
    const buf = this.carry === null ? chunk : Buffer.concat([this.carry, chunk]);
    let at = 0;
    while (buf.length - at >= 4) {
      const length = buf.readUInt32BE(at);
      if (buf.length - at - 4 < length) break;
      this.onMessage(buf.subarray(at + 4, at + 4 + length));
      at += 4 + length;
    }
    this.carry = at < buf.length ? buf.subarray(at) : null;
  };
}

/** A message with its length prefix. */
export function frame(size: number, fill: number): Buffer {
  const f = Buffer.alloc(4 + size, fill);
  f.writeUInt32BE(size, 0);
  return f;
}

/** `messages` length-prefixed messages of `size` bytes from client to server. */
export async function netOneWay(pair: NetPair, messages: number, size: number): Promise<void> {
  let got = 0;
  const done = new Promise<void>((resolve, reject) => {
    const reader = new FrameReader((message) => {
      if (message.length !== size) reject(new Error(`message ${got}: ${message.length} bytes, expected ${size}`));
      if (++got === messages) resolve();
    });
    pair.server.on("data", reader.push);
  });
  const f = frame(size, 0x5a);
  // write() with back-pressure in line: a Promise only when the socket asks to wait for 'drain'.
  for (let i = 0; i < messages; i++) if (!pair.client.write(f)) await once(pair.client, "drain");
  await done;
}

/**
 * `trips` requests of `size` bytes, each answered before the next. `framed`: messages carry the
 * length prefix (against a TSDU provider); otherwise both sides read exactly `size` bytes of the
 * stream (against a byte-stream provider such as /dev/tcp).
 */
export async function netRequestResponse(pair: NetPair, trips: number, size: number, framed: boolean): Promise<void> {
  const request = framed ? frame(size, 0x71) : Buffer.alloc(size, 0x71);
  const response = framed ? frame(size, 0x72) : Buffer.alloc(size, 0x72);
  const onMessages = (socket: Socket, handler: () => void): void => {
    if (framed) {
      socket.on("data", new FrameReader(handler).push);
      return;
    }
    let pending = 0;
    socket.on("data", (chunk: Buffer) => {
      for (pending += chunk.length; pending >= size; pending -= size) handler();
    });
  };
  onMessages(pair.server, () => void pair.server.write(response));
  let answered: (() => void) | null = null;
  onMessages(pair.client, () => {
    const resume = answered;
    answered = null;
    resume?.();
  });
  for (let i = 0; i < trips; i++) {
    const reply = new Promise<void>((resolve) => (answered = resolve));
    pair.client.write(request);
    await reply;
  }
}

/** `bytes` from client to server in `chunk`-byte writes. */
export async function netBulk(pair: NetPair, bytes: number, chunk: number): Promise<void> {
  let got = 0;
  const done = new Promise<void>((resolve) => {
    pair.server.on("data", (data: Buffer) => {
      got += data.length;
      if (got >= bytes) resolve();
    });
  });
  const data = Buffer.alloc(chunk, 0x33);
  for (let left = bytes; left > 0; left -= chunk) if (!pair.client.write(left >= chunk ? data : data.subarray(0, left))) await once(pair.client, "drain");
  await done;
  if (got !== bytes) throw new Error(`received ${got} bytes, expected ${bytes}`);
}
