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

/**
 * The configuration of a loopback provider (createLoopbackProvider): a device name, a service
 * type, and limits that default to those of the illumos tl driver. A loopback provider moves data
 * between endpoints of the same process, keeping TSDU boundaries, expedited data, orderly release
 * and flow control as a network transport would; its addresses are byte strings of any length.
 */
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
  /**
   * Receive high-water mark in bytes of unread normal data, XTI_RCVBUF's default (default 64 KiB).
   * A sender held off there goes on once the receiver has read down to half of it.
   */
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

/** Reject a configuration the provider cannot serve, naming the field (RangeError). */
function checkConfig(config: LoopbackConfig): void {
  if (typeof config !== "object" || config === null) throw new RangeError("the configuration is not an object");
  if (typeof config.name !== "string" || !config.name.startsWith("/")) throw new RangeError("name must be a device path such as /dev/myloop");
  if (config.servtype !== T_COTS && config.servtype !== T_COTS_ORD && config.servtype !== T_CLTS) throw new RangeError("servtype must be T_COTS, T_COTS_ORD or T_CLTS");
  const integer = (v: unknown): boolean => typeof v === "number" && Number.isInteger(v);
  for (const key of ["tsdu", "etsdu", "connect", "discon"] as const) {
    const v = config[key];
    if (v !== undefined && (!integer(v) || v < T_INVALID)) throw new RangeError(`${key} must be a size, T_INFINITE or T_INVALID`);
  }
  for (const key of ["tidu", "rcvbuf", "exrcvbuf", "maxQlen"] as const) {
    const v = config[key];
    if (v !== undefined && (!integer(v) || v < 1)) throw new RangeError(`${key} must be a positive integer`);
  }
  for (const key of ["sendZero", "ordrelData"] as const) {
    const v = config[key];
    if (v !== undefined && typeof v !== "boolean") throw new RangeError(`${key} must be true or false`);
  }
  if (config.addressSpaceOf !== undefined && !(config.addressSpaceOf instanceof LoopbackProvider)) throw new RangeError("addressSpaceOf must be a loopback provider");
}

export type ResolvedLoopbackConfig = Required<Omit<LoopbackConfig, "addressSpaceOf">>;

/** A loopback transport provider (see createLoopbackProvider); register it with registerProvider. */
export class LoopbackProvider implements TransportProvider {
  /** @internal The configuration with every default filled in. */
  readonly config: ResolvedLoopbackConfig;
  /** @internal The bound addresses (shared by providers created with addressSpaceOf). */
  readonly namespace: LoopNamespace<LoopEndpoint>;
  private readonly infoAck: ProviderInfo;

  constructor(config: LoopbackConfig) {
    checkConfig(config);
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

  /** @internal The t_info every endpoint of this provider reports. */
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
