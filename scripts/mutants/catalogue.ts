/**
 * The provider bugs the conformance suite must catch: each a small change to the loopback
 * providers or to the example pipe provider, the kind of mistake a provider author makes. A
 * mutant names the group of the suite meant to catch it and the cases that should (at least one
 * of them must be among the cases it fails). An equivalent mutant (a change XTI cannot observe,
 * because the library never lets the request reach the provider) says why, and must survive.
 */
import type { Group } from "../../conformance/types.js";
import type { Edit, SubjectName } from "./copy.js";

export interface Mutant {
  /** Unique, kebab-case; pipe mutants start with "pipe-". */
  id: string;
  subject: SubjectName;
  /** The suite group meant to catch the bug. */
  group: Group;
  /** What the broken provider does, in one line. */
  bug: string;
  edits: readonly Edit[];
  /** Case ids: a non-equivalent mutant must fail at least one of them. */
  caughtBy: readonly string[];
  /** For an equivalent mutant: why no XTI call can observe the change. */
  equivalent?: string;
}

const ENDPOINT = "providers/loopback/endpoint.ts";
const NAMESPACE = "providers/loopback/namespace.ts";
const PROVIDER = "providers/loopback/provider.ts";
const PIPE = "examples/pipe-provider/index.ts";

/** One edit to a loopback endpoint. */
const ep = (find: string, replace: string): Edit => ({ file: ENDPOINT, find, replace });
const pipe = (find: string, replace: string): Edit => ({ file: PIPE, find, replace });

const DELIVER_PIECE = "    if (expedited) peer.user.exdataInd(copy, more);\n    else peer.user.dataInd(copy, more);";
const ABORT_INDICATION = "    peer.user.disconInd({ reason: ECONNRESET, sequence: -1, udata: udata.slice() });";
const CONN_IND = "    this.user.connInd({ sequence, addr: (caller.addr ?? EMPTY).slice(), opt: EMPTY, udata });";
const CONN_CON = "    client.user.connCon({ addr: (acceptor.addr ?? EMPTY).slice(), opt: EMPTY, udata: req.udata.slice() });";
const UNITDATA_IND = "    dest.user.unitdataInd({ addr: (this.addr ?? EMPTY).slice(), opt: EMPTY, udata: ownCopy(req.udata) });";
const ORDREL_IND = "    peer.user.ordrelInd(this.provider.config.ordrelData && udata !== null ? udata.slice() : null);";
const PIPE_DATA_IND = "    peer.user.dataInd(new Uint8Array(buf), more);";

