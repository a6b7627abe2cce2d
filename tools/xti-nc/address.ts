/**
 * ADDRESS on xti-nc's command line, in the form the device's t_info.addr calls for: a sockaddr_in
 * (16 bytes: HOST PORT, or just PORT to listen on every address), a sockaddr_in6 (28 bytes), or
 * the bytes of one word (the loopback providers' names).
 */
import { SOCKADDR_IN6_SIZE, SOCKADDR_IN_SIZE, parseSockaddrIn, parseSockaddrIn6, sockaddr_in, sockaddr_in6 } from "../../src/index.js";
import { UsageError } from "./args.js";

function port(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) > 65535) throw new UsageError(`PORT must be 0..65535, got "${text}"`);
  return Number(text);
}

/** The netbuf bytes of `words` for a provider whose addresses are `size` bytes long. */
export function transportAddress(words: readonly string[], size: number, listening: boolean): Uint8Array {
  if (size === SOCKADDR_IN_SIZE || size === SOCKADDR_IN6_SIZE) {
    const v6 = size === SOCKADDR_IN6_SIZE;
    const [host, portText] = words.length === 1 && listening ? [v6 ? "::" : "0.0.0.0", words[0]!] : words;
    if (host === undefined || portText === undefined) throw new UsageError(`this device's addresses are HOST PORT${listening ? " (or PORT)" : ""}`);
    try {
      return v6 ? sockaddr_in6(host, port(portText)) : sockaddr_in(host, port(portText));
    } catch (err) {
      if (err instanceof UsageError) throw err;
      throw new UsageError(`HOST "${host}" is not an ${v6 ? "IPv6" : "IPv4"} address`);
    }
  }
  if (words.length !== 1) throw new UsageError("this device's addresses are one word");
  return new TextEncoder().encode(words[0]);
}

/** An address for messages: "198.18.0.1:5001", "[::1]:7", or the text of a loopback name. */
export function describeAddress(bytes: Uint8Array): string {
  if (bytes.length === SOCKADDR_IN_SIZE) {
    const a = parseSockaddrIn(bytes);
    if (a !== null) return `${a.address}:${a.port}`;
  }
  if (bytes.length === SOCKADDR_IN6_SIZE) {
    const a = parseSockaddrIn6(bytes);
    if (a !== null) return `[${a.address}]:${a.port}`;
  }
  return JSON.stringify(new TextDecoder().decode(bytes));
}
