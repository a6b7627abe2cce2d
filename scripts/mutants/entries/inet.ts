/**
 * The kernel TCP and UDP providers as the mutation harness certifies them (`xti-conformance -p
 * MODULE`): /dev/tcp and /dev/udp under names of their own, each with the target providers/inet
 * declares for it, on 127.0.0.1. IPv4 only: the IPv6 devices share every line a mutant changes.
 * The harness certifies copies of this module whose inet sources carry one bug each.
 */
import type { ConformanceTarget } from "../../../conformance/types.js";
import { INET } from "../../../providers/inet/address.js";
import { InetProvider, inetConformanceTargets } from "../../../providers/inet/index.js";

/**
 * On the loopback interface indications take microseconds; a short wait keeps short the runs of
 * broken copies and of the two cases that wait it out to see a held caller not indicated.
 */
const EVENT_TIMEOUT_MS = 1000;

/** "/dev/tcp" -> "/dev/copy/tcp": not the built-in devices, which the command registers too. */
const rename = (device: string): string => device.replace(/^\/dev\//, "/dev/copy/");

export const providers = [new InetProvider(rename("/dev/tcp"), "tcp", INET), new InetProvider(rename("/dev/udp"), "udp", INET)];

export const conformanceTargets: ConformanceTarget[] = inetConformanceTargets()
  .filter((t) => t.name === "tcp" || t.name === "udp")
  .map((t) => ({ ...t, device: rename(t.device), eventTimeoutMs: EVENT_TIMEOUT_MS }));
