/**
 * One TCP connection of an endpoint, over a kernel socket: establishment (for an outgoing connect),
 * data both ways with urgent data in place, flow control, orderly release and abort.
 *
 * Receiving: every step of urgent-reader.ts is indicated at once (dataInd, or exdataInd for the
 * urgent byte), and reading stops while the bytes indicated and not yet consumed reach the receive
 * high-water mark (XTI_RCVBUF), so the kernel's window closes as a real receiver's would. End of
 * file is T_ORDREL, raised only after every byte before it was indicated.
 *
 * Sending: a piece is sent whole or not at all from the user's point of view. What the kernel does
 * not take of a piece waits here (`queued`, at most one piece) and counts as taken; while anything
 * waits, later pieces and the FIN are refused, and the user is back-enabled (writable) once it has
 * gone. The FIN (shutdown(SHUT_WR)) leaves only after everything accepted before it.
 *
 * The socket is watched by the shared poller, armed one-shot with the events wanted now; EPOLLERR
 * and EPOLLHUP are reported whenever it is armed, so a reset is noticed even while reading pauses.
 *
 * The kernel never gets SO_LINGER from XTI_LINGER: a linger-0 t_close aborts here, and a positive
 * one is waited for here (lingered()), so an accepted socket closed at the end of a release always
 * closes gracefully.
 */
import { EAGAIN, ECONNRESET, ENOTCONN, EPROTO, type ProviderUser } from "../../src/spi/index.js";
import {
  EPOLLERR,
  EPOLLHUP,
  EPOLLIN,
  EPOLLOUT,
  EPOLLPRI,
  MSG_NOSIGNAL,
  MSG_OOB,
  TCP_STATE_CLOSING,
  TCP_STATE_FIN_WAIT1,
  TCP_STATE_LAST_ACK,
} from "../native/ffi/linux.js";
import type { PollHandle, Poller } from "../native/poller.js";
import type { KernelSocket } from "../native/socket.js";
import { disconnectReason } from "./disconnect-reason.js";
import { RECEIVE_MAX, receiveStep } from "./urgent-reader.js";

const EMPTY = new Uint8Array(0);
/** How long a closed endpoint's unsent remainder may take to reach the kernel before it is dropped. */
const CLOSE_FLUSH_LIMIT_MS = 60_000;
/** Linger without a time (T_UNSPEC): wait this long for the peer to acknowledge everything. */
const LINGER_UNSPEC_SECONDS = 60;
/** The states in which our FIN is not acknowledged yet: a lingering close waits in these (as Linux's SO_LINGER does). */
const FIN_UNACKNOWLEDGED = new Set([TCP_STATE_FIN_WAIT1, TCP_STATE_CLOSING, TCP_STATE_LAST_ACK]);
/** Lingering, the state is looked at after this long, then twice as long each time, up to LINGER_LAST_LOOK_MS. */
const LINGER_FIRST_LOOK_MS = 1;
const LINGER_LAST_LOOK_MS = 200;

/** How a connection ended: both sides released, we aborted it, or it failed (reset, refused...). */
export type ConnectionEnd = "released" | "aborted" | "failed";

/**
 * "connect": the endpoint's own bound socket, reset with connect(AF_UNSPEC) when the connection is
 * over so the endpoint keeps its address; "accept": a socket accept() made, closed at the end.
 */
export type ConnectionOrigin = "connect" | "accept";

export class TcpConnection {
  private readonly handle: PollHandle;
  private phase: "connecting" | "open" | "closing" | "done";
  /** The peer's FIN was read (T_ORDREL indicated). */
  private eof = false;
  /** Our FIN was sent. */
  private finSent = false;
  /** EPOLLHUP was reported while nothing could be read: arming for it again would only repeat it. */
  private hupSeen = false;
  /** Receive steps taken, so a readiness report can tell whether anything was read since it. */
  private steps = 0;
  /** Bytes indicated and not yet consumed by the user. */
  private unread = 0;
  /** The part of an accepted piece the kernel has not taken yet. */
  private queued: Uint8Array | null = null;
  /** Requests refused by flow control: the user is told when they may retry. */
  private readonly refused = { normal: false, expedited: false };
  /** A reset seen by send(), which consumes the socket's error before a read can report it. */
  private brokenErrno = 0;
  private whenDrained: (() => void) | null = null;
  /** Ends a lingering close's pause early (a reset or the peer's FIN reported while in FIN_WAIT1). */
  private wakeLinger: (() => void) | null = null;
  /** The peer's address once connected. */
  peer: Uint8Array | null = null;

