/**
 * Where /dev/rawtcp and /dev/rawudp get their host: the netconfig file (an @host line listing the
 * device, read at each t_open that has to open the host), or code (registerRawHost).
 */
import {
  EINVAL,
  ENXIO,
  NETCONFIG_ENV,
  NetconfigError,
  ProviderError,
  errnoFromName,
  readNetconfig,
  registerProvider,
  type Netconfig,
  type TransportProvider,
} from "../../../src/spi/index.js";
import { HostConfigError, describeNetconfigHost, planHost, type HostPlan, type RawHostDescription } from "./host-config.js";
import { RawProvider, type RawTransport } from "./provider.js";

/** The host the netconfig file gives `device`, checked; every fault a ProviderError naming file and line. */
export function netconfigHost(device: string): HostPlan {
  let nc: Netconfig;
  try {
    nc = readNetconfig();
  } catch (err) {
    if (!(err instanceof NetconfigError)) throw err;
    throw new ProviderError("TSYSERR", err.code === undefined ? EINVAL : errnoFromName(err.code), `${device}: ${err.message}`);
  }
  const host = nc.hosts.find((h) => h.devices.includes(device));
  if (host === undefined) {
    const where = nc.source === "<built-in>" ? `${NETCONFIG_ENV} names no netconfig file, and the built-in one has no @host line` : `${nc.source} has no @host line listing it`;
    throw new ProviderError("TSYSERR", ENXIO, `${device}: no host serves it: ${where} (e.g. '@host NAME devices=${device} interface=IFNAME address=A.B.C.D/PREFIX')`);
  }
  try {
    return planHost(`host ${host.name} (${host.source} line ${host.line})`, describeNetconfigHost(host));
  } catch (err) {
    if (!(err instanceof HostConfigError)) throw err;
    throw new ProviderError("TSYSERR", EINVAL, `${host.source} line ${host.line}: host ${host.name}: ${err.message}`);
  }
}

/** The devices a netconfig @host line may serve, and their transports. */
const FILE_DEVICES: ReadonlyArray<readonly [string, RawTransport]> = [
  ["/dev/rawtcp", "tcp"],
  ["/dev/rawudp", "udp"],
];

/** /dev/rawtcp and /dev/rawudp as configured by the netconfig file, each created on first use. */
export function builtinRawProviders(): Array<{ name: string; create: () => TransportProvider }> {
  return FILE_DEVICES.map(([name, transport]) => ({ name, create: () => new RawProvider(name, transport, () => netconfigHost(name)) }));
}

/** A host given in code, and the device names it serves. */
export interface RawHostRegistration extends RawHostDescription {
  /** For messages (default "in code"). */
  name?: string;
  /** The TCP device to register (default /dev/rawtcp; null: none). */
  tcpDevice?: string | null;
  /** The UDP device to register (default /dev/rawudp; null: none). */
  udpDevice?: string | null;
}

/**
 * Register devices served by a host described in code, in place of the netconfig file's (the same
 * settings as an `@host` line). Throws HostConfigError (a RangeError) for a bad description; the
 * host opens at the first t_open. Returns the registered device names.
 */
export function registerRawHost(registration: RawHostRegistration): string[] {
  const { name, tcpDevice, udpDevice, ...description } = registration;
  const plan = planHost(`host ${name ?? "in code"} (registered in code)`, description);
  const devices: Array<[string, RawTransport]> = [];
  if (tcpDevice !== null) devices.push([tcpDevice ?? "/dev/rawtcp", "tcp"]);
  if (udpDevice !== null) devices.push([udpDevice ?? "/dev/rawudp", "udp"]);
  for (const [device, transport] of devices) registerProvider(new RawProvider(device, transport, () => plan));
  return devices.map(([device]) => device);
}
