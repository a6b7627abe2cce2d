/** 48-bit MAC addresses as 6-byte arrays. */
export const MAC_LEN = 6;

/** "02:00:5e:10:00:01" (or with '-') to bytes; null if it is not six hex pairs. */
export function parseMac(text: string): Uint8Array | null {
  const parts = text.split(/[:-]/);
  if (parts.length !== MAC_LEN) return null;
  const mac = new Uint8Array(MAC_LEN);
  for (let i = 0; i < MAC_LEN; i++) {
    const part = parts[i]!;
    if (!/^[0-9a-fA-F]{1,2}$/.test(part)) return null;
    mac[i] = parseInt(part, 16);
  }
  return mac;
}

export function formatMac(mac: Uint8Array, off = 0): string {
  const parts: string[] = [];
  for (let i = 0; i < MAC_LEN; i++) parts.push(mac[off + i]!.toString(16).padStart(2, "0"));
  return parts.join(":");
}

/** True if the 6 bytes at `buf[off]` equal `mac`. */
export function macEquals(buf: Uint8Array, off: number, mac: Uint8Array): boolean {
  for (let i = 0; i < MAC_LEN; i++) if (buf[off + i] !== mac[i]) return false;
  return true;
}

/** True for ff:ff:ff:ff:ff:ff at `buf[off]`. */
export function isBroadcastMac(buf: Uint8Array, off: number): boolean {
  for (let i = 0; i < MAC_LEN; i++) if (buf[off + i] !== 0xff) return false;
  return true;
}

/** Group (multicast or broadcast) addresses have the I/G bit, the low bit of the first octet, set. */
export function isGroupMac(buf: Uint8Array, off: number): boolean {
  return (buf[off]! & 1) === 1;
}
