/**
 * What name-to-address translation asks of the system: host names through the resolver
 * (getaddrinfo and getnameinfo, so /etc/hosts, nsswitch.conf and DNS as every program here
 * sees them), the services file, the network interfaces and the node name. Tests replace it
 * (useNameSystem) to be deterministic; the library never does.
 */
import { ALL, V4MAPPED } from "node:dns";
import { lookup, lookupService } from "node:dns/promises";
import { readFile } from "node:fs/promises";
import { hostname, networkInterfaces } from "node:os";

/** An address of a local network interface. */
export interface LocalAddress {
  address: string;
  netmask: string;
  family: 4 | 6;
  internal: boolean;
}

export interface NameSystem {
  /**
   * The addresses of `host`, IPv4 for family 4; IPv6 for family 6, with IPv4 addresses as
   * v4-mapped ones. Rejects with an error whose `code` is the resolver's (ENOTFOUND, EAI_AGAIN...).
   */
  addresses(host: string, family: 4 | 6): Promise<string[]>;
  /** The host name of `address` (reverse lookup); rejects when there is none. */
  hostName(address: string): Promise<string>;
  /** The services file (services(5)). */
  servicesFile: string;
  /** Read a file as text (the services file). */
  readText(path: string): Promise<string>;
  /** The addresses of the interfaces that are up. */
  interfaces(): LocalAddress[];
  /** This machine's node name (uname -n). */
  nodename(): string;
}

const SYSTEM: NameSystem = {
  async addresses(host, family) {
    const found = await lookup(host, family === 4 ? { all: true, family: 4 } : { all: true, family: 6, hints: ALL | V4MAPPED });
    return found.map((a) => a.address);
  },
  async hostName(address) {
    // getnameinfo wants a port it can name too; port 1 always has one (numeric at worst).
    return (await lookupService(address, 1)).hostname;
  },
  servicesFile: "/etc/services",
  readText: (path) => readFile(path, "utf8"),
  interfaces() {
    return Object.values(networkInterfaces()).flatMap((list) =>
      (list ?? []).map((i) => ({ address: i.address, netmask: i.netmask, family: i.family === "IPv4" ? (4 as const) : (6 as const), internal: i.internal })),
    );
  },
  nodename: hostname,
};

/** The system in use. */
export let nameSystem: NameSystem = SYSTEM;

/** Replace parts of the system (tests), or restore it with null. */
export function useNameSystem(replacement: Partial<NameSystem> | null): void {
  nameSystem = replacement === null ? SYSTEM : { ...SYSTEM, ...replacement };
}
