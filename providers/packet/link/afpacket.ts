/**
 * AfPacketDevice: a LinkDevice on a Linux interface through an AF_PACKET SOCK_RAW socket.
 *
 * Receive: a worker thread blocks in poll([packet fd, eventfd]) and recvmmsg()s frames straight
 * into a SharedArrayBuffer ring (afpacket-ring.ts); the main thread waits with Atomics.waitAsync,
 * so the event loop is never blocked, no core spins when idle and no libuv threadpool thread is
 * held (ecosystem.md §2 measured the alternatives). A classic BPF filter in the kernel passes only
 * ARP/IPv4 frames for our MAC or broadcast, so the worker only wakes for frames the stack wants.
 * Transmit: frames sent in one tick are copied into a staging area and leave in one sendmmsg()
 * when the tick's microtasks run (one frame alone goes out with send()).
 *
 * Measured on the 2-vCPU test VM (Node 20.20, kernel 6.18, veth to a kernel peer in a namespace;
 * `npm run measure:afpacket`, ranges over runs):
 *   idle, device open 2 s: 1.4-2.9 ms CPU for the whole process (worker included), 0 wake-ups
 *   ARP round trip to the kernel: back-to-back p50 42-107 us, p99 150-830 us; after 1 ms idle
 *     p50 78-86 us; after 5 ms idle p50 155-274 us (both threads wake from deeper idle)
 *   TX, 64 frames per tick: sendmmsg batching 517-560 k frames/s (1514 B, ~800 MB/s) and
 *     606-644 k/s (64 B), against 382-390 k/s and 339-371 k/s with one send() per frame
 *   RX, kernel side blasting: 161-251 k frames/s delivered (1514 B, 244-381 MB/s), ~16 frames
 *     per wake-up, when each frame was still copied out of the ring; the main thread (copy out +
 *     receiver) is the limit, excess is counted as drops. Frames are now lent in place.
 */
import { constants } from "node:os";
import type { Worker } from "node:worker_threads";
import {
  ETH_P_ALL,
  PACKET_AUXDATA,
  PACKET_IGNORE_OUTGOING,
  PACKET_QDISC_BYPASS,
  PACKET_VNET_HDR,
  SOL_PACKET,
  TP_STATUS_CSUM_VALID,
  TP_STATUS_CSUMNOTREADY,
} from "../../native/ffi/linux.js";
import { libc, type Libc } from "../../native/ffi/libc.js";
import { MessageVector } from "../../native/ffi/mmsg.js";
import { OsError } from "../../native/ffi/os-error.js";
import { closeFd, createEventFd, signalEventFd } from "../../native/ffi/eventfd.js";
import {
  addPromiscuousMembership,
  attachSocketFilter,
  bindPacketSocket,
  createPacketSocket,
  interfaceHardwareAddress,
  interfaceIndex,
  interfaceMtu,
  setIntOption,
  setReceiveBuffer,
  setSendBuffer,
  takeKernelDrops,
} from "../../native/ffi/packet-socket.js";
import { startWorker, stopWakingAtExit, wakeAtExit, workerReady } from "../../native/worker.js";
import type { FrameInfo, FrameReceiver, LinkDevice, LinkOffloads, LinkStats, TxOffload } from "./device.js";
import { checksumMemory } from "../wire/checksum-memory.js";
import { arpAndIpv4ToUs } from "./afpacket-filter.js";
import {
  LAST_ERRNO,
  RECEIVE_ERRORS,
  RING_FULL_DROPS,
  RX_WORKER_READY,
  RxRing,
  type RxWorkerData,
  TRUNCATED_DROPS,
  TRUNCATED_SLOT,
  WAKEUPS,
  WRITE_INDEX,
} from "./afpacket-ring.js";