  constructor(
    readonly socket: KernelSocket,
    readonly origin: ConnectionOrigin,
    private readonly user: ProviderUser,
    private readonly poller: Poller,
    /** The receive high-water mark now (XTI_RCVBUF). */
    private readonly highWater: () => number,
    /** Called once, when the connection is over (after any indication it causes). */
    private readonly ended: (how: ConnectionEnd) => void,
    connecting: boolean,
  ) {
    this.phase = connecting ? "connecting" : "open";
    this.handle = poller.watch(socket.fd, this.onReady);
    if (!connecting) this.peer = socket.peerAddress();
  }

  /** Start: wait for the connect to complete, or read what already arrived. */
  start(): void {
    if (this.phase === "open") this.pump();
    this.rearm();
  }

  get connected(): boolean {
    return this.phase === "open";
  }

  // ---- requests ----

  data(buf: Uint8Array): boolean {
    return this.send(buf, 0);
  }

  exdata(buf: Uint8Array): boolean {
    return this.send(buf, MSG_OOB);
  }

  ordrel(): boolean {
    if (this.phase === "done") return true; // the connection is gone; its disconnect is on its way up
    if (this.phase !== "open" || this.finSent) {
      this.user.error(EPROTO);
      return true;
    }
    if (this.queued !== null) {
      this.refused.normal = true;
      this.rearm();
      return false;
    }
    const r = this.socket.shutdownWrite();
    this.finSent = true;
    if (r === -ENOTCONN) {
      // The kernel's connection is already gone: a reset processed, its event not delivered yet.
      // That is what the user must learn, not a completed release.
      this.fail(this.socket.takeError() || this.brokenErrno || ECONNRESET);
      return true;
    }
    if (r < 0) this.sendFailed(-r);
    if (this.eof) this.finish("released");
    return true;
  }

  consumed(bytes: number): void {
    const paused = !this.reading();
    this.unread = Math.max(0, this.unread - bytes);
    if (paused && this.reading()) {
      this.pump();
      this.rearm();
    }
  }

  /** t_snddis: abort with a RST (no indication to our user). */
  abort(): void {
    if (this.phase === "done") return;
    this.phase = "done";
    this.queued = null;
    this.stopWatching();
    if (this.origin === "connect") {
      this.socket.disconnect(); // tcp_disconnect: RST, the socket stays bound and reusable
    } else {
      this.socket.setLinger(true, 0);
      this.socket.close();
    }
    this.ended("aborted");
  }

  /**
   * t_close. `linger` is XTI_LINGER: null (off) closes at once and lets the kernel deliver what was
   * sent; 0 aborts (RST); otherwise the close waits up to that many seconds (T_INFINITE: without a
   * limit) for the peer to acknowledge everything. Data still queued here is always handed to the
   * kernel first, in the background when the close does not wait, keeping the process alive. The
   * socket is closed in every case, whatever its origin.
   */
  close(linger: number | null): Promise<void> {
    if (linger === 0 || this.phase !== "open") {
      this.abort();
      this.socket.close();
      return Promise.resolve();
    }
    this.phase = "closing";
    const closed = this.closeAfterFlush(linger);
    return linger === null ? Promise.resolve() : closed;
  }

  private async closeAfterFlush(linger: number | null): Promise<void> {
    this.poller.hold();
    try {
      if (this.queued !== null) await this.drained(CLOSE_FLUSH_LIMIT_MS);
      if (linger !== null && this.brokenErrno === 0) await this.lingered(linger === -1 ? Infinity : (linger < 0 ? LINGER_UNSPEC_SECONDS : linger) * 1000);
    } finally {
      this.poller.release();
      this.phase = "done";
      this.stopWatching();
      this.socket.close();
      this.ended("released");
    }
  }

