/**
 * An in-memory Ethernet segment for tests: a hub joining any number of LinkDevice ports. Every
 * frame a port sends reaches every other port (filtering by destination MAC is the receiver's job,
 * as with a packet socket on a veth), after the configured latency and, when a rate is set, after
 * the frames queued before it have been serialised. Delivery always goes through the Clock, never
 * from inside send(), so a ManualClock makes a whole multi-stack run deterministic.
 *
 * A received frame is lent for the call, as the AF_PACKET device lends its ring: once the
 * receiver returns, the hub overwrites the frame with POISON_BYTE, so a receiver that keeps a view
 * instead of a copy sees garbage in every test that runs over the hub.
 */
import type { Clock, Timer } from "../clock.js";
import type { FrameReceiver, LinkDevice, LinkStats } from "./device.js";

const ETHERNET_HEADER_LEN = 14;
/** What a lent frame holds once its receiver has returned. */
export const POISON_BYTE = 0xdb;

export interface MemoryLinkOptions {
  /** One-way delay from send to delivery in ms (default 0: the next clock turn). */
  latencyMs?: number;
  /** Transmit rate of each port in bytes per second (default: unlimited, no queueing). */
  bytesPerSecond?: number;
  /**
   * Bytes a port may hold waiting for its transmitter when a rate is set; a frame that would exceed
   * it is tail-dropped and counted in txDropped, so congestion can happen (default 64 KiB).
   */
  queueLimitBytes?: number;
  /** Largest Ethernet payload (default 1500); longer frames are dropped at send. */
  mtu?: number;
  /**
   * Deliver the frames that arrive at the same instant as one burst and announce its end
   * (LinkDevice.signalsBurstEnd), as the AF_PACKET device does per wake-up (default false).
   */
  bursts?: boolean;
}

interface InFlight {
  frame: Uint8Array;
  arrival: number;
}

export class MemoryHub {
  readonly latencyMs: number;
  readonly bytesPerSecond: number;
  readonly queueLimitBytes: number;
  readonly mtu: number;
  readonly bursts: boolean;
  private ports: MemoryLinkDevice[] = [];
  /** Closed ports whose frames are still on the wire. */
  private readonly draining = new Set<MemoryLinkDevice>();

  constructor(readonly clock: Clock, options: MemoryLinkOptions = {}) {
    this.latencyMs = options.latencyMs ?? 0;
    this.bytesPerSecond = options.bytesPerSecond ?? Infinity;
    this.queueLimitBytes = options.queueLimitBytes ?? 65536;
    this.mtu = options.mtu ?? 1500;
    this.bursts = options.bursts ?? false;
  }

  /** A new port on this hub with the given MAC address. */
  attach(mac: Uint8Array): MemoryLinkDevice {
    const port = new MemoryLinkDevice(this, mac);
    this.ports.push(port);
    return port;
  }

  /** @internal Called by a port's transmit timer. */
  deliver(from: MemoryLinkDevice, frame: Uint8Array): void {
    // Each receiver gets a copy lent for the call; the sender's frame is left as it was.
    for (const port of this.ports) {
      if (port === from) continue;
      const lent = frame.slice();
      port.receive(lent);
      lent.fill(POISON_BYTE);
    }
  }

  /** @internal The frames due now have all been delivered: end every port's burst. */
  endBursts(): void {
    if (!this.bursts) return;
    for (const port of this.ports) port.endBurst();
  }

  /** @internal A port closed; `inFlight` = frames it sent are still on the wire. */
  detach(port: MemoryLinkDevice, inFlight: boolean): void {
    // A new array, so a deliver() loop running over the old one is not disturbed.
    this.ports = this.ports.filter((p) => p !== port);
    if (inFlight) this.draining.add(port);
    if (this.ports.length > 0) return;
    // Nobody is left to receive them: drop what is still on the wire, and its timers.
    for (const p of this.draining) p.discardInFlight();
    this.draining.clear();
  }

  /** @internal A closed port's last frame has arrived. */
  drained(port: MemoryLinkDevice): void {
    this.draining.delete(port);
  }
}

/** Two ports joined by their own hub: the common test topology. */
export function memoryPair(clock: Clock, macA: Uint8Array, macB: Uint8Array, options: MemoryLinkOptions = {}): [MemoryLinkDevice, MemoryLinkDevice] {
  const hub = new MemoryHub(clock, options);
  return [hub.attach(macA), hub.attach(macB)];
}