export interface AfPacketOptions {
  /** Interface to open, e.g. "xtiu". */
  ifname: string;
  /**
   * Our MAC (6 bytes, unicast). Default: the interface's own. A different MAC puts the
   * interface in promiscuous mode for this socket, so frames for it are received.
   */
  mac?: Uint8Array;
  /** Receive ring slots (power of two). Default 1024. */
  ringSlots?: number;
  /** Most frames per recvmmsg/sendmmsg call. Default 64. */
  batch?: number;
  /** Kernel receive buffer for the socket, in bytes. Default 4 MiB (absorbs bursts). */
  receiveBufferBytes?: number;
  /**
   * Transmit through a second socket with PACKET_VNET_HDR, so that the kernel completes TCP
   * checksums (the stack then leaves them partial). Default true; false, or a kernel that refuses
   * the option, sends complete frames through the receiving socket.
   */
  offloads?: boolean;
  /**
   * PACKET_QDISC_BYPASS on the transmitting socket: frames go straight to the driver, skipping
   * the interface's queueing discipline. Default false. The price: tc shaping on the interface no
   * longer applies to the stack, packet sockets on it (tcpdump) no longer see what it sends, and
   * the direct path drops a frame the kernel would have to segment in software (an interface
   * with TSO off), so it comes without TCP segmentation offload.
   */
  qdiscBypass?: boolean;
}

export interface AfPacketStats extends LinkStats {
  /** Dropped by the worker because the ring was full (part of rxDropped). */
  rxRingFull: number;
  /** Larger than a ring slot, dropped (part of rxDropped). */
  rxTruncated: number;
  /** Dropped by the kernel because the socket's receive buffer was full (part of rxDropped). */
  rxKernelDrops: number;
  /** Arrived while no receiver was installed (part of rxDropped). */
  rxNoReceiver: number;
  /** recv errors other than EAGAIN (e.g. ENETDOWN when the link went down). */
  rxErrors: number;
  /** Times the worker woke from poll() with frames to read. */
  rxWakeups: number;
  /** Frames the kernel refused on send (part of txDropped). */
  txErrors: number;
  /**
   * Super-frames the kernel refused as such (EINVAL, EMSGSIZE, EOPNOTSUPP...; part of txErrors). The
   * first one turns segmentation offload off for the rest of the device's life.
   */
  txOffloadRefused: number;
  /** errno of the first refused super-frame, 0 if none. */
  txOffloadRefusedErrno: number;
  /** send/sendmmsg calls made: txFrames / txSyscalls is the batching achieved. */
  txSyscalls: number;
  /** Last errno seen on receive or send, 0 if none. */
  lastErrno: number;
}

type WaitAsyncResult =
  | { async: false; value: "not-equal" | "timed-out" }
  | { async: true; value: Promise<"ok" | "timed-out"> };
// Atomics.waitAsync is ES2024; the project compiles against the ES2023 library.
const atomics = Atomics as unknown as { waitAsync(array: Int32Array, index: number, value: number): WaitAsyncResult };

const ETHERNET_HEADER = 14;
/** struct virtio_net_hdr, and the values used of its fields. */
const VNET_HEADER = 10;
const VIRTIO_NET_HDR_F_NEEDS_CSUM = 1;
const VIRTIO_NET_HDR_GSO_TCPV4 = 1;
/** A gso_type no kernel knows (virtio assigns 1, 3, 4, 5): refused with EINVAL (spoilNextSuperFrameForTest). */
const VIRTIO_NET_HDR_GSO_UNASSIGNED = 2;
/**
 * What a kernel answers when it will not take a frame as it is, whenever it is sent, as opposed to
 * a passing shortage (ENOBUFS, EAGAIN) or a link that is down. ENOTSUPP (524) is kernel-internal
 * but has reached user space from drivers.
 */
const REFUSALS: ReadonlySet<number> = new Set([constants.errno.EINVAL, constants.errno.EMSGSIZE, constants.errno.EOPNOTSUPP, 524]);
/** Longest TCP/IPv4 super-frame handed to the kernel to segment: a maximal IPv4 packet and its Ethernet header. */
const SUPER_FRAME = ETHERNET_HEADER + 65535;
const VLAN_TAG = 4;
const TRUSTED: FrameInfo = Object.freeze({ checksumTrusted: true });
const UNTRUSTED: FrameInfo = Object.freeze({ checksumTrusted: false });

