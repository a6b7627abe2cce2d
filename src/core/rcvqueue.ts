/**
 * The receive side of one endpoint: the indications the provider raised and the user has not yet
 * consumed, in arrival order (the stream head read queue of a TLI/XTI endpoint), plus the
 * expedited band that overtakes normal data. Also decides what t_look reports.
 */
import { T_CONNECT, T_DATA, T_DISCONNECT, T_EXDATA, T_LISTEN, T_ORDREL, T_UDERR } from "../constants.js";

export interface ConnInd {
  kind: "conn_ind";
  sequence: number;
  addr: Uint8Array;
  opt: Uint8Array;
  udata: Uint8Array;
}
export interface ConnCon {
  kind: "conn_con";
  addr: Uint8Array;
  opt: Uint8Array;
  udata: Uint8Array;
}
export interface DisconInd {
  kind: "discon";
  reason: number;
  sequence: number;
  udata: Uint8Array;
}
/** A piece of a TSDU (normal) or ETSDU (expedited); `off` bytes of it were already read. */
export interface DataPiece {
  kind: "data" | "exdata";
  buf: Uint8Array;
  more: boolean;
  off: number;
}
export interface OrdrelInd {
  kind: "ordrel";
  udata: Uint8Array | null;
}
/** A datagram; `off` > 0 once part of it was returned with T_MORE. */
export interface UnitdataInd {
  kind: "unitdata";
  addr: Uint8Array;
  opt: Uint8Array;
  udata: Uint8Array;
  off: number;
}
export interface UderrInd {
  kind: "uderr";
  addr: Uint8Array;
  opt: Uint8Array;
  error: number;
}
export type Indication = ConnInd | ConnCon | DisconInd | DataPiece | OrdrelInd | UnitdataInd | UderrInd;

/** A FIFO with O(1) amortised removal at the head and removal of an arbitrary element. */
class Fifo<T> {
  private items: T[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }
  push(item: T): void {
    this.items.push(item);
  }
  peek(): T | undefined {
    return this.items[this.head];
  }
  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined as unknown as T; // let the item be collected
    this.head++;
    if (this.head > 64 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
  at(i: number): T | undefined {
    return this.items[this.head + i];
  }
  find(pred: (item: T) => boolean): T | undefined {
    for (let i = this.head; i < this.items.length; i++) {
      const item = this.items[i] as T;
      if (pred(item)) return item;
    }
    return undefined;
  }
  /** Remove every item matching `pred`; returns the removed items in order. */
  removeWhere(pred: (item: T) => boolean): T[] {
    const kept: T[] = [];
    const removed: T[] = [];
    for (let i = this.head; i < this.items.length; i++) {
      const item = this.items[i] as T;
      (pred(item) ? removed : kept).push(item);
    }
    if (removed.length > 0) {
      this.items = kept;
      this.head = 0;
    }
    return removed;
  }
  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = this.head; i < this.items.length; i++) yield this.items[i] as T;
  }
}

const EVENT_OF: Record<Indication["kind"], number> = {
  conn_ind: T_LISTEN,
  conn_con: T_CONNECT,
  discon: T_DISCONNECT,
  data: T_DATA,
  exdata: T_EXDATA,
  ordrel: T_ORDREL,
  unitdata: T_DATA,
  uderr: T_UDERR,
};

/** Bytes of data removed from the queue, per band, so the provider can be told (consumed). */
export interface Discarded {
  normal: number;
  expedited: number;
}

export class ReceiveQueue {
  /** Band 0: everything in arrival order (and expedited data of in-line providers). */
  private readonly main = new Fifo<Indication>();
  /** Band 1: expedited data of providers whose ETSDUs overtake normal data. */
  private readonly band1 = new Fifo<DataPiece>();
  private disconCount = 0;

  /** @param expInline expedited data stays in line with normal data (TCP urgent data). */
  constructor(private readonly expInline: boolean) {}

  push(ind: Indication): void {
    if (ind.kind === "exdata" && !this.expInline) {
      this.band1.push(ind);
      return;
    }
    if (ind.kind === "discon") this.disconCount++;
    this.main.push(ind);
  }

