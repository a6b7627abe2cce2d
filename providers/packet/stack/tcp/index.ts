/** The user-space TCP engine: public surface. */
export { TcpEngine, type ConnectOptions, type ListenOptions } from "./engine.js";
export { TcpConnection, type KeepaliveOptions, type SendOptions } from "./connection.js";
export { TcpListener } from "./listener.js";
export { DEFAULT_TCP_CONFIG, type TcpConfig } from "./config.js";
export {
  TcpError,
  TcpState,
  type ConnectionHandlers,
  type ConnectionIndication,
  type ConnectionInfo,
  type ConnectionStats,
  type Endpoint,
  type EngineStats,
  type ListenerHandlers,
  type TcpDisconnectReason,
} from "./types.js";
