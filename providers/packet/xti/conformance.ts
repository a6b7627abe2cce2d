/**
 * How the conformance suite certifies /dev/rawtcp and /dev/rawudp: two stacks, each serving a
 * target device and a peer device (the connection cases put their callers on the peer's stack).
 *
 * - "rawtcp-mem", "rawudp-mem": both stacks on an in-memory hub of the process, with the seeded
 *   fault injector duplicating and reordering frames both ways (nothing is lost: TCP does not
 *   retransmit a RST, and a case that resets a connection must see it arrive). Every machine.
 * - "rawtcp-veth", "rawudp-veth": the stacks on the two ends of a veth pair the target creates
 *   and removes itself, through AF_PACKET (root). Each stack has a MAC of its own, so the kernel,
 *   which has no address on the pair, drops the frames as not its own.
 */
import { execFileSync } from "node:child_process";
import type { ConformanceTarget, TargetDeclaration, TargetFeatures } from "../../../conformance/types.js";
import { sockaddr_in, T_CLTS, T_COTS_ORD, T_INVALID, T_SENDZERO, unregisterProvider } from "../../../src/spi/index.js";
import { planHost, type RawHostDescription } from "./host-config.js";
import { RawHost } from "./raw-host.js";
import { registerRawHost } from "./register.js";

/** The devices the in-memory targets open, and their hosts (registered by providers/index.ts). */
export const RAW_CONFORMANCE_DEVICES = {
  tcp: "/dev/rawtcp-mem",
  udp: "/dev/rawudp-mem",
  tcpPeer: "/dev/rawtcp-mem-peer",
  udpPeer: "/dev/rawudp-mem-peer",
} as const;

const MEM_ADDRESS = "198.18.254.1";
const MEM_PEER_ADDRESS = "198.18.254.2";
const MEM_FAULTS = { duplicate: 0.02, reorder: 0.02 };

export interface RawHostSpec extends RawHostDescription {
  name: string;
  tcpDevice: string;
  udpDevice: string;
}

/**
 * The two in-memory hosts of the conformance targets: machines of a test network, so they stay up
 * between cases (keepOpen) and a closed listener's late callers are refused, not left unanswered.
 */
export function rawConformanceHosts(): RawHostSpec[] {
  return [
    { name: "conformance", tcpDevice: RAW_CONFORMANCE_DEVICES.tcp, udpDevice: RAW_CONFORMANCE_DEVICES.udp, hub: "xti-conformance", address: `${MEM_ADDRESS}/24`, faults: { seed: 1, tx: MEM_FAULTS, rx: MEM_FAULTS }, keepOpen: true },
    { name: "conformance-peer", tcpDevice: RAW_CONFORMANCE_DEVICES.tcpPeer, udpDevice: RAW_CONFORMANCE_DEVICES.udpPeer, hub: "xti-conformance", address: `${MEM_PEER_ADDRESS}/24`, faults: { seed: 2, tx: MEM_FAULTS, rx: MEM_FAULTS }, keepOpen: true },
  ];
}

// A connect to a stack port nobody listens on is answered with a RST, a caller beyond qlen is
// held in SYN_SENT (its SYN dropped), and a datagram to a closed port comes back as ICMP port
// unreachable, which the sender's stack reports.
// Disconnect reasons are errno values (ECONNREFUSED, ECONNRESET).
const TCP_FEATURES: TargetFeatures = { boundedQueue: true, callerBeyondQlen: "held", refusesUnknownAddress: true, errnoReasons: true };
const UDP_FEATURES: TargetFeatures = { reportsUderr: true };

/** The t_info of the XNS5 Internet appendix, as /dev/tcp and /dev/udp give it (etsdu 1: urgent data). */
function declaration(transport: "tcp" | "udp"): TargetDeclaration {
  if (transport === "tcp") return { protocol: "tcp", servtype: T_COTS_ORD, addr: 16, tsdu: 0, etsdu: 1, connect: T_INVALID, discon: T_INVALID, flags: 0 };
  return { protocol: "udp", servtype: T_CLTS, addr: 16, tsdu: 65507, etsdu: T_INVALID, connect: T_INVALID, discon: T_INVALID, flags: T_SENDZERO };
}

const VETH_ADDRESS = "198.18.253.1";
const VETH_PEER_ADDRESS = "198.18.253.2";

/** The veth pair of one process's run: names start with xtir (this package's prefix for it). */
function vethNames(): [string, string] {
  const id = process.pid.toString(36);
  return [`xtir${id}a`, `xtir${id}b`];
}

