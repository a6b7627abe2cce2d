/**
 * The kernel's TCP and UDP as XTI transport providers: /dev/tcp and /dev/udp (IPv4, 16-byte
 * sockaddr_in addresses) and /dev/tcp6 and /dev/udp6 (IPv6, 28-byte sockaddr_in6). Each endpoint
 * owns a kernel socket through koffi (docs/inet.md says why not node:net/dgram); readiness comes
 * from the process's one poller thread. Nothing native is loaded before the first t_open.
 */
import {
  ELIBACC,
  T_CLTS,
  T_COTS_ORD,
  T_INVALID,
  ProviderError,
  type ProviderEndpoint,
  type ProviderInfo,
  type ProviderUser,
  type TransportProvider,
} from "../../src/spi/index.js";
import { AF_INET6, IPPROTO_IPV6, IPV6_V6ONLY, SOCK_DGRAM, SOCK_STREAM } from "../native/ffi/linux.js";
import { OsError } from "../native/ffi/os-error.js";
import { Poller } from "../native/poller.js";
import { KernelSocket } from "../native/socket.js";
import type { InetFamily } from "./address.js";
import { InetOptions, type Transport } from "./options.js";
import { TcpEndpoint } from "./tcp-endpoint.js";
import { UdpEndpoint } from "./udp-endpoint.js";

/**
 * UDP's largest datagram: 65535 less the UDP header (8) and, for IPv4, the IP header (20), whose
 * total length field counts it; IPv6's payload length does not count its 40-byte header, so Linux
 * carries 65527 bytes (illumos advertises 65487, subtracting it anyway).
 */
const UDP_TSDU = { inet: 65535 - 8 - 20, inet6: 65535 - 8 } as const;
/**
 * The largest piece the library hands down per request: 64 KiB, the receive step's buffer and a
 * typical socket send-buffer quantum (fewer, larger send() calls), as tl's TIDU. For UDP a whole
 * datagram is one request, so it is the TSDU.
 */
const TCP_TIDU = 65536;

export class InetProvider implements TransportProvider {
  private readonly infoAck: ProviderInfo;
  private defaults: Map<string, Uint8Array> | undefined;

  constructor(
    readonly name: string,
    readonly transport: Transport,
    readonly family: InetFamily,
  ) {
    const tcp = transport === "tcp";
    const tsdu = UDP_TSDU[family.name];
    this.infoAck = {
      addr: family.size,
      options: InetOptions.largestBuffer(transport, family.af),
      tsdu: tcp ? 0 : tsdu,
      // TCP marks only the last byte of an urgent send: one byte is what expedited data can carry.
      etsdu: tcp ? 1 : T_INVALID,
      connect: T_INVALID,
      discon: T_INVALID,
      servtype: tcp ? T_COTS_ORD : T_CLTS,
      tidu: tcp ? TCP_TIDU : tsdu,
      sendZero: !tcp,
      ordrelData: false,
      expInline: tcp,
    };
  }

  info(): ProviderInfo {
    return { ...this.infoAck };
  }

  open(user: ProviderUser): ProviderEndpoint {
    return native(() => (this.transport === "tcp" ? new TcpEndpoint(this, user) : new UdpEndpoint(this, user)));
  }

  /**
   * A new socket of this provider's kind, set up as every endpoint uses it. Throws ProviderError.
   * IPv6 sockets are dual-stack whatever net.ipv6.bindv6only says (as illumos's tcp6 and udp6 are):
   * [::]:P also takes 0.0.0.0:P, and IPv4 peers appear as ::ffff:a.b.c.d (docs/inet.md).
   */
  createSocket(): KernelSocket {
    const s = native(() => KernelSocket.create(this.family.af, this.transport === "tcp" ? SOCK_STREAM : SOCK_DGRAM));
    if (this.family.af === AF_INET6) s.setInt(IPPROTO_IPV6, IPV6_V6ONLY, 0);
    this.defaults ??= InetOptions.defaultsOf(this.transport, this.family.af, s);
    return s;
  }

  /** Option values of a socket nobody configured (read from the first socket made). */
  optionDefaults(): ReadonlyMap<string, Uint8Array> {
    return this.defaults ?? new Map();
  }

  poller(): Poller {
    return native(() => Poller.shared());
  }
}

/**
 * Run native set-up, turning its failures into the t_errno a caller can act on: TSYSERR with the
 * errno of a refused system call (EAFNOSUPPORT without IPv6, EMFILE...), or ELIBACC when koffi
 * itself cannot be loaded.
 */
function native<T>(make: () => T): T {
  try {
    return make();
  } catch (err) {
    if (err instanceof ProviderError) throw err;
    if (err instanceof OsError) throw new ProviderError("TSYSERR", err.errno, err.message);
    const why = err instanceof Error ? err.message : String(err);
    throw new ProviderError("TSYSERR", ELIBACC, why);
  }
}
