/**
 * The interop tests' own veth/namespace topology (scripts/topology.sh with names of their own, so
 * that the io tests' topology, possibly up in another checkout, is never touched):
 *
 *   root namespace: xtiiu (no IPv4 address; the stack owns 198.18.0.2 with STACK_MAC)
 *   namespace xtiins: xtiik 198.18.0.1/24, the Linux kernel peer (tx checksum offload, TSO, GSO off)
 *
 * `InteropTopology` builds the same shape under other names and another /24 (the loss and attack
 * tests use xtilns/xtilk/xtilu on 198.18.1.0/24, the BBR test xtiqns/xtiqk/xtiqu on
 * 198.18.2.0/24, the segmentation-offload test xtigns/xtigk/xtigu on 198.18.3.0/24), so that
 * suites and benchmarks never share a link or a subnet. The module-level exports are the default topology's, as the older suites use them.
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect } from "chai";
import { requireRoot } from "../../io/helpers/privileges.js";

/** XTI_TAG (a few letters) is appended to every topology name, so two checkouts can run the root tests at once. */
const TAG = process.env["XTI_TAG"] ?? "";

/** Debian's interpreter, which has scapy (the pyenv python3 first on PATH does not). */
export const PYTHON = "/usr/bin/python3";

export interface TopologyNames {
  namespace: string;
  kernelIf: string;
  stackIf: string;
  /** The kernel side's address; the stack's is the next one. */
  kernelIp: string;
  stackIp: string;
  prefixLength: number;
  stackMac: Uint8Array;
}

const script = fileURLToPath(new URL("../../../../scripts/topology.sh", import.meta.url));

export class InteropTopology {
  readonly namespace: string;
  readonly kernelIf: string;
  readonly stackIf: string;
  readonly kernelIp: string;
  readonly stackIp: string;
  readonly prefixLength: number;
  readonly stackMac: Uint8Array;
  private readonly lossTable: string;
  private readonly env: NodeJS.ProcessEnv;

  constructor(names: TopologyNames) {
    ({ namespace: this.namespace, kernelIf: this.kernelIf, stackIf: this.stackIf, kernelIp: this.kernelIp, stackIp: this.stackIp, prefixLength: this.prefixLength, stackMac: this.stackMac } = names);
    this.lossTable = `${names.namespace}loss`;
    this.env = { ...process.env, XTI_NS: this.namespace, XTI_KIF: this.kernelIf, XTI_UIF: this.stackIf, XTI_KERNEL_ADDR: `${this.kernelIp}/${this.prefixLength}` };
  }

  get stackMacText(): string {
    return Array.from(this.stackMac, (b) => b.toString(16).padStart(2, "0")).join(":");
  }

  up(): void {
    execFileSync(script, ["up"], { stdio: "pipe", env: this.env });
  }

  down(): void {
    execFileSync(script, ["down"], { stdio: "pipe", env: this.env });
  }

  /**
   * Registers the suite's hooks: bring the topology up before its tests (or skip without root),
   * and after them run `beforeDown` (closing what still uses the interfaces), tear the topology
   * down and check that nothing is left behind.
   */
  use(beforeDown?: () => void | Promise<void>): void {
    const topology = this as InteropTopology;
    before(function () {
      requireRoot(this);
      topology.up();
    });
    after(async function () {
      await beforeDown?.();
      if (process.getuid?.() !== 0) return;
      topology.down();
      expect(topology.leftovers(), "interfaces or namespaces left behind").to.deep.equal([]);
    });
  }

