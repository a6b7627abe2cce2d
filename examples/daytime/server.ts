/**
 * daytime server, ported line by line from server.c (SVR4 TLI): answers each caller with the time
 * of day, then releases the connection.  The transport is the first connection-oriented one of
 * NETPATH, the address this host's (HOST_SELF) for the service.  Usage: server [service [count]]
 * (service: a name from /etc/services or a port number, 0 for any free port; default daytime.
 * count: callers to serve before exiting, 0 or none: for ever).  Prints "daytime server on NETID
 * UADDR".
 *
 *   npm run build && NETPATH=tcp node --import tsx examples/daytime/server.ts 0 1
 */
import {
  HOST_SELF,
  NC_TPI_COTS,
  NC_TPI_COTS_ORD,
  ND_ADDRLIST,
  O_RDWR,
  T_ADDR,
  T_BIND,
  T_CALL,
  T_DISCONNECT,
  T_ORDREL,
  TLOOK,
  endnetpath,
  freenetconfigent,
  getnetconfigent,
  getnetpath,
  nc_perror,
  netdir_free,
  netdir_getbyname,
  netdir_perror,
  setnetpath,
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
  t_rcvdis,
  t_rcvrel,
  t_snd,
  t_sndrel,
  taddr2uaddr,
  type nd_addrlist,
  type nd_hostserv,
  type netconfig,
  type Ref,
} from "xti/tli";

/** ctime(3): "Wed Jun 30 21:49:08 1993\n". */
function ctime(t: Date): string {
  const [day, month] = [["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"][t.getDay()], ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][t.getMonth()]];
  const two = (n: number): string => String(n).padStart(2, "0");
  return `${day} ${month} ${String(t.getDate()).padStart(2)} ${two(t.getHours())}:${two(t.getMinutes())}:${two(t.getSeconds())} ${t.getFullYear()}\n`;
}

/**
 * The one place the server chooses its transport and address: the first connection-oriented
 * transport of NETPATH that has an address for the service.  Returns the bound listener, its
 * transport in ncp and the address bound in retp; -1 if no transport would do.
 */
async function bind_service(service: string, ncp: Ref<netconfig | null>, retp: Ref<t_bind | null>): Promise<number> {
  const handle = setnetpath();
  if (handle === null) {
    nc_perror("setnetpath");
    return -1;
  }
  const hs: nd_hostserv = { h_host: HOST_SELF, h_serv: service };
  const addrs: Ref<nd_addrlist | null> = { value: null };
  let nconf: netconfig | null;
  while ((nconf = getnetpath(handle)) !== null) {
    if (nconf.nc_semantics !== NC_TPI_COTS && nconf.nc_semantics !== NC_TPI_COTS_ORD) continue;
    if ((await netdir_getbyname(nconf, hs, addrs)) !== 0) {
      netdir_perror(nconf.nc_netid);
      continue;
    }
    const fd = t_open(nconf.nc_device, O_RDWR, null);
    if (fd < 0) {
      t_error(nconf.nc_device);
      netdir_free(addrs.value, ND_ADDRLIST);
      continue;
    }
    const req: t_bind = { addr: addrs.value!.n_addrs[0]!, qlen: 1 }; // one caller at a time: TLI's t_accept fails TLOOK when another calls
    if ((retp.value = t_alloc(fd, T_BIND, T_ADDR)) === null || (await t_bind(fd, req, retp.value)) < 0) {
      t_error("t_alloc/t_bind");
      netdir_free(addrs.value, ND_ADDRLIST);
      await t_close(fd);
      continue;
    }
    netdir_free(addrs.value, ND_ADDRLIST);
    // getnetpath's entries go with endnetpath: keep a copy.
    ncp.value = getnetconfigent(nconf.nc_netid);
    endnetpath(handle);
    return fd;
  }
  endnetpath(handle);
  return -1;
}

const argv = process.argv.slice(1); // argv[0] is the program, as in C
const count = argv.length > 2 ? Number(argv[2]) : 0;
let served = 0;

const ncp: Ref<netconfig | null> = { value: null };
const retp: Ref<t_bind | null> = { value: null };
const listenFd = await bind_service(argv.length > 1 ? argv[1]! : "daytime", ncp, retp);
if (listenFd < 0) {
  console.error("server: no transport in NETPATH serves this");
  process.exit(1);
}
const nconf = ncp.value!;
const ret = retp.value!;
// TLI binds another address when this one is busy: say which one we got.
console.log(`daytime server on ${nconf.nc_netid} ${taddr2uaddr(nconf, ret.addr)}`);

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
  const connFd = t_open(nconf.nc_device, O_RDWR, null);
  if (connFd < 0 || (await t_bind(connFd, null, null)) < 0) {
    t_error("t_open/t_bind");
    process.exit(1);
  }
  if ((await t_accept(listenFd, connFd, call)) < 0) {
    if (t_errno === TLOOK && t_look(listenFd) === T_DISCONNECT) await t_rcvdis(listenFd, null); // the caller gave up
    else t_error("t_accept");
    await t_close(connFd);
    continue;
  }
  const buf = new TextEncoder().encode(ctime(new Date())); // "Wed Jun 30 21:49:08 1993\n"
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
freenetconfigent(nconf);
