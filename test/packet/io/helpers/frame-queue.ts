/** Collects a device's received frames so a test can await the next one matching a predicate. */
import type { FrameInfo, LinkDevice } from "../../../../providers/packet/link/device.js";

export interface Received {
  frame: Uint8Array;
  info: FrameInfo | undefined;
}

export class FrameQueue {
  readonly all: Received[] = [];
  private cursor = 0;
  private wake: (() => void) | null = null;

  constructor(device: LinkDevice) {
    device.setReceiver((frame, info) => {
      this.all.push({ frame: frame.slice(), info }); // frames are lent for the call
      this.wake?.();
    });
  }

  /** The next frame (after those already taken) satisfying `match`; rejects after `timeoutMs`. */
  async next(match: (frame: Uint8Array) => boolean = () => true, timeoutMs = 3000): Promise<Received> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (this.cursor < this.all.length) {
        const candidate = this.all[this.cursor++]!;
        if (match(candidate.frame)) return candidate;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching frame within ${timeoutMs} ms (${this.all.length} received)`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
    }
  }
}