  /** The first indication of band 0, if any. */
  head(): Indication | undefined {
    return this.main.peek();
  }

  /** The indication after the head (used to combine TSDU pieces). */
  at(i: number): Indication | undefined {
    return this.main.at(i);
  }

  shift(): Indication | undefined {
    const ind = this.main.shift();
    if (ind?.kind === "discon") this.disconCount--;
    return ind;
  }

  /** The first expedited piece of band 1, if any. */
  expeditedHead(): DataPiece | undefined {
    return this.band1.peek();
  }

  expeditedAt(i: number): DataPiece | undefined {
    return this.band1.at(i);
  }

  shiftExpedited(): DataPiece | undefined {
    return this.band1.shift();
  }

  hasDiscon(): boolean {
    return this.disconCount > 0;
  }

  find<K extends Indication["kind"]>(kind: K): Extract<Indication, { kind: K }> | undefined {
    return this.main.find((i) => i.kind === kind) as Extract<Indication, { kind: K }> | undefined;
  }

  findDiscon(pred: (d: DisconInd) => boolean = () => true): DisconInd | undefined {
    return this.main.find((i) => i.kind === "discon" && pred(i)) as DisconInd | undefined;
  }

  /** Remove one specific indication (by identity). */
  remove(ind: Indication): void {
    const removed = this.main.removeWhere((i) => i === ind);
    for (const r of removed) if (r.kind === "discon") this.disconCount--;
  }

  /** True if anything at all is queued (the "any event pending" test of t_connect and t_unbind). */
  isEmpty(): boolean {
    return this.main.length === 0 && this.band1.length === 0;
  }

  /** True if any expedited data is queued in either band. */
  hasExpedited(): boolean {
    return this.band1.length > 0 || (this.expInline && this.main.find((i) => i.kind === "exdata") !== undefined);
  }

  /**
   * The event t_look reports, without consuming anything: a disconnect first (it outranks
   * everything), then band-1 expedited data, then the head of the queue. With
   * `upgradeInlineExpedited` (XTI), in-line expedited data anywhere in the queue turns T_DATA
   * into T_EXDATA.
   */
  look(upgradeInlineExpedited: boolean): number {
    if (this.disconCount > 0) return T_DISCONNECT;
    if (this.band1.length > 0) return T_EXDATA;
    const head = this.main.peek();
    if (head === undefined) return 0;
    if (upgradeInlineExpedited && this.expInline && head.kind === "data" && this.hasExpedited()) return T_EXDATA;
    return EVENT_OF[head.kind];
  }

  /** Remove data, expedited data and orderly-release indications (M_FLUSH, or after a disconnect). */
  flushData(): Discarded {
    const out: Discarded = { normal: 0, expedited: 0 };
    for (const p of this.band1.removeWhere(() => true)) out.expedited += p.buf.length - p.off;
    for (const r of this.main.removeWhere((i) => i.kind === "data" || i.kind === "exdata" || i.kind === "ordrel" || i.kind === "unitdata")) {
      if (r.kind === "data") out.normal += r.buf.length - r.off;
      else if (r.kind === "exdata") out.expedited += r.buf.length - r.off;
      else if (r.kind === "unitdata") out.normal += r.udata.length; // a datagram is reported whole, when it goes
    }
    return out;
  }

  /** A disconnect overrides a pending orderly release: drop any unread T_ORDREL. */
  dropOrdrel(): void {
    this.main.removeWhere((i) => i.kind === "ordrel");
  }

  /** Remove everything (unbind, close). */
  clear(): Discarded {
    const out = this.flushData();
    this.main.removeWhere(() => true);
    this.disconCount = 0;
    return out;
  }

  /** Remove the connection indication with `sequence` if it is still queued (never seen by t_listen). */
  withdrawConnInd(sequence: number): boolean {
    return this.main.removeWhere((i) => i.kind === "conn_ind" && i.sequence === sequence).length > 0;
  }
}
