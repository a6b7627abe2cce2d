/**
 * daytime client, ported line by line from client.c (SVR4 TLI): connects to a daytime server and
 * prints what it sends until the server releases the connection.  Usage: client host port.
 *
 *   npm run build && node --import tsx examples/daytime/client.ts 127.0.0.1 13
 */
import { O_RDWR, T_ADDR, T_CALL, T_ORDREL, TLOOK, t_alloc, t_bind, t_close, t_connect, t_errno, t_error, t_look, t_open, t_rcv, t_rcvrel, t_sndrel } from "xti";
import { inetAddress } from "./address.js";

const argv = process.argv.slice(1); // argv[0] is the program, as in C
if (argv.length !== 3) {
  console.error("usage: client host port");
  process.exit(2);
}
const fd = t_open("/dev/tcp", O_RDWR, null);
if (fd < 0) {
  t_error("t_open");
  process.exit(1);
}
if ((await t_bind(fd, null, null)) < 0) {
  t_error("t_bind");
  process.exit(1);
}
const sndcall = t_alloc(fd, T_CALL, T_ADDR);
if (sndcall === null) {
  t_error("t_alloc");
  process.exit(1);
}
const sin = inetAddress(argv[1]!, Number(argv[2]));
sndcall.addr.buf.set(sin);
sndcall.addr.len = sin.length;
if ((await t_connect(fd, sndcall, null)) < 0) {
  t_error("t_connect");
  process.exit(1);
}
const buf = new Uint8Array(128);
const flags = { value: 0 };
let n: number;
while ((n = await t_rcv(fd, buf, buf.length, flags)) >= 0) process.stdout.write(buf.subarray(0, n));
if (t_errno === TLOOK && t_look(fd) === T_ORDREL) {
  if ((await t_rcvrel(fd)) < 0 || (await t_sndrel(fd)) < 0) {
    t_error("t_rcvrel/t_sndrel");
    process.exit(1);
  }
} else {
  t_error("t_rcv");
  process.exit(1);
}
await t_close(fd);