  /** Run a command in the kernel peer's namespace; returns its stdout. */
  inNamespace(command: string, args: readonly string[]): string {
    return execFileSync("ip", ["netns", "exec", this.namespace, command, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  }

  /**
   * Drop `percent` % of the frames the kernel receives from the stack (or from `source`, or from
   * anyone on the link when it is null), at prerouting, before the kernel's TCP sees them.
   * Dropping on the kernel's receive side, not its send side, matters: at output the kernel's
   * TCP still hands over GSO super-packets, so a drop there loses a burst. For the same reason
   * TSO goes off on the stack's side meanwhile: the stack's super-frames (PACKET_VNET_HDR GSO)
   * are then cut into segments before the veth, as a NIC puts them on a wire, and each segment is
   * dropped on its own.
   */
  kernelReceiveLoss(percent: number, source: string | null = this.stackIp): void {
    execFileSync("ethtool", ["-K", this.stackIf, "tso", "off"], { stdio: "ignore" });
    const match = source === null ? "meta nfproto ipv4" : `ip saddr ${source}`;
    const rules = [
      `table inet ${this.lossTable} {`,
      "  chain pre {",
      "    type filter hook prerouting priority -300; policy accept;",
      `    iifname "${this.kernelIf}" ${match} numgen random mod 100 < ${percent} counter drop`,
      "  }",
      "}",
    ].join("\n");
    execFileSync("ip", ["netns", "exec", this.namespace, "nft", "-f", "-"], { input: rules, stdio: ["pipe", "pipe", "pipe"] });
  }

  /** Packets the loss rule dropped so far. */
  kernelReceiveLossDropped(): number {
    const listing = this.inNamespace("nft", ["list", "table", "inet", this.lossTable]);
    const match = /counter packets (\d+)/.exec(listing);
    if (match === null) throw new Error(`no counter in:\n${listing}`);
    return Number(match[1]);
  }

  removeKernelReceiveLoss(): void {
    execFileSync("ethtool", ["-K", this.stackIf, "tso", "on"], { stdio: "ignore" });
    execFileSync("ip", ["netns", "exec", this.namespace, "nft", "delete", "table", "inet", this.lossTable], { stdio: "pipe" });
  }

  flushKernelNeighbours(): void {
    execFileSync("ip", ["-n", this.namespace, "neigh", "flush", "dev", this.kernelIf]);
  }

  /** The kernel peer's neighbour entry for `ip` (`ip neigh` line), or "" if it has none. */
  kernelNeighbour(ip: string): string {
    return execFileSync("ip", ["-n", this.namespace, "neigh", "show", ip, "dev", this.kernelIf], { encoding: "utf8" }).trim();
  }

  /** Names this topology uses that still exist (for the teardown check). */
  leftovers(): string[] {
    const links = execFileSync("ip", ["-br", "link"], { encoding: "utf8" });
    const namespaces = execFileSync("ip", ["netns", "list"], { encoding: "utf8" });
    return [this.stackIf, this.namespace].filter((name) => new RegExp(`^${name}\\b`, "m").test(links) || new RegExp(`^${name}\\b`, "m").test(namespaces));
  }
}

/**
 * The default interop topology. Its names can be overridden (XTI_INTEROP_NS, XTI_INTEROP_KIF,
 * XTI_INTEROP_UIF; they must start with "xti"), so a checkout can run these tests on names of its own.
 */
export const INTEROP = new InteropTopology({
  namespace: process.env["XTI_INTEROP_NS"] ?? `xtiins${TAG}`,
  kernelIf: process.env["XTI_INTEROP_KIF"] ?? `xtiik${TAG}`,
  stackIf: process.env["XTI_INTEROP_UIF"] ?? `xtiiu${TAG}`,
  kernelIp: "198.18.0.1",
  stackIp: "198.18.0.2",
  prefixLength: 24,
  stackMac: Uint8Array.of(0x02, 0, 0, 0, 0x1e, 0x02),
});

export const NAMESPACE = INTEROP.namespace;
export const KERNEL_IF = INTEROP.kernelIf;
export const STACK_IF = INTEROP.stackIf;
export const KERNEL_IP = INTEROP.kernelIp;
export const STACK_IP = INTEROP.stackIp;
export const PREFIX_LENGTH = INTEROP.prefixLength;
export const STACK_MAC = INTEROP.stackMac;
export const STACK_MAC_TEXT = INTEROP.stackMacText;

export function topologyUp(): void {
  INTEROP.up();
}

export function topologyDown(): void {
  INTEROP.down();
}

export function useInteropTopology(beforeDown?: () => void | Promise<void>): void {
  INTEROP.use(beforeDown);
}

export function inNamespace(command: string, args: readonly string[]): string {
  return INTEROP.inNamespace(command, args);
}

export function kernelReceiveLoss(percent: number): void {
  INTEROP.kernelReceiveLoss(percent);
}

export function kernelReceiveLossDropped(): number {
  return INTEROP.kernelReceiveLossDropped();
}

export function removeKernelReceiveLoss(): void {
  INTEROP.removeKernelReceiveLoss();
}

export function flushKernelNeighbours(): void {
  INTEROP.flushKernelNeighbours();
}

export function kernelNeighbour(ip: string): string {
  return INTEROP.kernelNeighbour(ip);
}

export function leftovers(): string[] {
  return INTEROP.leftovers();
}

/**
 * The topology of the loss and attack suites and of the loss benchmark: its own link and subnet
 * (198.18.1.0/24), so that it can be up at the same time as the default one.
 */
export const LOSS_TOPOLOGY = new InteropTopology({
  namespace: `xtilns${TAG}`,
  kernelIf: `xtilk${TAG}`,
  stackIf: `xtilu${TAG}`,
  kernelIp: "198.18.1.1",
  stackIp: "198.18.1.2",
  prefixLength: 24,
  stackMac: Uint8Array.of(0x02, 0, 0, 0, 0x1e, 0x12),
});

/**
 * The BBR interop suite's topology (198.18.2.0/24), apart from the loss suite's so that both can
 * run at once.
 */
export const BBR_TOPOLOGY = new InteropTopology({
  namespace: `xtiqns${TAG}`,
  kernelIf: `xtiqk${TAG}`,
  stackIf: `xtiqu${TAG}`,
  kernelIp: "198.18.2.1",
  stackIp: "198.18.2.2",
  prefixLength: 24,
  stackMac: Uint8Array.of(0x02, 0, 0, 0, 0x1e, 0x22),
});

/** The AF_PACKET device's segmentation-offload fallback test's topology (198.18.3.0/24). */
export const OFFLOAD_TOPOLOGY = new InteropTopology({
  namespace: `xtigns${TAG}`,
  kernelIf: `xtigk${TAG}`,
  stackIf: `xtigu${TAG}`,
  kernelIp: "198.18.3.1",
  stackIp: "198.18.3.2",
  prefixLength: 24,
  stackMac: Uint8Array.of(0x02, 0, 0, 0, 0x1e, 0x32),
});