export class AfPacketDevice implements LinkDevice {
  readonly ifname: string;
  readonly ifindex: number;
  readonly mac: Uint8Array;
  readonly mtu: number;

  private readonly c: Libc;
  private readonly fd: number;
  /** The socket frames leave through: `fd`, or one of its own with a virtio_net_hdr before each frame. */
  private readonly txFd: number;
  /** Bytes of virtio_net_hdr in front of each transmitted frame (0 without PACKET_VNET_HDR). */
  private readonly vnetHeader: number;
  /** Replaced, never changed in place, when the kernel refuses a super-frame (readers compare it). */
  private currentOffloads: LinkOffloads | undefined;
  private readonly wakeFd: number;
  private readonly worker: Worker;
  private readonly workerExited: Promise<void>;
  private readonly ring: RxRing;
  private readonly slotSize: number;
  private receiver: FrameReceiver | null = null;
  private burstEnd: (() => void) | undefined = undefined;
  /** Frames come in bursts, one per wake-up of the receive worker. */
  readonly signalsBurstEnd = true;
  private readIndex = 0;
  private waiting = false;
  private closed = false;
  private starting = true;
  private referenced = false;
  private closing: Promise<void> | undefined;

  /** Transmit staging: the frames of this tick packed one after another, each message pointing at one. */
  private readonly txArena: Uint8Array;
  private readonly txVector: MessageVector;
  private readonly txBatch: number;
  /** Longest frame taken (the receive slot size: MTU, Ethernet header and a VLAN tag). */
  private readonly maxFrame: number;
  /** Longest super-frame taken for the kernel to segment (0: no segmentation offload, or no longer). */
  private superFrame: number;
  /** Per queued message: 1 when it is a super-frame (the kernel segments it). */
  private readonly txSuper: Uint8Array;
  /** Test only: the next super-frame gets a gso_type the kernel refuses (spoilNextSuperFrameForTest). */
  private spoilNextSuperFrame = false;
  private txQueued = 0;
  /** Arena bytes used by the queued frames. */
  private txUsed = 0;

  private rxFrames = 0;
  private rxNoReceiver = 0;
  private rxKernelDrops = 0;
  private txFrames = 0;
  private txDropped = 0;
  private txErrors = 0;
  private txOffloadRefused = 0;
  private txOffloadRefusedErrno = 0;
  private txSyscalls = 0;
  private lastTxErrno = 0;

  /**
   * Open `ifname`. Rejects with an OsError (code "EPERM" without CAP_NET_RAW, "ENODEV" for an
   * unknown interface, ...) or an Error when koffi is unavailable.
   */
  static async open(options: AfPacketOptions): Promise<AfPacketDevice> {
    const device = AfPacketDevice.openNow(options);
    try {
      await device.ready;
    } catch (err) {
      await device.close();
      throw err;
    }
    return device;
  }

