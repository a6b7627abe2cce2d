/**
 * One user-space host on a real interface: the AF_PACKET device, optionally wrapped by the seeded
 * fault injector and the pcap writer, under a Stack with the TCP engine registered. This is the
 * composition the command-line program, the interop tests and the benchmark share; it adds no
 * behaviour of its own beyond opening the layers in order and closing them in reverse.
 */
import { RealClock, type Clock } from "../clock.js";
import { AfPacketDevice, type AfPacketStats } from "../link/afpacket.js";
import type { LinkDevice } from "../link/device.js";
import { FaultInjector, type FaultInjectorConfig, type FaultStats } from "../link/faults.js";
import { PcapDevice } from "../link/pcap.js";
import { CryptoRandom, SeededRandom, type Random } from "../random.js";
import { Stack } from "../stack/stack.js";
import type { TcpConfig } from "../stack/tcp/config.js";
import { TcpEngine } from "../stack/tcp/engine.js";
import type { EngineStats } from "../stack/tcp/types.js";
import { IPPROTO_TCP } from "../stack/transport-host.js";

export interface HostOptions {
  ifname: string;
  /** Our IPv4 address in dotted-quad form. */
  address: string;
  prefixLength: number;
  /** Our MAC; default the interface's own (a different one turns promiscuous reception on). */
  mac?: Uint8Array;
  gateway?: string;
  /** Put the fault injector between the device and the stack, seeded with `seed`. */
  faults?: FaultInjectorConfig & { seed: number };
  /** Record every frame (after faults on receive, before faults on send) in this pcap file. */
  pcapFile?: string;
  tcp?: Partial<TcpConfig>;
  /** Randomness of the stack (ISN secret, ports, IP ID). Default: CryptoRandom. */
  random?: Random;
  clock?: Clock;
}

/** Everything a host counts, grouped by layer (what `--stats` prints). */
export interface HostStats {
  device: AfPacketStats;
  faults: { tx: FaultStats; rx: FaultStats } | null;
  stack: Stack["counters"];
  tcp: EngineStats;
}

export class UserHost {
  private closing: Promise<void> | undefined;

  private constructor(
    readonly device: AfPacketDevice,
    readonly faults: FaultInjector | null,
    readonly stack: Stack,
    readonly tcp: TcpEngine,
  ) {}

  static async open(options: HostOptions): Promise<UserHost> {
    const device = await AfPacketDevice.open(options.mac === undefined ? { ifname: options.ifname } : { ifname: options.ifname, mac: options.mac });
    const clock = options.clock ?? new RealClock();
    try {
      let link: LinkDevice = device;
      let faults: FaultInjector | null = null;
      if (options.faults !== undefined) {
        const { seed, ...config } = options.faults;
        faults = new FaultInjector(link, clock, new SeededRandom(seed), config);
        link = faults;
      }
      if (options.pcapFile !== undefined) link = new PcapDevice(link, { file: options.pcapFile });
      const stack = new Stack(link, clock, options.random ?? new CryptoRandom(), {
        address: options.address,
        prefixLength: options.prefixLength,
        ...(options.gateway === undefined ? {} : { gateway: options.gateway }),
      });
      const tcp = new TcpEngine(stack, options.tcp ?? {});
      stack.registerProtocol(IPPROTO_TCP, tcp);
      return new UserHost(device, faults, stack, tcp);
    } catch (err) {
      await device.close();
      throw err;
    }
  }

  stats(): HostStats {
    return {
      device: this.device.stats(),
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
