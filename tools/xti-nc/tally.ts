/** Byte counts and running SHA-256 digests of what a session sent and received. */
import { createHash, type Hash } from "node:crypto";

export interface TransferTotals {
  sent: number;
  sentSha256: string;
  received: number;
  receivedSha256: string;
}

export class TransferTally {
  private readonly sentHash: Hash = createHash("sha256");
  private readonly receivedHash: Hash = createHash("sha256");
  private sentBytes = 0;
  private receivedBytes = 0;

  get sent(): number {
    return this.sentBytes;
  }

  get received(): number {
    return this.receivedBytes;
  }

  countSent(data: Uint8Array): void {
    this.sentHash.update(data);
    this.sentBytes += data.length;
  }

  countReceived(data: Uint8Array): void {
    this.receivedHash.update(data);
    this.receivedBytes += data.length;
  }

  /** A snapshot; the digests keep running (copies are finalised, not the hashes). */
  totals(): TransferTotals {
    return {
      sent: this.sentBytes,
      sentSha256: this.sentHash.copy().digest("hex"),
      received: this.receivedBytes,
      receivedSha256: this.receivedHash.copy().digest("hex"),
    };
  }
}
