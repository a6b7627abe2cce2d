/**
 * The user-space stack as XTI transport providers: a RawProvider is one device (/dev/rawtcp, a
 * T_COTS_ORD TCP, or /dev/rawudp, a T_CLTS UDP) whose endpoints run on the host its resolver
 * names. Devices served by the same host share its one stack.
 *
 * t_info is /dev/tcp's and /dev/udp's (xti-spec.md §7.1), so a program moves between the kernel's
 * and the stack's providers unchanged: 16-byte sockaddr_in addresses; TCP a byte stream (tsdu 0)
 * whose expedited data is TCP urgent data, one byte (the one byte an urgent send marks), kept in
 * line (expInline); no data with connects or disconnects; UDP datagrams up to 65507 bytes,
 * zero-length ones included.
 */
import {
  type ProviderEndpoint,
  type ProviderInfo,
  type ProviderUser,
  type TransportProvider,
  internetInfo,
  SOCKADDR_IN_SIZE,
} from "../../../src/spi/index.js";
import { DEFAULT_TCP_CONFIG } from "../stack/tcp/config.js";
import type { HostPlan } from "./host-config.js";
import { TcpOptions, UdpOptions, type BufferDefaults } from "./options.js";
import { RawHost } from "./raw-host.js";
import { RawTcpEndpoint } from "./tcp-endpoint.js";
import { RawUdpEndpoint } from "./udp-endpoint.js";

/** The largest piece the library hands down per TCP data request: 64 KiB, as /dev/tcp's. */
const TCP_TIDU = 65536;

export type RawTransport = "tcp" | "udp";

export class RawProvider implements TransportProvider {
  readonly bufferDefaults: BufferDefaults;
  private readonly infoAck: ProviderInfo;

  constructor(
    readonly name: string,
    readonly transport: RawTransport,
    /** The host for a new endpoint, read afresh at each t_open. Throws ProviderError (the configuration's fault). */
    private readonly resolve: () => HostPlan,
  ) {
    const tcp = transport === "tcp";
    this.bufferDefaults = { sendBuffer: DEFAULT_TCP_CONFIG.sendBufferSize, receiveBuffer: DEFAULT_TCP_CONFIG.receiveBufferSize };
    this.infoAck = internetInfo({
      transport,
      addr: SOCKADDR_IN_SIZE,
      family: "inet",
      options: tcp ? TcpOptions.bufferSize(this.bufferDefaults) : UdpOptions.bufferSize(this.bufferDefaults),
      tcpTidu: TCP_TIDU,
    });
  }

  info(): ProviderInfo {
    return { ...this.infoAck };
  }

  open(user: ProviderUser): ProviderEndpoint {
    const host = RawHost.acquire(this.resolve());
    try {
      return this.transport === "tcp" ? new RawTcpEndpoint(this, host, user) : new RawUdpEndpoint(this, host, user);
    } catch (err) {
      void host.detach();
      throw err;
    }
  }
}
