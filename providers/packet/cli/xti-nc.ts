/**
 * xti-nc: a netcat over the user-space TCP/IPv4 stack on an AF_PACKET socket.
 *   node --import tsx providers/packet/cli/xti-nc.ts --if xtiu --ip 198.18.0.2/24 connect 198.18.0.1 5001
 * See USAGE in args.ts. The device is ref'd so that the process lives while the program runs;
 * every exit path (success, failure, SIGINT/SIGTERM) closes the stack and the device first.
 */
import { UserHost } from "../host.js";
import type { AfPacketDevice } from "../link/afpacket.js";
import type { TcpListener } from "../stack/tcp/listener.js";
import { TcpError } from "../stack/tcp/types.js";
import { formatIpv4Address } from "../wire/ipv4-address.js";
import { USAGE, UsageError, parseCommandLine, type CliOptions } from "./args.js";
import { openSink } from "./byte-sink.js";
import { openSource } from "./byte-source.js";
import { TcpSession, type SessionOutcome } from "./tcp-session.js";
import type { TransferTotals } from "./tally.js";
import { UdpSession } from "./udp-session.js";

const EXIT_OK = 0;
const EXIT_CONNECTION = 1;
const EXIT_USAGE = 2;
const EXIT_SIGINT = 130;

const note = (message: string): void => {
  process.stderr.write(`xti-nc: ${message}\n`);
};

function errnoOf(err: unknown): string {
  if (err instanceof TcpError) return err.code;
  if (typeof err === "object" && err !== null && "code" in err && typeof err.code === "string") return err.code;
  return "EIO";
}

function reportTotals(options: CliOptions, totals: TransferTotals): void {
  if (!options.sha256) return;
  note(`sent ${totals.sent} bytes sha256 ${totals.sentSha256}`);
  note(`received ${totals.received} bytes sha256 ${totals.receivedSha256}`);
}

async function runTcp(host: UserHost<AfPacketDevice>, options: CliOptions, onSignal: (stop: () => void) => void): Promise<number> {
  const sink = openSink(options.recvFile);
  const mode = options.mode;
  let listener: TcpListener | null = null;
  let connectTimer: NodeJS.Timeout | undefined;
  const session = new TcpSession({
    source: openSource(options.input),
    sink,
    urgentAt: options.urgentAt,
    note,
    onConnected: () => {
      clearTimeout(connectTimer);
      if (mode.kind === "connect") note(`connected to ${formatIpv4Address(mode.host)}:${mode.port}`);
    },
  });
  if (mode.kind === "connect") {
    session.attach(host.tcp.connect({ remote: { address: mode.host, port: mode.port } }, session), false);
    connectTimer = setTimeout(() => session.abort("ETIMEDOUT", "no answer to the SYN"), options.timeoutMs);
  } else {
    const tcpListener = host.tcp.listen({ port: mode.port, backlog: 1 }, {
      connectionIndication: (indication) => {
        // One connection, as nc -l: stop listening so later SYNs are refused.
        const conn = tcpListener.accept(indication.sequence, session);
        tcpListener.close();
        note(`connection from ${formatIpv4Address(indication.remote.address)}:${indication.remote.port}`);
        session.attach(conn, true);
      },
    });
    listener = tcpListener;
    note(`listening on ${options.address}:${mode.port}`);
  }
  onSignal(() => session.abort("ECONNABORTED", "interrupted"));
  const outcome: SessionOutcome = await session.outcome;
  clearTimeout(connectTimer);
  listener?.close();
  await sink.finish();
  reportTotals(options, session.totals());
  if (options.stats) note(`connection ${JSON.stringify(session.connectionStats())}`);
  if (outcome.ok) return EXIT_OK;
  note(`connection failed: ${outcome.reason}${outcome.detail === undefined ? "" : ` (${outcome.detail})`}`);
  return EXIT_CONNECTION;
}

async function runUdp(host: UserHost<AfPacketDevice>, options: CliOptions, onSignal: (stop: () => void) => void): Promise<number> {
  const sink = openSink(options.recvFile);
  const mode = options.mode;
  const io = { source: openSource(options.input), sink, idleMs: options.idleMs, note };
  const session =
    mode.kind === "connect"
      ? UdpSession.open(host.stack, 0, { address: mode.host, port: mode.port }, io)
      : UdpSession.open(host.stack, mode.port, null, io);
  if (session === null) {
    note("connection failed: EADDRINUSE");
    return EXIT_CONNECTION;
  }
  onSignal(() => session.stop());
  await session.run();
  session.stop();
  await sink.finish();
  reportTotals(options, session.totals());
  return EXIT_OK;
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

  let host: UserHost<AfPacketDevice>;
  try {
    host = await UserHost.openAfPacket({
      ifname: options.ifname,
      address: options.address,
      prefixLength: options.prefixLength,
      ...(options.mac === null ? {} : { mac: options.mac }),
      ...(options.gateway === null ? {} : { gateway: options.gateway }),
      ...(options.lossPercent > 0 ? { faults: { seed: options.seed, tx: { drop: options.lossPercent / 100 }, rx: { drop: options.lossPercent / 100 } } } : {}),
      ...(options.pcapFile === null ? {} : { pcap: { file: options.pcapFile } }),
    });
  } catch (err) {
    note(`cannot open ${options.ifname}: ${err instanceof Error ? err.message : String(err)}`);
    return EXIT_CONNECTION;
  }
  host.device.ref();

  let interrupted = false;
  let stop: (() => void) | null = null;
  const onInterrupt = (): void => {
    interrupted = true;
    stop?.();
  };
  process.once("SIGINT", onInterrupt);
  process.once("SIGTERM", onInterrupt);
  let code: number;
  try {
    const register = (fn: () => void): void => {
      stop = fn;
      if (interrupted) fn();
    };
    code = options.udp ? await runUdp(host, options, register) : await runTcp(host, options, register);
  } catch (err) {
    note(`failed: ${errnoOf(err)} (${err instanceof Error ? err.message : String(err)})`);
    code = EXIT_CONNECTION;
  } finally {
    process.off("SIGINT", onInterrupt);
    process.off("SIGTERM", onInterrupt);
    if (options.stats) note(`stats ${JSON.stringify(host.stats())}`);
    await host.close();
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
