/**
 * echo server, ported line by line from server.c (SVR4 TLI), connectionless: sends every datagram
 * back to where it came from.  A datagram the transport could not deliver comes back as a unit
 * data error, which is reported and skipped.  Usage: server netid service [count]  (netid: a
 * connectionless transport of the netconfig database, e.g. udp; service: a name from
 * /etc/services or a port number, 0 for any free port; count: datagrams to echo before exiting,
 * 0 or none: for ever).  Prints "echo server on NETID UADDR".
 *
 *   npm run build && node --import tsx examples/echo/server.ts udp 0
 */
import { strerror } from "xti"; // <string.h>
import {
  HOST_SELF,
  ND_ADDRLIST,
  O_RDWR,
  T_ADDR,
  T_BIND,
  T_UDATA,
  T_UDERR,
  T_UDERROR,
  T_UNITDATA,
  TLOOK,
  freenetconfigent,
  getnetconfigent,
  nc_perror,
  netdir_free,
  netdir_getbyname,
  netdir_perror,
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
  type netconfig,
  type Ref,
} from "xti/tli";

/**
 * The one place the server chooses its transport and address: the transport named netid,
 * this host's address (HOST_SELF) for the service.  Returns the bound endpoint and the
 * address bound in retp, or -1.
 */
async function bind_service(nconf: netconfig, service: string, retp: Ref<t_bind | null>): Promise<number> {
  const hs: nd_hostserv = { h_host: HOST_SELF, h_serv: service };
  const addrs: Ref<nd_addrlist | null> = { value: null };
  if ((await netdir_getbyname(nconf, hs, addrs)) !== 0) {
    netdir_perror(service);
    return -1;
  }
  const fd = t_open(nconf.nc_device, O_RDWR, null);
  if (fd < 0) {
    t_error(nconf.nc_device);
    return -1;
  }
  const req: t_bind = { addr: addrs.value!.n_addrs[0]!, qlen: 0 };
  if ((retp.value = t_alloc(fd, T_BIND, T_ADDR)) === null || (await t_bind(fd, req, retp.value)) < 0) {
    t_error("t_alloc/t_bind");
    return -1;
  }
  netdir_free(addrs.value, ND_ADDRLIST);
  return fd;
}

const argv = process.argv.slice(1); // argv[0] is the program, as in C
let echoed = 0;
if (argv.length < 3 || argv.length > 4) {
  console.error("usage: server netid service [count]");
  process.exit(2);
}
const count = argv.length > 3 ? Number(argv[3]) : 0;
const nconf = getnetconfigent(argv[1]!);
if (nconf === null) {
  nc_perror(argv[1]!);
  process.exit(1);
}
const retp: Ref<t_bind | null> = { value: null };
const fd = await bind_service(nconf, argv[2]!, retp);
if (fd < 0) process.exit(1);
console.log(`echo server on ${nconf.nc_netid} ${taddr2uaddr(nconf, retp.value!.addr)}`);

const ud = t_alloc(fd, T_UNITDATA, T_ADDR | T_UDATA);
const uderr = t_alloc(fd, T_UDERROR, T_ADDR);
if (ud === null || uderr === null) {
  t_error("t_alloc");
  process.exit(1);
}
const flags = { value: 0 };
while (count === 0 || echoed < count) {
  if ((await t_rcvudata(fd, ud, flags)) < 0) {
    if (t_errno === TLOOK && t_look(fd) === T_UDERR) {
      // An earlier answer did not arrive: say so and go on.
      if ((await t_rcvuderr(fd, uderr)) < 0) {
        t_error("t_rcvuderr");
        process.exit(1);
      }
      console.error(`server: datagram to ${taddr2uaddr(nconf, uderr.addr)} failed: ${strerror(uderr.error)}`);
      continue;
    }
    t_error("t_rcvudata");
    process.exit(1);
  }
  // ud.addr is the sender: the same structure goes back.
  if ((await t_sndudata(fd, ud)) < 0) {
    t_error("t_sndudata");
    process.exit(1);
  }
  echoed++;
}
await t_close(fd);
freenetconfigent(nconf);
