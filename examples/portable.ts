import { O_RDWR, T_ORDREL, TLOOK, t_accept, t_bind, t_bind_of, t_call_of, t_close, t_connect, t_errno, t_listen, t_look, t_open, t_rcv, t_rcvrel, t_snd, t_sndrel } from "xti";
import { NC_TPI_COTS_ORD, NC_VISIBLE, readNetconfig } from "xti/spi";

// The first visible transport with orderly release in the netconfig file XTI_NETCONFIG names.
const nc = readNetconfig().entries.find((e) => e.nc_semantics === NC_TPI_COTS_ORD && (e.nc_flag & NC_VISIBLE) !== 0);
if (nc === undefined) throw new Error("no visible tpi_cots_ord transport in the netconfig file");
const server = t_open(nc.nc_device, O_RDWR), client = t_open(nc.nc_device, O_RDWR);
const bound = t_bind_of(64);                                 // whatever address the provider gives
await t_bind(server, t_bind_of(0, 1), bound);
await t_bind(client, null, null);

async function readAll(fd: number): Promise<string> {       // t_rcv until the peer's orderly release
  const buf = new Uint8Array(1024), flags = { value: 0 };
  let text = "", n: number;
  while ((n = await t_rcv(fd, buf, buf.length, flags)) >= 0) text += new TextDecoder().decode(buf.subarray(0, n));
  if (t_errno === TLOOK && t_look(fd) === T_ORDREL) await t_rcvrel(fd);
  return text;
}

const call = t_call_of({ addr: 64 });
const served = (async () => {                                // the server: upper-cases what it reads
  await t_listen(server, call);
  await t_accept(server, server, call);
  const reply = new TextEncoder().encode((await readAll(server)).toUpperCase());
  await t_snd(server, reply, reply.length, 0);
  await t_sndrel(server);
})();
await t_connect(client, { ...t_call_of(), addr: bound.addr }, null);
const hello = new TextEncoder().encode("hello from one program");
await t_snd(client, hello, hello.length, 0);
await t_sndrel(client);
console.log(`${nc.nc_netid} (${nc.nc_device}): ${JSON.stringify(await readAll(client))}`);
await served;
await t_close(client); await t_close(server);
