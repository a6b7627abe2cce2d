/**
 * A bulk transfer through an XTI byte-stream provider to the kernel peer, as a ported C client
 * would do it: t_connect, t_snd (or t_rcv) until done, then orderly release both ways.
 */
import {
  T_ORDREL,
  TLOOK,
  netbuf,
  sockaddr_in,
  t_call_of,
  t_connect,
  t_errno,
  t_look,
  t_rcv,
  t_rcvrel,
  t_snd,
  t_sndrel,
} from "../../src/index.js";
import type { Direction } from "../harness/veth.js";
import { failed, ok } from "./xti.js";

/** Read until the peer's orderly release (taken with t_rcvrel); returns the bytes read. */
async function receiveUntilRelease(fd: number, buf: Uint8Array): Promise<number> {
  const flags = { value: 0 };
  let received = 0;
  for (;;) {
    const n = await t_rcv(fd, buf, buf.length, flags);
    if (n >= 0) {
      received += n;
      continue;
    }
    if (t_errno !== TLOOK || t_look(fd) !== T_ORDREL) await ok(n, "t_rcv");
    await ok(t_rcvrel(fd), "t_rcvrel");
    return received;
  }
}

/** Connect the bound endpoint `fd` to `address`:`port` (a blocking t_connect). */
export async function xtiConnect(fd: number, address: string, port: number): Promise<void> {
  await ok(t_connect(fd, { ...t_call_of(), addr: netbuf(sockaddr_in(address, port)) }, null), "t_connect");
}

/**
 * Connect the bound endpoint `fd` to `address`:`port` and move `bytes` in `direction` in `piece`-byte
 * calls; resolves when the peer's orderly release has been read after the last byte.
 */
export async function xtiStreamTransfer(fd: number, address: string, port: number, direction: Direction, bytes: number, piece: number): Promise<void> {
  await xtiConnect(fd, address, port);
  const buf = new Uint8Array(piece).fill(0x42);
  if (direction === "upload") {
    for (let left = bytes; left > 0; left -= piece) if ((await t_snd(fd, buf, Math.min(piece, left), 0)) < 0) failed("t_snd");
    await ok(t_sndrel(fd), "t_sndrel");
    await receiveUntilRelease(fd, buf);
    return;
  }
  const received = await receiveUntilRelease(fd, buf);
  if (received !== bytes) throw new Error(`received ${received} of ${bytes} bytes`);
  await ok(t_sndrel(fd), "t_sndrel");
}
