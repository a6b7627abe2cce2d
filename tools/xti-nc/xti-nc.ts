#!/usr/bin/env node
/**
 * xti-nc: a netcat over XTI. Everything it sends and receives goes through t_* calls on the
 * device it is given, so the same program runs over the user-space stack (/dev/rawtcp,
 * /dev/rawudp), the kernel (/dev/tcp, /dev/udp) or any other provider.
 *   node --import tsx tools/xti-nc/xti-nc.ts --if xtiu --ip 198.18.0.2/24 connect 198.18.0.1 5001
 *   XTI_NETCONFIG=lab.netconfig node --import tsx tools/xti-nc/xti-nc.ts -D /dev/rawtcp listen 7
 * See USAGE in args.ts. Nothing here keeps the process alive by hand: the providers do while a
 * call waits on them. Every exit path (success, failure, SIGINT/SIGTERM) closes the endpoints first.
 */
import {
  F_SETFL,
  O_NONBLOCK,
  O_RDWR,
  T_CLTS,
  TLOOK,
  TNODATA,
  errno,
  errnoName,
  fcntl,
  netbuf,
  registerRawHost,
  t_accept,
  t_bind,
  t_bind_of,
  t_call_of,
  t_close,
  t_connect,
  t_discon_of,
  t_errdetail,
  t_errno,
  t_getinfo,
  t_listen,
  t_open,
  t_rcvconnect,
  t_rcvdis,
  tErrnoName,
  TSYSERR,
  T_NEGOTIATE,
  T_YES,
  XTI_GENERIC,
  XTI_LINGER,
  encodeOptions,
  scalarsValue,
  t_optmgmt,
  t_optmgmt_of,
  type t_info,
} from "../../src/index.js";
import { RawHost, netconfigHost } from "../../providers/packet/xti/index.js";
import { planHost } from "../../providers/packet/xti/host-config.js";
import { describeAddress, transportAddress } from "./address.js";
import { USAGE, UsageError, parseCommandLine, type CliOptions, type HostOptions } from "./args.js";
import { openSink } from "./byte-sink.js";
import { openSource } from "./byte-source.js";
import { DatagramSession } from "./datagram-session.js";
import { StreamSession, type SessionOutcome } from "./stream-session.js";
import type { TransferTotals } from "./tally.js";

const EXIT_OK = 0;
const EXIT_CONNECTION = 1;
const EXIT_USAGE = 2;
const EXIT_SIGINT = 130;
/** How long the final t_close waits for the peer to acknowledge what we sent. */
const LINGER_SECONDS = 60;

const note = (message: string): void => {
  process.stderr.write(`xti-nc: ${message}\n`);
};

/** The last failure as a name: the errno for TSYSERR, otherwise the t_errno. */
function lastError(): string {
  return t_errno === TSYSERR ? errnoName(errno) : tErrnoName(t_errno);
}

/** A failed call, as "t_bind: TADDRBUSY (what the provider said)". */
class CallFailed extends Error {
  constructor(call: string) {
    super(`${call}: ${lastError()}${t_errdetail === "" ? "" : ` (${t_errdetail})`}`);
  }
}

function must(r: number, call: string): number {
  if (r < 0) throw new CallFailed(call);
  return r;
}

/** The host description of --if/--ip..., as the user-space devices take it. */
function describeHost(h: HostOptions): Parameters<typeof registerRawHost>[0] {
  const drop = { drop: h.lossPercent / 100 };
  return {
    name: "xti-nc",
    interface: h.ifname,
    address: `${h.address}/${h.prefixLength}`,
    ...(h.mac === null ? {} : { mac: h.mac }),
    ...(h.gateway === null ? {} : { gateway: h.gateway }),
    ...(h.lossPercent > 0 ? { faults: { seed: h.seed, tx: drop, rx: drop } } : {}),
    ...(h.pcapFile === null ? {} : { pcap: h.pcapFile }),
  };
}

/** The user-space host serving `device`, if one is open (for --stats). */
function liveHost(options: CliOptions): RawHost | undefined {
  try {
    const key = options.host !== null ? planHost("xti-nc", describeHost(options.host)).key : netconfigHost(options.device).key;
    return RawHost.find(key);
  } catch {
    return undefined;
  }
}