  /** Resolve once `queued` has gone to the kernel, the connection broke, or `limitMs` passed. */
  private drained(limitMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, limitMs);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.whenDrained = done;
      this.rearm();
    });
  }

  /**
   * A positive XTI_LINGER, done as Linux's close() with SO_LINGER does it, without blocking: send
   * the FIN (after everything sent), then wait while it is unacknowledged (FIN_WAIT1, CLOSING,
   * LAST_ACK), so until the peer has acknowledged all the data and the FIN, the connection has
   * failed (a reset: state CLOSE, or a socket error), or `limitMs` has passed.
   *
   * The kernel raises no event for the acknowledgement, and in CLOSING and LAST_ACK EPOLLHUP is
   * always set, so no event for a reset either: the state is looked at after 1 ms, then twice as
   * long each time up to 200 ms. In FIN_WAIT1 the poller also ends a pause at once on a reset or on
   * the peer's FIN (EPOLLERR, EPOLLHUP).
   */
  private async lingered(limitMs: number): Promise<void> {
    if (!this.finSent) {
      this.finSent = true;
      if (this.socket.shutdownWrite() < 0) return; // no connection left to wait for
    }
    const deadline = Date.now() + limitMs;
    for (let pause = LINGER_FIRST_LOOK_MS; ; pause = Math.min(2 * pause, LINGER_LAST_LOOK_MS)) {
      const state = this.socket.tcpState();
      if (!FIN_UNACKNOWLEDGED.has(state) || this.socket.takeError() !== 0) return;
      const left = deadline - Date.now();
      if (left <= 0) return;
      await this.lingerPause(Math.min(pause, left), state === TCP_STATE_FIN_WAIT1);
    }
  }

  private lingerPause(ms: number, watch: boolean): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wakeLinger = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeLinger = done;
      if (watch) this.handle.arm(0); // EPOLLERR and EPOLLHUP only
    });
  }

  // ---- the socket ----

  private readonly onReady = (events: number): void => {
    switch (this.phase) {
      case "connecting":
        this.finishConnect();
        return;
      case "closing":
        if (this.wakeLinger !== null) {
          this.wakeLinger();
          return;
        }
        if ((events & EPOLLOUT) !== 0 || (events & (EPOLLERR | EPOLLHUP)) !== 0) this.flush();
        if (this.queued === null || this.brokenErrno !== 0) this.whenDrained?.();
        else this.rearm();
        return;
      case "open": {
        const steps = this.steps;
        if ((events & EPOLLOUT) !== 0) this.flush();
        // Readable without urgent data, and nothing read since the report: a plain read is exact.
        if (this.reading()) this.pump((events & (EPOLLIN | EPOLLPRI)) === EPOLLIN && this.steps === steps);
        else if ((events & (EPOLLERR | EPOLLHUP)) !== 0) this.checkBroken(events);
        this.rearm();
        return;
      }
      case "done":
        return;
    }
  };

  private finishConnect(): void {
    const err = this.socket.takeError();
    if (err !== 0) {
      this.fail(err);
      return;
    }
    const peer = this.socket.peerAddress();
    if (peer === null) {
      this.rearm(); // not connected yet
      return;
    }
    this.phase = "open";
    this.peer = peer;
    this.user.connCon({ addr: peer.slice(), opt: EMPTY, udata: EMPTY });
    this.pump();
    this.rearm();
  }

  private reading(): boolean {
    return this.phase === "open" && !this.eof && this.unread < this.highWater();
  }

  /**
   * Read and indicate until the kernel has nothing more, the high-water mark, or the end. A read
   * shorter than asked for ends it too: the kernel had no more then (or an urgent mark stopped the
   * read), and the re-arming that follows every pump reports whatever is left, which saves a read
   * that would only find the socket empty.
   */
  private pump(plain = false): void {
    while (this.reading()) {
      // Never more than the high-water mark leaves room for: the rest stays in the kernel's window.
      const room = Math.min(this.highWater() - this.unread, RECEIVE_MAX);
      this.steps++;
      const step = receiveStep(this.socket, room, plain);
      plain = false;
      switch (step.kind) {
        case "data":
          this.unread += step.bytes.length;
          this.user.dataInd(step.bytes, false);
          if (step.bytes.length < room) return;
          break;
        case "urgent":
          this.unread += 1;
          this.user.exdataInd(step.byte, false);
          break;
        case "again":
          return;
        case "eof":
          this.peerReleased();
          return;
        case "error":
          this.fail(step.errno);
          return;
      }
    }
  }

  private peerReleased(): void {
    // A reset whose error a send() already took reads as end of file: it is still a reset.
    const err = this.socket.takeError() || this.brokenErrno;
    if (err !== 0) {
      this.fail(err);
      return;
    }
    this.eof = true;
    this.user.ordrelInd(null);
    if (this.finSent) this.finish("released");
  }

  /** EPOLLERR/EPOLLHUP while not reading (paused, or after the peer's FIN). */
  private checkBroken(events: number): void {
    const err = this.socket.takeError() || this.brokenErrno;
    if (err !== 0) this.fail(err);
    else if ((events & EPOLLHUP) !== 0) this.hupSeen = true;
  }

  private send(buf: Uint8Array, flags: number): boolean {
    if (this.phase === "done") return true; // the connection is gone; its disconnect is on its way up
    if (this.phase !== "open" || this.finSent) {
      this.user.error(EPROTO);
      return true;
    }
    const band = flags === MSG_OOB ? "expedited" : "normal";
    if (this.queued !== null) {
      this.refused[band] = true;
      this.rearm();
      return false;
    }
    const n = this.socket.send(buf, buf.length, flags | MSG_NOSIGNAL);
    if (n === buf.length) return true;
    if (n >= 0) {
      this.queued = buf.slice(n);
      this.rearm();
      return true;
    }
    if (-n === EAGAIN) {
      this.refused[band] = true;
      this.rearm();
      return false;
    }
    this.sendFailed(-n);
    return true; // lost with the connection, whose disconnect follows
  }

  private sendFailed(errno: number): void {
    if (this.brokenErrno === 0) this.brokenErrno = disconnectReason(errno);
    this.queued = null;
  }

  /** Hand `queued` to the kernel; back-enable the user once nothing waits. */
  private flush(): void {
    if (this.queued !== null) {
      const n = this.socket.send(this.queued, this.queued.length, MSG_NOSIGNAL);
      if (n >= 0) this.queued = n === this.queued.length ? null : this.queued.subarray(n);
      else if (-n !== EAGAIN) this.sendFailed(-n);
    }
    if (this.queued !== null || this.phase !== "open") return;
    if (this.refused.normal) {
      this.refused.normal = false;
      this.user.writable(false);
    }
    if (this.refused.expedited) {
      this.refused.expedited = false;
      this.user.writable(true);
    }
  }

  private rearm(): void {
    let events = 0;
    if (this.phase === "connecting") events = EPOLLOUT;
    else if (this.phase === "closing") events = EPOLLOUT;
    else if (this.phase === "open") {
      if (this.reading()) events |= EPOLLIN | EPOLLPRI; // EPOLLPRI: see onReady's plain read
      if (this.queued !== null || this.refused.normal || this.refused.expedited) events |= EPOLLOUT;
    } else return;
    if (events === 0 && this.hupSeen) return;
    this.handle.arm(events);
  }

  private stopWatching(): void {
    this.handle.close();
  }

  private finish(how: "released"): void {
    this.phase = "done";
    this.stopWatching();
    if (this.origin === "accept") {
      // The kernel completes the release and delivers what is left; a SO_LINGER {1, 0} would
      // make this close a reset that throws it away.
      this.socket.setLinger(false, 0);
      this.socket.close();
    }
    this.ended(how);
  }

  private fail(errno: number): void {
    this.phase = "done";
    this.queued = null;
    this.stopWatching();
    if (this.origin === "accept") this.socket.close();
    else this.socket.disconnect(); // already closed by the error: no RST, the socket becomes reusable
    this.user.disconInd({ reason: disconnectReason(errno), sequence: -1, udata: EMPTY });
    this.ended("failed");
  }
}
