/**
 * mux server, ported line by line from server.c (XTI), non-blocking: echoes what each client
 * sends, expedited data as expedited data, to every client at once from one process.  The
 * listener and each connection are non-blocking endpoints; the server sleeps in poll() until one
 * of them needs it, never in a call.  Each connection gets no Nagle delay and keep-alive probes,
 * negotiated with t_optmgmt and read back.  Usage: server netid service [count]  (netid: a TCP
 * transport, tcp or tcp6; service: a name from /etc/services or a port number, 0 for any free
 * port; count: connections to serve before exiting, 0 or none: for ever).  Prints "mux server on
 * NETID UADDR", then a line for each connection opened and closed.
 *
 *   npm run build && node --import tsx examples/mux/server.ts tcp 0
 */
import {
  HOST_SELF,
  ND_ADDRLIST,
  O_NONBLOCK,
  O_RDWR,
  POLLIN,
  POLLOUT,
  POLLRDBAND,
  T_ADDR,
  T_BIND,
  T_CALL,
  T_CURRENT,
  T_DISCONNECT,
  T_EXPEDITED,
  T_INET_TCP,
  T_LISTEN,
  T_NEGOTIATE,
  T_NO,
  T_OPT_DATA,
  T_OPT_FIRSTHDR,
  T_OPT_NEXTHDR,
  T_ORDREL,
  T_TCP_KEEPALIVE,
  T_TCP_NODELAY,
  T_YES,
  TFLOW,
  TLOOK,
  TNODATA,
  encodeOptions,
  errno,
  getnetconfigent,
  nc_perror,
  netbuf,
  netdir_free,
  netdir_getbyname,
  netdir_perror,
  poll,
  readOpthdr,
  readScalar,
  readUscalar,
  scalarValue,
  scalarsValue,
  strerror,
  t_accept,
  t_alloc,
  t_bind,
  t_close,
  t_errno,
  t_error,
  t_free,
  t_listen,
  t_look,
  t_open,
  t_optmgmt,
  t_optmgmt_of,
  t_rcv,
  t_rcvdis,
  t_rcvrel,
  t_snd,
  t_snddis,
  t_sndrel,
  taddr2uaddr,
  type nd_addrlist,
  type nd_hostserv,
  type netconfig,
  type pollfd,
  type Ref,
  type t_kpalive,
} from "xti";

const MAXCONN = 32; // connections served at once
const BUFSIZE = 1024;
const KEEPALIVE_MIN = 10; // idle minutes before keep-alive probes

const OPEN = 0; // reading and echoing
const RELEASING = 1; // released by the client; our own t_sndrel met flow control

interface conn {
  fd: number;
  id: number; // for the log: 1 for the first connection, ...
  state: number;
  buf: Uint8Array; // received, not yet all sent back
  off: number;
  len: number;
  flags: number; // T_EXPEDITED when buf holds expedited data
  bytes: number;
  expedited: number;
}

const pfds: pollfd[] = []; // [0] is the listener, [i] is conns[i]
const conns: conn[] = [];
let nfds = 1;
let served = 0;
let accepted = 0;

/**
 * The one place the server chooses its address: this host's (HOST_SELF) for the service on
 * the transport.  Returns the bound non-blocking listener, or -1.
 */
async function bind_service(service: string): Promise<number> {
  const hs: nd_hostserv = { h_host: HOST_SELF, h_serv: service };
  const addrs: Ref<nd_addrlist | null> = { value: null };
  if ((await netdir_getbyname(nconf, hs, addrs)) !== 0) {
    netdir_perror(service);
    return -1;
  }
  const fd = t_open(nconf.nc_device, O_RDWR | O_NONBLOCK, null);
  if (fd < 0) {
    t_error(nconf.nc_device);
    return -1;
  }
  const req: t_bind = { addr: addrs.value!.n_addrs[0]!, qlen: 8 };
  const ret = t_alloc(fd, T_BIND, T_ADDR);
  if (ret === null || (await t_bind(fd, req, ret)) < 0) {
    t_error("t_alloc/t_bind");
    return -1;
  }
  console.log(`mux server on ${nconf.nc_netid} ${taddr2uaddr(nconf, ret.addr)}`);
  netdir_free(addrs.value, ND_ADDRLIST);
  t_free(ret, T_BIND);
  return fd;
}

