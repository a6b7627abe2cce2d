/**
 * SYN option negotiation: which of window scaling, SACK and timestamps a connection uses (each
 * only when both ends offered it, RFC 7323 / RFC 2018) and the segment sizes that follow
 * (RFC 9293 §3.7.1 and RFC 6691: the MSS option excludes options, so the bytes of options sent
 * on every segment come off the payload).
 */
import type { TcpOptions } from "../../wire/tcp-segment.js";

/** Bytes the timestamp option adds to every segment once negotiated (10 + 2 NOPs). */
export const TIMESTAMP_OPTION_LEN = 12;
/** Smallest effective send MSS accepted from a peer (Linux tcp_min_snd_mss). */
export const MIN_SEND_MSS = 48;
/** RFC 9293 default MSS when the peer sends no MSS option. */
export const DEFAULT_PEER_MSS = 536;
/** RFC 7323 §2.3. */
export const MAX_WINDOW_SHIFT = 14;

export interface OfferedOptions {
  windowScaling: boolean;
  sack: boolean;
  timestamps: boolean;
  /** Our window shift, offered when window scaling is on. */
  windowShift: number;
  /** The MSS we advertise (largest TCP payload of an unfragmented packet, no options). */
  mss: number;
}

export interface NegotiatedOptions {
  windowScaling: boolean;
  /** Shift applied to the peer's window fields. */
  sendWindowShift: number;
  /** Shift applied to our window fields. */
  receiveWindowShift: number;
  sack: boolean;
  timestamps: boolean;
  /** Effective send MSS: payload bytes of a full segment we send. */
  sendMss: number;
  /** Largest payload the peer can send us. */
  receiveMss: number;
}

/** Smallest window shift that lets a 16-bit field describe the whole buffer, at most 14. */
export function windowShiftFor(bufferSize: number): number {
  let shift = 0;
  while (shift < MAX_WINDOW_SHIFT && bufferSize > 0xffff * 2 ** shift) shift++;
  return shift;
}

/** What a connection uses, given what we offered and the options of the peer's SYN (or SYN-ACK). */
export function negotiateOptions(ours: OfferedOptions, peer: TcpOptions): NegotiatedOptions {
  const windowScaling = ours.windowScaling && peer.windowScale !== undefined;
  const timestamps = ours.timestamps && peer.timestamp !== undefined;
  const optionBytes = timestamps ? TIMESTAMP_OPTION_LEN : 0;
  const peerMss = peer.mss ?? DEFAULT_PEER_MSS;
  return {
    windowScaling,
    sendWindowShift: windowScaling ? Math.min(MAX_WINDOW_SHIFT, peer.windowScale ?? 0) : 0,
    receiveWindowShift: windowScaling ? ours.windowShift : 0,
    sack: ours.sack && peer.sackPermitted === true,
    timestamps,
    sendMss: Math.max(MIN_SEND_MSS, Math.min(peerMss, ours.mss) - optionBytes),
    receiveMss: Math.max(MIN_SEND_MSS, ours.mss - optionBytes),
  };
}
