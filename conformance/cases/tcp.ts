/**
 * XTI over TCP (the XNS5 Internet appendix), for providers declared `protocol: "tcp"`: urgent data
 * as expedited data in its place, orderly release as TCP's half-close, a byte stream that ignores
 * T_MORE, resets as errno reasons, Internet addresses from t_getprotaddr, and the TCP and IP
 * options.
 */
import {
  F_SETFL,
  O_NONBLOCK,
  T_CURRENT,
  T_DISCONNECT,
  T_EXDATA,
  T_EXPEDITED,
  T_IDLE,
  T_INET_TCP,
  T_INFINITE,
  T_INREL,
  T_LISTEN,
  T_MORE,
  T_NEGOTIATE,
  T_NO,
  T_ORDREL,
  T_OUTREL,
  T_PARTSUCCESS,
  T_SUCCESS,
  T_TCP_KEEPALIVE,
  T_TCP_MAXSEG,
  T_TCP_NODELAY,
  T_UNSPEC,
  T_YES,
  TLOOK,
  TNODATA,
  XTI_GENERIC,
  XTI_LINGER,
  XTI_RCVBUF,
  XTI_SNDBUF,
  errnoName,
  fcntl,
  netbuf,
  scalarValue,
  scalarsValue,
  t_call_of,
  t_close,
  t_connect,
  t_discon_of,
  t_errno,
  t_listen,
  t_look,
  t_rcv,
  t_rcvdis,
  t_rcvrel,
  t_snd,
  t_snddis,
  t_sndrel,
} from "../../src/index.js";
import { describeResult, EVENT_NAMES, pattern, sameBytes, text } from "../context.js";
import type { CaseContext } from "../context.js";
import type { ConformanceCase } from "../types.js";
import { byteStream, expedited, feature, first, internet, orderlyRelease } from "./applies.js";
import { inetAddress, isWildcard, optionAlone, sameEndpoint, showAddr, statusName, type InetAddr, type InetOption } from "./inet.js";
import { IP_OPTIONS, type Negotiation, negotiateEach, reuseAddressInEffect, scalarAt, showValue } from "./inet-options.js";

const APPENDIX = "XNS5 Internet appendix (XTI over TCP)";
const OPTIONS_SOURCE = `${APPENDIX}: the T_INET_TCP and T_INET_IP options; XNS5 t_optmgmt(3); OpenSS7 xti_tcp(3)`;

const eventName = (ev: number): string => (ev < 0 ? describeResult(ev) : (EVENT_NAMES[ev] ?? String(ev)));

/** A stretch of the stream as t_rcv returned it: normal bytes, or one expedited unit. */
interface Segment {
  urgent: boolean;
  chunks: Uint8Array[];
  /** An expedited unit whose last read had T_MORE: its next piece continues it. */
  open: boolean;
}

const bytesOf = (s: Segment): Uint8Array => Buffer.concat(s.chunks);

/** "123 | urgent 4 | 56": a transcript as a report shows it (a long stretch by its length). */
function showSegments(segments: readonly Segment[]): string {
  if (segments.length === 0) return "(nothing)";
  const show = (b: Uint8Array): string => (b.length > 16 ? `<${b.length} bytes>` : Buffer.from(b).toString("latin1"));
  return segments.map((s) => `${s.urgent ? "urgent " : ""}${show(bytesOf(s))}`).join(" | ");
}

/**
 * Read `fd` with t_rcv calls of the sizes in `sizes` (in turn, but never more than `cap()`),
 * adding what each returns to `segments`, until `done()` holds or t_rcv fails TLOOK; returns the
 * event then pending (0 when done() ended it). Every read is held to the rules of a byte stream:
 * at least one byte, and no T_MORE on normal data. `afterRead` runs after each read.
 */
