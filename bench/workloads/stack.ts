/**
 * Bulk TCP transfers between this process and the kernel peer in the benchmark namespace, through
 * the user-space stack driven directly (TcpConnection through providers/packet/host.ts) or through
 * the root namespace kernel's own TCP (node:net, or a Python client where the congestion control
 * must be chosen). Each is timed from connect() to the peer's FIN after the last byte, the peer
 * being the same Python program in every case (harness/veth.ts).
 */
import { connect as netConnect } from "node:net";
import { UserHost } from "../../providers/packet/host.js";
import type { AfPacketDevice } from "../../providers/packet/link/afpacket.js";
import type { TcpConfig } from "../../providers/packet/stack/tcp/config.js";
import type { TcpConnection } from "../../providers/packet/stack/tcp/connection.js";
import { TcpState, type ConnectionStats } from "../../providers/packet/stack/tcp/types.js";
import { parseIpv4Address } from "../../providers/packet/wire/ipv4-address.js";
import { parseMac } from "../../providers/packet/wire/mac.js";
import { timed } from "../harness/measure.js";
import type { Sample, Variant } from "../harness/scenario.js";
import { kernelTcp } from "../../test/packet/interop/helpers/kernel-peer.js";
import { KERNEL_IP, PREFIX_LENGTH, STACK_IF, checkPeer, kernelPeer, peerPort, type Direction } from "../harness/veth.js";

/** The size of each write on every path (the piece sendPiece() takes, node:net's write, t_snd). */
export const PIECE = 64 * 1024;
const DATA = new Uint8Array(PIECE).fill(0x42);

/** A user-space host on the benchmark veth, its device keeping the process alive while open. */
export async function openStackHost(address: string, mac: string, tcp: Partial<TcpConfig> = {}): Promise<UserHost<AfPacketDevice>> {
  const host = await UserHost.openAfPacket({ ifname: STACK_IF, address, prefixLength: PREFIX_LENGTH, mac: parseMac(mac)!, tcp });
  host.device.ref(); // the kernel peer may exit before our last frames are processed
  return host;
}

/** What a stack transfer reports besides its time. */
export interface StackTransferResult {
  /** The connection's counters at the end. */
  stats: ConnectionStats;
  /** Seconds from connect() to the connection's establishment (a lost SYN costs a 1 s timeout). */
  handshakeSeconds: number;
}

/**
 * One transfer through the stack, driven directly. Resolves on the peer's FIN after the last
 * byte, with the connection's counters and how long its handshake took.
 */
export function stackTransfer(host: UserHost, port: number, direction: Direction, bytes: number): Promise<StackTransferResult> {
  const start = performance.now();
  let handshakeSeconds = 0;
  return new Promise<StackTransferResult>((resolve, reject) => {
    let remaining = direction === "upload" ? bytes : 0;
    let received = 0;
    const pump = (): void => {
      while (remaining > 0) {
        const piece = remaining >= PIECE ? DATA : DATA.subarray(0, remaining);
        if (!conn.sendPiece(piece)) return;
        remaining -= piece.length;
      }
      if (conn.state === TcpState.ESTABLISHED || conn.state === TcpState.CLOSE_WAIT) conn.shutdown();
    };
    const conn: TcpConnection = host.tcp.connect(
      { remote: { address: parseIpv4Address(KERNEL_IP)!, port } },
      {
        connected: () => {
          handshakeSeconds = (performance.now() - start) / 1000;
          pump();
        },
        writable: pump,
        data: (data) => {
          received += data.length;
          conn.consumed(data.length);
        },
        end: () => (direction === "download" && received !== bytes ? reject(new Error(`received ${received} of ${bytes} bytes`)) : resolve({ stats: conn.stats(), handshakeSeconds })),
        disconnect: (reason) => reject(new Error(`stack transfer failed: ${reason}`)),
      },
    );
  });
}

/**
 * One upload through the kernel's TCP from a Python client (kernel_peer.py) in the root
 * namespace, bound to `localAddress`, with the congestion control `congestion` set on its socket
 * (TCP_CONGESTION; null: the system's default), which node:net cannot choose. The client times
 * it, from the end of its connect() (the handshake is not counted) to the sink's FIN, so that the
 * interpreter's start-up is not counted either. Resolves with that time in seconds.
 */
export async function kernelClientUpload(localAddress: string, port: number, bytes: number, congestion: string | null): Promise<number> {
  const sink = await kernelPeer(port, "upload", bytes);
  try {
    const client = kernelTcp({ connect: { host: KERNEL_IP, port }, sendBytes: bytes, order: "send-first", namespace: null, bind: localAddress, ...(congestion === null ? {} : { congestion }) });
    const result = await client.result;
    if (result["error"] !== undefined) throw new Error(`the kernel client failed: ${JSON.stringify(result["error"])}`);
    await checkPeer(sink, "upload", bytes);
    return Number(result["seconds"]);
  } finally {
    sink.kill();
  }
}

/** One transfer through the kernel's TCP from `localAddress` in the root namespace. */
export function kernelTransfer(localAddress: string, port: number, direction: Direction, bytes: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const socket = netConnect({ host: KERNEL_IP, port, localAddress });
    let remaining = direction === "upload" ? bytes : 0;
    let received = 0;
    const pump = (): void => {
      while (remaining > 0) {
        const piece = remaining >= PIECE ? DATA : DATA.subarray(0, remaining);
        remaining -= piece.length;
        if (!socket.write(piece)) return;
      }
      socket.end();
    };
    socket.on("connect", pump);
    socket.on("drain", pump);
    socket.on("data", (data: Buffer) => (received += data.length));
    socket.on("end", () => (direction === "download" && received !== bytes ? reject(new Error(`received ${received} of ${bytes} bytes`)) : resolve()));
    socket.on("error", reject);
  });
}

/**
 * A variant moving `bytes` in `direction` with the kernel peer: `setUp` (not measured) returns the
 * transfer to time and what to release afterwards. The sample holds seconds, cpuSeconds, bytes,
 * and whatever counts the transfer resolves with.
 */
export function transferVariant(
  id: string,
  label: string,
  direction: Direction,
  bytes: number,
  setUp: () => Promise<{ transfer: (port: number) => Promise<Record<string, number> | void>; release: () => Promise<void> }>,
): Variant {
  return {
    id,
    label,
    run: async (): Promise<Sample> => {
      const { transfer, release } = await setUp();
      try {
        const port = peerPort();
        const peer = await kernelPeer(port, direction, bytes);
        try {
          const sample = await timed(async () => ({ ...(await transfer(port)), bytes }));
          await checkPeer(peer, direction, bytes);
          return sample;
        } finally {
          peer.kill();
        }
      } finally {
        await release();
      }
    },
  };
}
