/**
 * mux client, ported line by line from client.c (XTI): sends its words to a mux server, a word
 * "!c" as the expedited byte c and the others as normal data, releases its side of the
 * connection, then prints everything the server sends back until the server releases too, each
 * expedited byte as "!c" again.  Usage: client netid host service word...
 *
 *   npm run build && node --import tsx examples/mux/client.ts tcp localhost 7777 hello '!x' world
 */
import {
  ND_ADDRLIST,
  O_RDWR,
  T_ADDR,
  T_CALL,
  T_EXPEDITED,
  T_ORDREL,
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
  t_connect,
  t_errno,
  t_error,
  t_free,
  t_look,
  t_open,
  t_rcv,
  t_rcvrel,
  t_snd,
  t_sndrel,
  type nd_addrlist,
  type nd_hostserv,
  type Ref,
  type t_call,
} from "xti";

/**
 * The one place the client chooses its transport and address: the transport named netid, the
 * first address netdir finds there for host and service.  Returns the connected endpoint, or -1.
 */
async function connect_service(netid: string, host: string, service: string): Promise<number> {
  const nconf = getnetconfigent(netid);
  if (nconf === null) {
    nc_perror(netid);
    return -1;
  }
  const hs: nd_hostserv = { h_host: host, h_serv: service };
  const addrs: Ref<nd_addrlist | null> = { value: null };
  if ((await netdir_getbyname(nconf, hs, addrs)) !== 0) {
    netdir_perror(host);
    return -1;
  }
  const fd = t_open(nconf.nc_device, O_RDWR, null);
  if (fd < 0) {
    t_error(nconf.nc_device);
    return -1;
  }
  let sndcall: t_call | null;
  if ((await t_bind(fd, null, null)) < 0 || (sndcall = t_alloc(fd, T_CALL, T_ADDR)) === null) {
    t_error("t_bind/t_alloc");
    return -1;
  }
  const server = addrs.value!.n_addrs[0]!;
  sndcall.addr.buf.set(server.buf.subarray(0, server.len));
  sndcall.addr.len = server.len;
  if ((await t_connect(fd, sndcall, null)) < 0) {
    t_error("t_connect");
    return -1;
  }
  t_free(sndcall, T_CALL);
  netdir_free(addrs.value, ND_ADDRLIST);
  freenetconfigent(nconf);
  return fd;
}

const argv = process.argv.slice(1); // argv[0] is the program, as in C
if (argv.length < 5) {
  console.error("usage: client netid host service word...");
  process.exit(2);
}
const fd = await connect_service(argv[1]!, argv[2]!, argv[3]!);
if (fd < 0) process.exit(1);
for (let i = 4; i < argv.length; i++) {
  const word = new TextEncoder().encode(argv[i]);
  let n: number;
  if (argv[i]!.startsWith("!") && word.length === 2) n = await t_snd(fd, word.subarray(1), 1, T_EXPEDITED);
  else if (word.length > 0) n = await t_snd(fd, word, word.length, 0);
  else continue;
  if (n < 0) {
    t_error("t_snd");
    process.exit(1);
  }
}
if ((await t_sndrel(fd)) < 0) {
  t_error("t_sndrel");
  process.exit(1);
}
const buf = new Uint8Array(256);
const flags = { value: 0 };
let n: number;
while ((n = await t_rcv(fd, buf, buf.length, flags)) >= 0) {
  if (flags.value & T_EXPEDITED) process.stdout.write("!");
  process.stdout.write(buf.slice(0, n)); // a copy, as fwrite makes one
}
if (t_errno !== TLOOK || t_look(fd) !== T_ORDREL || (await t_rcvrel(fd)) < 0) {
  t_error("t_rcv/t_rcvrel");
  process.exit(1);
}
process.stdout.write("\n");
await t_close(fd);
