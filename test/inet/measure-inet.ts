/**
 * Measurements behind the numbers in docs/inet.md (`npm run measure:inet`; no privileges needed).
 * On loopback:
 *   - the poller's wake-up: a datagram sent on the main thread until its handler runs, back to back
 *     and after 1 ms of idleness
 *   - a 1-byte request/response over /dev/tcp (t_snd, then t_rcv of the echo) against the same
 *     round trip over node:net, both to a Python echo peer
 *   - idle CPU of the process with an endpoint blocked in t_listen, over 2 s
 * Not a test: it prints numbers.
 */
import { spawn } from "node:child_process";
import { connect } from "node:net";
import { AF_INET, EPOLLIN, SOCK_DGRAM } from "../../providers/native/ffi/linux.js";
import { Poller } from "../../providers/native/poller.js";
import { KernelSocket } from "../../providers/native/socket.js";
import { O_RDWR, netbuf, sockaddr_in, t_bind, t_call_of, t_close, t_connect, t_listen, t_open, t_rcv, t_snd } from "../../src/index.js";
import { PEER_SCRIPT, PYTHON } from "./helpers/peer.js";

const ROUNDS = 2000;

function summary(samplesUs: number[]): string {
  const s = [...samplesUs].sort((a, b) => a - b);
  const at = (p: number): string => s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!.toFixed(0);
  return `p50 ${at(50)} us, p90 ${at(90)} us, p99 ${at(99)} us (n=${s.length})`;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function pollerWakeup(idleMs: number): Promise<string> {
  const poller = Poller.shared();
  const rx = KernelSocket.create(AF_INET, SOCK_DGRAM);
  const tx = KernelSocket.create(AF_INET, SOCK_DGRAM);
  rx.bind(sockaddr_in("127.0.0.1", 0));
  const to = rx.localAddress()!;
  const scratch = new Uint8Array(16);
  let resolve: (() => void) | undefined;
  const handle = poller.watch(rx.fd, () => {
    while (rx.recv(scratch, 16, 0) > 0);
    resolve?.();
  });
  const samples: number[] = [];
  poller.hold(); // nothing else keeps the process alive while we wait for the handler
  for (let i = 0; i < ROUNDS; i++) {
    if (idleMs > 0) await sleep(idleMs);
    handle.arm(EPOLLIN);
    const done = new Promise<void>((r) => (resolve = r));
    const t0 = performance.now();
    tx.sendTo(scratch, 1, 0, to);
    await done;
    samples.push((performance.now() - t0) * 1000);
  }
  poller.release();
  handle.close();
  rx.close();
  tx.close();
  return summary(samples);
}

async function echoPeer(): Promise<{ port: number; stop: () => void }> {
  const child = spawn(PYTHON, [PEER_SCRIPT, "echo-server", "inet"], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<number>((r) => child.stdout.once("data", (d: Buffer) => r((JSON.parse(d.toString()) as { port: number }).port)));
  return { port, stop: () => child.kill() };
}

async function xtiRoundTrip(): Promise<string> {
  const peer = await echoPeer();
  const fd = t_open("/dev/tcp", O_RDWR, null);
  await t_bind(fd, null, null);
  await t_connect(fd, { ...t_call_of(), addr: netbuf(sockaddr_in("127.0.0.1", peer.port)) }, null);
  const one = Uint8Array.of(1);
  const buf = new Uint8Array(16);
  const flags = { value: 0 };
  const samples: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t0 = performance.now();
    await t_snd(fd, one, 1, 0);
    await t_rcv(fd, buf, 16, flags);
    samples.push((performance.now() - t0) * 1000);
  }
  await t_close(fd);
  peer.stop();
  return summary(samples);
}

async function netRoundTrip(): Promise<string> {
  const peer = await echoPeer();
  const s = connect(peer.port, "127.0.0.1");
  await new Promise((r) => s.once("connect", r));
  s.setNoDelay(true);
  const samples: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t0 = performance.now();
    const got = new Promise((r) => s.once("data", r));
    s.write(Uint8Array.of(1));
    await got;
    samples.push((performance.now() - t0) * 1000);
  }
  s.destroy();
  peer.stop();
  return summary(samples);
}

async function idleCpu(): Promise<string> {
  const fd = t_open("/dev/tcp", O_RDWR, null);
  await t_bind(fd, { addr: netbuf(sockaddr_in("127.0.0.1", 0)), qlen: 1 }, null);
  const listening = t_listen(fd, t_call_of({ addr: 16 }));
  await sleep(200);
  const before = process.cpuUsage();
  await sleep(2000);
  const used = process.cpuUsage(before);
  await t_close(fd);
  await listening;
  return `${((used.user + used.system) / 1000).toFixed(1)} ms CPU in 2 s (all threads)`;
}

console.log(`poller wake-up, back to back:   ${await pollerWakeup(0)}`);
console.log(`poller wake-up, after 1 ms idle: ${await pollerWakeup(1)}`);
console.log(`1-byte round trip, /dev/tcp:     ${await xtiRoundTrip()}`);
console.log(`1-byte round trip, node:net:     ${await netRoundTrip()}`);
console.log(`idle, blocked in t_listen:       ${await idleCpu()}`);
