/**
 * The transport provider interface (SPI): TPI rendered in TypeScript. This is the one contract a
 * provider implements (built-in or third party); docs/providers.md explains it with an example.
 *
 * Requests go down from the XTI library to a provider endpoint (T_BIND_REQ, T_CONN_REQ, T_DATA_REQ,
 * ...); indications come up through the ProviderUser the library passes to `open` (T_CONN_IND,
 * T_DATA_IND, T_DISCON_IND, ...). A provider knows nothing about t_errno, user-level states or
 * t_look: it answers requests, raises indications in the order its protocol produces them, and
 * rejects a request with a ProviderError carrying a TPI error code, exactly as a TPI driver answers
 * with T_ERROR_ACK.
 */

import { show } from "../show.js";

/** T_INFO_ACK: what the provider supports. Sizes use XTI's conventions (>0, 0, T_INFINITE, T_INVALID). */
export interface ProviderInfo {
  /** Maximum address size. */
  addr: number;
  /** Maximum size of protocol-specific options. */
  options: number;
  /** Maximum TSDU size; 0 = no TSDU boundaries (byte stream). */
  tsdu: number;
  /** Maximum ETSDU size; T_INVALID = no expedited data. */
  etsdu: number;
  /** Maximum data with a connection request/response. */
  connect: number;
  /** Maximum data with a disconnect (and, with ordrelData, with an orderly release). */
  discon: number;
  /** T_COTS, T_COTS_ORD or T_CLTS. */
  servtype: number;
  /** TIDU: the largest piece the library passes in one data request (> 0). */
  tidu: number;
  /** Zero-length TSDUs/ETSDUs (and datagrams) are supported (XTI T_SENDZERO). */
  sendZero: boolean;
  /** Orderly release carries user data (XTI T_ORDRELDATA). */
  ordrelData: boolean;
  /**
   * Expedited data travels in line with normal data (TCP urgent data): the library keeps it in
   * order instead of letting it overtake, and t_look reports T_EXDATA while any is queued.
   */
  expInline: boolean;
  /**
   * TLI option management (T_SVR4_OPTMGMT_REQ) is refused with TOUTSTATE outside T_IDLE, as the
   * tl conformance drivers (ticots, ticotsord, ticlts) do. Absent = false.
   */
  legacyOptmgmtOnlyIdle?: boolean;
}

/** The TLI_error values a provider may answer a request with (T_ERROR_ACK). */
export type ProviderErrorCode =
  | "TBADADDR"
  | "TBADOPT"
  | "TACCES"
  | "TBADF"
  | "TNOADDR"
  | "TOUTSTATE"
  | "TBADSEQ"
  | "TSYSERR"
  | "TBADDATA"
  | "TADDRBUSY"
  | "TRESADDR"
  | "TNOTSUPPORT"
  | "TPROVMISMATCH"
  | "TRESQLEN";

/**
 * The brand every ProviderError carries. A provider may be built against another copy of this
 * package (its own node_modules, or the compiled dist beside these sources), whose ProviderError
 * is another class: the library recognises the brand, a registered symbol shared by every copy.
 */
export const PROVIDER_ERROR_BRAND: unique symbol = Symbol.for("xti.ProviderError");

/** A rejected request (T_ERROR_ACK): the TPI error code and, for TSYSERR, the errno. */
export class ProviderError extends Error {
  readonly code: ProviderErrorCode;
  readonly errno: number;
  readonly [PROVIDER_ERROR_BRAND] = true;
  constructor(code: ProviderErrorCode, errno = 0, message?: string) {
    super(typeof message === "string" ? message : errno !== 0 ? `${show(code)} (errno ${show(errno)})` : show(code));
    this.name = "ProviderError";
    this.code = code;
    this.errno = errno;
  }
}

/** T_BIND_REQ (exact = true) or O_T_BIND_REQ (exact = false: another free address may be bound). */
export interface BindRequest {
  /** Requested address, or null to let the provider choose one. */
  addr: Uint8Array | null;
  /** Requested number of outstanding connection indications (0 for CLTS and non-listeners). */
  qlen: number;
  exact: boolean;
}

