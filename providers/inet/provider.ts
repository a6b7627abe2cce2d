/**
 * The kernel's TCP and UDP as XTI transport providers: /dev/tcp and /dev/udp (IPv4, 16-byte
 * sockaddr_in addresses) and /dev/tcp6 and /dev/udp6 (IPv6, 28-byte sockaddr_in6). Each endpoint
 * owns a kernel socket through koffi (docs/inet.md says why not node:net/dgram); readiness comes
 * from the process's one poller thread. Nothing native is loaded before the first t_open.
 */
import {
  ELIBACC,
  ProviderError,
  type ProviderEndpoint,
  type ProviderInfo,
  type ProviderUser,
  type TransportProvider,
  internetInfo,
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
 * The largest piece the library hands down per TCP request: 64 KiB, the receive step's buffer and
 * a typical socket send-buffer quantum (fewer, larger send() calls), as tl's TIDU. (UDP's largest
 * datagram over IPv6 is 65527 bytes, what Linux carries: the payload length does not count the
 * 40-byte header; illumos advertises 65487, subtracting it anyway.)
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
    this.infoAck = internetInfo({ transport, addr: family.size, family: family.name, options: InetOptions.largestBuffer(transport, family.af), tcpTidu: TCP_TIDU });
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
