/**
 * What a user-space host serving /dev/rawtcp and /dev/rawudp is, given in code (registerRawHost)
 * or by an @host line of the netconfig file (the parameters netconfig has no column for):
 *
 *   @host lab  devices=/dev/rawtcp,/dev/rawudp  interface=eth1  address=198.18.0.2/24
 *              [gateway=198.18.0.1] [mac=02:00:00:00:00:02] [loss=PERCENT seed=N] [pcap=FILE]
 *
 *   interface=IFNAME   a network interface, through an AF_PACKET socket (root or CAP_NET_RAW)
 *   hub=NAME           or an in-memory Ethernet segment of this process, shared by every host
 *                      that names it (no privileges; deterministic tests, two stacks in one process)
 *   address=A.B.C.D/P  the host's IPv4 address and on-link prefix length (required)
 *   gateway=A.B.C.D    default gateway, inside the prefix
 *   mac=XX:XX:...      the host's MAC; default: the interface's own, or 02:00 + the address on a hub
 *   loss=PERCENT       the seeded fault injector drops PERCENT % of the frames each way (seed=N, default 1)
 *   pcap=FILE          every frame is recorded in FILE (libpcap format)
 *
 * A description is checked into a HostPlan, which says which live host it is (one stack per
 * interface and address: two would both answer ARP for it).
 */
import type { NetconfigHost } from "../../../src/spi/index.js";
import type { FaultInjectorConfig } from "../link/faults.js";
import type { TcpConfig } from "../stack/tcp/config.js";
import { formatIpv4Address, parseIpv4Address, prefixMask } from "../wire/ipv4-address.js";
import { formatMac, parseMac } from "../wire/mac.js";

/** A host as given in code; the netconfig keys map onto these fields. */
export interface RawHostDescription {
  /** A network interface to open through AF_PACKET. Exactly one of `interface` and `hub`. */
  interface?: string;
  /** An in-memory hub of this process, by name. */
  hub?: string;
  /** "A.B.C.D/P": the address and the on-link prefix length. */
  address: string;
  gateway?: string;
  /** "02:00:00:00:00:02", or 6 bytes. */
  mac?: string | Uint8Array;
  /** The seeded fault injector between the link and the stack. */
  faults?: FaultInjectorConfig & { seed: number };
  /** Record every frame in this file (libpcap). */
  pcap?: string;
  /** TCP engine settings (in code only). */
  tcp?: Partial<TcpConfig>;
  /**
   * Keep the host up after its last endpoint closes, answering for its address as a machine does
   * (a caller of a port nobody listens on is refused), until it is shut down (in code only: for
   * hosts that model the machines of a test network, such as the conformance suite's).
   */
  keepOpen?: boolean;
}

/** A checked description: everything RawHost needs to open it. */
export interface HostPlan {
  /** Live hosts with equal keys are one host: one stack per link and address. */
  key: string;
  /** Where the description came from, for messages: "host lab (/etc/netconfig line 3)". */
  label: string;
  link: { kind: "interface"; ifname: string } | { kind: "hub"; hub: string };
  address: string;
  prefixLength: number;
  gateway?: string;
  mac?: Uint8Array;
  faults?: FaultInjectorConfig & { seed: number };
  pcap?: string;
  tcp?: Partial<TcpConfig>;
  keepOpen?: boolean;
  /** Everything but the label: a second user of the same key must describe the same host. */
  fingerprint: string;
}

/** A description that cannot be used; the message says what is wrong. */
export class HostConfigError extends RangeError {
  override readonly name = "HostConfigError";
}

const NETCONFIG_KEYS = ["interface", "hub", "address", "gateway", "mac", "loss", "seed", "pcap"];

