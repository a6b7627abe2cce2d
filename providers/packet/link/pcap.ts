/**
 * PcapDevice wraps any LinkDevice and records the frames it carries in classic libpcap format
 * (magic 0xa1b2c3d4 written little-endian, version 2.4, LINKTYPE_ETHERNET), readable by
 * tshark/tcpdump/Wireshark. Records go to a file (buffered, flushed when the buffer fills and on
 * close) or to a sink function (one Uint8Array per call: the file header, then one per record).
 */
import { closeSync, openSync, writeSync } from "node:fs";
import type { Clock } from "../clock.js";
import type { FrameInfo, FrameReceiver, LinkDevice, LinkStats } from "./device.js";

export const PCAP_MAGIC = 0xa1b2c3d4;
export const LINKTYPE_ETHERNET = 1;
const FILE_HEADER_SIZE = 24;
const RECORD_HEADER_SIZE = 16;
const FILE_BUFFER_SIZE = 64 * 1024;

export type PcapDirection = "both" | "rx" | "tx";

export interface PcapOptions {
  /** Write to this file (created or truncated). Exactly one of `file` and `sink`. */
  file?: string;
  /** Receive the capture as byte chunks instead of a file. */
  sink?: (bytes: Uint8Array) => void;
  /** Timestamp source in milliseconds since the Unix epoch. Default: wall-clock time. */
  clock?: Pick<Clock, "now">;
  /** Which frames to record. Default "both". */
  direction?: PcapDirection;
  /** Bytes kept per frame. Default 65535. */
  snapLength?: number;
}

const wallClock: Pick<Clock, "now"> = { now: () => performance.timeOrigin + performance.now() };

/** The 24-byte pcap file header. */
function pcapFileHeader(snapLength: number): Uint8Array {
  const bytes = new Uint8Array(FILE_HEADER_SIZE);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, PCAP_MAGIC, true);
  view.setUint16(4, 2, true);
  view.setUint16(6, 4, true);
  view.setUint32(16, snapLength, true);
  view.setUint32(20, LINKTYPE_ETHERNET, true);
  return bytes;
}

/** Writes the 16-byte record header for `frame` at `view[at]`; returns the bytes kept. */
function writeRecordHeader(view: DataView, at: number, timeMs: number, frameLength: number, snapLength: number): number {
  const seconds = Math.floor(timeMs / 1000);
  const micros = Math.min(999_999, Math.floor((timeMs - seconds * 1000) * 1000));
  const kept = Math.min(frameLength, snapLength);
  view.setUint32(at, seconds, true);
  view.setUint32(at + 4, micros, true);
  view.setUint32(at + 8, kept, true);
  view.setUint32(at + 12, frameLength, true);
  return kept;
}

/** Buffered, synchronous pcap file output. */
class PcapFile {
  private readonly fd: number;
  private readonly buffer = new Uint8Array(FILE_BUFFER_SIZE);
  private readonly view = new DataView(this.buffer.buffer);
  private used = 0;

  constructor(path: string, header: Uint8Array) {
    this.fd = openSync(path, "w");
    writeSync(this.fd, header);
  }

  record(timeMs: number, frame: Uint8Array, snapLength: number): void {
    const size = RECORD_HEADER_SIZE + Math.min(frame.length, snapLength);
    if (this.used + size > this.buffer.length) this.flush();
    if (size > this.buffer.length) {
      const own = new Uint8Array(size);
      const kept = writeRecordHeader(new DataView(own.buffer), 0, timeMs, frame.length, snapLength);
      own.set(frame.subarray(0, kept), RECORD_HEADER_SIZE);
      writeSync(this.fd, own);
      return;
    }
    const kept = writeRecordHeader(this.view, this.used, timeMs, frame.length, snapLength);
    this.buffer.set(frame.subarray(0, kept), this.used + RECORD_HEADER_SIZE);
    this.used += RECORD_HEADER_SIZE + kept;
  }

  flush(): void {
    if (this.used > 0) writeSync(this.fd, this.buffer, 0, this.used);
    this.used = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

export class PcapDevice implements LinkDevice {
  readonly mac: Uint8Array;
  readonly mtu: number;
  private readonly inner: LinkDevice;
  private readonly file: PcapFile | null;
  private readonly sink: ((bytes: Uint8Array) => void) | null;
  private readonly clock: Pick<Clock, "now">;
  private readonly recordRx: boolean;
  private readonly recordTx: boolean;
  private readonly snapLength: number;
  private receiver: FrameReceiver | null = null;
  private closing: Promise<void> | undefined;

  constructor(inner: LinkDevice, options: PcapOptions) {
    if ((options.file === undefined) === (options.sink === undefined)) {
      throw new TypeError("PcapDevice needs exactly one of `file` and `sink`");
    }
    const snapLength = options.snapLength ?? 65535;
    if (!Number.isInteger(snapLength) || snapLength < 1) throw new RangeError("snapLength must be a positive integer");
    const direction = options.direction ?? "both";
    this.inner = inner;
    this.mac = inner.mac;
    this.mtu = inner.mtu;
    this.clock = options.clock ?? wallClock;
    this.snapLength = snapLength;
    this.recordRx = direction !== "tx";
    this.recordTx = direction !== "rx";
    const header = pcapFileHeader(snapLength);
    this.file = options.file === undefined ? null : new PcapFile(options.file, header);
    this.sink = options.sink ?? null;
    this.sink?.(header);
  }

  send(frame: Uint8Array): void {
    if (this.recordTx && this.closing === undefined) this.record(frame);
    this.inner.send(frame);
  }

  /** Frames pass through as they come: bursts are the wrapped device's. */
  get signalsBurstEnd(): boolean {
    return this.inner.signalsBurstEnd === true;
  }

  setReceiver(receiver: FrameReceiver | null, burstEnd?: () => void): void {
    this.receiver = receiver;
    this.inner.setReceiver(receiver === null ? null : this.onFrame, burstEnd);
  }

  /** Closes the wrapped device, then completes and closes the capture. */
  close(): Promise<void> {
    this.closing ??= this.inner.close().finally(() => this.file?.close());
    return this.closing;
  }

  stats(): LinkStats {
    return this.inner.stats();
  }

  /** Write buffered records to the file now (a no-op for a sink). */
  flush(): void {
    this.file?.flush();
  }

  private readonly onFrame = (frame: Uint8Array, info?: FrameInfo): void => {
    if (this.recordRx) this.record(frame);
    this.receiver?.(frame, info);
  };

  private record(frame: Uint8Array): void {
    const now = this.clock.now();
    if (this.file !== null) {
      this.file.record(now, frame, this.snapLength);
      return;
    }
    const kept = Math.min(frame.length, this.snapLength);
    const bytes = new Uint8Array(RECORD_HEADER_SIZE + kept);
    writeRecordHeader(new DataView(bytes.buffer), 0, now, frame.length, this.snapLength);
    bytes.set(frame.subarray(0, kept), RECORD_HEADER_SIZE);
    this.sink?.(bytes);
  }
}