/**
 * The options every connection gets: no Nagle delay (the echo of a few bytes should not wait
 * for the acknowledgement of the last) and keep-alive probes (a client that vanished is
 * noticed).  Negotiated, then read back as the provider has them now.
 */
async function set_options(c: conn, uaddr: string | null): Promise<void> {
  const opts = encodeOptions([
    { level: T_INET_TCP, name: T_TCP_NODELAY, value: scalarValue(T_YES) },
    { level: T_INET_TCP, name: T_TCP_KEEPALIVE, value: scalarsValue(T_YES, KEEPALIVE_MIN) }, // struct t_kpalive
  ]);
  const req = t_optmgmt_of(opts, T_NEGOTIATE);
  const ret = t_optmgmt_of(256);
  if ((await t_optmgmt(c.fd, req, ret)) < 0) t_error("t_optmgmt T_NEGOTIATE");

  // T_CURRENT takes the headers alone.
  const hdrs = encodeOptions([
    { level: T_INET_TCP, name: T_TCP_NODELAY },
    { level: T_INET_TCP, name: T_TCP_KEEPALIVE },
  ]);
  req.opt = netbuf(hdrs);
  req.flags = T_CURRENT;
  ret.opt.maxlen = ret.opt.buf.length;
  if ((await t_optmgmt(c.fd, req, ret)) < 0) {
    t_error("t_optmgmt T_CURRENT");
    return;
  }
  let nodelay = T_NO;
  const keepalive: t_kpalive = { kp_onoff: T_NO, kp_timeout: 0 };
  for (let oh = T_OPT_FIRSTHDR(ret.opt); oh !== null; oh = T_OPT_NEXTHDR(ret.opt, oh)) {
    const { name } = readOpthdr(ret.opt.buf, oh);
    const data = ret.opt.buf.subarray(T_OPT_DATA(oh));
    if (name === T_TCP_NODELAY) nodelay = readUscalar(data);
    else if (name === T_TCP_KEEPALIVE) [keepalive.kp_onoff, keepalive.kp_timeout] = [readScalar(data, 0), readScalar(data, 1)];
  }
  console.log(
    `connection ${c.id} from ${uaddr}: nodelay ${nodelay === T_YES ? "on" : "off"}, keepalive ${keepalive.kp_onoff === T_YES ? "on" : "off"} ${keepalive.kp_timeout} min`,
  );
}

/** A new connection: accept it on a new non-blocking endpoint and watch it. */
async function accept_call(lfd: number): Promise<void> {
  const call = t_alloc(lfd, T_CALL, T_ADDR);
  if (call === null) {
    t_error("t_alloc");
    process.exit(1);
  }
  if ((await t_listen(lfd, call)) < 0) {
    if (t_errno !== TNODATA) t_error("t_listen"); // gone again before we looked
    t_free(call, T_CALL);
    return;
  }
  if (nfds === MAXCONN + 1) {
    await t_snddis(lfd, call); // full: refuse it
    t_free(call, T_CALL);
    return;
  }
  const fd = t_open(nconf.nc_device, O_RDWR | O_NONBLOCK, null);
  if (fd < 0 || (await t_bind(fd, null, null)) < 0) {
    t_error("t_open/t_bind");
    process.exit(1);
  }
  if ((await t_accept(lfd, fd, call)) < 0) {
    if (t_errno === TLOOK && t_look(lfd) === T_DISCONNECT) await t_rcvdis(lfd, null); // the caller gave up
    else t_error("t_accept");
    await t_close(fd);
    t_free(call, T_CALL);
    return;
  }
  const c: conn = { fd, id: ++accepted, state: OPEN, buf: new Uint8Array(BUFSIZE), off: 0, len: 0, flags: 0, bytes: 0, expedited: 0 };
  conns[nfds] = c;
  pfds[nfds] = { fd, events: POLLIN | POLLRDBAND, revents: 0 };
  nfds++;
  await set_options(c, taddr2uaddr(nconf, call.addr));
  t_free(call, T_CALL);
}