function reportTotals(options: CliOptions, totals: TransferTotals): void {
  if (!options.sha256) return;
  note(`sent ${totals.sent} bytes sha256 ${totals.sentSha256}`);
  note(`received ${totals.received} bytes sha256 ${totals.receivedSha256}`);
}

/** What main() closes on the way out (after --stats, while the host is still up). */
const endpoints = new Set<number>();

/** Our side of a connection: connected out, or the one caller accepted (later ones are refused). */
async function establish(fd: number, options: CliOptions, info: t_info, onSignal: (stop: () => void) => void): Promise<{ conn: number; outcome?: SessionOutcome }> {
  const addr = transportAddress(options.address, info.addr, options.mode === "listen");
  if (options.mode === "listen") {
    const ret = t_bind_of(info.addr > 0 ? info.addr : 1024);
    must(await t_bind(fd, { addr: netbuf(addr), qlen: 1 }, ret), "t_bind");
    note(`listening on ${describeAddress(ret.addr.buf.subarray(0, ret.addr.len))}`);
    const call = t_call_of({ addr: info.addr > 0 ? info.addr : 1024 });
    onSignal(() => void t_close(fd));
    must(await t_listen(fd, call), "t_listen");
    const conn = must(t_open(options.device, O_RDWR, null), "t_open");
    endpoints.add(conn);
    must(await t_accept(fd, conn, call), "t_accept");
    // One connection, as nc -l: stop listening, so later callers are refused.
    endpoints.delete(fd);
    await t_close(fd);
    note(`connection from ${describeAddress(call.addr.buf.subarray(0, call.addr.len))}`);
    return { conn };
  }
  must(await t_bind(fd, null, null), "t_bind");
  fcntl(fd, F_SETFL, O_NONBLOCK);
  const started = await t_connect(fd, { ...t_call_of(), addr: netbuf(addr) }, null);
  if (started < 0 && t_errno !== TNODATA) {
    if (t_errno !== TLOOK) throw new CallFailed("t_connect");
    return { conn: fd, outcome: await refused(fd) };
  }
  fcntl(fd, F_SETFL, 0);
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  const giveUp = (): void => void t_close(fd); // the waiting t_rcvconnect then fails TBADF
  onSignal(giveUp);
  if (started < 0) {
    timer = setTimeout(() => {
      timedOut = true;
      giveUp();
    }, options.timeoutMs);
    const r = await t_rcvconnect(fd, null);
    clearTimeout(timer);
    if (timedOut) return { conn: -1, outcome: { ok: false, reason: "ETIMEDOUT", detail: `no answer within ${options.timeoutMs} ms` } };
    if (r < 0) {
      if (t_errno !== TLOOK) throw new CallFailed("t_rcvconnect");
      return { conn: fd, outcome: await refused(fd) };
    }
  }
  note(`connected to ${describeAddress(addr)}`);
  return { conn: fd };
}

/** XTI_LINGER on, so that t_close waits for the peer's acknowledgement (where the provider implements it). */
async function lingerOnClose(fd: number): Promise<void> {
  const linger = encodeOptions([{ level: XTI_GENERIC, name: XTI_LINGER, value: scalarsValue(T_YES, LINGER_SECONDS) }]);
  await t_optmgmt(fd, t_optmgmt_of(linger, T_NEGOTIATE), t_optmgmt_of(64));
}

/** The disconnect that answered our connect. */
async function refused(fd: number): Promise<SessionOutcome> {
  const d = t_discon_of(0);
  must(await t_rcvdis(fd, d), "t_rcvdis");
  return { ok: false, reason: errnoName(d.reason) };
}

async function runStream(fd: number, options: CliOptions, info: t_info, onSignal: (stop: () => void) => void): Promise<number> {
  const { conn, outcome: early } = await establish(fd, options, info, onSignal);
  let outcome = early;
  if (outcome === undefined) {
    const sink = openSink(options.recvFile);
    const session = new StreamSession(conn, info.servtype, { source: openSource(options.input), sink, urgentAt: options.urgentAt, urgentApart: options.urgentApart, paceMs: options.paceMs, note });
    onSignal(() => session.abort("ECONNABORTED", "interrupted"));
    outcome = await session.run();
    await sink.finish();
    reportTotals(options, session.totals());
    // t_sndrel only queued our FIN, and the process ends with process.exit(): a lingering t_close
    // waits until the peer has acknowledged everything we sent.
    if (outcome.ok) await lingerOnClose(conn);
  }
  if (outcome.ok) return EXIT_OK;
  note(`connection failed: ${outcome.reason}${outcome.detail === undefined ? "" : ` (${outcome.detail})`}`);
  return EXIT_CONNECTION;
}

