/**
 * The interop tests' own veth/namespace topology (scripts/topology.sh with names of their own, so
 * that the io tests' topology, possibly up in another checkout, is never touched):
 *
 *   root namespace: xtiiu (no IPv4 address; the stack owns 198.18.0.2 with STACK_MAC)
 *   namespace xtiins: xtiik 198.18.0.1/24, the Linux kernel peer (tx checksum offload, TSO, GSO off)
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect } from "chai";
import { requireRoot } from "../../io/helpers/privileges.js";

// Overridable, so that a checkout can run these tests on names of its own (they must start with "xti").
export const NAMESPACE = process.env["XTI_INTEROP_NS"] ?? "xtiins";
export const KERNEL_IF = process.env["XTI_INTEROP_KIF"] ?? "xtiik";
export const STACK_IF = process.env["XTI_INTEROP_UIF"] ?? "xtiiu";
export const KERNEL_IP = "198.18.0.1";
export const STACK_IP = "198.18.0.2";
export const PREFIX_LENGTH = 24;
export const STACK_MAC = Uint8Array.of(0x02, 0, 0, 0, 0x1e, 0x02);
export const STACK_MAC_TEXT = "02:00:00:00:1e:02";
/** Debian's interpreter, which has scapy (the pyenv python3 first on PATH does not). */
export const PYTHON = "/usr/bin/python3";

const script = fileURLToPath(new URL("../../../../scripts/topology.sh", import.meta.url));
const env = { ...process.env, XTI_NS: NAMESPACE, XTI_KIF: KERNEL_IF, XTI_UIF: STACK_IF };

export function topologyUp(): void {
  execFileSync(script, ["up"], { stdio: "pipe", env });
}

export function topologyDown(): void {
  execFileSync(script, ["down"], { stdio: "pipe", env });
}

/**
 * Registers the suite's hooks: bring the topology up before its tests (or skip without root), and
 * after them run `beforeDown` (closing what still uses the interfaces), tear the topology down and
 * check that nothing is left behind.
 */
export function useInteropTopology(beforeDown?: () => void | Promise<void>): void {
  before(function () {
    requireRoot(this);
    topologyUp();
  });
  after(async function () {
    await beforeDown?.();
    if (process.getuid?.() !== 0) return;
    topologyDown();
    expect(leftovers(), "interfaces or namespaces left behind").to.deep.equal([]);
  });
}

/** Run a command in the kernel peer's namespace; returns its stdout. */
export function inNamespace(command: string, args: readonly string[]): string {
  return execFileSync("ip", ["netns", "exec", NAMESPACE, command, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

const LOSS_TABLE = "xtiloss";

/**
 * Drop `percent` % of the frames the kernel receives from the stack, at prerouting (before the
 * kernel's TCP sees them). Dropping on the kernel's receive side, not its send side, matters:
 * at output the kernel's TCP still hands over GSO super-packets, so a drop there loses a burst.
 */
export function kernelReceiveLoss(percent: number): void {
  const rules = [
    `table inet ${LOSS_TABLE} {`,
    "  chain pre {",
    "    type filter hook prerouting priority -300; policy accept;",
    `    iifname "${KERNEL_IF}" ip saddr ${STACK_IP} numgen random mod 100 < ${percent} counter drop`,
    "  }",
    "}",
  ].join("\n");
  execFileSync("ip", ["netns", "exec", NAMESPACE, "nft", "-f", "-"], { input: rules, stdio: ["pipe", "pipe", "pipe"] });
}

/** Packets the loss rule dropped so far. */
export function kernelReceiveLossDropped(): number {
  const listing = inNamespace("nft", ["list", "table", "inet", LOSS_TABLE]);
  const match = /counter packets (\d+)/.exec(listing);
  if (match === null) throw new Error(`no counter in:\n${listing}`);
  return Number(match[1]);
}

export function removeKernelReceiveLoss(): void {
  execFileSync("ip", ["netns", "exec", NAMESPACE, "nft", "delete", "table", "inet", LOSS_TABLE], { stdio: "pipe" });
}

export function flushKernelNeighbours(): void {
  execFileSync("ip", ["-n", NAMESPACE, "neigh", "flush", "dev", KERNEL_IF]);
}

/** The kernel peer's neighbour entry for `ip` (`ip neigh` line), or "" if it has none. */
export function kernelNeighbour(ip: string): string {
  return execFileSync("ip", ["-n", NAMESPACE, "neigh", "show", ip, "dev", KERNEL_IF], { encoding: "utf8" }).trim();
}

/** Names this topology uses that still exist (for the teardown check). */
export function leftovers(): string[] {
  const links = execFileSync("ip", ["-br", "link"], { encoding: "utf8" });
  const namespaces = execFileSync("ip", ["netns", "list"], { encoding: "utf8" });
  return [STACK_IF, NAMESPACE].filter((name) => new RegExp(`^${name}\\b`, "m").test(links) || new RegExp(`^${name}\\b`, "m").test(namespaces));
}