  /**
   * Open `ifname` synchronously, for callers that cannot wait (t_open): the socket is open, bound
   * and filtered when this returns, and failures (OsError EPERM, ENODEV...) are thrown here. The
   * receive worker starts in the background; `ready` settles once it polls (frames arriving before
   * then wait in the socket's buffer) and rejects if it fails to start, after which only close()
   * is useful.
   */
  static openNow(options: AfPacketOptions): AfPacketDevice {
    const slots = options.ringSlots ?? 1024;
    const batch = options.batch ?? 64;
    if (!Number.isInteger(batch) || batch < 1 || batch > 1024) throw new RangeError(`batch must be 1..1024, got ${batch}`);
    if (options.mac !== undefined && (options.mac.length !== 6 || (options.mac[0]! & 1) !== 0)) {
      throw new RangeError("mac must be 6 bytes and unicast");
    }
    const ifindex = interfaceIndex(options.ifname);
    let fd: number;
    try {
      fd = createPacketSocket();
    } catch (err) {
      if (err instanceof OsError && err.code === "EPERM") {
        err.message += "; AF_PACKET sockets need CAP_NET_RAW (run as root or grant the capability)";
      }
      throw err;
    }
    let wakeFd = -1;
    let txFd = -1;
    try {
      const hardwareMac = interfaceHardwareAddress(fd, options.ifname);
      const mtu = interfaceMtu(fd, options.ifname);
      const mac = options.mac === undefined ? hardwareMac : Uint8Array.from(options.mac);
      if (!sameMac(mac, hardwareMac)) addPromiscuousMembership(fd, ifindex);
      setIntOption(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, 1, "PACKET_IGNORE_OUTGOING");
      setIntOption(fd, SOL_PACKET, PACKET_AUXDATA, 1, "PACKET_AUXDATA");
      setReceiveBuffer(fd, options.receiveBufferBytes ?? 4 * 1024 * 1024);
      // Filter before bind: the socket (protocol 0) queues nothing until bound.
      attachSocketFilter(fd, arpAndIpv4ToUs(mac));
      bindPacketSocket(fd, ifindex, ETH_P_ALL);
      txFd = options.offloads === false ? -1 : openVnetSocket(ifindex);
      // Best effort (Linux 3.14+): without it frames take the qdisc path, as before.
      if (options.qdiscBypass === true) setIntOptionIfSupported(txFd >= 0 ? txFd : fd, SOL_PACKET, PACKET_QDISC_BYPASS, 1);
      wakeFd = createEventFd();
      wakeAtExit(wakeFd); // from before the worker starts: an exit during start-up must not hang either
      const slotSize = Math.ceil((mtu + ETHERNET_HEADER + VLAN_TAG) / 64) * 64;
      // The receive ring and the transmit arena share one checksum memory (the stack's checksums
      // of frames in it are summed in WebAssembly), allocated before the worker starts.
      const layout = { slots, slotSize };
      const superFrame = txFd >= 0 && options.qdiscBypass !== true ? SUPER_FRAME : 0;
      // Room for a batch of MTU-sized frames, and with segmentation offload for a few super-frames more.
      const arenaBytes = batch * (slotSize + 16) + (superFrame > 0 ? 4 * (superFrame + 16) : 0);
      const arenaAt = Math.ceil(RxRing.byteLength(layout) / 64) * 64;
      const memory = checksumMemory(arenaAt + arenaBytes);
      const ring = new RxRing(layout, memory);
      // Shared memory never moves, so the kernel can read frames where they were built.
      const txArena = new Uint8Array(memory, arenaAt, arenaBytes);
      const workerData: RxWorkerData = { packetFd: fd, wakeFd, layout: ring.layout, memory: ring.memory, batch };
      const worker = startWorker(new URL("./afpacket-rx-worker.js", import.meta.url), workerData);
      const workerExited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
      const ready = workerReady(worker, RX_WORKER_READY, "AF_PACKET receive worker");
      ready.catch(() => undefined); // the caller may never wait for it
      return new AfPacketDevice(options.ifname, ifindex, mac, mtu, fd, txFd, superFrame, wakeFd, worker, workerExited, ready, ring, txArena, batch);
    } catch (err) {
      if (txFd >= 0) closeFd(txFd);
      if (wakeFd >= 0) {
        stopWakingAtExit(wakeFd);
        closeFd(wakeFd);
      }
      closeFd(fd);
      throw err;
    }
  }