async function readSegments(
  ctx: CaseContext,
  fd: number,
  sizes: readonly number[],
  segments: Segment[],
  done: () => boolean,
  afterRead?: () => void,
  cap: () => number = () => Infinity,
): Promise<number> {
  const buf = new Uint8Array(Math.max(...sizes));
  const flags = { value: 0 };
  for (let k = 0; !done(); k++) {
    const size = Math.max(1, Math.min(sizes[k % sizes.length] as number, cap()));
    const r = await ctx.within(t_rcv(fd, buf, size, flags), `t_rcv after ${showSegments(segments)}`);
    if (r === -1 && t_errno === TLOOK) return t_look(fd);
    ctx.ok(r, `t_rcv of ${size} bytes`);
    const urgent = (flags.value & T_EXPEDITED) !== 0;
    const more = (flags.value & T_MORE) !== 0;
    if (r === 0) ctx.fail(`a t_rcv of ${size} bytes from the byte stream after ${showSegments(segments)}`, "at least one byte (with tsdu 0 there is no TSDU for a 0-byte read to end)", `0 bytes, flags 0x${flags.value.toString(16)}`);
    if (!urgent && more) ctx.fail(`a t_rcv of normal data from the byte stream after ${showSegments(segments)}`, "T_MORE clear (tsdu 0: no TSDUs, so no T_MORE)", `${r} bytes with T_MORE`);
    const piece = buf.slice(0, r);
    const last = segments.at(-1);
    if (last !== undefined && last.urgent === urgent && (!urgent || last.open)) {
      last.chunks.push(piece);
      last.open = urgent && more;
    } else {
      segments.push({ urgent, chunks: [piece], open: urgent && more });
    }
    afterRead?.();
  }
  return 0;
}

/** The first offset where `got` differs from `want`, for a report. */
function firstDifference(got: Uint8Array, want: Uint8Array): string {
  const n = Math.min(got.length, want.length);
  for (let i = 0; i < n; i++) if (got[i] !== want[i]) return `${got.length} bytes, differing from byte ${i} on`;
  return got.length === want.length ? "the same bytes" : `${got.length} bytes`;
}

/** Read a stream of normal data until t_rcv fails TLOOK: the bytes, and the event then pending. */
async function readToEvent(ctx: CaseContext, fd: number, sizes: readonly number[]): Promise<{ data: Uint8Array; look: number }> {
  const segments: Segment[] = [];
  const look = await readSegments(ctx, fd, sizes, segments, () => false);
  const urgent = segments.find((s) => s.urgent);
  if (urgent !== undefined) ctx.fail("the data read", "normal data only (nothing was sent with T_EXPEDITED)", `expedited data: ${showSegments([urgent])}`);
  return { data: Buffer.concat(segments.flatMap((s) => s.chunks)), look };
}

/**
 * The send and receive buffers of the flow-control cases: well below the data they send, so the
 * sender is held back many times, and not so small that delayed acknowledgements stall the transfer.
 */
const SMALL_BUFFER = 16384;

/** XTI_SNDBUF on the sender and XTI_RCVBUF on the receiver at SMALL_BUFFER (or what the provider makes of it). */
async function smallBuffers(ctx: CaseContext, sender: number, receiver: number): Promise<void> {
  for (const [fd, o] of [
    [sender, { label: "XTI_SNDBUF", level: XTI_GENERIC, name: XTI_SNDBUF }],
    [receiver, { label: "XTI_RCVBUF", level: XTI_GENERIC, name: XTI_RCVBUF }],
  ] as const) {
    const n = await optionAlone(ctx, fd, T_NEGOTIATE, o, scalarValue(SMALL_BUFFER));
    ctx.truthy(n.status === T_SUCCESS || n.status === T_PARTSUCCESS, `T_NEGOTIATE of ${o.label} ${SMALL_BUFFER}`, "T_SUCCESS or T_PARTSUCCESS", statusName(n.status));
  }
}

const NODELAY: Negotiation = { label: "TCP_NODELAY", level: T_INET_TCP, name: T_TCP_NODELAY, value: scalarValue(T_YES), show: showValue.flag };
const KEEPALIVE: Negotiation = { label: "TCP_KEEPALIVE", level: T_INET_TCP, name: T_TCP_KEEPALIVE, value: scalarsValue(T_YES, 30), show: showValue.pair };
const LINGER: Negotiation = { label: "XTI_LINGER", level: XTI_GENERIC, name: XTI_LINGER, value: scalarsValue(T_YES, 5), show: showValue.pair };
const MAXSEG: InetOption = { label: "TCP_MAXSEG", level: T_INET_TCP, name: T_TCP_MAXSEG };

/** The keep-alive time RFC 1122 §4.2.3.6 sets as the least default: two hours. */
const KEEPALIVE_LEAST_DEFAULT_MINUTES = 120;

