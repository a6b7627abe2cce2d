/**
 * The live user-space hosts behind /dev/rawtcp and /dev/rawudp: one UserHost (one stack) per link
 * and address, opened by the first t_open of any device it serves and closed once its last
 * endpoint is closed and none of its connections is still open (one finishing its orderly release
 * would otherwise be reset), so nothing outlives its users. A closed host is a machine gone: a
 * caller that reaches its address afterwards gets no answer, not a refusal (unless the host was
 * described `keepOpen`: it then stays up until shut down).
 *
 * Process lifetime. The stack's timers and the AF_PACKET receive worker never keep the process
 * alive by themselves; a host does, as long as its users wait for the network the way a program
 * waits for a socket: while a call is blocked on one of its endpoints (the library's userBlocked
 * hint), while an endpoint listens, and while a connection has something of ours outstanding (a
 * connect under way, data or a FIN not yet acknowledged, also after t_close). (The AF_PACKET
 * device holds it while its receive worker starts, which a t_bind waits for.) An idle host with
 * nothing pending lets the process exit.
 */
import { EBUSY, EINVAL, EIO, ProviderError, errnoFromName } from "../../../src/spi/index.js";
import { OsError } from "../../native/ffi/os-error.js";
import { RealClock } from "../clock.js";
import { UserHost, type HostConfig } from "../host.js";
import { MemoryHub } from "../link/memory.js";
import type { TcpConnection } from "../stack/tcp/connection.js";
import { TcpState } from "../stack/tcp/types.js";
import type { HostPlan } from "./host-config.js";

const clock = new RealClock();

/**
 * Bytes indicated to the library and not yet read that leave a connection's receive window open:
 * the stream head's share, as under STREAMS, where data sent up leaves the transport and the
 * stream head's own high-water mark holds it back (TcpConfig.unreadAllowance).
 */
export const UNREAD_ALLOWANCE = 64 * 1024;
/** The in-memory hubs of this process, by name (a hub with no port holds nothing). */
const hubs = new Map<string, MemoryHub>();
/** Open hosts, by HostPlan.key. */
const live = new Map<string, RawHost>();

/** How a host's open failed, as the TSYSERR errno t_open reports. */
function openFailure(plan: HostPlan, err: unknown): ProviderError {
  const where = plan.link.kind === "interface" ? `interface ${plan.link.ifname}` : `hub ${plan.link.hub}`;
  const why = err instanceof Error ? err.message : String(err);
  let errno = EIO;
  if (err instanceof OsError) errno = err.errno;
  else if (err instanceof RangeError || err instanceof TypeError) errno = EINVAL;
  else if (typeof err === "object" && err !== null && typeof (err as { code?: unknown }).code === "string") errno = errnoFromName((err as { code: string }).code);
  return new ProviderError("TSYSERR", errno, `${plan.label}: cannot open ${where}: ${why}`);
}

/** A ref'd timer: the one handle that keeps the event loop alive while a host is needed. */
class KeepAlive {
  private handle: NodeJS.Timeout | null = null;
  set(on: boolean): void {
    if (on && this.handle === null) this.handle = setInterval(() => undefined, 1 << 30);
    else if (!on && this.handle !== null) {
      clearInterval(this.handle);
      this.handle = null;
    }
  }
}

interface Waiter {
  conn: TcpConnection;
  done: () => void;
}

export class RawHost {
  private endpoints = 0;
  private blocked = 0;
  private listening = 0;
  private readonly keepAlive = new KeepAlive();
  private readonly waiters = new Set<Waiter>();
  private closing: Promise<void> | null = null;
  private closeScheduled = false;

  private constructor(
    readonly plan: HostPlan,
    readonly host: UserHost,
    /** Settles when the link delivers frames (the AF_PACKET receive worker runs); rejects if it cannot. */
    private readonly linkReady: Promise<void>,
  ) {
    host.tcp.onActivity = () => this.activity();
  }

  /**
   * The live host for `plan`, opened now if there is none, with one more endpoint attached.
   * Throws ProviderError: TSYSERR with the errno of what failed (EPERM, ENODEV...), or EBUSY when
   * the link and address already carry a host described otherwise.
   */
  static acquire(plan: HostPlan): RawHost {
    let host = live.get(plan.key);
    if (host !== undefined && host.plan.fingerprint !== plan.fingerprint) {
      throw new ProviderError("TSYSERR", EBUSY, `${plan.label}: ${plan.key} is already served by ${host.plan.label}, described otherwise`);
    }
    if (host === undefined) {
      host = RawHost.open(plan);
      live.set(plan.key, host);
    }
    host.endpoints++;
    return host;
  }

