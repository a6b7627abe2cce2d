/**
 * /dev/rawtcp on the benchmark veth, configured as a ported program's would be: an @host line in
 * the netconfig file that XTI_NETCONFIG names, serving the device from the stack address.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { providerNames } from "../../src/index.js";
import { DEFAULT_NETCONFIG, NETCONFIG_ENV } from "../../src/netconfig.js";
import { PREFIX_LENGTH, STACK_IF, STACK_IP, STACK_MAC } from "./veth.js";

export const RAWTCP = "/dev/rawtcp";

export function rawtcpAvailable(): boolean {
  return providerNames().includes(RAWTCP);
}

/** A netconfig file (the built-in transports, and the host serving /dev/rawtcp) in a new directory. */
export function writeRawtcpNetconfig(): { env: Record<string, string>; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "xti-bench-"));
  const file = join(dir, "netconfig");
  writeFileSync(file, `${DEFAULT_NETCONFIG}@host xtibench devices=${RAWTCP} interface=${STACK_IF} address=${STACK_IP}/${PREFIX_LENGTH} mac=${STACK_MAC}\n`);
  return { env: { [NETCONFIG_ENV]: file }, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Point this process's XTI_NETCONFIG at the rawtcp netconfig; the returned function undoes it. */
export function useRawtcpNetconfig(): () => void {
  const config = writeRawtcpNetconfig();
  const previous = process.env[NETCONFIG_ENV];
  Object.assign(process.env, config.env);
  return () => {
    if (previous === undefined) delete process.env[NETCONFIG_ENV];
    else process.env[NETCONFIG_ENV] = previous;
    config.remove();
  };
}