export class MemoryLinkDevice implements LinkDevice {
  readonly mac: Uint8Array;
  readonly mtu: number;
  private readonly counters: LinkStats = { txFrames: 0, rxFrames: 0, txDropped: 0, rxDropped: 0 };
  private receiver: FrameReceiver | null = null;
  private burstEnd: (() => void) | undefined = undefined;
  /** A frame has been delivered since the last burst end. */
  private inBurst = false;
  /** Frames on the wire from this port, in arrival order (FIFO: one transmitter, one latency). */
  private inFlight: InFlight[] = [];
  private inFlightHead = 0;
  /** When this port's transmitter finishes the frames queued so far. */
  private txBusyUntil = 0;
  private timer: Timer | null = null;
  private closed = false;

  constructor(private readonly hub: MemoryHub, mac: Uint8Array) {
    this.mac = mac.slice();
    this.mtu = hub.mtu;
  }

  get signalsBurstEnd(): boolean {
    return this.hub.bursts;
  }

  send(frame: Uint8Array): void {
    if (this.closed || frame.length < ETHERNET_HEADER_LEN || frame.length > ETHERNET_HEADER_LEN + this.mtu) {
      this.counters.txDropped++;
      return;
    }
    const now = this.hub.clock.now();
    let departure = now;
    const rate = this.hub.bytesPerSecond;
    if (rate !== Infinity) {
      const start = Math.max(now, this.txBusyUntil);
      const backlogBytes = ((start - now) * rate) / 1000;
      if (backlogBytes + frame.length > this.hub.queueLimitBytes) {
        this.counters.txDropped++;
        return;
      }
      this.txBusyUntil = start + (frame.length * 1000) / rate;
      departure = this.txBusyUntil;
    }
    this.inFlight.push({ frame, arrival: departure + this.hub.latencyMs });
    this.counters.txFrames++;
    if (this.timer === null) this.armTimer();
  }

  setReceiver(receiver: FrameReceiver | null, burstEnd?: () => void): void {
    this.receiver = receiver;
    this.burstEnd = receiver === null ? undefined : burstEnd;
  }

  stats(): LinkStats {
    return { ...this.counters };
  }

  /**
   * Stop sending and receiving. Frames already on the wire still arrive, on the hub's clock, as a
   * NIC transmits what it has queued: a host's last ACK must not vanish with it.
   */
  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.receiver = null;
      this.hub.detach(this, this.inFlightHead < this.inFlight.length);
    }
    return Promise.resolve();
  }

  /** @internal The hub has nobody left: forget the frames on the wire. */
  discardInFlight(): void {
    this.timer?.cancel();
    this.timer = null;
    this.inFlight = [];
    this.inFlightHead = 0;
  }

  /** @internal A frame from another port arrives. */
  receive(frame: Uint8Array): void {
    const receiver = this.receiver;
    if (receiver === null) {
      this.counters.rxDropped++;
      return;
    }
    this.counters.rxFrames++;
    this.inBurst = true;
    receiver(frame);
  }

  /** @internal The hub's burst is over. */
  endBurst(): void {
    if (!this.inBurst) return;
    this.inBurst = false;
    this.burstEnd?.();
  }

  private armTimer(): void {
    const head = this.inFlight[this.inFlightHead];
    if (head === undefined) return;
    this.timer = this.hub.clock.setTimer(head.arrival - this.hub.clock.now(), this.onTimer);
  }

  private readonly onTimer = (): void => {
    this.timer = null;
    const now = this.hub.clock.now();
    // A receiver may send from inside deliver(); that only appends to some port's queue.
    for (;;) {
      const head = this.inFlight[this.inFlightHead];
      if (head === undefined || head.arrival > now) break;
      this.inFlightHead++;
      this.hub.deliver(this, head.frame);
    }
    this.hub.endBursts();
    if (this.inFlightHead >= 1024 && this.inFlightHead * 2 >= this.inFlight.length) {
      this.inFlight = this.inFlight.slice(this.inFlightHead);
      this.inFlightHead = 0;
    }
    if (this.inFlightHead === this.inFlight.length) {
      this.inFlight.length = 0;
      this.inFlightHead = 0;
      if (this.closed) this.hub.drained(this);
    }
    this.armTimer();
  };
}
