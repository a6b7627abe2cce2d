/**
 * The link-layer contract of the user-space stack: something that carries whole Ethernet II
 * frames (destination MAC, source MAC, EtherType, payload; no preamble, no FCS).
 *
 * Implementations: the AF_PACKET device (link/afpacket.ts), the in-memory link for tests
 * (link/memory.ts), and wrappers that take any device (fault injector, pcap writer).
 */
export interface LinkDevice {
  /** Our MAC address, 6 bytes. */
  readonly mac: Uint8Array;
  /** Largest Ethernet payload (IP packet) the link carries, normally 1500. */
  readonly mtu: number;
  /**
   * Queue one frame for transmission. Never calls the receiver synchronously; a device may batch
   * frames sent in the same tick. A frame the device cannot take is dropped and counted, as a
   * NIC does; the stack's retransmission deals with it.
   */
  send(frame: Uint8Array, offload?: TxOffload): void;
  /**
   * Optional: a buffer of `length` bytes in the device's own transmit memory, to build the next
   * frame in place. Handing it to send() before asking for another buffer or sending anything else
   * then costs no copy. Null when the device cannot take a frame that long; absent on a device
   * without transmit memory of its own (build the frame in a buffer of your own).
   */
  frameBuffer?(length: number): Uint8Array | null;
  /**
   * What the device finishes for the sender (absent: nothing, so frames must be complete and
   * MTU-sized). It may shrink while the device is open (a kernel that refuses a super-frame turns
   * segmentation off), never grow; a change replaces the object, so a reader may keep what it
   * derived from it for as long as the same object is there.
   */
  readonly offloads?: LinkOffloads | undefined;
  /**
   * Install the receive handler (null removes it). Frames are delivered one call each, never
   * from inside `send`. A frame is lent for the call: once the receiver returns its bytes may be
   * overwritten (the AF_PACKET device hands out its receive ring in place), so a receiver copies
   * what it keeps. A device that signals bursts (signalsBurstEnd) calls `burstEnd` after the last
   * frame of every run of frames it delivers together, before yielding to the event loop.
   */
  setReceiver(receiver: FrameReceiver | null, burstEnd?: () => void): void;
  /**
   * True when the device calls setReceiver's `burstEnd` after every burst: a receiver may then
   * hold per-frame work (an ACK) until the burst ends. Absent: no burst is ever announced. Fixed
   * for the device's life.
   */
  readonly signalsBurstEnd?: boolean;
  /** Stop receiving, release OS resources; resolves when nothing more will be delivered. */
  close(): Promise<void>;
  /** The device's counters, a snapshot (a wrapper reports the device it wraps). */
  stats(): LinkStats;
}

/** A device's receive handler: one frame, lent for the call (LinkDevice.setReceiver). */
export type FrameReceiver = (frame: Uint8Array, info?: FrameInfo) => void;

/** Transmit work a device (the kernel behind it, a NIC) does for the stack. */
export interface LinkOffloads {
  /** The device completes a transport checksum that a frame's TxOffload asks for. */
  checksum: boolean;
  /** Longest TCP/IPv4 frame, headers included, that the device cuts into MTU-sized segments itself (0: none). */
  tcpSegmentation: number;
}

/** What a frame asks of the device's offloads (only those it advertises). */
export interface TxOffload {
  /** Frame offset of the transport header, where the checksummed range starts. */
  checksumStart: number;
  /** Offset of the checksum field from checksumStart; the field holds the folded pseudo-header sum. */
  checksumOffset: number;
  /** Ethernet + IPv4 + TCP header bytes, copied in front of every segment. */
  headerLength: number;
  /** TCP payload bytes per segment when the frame is a TCP super-frame to cut up, else 0. */
  segmentSize: number;
}

/** What the device knows about a received frame beyond its bytes. */
export interface FrameInfo {
  /**
   * True when the kernel reports that the frame's transport checksum is already valid or was
   * never filled in because the frame was generated locally with checksum offload (veth
   * TP_STATUS_CSUMNOTREADY / TP_STATUS_CSUM_VALID): the stack must not reject it for its checksum.
   */
  checksumTrusted?: boolean;
}

/** Counters every device keeps (diagnostics and tests). */
export interface LinkStats {
  txFrames: number;
  rxFrames: number;
  txDropped: number;
  rxDropped: number;
}
