/**
 * The XTI side of the in-process workloads, written as a ported C program would be: the C-style
 * calls with their -1/t_errno convention (a failure throws here, naming the call and t_errno), or
 * the idiomatic Endpoint where a variant measures that API.
 */
import {
  Endpoint,
  O_RDWR,
  T_MORE,
  errno,
  netbuf,
  t_accept,
  t_bind,
  t_bind_of,
  t_call_of,
  t_close,
  t_connect,
  t_errdetail,
  t_errno,
  t_listen,
  t_open,
  t_rcv,
  t_snd,
  tErrnoName,
} from "../../src/index.js";

/** The result of a C-style call, or an Error naming the call, its t_errno and errno. */
export async function ok(result: number | Promise<number>, call: string): Promise<number> {
  const n = await result;
  if (n < 0) failed(call);
  return n;
}

/** Two connected endpoints of one device: the client and the accepted server side. */
export interface XtiPair {
  readonly client: number;
  readonly server: number;
  close(): Promise<void>;
}

/**
 * Connect a client to a listener of `device`. `listenAddr` is the listener's address (null: the
 * provider chooses one, as for /dev/ticots); the connection is accepted onto the listener itself.
 */
export async function connectXtiPair(device: string, listenAddr: Uint8Array | null): Promise<XtiPair> {
  const server = await ok(t_open(device, O_RDWR), "t_open");
  const client = await ok(t_open(device, O_RDWR), "t_open");
  const close = async (): Promise<void> => {
    await t_close(client);
    await t_close(server);
  };
  try {
    const bound = t_bind_of(64);
    await ok(t_bind(server, t_bind_of(listenAddr ?? 0, 1), bound), "t_bind (listener)");
    await ok(t_bind(client, null, null), "t_bind (client)");
    const call = t_call_of({ addr: 64 });
    const accepted = ok(t_listen(server, call), "t_listen").then(() => ok(t_accept(server, server, call), "t_accept"));
    await ok(t_connect(client, { ...t_call_of(), addr: netbuf(bound.addr.buf.slice(0, bound.addr.len)) }, null), "t_connect");
    await accepted;
    return { client, server, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** The API a variant measures: the C-style calls, or Endpoint's snd with rcv or rcvUnit. */
export type XtiStyle = "t_snd/t_rcv" | "Endpoint snd/rcv" | "Endpoint snd/rcvUnit";

/*
 * The measured loops await each call directly and test its result in line, as a ported C program
 * does (`if (t_snd(...) < 0) { t_error("t_snd"); exit(1); }`), the way node:net's side is written
 * as a Node program would be: no helper closure or async wrapper per message on either side.
 */

/** A C-style call returned -1: throw an Error naming it, its t_errno and errno. */
export function failed(call: string): never {
  throw new Error(`${call} failed: ${tErrnoName(t_errno)} (errno ${errno})${t_errdetail === "" ? "" : `: ${t_errdetail}`}`);
}

function notOneUnit(i: number, n: number, more: boolean, size: number): never {
  throw new Error(`message ${i}: read ${n} bytes${more ? " with T_MORE" : ""}, expected one whole ${size}-byte TSDU`);
}

async function sendMessages(fd: number, style: XtiStyle, message: Uint8Array, messages: number): Promise<void> {
  if (style === "t_snd/t_rcv") {
    for (let i = 0; i < messages; i++) if ((await t_snd(fd, message, message.length, 0)) < 0) failed("t_snd");
    return;
  }
  const ep = Endpoint.fromFd(fd);
  for (let i = 0; i < messages; i++) await ep.snd(message);
}

async function receiveMessages(fd: number, style: XtiStyle, size: number, messages: number): Promise<void> {
  const buf = new Uint8Array(size);
  if (style === "t_snd/t_rcv") {
    const flags = { value: 0 };
    for (let i = 0; i < messages; i++) {
      const n = await t_rcv(fd, buf, size, flags);
      if (n < 0) failed("t_rcv");
      if (n !== size || (flags.value & T_MORE) !== 0) notOneUnit(i, n, (flags.value & T_MORE) !== 0, size);
    }
    return;
  }
  const ep = Endpoint.fromFd(fd);
  if (style === "Endpoint snd/rcv") {
    for (let i = 0; i < messages; i++) {
      const { n, flags } = await ep.rcv(buf);
      if (n !== size || (flags & T_MORE) !== 0) notOneUnit(i, n, (flags & T_MORE) !== 0, size);
    }
    return;
  }
  // rcvUnit returns a whole unit in its own buffer; the workload only checks its length.
  for (let i = 0; i < messages; i++) {
    const n = (await ep.rcvUnit()).data.length;
    if (n !== size) notOneUnit(i, n, false, size);
  }
}

/** `messages` TSDUs of `size` bytes from client to server; resolves when the last is read. */
export async function xtiOneWay(pair: XtiPair, style: XtiStyle, messages: number, size: number): Promise<void> {
  const sending = sendMessages(pair.client, style, new Uint8Array(size).fill(0x5a), messages);
  await receiveMessages(pair.server, style, size, messages);
  await sending;
}

/**
 * `trips` requests of `size` bytes, each answered by a `size`-byte response before the next. Each
 * side reads exactly `size` bytes (a byte stream may return a message in pieces).
 */
export async function xtiRequestResponse(pair: XtiPair, trips: number, size: number): Promise<void> {
  const flags = { value: 0 };
  const serving = (async () => {
    const { server } = pair;
    const buf = new Uint8Array(size);
    const response = new Uint8Array(size).fill(0x72);
    const serverFlags = { value: 0 };
    for (let i = 0; i < trips; i++) {
      for (let got = 0; got < size; ) {
        const n = await t_rcv(server, got === 0 ? buf : buf.subarray(got), size - got, serverFlags);
        if (n < 0) failed("t_rcv");
        got += n;
      }
      if ((await t_snd(server, response, size, 0)) < 0) failed("t_snd");
    }
  })();
  const { client } = pair;
  const buf = new Uint8Array(size);
  const request = new Uint8Array(size).fill(0x71);
  for (let i = 0; i < trips; i++) {
    if ((await t_snd(client, request, size, 0)) < 0) failed("t_snd");
    for (let got = 0; got < size; ) {
      const n = await t_rcv(client, got === 0 ? buf : buf.subarray(got), size - got, flags);
      if (n < 0) failed("t_rcv");
      got += n;
    }
  }
  await serving;
}

/** `bytes` from client to server in `chunk`-byte t_snd calls, read with `chunk`-byte t_rcv calls. */
export async function xtiBulk(pair: XtiPair, bytes: number, chunk: number): Promise<void> {
  const sending = (async () => {
    const { client } = pair;
    const data = new Uint8Array(chunk).fill(0x33);
    for (let left = bytes; left > 0; left -= chunk) {
      const n = Math.min(chunk, left);
      if ((await t_snd(client, data, n, 0)) < 0) failed("t_snd");
    }
  })();
  const { server } = pair;
  const buf = new Uint8Array(chunk);
  const flags = { value: 0 };
  let got = 0;
  while (got < bytes) {
    const n = await t_rcv(server, buf, chunk, flags);
    if (n < 0) failed("t_rcv");
    got += n;
  }
  if (got !== bytes) throw new Error(`received ${got} bytes, expected ${bytes}`);
  await sending;
}