export const tcpCases: ConformanceCase[] = [
  {
    id: "E4.urgent-in-stream",
    group: "tcp",
    rule: "TCP urgent data is expedited data in its place in the stream: t_look says T_EXDATA while it is queued, even behind normal data, and t_rcv returns 123, then urgent 4 with T_EXPEDITED, then 56, urgent 7, 89; an expedited send is urgent as a whole (one byte with etsdu 1, every byte of it with a larger etsdu)",
    source: `${APPENDIX} (expedited data is TCP urgent data; TCP marks the last byte of an urgent send); OpenSS7 xti_tcp(3) (T_EXDATA while urgent data is queued); illumos libnsl t_look.c (_t_expinline_queued); conformance-rules E3, E4`,
    notApplicable: (i, _f, d) => first(internet(d, "tcp"), byteStream(i), expedited(i)),
    async run(ctx) {
      const { client, server } = await ctx.pair();
      // Only the last byte of an urgent send is urgent: a larger expedited unit must still arrive whole.
      const size = ctx.info.etsdu === T_INFINITE || ctx.info.etsdu === 0 ? 3 : Math.min(ctx.info.etsdu, 3);
      const urgent1 = text("4".padStart(size, "*"));
      const urgent2 = text("7".padStart(size, "*"));
      const segments: Segment[] = [];
      const urgentRead = (k: number) => (): boolean => segments.filter((s) => s.urgent && !s.open).length >= k;
      // Until the k-th urgent unit is read, t_look keeps saying T_EXDATA.
      const stillExdata = (k: number) => (): void => {
        if (urgentRead(k)()) return;
        const ev = t_look(server);
        if (ev !== T_EXDATA) ctx.fail(`t_look after reading ${showSegments(segments)}, with urgent data still queued`, "T_EXDATA", eventName(ev));
      };
      const send = async (s: Uint8Array, flags: number): Promise<void> => {
        ctx.ok(await ctx.within(t_snd(client, s, s.length, flags), "t_snd"), `t_snd of ${Buffer.from(s).toString("latin1")}${flags === T_EXPEDITED ? " with T_EXPEDITED" : ""}`);
      };
      await send(text("123"), 0);
      await send(urgent1, T_EXPEDITED);
      await send(text("56"), 0);
      await ctx.event(server, T_EXDATA, "t_look with urgent data queued behind 123");
      const early = await readSegments(ctx, server, [2], segments, urgentRead(1), stillExdata(1));
      if (early !== 0) ctx.fail("t_rcv before the urgent data was read", "the urgent data", `TLOOK with ${eventName(early)} after ${showSegments(segments)}`);
      const after = t_look(server);
      ctx.truthy(after !== T_EXDATA, "t_look once the only urgent data sent was read", "T_DATA or no event", eventName(after));
      await send(urgent2, T_EXPEDITED);
      await send(text("89"), 0);
      ctx.ok(await ctx.within(t_sndrel(client), "t_sndrel"), "t_sndrel ending the stream");
      await ctx.event(server, T_EXDATA, "t_look with the second urgent data queued");
      const end = await readSegments(ctx, server, [2], segments, () => false, stillExdata(2));
      const expected: Segment[] = [
        { urgent: false, chunks: [text("123")], open: false },
        { urgent: true, chunks: [urgent1], open: false },
        { urgent: false, chunks: [text("56")], open: false },
        { urgent: true, chunks: [urgent2], open: false },
        { urgent: false, chunks: [text("89")], open: false },
      ];
      ctx.equal(showSegments(segments), showSegments(expected), "the stream as t_rcv returned it");
      ctx.equal(eventName(end), "T_ORDREL", "the event once the stream was read");
    },
  },
  {
    id: "T4.tcp-byte-stream",
    group: "tcp",
    rule: "TCP is a byte stream: pieces sent with and without T_MORE, small and larger than the TIDU, arrive as one sequence of bytes, nothing lost, doubled or reordered; reads of any size return what is there with T_MORE clear and never 0 bytes, and nothing is left once every byte was read",
    source: `${APPENDIX} (no TSDUs: T_MORE is ignored); illumos libnsl t_snd.c (tsdu 0: T_MORE ignored); XNS5 t_rcv(3) (0 bytes only at the end of a TSDU); conformance-rules T4`,
    notApplicable: (i, _f, d) => first(internet(d, "tcp"), byteStream(i)),
    async run(ctx) {
      const { client, server } = await ctx.pair();
      // Small buffers both sides, so that flow control holds the sender back many times.
      await smallBuffers(ctx, client, server);
      const pieces: Array<[size: number, flags: number]> = [
        [100_000, T_MORE],
        [1, 0],
        [3, T_MORE],
        [70_000, 0],
        [5, T_MORE],
        [1, T_MORE],
        [20_000, 0],
      ];
      const data = pieces.map(([n], k) => pattern(n, 60 + k));
      const expected = Buffer.concat(data);
      const sending = ctx.alongside(
        (async () => {
          for (const [k, [n, flags]] of pieces.entries()) {
            const r = ctx.ok(await t_snd(client, data[k] as Uint8Array, n, flags), `t_snd of ${n} bytes${flags === T_MORE ? " with T_MORE" : ""}`);
            ctx.equal(r, n, `the count t_snd of ${n} bytes returned (a blocking send)`);
          }
        })(),
      );
      const segments: Segment[] = [];
      let total = 0;
      // Reads of every size, the last one exactly what is left: a read that drains everything sent
      // must leave nothing behind (no empty piece marking a boundary the stream does not have).
      await readSegments(
        ctx,
        server,
        [1, 7, 4096, 65536, 3, 1000],
        segments,
        () => total >= expected.length,
        () => {
          total = segments.reduce((sum, s) => sum + s.chunks.reduce((t, c) => t + c.length, 0), 0);
        },
        () => expected.length - total,
      );
      await ctx.within(sending, "the sends");
      ctx.truthy(segments.every((s) => !s.urgent), "the data read", "normal data only", showSegments(segments.filter((s) => s.urgent)));
      const got = Buffer.concat(segments.flatMap((s) => s.chunks));
      ctx.truthy(sameBytes(got, expected), "the stream received", `the ${expected.length} bytes sent, in order`, firstDifference(got, expected));
      ctx.quiet(server, "t_look once every byte sent was read");
      fcntl(server, F_SETFL, O_NONBLOCK);
      const r = await t_rcv(server, new Uint8Array(16), 16, { value: 0 });
      ctx.truthy(r === -1 && t_errno === TNODATA, "a non-blocking t_rcv once every byte was read", "-1 with TNODATA", describeResult(r));
    },
  },
  {
    id: "O1.half-close",
    group: "tcp",
    rule: "Orderly release is TCP's half-close: every byte sent before t_sndrel arrives before T_ORDREL, and the side that released still receives everything the other side sends, then T_ORDREL once that side releases too",
    source: `${APPENDIX} (t_sndrel and t_rcvrel are TCP's orderly release); RFC 9293 §3.6 (a closing side goes on receiving); conformance-rules O1, O2 (data after the release was initiated), L4 (data queued ahead of T_ORDREL is delivered first)`,
    notApplicable: (i, _f, d) => first(internet(d, "tcp"), orderlyRelease(i), byteStream(i)),
    async run(ctx) {
      const { client, server } = await ctx.pair();
      // A little data right before the release, so the release is on its way while the data still is.
      const before = pattern(8192, 41);
      ctx.ok(await ctx.within(t_snd(client, before, before.length, 0), "t_snd"), "t_snd of 8192 bytes");
      ctx.ok(await ctx.within(t_sndrel(client), "t_sndrel"), "t_sndrel right after the data");
      ctx.state(client, T_OUTREL, "the side that released");
      const first = await readToEvent(ctx, server, [1000]);
      ctx.truthy(sameBytes(first.data, before), "the data read before T_ORDREL", "the 8192 bytes sent before the release", firstDifference(first.data, before));
      ctx.equal(eventName(first.look), "T_ORDREL", "the event after the data");
      ctx.ok(await t_rcvrel(server), "t_rcvrel");
      ctx.state(server, T_INREL, "after t_rcvrel");
      // The other direction stays open, flow control included.
      await smallBuffers(ctx, server, client);
      const after = pattern(262_144, 43);
      const sending = ctx.alongside(
        (async () => {
          ctx.ok(await t_snd(server, after, after.length, 0), "t_snd of 262144 bytes to the side that released");
          ctx.ok(await t_sndrel(server), "t_sndrel completing the release");
        })(),
      );
      const back = await readToEvent(ctx, client, [4096, 100]);
      await ctx.within(sending, "the sends");
      ctx.truthy(sameBytes(back.data, after), "the data the side in T_OUTREL received", "the 262144 bytes sent", firstDifference(back.data, after));
      ctx.equal(eventName(back.look), "T_ORDREL", "the event after the data");
      ctx.ok(await t_rcvrel(client), "t_rcvrel");
      ctx.state(client, T_IDLE, "the side that released first, once both did");
      ctx.state(server, T_IDLE, "the other side, once both released");
    },
  },
  {
    id: "D.tcp-reset-reasons",
    group: "tcp",
    rule: "A TCP reset reaches the other side as T_DISCONNECT with an errno reason: a caller the listener rejects gets ECONNREFUSED, or ECONNRESET when TCP had connected it before the indication; a side in T_OUTREL whose peer aborts gets ECONNRESET, not T_ORDREL",
    source: `${APPENDIX} (t_snddis is TCP's abort); RFC 9293 §3.10.7 (a reset refuses a connection being opened and resets an open one); OpenSS7 xti_tcp(3) (reasons are errno values); conformance-rules D2`,
    notApplicable: (i, f, d) => first(internet(d, "tcp"), orderlyRelease(i), feature(f, "errnoReasons", "disconnect reasons are not declared to be errno values")),
    async run(ctx) {
      const l = await ctx.listener(1);
      const caller = await ctx.callNonblocking(l.addr);
      await ctx.event(l.fd, T_LISTEN, "the call arrives");
      const call = t_call_of({ addr: 1024, opt: 1024, udata: 1024 });
      ctx.ok(await t_listen(l.fd, call), "t_listen");
      ctx.ok(await t_snddis(l.fd, call), "t_snddis rejecting the caller");
      await ctx.event(caller, T_DISCONNECT, "the rejected caller");
      const rejected = t_discon_of(64);
      ctx.ok(await t_rcvdis(caller, rejected), "t_rcvdis by the rejected caller");
      // A provider that confirms only on t_accept never connected the caller: a refusal. Otherwise TCP connected it first.
      const allowed = ctx.target.features?.confirmedOnAccept === true ? ["ECONNREFUSED"] : ["ECONNREFUSED", "ECONNRESET"];
      ctx.truthy(allowed.includes(errnoName(rejected.reason)), "discon.reason of the rejected caller", allowed.join(" or "), `${rejected.reason} (${errnoName(rejected.reason)})`);

      const { client, server } = await ctx.pair();
      ctx.ok(await t_sndrel(client), "t_sndrel");
      await ctx.event(server, T_ORDREL, "the release arrives");
      ctx.ok(await t_rcvrel(server), "t_rcvrel");
      ctx.ok(await t_snddis(server, null), "t_snddis instead of completing the release");
      await ctx.event(client, T_DISCONNECT, "the side in T_OUTREL whose peer aborted");
      const reset = t_discon_of(64);
      ctx.ok(await t_rcvdis(client, reset), "t_rcvdis");
      ctx.equal(errnoName(reset.reason), "ECONNRESET", "discon.reason of the abort");
      ctx.state(client, T_IDLE, "after t_rcvdis");
    },
  },
  {
    id: "A5.tcp-addresses",
    group: "tcp",
    rule: "t_getprotaddr gives Internet addresses: a bound endpoint's sockaddr with its port and no peer; once connected, each end's local address is a real address with the port it is bound to (the acceptor's the listener's), and its peer address is the other end's local address, as that end sees it",
    source: `XNS5 t_getprotaddr(3); ${APPENDIX} (addresses are struct sockaddr_in); RFC 9293 §3.3.2 (a connection is named by both ends' address and port)`,
    notApplicable: (_i, _f, d) => internet(d, "tcp"),
    async run(ctx) {
      const l = await ctx.listener(1);
      const listening = inetAddress(ctx, l.addr, "the address t_bind returned for the listener");
      ctx.truthy(listening.port !== 0, "the listener's port", "a port the provider chose (not 0)", String(listening.port));
      const lAddrs = ctx.addresses(l.fd);
      const lLocal = inetAddress(ctx, lAddrs.local, "the listener's t_getprotaddr boundaddr");
      ctx.truthy(sameEndpoint(lLocal, listening), "the listener's t_getprotaddr boundaddr", showAddr(listening), showAddr(lLocal));
      ctx.equal(lAddrs.remote.length, 0, "the listener's t_getprotaddr peeraddr length (no peer)");

      const client = await ctx.caller({ device: ctx.target.peerDevice ?? ctx.target.device });
      const bound = inetAddress(ctx, ctx.addresses(client).local, "the caller's t_getprotaddr boundaddr once bound");
      ctx.truthy(bound.port !== 0, "the caller's bound port", "a port the provider chose (not 0)", String(bound.port));
      const server = ctx.open();
      const accepting = ctx.acceptNext(l.fd, server);
      ctx.ok(await ctx.within(t_connect(client, { ...t_call_of(), addr: netbuf(l.addr) }, null), "t_connect"), "t_connect");
      await accepting;

      const c = ctx.addresses(client);
      const s = ctx.addresses(server);
      const cLocal = inetAddress(ctx, c.local, "the caller's boundaddr once connected");
      const cPeer = inetAddress(ctx, c.remote, "the caller's peeraddr once connected");
      const sLocal = inetAddress(ctx, s.local, "the acceptor's boundaddr");
      const sPeer = inetAddress(ctx, s.remote, "the acceptor's peeraddr");
      ctx.truthy(!isWildcard(cLocal) && cLocal.port === bound.port, "the caller's boundaddr once connected", `a real address with the bound port ${bound.port}`, showAddr(cLocal));
      const dialed: InetAddr = isWildcard(listening) ? { ...cPeer, port: listening.port } : listening;
      ctx.truthy(sameEndpoint(cPeer, dialed), "the caller's peeraddr", `${showAddr(dialed)}, the address it called`, showAddr(cPeer));
      ctx.truthy(!isWildcard(sLocal) && sLocal.port === listening.port, "the acceptor's boundaddr", `a real address with the listener's port ${listening.port}`, showAddr(sLocal));
      ctx.truthy(sameEndpoint(sLocal, cPeer), "the acceptor's boundaddr against the caller's peeraddr", showAddr(cPeer), showAddr(sLocal));
      ctx.truthy(sameEndpoint(sPeer, cLocal), "the acceptor's peeraddr against the caller's boundaddr", showAddr(cLocal), showAddr(sPeer));
      const lAfter = inetAddress(ctx, ctx.addresses(l.fd).local, "the listener's boundaddr after the accept");
      ctx.truthy(sameEndpoint(lAfter, listening), "the listener's boundaddr after the accept", showAddr(listening), showAddr(lAfter));
    },
  },
  {
    id: "X5.tcp-options",
    group: "tcp",
    rule: "A TCP endpoint has the Internet options: TCP_NODELAY, TCP_KEEPALIVE (a t_kpalive), T_IP_REUSEADDR, T_IP_TTL, T_IP_TOS and XTI_LINGER each negotiate to the value asked for and T_CURRENT reads it back; T_DEFAULT is unchanged by it, with Nagle's algorithm on and keep-alives off (at least two hours) by default",
    source: `${OPTIONS_SOURCE}; RFC 1122 §4.2.3.4 (Nagle on unless disabled), §4.2.3.6 (keep-alives off by default, interval no less than two hours)`,
    notApplicable: (_i, _f, d) => internet(d, "tcp"),
    async run(ctx) {
      const fd = await ctx.caller(); // T_IDLE: the TCP options are read-only while unbound
      const defaults = await negotiateEach(ctx, fd, [NODELAY, KEEPALIVE, ...IP_OPTIONS, LINGER]);
      const nodelay = defaults.get(NODELAY) as Uint8Array;
      ctx.equal(showValue.flag(nodelay), "T_NO", "T_DEFAULT of TCP_NODELAY (Nagle's algorithm on)");
      const keepalive = defaults.get(KEEPALIVE) as Uint8Array;
      const minutes = scalarAt(keepalive, 1);
      const leastDefault = minutes === T_UNSPEC || (minutes !== null && minutes >= KEEPALIVE_LEAST_DEFAULT_MINUTES);
      ctx.truthy(scalarAt(keepalive, 0) === T_NO && leastDefault, "T_DEFAULT of TCP_KEEPALIVE", `{T_NO, T_UNSPEC or at least ${KEEPALIVE_LEAST_DEFAULT_MINUTES}}`, showValue.pair(keepalive));
    },
  },
  {
    id: "X6.tcp-maxseg-read-only",
    group: "tcp",
    rule: "TCP_MAXSEG is read-only: T_CURRENT returns the segment size with T_READONLY, T_NEGOTIATE of it returns T_READONLY (also in ret.flags) and changes nothing, and a connection has a positive one",
    source: `${OPTIONS_SOURCE} (TCP_MAXSEG is read-only); XNS5 t_optmgmt(3) (T_READONLY)`,
    notApplicable: (_i, _f, d) => internet(d, "tcp"),
    async run(ctx) {
      const { server } = await ctx.pair(); // the acceptor: an endpoint of the target's own device
      const current = await optionAlone(ctx, server, T_CURRENT, MAXSEG);
      ctx.equal(statusName(current.status), "T_READONLY", "the status of TCP_MAXSEG with T_CURRENT");
      const mss = scalarAt(current.value, 0);
      ctx.truthy(mss !== null && mss > 0 && mss < 65536, "TCP_MAXSEG of a connection", "a segment size between 1 and 65535 octets", String(mss));
      const n = await optionAlone(ctx, server, T_NEGOTIATE, MAXSEG, scalarValue(Math.max(1, Math.floor((mss ?? 1000) / 2))));
      ctx.equal(statusName(n.status), "T_READONLY", "the status of a T_NEGOTIATE of TCP_MAXSEG");
      ctx.equal(statusName(n.flags), "T_READONLY", "ret.flags of a T_NEGOTIATE of TCP_MAXSEG alone");
      const again = await optionAlone(ctx, server, T_CURRENT, MAXSEG);
      ctx.equal(scalarAt(again.value, 0), mss, "TCP_MAXSEG after the refused negotiation");
    },
  },
  {
    id: "X7.tcp-options-on-accept",
    group: "tcp",
    rule: "Options negotiated on an endpoint hold for the connection accepted onto it: TCP_NODELAY, TCP_KEEPALIVE and XTI_LINGER read back after t_accept, and with XTI_LINGER {T_YES, 0} t_close aborts the connection (the peer gets T_DISCONNECT, not T_ORDREL)",
    source: `${OPTIONS_SOURCE} (options are negotiated per endpoint; t_close is TCP's close, an abort with a zero linger); XNS5 t_accept(3)`,
    notApplicable: (i, _f, d) => first(internet(d, "tcp"), orderlyRelease(i)),
    async run(ctx) {
      const l = await ctx.listener(1);
      const acceptor = await ctx.caller();
      const abortOnClose: Negotiation = { ...LINGER, value: scalarsValue(T_YES, 0) };
      const wanted = [NODELAY, KEEPALIVE, abortOnClose];
      for (const o of wanted) {
        const n = await optionAlone(ctx, acceptor, T_NEGOTIATE, o, o.value);
        ctx.equal(statusName(n.status), "T_SUCCESS", `T_NEGOTIATE of ${o.label} ${o.show(o.value)} on the acceptor`);
      }
      const client = await ctx.caller({ device: ctx.target.peerDevice ?? ctx.target.device });
      const accepting = ctx.acceptNext(l.fd, acceptor);
      ctx.ok(await ctx.within(t_connect(client, { ...t_call_of(), addr: netbuf(l.addr) }, null), "t_connect"), "t_connect");
      await accepting;
      for (const o of wanted) {
        const c = await optionAlone(ctx, acceptor, T_CURRENT, o);
        ctx.truthy(sameBytes(c.value, o.value), `T_CURRENT of ${o.label} on the acceptor once the connection was accepted onto it`, o.show(o.value), `${statusName(c.status)} with ${o.show(c.value)}`);
      }
      ctx.ok(await ctx.within(t_close(acceptor), "t_close"), "t_close of the acceptor with XTI_LINGER {T_YES, 0}");
      const ev = await ctx.firstEvent([
        [client, T_DISCONNECT, "T_DISCONNECT"],
        [client, T_ORDREL, "T_ORDREL"],
      ]);
      ctx.equal(ev, "T_DISCONNECT", "what the peer of the aborting close sees");
    },
  },
  {
    id: "X8.tcp-reuseaddr",
    group: "tcp",
    rule: "With T_IP_REUSEADDR, one TCP endpoint is bound to the wildcard address with a port and another to a specific local address with the same port (neither listening)",
    source: `${OPTIONS_SOURCE} (T_IP_REUSEADDR: the wildcard address and specific addresses may share a port)`,
    notApplicable: (_i, _f, d) => internet(d, "tcp"),
    async run(ctx) {
      // A local address of this host, as a connection accepted here uses it (the caller may be on a peer device).
      const { server } = await ctx.pair();
      const local = inetAddress(ctx, ctx.addresses(server).local, "the acceptor's boundaddr");
      await reuseAddressInEffect(ctx, local);
    },
  },
];
