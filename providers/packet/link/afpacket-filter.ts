/**
 * The classic BPF program attached to the packet socket: accept ARP and IPv4 frames whose
 * destination is our MAC or the broadcast address, drop everything else in the kernel, so the
 * receive worker (and Node) only wakes for frames the stack can use.
 */
import type { SockFilter } from "../../native/ffi/structs.js";

// Classic BPF opcodes (linux/bpf_common.h).
const LD_W_ABS = 0x20; // BPF_LD | BPF_W | BPF_ABS: A = 32-bit big-endian word at [k]
const LD_H_ABS = 0x28; // BPF_LD | BPF_H | BPF_ABS: A = 16-bit big-endian half at [k]
const JEQ_K = 0x15; // BPF_JMP | BPF_JEQ | BPF_K: pc += (A == k) ? jt : jf
const RET_K = 0x06; // BPF_RET | BPF_K: accept k bytes (0 = drop)

const ETHERTYPE_ARP = 0x0806;
const ETHERTYPE_IPV4 = 0x0800;
/** Bytes kept of an accepted frame: more than any frame, so nothing is cut. */
export const FILTER_ACCEPT_BYTES = 0x40000;

/** The program for `mac` (6 bytes, unicast). Jump offsets count from the next instruction. */
export function arpAndIpv4ToUs(mac: Uint8Array): SockFilter[] {
  if (mac.length !== 6 || (mac[0]! & 1) !== 0) throw new RangeError("the filter needs a 6-byte unicast MAC");
  const high = ((mac[0]! << 24) | (mac[1]! << 16) | (mac[2]! << 8) | mac[3]!) >>> 0;
  const low = (mac[4]! << 8) | mac[5]!;
  const ins = (code: number, k: number, jt = 0, jf = 0): SockFilter => ({ code, jt, jf, k });
  return [
    /* 0 */ ins(LD_H_ABS, 12), // EtherType
    /* 1 */ ins(JEQ_K, ETHERTYPE_ARP, 1, 0), // ARP -> 3
    /* 2 */ ins(JEQ_K, ETHERTYPE_IPV4, 0, 8), // IPv4 -> 3, else drop
    /* 3 */ ins(LD_W_ABS, 0), // destination MAC, first 4 bytes
    /* 4 */ ins(JEQ_K, high, 0, 2), // ours -> 5, else maybe broadcast -> 7
    /* 5 */ ins(LD_H_ABS, 4),
    /* 6 */ ins(JEQ_K, low, 3, 4), // ours -> accept, else drop
    /* 7 */ ins(JEQ_K, 0xffffffff, 0, 3), // broadcast -> 8, else drop
    /* 8 */ ins(LD_H_ABS, 4),
    /* 9 */ ins(JEQ_K, 0xffff, 0, 1), // broadcast -> accept, else drop
    /* 10 */ ins(RET_K, FILTER_ACCEPT_BYTES),
    /* 11 */ ins(RET_K, 0),
  ];
}
