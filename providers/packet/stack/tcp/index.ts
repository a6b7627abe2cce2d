/**
 * The user-space TCP engine (RFC 9293), one per Stack: `new TcpEngine(stack)` and
 * `stack.registerProtocol(IPPROTO_TCP, engine)`.
 *
 * Modules: seq (modulo-2^32 arithmetic), isn (RFC 6528), syn-cookies (RFC 4987 §3.6), rtt
 * (RFC 6298), options (SYN option negotiation, MSS), events (callback delivery, held until
 * accept), congestion (the window arithmetic every algorithm shares, NewReno, IW10), cubic
 * (RFC 9438), bbr (BBR version 1) with windowed-max (its bandwidth filter), delivery-rate
 * (draft-cheng-iccrg-delivery-rate-estimation), pacer (pacing as quotas per timer tick),
 * scoreboard (per-segment, RFC 6675), rack (RFC 8985 §6), loss-probe (RFC 8985 §7),
 * spurious (D-SACK undo, RFC 3708), send-buffer, reassembly (out-of-order data and SACK blocks),
 * receiver (D-SACK generation, RFC 2883), sender (what to send next, the loss states), connection
 * (the state machine, timers, callbacks), listener (accept queue), binding (a port reserved before
 * listen or connect), engine (demultiplexing, RST for closed ports, the port table, SYN cookies,
 * challenge-ACK rate limit).
 *
 * Choices where the RFCs leave room, in one place:
 *  - Initial window: RFC 6928 (IW10). Minimum RTO 200 ms, maximum 120 s (configurable).
 *  - Congestion control: CUBIC by default (ssthresh from cwnd, fast convergence, no HyStart++),
 *    NewReno and BBR selectable (TcpConfig.congestionControl). BBR is version 1
 *    (draft-cardwell-iccrg-bbr-congestion-control-00, what Linux runs as "bbr"), not BBRv3, whose
 *    2 % loss threshold backs off under random loss. Only BBR paces: a token bucket of 2 ms of
 *    credit, refilled by a timer of at least 1 ms, so a tick releases a quota of segments.
 *  - The send buffer grows by itself to two congestion windows, three for BBR (Linux's
 *    tcp_sndbuf_expand), at most sendBufferMax, and never once the user has set its size. 'writable' does not
 *    count SACKed data towards the half-drained mark (it can pin the buffer while the sender runs
 *    dry, leaving a lost retransmission to the RTO), and follows at once when the buffer grows.
 *  - Loss detection with SACK is RACK's (no duplicate-ACK counting); without SACK, NewReno's three
 *    duplicate ACKs and partial ACKs. NextSeg() has all four rules; the rescue retransmission (rule
 *    4) waits until no retransmission is in flight. A timeout marks lost per RFC 8985 §6.3 (all
 *    outstanding without SACK); SACKs are forgotten on a second consecutive timeout (reneging guard).
 *  - RACK orders transmissions of one clock tick by send order, and takes the ambiguity test's
 *    timestamp echo from cumulative ACKs only (a SACKed segment's ACK echoes an older segment).
 *  - Tail loss probe: RFC 8985's PTO, at least lossProbeMinMs (10 ms), and only when it comes
 *    before the RTO. A probe that repaired a loss reduces the window as for fast recovery.
 *  - Undo: when every retransmission of a finished recovery (or timeout) episode was D-SACKed,
 *    cwnd and ssthresh (and CUBIC's state) go back to where they were.
 *  - D-SACK is sent for duplicates below RCV.NXT (including old ones PAWS rejects) and within the
 *    out-of-order queue.
 *  - SYN cookies only once a listener's SYN queue (synBacklog) is full; window scale and SACK only
 *    when the SYN carried timestamps to hold them.
 *  - Urgent pointer: one past the urgent byte (RFC 6093, as Linux and the BSDs); one urgent byte
 *    at a time, a newer one demoting an undelivered older one.
 *  - Backlog: a SYN meeting a full accept queue is dropped, and so is a handshake-completing ACK
 *    (Linux with tcp_abort_on_overflow = 0); the SYN-ACK retransmission completes it later.
 *  - TIME_WAIT: 2×MSL; an exact-sequence RST ends it (Linux behaviour, not RFC 1337); a new SYN
 *    with a newer timestamp (or sequence number without timestamps) reopens the 4-tuple.
 *  - close() with unread data, or data arriving after close(), resets the connection (Linux).
 *  - Orphans (closed by the user, still finishing) are at most maxOrphans (4096): a close() past
 *    them resets; TIME_WAIT holds at most maxTimeWait (16384) connections, one more goes straight
 *    to CLOSED after acknowledging the FIN (Linux's tcp_max_orphans and tcp_max_tw_buckets).
 *  - A read that reopens the window sends an update at once only while the peer may still send
 *    (not after its FIN: from TIME_WAIT it would draw a RST that ends the wait).
 *  - A window the peer shrinks onto data in flight is probed (RFC 1122 §4.2.2.16), and the data
 *    is resent without a congestion response when it reopens.
 *  - Zero-window probes carry one byte (new data, or the oldest unacknowledged byte).
 *  - A non-RST segment without the negotiated timestamp option is accepted (as Linux does).
 */
export { TcpEngine, type BindOptions, type ConnectOptions, type ListenOptions } from "./engine.js";
export { TcpBinding, type BindingConnectOptions, type BindingListenOptions } from "./binding.js";
export { TcpConnection, type KeepaliveOptions, type SendOptions } from "./connection.js";
export { TcpListener } from "./listener.js";
export { DEFAULT_TCP_CONFIG, type TcpConfig } from "./config.js";
export {
  TcpError,
  TcpState,
  type ConnectionHandlers,
  type ConnectionIndication,
  type ConnectionOptions,
  type ConnectionStats,
  type EngineStats,
  type ListenerHandlers,
  type TcpConnectionInfo,
  type TcpDisconnectReason,
} from "./types.js";
export type { AddressPort } from "../transport-host.js";
export type { CongestionControlName } from "./congestion.js";
