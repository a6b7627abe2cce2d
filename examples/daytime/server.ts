/**
 * daytime server, ported line by line from server.c (SVR4 TLI): answers each caller with the time
 * of day, then releases the connection.  Usage: server [port [count]]  (port 0 or none: any free
 * port; count: callers to serve before exiting, 0 or none: for ever).
 *
 *   npm run build && node --import tsx examples/daytime/server.ts
 */
import {
  O_RDWR,
  T_ADDR,
  T_ALL,
  T_BIND,
  T_CALL,
  T_ORDREL,
  TLOOK,
  t_accept,
  t_alloc,
  t_bind,
  t_close,
  t_errno,
  t_error,
  t_listen,
  t_look,
  t_open,
  t_rcv,
  t_rcvrel,
  t_snd,
  t_sndrel,
} from "xti";
import { inetAddress, portOf } from "./address.js";

/** ctime(3): "Wed Jun 30 21:49:08 1993\n". */
function ctime(t: Date): string {
  const [day, month] = [["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"][t.getDay()], ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][t.getMonth()]];
  const two = (n: number): string => String(n).padStart(2, "0");
  return `${day} ${month} ${String(t.getDate()).padStart(2)} ${two(t.getHours())}:${two(t.getMinutes())}:${two(t.getSeconds())} ${t.getFullYear()}\n`;
}

const argv = process.argv.slice(1); // argv[0] is the program, as in C
const count = argv.length > 2 ? Number(argv[2]) : 0;
let served = 0;

const listenFd = t_open("/dev/tcp", O_RDWR, null);
if (listenFd < 0) {
  t_error("t_open");
  process.exit(1);
}
const req = t_alloc(listenFd, T_BIND, T_ALL);
const ret = t_alloc(listenFd, T_BIND, T_ALL);
if (req === null || ret === null) {
  t_error("t_alloc");
  process.exit(1);
}
const sin = inetAddress("0.0.0.0", argv.length > 1 ? Number(argv[1]) : 0);
req.addr.buf.set(sin);
req.addr.len = sin.length;
req.qlen = 5;
if ((await t_bind(listenFd, req, ret)) < 0) {
  t_error("t_bind");
  process.exit(1);
}
console.log(`daytime server on port ${portOf(ret.addr)}`);

const call = t_alloc(listenFd, T_CALL, T_ADDR);
if (call === null) {
  t_error("t_alloc");
  process.exit(1);
}
while (count === 0 || served < count) {
  if ((await t_listen(listenFd, call)) < 0) {
    t_error("t_listen");
    process.exit(1);
  }
  const connFd = t_open("/dev/tcp", O_RDWR, null);
  if (connFd < 0 || (await t_bind(connFd, null, null)) < 0) {
    t_error("t_open/t_bind");
    process.exit(1);
  }
  if ((await t_accept(listenFd, connFd, call)) < 0) {
    t_error("t_accept");
    await t_close(connFd);
    continue;
  }
  const buf = new TextEncoder().encode(ctime(new Date()));
  if ((await t_snd(connFd, buf, buf.length, 0)) < 0 || (await t_sndrel(connFd)) < 0) t_error("t_snd/t_sndrel");
  // Wait for the caller's release before closing.
  const rest = new Uint8Array(64);
  const flags = { value: 0 };
  while ((await t_rcv(connFd, rest, rest.length, flags)) >= 0);
  if (t_errno === TLOOK && t_look(connFd) === T_ORDREL) await t_rcvrel(connFd);
  await t_close(connFd);
  served++;
}
await t_close(listenFd);
