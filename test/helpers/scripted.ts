/**
 * A scripted provider: a test double whose endpoints record the requests they get and let the
 * test raise any indication at any moment, deterministically (conformance-rules.md: the way to
 * test TLOOK races without a network).
 */
import {
  type AcceptRequest,
  type BindAck,
  type BindRequest,
  type ConnectRequest,
  type DisconnectRequest,
  ProviderError,
  type ProviderEndpoint,
  type ProviderInfo,
  type ProviderOption,
  type ProviderUser,
  type TransportProvider,
  type UnitdataRequest,
  T_COTS_ORD,
  T_INFINITE,
} from "../../src/index.js";

export type Request =
  | { kind: "bind"; req: BindRequest }
  | { kind: "unbind" }
  | { kind: "connect"; req: ConnectRequest }
  | { kind: "accept"; req: AcceptRequest }
  | { kind: "disconnect"; req: DisconnectRequest }
  | { kind: "data"; buf: Uint8Array; more: boolean }
  | { kind: "exdata"; buf: Uint8Array; more: boolean }
  | { kind: "ordrel"; udata: Uint8Array | null }
  | { kind: "unitdata"; req: UnitdataRequest }
  | { kind: "consumed"; bytes: number; expedited: boolean }
  | { kind: "close" }
  | { kind: "userBlocked"; blocked: boolean };

export class ScriptedEndpoint implements ProviderEndpoint {
  readonly requests: Request[] = [];
  /** Make the next data requests fail flow control while true. */
  flowControlled = false;
  /** Error the next acknowledged request with this. */
  nextError: ProviderError | null = null;
  local: Uint8Array | null = null;
  remote: Uint8Array | null = null;
  /** Fields of t_info the provider reports changed from now on (a negotiated size, say). */
  infoChange: Partial<ProviderInfo> = {};
  /** How many times the library asked for the info (T_INFO_REQ). */
  infoRequests = 0;

  constructor(
    readonly user: ProviderUser,
    private readonly infoAck: ProviderInfo,
  ) {}

  private ack(): void {
    const e = this.nextError;
    this.nextError = null;
    if (e !== null) throw e;
  }

  info(): ProviderInfo {
    this.infoRequests++;
    return { ...this.infoAck, ...this.infoChange };
  }
  async bind(req: BindRequest): Promise<BindAck> {
    this.requests.push({ kind: "bind", req });
    this.ack();
    this.local = req.addr ?? new Uint8Array([1, 2, 3, 4]);
    return { addr: this.local, qlen: req.qlen };
  }
  async unbind(): Promise<void> {
    this.requests.push({ kind: "unbind" });
    this.ack();
  }
  addresses(): { local: Uint8Array | null; remote: Uint8Array | null } {
    return { local: this.local, remote: this.remote };
  }
  async connect(req: ConnectRequest): Promise<void> {
    this.requests.push({ kind: "connect", req });
    this.ack();
  }
  async accept(req: AcceptRequest): Promise<void> {
    this.requests.push({ kind: "accept", req });
    this.ack();
  }
  async disconnect(req: DisconnectRequest): Promise<void> {
    this.requests.push({ kind: "disconnect", req });
    this.ack();
  }
  data(buf: Uint8Array, more: boolean): boolean {
    if (this.flowControlled) return false;
    this.requests.push({ kind: "data", buf: buf.slice(), more });
    return true;
  }
  exdata(buf: Uint8Array, more: boolean): boolean {
    if (this.flowControlled) return false;
    this.requests.push({ kind: "exdata", buf: buf.slice(), more });
    return true;
  }
  ordrel(udata: Uint8Array | null): boolean {
    if (this.flowControlled) return false;
    this.requests.push({ kind: "ordrel", udata });
    return true;
  }
  unitdata(req: UnitdataRequest): boolean {
    if (this.flowControlled) return false;
    this.requests.push({ kind: "unitdata", req });
    return true;
  }
  consumed(bytes: number, expedited: boolean): void {
    this.requests.push({ kind: "consumed", bytes, expedited });
  }
  options(): readonly ProviderOption[] {
    return [];
  }
  async close(): Promise<void> {
    this.requests.push({ kind: "close" });
  }
  userBlocked(blocked: boolean): void {
    this.requests.push({ kind: "userBlocked", blocked });
  }
}

/** A provider whose endpoints are ScriptedEndpoints; `endpoints` lists them in open order. */
export class ScriptedProvider implements TransportProvider {
  readonly endpoints: ScriptedEndpoint[] = [];
  constructor(
    readonly name: string,
    readonly info: Partial<ProviderInfo> = {},
  ) {}
  open(user: ProviderUser): ProviderEndpoint {
    const info: ProviderInfo = {
      addr: 16,
      options: 64,
      tsdu: T_INFINITE,
      etsdu: T_INFINITE,
      connect: T_INFINITE,
      discon: T_INFINITE,
      servtype: T_COTS_ORD,
      tidu: 65536,
      sendZero: true,
      ordrelData: false,
      expInline: false,
      ...this.info,
    };
    const ep = new ScriptedEndpoint(user, info);
    this.endpoints.push(ep);
    return ep;
  }
  /** The most recently opened endpoint. */
  get last(): ScriptedEndpoint {
    const ep = this.endpoints[this.endpoints.length - 1];
    if (ep === undefined) throw new Error("no endpoint opened");
    return ep;
  }
}

export { ProviderError };
