/**
 * idioms, ported line by line from idioms.c (XTI): the small idioms of docs/porting.md in one
 * program that runs, over the loopback transport ticotsord inside one process: a listener and its
 * caller, a non-blocking connect, a TSDU read in pieces, expedited data, poll and the t_look event
 * loop, orderly release.  After the port, three things C does not have: t_errno as a live
 * binding, a dialect chosen per endpoint, and the idiomatic Endpoint API.  Usage: idioms
 *
 *   npm run build && node --import tsx examples/idioms/idioms.ts
 */
import * as xti from "xti";
import {
  Endpoint,
  F_GETFL,
  F_SETFL,
  HOST_SELF,
  ND_ADDRLIST,
  O_NONBLOCK,
  O_RDWR,
  POLLIN,
  POLLRDBAND,
  T_ADDR,
  T_ALL,
  T_CALL,
  T_DATA,
  T_DISCONNECT,
  T_EXDATA,
  T_EXPEDITED,
  T_INFINITE,
  T_MORE,
  T_ORDREL,
  TNODATA,
  XTIError,
  errno,
  fcntl,
  freenetconfigent,
  getnetconfigent,
  nc_perror,
  netbuf,
  netdir_free,
  netdir_getbyname,
  netdir_perror,
  poll,
  strerror,
  t_accept,
  t_alloc,
  t_bind,
  t_call_of,
  t_close,
  t_connect,
  t_errno,
  t_error,
  t_free,
  t_listen,
  t_look,
  t_open,
  t_rcv,
  t_rcvconnect,
  t_rcvdis,
  t_rcvrel,
  t_snd,
  t_sndrel,
  t_strerror,
  tErrnoName,
  type nd_addrlist,
  type nd_hostserv,
  type pollfd,
  type Ref,
  type t_info,
} from "xti";

const ADDRSIZE = 64;
const text = (s: string): Uint8Array => new TextEncoder().encode(s); // a C string literal

const info: t_info = { addr: 0, options: 0, tsdu: 0, etsdu: 0, connect: 0, discon: 0, servtype: 0, flags: 0 };
const flags = { value: 0 };
const buf = new Uint8Array(4);
let n: number;
let done = false;

const nconf = getnetconfigent("ticotsord");
if (nconf === null) {
  nc_perror("ticotsord");
  process.exit(1);
}
const hs: nd_hostserv = { h_host: HOST_SELF, h_serv: "idioms" };
const addrs: Ref<nd_addrlist | null> = { value: null };
if ((await netdir_getbyname(nconf, hs, addrs)) !== 0) {
  netdir_perror("idioms");
  process.exit(1);
}
let lfd: number, cfd: number, sfd: number;
if ((lfd = t_open(nconf.nc_device, O_RDWR, info)) < 0 || (cfd = t_open(nconf.nc_device, O_RDWR, null)) < 0 || (sfd = t_open(nconf.nc_device, O_RDWR, null)) < 0) {
  t_error("t_open");
  process.exit(1);
}
const req: t_bind = { addr: addrs.value!.n_addrs[0]!, qlen: 1 };
if ((await t_bind(lfd, req, null)) < 0 || (await t_bind(cfd, null, null)) < 0) {
  t_error("t_bind");
  process.exit(1);
}

// No limit on the size of addresses: t_alloc has no size to give.
if (info.addr === T_INFINITE) console.log("addresses: T_INFINITE");
const call = t_alloc(lfd, T_CALL, T_ALL);
if (call === null) {
  t_error("t_alloc");
  process.exit(1);
}
if (call.addr.maxlen === 0) call.addr = netbuf(ADDRSIZE);

