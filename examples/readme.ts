import { O_RDWR, T_MORE, t_open, t_bind, t_bind_of, t_listen, t_accept, t_call_of, t_connect, t_snd, t_rcv, t_close } from "xti";

const server = t_open("/dev/ticots", O_RDWR), client = t_open("/dev/ticots", O_RDWR);
const bound = t_bind_of(64);                                 // room for the address the provider picks
await t_bind(server, t_bind_of(0, 1), bound);                // qlen 1: a listener
await t_bind(client, null, null);
const call = t_call_of({ addr: 64 });
const accepted = t_listen(server, call).then(() => t_accept(server, server, call));
await t_connect(client, { ...t_call_of(), addr: bound.addr }, null);
await accepted;
const pieces = ["one TSDU ", "sent in ", "three pieces"].map((s) => new TextEncoder().encode(s));
for (const [i, p] of pieces.entries()) await t_snd(client, p, p.length, i < 2 ? T_MORE : 0);
const buf = new Uint8Array(8), flags = { value: 0 };          // a small buffer: T_MORE = the TSDU goes on
do {
  const n = await t_rcv(server, buf, buf.length, flags);
  console.log(n, JSON.stringify(new TextDecoder().decode(buf.subarray(0, n))), flags.value & T_MORE ? "T_MORE" : "end of TSDU");
} while (flags.value & T_MORE);
await t_close(client); await t_close(server);