  private static open(plan: HostPlan): RawHost {
    const config: HostConfig = {
      address: plan.address,
      prefixLength: plan.prefixLength,
      ...(plan.gateway === undefined ? {} : { gateway: plan.gateway }),
      ...(plan.faults === undefined ? {} : { faults: plan.faults }),
      ...(plan.pcap === undefined ? {} : { pcap: { file: plan.pcap } }),
      // The library queues what is indicated and not yet read, as a stream head does: up to
      // UNREAD_ALLOWANCE of it leaves the receive window open (docs/perf/stream-read.md).
      tcp: { unreadAllowance: UNREAD_ALLOWANCE, ...plan.tcp },
      clock,
    };
    try {
      if (plan.link.kind === "interface") {
        const host = UserHost.openAfPacketNow({ ...config, ifname: plan.link.ifname, ...(plan.mac === undefined ? {} : { mac: plan.mac }) });
        return new RawHost(plan, host, host.device.ready);
      }
      let hub = hubs.get(plan.link.hub);
      if (hub === undefined) {
        hub = new MemoryHub(clock);
        hubs.set(plan.link.hub, hub);
      }
      return new RawHost(plan, UserHost.over(hub.attach(plan.mac!), config), Promise.resolve());
    } catch (err) {
      throw openFailure(plan, err);
    }
  }

  /** The live host with this key (HostPlan.key), if one is open. */
  static find(key: string): RawHost | undefined {
    return live.get(key);
  }

  /**
   * Close the live host with this key now, whatever still uses it: its connections are reset and
   * its endpoints fail from then on (for tearing down a link that is about to disappear).
   */
  static async shutdown(key: string): Promise<void> {
    await live.get(key)?.closeIfUnused(true);
  }

  /** Resolves once frames flow; rejects with TSYSERR if the link could not start. */
  async ready(): Promise<void> {
    try {
      await this.linkReady;
    } catch (err) {
      throw openFailure(this.plan, err);
    }
  }

  /** A user is blocked in a call on one of this host's endpoints (true), or no longer (false). */
  blockedCall(on: boolean): void {
    this.blocked += on ? 1 : -1;
    this.updateKeepAlive();
  }

  /** An endpoint started (true) or stopped (false) listening. */
  listener(on: boolean): void {
    this.listening += on ? 1 : -1;
    this.updateKeepAlive();
  }

  /**
   * Resolve once `conn` has nothing outstanding or is over, or after `ms` (a lingering close).
   * The process stays alive meanwhile: the connection is busy.
   */
  settled(conn: TcpConnection, ms: number): Promise<void> {
    if (!conn.outstanding) return Promise.resolve();
    return new Promise((resolve) => {
      // The clock waits out a time longer than one setTimeout can (a linger of over 24.8 days).
      const timer = ms === Infinity ? null : clock.setTimer(ms, () => finish());
      const waiter: Waiter = { conn, done: () => finish() };
      const finish = (): void => {
        timer?.cancel();
        this.waiters.delete(waiter);
        resolve();
      };
      this.waiters.add(waiter);
    });
  }

  /** One endpoint is gone. Resolves when the host has closed, if that was the last thing using it. */
  detach(): Promise<void> {
    this.endpoints--;
    return this.closeIfUnused();
  }

  private activity(): void {
    this.updateKeepAlive();
    for (const w of [...this.waiters]) if (!w.conn.outstanding || w.conn.state === TcpState.CLOSED) w.done();
    // This runs inside the stack's own processing: closing the stack must wait until it returns.
    if (this.endpoints === 0 && !this.closeScheduled) {
      this.closeScheduled = true;
      setImmediate(() => {
        this.closeScheduled = false;
        void this.closeIfUnused();
      });
    }
  }

  private updateKeepAlive(): void {
    const waiting = this.blocked > 0 || this.listening > 0 || this.host.tcp.busyConnections > 0;
    this.keepAlive.set(this.closing === null && waiting);
  }

  private closeIfUnused(force = false): Promise<void> {
    if (this.closing !== null) return this.closing;
    if (!force && (this.endpoints > 0 || this.host.tcp.openConnections > 0 || this.plan.keepOpen === true)) return Promise.resolve();
    if (live.get(this.plan.key) === this) live.delete(this.plan.key);
    this.keepAlive.set(false);
    this.host.tcp.onActivity = null;
    for (const w of [...this.waiters]) w.done();
    this.closing = this.host.close();
    return this.closing;
  }
}
