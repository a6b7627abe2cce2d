/**
 * Why a connection ended, as T_DISCON_IND's reason: the errno value a socket user would see, as
 * /dev/tcp reports it (ECONNRESET, ECONNREFUSED, ETIMEDOUT, EHOSTUNREACH...), and the errno of an
 * ICMP error a datagram met, as T_UDERR's error.
 */
import { ECONNABORTED, ECONNREFUSED, ECONNRESET, EHOSTUNREACH, EMSGSIZE, ENETUNREACH, ETIMEDOUT } from "../../../src/spi/index.js";
import type { IcmpErrorKind } from "../stack/transport-host.js";
import type { TcpDisconnectReason } from "../stack/tcp/types.js";

const DISCONNECT: Record<TcpDisconnectReason, number> = {
  ECONNREFUSED,
  ECONNRESET,
  ETIMEDOUT,
  EHOSTUNREACH,
  ENETUNREACH,
  ECONNABORTED,
};

export function disconnectErrno(reason: TcpDisconnectReason): number {
  return DISCONNECT[reason];
}

/** The errno Linux gives a UDP socket for each ICMP error (what IP_RECVERR reports on /dev/udp). */
const ICMP: Record<IcmpErrorKind, number> = {
  "net-unreachable": ENETUNREACH,
  "host-unreachable": EHOSTUNREACH,
  "protocol-unreachable": ECONNREFUSED,
  "port-unreachable": ECONNREFUSED,
  "fragmentation-needed": EMSGSIZE,
  "time-exceeded": EHOSTUNREACH,
};

export function icmpErrno(kind: IcmpErrorKind): number {
  return ICMP[kind];
}