/** T_BIND_ACK: the bound address and the negotiated qlen (never lowered from > 0 to 0). */
export interface BindAck {
  addr: Uint8Array;
  qlen: number;
}

/** T_CONN_REQ. */
export interface ConnectRequest {
  addr: Uint8Array;
  opt: Uint8Array;
  udata: Uint8Array;
}

/** T_CONN_RES: accept indication `sequence` onto `acceptor` (which may be the listener itself). */
export interface AcceptRequest {
  sequence: number;
  /** An endpoint of the same provider, bound (the library binds an unbound acceptor first). */
  acceptor: ProviderEndpoint;
  opt: Uint8Array;
  udata: Uint8Array;
}

/** T_DISCON_REQ: abort the connection, or reject connection indication `sequence` (not null). */
export interface DisconnectRequest {
  sequence: number | null;
  udata: Uint8Array;
}

/** T_UNITDATA_REQ. */
export interface UnitdataRequest {
  addr: Uint8Array;
  opt: Uint8Array;
  udata: Uint8Array;
}

/**
 * One option the provider manages (level, name and value encoding as in XTI t_opthdr). The library
 * does all T_NEGOTIATE / T_CHECK / T_DEFAULT / T_CURRENT / T_ALLOPT bookkeeping over this table and
 * supplies the XTI_GENERIC options a provider does not declare itself.
 */
export interface ProviderOption {
  readonly level: number;
  readonly name: number;
  /** Exact value length in bytes, or 0 for a variable-length value (a multiple of 4 bytes). */
  readonly length: number;
  /** True if the option may not be changed now (e.g. read-only before bind). */
  readOnly(): boolean;
  /** The value before anyone negotiated it (T_DEFAULT). */
  defaultValue(): Uint8Array;
  /** The value in force now (T_CURRENT). */
  currentValue(): Uint8Array;
  /**
   * Judge a proposed value: T_SUCCESS (accepted as is), T_PARTSUCCESS (a lesser value would be
   * used: `value`), or T_FAILURE (not acceptable). Must not change anything.
   */
  check(value: Uint8Array): { status: number; value: Uint8Array };
  /** Apply a value that `check` accepted (possibly the adjusted one). */
  set(value: Uint8Array): void;
}

/**
 * Requests, from the library down to one provider endpoint (one open "stream"). Buffers handed
 * down belong to the caller and are valid only during the call: a provider copies what it keeps.
 */
export interface ProviderEndpoint {
  /** T_INFO_REQ. May change after bind or connect (e.g. a negotiated TSDU size). */
  info(): ProviderInfo;
  /** T_BIND_REQ / O_T_BIND_REQ. Rejects with TADDRBUSY, TBADADDR, TNOADDR, TACCES, TSYSERR... */
  bind(req: BindRequest): Promise<BindAck>;
  /** T_UNBIND_REQ. */
  unbind(): Promise<void>;
  /** T_ADDR_REQ: the bound address (null when unbound) and the peer address (null when not connected). */
  addresses(): { local: Uint8Array | null; remote: Uint8Array | null };
  /**
   * T_CONN_REQ. Resolves on T_OK_ACK (the request was accepted); the outcome arrives later as
   * connCon or disconInd. Rejects with TBADADDR, TBADOPT, TADDRBUSY, TACCES, TSYSERR...
   */
  connect(req: ConnectRequest): Promise<void>;
  /** T_CONN_RES. Rejects with TBADSEQ, TBADOPT, TBADDATA, TRESADDR, TSYSERR... */
  accept(req: AcceptRequest): Promise<void>;
  /** T_DISCON_REQ. Rejects with TBADSEQ, TBADDATA, TSYSERR... */
  disconnect(req: DisconnectRequest): Promise<void>;
  /**
   * T_DATA_REQ with MORE_flag. Returns false if flow control refuses the piece (nothing taken);
   * `writable(false)` follows when it may be retried. A provider accepts a piece whenever its
   * queue is below its high-water mark, even if the piece then exceeds it (STREAMS canput).
   */
  data(buf: Uint8Array, more: boolean): boolean;
  /** T_EXDATA_REQ with MORE_flag; false = flow controlled, `writable(true)` follows. */
  exdata(buf: Uint8Array, more: boolean): boolean;
  /** T_ORDREL_REQ (with release data only if info().ordrelData); false = flow controlled. */
  ordrel(udata: Uint8Array | null): boolean;
  /** T_UNITDATA_REQ; false = flow controlled. Delivery errors come back as uderrorInd. */
  unitdata(req: UnitdataRequest): boolean;
  /**
   * The user has read `bytes` of (expedited) data that this endpoint indicated, or the library
   * discarded them: the provider may open its window or back-enable a flow-controlled sender.
   * Unit data is reported per datagram: one call when a datagram leaves the queue (read to its
   * end, or discarded), with its whole length, also for a zero-length one, so a provider may bound
   * what it reads ahead in datagrams as well as bytes. Datagrams discarded together (t_unbind,
   * t_close) may be reported in one call.
   */
  consumed(bytes: number, expedited: boolean): void;
  /** The options this endpoint manages (called for each t_optmgmt). */
  options(): readonly ProviderOption[];
  /** Close the stream: a connection is aborted or released as the protocol does on close. */
  close(): Promise<void>;
  /**
   * Optional. The user has a call blocked on this endpoint, waiting for an indication (true), or
   * no longer has one (false). A provider whose indications come from outside the process (the
   * network) keeps the process alive while any of its endpoints has a blocked caller, as a C
   * program blocked in t_listen or t_rcv stays alive; when nothing waits, the process may exit.
   */
  userBlocked?(blocked: boolean): void;
}

