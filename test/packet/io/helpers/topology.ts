/** Test topology control (scripts/topology.sh) and commands run on the kernel side of the veth. */
import { execFileSync, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

/** XTI_TAG (a few letters) is appended to every topology name, so two checkouts can run the root tests at once. */
const TAG = process.env["XTI_TAG"] ?? "";

// scripts/topology.sh takes its names from XTI_NS, XTI_KIF and XTI_UIF: so do these, so that a
// checkout can run the tests on names of its own.
export const NAMESPACE = process.env["XTI_NS"] ?? `xtins${TAG}`;
export const KERNEL_IF = process.env["XTI_KIF"] ?? `xtik${TAG}`;
export const STACK_IF = process.env["XTI_UIF"] ?? `xtiu${TAG}`;
export const KERNEL_IP = "198.18.0.1";
export const STACK_IP = "198.18.0.2";
/** The locally administered MAC the user-space stack uses on xtiu. */
export const STACK_MAC = Uint8Array.of(0x02, 0, 0, 0, 0, 0x02);
/** Debian's interpreter: the pyenv python3 first on PATH may lack what we need. */
const PYTHON = "/usr/bin/python3";

const script = fileURLToPath(new URL("../../../../scripts/topology.sh", import.meta.url));
/** The script is told the names above, tagged or overridden, not left to its own defaults. */
const scriptEnv = { ...process.env, XTI_NS: NAMESPACE, XTI_KIF: KERNEL_IF, XTI_UIF: STACK_IF };

export function topologyUp(): void {
  execFileSync(script, ["up"], { stdio: "pipe", env: scriptEnv });
}

export function topologyDown(): void {
  execFileSync(script, ["down"], { stdio: "pipe", env: scriptEnv });
}

/** Run a command inside the kernel peer's namespace and return its stdout. */
export function inKernelNamespace(command: string, args: readonly string[]): string {
  return execFileSync("ip", ["netns", "exec", NAMESPACE, command, ...args], { encoding: "utf8" });
}

/** Same, without blocking the event loop; resolves with the exit code. */
export function inKernelNamespaceAsync(command: string, args: readonly string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn("ip", ["netns", "exec", NAMESPACE, command, ...args], { stdio: "ignore" });
    child.once("error", reject);
    child.once("exit", (code) => resolve(code ?? -1));
  });
}

/** Turn the kernel side's transmit checksum offload on or off. */
export function setKernelTxChecksum(on: boolean): void {
  inKernelNamespace("ethtool", ["-K", KERNEL_IF, "tx", on ? "on" : "off"]);
}

const INJECT = [
  "import socket, sys",
  "s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)",
  "s.bind((sys.argv[1], 0))",
  "frames = [bytes.fromhex(h) for h in sys.argv[3:]]",
  "for _ in range(int(sys.argv[2])):",
  "    for f in frames: s.send(f)",
].join("\n");

const hexOf = (frames: readonly Uint8Array[]): string[] => frames.map((f) => Buffer.from(f).toString("hex"));

/**
 * Send raw frames from the kernel side (xtik), in order, `repeat` times. Synchronous: the event
 * loop is blocked until the last frame has left.
 */
export function injectFromKernelSide(frames: readonly Uint8Array[], repeat = 1): void {
  inKernelNamespace(PYTHON, ["-c", INJECT, KERNEL_IF, String(repeat), ...hexOf(frames)]);
}

/** Send raw frames out of the stack side (xtiu) from another process's packet socket. */
export function sendFromStackSide(frames: readonly Uint8Array[]): void {
  execFileSync(PYTHON, ["-c", INJECT, STACK_IF, "1", ...hexOf(frames)]);
}

// ping(8) is not installed on the test VM, so the kernel's echo request comes from a raw ICMP
// socket: the same kernel path (route, ARP resolution, ICMP), exit 0 once the echo reply arrives.
const PING = [
  "import os, select, socket, struct, sys, time",
  "def csum(b):",
  "    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))",
  "    while s >> 16: s = (s & 0xffff) + (s >> 16)",
  "    return ~s & 0xffff",
  "ident = os.getpid() & 0xffff",
  "body = struct.pack('!BBHHH', 8, 0, 0, ident, 1) + b'xti-ping'",
  "body = body[:2] + struct.pack('!H', csum(body)) + body[4:]",
  "s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)",
  "s.sendto(body, (sys.argv[1], 0))",
  "deadline = time.time() + float(sys.argv[2])",
  "while time.time() < deadline:",
  "    if not select.select([s], [], [], max(0, deadline - time.time()))[0]: break",
  "    packet = s.recv(2048)",
  "    icmp = packet[(packet[0] & 15) * 4:]",
  "    if icmp[0] == 0 and struct.unpack('!H', icmp[4:6])[0] == ident: sys.exit(0)",
  "sys.exit(1)",
].join("\n");

/** The kernel peer pings `address`; resolves with 0 when the echo reply came back in time. */
export function pingFromKernel(address: string, timeoutSeconds: number): Promise<number> {
  return inKernelNamespaceAsync(PYTHON, ["-c", PING, address, String(timeoutSeconds)]);
}

/** Send one UDP datagram from the kernel peer's socket layer to the stack's address. */
export function sendUdpFromKernel(payload: string, port: number): void {
  const code = `import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(${JSON.stringify(payload)}.encode(), ("${STACK_IP}", ${port}))`;
  inKernelNamespace(PYTHON, ["-c", code]);
}

/** Set the MTU of both ends of the veth. */
export function setLinkMtu(mtu: number): void {
  execFileSync("ip", ["link", "set", "dev", STACK_IF, "mtu", String(mtu)]);
  execFileSync("ip", ["-n", NAMESPACE, "link", "set", "dev", KERNEL_IF, "mtu", String(mtu)]);
}

/** Make the kernel peer resolve the stack's IP to `mac` without ARP. */
export function setKernelNeighbour(mac: Uint8Array): void {
  const lladdr = Array.from(mac, (b) => b.toString(16).padStart(2, "0")).join(":");
  execFileSync("ip", ["-n", NAMESPACE, "neigh", "replace", STACK_IP, "lladdr", lladdr, "dev", KERNEL_IF, "nud", "permanent"]);
}

/** Forget what the kernel peer learnt about its neighbours (earlier tests' ARP traffic). */
export function flushKernelNeighbours(): void {
  execFileSync("ip", ["-n", NAMESPACE, "neigh", "flush", "dev", KERNEL_IF]);
}

/** MAC and MTU of an interface in the root namespace, from `ip -j link`. */
export function linkInfo(ifname: string): { mac: string; mtu: number } {
  const parsed = JSON.parse(execFileSync("ip", ["-j", "link", "show", "dev", ifname], { encoding: "utf8" })) as unknown;
  const entry = Array.isArray(parsed) ? (parsed[0] as Record<string, unknown> | undefined) : undefined;
  if (typeof entry?.["address"] !== "string" || typeof entry["mtu"] !== "number") {
    throw new Error(`unexpected ip -j link output for ${ifname}`);
  }
  return { mac: entry["address"], mtu: entry["mtu"] };
}