/** Forget connection i: the last one takes its place. */
async function drop_conn(i: number): Promise<void> {
  const c = conns[i]!;
  console.log(`connection ${c.id} closed: ${c.bytes} bytes, ${c.expedited} expedited`);
  await t_close(c.fd);
  nfds--;
  conns[i] = conns[nfds]!;
  pfds[i] = pfds[nfds]!;
  served++;
}

/** Send our release; if flow control stops it, poll for POLLOUT and try again. */
async function release(i: number): Promise<void> {
  const c = conns[i]!;
  if ((await t_sndrel(c.fd)) < 0 && t_errno === TFLOW) {
    c.state = RELEASING;
    pfds[i]!.events = POLLOUT;
    return;
  }
  await drop_conn(i);
}

/** The event that made a call fail TLOOK. */
async function look(i: number): Promise<void> {
  const c = conns[i]!;
  switch (t_look(c.fd)) {
    case T_ORDREL:
      await t_rcvrel(c.fd);
      await release(i);
      break;
    case T_DISCONNECT:
      await t_rcvdis(c.fd, null);
      await drop_conn(i);
      break;
  }
}

/**
 * Send back what is left in the buffer.  Until all of it has gone, poll for POLLOUT and
 * read nothing more: a client that does not read its echo is not read either.
 */
async function flush(i: number): Promise<void> {
  const c = conns[i]!;
  let n: number;
  while (c.off < c.len) {
    if ((n = await t_snd(c.fd, c.buf.subarray(c.off), c.len - c.off, c.flags)) < 0) {
      if (t_errno === TFLOW) {
        pfds[i]!.events = POLLOUT;
      } else if (t_errno === TLOOK) {
        await look(i);
      } else {
        t_error("t_snd");
        await drop_conn(i);
      }
      return;
    }
    c.off += n;
  }
  c.off = c.len = 0;
  pfds[i]!.events = POLLIN | POLLRDBAND;
}

/** Connection i is ready: finish what was pending, or read once and echo it. */
async function serve(i: number): Promise<void> {
  const c = conns[i]!;
  const flags = { value: 0 };
  let n: number;
  if (c.state === RELEASING) {
    await release(i);
    return;
  }
  if (c.off < c.len) {
    await flush(i);
    return;
  }
  if ((n = await t_rcv(c.fd, c.buf, BUFSIZE, flags)) < 0) {
    if (t_errno === TLOOK) await look(i);
    else if (t_errno !== TNODATA) {
      t_error("t_rcv");
      await drop_conn(i);
    }
    return;
  }
  c.len = n;
  c.flags = flags.value & T_EXPEDITED;
  if (flags.value & T_EXPEDITED) c.expedited += n;
  else c.bytes += n;
  await flush(i);
}

const argv = process.argv.slice(1); // argv[0] is the program, as in C
if (argv.length < 3 || argv.length > 4) {
  console.error("usage: server netid service [count]");
  process.exit(2);
}
const count = argv.length > 3 ? Number(argv[3]) : 0;
const nc = getnetconfigent(argv[1]!);
if (nc === null) {
  nc_perror(argv[1]!);
  process.exit(1);
}
const nconf: netconfig = nc;
pfds[0] = { fd: await bind_service(argv[2]!), events: POLLIN, revents: 0 };
if (pfds[0].fd < 0) process.exit(1);
while (count === 0 || served < count) {
  if ((await poll(pfds, nfds, -1)) < 0) {
    console.error(`poll: ${strerror(errno)}`);
    process.exit(1);
  }
  // From the end down, so that drop_conn moves only entries already seen.
  for (let i = nfds - 1; i >= 1; i--) if (pfds[i]!.revents !== 0) await serve(i);
  if (pfds[0].revents & POLLIN) {
    switch (t_look(pfds[0].fd)) {
      case T_LISTEN:
        await accept_call(pfds[0].fd);
        break;
      case T_DISCONNECT:
        await t_rcvdis(pfds[0].fd, null);
        break;
    }
  }
}
await t_close(pfds[0].fd);
