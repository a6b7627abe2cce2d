/**
 * The loopback transport providers (the illumos tl driver's TLI transports): /dev/ticots
 * (T_COTS), /dev/ticotsord (T_COTS_ORD) and /dev/ticlts (T_CLTS), plus configurable instances
 * for tests and experiments (small TSDU/ETSDU limits, small queues, TIDU sizes).
 */
import { T_CLTS, T_COTS, T_COTS_ORD, T_INFINITE, T_INVALID, type ProviderEndpoint, type ProviderInfo, type ProviderUser, type TransportProvider } from "../../src/spi/index.js";
import { LoopEndpoint } from "./endpoint.js";
import { LoopNamespace } from "./namespace.js";

/** tl's TIDU (strmsgsz, or 64 KiB when unset). */
export const TL_TIDUSZ = 65536;
/** tl's largest connection-indication queue (TL_MAXQLEN). */
export const TL_MAXQLEN = 128;

export interface LoopbackConfig {
  /** Device name, e.g. "/dev/ticots". */
  name: string;
  servtype: typeof T_COTS | typeof T_COTS_ORD | typeof T_CLTS;
  /** Maximum TSDU (default T_INFINITE; ticlts: the TIDU). */
  tsdu?: number;
  /** Maximum ETSDU (default T_INFINITE; ticlts: T_INVALID). */
  etsdu?: number;
  /** Maximum connect data (default T_INFINITE; ticlts: T_INVALID). */
  connect?: number;
  /** Maximum disconnect data (default T_INFINITE; ticlts: T_INVALID). */
  discon?: number;
  /** Largest piece per data request (default 64 KiB). */
  tidu?: number;
  /** Receive high-water mark in bytes of unread normal data, XTI_RCVBUF's default (default 64 KiB). */
  rcvbuf?: number;
  /** Receive high-water mark for unread expedited data (default 64 KiB). */
  exrcvbuf?: number;
  /** Largest qlen a bind may negotiate (default 128). */
  maxQlen?: number;
  /**
   * A caller that finds the listener's queue full waits, unindicated, until there is room (as a
   * TCP listen backlog makes it retry), instead of being refused at once as tl refuses it
   * (default false).
   */
  holdCallersBeyondQlen?: boolean;
  /** Zero-length units allowed (default true, T_SENDZERO). */
  sendZero?: boolean;
  /** Orderly release carries data (default false, as tl). */
  ordrelData?: boolean;
  /**
   * Share the address space of another loopback provider of the same service type, so endpoints
   * of the two can call each other (a second device for cross-provider tests).
   */
  addressSpaceOf?: LoopbackProvider;
}

export type ResolvedLoopbackConfig = Required<Omit<LoopbackConfig, "addressSpaceOf">>;

export class LoopbackProvider implements TransportProvider {
  readonly config: ResolvedLoopbackConfig;
  readonly namespace: LoopNamespace<LoopEndpoint>;
  private readonly infoAck: ProviderInfo;

  constructor(config: LoopbackConfig) {
    const shared = config.addressSpaceOf;
    if (shared !== undefined && shared.config.servtype !== config.servtype) throw new RangeError("a shared address space needs the same service type");
    this.namespace = shared?.namespace ?? new LoopNamespace<LoopEndpoint>();
    const clts = config.servtype === T_CLTS;
    const tidu = config.tidu ?? TL_TIDUSZ;
    this.config = {
      name: config.name,
      servtype: config.servtype,
      tsdu: config.tsdu ?? (clts ? tidu : T_INFINITE),
      etsdu: config.etsdu ?? (clts ? T_INVALID : T_INFINITE),
      connect: config.connect ?? (clts ? T_INVALID : T_INFINITE),
      discon: config.discon ?? (clts ? T_INVALID : T_INFINITE),
      tidu,
      rcvbuf: config.rcvbuf ?? 65536,
      exrcvbuf: config.exrcvbuf ?? 65536,
      maxQlen: config.maxQlen ?? TL_MAXQLEN,
      holdCallersBeyondQlen: config.holdCallersBeyondQlen ?? false,
      sendZero: config.sendZero ?? true,
      ordrelData: config.ordrelData ?? false,
    };
    const c = this.config;
    this.infoAck = {
      addr: T_INFINITE,
      options: T_INFINITE,
      tsdu: c.tsdu,
      etsdu: c.etsdu,
      connect: c.connect,
      discon: c.discon,
      servtype: c.servtype,
      tidu: c.tidu,
      sendZero: c.sendZero,
      ordrelData: c.ordrelData,
      expInline: false,
      legacyOptmgmtOnlyIdle: true,
    };
  }

  get name(): string {
    return this.config.name;
  }

  info(): ProviderInfo {
    return { ...this.infoAck };
  }

  open(user: ProviderUser): ProviderEndpoint {
    return new LoopEndpoint(this, user);
  }
}

export function createLoopbackProvider(config: LoopbackConfig): LoopbackProvider {
  return new LoopbackProvider(config);
}