  private constructor(
    ifname: string,
    ifindex: number,
    mac: Uint8Array,
    mtu: number,
    fd: number,
    txFd: number,
    /** Longest super-frame taken for the kernel to segment (0: none). */
    superFrame: number,
    wakeFd: number,
    worker: Worker,
    workerExited: Promise<void>,
    /** Settles once the receive worker polls; rejects if it failed to start. */
    readonly ready: Promise<void>,
    ring: RxRing,
    txArena: Uint8Array,
    batch: number,
  ) {
    this.c = libc();
    this.ifname = ifname;
    this.ifindex = ifindex;
    this.mac = mac;
    this.mtu = mtu;
    this.fd = fd;
    this.txFd = txFd >= 0 ? txFd : fd;
    this.vnetHeader = txFd >= 0 ? VNET_HEADER : 0;
    this.superFrame = superFrame;
    this.currentOffloads = txFd >= 0 ? Object.freeze({ checksum: true, tcpSegmentation: this.superFrame }) : undefined;
    this.wakeFd = wakeFd;
    this.worker = worker;
    this.workerExited = workerExited;
    this.ring = ring;
    this.slotSize = ring.layout.slotSize;
    this.maxFrame = this.slotSize;
    this.txBatch = batch;
    this.txArena = txArena;
    this.txVector = new MessageVector(Array.from({ length: batch }, () => this.txArena));
    this.txSuper = new Uint8Array(batch);
    // The worker keeps the process alive while it starts (someone is waiting for `ready`), and no
    // longer once it runs, unless ref() asks for it.
    const started = (): void => {
      this.starting = false;
      if (!this.referenced && !this.closed) worker.unref();
    };
    ready.then(started, started);
    this.waitForFrames();
  }

  /**
   * LinkDevice.offloads: checksum offload through the vnet header, and TCP segmentation until the
   * kernel refuses a super-frame (then tcpSegmentation is 0 from the next read on).
   */
  get offloads(): LinkOffloads | undefined {
    return this.currentOffloads;
  }

  /**
   * Test only, not for use otherwise: give the next super-frame a gso_type no kernel knows, so that
   * the kernel refuses it (EINVAL), as a kernel unable to segment it would, on any kernel.
   */
  spoilNextSuperFrameForTest(): void {
    this.spoilNextSuperFrame = true;
  }

  /** LinkDevice.frameBuffer: the next frame's place in the transmit arena. */
  frameBuffer(length: number): Uint8Array | null {
    if (this.closed || length > Math.max(this.maxFrame, this.superFrame)) return null;
    if (!this.txRoom(length)) {
      this.flush();
      // That flush may have met a refused super-frame and ended segmentation offload.
      if (length > Math.max(this.maxFrame, this.superFrame)) return null;
    }
    const at = this.txUsed + this.vnetHeader;
    return this.txArena.subarray(at, at + length);
  }

  send(frame: Uint8Array, offload?: TxOffload): void {
    const limit = offload !== undefined && offload.segmentSize > 0 ? this.superFrame : this.maxFrame;
    if (this.closed || frame.length < ETHERNET_HEADER || frame.length > limit) {
      this.txDropped++;
      return;
    }
    const arena = this.txArena;
    const header = this.vnetHeader;
    if (frame.buffer !== arena.buffer || frame.byteOffset !== arena.byteOffset + this.txUsed + header) {
      if (!this.txRoom(frame.length)) this.flush();
      arena.set(frame, this.txUsed + header);
    } // else it was built in place, from frameBuffer()
    const segmented = header > 0 && offload !== undefined && offload.segmentSize > 0;
    if (header > 0) writeVnetHeader(arena, this.txUsed, offload);
    if (segmented && this.spoilNextSuperFrame) {
      this.spoilNextSuperFrame = false;
      arena[this.txUsed + 1] = VIRTIO_NET_HDR_GSO_UNASSIGNED;
    }
    const i = this.txQueued++;
    this.txSuper[i] = segmented ? 1 : 0;
    this.txVector.setBuffer(i, arena, this.txUsed, header + frame.length);
    this.txUsed += (header + frame.length + 7) & ~7; // 8-byte aligned starts
    if (i === 0) queueMicrotask(this.flush);
  }

  /** Whether the arena takes one more frame of `length` bytes before the next flush. */
  private txRoom(length: number): boolean {
    return this.txQueued < this.txBatch && this.txUsed + this.vnetHeader + length <= this.txArena.length;
  }

