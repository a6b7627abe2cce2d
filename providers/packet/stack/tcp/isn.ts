/**
 * Initial sequence numbers per RFC 6528 (now RFC 9293 §3.4.1): ISN = M + F(4-tuple, secret), where
 * M is a clock ticking every 4 µs and F a keyed hash. Here F is HMAC-SHA-256 keyed with a secret
 * drawn once from the injected Random, so the clock and the secret are both under test control.
 * The same digest also yields the per-connection timestamp offset RFC 7323 §5.4 recommends.
 */
import { createHmac } from "node:crypto";
import type { Clock } from "../../clock.js";
import type { Random } from "../../random.js";
import type { Ipv4Address } from "../transport-host.js";

export interface InitialNumbers {
  /** Initial send sequence number. */
  iss: number;
  /** Offset added to our timestamp clock for this connection. */
  timestampOffset: number;
}

export class IsnGenerator {
  private readonly secret: Buffer;
  private readonly tuple = Buffer.alloc(12);

  constructor(
    private readonly clock: Clock,
    random: Random,
  ) {
    const key = new Uint8Array(32);
    random.fill(key);
    this.secret = Buffer.from(key);
  }

  generate(localAddress: Ipv4Address, localPort: number, remoteAddress: Ipv4Address, remotePort: number): InitialNumbers {
    const t = this.tuple;
    t.writeUInt32BE(localAddress >>> 0, 0);
    t.writeUInt16BE(localPort, 4);
    t.writeUInt32BE(remoteAddress >>> 0, 6);
    t.writeUInt16BE(remotePort, 10);
    const digest = createHmac("sha256", this.secret).update(t).digest();
    // 250 ticks of 4 µs per millisecond; modulo 2^32 keeps M a 32-bit counter that wraps.
    const m = Math.floor(this.clock.now() * 250) % 0x1_0000_0000;
    return {
      iss: (m + digest.readUInt32BE(0)) >>> 0,
      timestampOffset: digest.readUInt32BE(4),
    };
  }
}
