/**
 * daytime client, ported line by line from client.c (SVR4 TLI): connects to a daytime server over
 * the first transport of NETPATH that reaches it, prints what it sends until the server releases
 * the connection.  Usage: client host [service]  (service: a name from /etc/services or a port
 * number; default daytime).
 *
 *   npm run build && node --import tsx examples/daytime/client.ts localhost 13
 */
import {
  NC_TPI_COTS,
  NC_TPI_COTS_ORD,
  ND_ADDRLIST,
  O_RDWR,
  T_DISCONNECT,
  T_ORDREL,
  TLOOK,
  endnetpath,
  getnetpath,
  nc_perror,
  netdir_free,
  netdir_getbyname,
  netdir_perror,
  setnetpath,
  t_bind,
  t_call_of,
  t_close,
  t_connect,
  t_discon_of,
  t_errno,
  t_error,
  t_look,
  t_open,
  t_rcv,
  t_rcvdis,
  t_rcvrel,
  t_sndrel,
  type nd_addrlist,
  type nd_hostserv,
  type netconfig,
  type Ref,
} from "xti/tli";

/**
 * The one place the client chooses its transport and address: each connection-oriented
 * transport of NETPATH in turn, and each address netdir finds there for host and service,
 * until a t_connect succeeds.  Returns the connected endpoint, or -1.
 */
async function connect_service(host: string, service: string): Promise<number> {
  const handle = setnetpath();
  if (handle === null) {
    nc_perror("setnetpath");
    return -1;
  }
  const hs: nd_hostserv = { h_host: host, h_serv: service };
  const addrs: Ref<nd_addrlist | null> = { value: null };
  let nconf: netconfig | null;
  while ((nconf = getnetpath(handle)) !== null) {
    if (nconf.nc_semantics !== NC_TPI_COTS && nconf.nc_semantics !== NC_TPI_COTS_ORD) continue;
    if ((await netdir_getbyname(nconf, hs, addrs)) !== 0) {
      netdir_perror(nconf.nc_netid);
      continue;
    }
    for (let i = 0; i < addrs.value!.n_cnt; i++) {
      const fd = t_open(nconf.nc_device, O_RDWR, null);
      if (fd < 0) {
        t_error(nconf.nc_device);
        break;
      }
      if ((await t_bind(fd, null, null)) < 0) {
        t_error("t_bind");
        await t_close(fd);
        break;
      }
      const sndcall = t_call_of(); // memset(&sndcall, 0, sizeof (sndcall))
      sndcall.addr = addrs.value!.n_addrs[i]!;
      if ((await t_connect(fd, sndcall, null)) === 0) {
        netdir_free(addrs.value, ND_ADDRLIST);
        endnetpath(handle);
        return fd;
      }
      if (t_errno === TLOOK && t_look(fd) === T_DISCONNECT) {
        const discon = t_discon_of();
        await t_rcvdis(fd, discon);
        console.error(`${nconf.nc_netid}: disconnected (reason ${discon.reason})`);
      } else t_error(nconf.nc_netid);
      await t_close(fd);
    }
    netdir_free(addrs.value, ND_ADDRLIST);
  }
  endnetpath(handle);
  return -1;
}

const argv = process.argv.slice(1); // argv[0] is the program, as in C
if (argv.length < 2 || argv.length > 3) {
  console.error("usage: client host [service]");
  process.exit(2);
}
const fd = await connect_service(argv[1]!, argv.length > 2 ? argv[2]! : "daytime");
if (fd < 0) {
  console.error(`client: cannot reach ${argv[1]}`);
  process.exit(1);
}
const buf = new Uint8Array(128);
const flags = { value: 0 };
let n: number;
while ((n = await t_rcv(fd, buf, buf.length, flags)) >= 0) process.stdout.write(buf.slice(0, n)); // a copy, as fwrite makes one
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
