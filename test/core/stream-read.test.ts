/**
 * t_rcv's byte-stream fast path (one buffer, tsdu 0) against the general loop (t_rcvv, which
 * always takes it): the same counts, flags, bytes, events and consumed() reports, for pieces of
 * mixed sizes read in partial reads, T_MORE set on some (a byte stream ignores it), expedited data
 * in line or overtaking, and a release after the data; at once and for a blocked call.
 */
import { expect } from "chai";
import { T_ORDREL, TLOOK, registerProvider, t_bind, t_connect, t_errno, t_look, t_rcv, t_rcvv, unregisterProvider } from "../../src/index.js";
import { ScriptedProvider, type ScriptedEndpoint } from "../helpers/scripted.js";
import { callTo, cleanup, ok, open, settle, text } from "../helpers/xti.js";

const NONE = new Uint8Array(0);
let serial = 0;

type Ind = ["data" | "exdata", string, boolean] | ["ordrel"];

/** What a reader saw: each call's count, flags and bytes, then the event that stopped it. */
type Transcript = string[];

async function connectedStream(expInline: boolean): Promise<{ fd: number; sep: ScriptedEndpoint; name: string }> {
  const sp = new ScriptedProvider(`/dev/test-stream-read-${++serial}`, { tsdu: 0, etsdu: 1, expInline });
  registerProvider(sp);
  const fd = open(sp.name);
  await ok(t_bind(fd, null, null));
  const connecting = t_connect(fd, callTo(text("peer")), null);
  await settle();
  sp.last.user.connCon({ addr: text("peer"), opt: NONE, udata: NONE });
  await ok(connecting);
  return { fd, sep: sp.last, name: sp.name };
}

function indicate(sep: ScriptedEndpoint, inds: readonly Ind[]): void {
  for (const ind of inds) {
    if (ind[0] === "ordrel") sep.user.ordrelInd(null);
    else if (ind[0] === "data") sep.user.dataInd(text(ind[1]), ind[2]);
    else sep.user.exdataInd(text(ind[1]), ind[2]);
  }
}

/** One read of `size` bytes: t_rcv into one buffer (the fast path), or t_rcvv into two (the general loop). */
async function readOnce(fd: number, size: number, general: boolean, out: Transcript): Promise<boolean> {
  const flags = { value: 0 };
  let n: number;
  let bytes: Uint8Array;
  if (general) {
    const a = new Uint8Array(1);
    const b = new Uint8Array(size - 1);
    n = await t_rcvv(fd, [{ iov_base: a, iov_len: 1 }, { iov_base: b, iov_len: size - 1 }], 2, flags);
    bytes = new Uint8Array([...a, ...b]);
  } else {
    bytes = new Uint8Array(size);
    n = await t_rcv(fd, bytes, size, flags);
  }
  if (n < 0) {
    out.push(t_errno === TLOOK ? `look ${t_look(fd)}` : `error ${t_errno}`);
    return false;
  }
  out.push(`${n} 0x${flags.value.toString(16)} ${new TextDecoder().decode(bytes.subarray(0, n))}`);
  return true;
}

/** Indicate `inds`, then read with buffers of `sizes` (cycled) until an event stops the reader. */
async function transcript(inds: readonly Ind[], sizes: readonly number[], expInline: boolean, general: boolean): Promise<{ reads: Transcript; consumed: string[] }> {
  const { fd, sep, name } = await connectedStream(expInline);
  try {
    indicate(sep, inds);
    const reads: Transcript = [];
    for (let i = 0; await readOnce(fd, sizes[i % sizes.length] as number, general, reads); i++);
    const consumed = sep.requests.flatMap((r) => (r.kind === "consumed" ? [`${r.bytes}${r.expedited ? "!" : ""}`] : []));
    return { reads, consumed };
  } finally {
    unregisterProvider(name);
  }
}

const MIXED: Ind[] = [
  ["data", "abc", true],
  ["data", "defgh", false],
  ["data", "", false],
  ["data", "i", true],
  ["exdata", "X", false],
  ["data", "jklmnopqrstu", true],
  ["data", "vw", false],
  ["data", "xyz0123456789", false],
  ["ordrel"],
];

describe("t_rcv on a byte stream (the fast path against the general loop)", () => {
  afterEach(cleanup);

  for (const expInline of [true, false]) {
    for (const sizes of [[64], [2], [4, 3, 7, 2], [5, 16, 2, 9]]) {
      it(`reads what the general loop reads: expedited ${expInline ? "in line" : "overtaking"}, buffers of ${sizes.join(", ")}`, async () => {
        const fast = await transcript(MIXED, sizes, expInline, false);
        const general = await transcript(MIXED, sizes, expInline, true);
        expect(fast).to.deep.equal(general);
        expect(fast.reads[fast.reads.length - 1]).to.equal(`look ${T_ORDREL}`);
      });
    }
  }

  it("combines pieces up to the buffer, keeps in-line expedited data at its place, and reports the release after the data", async () => {
    const { reads, consumed } = await transcript(MIXED, [64], true, false);
    expect(reads).to.deep.equal(["9 0x0 abcdefghi", "1 0x2 X", "27 0x0 jklmnopqrstuvwxyz0123456789", `look ${T_ORDREL}`]);
    expect(consumed).to.deep.equal(["9", "1!", "27"]);
  });

  for (const general of [false, true]) {
    it(`a blocked ${general ? "t_rcvv" : "t_rcv"} woken by several pieces takes them together, up to its buffer`, async () => {
      const { fd, sep, name } = await connectedStream(true);
      try {
        const reads: Transcript = [];
        const first = readOnce(fd, 10, general, reads);
        await settle();
        indicate(sep, [
          ["data", "abcd", true],
          ["data", "efgh", false],
          ["data", "ijklmn", false],
          ["exdata", "X", false],
          ["ordrel"],
        ]);
        expect(await first).to.equal(true);
        while (await readOnce(fd, 10, general, reads));
        expect(reads).to.deep.equal(["10 0x0 abcdefghij", "4 0x0 klmn", "1 0x2 X", `look ${T_ORDREL}`]);
      } finally {
        unregisterProvider(name);
      }
    });
  }
});
