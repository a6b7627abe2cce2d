import { expect } from "chai";
import { execFileSync } from "node:child_process";
import { checksumValid, finishChecksum, foldSum, internetChecksum, onesComplementSum, pseudoHeaderSum } from "../../../providers/packet/wire/checksum.js";
import { checksumMemory, wasmSummer } from "../../../providers/packet/wire/checksum-memory.js";
import { CHECKSUM_WASM } from "../../../providers/packet/wire/checksum-wasm.js";
import { compileChecksumWat } from "../../../scripts/build-wasm.js";

/** Straightforward byte-pair reference, to check the word-at-a-time implementation against. */
function referenceChecksum(b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < b.length; i += 2) sum += (b[i]! << 8) | (i + 1 < b.length ? b[i + 1]! : 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

describe("packet/net wire: Internet checksum", () => {
  it("matches the RFC 1071 §3 worked example", () => {
    // 00 01 f2 03 f4 f5 f6 f7 sums to ddf2 (RFC 1071 §3, numerical example).
    const bytes = Uint8Array.from([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]);
    expect(foldSum(onesComplementSum(bytes, 0, 8))).to.equal(0xddf2);
    expect(internetChecksum(bytes, 0, 8)).to.equal(~0xddf2 & 0xffff);
  });

  it("agrees with a byte-pair reference for every length and alignment up to 70 bytes, and at 64 KiB", () => {
    const data = Uint8Array.from({ length: 65600 }, (_, i) => (i * 7919 + 13) & 0xff);
    for (let off = 0; off < 4; off++) {
      for (let len = 0; len <= 70; len++) {
        expect(internetChecksum(data, off, len), `off ${off} len ${len}`).to.equal(referenceChecksum(data.subarray(off, off + len)));
      }
    }
    expect(internetChecksum(data, 1, 65535)).to.equal(referenceChecksum(data.subarray(1, 65536)));
  });

  it("sums checksum memory in WebAssembly to the same result, for every alignment and length around its cut-offs", () => {
    const memory = checksumMemory(70_000);
    expect(wasmSummer(memory), "checksum memory has its summer").to.not.equal(undefined);
    expect(wasmSummer(new SharedArrayBuffer(64)), "other memory has none").to.equal(undefined);
    const fast = new Uint8Array(memory);
    for (let i = 0; i < fast.length; i++) fast[i] = (i * 7919 + 13) & 0xff;
    fast.fill(0xff, 40_000, 41_000); // carries in every word
    const plain = fast.slice(); // the same bytes in ordinary memory: the JavaScript loop
    const view = fast.subarray(3); // a view not at the start of the memory
    for (let off = 0; off < 16; off++) {
      for (const len of [0, 1, 127, 128, 129, 130, 135, 136, 200, 1479, 1480, 1481, 1514]) {
        expect(foldSum(onesComplementSum(fast, off, len)), `off ${off} len ${len}`).to.equal(foldSum(onesComplementSum(plain, off, len)));
        expect(foldSum(onesComplementSum(view, off, len)), `view, off ${off} len ${len}`).to.equal(foldSum(onesComplementSum(plain, off + 3, len)));
      }
    }
    expect(foldSum(onesComplementSum(fast, 39_998, 4_000)), "0xffff words").to.equal(foldSum(onesComplementSum(plain, 39_998, 4_000)));
    expect(foldSum(onesComplementSum(fast, 2, 65_535))).to.equal(foldSum(onesComplementSum(plain, 2, 65_535)));
  });

  it("falls back to a plain SharedArrayBuffer, summed in JavaScript, where WebAssembly is unavailable (--jitless)", () => {
    const memoryModule = new URL("../../../providers/packet/wire/checksum-memory.ts", import.meta.url).href;
    const checksumModule = new URL("../../../providers/packet/wire/checksum.ts", import.meta.url).href;
    const script = `
      const { checksumMemory, wasmSummer } = await import(${JSON.stringify(memoryModule)});
      const { internetChecksum } = await import(${JSON.stringify(checksumModule)});
      const m = checksumMemory(100000);
      const b = new Uint8Array(m);
      for (let i = 0; i < b.length; i++) b[i] = (i * 7919 + 13) & 255;
      console.log(JSON.stringify({ shared: m instanceof SharedArrayBuffer, bytes: m.byteLength, wasm: wasmSummer(m) !== undefined, sum: internetChecksum(b, 2, 1480) }));`;
    const out = execFileSync(process.execPath, ["--jitless", "--no-warnings", "--import", "tsx", "--input-type=module", "-e", script], { encoding: "utf8" });
    const data = Uint8Array.from({ length: 1482 }, (_, i) => (i * 7919 + 13) & 0xff);
    expect(JSON.parse(out)).to.deep.equal({ shared: true, bytes: 100000, wasm: false, sum: referenceChecksum(data.subarray(2)) });
  });

  it("runs the module built from checksum.wat (npm run build:wasm)", async () => {
    expect(Array.from(CHECKSUM_WASM)).to.deep.equal(Array.from(await compileChecksumWat()));
  });

  it("verifies data that carries its own checksum and rejects a flipped bit", () => {
    const data = Uint8Array.from({ length: 101 }, (_, i) => i * 3);
    data[10] = 0;
    data[11] = 0;
    const c = internetChecksum(data, 0, data.length);
    data[10] = c >>> 8;
    data[11] = c & 0xff;
    expect(checksumValid(onesComplementSum(data, 0, data.length))).to.equal(true);
    data[50]! ^= 0x10;
    expect(checksumValid(onesComplementSum(data, 0, data.length))).to.equal(false);
  });

  it("keeps negative zero: an all-0xffff sum folds to 0xffff, not 0", () => {
    expect(foldSum(0xffff * 5)).to.equal(0xffff);
    expect(finishChecksum(0)).to.equal(0xffff);
    expect(pseudoHeaderSum(0xc6120001, 0xc6120002, 17, 10)).to.equal(0xc612 + 1 + 0xc612 + 2 + 17 + 10);
  });
});
