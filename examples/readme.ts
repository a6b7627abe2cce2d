import { O_RDWR, T_MORE, t_accept, t_bind, t_bind_of, t_call_of, t_close, t_connect, t_listen, t_open, t_rcv, t_snd } from "../src/index.js";

const srv = t_open("/dev/ticots", O_RDWR), cli = t_open("/dev/ticots", O_RDWR);
const bound = t_bind_of(64);
await t_bind(srv, t_bind_of(new TextEncoder().encode("echo"), 1), bound);
await t_bind(cli, null, null);
const call = t_call_of({ addr: 64 });
const accepted = t_listen(srv, call).then(() => t_accept(srv, srv, call));
await t_connect(cli, { ...t_call_of(), addr: bound.addr }, null);
await accepted;
const text = new TextEncoder().encode("one TSDU in three pieces");
await t_snd(cli, text.subarray(0, 4), 4, T_MORE);
await t_snd(cli, text.subarray(4, 9), 5, T_MORE);
await t_snd(cli, text.subarray(9), text.length - 9, 0);
const buf = new Uint8Array(7), flags = { value: 0 };
let n: number;
do { n = await t_rcv(srv, buf, buf.length, flags); console.log(n, JSON.stringify(new TextDecoder().decode(buf.subarray(0, n))), flags.value & T_MORE ? "T_MORE" : "end of TSDU"); } while (flags.value & T_MORE);
await t_close(cli); await t_close(srv);
