/** A minimal classic-pcap reader, independent of the writer, to check what it produced. */

export interface PcapRecord {
  seconds: number;
  micros: number;
  originalLength: number;
  data: Uint8Array;
}

export interface PcapCapture {
  versionMajor: number;
  versionMinor: number;
  snapLength: number;
  linkType: number;
  records: PcapRecord[];
}

export function readPcap(bytes: Uint8Array): PcapCapture {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, true);
  let le: boolean;
  if (magic === 0xa1b2c3d4) le = true;
  else if (magic === 0xd4c3b2a1) le = false;
  else throw new Error(`not a microsecond pcap file (magic ${magic.toString(16)})`);
  const capture: PcapCapture = {
    versionMajor: view.getUint16(4, le),
    versionMinor: view.getUint16(6, le),
    snapLength: view.getUint32(16, le),
    linkType: view.getUint32(20, le),
    records: [],
  };
  let at = 24;
  while (at < bytes.length) {
    if (at + 16 > bytes.length) throw new Error("truncated record header");
    const included = view.getUint32(at + 8, le);
    if (at + 16 + included > bytes.length) throw new Error("truncated record data");
    capture.records.push({
      seconds: view.getUint32(at, le),
      micros: view.getUint32(at + 4, le),
      originalLength: view.getUint32(at + 12, le),
      data: bytes.slice(at + 16, at + 16 + included),
    });
    at += 16 + included;
  }
  return capture;
}