export const MUTANTS: readonly Mutant[] = [
  // ---- info: what t_info says, and behaviour against it ----
  {
    id: "ticotsord-says-cots",
    subject: "loopback",
    group: "info",
    bug: "t_info misreports the service type: T_COTS for /dev/ticotsord",
    edits: [{ file: PROVIDER, find: "      servtype: c.servtype,", replace: "      servtype: c.servtype === T_COTS_ORD ? T_COTS : c.servtype," }],
    caughtBy: ["I1.declared-info"],
  },
  {
    id: "ticots-says-cots-ord",
    subject: "loopback",
    group: "info",
    bug: "t_info claims orderly release the provider does not have: T_COTS_ORD for /dev/ticots",
    edits: [{ file: PROVIDER, find: "      servtype: c.servtype,", replace: "      servtype: c.servtype === T_COTS ? T_COTS_ORD : c.servtype," }],
    caughtBy: ["I1.declared-info"],
  },
  {
    id: "sendzero-not-advertised",
    subject: "loopback",
    group: "info",
    bug: "t_info leaves T_SENDZERO out although zero-length units are carried",
    edits: [{ file: PROVIDER, find: "      sendZero: c.sendZero,", replace: "      sendZero: false," }],
    caughtBy: ["I1.declared-info"],
  },
  {
    id: "clts-advertises-connect-data",
    subject: "loopback",
    group: "info",
    bug: "the connectionless provider advertises connect data (connect T_INFINITE on T_CLTS)",
    edits: [{ file: PROVIDER, find: "      connect: config.connect ?? (clts ? T_INVALID : T_INFINITE),", replace: "      connect: config.connect ?? T_INFINITE," }],
    caughtBy: ["I2.info-consistent"],
  },
  {
    id: "pipe-etsdu-misreported",
    subject: "pipe",
    group: "info",
    bug: "t_info claims an expedited service (etsdu T_INFINITE) the provider does not have",
    edits: [pipe("  etsdu: T_INVALID, // no expedited data: t_snd(T_EXPEDITED) fails TNOTSUPPORT in the library", "  etsdu: T_INFINITE,")],
    caughtBy: ["I1.declared-info"],
  },
  {
    id: "pipe-zero-piece-as-expedited",
    subject: "pipe",
    group: "info",
    bug: "an empty piece goes up as expedited data, from a provider whose etsdu is T_INVALID",
    edits: [pipe(PIPE_DATA_IND, "    if (buf.length === 0) peer.user.exdataInd(new Uint8Array(buf), more); // an end-of-unit marker\n    else peer.user.dataInd(new Uint8Array(buf), more);")],
    caughtBy: ["I4.no-expedited-service"],
  },

  // ---- tsdu: framing ----
  {
    id: "more-flag-lost",
    subject: "loopback",
    group: "tsdu",
    bug: "a TSDU's MORE flag is lost: every piece ends its unit",
    edits: [ep("    else peer.user.dataInd(copy, more);", "    else peer.user.dataInd(copy, false);")],
    caughtBy: ["T1.more-pieces"],
  },
  {
    id: "end-of-tsdu-lost",
    subject: "loopback",
    group: "tsdu",
    bug: "every piece is passed up with MORE set: TSDUs never end and run together",
    edits: [ep("    else peer.user.dataInd(copy, more);", "    else peer.user.dataInd(copy, true);")],
    caughtBy: ["T1.boundaries", "T1.more-pieces"],
  },
  {
    id: "zero-length-tsdu-dropped",
    subject: "loopback",
    group: "tsdu",
    bug: "zero-length TSDUs are dropped as if there were nothing to carry",
    edits: [ep("    if (peer === null) return true;\n    const band", "    if (peer === null) return true;\n    if (buf.length === 0) return true; // nothing to carry\n    const band")],
    caughtBy: ["T6.zero-length-unit"],
  },
  {
    id: "flow-control-missing",
    subject: "loopback",
    group: "tsdu",
    bug: "the receiver's unread bytes are never counted, so flow control never holds a sender off",
    edits: [ep("    peer.queued[band] += buf.length;\n", "")],
    caughtBy: ["T.partial-send-implies-more"],
  },
  {
    id: "exact-tsdu-cut",
    subject: "loopback",
    group: "tsdu",
    bug: "pieces pass through a tsdu-byte staging buffer that keeps one byte for a terminator: a TSDU of exactly tsdu bytes loses its last byte",
    edits: [ep("    const copy = ownCopy(buf);", "    const limit = peer.provider.config.tsdu;\n    const copy = ownCopy(!expedited && limit > 0 ? buf.subarray(0, Math.min(buf.length, limit - 1)) : buf);")],
    caughtBy: ["T3.exact-tsdu"],
  },
  {
    id: "sender-buffer-sliced",
    subject: "loopback",
    group: "tsdu",
    bug: "pieces are copied with slice(), which on a Node Buffer is a view: a sender reusing its Buffer after t_snd changes data already sent",
    edits: [ep("    const copy = ownCopy(buf);", "    const copy = buf.slice();")],
    caughtBy: ["T1.buffer-reuse"],
  },
  {
    id: "sender-buffer-not-copied",
    subject: "loopback",
    group: "tsdu",
    bug: "the piece passed up is a view of the sender's buffer, which the sender reuses after t_snd",
    edits: [ep("    const copy = ownCopy(buf);", "    const copy = buf;")],
    caughtBy: ["T1.buffer-reuse"],
  },
  {
    id: "pipe-more-flag-lost",
    subject: "pipe",
    group: "tsdu",
    bug: "a TSDU's MORE flag is lost: every piece ends its unit",
    edits: [pipe(PIPE_DATA_IND, "    peer.user.dataInd(new Uint8Array(buf), false);")],
    caughtBy: ["T1.more-pieces"],
  },
  {
    id: "pipe-sender-buffer-not-copied",
    subject: "pipe",
    group: "tsdu",
    bug: "the piece passed up is a view of the sender's buffer, which the sender reuses after t_snd",
    edits: [pipe(PIPE_DATA_IND, "    peer.user.dataInd(buf, more);")],
    caughtBy: ["T1.buffer-reuse"],
  },
  {
    id: "pipe-zero-length-tsdu-dropped",
    subject: "pipe",
    group: "tsdu",
    bug: "zero-length TSDUs are dropped as if there were nothing to carry",
    edits: [pipe("    // Flow control: refuse only when", "    if (buf.length === 0) return true; // nothing to carry\n    // Flow control: refuse only when")],
    caughtBy: ["T6.zero-length-unit"],
  },
  {
    id: "pipe-no-back-enable",
    subject: "pipe",
    group: "tsdu",
    bug: "a sender held off by flow control is never told it may go on (no writable())",
    edits: [pipe("    this.peer?.user.writable(false);", "")],
    caughtBy: ["T.one-mebibyte"],
  },

  // ---- expedited ----
  {
    id: "expedited-as-normal",
    subject: "loopback",
    group: "expedited",
    bug: "expedited data is passed up as normal data",
    edits: [ep(DELIVER_PIECE, "    peer.user.dataInd(copy, more);")],
    caughtBy: ["E1.expedited-flag"],
  },
  {
    id: "expedited-held-back",
    subject: "loopback",
    group: "expedited",
    bug: "expedited data is held back until normal data follows, and then sent ahead of it",
    edits: [
      ep("  private sentOrdrel = false;", "  private sentOrdrel = false;\n  private heldBack: Array<[Uint8Array, boolean]> = [];"),
      ep(DELIVER_PIECE, "    if (expedited) {\n      peer.heldBack.push([copy, more]);\n      return true;\n    }\n    for (const [x, m] of peer.heldBack.splice(0)) peer.user.exdataInd(x, m);\n    peer.user.dataInd(copy, more);"),
    ],
    caughtBy: ["E3.look-exdata", "E1.expedited-flag"],
  },
  {
    id: "expedited-in-line",
    subject: "loopback",
    group: "expedited",
    bug: "the provider declares its expedited data in line (expInline), so it no longer overtakes normal data",
    edits: [{ file: PROVIDER, find: "      expInline: false,", replace: "      expInline: true," }],
    caughtBy: ["E2.inside-tsdu"],
  },
  {
    id: "etsdu-more-flag-lost",
    subject: "loopback",
    group: "expedited",
    bug: "an ETSDU's MORE flag is lost: an ETSDU sent in pieces falls apart",
    edits: [ep("    if (expedited) peer.user.exdataInd(copy, more);", "    if (expedited) peer.user.exdataInd(copy, false);")],
    caughtBy: ["E5.etsdu-pieces"],
  },
  {
    id: "exact-etsdu-cut",
    subject: "loopback",
    group: "expedited",
    bug: "expedited pieces pass through an etsdu-byte staging buffer that keeps one byte for a terminator: an ETSDU of exactly etsdu bytes loses its last byte",
    edits: [ep("    const copy = ownCopy(buf);", "    const limit = peer.provider.config.etsdu;\n    const copy = ownCopy(expedited && limit > 0 ? buf.subarray(0, Math.min(buf.length, limit - 1)) : buf);")],
    caughtBy: ["T3.exact-etsdu"],
  },
  {
    id: "pipe-exdata-not-fatal",
    subject: "pipe",
    group: "expedited",
    bug: "an expedited data request is silently dropped instead of being a protocol error (etsdu T_INVALID)",
    edits: [pipe("  exdata(_buf: Uint8Array, _more: boolean): boolean {\n    this.user.error(EPROTO);", "  exdata(_buf: Uint8Array, _more: boolean): boolean {")],
    caughtBy: [],
    equivalent: "with etsdu T_INVALID the library refuses t_snd(T_EXPEDITED) with TNOTSUPPORT in every dialect, so exdata() is never called",
  },

  // ---- state ----
  {
    id: "accepted-caller-still-pending",
    subject: "loopback",
    group: "state",
    bug: "an accepted caller is left in the listener's queue, so the listener cannot be unbound",
    edits: [ep("    this.pending.delete(req.sequence);\n    client.server = null;", "    client.server = null;")],
    caughtBy: ["S5.transitions"],
  },
  {
    id: "peer-connected-after-abort",
    subject: "loopback",
    group: "state",
    bug: "the peer of an aborted connection stays connected in the provider, so it cannot be unbound",
    edits: [ep('    peer.peer = null;\n    peer.state = "idle";\n    peer.user.flush();', "    peer.peer = null;\n    peer.user.flush();")],
    caughtBy: ["S5.transitions"],
  },

  {
    id: "rejected-caller-still-calling",
    subject: "loopback",
    group: "state",
    bug: "a caller rejected with t_snddis(sequence) stays calling in the provider, so it cannot be unbound",
    edits: [ep('      client.sequenceAtServer = -1;\n      client.state = "idle";\n      client.user.disconInd({ reason: ECONNRESET,', "      client.sequenceAtServer = -1;\n      client.user.disconInd({ reason: ECONNRESET,")],
    caughtBy: ["Q.reject"],
  },
  {
    id: "confirmed-before-accept",
    subject: "loopback",
    group: "state",
    bug: "the caller is confirmed as soon as it is indicated, before the listener accepts",
    edits: [ep(CONN_IND, `${CONN_IND}\n    caller.user.connCon({ addr: (this.addr ?? EMPTY).slice(), opt: EMPTY, udata: EMPTY });`)],
    caughtBy: ["Q.confirmed-on-accept"],
  },

  // ---- look ----
  {
    id: "data-after-ordrel",
    subject: "loopback",
    group: "look",
    bug: "a zero-length data indication follows the orderly release indication (t_look says T_DATA after T_ORDREL)",
    edits: [ep(ORDREL_IND, `${ORDREL_IND}\n    peer?.user.dataInd(EMPTY, false); // an empty end-of-data marker`)],
    caughtBy: ["L2.nothing-after-release"],
  },
  {
    id: "pipe-data-after-ordrel",
    subject: "pipe",
    group: "look",
    bug: "a zero-length data indication follows the orderly release indication (t_look says T_DATA after T_ORDREL)",
    edits: [pipe("    peer.user.ordrelInd(null);", "    peer.user.ordrelInd(null);\n    peer.user.dataInd(new Uint8Array(0), false); // an empty end-of-data marker")],
    caughtBy: ["L2.nothing-after-release"],
  },

  {
    id: "data-indicated-twice",
    subject: "loopback",
    group: "look",
    bug: "every normal data piece is indicated twice",
    edits: [ep("    else peer.user.dataInd(copy, more);", "    else {\n      peer.user.dataInd(copy, more);\n      peer.user.dataInd(copy.slice(), more);\n    }")],
    caughtBy: ["L5.nodata"],
  },

  // ---- release ----
  {
    id: "ordrel-not-indicated",
    subject: "loopback",
    group: "release",
    bug: "an orderly release request never reaches the peer",
    edits: [ep(ORDREL_IND, "")],
    caughtBy: ["O1.release-cycle"],
  },
  {
    id: "release-data-dropped",
    subject: "loopback",
    group: "release",
    bug: "the data of t_sndreldata is dropped (T_ORDRELDATA advertised)",
    edits: [ep(ORDREL_IND, "    peer.user.ordrelInd(this.provider.config.ordrelData && udata !== null ? EMPTY : null);")],
    caughtBy: ["O2.release-data"],
  },
  {
    id: "half-close-is-full-close",
    subject: "loopback",
    group: "release",
    bug: "the first orderly release ends the connection in both directions",
    edits: [ep("    if (peer.sentOrdrel) {\n      // Both directions are released: the connection is over.", "    {\n      // (both directions end here)")],
    caughtBy: ["O1.release-cycle"],
  },
  {
    id: "release-never-ends-connection",
    subject: "loopback",
    group: "release",
    bug: "after both orderly releases the endpoints stay connected in the provider",
    edits: [ep('      this.peer = null;\n      this.state = "idle";\n      peer.peer = null;\n      peer.state = "idle";\n', "")],
    caughtBy: ["O1.release-cycle"],
  },
  {
    id: "ordrel-ignores-flow-control",
    subject: "loopback",
    group: "release",
    bug: "an orderly release is taken even while the peer's receive side is at its high-water mark",
    edits: [ep("    if (peer !== null && peer.queued.normal >= peer.rcvHiwat) {\n      peer.blocked.normal.add(this);\n      return false;\n    }\n", "")],
    caughtBy: [],
    equivalent:
      "the release is queued behind the peer's unread data either way, so the peer still reads all the data and then T_ORDREL; holding t_sndrel off only bounds memory, and XTI lets t_sndrel succeed there",
  },
  {
    id: "pipe-release-never-ends-connection",
    subject: "pipe",
    group: "release",
    bug: "after both orderly releases the endpoints stay connected in the provider",
    edits: [pipe("    if (this.gotRelease) {\n      this.detach(); // both directions are released: the connection is over\n      peer.detach();\n    }\n", "")],
    caughtBy: ["O1.release-cycle"],
  },

  // ---- disconnect ----
  {
    id: "refused-reason-wrong",
    subject: "loopback",
    group: "disconnect",
    bug: "a refused connect is reported with reason ECONNRESET instead of ECONNREFUSED",
    edits: [ep("    if (refused) {\n      this.user.disconInd({ reason: ECONNREFUSED,", "    if (refused) {\n      this.user.disconInd({ reason: ECONNRESET,")],
    caughtBy: ["D2.refused-reason"],
  },
  {
    id: "abort-reason-zero",
    subject: "loopback",
    group: "disconnect",
    bug: "an aborted connection is reported with reason 0",
    edits: [ep(ABORT_INDICATION, "    peer.user.disconInd({ reason: 0, sequence: -1, udata: udata.slice() });")],
    caughtBy: ["D.abort-reason"],
  },
  {
    id: "abort-not-flushed",
    subject: "loopback",
    group: "disconnect",
    bug: "an abortive disconnect leaves the peer's unread data to be read (no flush before T_DISCON_IND)",
    edits: [ep("    peer.user.flush();\n", "")],
    caughtBy: ["D3.abort-discards-unread"],
  },
  {
    id: "disconnect-data-dropped",
    subject: "loopback",
    group: "disconnect",
    bug: "the data of t_snddis is dropped",
    edits: [ep(ABORT_INDICATION, "    peer.user.disconInd({ reason: ECONNRESET, sequence: -1, udata: EMPTY });")],
    caughtBy: ["D3.disconnect-data"],
  },
  {
    id: "abort-not-indicated",
    subject: "loopback",
    group: "disconnect",
    bug: "the peer of an aborted connection is never told",
    edits: [ep(`${ABORT_INDICATION}\n`, "")],
    caughtBy: ["D.abort-both-idle"],
  },
  {
    id: "close-releases-on-cots",
    subject: "loopback",
    group: "disconnect",
    bug: "closing a connected endpoint sends an orderly release, even on T_COTS",
    edits: [ep('    if (this.state === "connected") this.abortConnection(EMPTY);', '    if (this.state === "connected") this.peer?.user.ordrelInd(null);')],
    caughtBy: ["D.close-ends-connection"],
  },
  {
    id: "pipe-refused-reason-wrong",
    subject: "pipe",
    group: "disconnect",
    bug: "a refused connect is reported with reason ECONNRESET instead of ECONNREFUSED",
    edits: [pipe("      // was accepted (the promise resolves); the refusal is an indication, as T_DISCON_IND is.\n      this.user.disconInd({ reason: ECONNREFUSED,", "      this.user.disconInd({ reason: ECONNRESET,")],
    caughtBy: ["D2.refused-reason"],
  },
  {
    id: "pipe-abort-not-flushed",
    subject: "pipe",
    group: "disconnect",
    bug: "an abortive disconnect leaves the peer's unread data to be read (no flush before T_DISCON_IND)",
    edits: [pipe("    peer.user.flush();\n", "")],
    caughtBy: ["D3.abort-discards-unread"],
  },
  {
    id: "pipe-close-silent",
    subject: "pipe",
    group: "disconnect",
    bug: "closing a connected endpoint does not tell the peer",
    edits: [pipe('    if (this.state === "connected") this.abort(); // closing is abortive, as in the tl driver\n', "")],
    caughtBy: ["D.close-ends-connection"],
  },

  {
    id: "listener-close-silent",
    subject: "loopback",
    group: "disconnect",
    bug: "closing a listener leaves the callers it holds waiting for ever",
    edits: [ep("      client.state = \"idle\";\n      client.user.disconInd({ reason: ECONNREFUSED, sequence: -1, udata: EMPTY });\n", "      client.state = \"idle\";\n")],
    caughtBy: ["D.close-refuses-callers"],
  },
  {
    id: "pipe-listener-close-silent",
    subject: "pipe",
    group: "disconnect",
    bug: "closing a listener leaves the callers it holds waiting for ever",
    edits: [pipe("    for (const caller of this.callers.values()) caller.refused();\n", "")],
    caughtBy: ["D.close-refuses-callers"],
  },

  // ---- queue ----
  {
    id: "sequence-reused",
    subject: "loopback",
    group: "queue",
    bug: "a sequence is reused while an earlier indication with it is outstanding (sequence = callers waiting + 1)",
    edits: [ep("    const sequence = this.provider.namespace.sequence();", "    const sequence = this.pending.size + 1;")],
    caughtBy: ["Q1.unique-sequences"],
  },
  {
    id: "qlen-ignored",
    subject: "loopback",
    group: "queue",
    bug: "qlen is ignored: callers beyond it are indicated",
    edits: [ep("    const full = listener !== undefined && listener.pending.size >= listener.qlen;", "    const full = false;")],
    caughtBy: ["Q2.tqfull", "Q2.beyond-qlen"],
  },
  {
    id: "caller-beyond-qlen-dropped",
    subject: "loopback",
    group: "queue",
    bug: "a caller beyond qlen is silently dropped: neither refused nor ever indicated",
    edits: [ep("    const refused =\n", "    if (full && !this.provider.config.holdCallersBeyondQlen) return; // no room\n    const refused =\n")],
    caughtBy: ["Q2.beyond-qlen"],
  },
  {
    id: "qlen-negotiated-up",
    subject: "loopback",
    group: "queue",
    bug: "t_bind negotiates qlen up to the provider's maximum instead of at most the qlen asked for",
    edits: [ep("Math.min(req.qlen, this.provider.config.maxQlen);", "Math.max(req.qlen, this.provider.config.maxQlen);")],
    caughtBy: ["Q2.tqfull"],
  },
  {
    id: "held-caller-left-waiting",
    subject: "loopback",
    group: "queue",
    bug: "a caller held beyond qlen is not indicated when a rejection makes room (a backlog that forgets one path)",
    edits: [ep("udata: req.udata.slice() });\n      this.admitHeld();\n", "udata: req.udata.slice() });\n")],
    caughtBy: ["Q2.beyond-qlen"],
  },
  {
    id: "connect-data-dropped",
    subject: "loopback",
    group: "queue",
    bug: "the data of t_connect is dropped",
    edits: [ep(CONN_IND, "    this.user.connInd({ sequence, addr: (caller.addr ?? EMPTY).slice(), opt: EMPTY, udata: EMPTY });")],
    caughtBy: ["Q.connect-data"],
  },
  {
    id: "accept-data-dropped",
    subject: "loopback",
    group: "queue",
    bug: "the data of t_accept is dropped",
    edits: [ep(CONN_CON, "    client.user.connCon({ addr: (acceptor.addr ?? EMPTY).slice(), opt: EMPTY, udata: EMPTY });")],
    caughtBy: ["Q.connect-data"],
  },
  {
    id: "withdrawal-without-sequence",
    subject: "loopback",
    group: "queue",
    bug: "a caller that withdraws is reported to the listener without its sequence (-1)",
    edits: [ep("      server.user.disconInd({ reason: ECONNRESET, sequence, udata: udata.slice() });", "      server.user.disconInd({ reason: ECONNRESET, sequence: -1, udata: udata.slice() });")],
    caughtBy: ["Q.withdraw"],
  },
  {
    id: "rejection-not-indicated",
    subject: "loopback",
    group: "queue",
    bug: "a caller rejected with t_snddis(sequence) is never told",
    edits: [ep("      client.user.disconInd({ reason: ECONNRESET, sequence: -1, udata: req.udata.slice() });\n", "")],
    caughtBy: ["Q.reject"],
  },
  {
    id: "accept-connects-first-caller",
    subject: "loopback",
    group: "queue",
    bug: "t_accept connects the longest-waiting caller, whatever sequence it names",
    edits: [ep("    const client = this.pending.get(req.sequence);\n    if (client === undefined) throw new ProviderError(\"TBADSEQ\");\n    const acceptor", "    if (!this.pending.has(req.sequence)) throw new ProviderError(\"TBADSEQ\");\n    const [first, client] = [...this.pending.entries()][0] as [number, LoopEndpoint];\n    req = { ...req, sequence: first };\n    const acceptor")],
    caughtBy: ["Q1.unique-sequences"],
  },
  {
    id: "listener-accept-check-dropped",
    subject: "loopback",
    group: "queue",
    bug: "the listener accepts a call onto itself while other callers wait",
    edits: [ep('    if (acceptor === this && this.pending.size > 1) throw new ProviderError("TBADF");\n', "")],
    caughtBy: [],
    equivalent: "the library answers t_accept(fd, fd) with more than one indication outstanding with TINDOUT before the request reaches the provider (ocnt is the library's)",
  },
  {
    id: "pipe-sequence-reused",
    subject: "pipe",
    group: "queue",
    bug: "a sequence is reused while an earlier indication with it is outstanding (sequence = callers waiting + 1)",
    edits: [pipe("    const sequence = this.pipe.nextSequence();", "    const sequence = listener.callers.size + 1;")],
    caughtBy: ["Q1.unique-sequences"],
  },
  {
    id: "pipe-qlen-ignored",
    subject: "pipe",
    group: "queue",
    bug: "qlen is ignored: callers beyond it are indicated",
    edits: [pipe(" || listener.callers.size >= listener.qlen;", ";")],
    caughtBy: ["Q2.tqfull", "Q2.beyond-qlen"],
  },
  {
    id: "pipe-withdrawal-not-indicated",
    subject: "pipe",
    group: "queue",
    bug: "a caller that withdraws is never reported to the listener",
    edits: [pipe("      call.listener.user.disconInd({ reason: ECONNRESET, sequence: call.sequence, udata: EMPTY });\n", "")],
    caughtBy: ["Q.withdraw"],
  },

  // ---- address ----
  {
    id: "addresses-compared-as-text",
    subject: "loopback",
    group: "address",
    bug: "opaque addresses are compared as UTF-8 text, not bytes, so distinct ones collide",
    edits: [{ file: NAMESPACE, find: 'addr.byteLength).toString("latin1");', replace: 'addr.byteLength).toString("utf8");' }],
    caughtBy: ["A1.opaque-addresses"],
  },
  {
    id: "addresses-compared-by-prefix",
    subject: "loopback",
    group: "address",
    bug: "addresses are compared on their first 8 bytes (a fixed-size key), so longer ones collide",
    edits: [{ file: NAMESPACE, find: "Buffer.from(addr.buffer, addr.byteOffset, addr.byteLength)", replace: "Buffer.from(addr.buffer, addr.byteOffset, Math.min(addr.byteLength, 8))" }],
    caughtBy: ["A1.opaque-addresses"],
  },
  {
    id: "auto-address-collides",
    subject: "loopback",
    group: "address",
    bug: "an automatically assigned address may equal one already bound explicitly (the allocator does not skip addresses in use)",
    edits: [{ file: NAMESPACE, find: "      if (!this.inUse(addr)) return addr;", replace: "      return addr;" }],
    caughtBy: ["A2.auto-address-distinct"],
  },
  {
    id: "exact-bind-takes-busy-address",
    subject: "loopback",
    group: "address",
    bug: "T_BIND_REQ (exact) of an address in use takes it over; only O_T_BIND_REQ is checked",
    edits: [ep("    if (addr !== null && ns.inUse(addr)) {", "    if (addr !== null && ns.inUse(addr) && !req.exact) {")],
    caughtBy: ["A3.address-busy"],
  },
  {
    id: "unbind-keeps-address",
    subject: "loopback",
    group: "address",
    bug: "t_unbind leaves the address bound",
    edits: [ep('    this.releaseAddress();\n    this.state = "unbound";', '    this.state = "unbound";')],
    caughtBy: ["A4.unbind-frees-address"],
  },
  {
    id: "responder-address-is-listener",
    subject: "loopback",
    group: "address",
    bug: "the confirmation names the listener's address instead of the acceptor's",
    edits: [ep(CONN_CON, "    client.user.connCon({ addr: (this.addr ?? EMPTY).slice(), opt: EMPTY, udata: req.udata.slice() });")],
    caughtBy: ["A5.connection-addresses"],
  },
  {
    id: "pipe-auto-name-collides",
    subject: "pipe",
    group: "address",
    bug: "an automatically chosen name may equal one already bound explicitly",
    edits: [pipe("    let name;\n    do name = `pipe-${++this.lastAuto}`;\n    while (this.names.has(name));\n    return name;", "    return `pipe-${++this.lastAuto}`;")],
    caughtBy: ["A2.auto-address-distinct"],
  },
  {
    id: "pipe-responder-address-is-listener",
    subject: "pipe",
    group: "address",
    bug: "the confirmation names the listener's address instead of the acceptor's",
    edits: [pipe("    caller.user.connCon({ addr: acceptor.address, opt: EMPTY, udata: EMPTY });", "    caller.user.connCon({ addr: this.address, opt: EMPTY, udata: EMPTY });")],
    caughtBy: ["A5.connection-addresses"],
  },

  // ---- clts ----
  {
    id: "datagram-duplicated",
    subject: "loopback",
    group: "clts",
    bug: "every datagram is delivered twice",
    edits: [ep(UNITDATA_IND, `${UNITDATA_IND}\n${UNITDATA_IND}`)],
    caughtBy: ["C1.datagram", "C1.units-kept-apart"],
  },
  {
    id: "exact-datagram-cut",
    subject: "loopback",
    group: "clts",
    bug: "a datagram of exactly tsdu bytes is cut short (a receive buffer one byte too small)",
    edits: [ep(UNITDATA_IND, "    dest.user.unitdataInd({ addr: (this.addr ?? EMPTY).slice(), opt: EMPTY, udata: ownCopy(req.udata.subarray(0, this.provider.config.tsdu - 1)) });")],
    caughtBy: ["C3.exact-datagram"],
  },
  {
    id: "datagram-source-wrong",
    subject: "loopback",
    group: "clts",
    bug: "a datagram arrives with its destination address as the source",
    edits: [ep(UNITDATA_IND, "    dest.user.unitdataInd({ addr: ownCopy(req.addr), opt: EMPTY, udata: ownCopy(req.udata) });")],
    caughtBy: ["C1.datagram"],
  },
  {
    id: "uderr-missing",
    subject: "loopback",
    group: "clts",
    bug: "a datagram to an unbound address is dropped without a unit data error",
    edits: [ep("      this.user.uderrorInd({ addr: ownCopy(req.addr), opt: EMPTY, error: ECONNRESET });\n", "")],
    caughtBy: ["C2.unit-data-error"],
  },
  {
    id: "uderr-without-address",
    subject: "loopback",
    group: "clts",
    bug: "a unit data error does not say which destination it is about",
    edits: [ep("      this.user.uderrorInd({ addr: ownCopy(req.addr), opt: EMPTY, error: ECONNRESET });", "      this.user.uderrorInd({ addr: EMPTY, opt: EMPTY, error: ECONNRESET });")],
    caughtBy: ["C2.unit-data-error"],
  },
  {
    id: "zero-length-datagram-dropped",
    subject: "loopback",
    group: "clts",
    bug: "zero-length datagrams are dropped",
    edits: [ep("    const dest = this.provider.namespace.lookup(req.addr);", "    if (req.udata.length === 0) return true; // nothing to carry\n    const dest = this.provider.namespace.lookup(req.addr);")],
    caughtBy: ["C3.zero-length-datagram"],
  },
  {
    id: "pipe-unitdata-not-fatal",
    subject: "pipe",
    group: "clts",
    bug: "a datagram request to the connection-mode provider is silently dropped instead of being a protocol error",
    edits: [pipe("  unitdata(_req: UnitdataRequest): boolean {\n    this.user.error(EPROTO);", "  unitdata(_req: UnitdataRequest): boolean {")],
    caughtBy: [],
    equivalent: "the library refuses t_sndudata on a connection-mode endpoint with TNOTSUPPORT in every dialect, so unitdata() is never called",
  },

  // ---- bufovflw ----
  {
    id: "caller-address-missing",
    subject: "loopback",
    group: "bufovflw",
    bug: "the connection indication carries no caller address",
    edits: [ep(CONN_IND, "    this.user.connInd({ sequence, addr: EMPTY, opt: EMPTY, udata });")],
    caughtBy: ["B1.listen-overflow"],
  },
  {
    id: "responder-address-missing",
    subject: "loopback",
    group: "bufovflw",
    bug: "the connection confirmation carries no responding address",
    edits: [ep(CONN_CON, "    client.user.connCon({ addr: EMPTY, opt: EMPTY, udata: req.udata.slice() });")],
    caughtBy: ["B3.connect-overflow"],
  },
  {
    id: "pipe-caller-address-missing",
    subject: "pipe",
    group: "bufovflw",
    bug: "the connection indication carries no caller address",
    edits: [pipe("    listener.user.connInd({ sequence, addr: this.address, opt: EMPTY, udata: EMPTY });", "    listener.user.connInd({ sequence, addr: EMPTY, opt: EMPTY, udata: EMPTY });")],
    caughtBy: ["B1.listen-overflow"],
  },

  // ---- options ----
  {
    id: "rcvbuf-not-stored",
    subject: "loopback",
    group: "options",
    bug: "a negotiated XTI_RCVBUF is acknowledged but not kept",
    edits: [ep("        self.rcvHiwat = readUscalar(value);\n", "")],
    caughtBy: ["X2.negotiate"],
  },
  {
    id: "rcvbuf-read-only",
    subject: "loopback",
    group: "options",
    bug: "XTI_RCVBUF is reported read-only although the provider can change it",
    edits: [ep("      readOnly: () => false,", "      readOnly: () => true,")],
    caughtBy: ["X2.negotiate"],
  },
  {
    id: "pipe-rcvbuf-not-stored",
    subject: "pipe",
    group: "options",
    bug: "a negotiated XTI_RCVBUF is acknowledged but not kept",
    edits: [pipe("      this.rcvbuf = readUscalar(value);\n", "")],
    caughtBy: ["X2.negotiate"],
  },
];