  setReceiver(receiver: FrameReceiver | null, burstEnd?: () => void): void {
    this.receiver = receiver;
    this.burstEnd = receiver === null ? undefined : burstEnd;
  }

  /** Keep the process alive while the device is open (default: an open device does not). */
  ref(): void {
    this.referenced = true;
    if (!this.closed) this.worker.ref();
  }

  /** Undo ref(). */
  unref(): void {
    this.referenced = false;
    if (!this.closed && !this.starting) this.worker.unref();
  }

  stats(): AfPacketStats {
    const ring = this.ring;
    const rxRingFull = ring.counter(RING_FULL_DROPS);
    const rxTruncated = ring.counter(TRUNCATED_DROPS);
    if (!this.closed) this.rxKernelDrops += takeKernelDrops(this.fd);
    return {
      txFrames: this.txFrames,
      rxFrames: this.rxFrames,
      txDropped: this.txDropped,
      rxDropped: rxRingFull + rxTruncated + this.rxKernelDrops + this.rxNoReceiver,
      rxRingFull,
      rxTruncated,
      rxKernelDrops: this.rxKernelDrops,
      rxNoReceiver: this.rxNoReceiver,
      rxErrors: ring.counter(RECEIVE_ERRORS),
      rxWakeups: ring.counter(WAKEUPS),
      txErrors: this.txErrors,
      txOffloadRefused: this.txOffloadRefused,
      txOffloadRefusedErrno: this.txOffloadRefusedErrno,
      txSyscalls: this.txSyscalls,
      lastErrno: this.lastTxErrno !== 0 ? this.lastTxErrno : ring.counter(LAST_ERRNO),
    };
  }

  /**
   * Send what is queued, stop the receive worker, close the fds. Resolves once the worker has
   * exited; no frame is delivered after that. Calling it again returns the same promise.
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.flush();
    this.closed = true;
    this.worker.ref(); // an unref'd worker's exit would not keep the loop alive until we resolve
    signalEventFd(this.wakeFd);
    await this.workerExited;
    this.rxKernelDrops += takeKernelDrops(this.fd);
    stopWakingAtExit(this.wakeFd);
    closeFd(this.fd);
    if (this.txFd !== this.fd) closeFd(this.txFd);
    closeFd(this.wakeFd);
    Atomics.notify(this.ring.control, WRITE_INDEX); // settle our own pending waitAsync
  }

  private readonly flush = (): void => {
    const queued = this.txQueued;
    this.txQueued = 0;
    this.txUsed = 0;
    let first = 0;
    while (first < queued) {
      const sent = this.txVector.send(this.txFd, first, queued - first, 0);
      this.txSyscalls++;
      if (sent > 0) {
        this.txFrames += sent;
        first += sent;
      } else {
        // The kernel refused the frame at `first` (ENOBUFS, EMSGSIZE, ENETDOWN...): drop it, go on.
        const errno = this.c.errno();
        this.lastTxErrno = errno;
        this.txErrors++;
        this.txDropped++;
        if (this.txSuper[first] === 1 && REFUSALS.has(errno)) this.superFrameRefused(errno);
        first++;
      }
    }
  };

  /**
   * The kernel took PACKET_VNET_HDR but will not segment this super-frame: stop offering
   * segmentation for good, so that TCP sends MSS-sized frames from its next output pass (it reads
   * the offloads once per pass) and resends what was dropped as such. Checksum offload stays: the
   * kernel checks csum_start and csum_offset the same way on every frame, and the ordinary frames
   * carrying them have been going through; what it refuses here is the segmentation (gso_type,
   * gso_size, hdr_len). Super-frames already queued behind this one cannot be cut here: they still
   * go to the kernel, which most likely refuses them too, and TCP resends those as well.
   */
  private superFrameRefused(errno: number): void {
    this.txOffloadRefused++;
    if (this.superFrame === 0) return;
    this.txOffloadRefusedErrno = errno;
    this.superFrame = 0;
    this.currentOffloads = Object.freeze({ checksum: true, tcpSegmentation: 0 });
  }

