/**
 * The benchmarks' own veth topology, built by scripts/topology.sh with names and a /24 of their
 * own (so a test topology that may be up at the same time is never touched):
 *
 *   root namespace: xtibu, no address (the user-space stacks own 198.19.12.2 and .4 with their MACs;
 *                   the kernel's own TCP gets 198.19.12.3 only while a kernel variant runs)
 *   namespace xtibns: xtibk 198.19.12.1/24, the Linux kernel peer (tx checksum offload, TSO, GSO off)
 */
import { execFileSync } from "node:child_process";
import { parseMac } from "../../providers/packet/wire/mac.js";
import { kernelTcp, type KernelProcess } from "../../test/packet/interop/helpers/kernel-peer.js";
import { InteropTopology } from "../../test/packet/interop/helpers/topology.js";

/** XTI_TAG (a few letters) is appended to every topology name, so two checkouts can run the root tests at once. */
const TAG = process.env["XTI_TAG"] ?? "";

export const NAMESPACE = `xtibns${TAG}`;
export const KERNEL_IF = `xtibk${TAG}`;
export const STACK_IF = `xtibu${TAG}`;
export const PREFIX_LENGTH = 24;
export const KERNEL_IP = "198.19.12.1";
/** The user-space stack's address (the XTI provider's host, when one is configured). */
export const STACK_IP = "198.19.12.2";
/** The root namespace kernel's address during a kernel variant. */
export const ROOT_SIDE_IP = "198.19.12.3";
/** A second user-space stack, driven directly, beside the XTI provider's (rawtcp-bulk). */
export const DIRECT_STACK_IP = "198.19.12.4";
export const STACK_MAC = "02:00:00:00:1b:02";
export const DIRECT_STACK_MAC = "02:00:00:00:1b:04";

/** The topology as the interop tests' helper builds it (scripts/topology.sh with these names). */
const TOPOLOGY = new InteropTopology({
  namespace: NAMESPACE,
  kernelIf: KERNEL_IF,
  stackIf: STACK_IF,
  kernelIp: KERNEL_IP,
  stackIp: STACK_IP,
  prefixLength: PREFIX_LENGTH,
  stackMac: parseMac(STACK_MAC)!,
});

export const NEEDS_ROOT = "needs root (AF_PACKET, a veth pair, a network namespace)";

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

export function vethUp(): void {
  TOPOLOGY.up();
}

export function vethDown(): void {
  TOPOLOGY.down();
}

/**
 * Drop `percent` % of the IPv4 frames the kernel peer receives, from anyone on the link (nftables
 * `numgen random` at its prerouting: each segment on its own, before its TCP sees it). Gone with
 * the topology.
 */
export function kernelReceiveLoss(percent: number): void {
  TOPOLOGY.kernelReceiveLoss(percent, null);
}

/** Frames the loss rule dropped so far. */
export function kernelReceiveLossDropped(): number {
  return TOPOLOGY.kernelReceiveLossDropped();
}

/** The root namespace's default congestion control (what a kernel socket gets unless it asks). */
export function kernelDefaultCongestionControl(): string {
  return execFileSync("sysctl", ["-n", "net.ipv4.tcp_congestion_control"], { encoding: "utf8" }).trim();
}

/** Turn tx checksum offload, TSO and GSO of the root side on or off. */
export function setRootOffloads(on: boolean): void {
  const state = on ? "on" : "off";
  execFileSync("ethtool", ["-K", STACK_IF, "tx", state, "tso", state, "gso", state], { stdio: "ignore" });
}

/**
 * Give the root namespace's kernel ROOT_SIDE_IP on the veth, for a kernel variant only: removed
 * again before a stack runs, so the kernel never owns the subnet while a user-space stack is on it.
 */
export function addRootSideAddress(): void {
  execFileSync("ip", ["addr", "add", `${ROOT_SIDE_IP}/${PREFIX_LENGTH}`, "dev", STACK_IF]);
}

export function removeRootSideAddress(): void {
  execFileSync("ip", ["addr", "del", `${ROOT_SIDE_IP}/${PREFIX_LENGTH}`, "dev", STACK_IF]);
}

export type Direction = "upload" | "download";

/**
 * The kernel peer (test/packet/interop/peers/kernel_peer.py) listening on `port` in the namespace:
 * a sink for an upload (it reads until our FIN, then closes, so its FIN marks the last byte
 * received) or a source of `bytes` for a download (it sends, then closes).
 */
export async function kernelPeer(port: number, direction: Direction, bytes: number): Promise<KernelProcess> {
  const peer = kernelTcp({ listen: port, sendBytes: direction === "download" ? bytes : 0, order: direction === "upload" ? "recv-first" : "send-first", namespace: NAMESPACE });
  await peer.ready;
  return peer;
}

/** After a transfer: the peer exited cleanly and, for an upload, received every byte. */
export async function checkPeer(peer: KernelProcess, direction: Direction, bytes: number): Promise<void> {
  const result = await peer.result;
  if (direction === "upload" && result["received"] !== bytes) throw new Error(`the kernel peer received ${String(result["received"])} of ${bytes} bytes`);
  if (result["error"] !== undefined) throw new Error(`the kernel peer failed: ${JSON.stringify(result["error"])}`);
}

let nextPort = 5400;
/** A port for the next kernel peer (the namespace is ours alone). */
export function peerPort(): number {
  nextPort = nextPort >= 5999 ? 5400 : nextPort + 1;
  return nextPort;
}