async function runDatagrams(fd: number, options: CliOptions, info: t_info, onSignal: (stop: () => void) => void): Promise<number> {
  const addr = transportAddress(options.address, info.addr, options.mode === "listen");
  const ret = t_bind_of(info.addr > 0 ? info.addr : 1024);
  must(await t_bind(fd, options.mode === "listen" ? { addr: netbuf(addr), qlen: 0 } : null, ret), "t_bind");
  if (options.mode === "listen") note(`listening on ${describeAddress(ret.addr.buf.subarray(0, ret.addr.len))}`);
  const sink = openSink(options.recvFile);
  const session = new DatagramSession(fd, options.mode === "connect" ? addr : null, info.tsdu, { source: openSource(options.input), sink, idleMs: options.idleMs, note });
  onSignal(() => session.stop());
  await session.run();
  await sink.finish();
  reportTotals(options, session.totals());
  return EXIT_OK;
}

let statsPrinted = false;

/** --stats, once, while the host is still up (before the last endpoint closes). */
function printStats(options: CliOptions): void {
  if (!options.stats || statsPrinted) return;
  statsPrinted = true;
  const host = liveHost(options);
  if (host === undefined) note(`stats: ${options.device} is not served by a user-space host of this process`);
  else note(`stats ${JSON.stringify(host.host.stats())}`);
}

async function main(argv: readonly string[]): Promise<number> {
  let options: CliOptions | null;
  try {
    options = parseCommandLine(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    note(err.message);
    process.stderr.write(`${USAGE}\n`);
    return EXIT_USAGE;
  }
  if (options === null) {
    process.stdout.write(`${USAGE}\n`);
    return EXIT_OK;
  }
  if (options.host !== null) {
    try {
      registerRawHost(describeHost(options.host));
    } catch (err) {
      note(err instanceof Error ? err.message : String(err));
      return EXIT_USAGE;
    }
  }

  const fd = t_open(options.device, O_RDWR, null);
  if (fd < 0) {
    note(`cannot open ${options.device}: ${lastError()}${t_errdetail === "" ? "" : ` (${t_errdetail})`}`);
    return EXIT_CONNECTION;
  }
  endpoints.add(fd);
  const info: t_info = { addr: 0, options: 0, tsdu: 0, etsdu: 0, connect: 0, discon: 0, servtype: 0, flags: 0 };
  t_getinfo(fd, info);

  let interrupted = false;
  let stop: (() => void) | null = null;
  const onInterrupt = (): void => {
    interrupted = true;
    printStats(options);
    stop?.();
  };
  process.once("SIGINT", onInterrupt);
  process.once("SIGTERM", onInterrupt);
  const register = (fn: () => void): void => {
    stop = fn;
    if (interrupted) fn();
  };
  let code: number;
  try {
    code = info.servtype === T_CLTS ? await runDatagrams(fd, options, info, register) : await runStream(fd, options, info, register);
  } catch (err) {
    if (err instanceof UsageError) {
      note(err.message);
      code = EXIT_USAGE;
    } else if (interrupted) {
      note("connection failed: ECONNABORTED (interrupted)");
      code = EXIT_SIGINT;
    } else {
      note(`failed: ${err instanceof Error ? err.message : String(err)}`);
      code = EXIT_CONNECTION;
    }
  } finally {
    process.off("SIGINT", onInterrupt);
    process.off("SIGTERM", onInterrupt);
    printStats(options);
    for (const e of endpoints) await t_close(e);
  }
  return interrupted ? EXIT_SIGINT : code;
}

// Exit explicitly: a pending read on standard input would otherwise keep the process alive after
// the connection is over (everything of ours is closed by then).
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    note(`internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(EXIT_CONNECTION);
  },
);
