/**
 * The one place the daytime programs make and read transport addresses. Today an Internet address
 * is a sockaddr_in built from a dotted quad and a port, as the C originals fill in theirs; a later
 * step takes them from netdir (netdir_getbyname on the "tcp" netconfig entry) instead.
 */
import { parseSockaddrIn, sockaddr_in, type netbuf } from "xti";

/** The transport address of `host` (a dotted quad) and `port`, for a t_bind or t_call netbuf. */
export function inetAddress(host: string, port: number): Uint8Array {
  return sockaddr_in(host, port);
}

/** The port of the address in `nb` (0 if it holds none). */
export function portOf(nb: netbuf): number {
  return parseSockaddrIn(nb.buf.subarray(0, nb.len))?.port ?? 0;
}
