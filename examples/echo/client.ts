/**
 * echo client, ported line by line from client.c (SVR4 TLI), connectionless: sends each message
 * to an echo server as one datagram and prints the answer.  A datagram that cannot be delivered
 * (no server at that address) comes back as a unit data error: the client says why and exits 1;
 * so it does when no answer comes within 5 seconds.  Usage: client netid host service message...
 *
 *   npm run build && node --import tsx examples/echo/client.ts udp localhost echo hello world
 */
import { strerror } from "xti"; // <string.h>
import {
  O_RDWR,
  POLLIN,
  T_ADDR,
  T_UDATA,
  T_UDERR,
  T_UDERROR,
  T_UNITDATA,
  TLOOK,
  getnetconfigent,
  nc_perror,
  netdir_getbyname,
  netdir_perror,
  poll,
  t_alloc,
  t_bind,
  t_close,
  t_errno,
  t_error,
  t_look,
  t_open,
  t_rcvudata,
  t_rcvuderr,
  t_sndudata,
  taddr2uaddr,
  type nd_addrlist,
  type nd_hostserv,
  type netbuf,
  type netconfig,
  type pollfd,
  type Ref,
} from "xti/tli";

const WAIT_MS = 5000;

/**
 * The one place the client chooses its transport and address: the transport named netid, the
 * first address netdir finds there for host and service.  Returns the bound endpoint and the
 * server's address in srvp, or -1.
 */
async function open_service(nconf: netconfig, host: string, service: string, srvp: Ref<netbuf | null>): Promise<number> {
  const hs: nd_hostserv = { h_host: host, h_serv: service };
  const addrs: Ref<nd_addrlist | null> = { value: null };
  if ((await netdir_getbyname(nconf, hs, addrs)) !== 0) {
    netdir_perror(host);
    return -1;
  }
  srvp.value = addrs.value!.n_addrs[0]!; // the list stays ours until netdir_free
  const fd = t_open(nconf.nc_device, O_RDWR, null);
  if (fd < 0 || (await t_bind(fd, null, null)) < 0) {
    t_error(nconf.nc_device);
    return -1;
  }
  return fd;
}

const argv = process.argv.slice(1); // argv[0] is the program, as in C
if (argv.length < 5) {
  console.error("usage: client netid host service message...");
  process.exit(2);
}
const nconf = getnetconfigent(argv[1]!);
if (nconf === null) {
  nc_perror(argv[1]!);
  process.exit(1);
}
const srvp: Ref<netbuf | null> = { value: null };
const fd = await open_service(nconf, argv[2]!, argv[3]!, srvp);
if (fd < 0) process.exit(1);
const srv = srvp.value!;
const ud = t_alloc(fd, T_UNITDATA, T_ADDR | T_UDATA);
const uderr = t_alloc(fd, T_UDERROR, T_ADDR);
if (ud === null || uderr === null) {
  t_error("t_alloc");
  process.exit(1);
}
const flags = { value: 0 };
for (let i = 4; i < argv.length; i++) {
  ud.addr.buf.set(srv.buf.subarray(0, srv.len));
  ud.addr.len = srv.len;
  const message = new TextEncoder().encode(argv[i]);
  ud.udata.buf.set(message);
  ud.udata.len = message.length;
  if ((await t_sndudata(fd, ud)) < 0) {
    t_error("t_sndudata");
    process.exit(1);
  }
  const pfd: pollfd = { fd, events: POLLIN, revents: 0 };
  if ((await poll([pfd], 1, WAIT_MS)) === 0) {
    console.error(`client: no answer from ${argv[2]}`);
    process.exit(1);
  }
  if ((await t_rcvudata(fd, ud, flags)) < 0) {
    if (t_errno === TLOOK && t_look(fd) === T_UDERR && (await t_rcvuderr(fd, uderr)) === 0) {
      console.error(`client: datagram to ${taddr2uaddr(nconf, uderr.addr)} failed: ${strerror(uderr.error)}`);
      process.exit(1);
    }
    t_error("t_rcvudata");
    process.exit(1);
  }
  console.log(new TextDecoder().decode(ud.udata.buf.subarray(0, ud.udata.len)));
}
await t_close(fd);