/**
 * Indications, from a provider endpoint up to the library. Buffers passed up belong to the library
 * from then on. Indications must be raised in protocol order; the library keeps them in a queue.
 * A data piece may be a view into a larger buffer of the provider's that it never writes again,
 * if the view does not start at offset 0 (the library tells a shared buffer by the offset).
 */
export interface ProviderUser {
  /** T_CONN_IND: a connection request, identified by `sequence` until accepted or rejected. */
  connInd(ind: { sequence: number; addr: Uint8Array; opt: Uint8Array; udata: Uint8Array }): void;
  /** T_CONN_CON: our connection request was accepted. */
  connCon(con: { addr: Uint8Array; opt: Uint8Array; udata: Uint8Array }): void;
  /**
   * T_DISCON_IND: the connection (sequence -1) or the connection indication `sequence` is gone.
   * `reason` is protocol specific (the built-in providers use errno values such as ECONNRESET).
   */
  disconInd(ind: { reason: number; sequence: number; udata: Uint8Array }): void;
  /** T_DATA_IND: a piece of a TSDU; `more` = the TSDU continues in a later piece. */
  dataInd(data: Uint8Array, more: boolean): void;
  /** T_EXDATA_IND: a piece of an ETSDU. */
  exdataInd(data: Uint8Array, more: boolean): void;
  /** T_ORDREL_IND (with release data when the provider supports it). */
  ordrelInd(udata: Uint8Array | null): void;
  /** T_UNITDATA_IND. */
  unitdataInd(ind: { addr: Uint8Array; opt: Uint8Array; udata: Uint8Array }): void;
  /** T_UDERROR_IND: a datagram could not be delivered. */
  uderrorInd(ind: { addr: Uint8Array; opt: Uint8Array; error: number }): void;
  /** M_FLUSH (read side): discard queued data and orderly-release indications not yet read. */
  flush(): void;
  /** Flow control on (expedited) data requests has lifted (STREAMS back-enable). */
  writable(expedited: boolean): void;
  /** M_ERROR: a fatal protocol error; every later call on the endpoint fails with TSYSERR/errno. */
  error(errno: number): void;
}

/** A transport provider: a named device that opens endpoints (t_open). */
export interface TransportProvider {
  /** The device name t_open uses, e.g. "/dev/ticots". */
  readonly name: string;
  /**
   * T_OPEN: a new endpoint whose indications go to `user`. Throws ProviderError (TSYSERR with an
   * errno) if the device cannot be opened now.
   */
  open(user: ProviderUser): ProviderEndpoint;
}
