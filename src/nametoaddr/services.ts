/**
 * The services file (services(5)): "name port/protocol aliases... # comment" per line. netdir
 * resolves a service name (or alias) to its port for the transport's protocol, and a port back
 * to its name.
 */
import { nameSystem } from "./system.js";

interface Service {
  names: string[];
  port: number;
  proto: string;
}

async function services(): Promise<Service[]> {
  let text: string;
  try {
    text = await nameSystem.readText(nameSystem.servicesFile);
  } catch {
    return []; // no file: no names, numeric services still work
  }
  const out: Service[] = [];
  for (const raw of text.split("\n")) {
    const hash = raw.indexOf("#");
    const words = (hash >= 0 ? raw.slice(0, hash) : raw).trim().split(/\s+/);
    const [name, portProto, ...aliases] = words;
    const m = portProto === undefined ? null : /^(\d{1,5})\/(\S+)$/.exec(portProto);
    if (name === undefined || name === "" || m === null) continue;
    const port = Number(m[1]);
    if (port > 65535) continue;
    out.push({ names: [name, ...aliases], port, proto: m[2] as string });
  }
  return out;
}

/** The port of service `name` for `proto` ("tcp", "udp"), or null. */
export async function portOf(name: string, proto: string): Promise<number | null> {
  return (await services()).find((s) => s.proto === proto && s.names.includes(name))?.port ?? null;
}

/** The name of the service on `port` for `proto`, or null. */
export async function serviceAt(port: number, proto: string): Promise<string | null> {
  return (await services()).find((s) => s.proto === proto && s.port === port)?.names[0] ?? null;
}