// One process has both ends: the caller must not wait for its own listener.
if (fcntl(cfd, F_SETFL, fcntl(cfd, F_GETFL) | O_NONBLOCK) < 0) {
  console.error(`fcntl: ${strerror(errno)}`);
  process.exit(1);
}
const sndcall = t_call_of(); // memset(&sndcall, 0, sizeof (sndcall))
sndcall.addr = addrs.value!.n_addrs[0]!;
if ((await t_connect(cfd, sndcall, null)) < 0 && t_errno !== TNODATA) {
  t_error("t_connect");
  process.exit(1);
}
console.log(`t_connect: ${t_strerror(t_errno)}`);
if ((await t_listen(lfd, call)) < 0 || (await t_accept(lfd, sfd, call)) < 0) {
  t_error("t_listen/t_accept");
  process.exit(1);
}
fcntl(cfd, F_SETFL, fcntl(cfd, F_GETFL) & ~O_NONBLOCK);
if ((await t_rcvconnect(cfd, null)) < 0) {
  t_error("t_rcvconnect");
  process.exit(1);
}
t_free(call, T_CALL);

// One TSDU in two pieces, then an expedited byte, then the release.
if ((await t_snd(cfd, text("abc"), 3, T_MORE)) < 0 || (await t_snd(cfd, text("def"), 3, 0)) < 0 || (await t_snd(cfd, text("!"), 1, T_EXPEDITED)) < 0 || (await t_sndrel(cfd)) < 0) {
  t_error("t_snd/t_sndrel");
  process.exit(1);
}

// The t_look event loop: sleep in poll, then ask t_look what happened.
while (!done) {
  const pfd: pollfd = { fd: sfd, events: POLLIN | POLLRDBAND, revents: 0 };
  if ((await poll([pfd], 1, -1)) < 0) {
    console.error(`poll: ${strerror(errno)}`);
    process.exit(1);
  }
  switch (t_look(sfd)) {
    case T_DATA:
    case T_EXDATA:
      if ((n = await t_rcv(sfd, buf, buf.length, flags)) < 0) {
        t_error("t_rcv");
        process.exit(1);
      }
      console.log(`${new TextDecoder().decode(buf.subarray(0, n))}${flags.value & T_EXPEDITED ? " expedited" : ""}${flags.value & T_MORE ? " (more)" : ""}`);
      break;
    case T_ORDREL:
      if ((await t_rcvrel(sfd)) < 0 || (await t_sndrel(sfd)) < 0) {
        t_error("t_rcvrel/t_sndrel");
        process.exit(1);
      }
      console.log("released");
      done = true;
      break;
    case T_DISCONNECT:
      await t_rcvdis(sfd, null);
      console.log("disconnected");
      done = true;
      break;
  }
}
await t_close(cfd);
await t_close(sfd);
await t_close(lfd);
netdir_free(addrs.value, ND_ADDRLIST);

// No C from here on. t_errno is a live binding: a copy taken by destructuring keeps its value.
const { t_errno: copied } = xti;
t_look(-1); // fails TBADF
console.log(`t_errno ${tErrnoName(xti.t_errno)}, the copy ${tErrnoName(copied)}`);

// A dialect per endpoint: TLI gives an address of no size limit a 1024-byte buffer, XNS5 none.
const tli = t_open(nconf.nc_device, O_RDWR, null, { semantics: "TLI" });
const xns5 = t_open(nconf.nc_device, O_RDWR, null);
console.log(`t_alloc(T_ADDR): TLI ${t_alloc(tli, T_CALL, T_ADDR)?.addr.maxlen} bytes, XNS5 ${t_alloc(xns5, T_CALL, T_ADDR)?.addr.maxlen ?? tErrnoName(t_errno)}`);
await t_close(tli);
await t_close(xns5);

// Concurrent flows: with the Endpoint API each call throws its own XTIError; t_errno plays no part.
const a = Endpoint.open(nconf.nc_device);
const b = Endpoint.open(nconf.nc_device);
await b.bind();
const failures = await Promise.allSettled([a.rcv(new Uint8Array(1)), b.connect(text("localhost.nobody"))]);
for (const f of failures) if (f.status === "rejected" && f.reason instanceof XTIError) console.log(`${f.reason.call}: ${f.reason.code}`);
await a.close();
await b.close();
freenetconfigent(nconf);
