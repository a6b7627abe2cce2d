/**
 * User-space hosts on an in-memory hub of this process, as the benchmarks build them: host `n` has
 * 198.19.12.n/24 and the MAC 02:00:00:00:1b:n, on the hub's clock, with randomness seeded by `n`.
 */
import { UserHost } from "../../providers/packet/host.js";
import type { MemoryHub } from "../../providers/packet/link/memory.js";
import { SeededRandom } from "../../providers/packet/random.js";
import { parseIpv4Address } from "../../providers/packet/wire/ipv4-address.js";

const NET = parseIpv4Address("198.19.12.0")!;

export function hubHost(hub: MemoryHub, n: number): UserHost {
  return UserHost.over(hub.attach(Uint8Array.of(2, 0, 0, 0, 0x1b, n)), { address: NET + n, prefixLength: 24, clock: hub.clock, random: new SeededRandom(n) });
}