  private waitForFrames(): void {
    if (this.closed || this.waiting) return;
    const result = atomics.waitAsync(this.ring.control, WRITE_INDEX, this.readIndex);
    this.waiting = true;
    if (result.async) void result.value.then(this.onFrames);
    else setImmediate(this.onFrames); // frames already there: deliver on the next turn, never starve timers
  }

  private readonly onFrames = (): void => {
    this.waiting = false;
    if (this.closed) return;
    try {
      this.deliver();
    } finally {
      this.waitForFrames();
    }
  };

  /**
   * Hand every published frame to the receiver in place (a view of its ring slot, lent for the
   * call), releasing each slot to the worker once the receiver has returned; then end the burst.
   */
  private deliver(): void {
    const ring = this.ring;
    const written = Atomics.load(ring.control, WRITE_INDEX);
    let delivered = false;
    try {
      while (this.readIndex !== written && !this.closed) {
        const slot = ring.slotOf(this.readIndex);
        const length = ring.lengths[slot]!;
        this.readIndex = (this.readIndex + 1) | 0;
        const receiver = this.receiver;
        if (length === TRUNCATED_SLOT || receiver === null) {
          if (length !== TRUNCATED_SLOT) this.rxNoReceiver++; // a truncated frame is counted by the worker
          ring.release(1);
          continue;
        }
        const status = ring.statuses[slot]!;
        const start = slot * this.slotSize;
        this.rxFrames++;
        delivered = true;
        try {
          receiver(ring.data.subarray(start, start + length), status >= 0 && (status & (TP_STATUS_CSUMNOTREADY | TP_STATUS_CSUM_VALID)) !== 0 ? TRUSTED : UNTRUSTED);
        } finally {
          ring.release(1);
        }
      }
    } finally {
      // Even after a receiver threw: the burst is over either way.
      if (delivered && !this.closed) this.burstEnd?.();
    }
  }
}

/**
 * A transmit-only packet socket with PACKET_VNET_HDR, or -1 when the kernel refuses the option.
 * Bound with protocol 0 it receives nothing, so the receive path is untouched; a larger send
 * buffer keeps a batch of frames from hitting EAGAIN.
 */
function openVnetSocket(ifindex: number): number {
  const fd = createPacketSocket();
  try {
    setIntOption(fd, SOL_PACKET, PACKET_VNET_HDR, 1, "PACKET_VNET_HDR");
    bindPacketSocket(fd, ifindex, 0);
  } catch {
    closeFd(fd);
    return -1;
  }
  setSendBuffer(fd, 4 * 1024 * 1024);
  return fd;
}

/**
 * The virtio_net_hdr (little-endian, 10 bytes) at `at`: NEEDS_CSUM with where the checksum is, and
 * GSO TCPv4 for a super-frame; all zero for a complete frame.
 */
function writeVnetHeader(b: Uint8Array, at: number, offload: TxOffload | undefined): void {
  if (offload === undefined) {
    b.fill(0, at, at + VNET_HEADER);
    return;
  }
  const segmented = offload.segmentSize > 0;
  b[at] = VIRTIO_NET_HDR_F_NEEDS_CSUM;
  b[at + 1] = segmented ? VIRTIO_NET_HDR_GSO_TCPV4 : 0;
  writeLe16(b, at + 2, offload.headerLength);
  writeLe16(b, at + 4, offload.segmentSize);
  writeLe16(b, at + 6, offload.checksumStart);
  writeLe16(b, at + 8, offload.checksumOffset);
}

function writeLe16(b: Uint8Array, at: number, v: number): void {
  b[at] = v & 0xff;
  b[at + 1] = v >>> 8;
}

function setIntOptionIfSupported(fd: number, level: number, name: number, value: number): void {
  try {
    setIntOption(fd, level, name, value, "");
  } catch {
    // an older kernel: carry on without it
  }
}

function sameMac(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