function ip(args: string[]): void {
  execFileSync("ip", args, { stdio: "pipe" });
}

/** The veth targets' set-up: the pair, and the devices on its two ends. */
class VethRig {
  private users = 0;
  private devices: string[] = [];
  private hosts: RawHostSpec[] = [];

  available(): true | string {
    if (process.getuid?.() !== 0) return "needs root (CAP_NET_ADMIN for the veth pair, CAP_NET_RAW for AF_PACKET)";
    try {
      execFileSync("ip", ["-V"], { stdio: "pipe" });
    } catch {
      return "needs the ip command (iproute2)";
    }
    return true;
  }

  async setup(): Promise<void> {
    if (this.users++ > 0) return;
    const [a, b] = vethNames();
    ip(["link", "add", a, "type", "veth", "peer", "name", b]);
    for (const name of [a, b]) {
      execFileSync("sysctl", ["-qw", `net.ipv6.conf.${name}.disable_ipv6=1`], { stdio: "pipe" }); // no IPv6 chatter on the pair
      ip(["link", "set", name, "up"]);
    }
    this.hosts = [
      { name: "conformance-veth", tcpDevice: "/dev/rawtcp-veth", udpDevice: "/dev/rawudp-veth", interface: a, address: `${VETH_ADDRESS}/24`, mac: "02:00:c6:12:fd:01", keepOpen: true },
      { name: "conformance-veth-peer", tcpDevice: "/dev/rawtcp-veth-peer", udpDevice: "/dev/rawudp-veth-peer", interface: b, address: `${VETH_PEER_ADDRESS}/24`, mac: "02:00:c6:12:fd:02", keepOpen: true },
    ];
    this.devices = this.hosts.flatMap((h) => registerRawHost(h));
  }

  async teardown(): Promise<void> {
    if (--this.users > 0) return;
    for (const d of this.devices) unregisterProvider(d);
    this.devices = [];
    // A connection still finishing its release keeps a host open: the pair is going, so close it now.
    for (const h of this.hosts) await RawHost.shutdown(planHost(h.name, h).key);
    this.hosts = [];
    try {
      ip(["link", "del", vethNames()[0]]);
    } catch {
      // already gone
    }
  }
}

const veth = new VethRig();

export function rawConformanceTargets(): ConformanceTarget[] {
  const memory = (transport: "tcp" | "udp"): ConformanceTarget => ({
    name: `raw${transport}-mem`,
    device: transport === "tcp" ? RAW_CONFORMANCE_DEVICES.tcp : RAW_CONFORMANCE_DEVICES.udp,
    peerDevice: transport === "tcp" ? RAW_CONFORMANCE_DEVICES.tcpPeer : RAW_CONFORMANCE_DEVICES.udpPeer,
    description: `the user-space ${transport.toUpperCase()} on two stacks over an in-memory hub (seeded duplication and reordering)`,
    features: transport === "tcp" ? TCP_FEATURES : UDP_FEATURES,
    bindAddress: () => sockaddr_in(MEM_ADDRESS, 0),
    // Frames cross the hub in microseconds (a reordered one waits 20 ms at most): 3 s is ample,
    // and it is also how long Q2.tqfull watches a caller beyond qlen not being indicated.
    eventTimeoutMs: 3000,
    declared: declaration(transport),
    // The hosts stay up between cases (keepOpen); close them once the target's run is over.
    teardown: async () => {
      for (const h of rawConformanceHosts()) await RawHost.shutdown(planHost(h.name, h).key);
    },
  });
  const overVeth = (transport: "tcp" | "udp"): ConformanceTarget => ({
    name: `raw${transport}-veth`,
    device: `/dev/raw${transport}-veth`,
    peerDevice: `/dev/raw${transport}-veth-peer`,
    description: `the user-space ${transport.toUpperCase()} on two stacks at the ends of a veth pair (AF_PACKET)`,
    features: transport === "tcp" ? TCP_FEATURES : UDP_FEATURES,
    bindAddress: () => sockaddr_in(VETH_ADDRESS, 0),
    eventTimeoutMs: 3000, // frames cross a veth in well under a millisecond
    declared: declaration(transport),
    available: async () => veth.available(),
    setup: () => veth.setup(),
    teardown: () => veth.teardown(),
  });
  return [memory("tcp"), memory("udp"), overVeth("tcp"), overVeth("udp")];
}
