/**
 * The reason a T_DISCONNECT carries for a kernel socket error. Linux records a RST that arrives
 * after the peer's FIN (in CLOSE_WAIT) as EPIPE, not ECONNRESET; to the XTI user it is a reset like
 * any other, so every socket error becomes a disconnect reason through here.
 */
import { ECONNRESET, EPIPE } from "../../src/spi/index.js";

export function disconnectReason(errno: number): number {
  return errno === EPIPE ? ECONNRESET : errno;
}