/** The description an @host line gives. Throws HostConfigError naming the key at fault. */
export function describeNetconfigHost(host: NetconfigHost): RawHostDescription {
  const p = host.params;
  const unknown = [...p.keys()].find((k) => !NETCONFIG_KEYS.includes(k));
  if (unknown !== undefined) throw new HostConfigError(`unknown key '${unknown}' (known: ${NETCONFIG_KEYS.join(", ")})`);
  const address = p.get("address");
  if (address === undefined) throw new HostConfigError("address=A.B.C.D/PREFIX is missing");
  const desc: RawHostDescription = { address };
  const ifname = p.get("interface");
  const hub = p.get("hub");
  if (ifname !== undefined) desc.interface = ifname;
  if (hub !== undefined) desc.hub = hub;
  const gateway = p.get("gateway");
  if (gateway !== undefined) desc.gateway = gateway;
  const mac = p.get("mac");
  if (mac !== undefined) desc.mac = mac;
  const pcap = p.get("pcap");
  if (pcap !== undefined) desc.pcap = pcap;
  const loss = p.get("loss");
  const seed = p.get("seed");
  if (seed !== undefined && loss === undefined) throw new HostConfigError("seed= is the fault injector's, which needs loss=PERCENT");
  if (loss !== undefined) {
    const percent = /^\d+(\.\d+)?$/.test(loss) ? Number(loss) : NaN;
    if (!(percent >= 0 && percent <= 100)) throw new HostConfigError(`loss=${loss} is not a percentage 0..100`);
    if (seed !== undefined && !/^\d+$/.test(seed)) throw new HostConfigError(`seed=${seed} is not a non-negative integer`);
    const drop = { drop: percent / 100 };
    desc.faults = { seed: seed === undefined ? 1 : Number(seed), tx: drop, rx: drop };
  }
  return desc;
}

/** Check a description. `label` says where it came from. Throws HostConfigError. */
export function planHost(label: string, desc: RawHostDescription): HostPlan {
  const hasInterface = desc.interface !== undefined;
  if (hasInterface === (desc.hub !== undefined)) throw new HostConfigError("give exactly one of interface=IFNAME (a network interface) and hub=NAME (an in-memory hub)");
  if (hasInterface && !/^[^\s/:]{1,15}$/.test(desc.interface!)) throw new HostConfigError(`interface=${desc.interface} is not an interface name (1 to 15 characters, no '/', ':' or blank)`);
  if (!hasInterface && desc.hub === "") throw new HostConfigError("hub= needs a name");
  const [ip, prefixText, ...rest] = desc.address.split("/");
  const address = ip === undefined ? null : parseIpv4Address(ip);
  const prefixLength = prefixText !== undefined && /^\d{1,2}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (address === null || rest.length > 0 || !(prefixLength >= 1 && prefixLength <= 32)) {
    throw new HostConfigError(`address=${desc.address} is not A.B.C.D/PREFIX (prefix 1 to 32)`);
  }
  const plan: HostPlan = {
    key: "",
    label,
    link: hasInterface ? { kind: "interface", ifname: desc.interface! } : { kind: "hub", hub: desc.hub! },
    address: ip!,
    prefixLength,
    fingerprint: "",
  };
  if (desc.gateway !== undefined) {
    const gateway = parseIpv4Address(desc.gateway);
    if (gateway === null) throw new HostConfigError(`gateway=${desc.gateway} is not a dotted-quad IPv4 address`);
    const mask = prefixMask(prefixLength);
    if ((gateway & mask) >>> 0 !== (address & mask) >>> 0) throw new HostConfigError(`gateway=${desc.gateway} is not inside ${desc.address}`);
    plan.gateway = desc.gateway;
  }
  const mac = typeof desc.mac === "string" ? parseMac(desc.mac) : desc.mac === undefined ? undefined : Uint8Array.from(desc.mac);
  if (mac === null || (mac !== undefined && (mac.length !== 6 || (mac[0]! & 1) !== 0))) throw new HostConfigError(`mac=${String(desc.mac)} is not a unicast MAC address`);
  // On a hub nobody else gives the host a MAC: a locally administered one made of its address.
  const chosenMac = mac ?? (hasInterface ? undefined : Uint8Array.of(0x02, 0x00, address >>> 24, (address >>> 16) & 0xff, (address >>> 8) & 0xff, address & 0xff));
  if (chosenMac !== undefined) plan.mac = chosenMac;
  if (desc.faults !== undefined) plan.faults = desc.faults;
  if (desc.pcap !== undefined) plan.pcap = desc.pcap;
  if (desc.tcp !== undefined) plan.tcp = desc.tcp;
  if (desc.keepOpen === true) plan.keepOpen = true;
  const linkName = plan.link.kind === "interface" ? `interface ${plan.link.ifname}` : `hub ${plan.link.hub}`;
  plan.key = `${linkName} ${formatIpv4Address(address)}`;
  plan.fingerprint = JSON.stringify({
    link: plan.link,
    address: desc.address,
    gateway: plan.gateway ?? null,
    mac: chosenMac === undefined ? null : formatMac(chosenMac),
    faults: plan.faults ?? null,
    pcap: plan.pcap ?? null,
    tcp: plan.tcp ?? null,
    keepOpen: plan.keepOpen === true,
  });
  return plan;
}
