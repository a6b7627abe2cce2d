/**
 * A listening endpoint's connection indications. The kernel completes every handshake itself and
 * holds the connections in its accept queue (listen(fd, backlog)); this queue accept()s from it only
 * while fewer than qlen indications are outstanding (raised with connInd, neither accepted nor
 * rejected yet), so callers beyond qlen wait in the kernel's backlog, never indicated, as T_LISTEN
 * semantics require. Each indication carries a sequence number unique among the outstanding ones.
 *
 * An accepted socket whose caller resets it before t_accept becomes a disconInd with its sequence
 * (a caller that only half-closes stays: its data and T_ORDREL wait for the acceptor). Rejecting an
 * indication (t_snddis with its sequence) closes that socket with SO_LINGER {1, 0}: the caller,
 * already connected as far as its kernel knows, sees a reset.
 */
import { EAGAIN, ECONNABORTED, ECONNRESET, EINTR, EPROTO, type ProviderUser } from "../../src/spi/index.js";
import { EPOLLIN } from "../native/ffi/linux.js";
import type { PollHandle, Poller } from "../native/poller.js";
import type { KernelSocket } from "../native/socket.js";
import { disconnectReason } from "./disconnect-reason.js";

const EMPTY = new Uint8Array(0);
const LAST_SEQUENCE = 0x7fffffff;
/** How long to wait before accepting again after the kernel ran out of descriptors or memory. */
const ACCEPT_RETRY_MS = 100;

interface Indication {
  socket: KernelSocket;
  peer: Uint8Array;
  handle: PollHandle;
}

export class IndicationQueue {
  private readonly outstanding = new Map<number, Indication>();
  private readonly handle: PollHandle;
  private nextSequence = 1;
  private paused = false;
  private closed = false;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly listening: KernelSocket,
    private readonly qlen: number,
    private readonly user: ProviderUser,
    private readonly poller: Poller,
  ) {
    this.handle = poller.watch(listening.fd, () => this.fill());
  }

  /** Indications raised and not yet accepted or rejected. */
  get size(): number {
    return this.outstanding.size;
  }

  /** Accept from the kernel while below qlen (and not paused), then wait for more callers. */
  fill(): void {
    if (this.retry !== undefined) return;
    while (!this.closed && !this.paused && this.outstanding.size < this.qlen) {
      const r = this.listening.accept();
      if (typeof r !== "number") {
        this.indicate(r.socket, r.peer);
        continue;
      }
      if (-r === ECONNABORTED || -r === EPROTO || -r === EINTR) continue; // that caller is gone; try the next
      if (-r !== EAGAIN) {
        // Out of descriptors or memory: the caller stays in the backlog, which stays readable, so
        // waiting for readability would spin. Try again a little later instead.
        this.retry = setTimeout(() => {
          this.retry = undefined;
          this.fill();
        }, ACCEPT_RETRY_MS);
        this.retry.unref();
        return;
      }
      break;
    }
    if (!this.closed && !this.paused && this.outstanding.size < this.qlen) this.handle.arm(EPOLLIN);
  }

  private indicate(socket: KernelSocket, peer: Uint8Array): void {
    const sequence = this.allocateSequence();
    const handle = this.poller.watch(socket.fd, () => this.broken(sequence));
    this.outstanding.set(sequence, { socket, peer, handle });
    this.user.connInd({ sequence, addr: peer.slice(), opt: EMPTY, udata: EMPTY });
  }

  private allocateSequence(): number {
    for (;;) {
      const s = this.nextSequence;
      this.nextSequence = s === LAST_SEQUENCE ? 1 : s + 1;
      if (!this.outstanding.has(s)) return s;
    }
  }

  /** EPOLLERR/EPOLLHUP on an outstanding indication's socket: its caller reset the connection. */
  private broken(sequence: number): void {
    const ind = this.outstanding.get(sequence);
    if (ind === undefined) return;
    const reason = disconnectReason(ind.socket.takeError() || ECONNRESET);
    this.drop(sequence, ind);
    ind.socket.close();
    this.user.disconInd({ reason, sequence, udata: EMPTY });
    this.fill();
  }

  private drop(sequence: number, ind: Indication): void {
    this.outstanding.delete(sequence);
    ind.handle.close();
  }

  /** t_accept: the socket of indication `sequence` (no longer watched here), or null if unknown. */
  take(sequence: number): { socket: KernelSocket; peer: Uint8Array } | null {
    const ind = this.outstanding.get(sequence);
    if (ind === undefined) return null;
    this.drop(sequence, ind);
    return { socket: ind.socket, peer: ind.peer };
  }

  has(sequence: number): boolean {
    return this.outstanding.has(sequence);
  }

  /** t_snddis with a sequence: reset that caller. False if the sequence is not outstanding. */
  reject(sequence: number): boolean {
    const ind = this.outstanding.get(sequence);
    if (ind === undefined) return false;
    this.drop(sequence, ind);
    reset(ind.socket);
    this.fill();
    return true;
  }

  /** Stop indicating while the endpoint holds a connection accepted onto itself. */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.fill();
  }

  /** The endpoint closes or unbinds: every outstanding caller is reset. The listening socket is the caller's to close. */
  close(): void {
    this.closed = true;
    clearTimeout(this.retry);
    this.handle.close();
    for (const [sequence, ind] of [...this.outstanding]) {
      this.drop(sequence, ind);
      reset(ind.socket);
    }
  }
}

function reset(socket: KernelSocket): void {
  socket.setLinger(true, 0);
  socket.close();
}
