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
  if (n < 0) throw new Error(`${call} failed: ${tErrnoName(t_errno)} (errno ${errno})${t_errdetail === "" ? "" : `: ${t_errdetail}`}`);
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

type Send = (data: Uint8Array) => Promise<number>;
/** Receive into `buf`: bytes and whether the unit goes on (T_MORE). */
type Receive = (buf: Uint8Array) => Promise<{ n: number; more: boolean }>;

function sender(fd: number, style: XtiStyle): Send {
  if (style === "t_snd/t_rcv") return (data) => ok(t_snd(fd, data, data.length, 0), "t_snd");
  const ep = Endpoint.fromFd(fd);
  return (data) => ep.snd(data);
}

function receiver(fd: number, style: XtiStyle): Receive {
  if (style === "t_snd/t_rcv") {
    const flags = { value: 0 };
    return async (buf) => {
      const n = await ok(t_rcv(fd, buf, buf.length, flags), "t_rcv");
      return { n, more: (flags.value & T_MORE) !== 0 };
    };
  }
  const ep = Endpoint.fromFd(fd);
  if (style === "Endpoint snd/rcv") {
    return async (buf) => {
      const { n, flags } = await ep.rcv(buf);
      return { n, more: (flags & T_MORE) !== 0 };
    };
  }
  // rcvUnit returns a whole unit in its own buffer; the workload only counts its bytes.
  return async () => ({ n: (await ep.rcvUnit()).data.length, more: false });
}

/** `messages` TSDUs of `size` bytes from client to server; resolves when the last is read. */
export async function xtiOneWay(pair: XtiPair, style: XtiStyle, messages: number, size: number): Promise<void> {
  const send = sender(pair.client, style);
  const receive = receiver(pair.server, style);
  const message = new Uint8Array(size).fill(0x5a);
  const sending = (async () => {
    for (let i = 0; i < messages; i++) await send(message);
  })();
  const buf = new Uint8Array(size);
  for (let i = 0; i < messages; i++) {
    const { n, more } = await receive(buf);
    if (n !== size || more) throw new Error(`message ${i}: read ${n} bytes${more ? " with T_MORE" : ""}, expected one whole ${size}-byte TSDU`);
  }
  await sending;
}

/** Read exactly `size` bytes (a byte stream may return a message in pieces). */
async function readMessage(receive: Receive, buf: Uint8Array, size: number): Promise<void> {
  let got = 0;
  while (got < size) got += (await receive(buf.subarray(got, size))).n;
}

/** `trips` requests of `size` bytes, each answered by a `size`-byte response before the next. */
export async function xtiRequestResponse(pair: XtiPair, trips: number, size: number): Promise<void> {
  const clientSend = sender(pair.client, "t_snd/t_rcv");
  const clientReceive = receiver(pair.client, "t_snd/t_rcv");
  const serverSend = sender(pair.server, "t_snd/t_rcv");
  const serverReceive = receiver(pair.server, "t_snd/t_rcv");
  const request = new Uint8Array(size).fill(0x71);
  const response = new Uint8Array(size).fill(0x72);
  const serving = (async () => {
    const buf = new Uint8Array(size);
    for (let i = 0; i < trips; i++) {
      await readMessage(serverReceive, buf, size);
      await serverSend(response);
    }
  })();
  const buf = new Uint8Array(size);
  for (let i = 0; i < trips; i++) {
    await clientSend(request);
    await readMessage(clientReceive, buf, size);
  }
  await serving;
}

/** `bytes` from client to server in `chunk`-byte t_snd calls, read with `chunk`-byte t_rcv calls. */
export async function xtiBulk(pair: XtiPair, bytes: number, chunk: number): Promise<void> {
  const send = sender(pair.client, "t_snd/t_rcv");
  const receive = receiver(pair.server, "t_snd/t_rcv");
  const data = new Uint8Array(chunk).fill(0x33);
  const sending = (async () => {
    for (let left = bytes; left > 0; left -= chunk) await send(left >= chunk ? data : data.subarray(0, left));
  })();
  const buf = new Uint8Array(chunk);
  let got = 0;
  while (got < bytes) got += (await receive(buf)).n;
  if (got !== bytes) throw new Error(`received ${got} bytes, expected ${bytes}`);
  await sending;
}
