/**
 * One user-space host: a LinkDevice, optionally wrapped by the seeded fault injector and the pcap
 * writer, under a Stack with the TCP engine registered. This is the one composition every user of
 * the stack shares: xti-nc, the XTI provider and the benchmark over AF_PACKET on a real interface,
 * the deterministic tests and the conformance suite over the in-memory hub. It adds no behaviour
 * of its own beyond building the layers in order and closing them in reverse.
 */
import { RealClock, type Clock } from "./clock.js";
import { AfPacketDevice, type AfPacketOptions } from "./link/afpacket.js";
import type { LinkDevice, LinkStats } from "./link/device.js";
import { FaultInjector, type FaultInjectorConfig, type FaultStats } from "./link/faults.js";
import { PcapDevice, type PcapOptions } from "./link/pcap.js";
import { CryptoRandom, SeededRandom, type Random } from "./random.js";
import { Stack, type StackConfig } from "./stack/stack.js";
import { resolveTcpConfig, type TcpConfig } from "./stack/tcp/config.js";
import { TcpEngine } from "./stack/tcp/engine.js";
import type { EngineStats } from "./stack/tcp/types.js";
import { IPPROTO_TCP } from "./stack/transport-host.js";

/** The host's own parameters: the stack's (address, prefix, gateway...) and what wraps the device. */
export interface HostConfig extends StackConfig {
  /** Put the fault injector between the device and the stack, with its own Random seeded with `seed`. */
  faults?: FaultInjectorConfig & { seed: number };
  /** Record every frame (after faults on receive, before faults on send), to a file or a sink. */
  pcap?: PcapOptions;
  tcp?: Partial<TcpConfig>;
  /** Randomness of the stack (ISN secret, ephemeral ports, IP ID). Default: CryptoRandom. */
  random?: Random;
  /** Default: RealClock. Over the in-memory hub, the hub's clock. */
  clock?: Clock;
}

/** A host on a real interface: the AF_PACKET device's options (interface, our MAC, ring) and the host's. */
export interface AfPacketHostConfig extends HostConfig, AfPacketOptions {}

/** Everything a host counts, grouped by layer (what `xti-nc --stats` prints). */
export interface HostStats<S extends LinkStats = LinkStats> {
  device: S;
  faults: { tx: FaultStats; rx: FaultStats } | null;
  stack: Stack["counters"];
  tcp: EngineStats;
}

export class UserHost<D extends LinkDevice = LinkDevice> {
  private closing: Promise<void> | undefined;

  private constructor(
    /** The device itself, below any wrapper (an AfPacketDevice offers ref()/unref()). */
    readonly device: D,
    readonly faults: FaultInjector | null,
    readonly stack: Stack,
    readonly tcp: TcpEngine,
  ) {}

  /**
   * A host over any device: the in-memory hub's ports, an AF_PACKET device, a test double. The
   * host owns the device from then on (close() closes it). A bad configuration throws (RangeError)
   * after starting to close what was built, the device included.
   */
  static over<D extends LinkDevice>(device: D, config: HostConfig): UserHost<D> {
    const { faults: faultConfig, pcap, tcp: tcpConfig, random, clock: givenClock, ...stackConfig } = config;
    const clock = givenClock ?? new RealClock();
    let link: LinkDevice = device;
    try {
      const tcpSettings = resolveTcpConfig(tcpConfig); // checked before anything is attached
      let faults: FaultInjector | null = null;
      if (faultConfig !== undefined) {
        const { seed, ...directions } = faultConfig;
        faults = new FaultInjector(link, clock, new SeededRandom(seed), directions);
        link = faults;
      }
      if (pcap !== undefined) link = new PcapDevice(link, pcap);
      const stack = new Stack(link, clock, random ?? new CryptoRandom(), stackConfig);
      const tcp = new TcpEngine(stack, tcpSettings);
      stack.registerProtocol(IPPROTO_TCP, tcp);
      return new UserHost(device, faults, stack, tcp);
    } catch (err) {
      link.close().catch(() => undefined);
      throw err;
    }
  }

  /** A host on a real interface through AF_PACKET. Rejects with the device's OsError (EPERM, ENODEV...). */
  static async openAfPacket(config: AfPacketHostConfig): Promise<UserHost<AfPacketDevice>> {
    const host = UserHost.openAfPacketNow(config);
    try {
      await host.device.ready;
    } catch (err) {
      await host.close();
      throw err;
    }
    return host;
  }

  /**
   * The same, synchronously (for t_open, which cannot wait): the device's OsError (EPERM,
   * ENODEV...) or a RangeError for a bad configuration is thrown here, and `host.device.ready`
   * settles once the receive worker runs.
   */
  static openAfPacketNow(config: AfPacketHostConfig): UserHost<AfPacketDevice> {
    const { ifname, mac, ringSlots, batch, receiveBufferBytes, offloads, qdiscBypass, ...hostConfig } = config;
    const device = AfPacketDevice.openNow({
      ifname,
      ...(mac === undefined ? {} : { mac }),
      ...(ringSlots === undefined ? {} : { ringSlots }),
      ...(batch === undefined ? {} : { batch }),
      ...(receiveBufferBytes === undefined ? {} : { receiveBufferBytes }),
      ...(offloads === undefined ? {} : { offloads }),
      ...(qdiscBypass === undefined ? {} : { qdiscBypass }),
    });
    return UserHost.over(device, hostConfig); // closes the device itself if the configuration is bad
  }

  stats(): HostStats<ReturnType<D["stats"]>> {
    return {
      device: this.device.stats() as ReturnType<D["stats"]>,
      faults: this.faults === null ? null : { tx: { ...this.faults.txFaults }, rx: { ...this.faults.rxFaults } },
      stack: this.stack.counters,
      tcp: this.tcp.stats(),
    };
  }

  /** Abort what is left of TCP, then close the stack and (through it) every wrapper and the device. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.tcp.close();
      await this.stack.close();
    })();
    return this.closing;
  }
}
