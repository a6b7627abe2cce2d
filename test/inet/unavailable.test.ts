/**
 * Where the kernel providers cannot work, they say so: t_open fails with a t_errno (TSYSERR and
 * the errno) when koffi cannot be loaded, and without an IPv6 loopback the tcp6/udp6 conformance
 * targets report themselves unavailable, with the reason, instead of failing.
 */
import { expect } from "chai";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { requireRoot } from "../packet/io/helpers/privileges.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const WITHOUT_KOFFI = fileURLToPath(new URL("./fixtures/without-koffi.cjs", import.meta.url));

function run(command: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile(command, args, { cwd: root, timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err === null ? 0 : typeof err.code === "number" ? err.code : null, stdout, stderr }),
    ),
  );
}

describe("inet: where the providers cannot run", function () {
  this.timeout(90_000);

  it("t_open of /dev/tcp fails TSYSERR with ELIBACC when koffi cannot be loaded, and t_error says why", async () => {
    const script = [
      `const x = await import(${JSON.stringify(new URL("../../src/index.ts", import.meta.url).href)});`,
      `const fd = x.t_open("/dev/tcp", x.O_RDWR, null);`,
      `console.log(JSON.stringify({ fd, t_errno: x.tErrnoName(x.t_errno), errno: x.errnoName(x.errno) }));`,
      `x.t_error("t_open");`,
    ].join("\n");
    const r = await run(process.execPath, ["--require", WITHOUT_KOFFI, "--import", "tsx", "--input-type=module", "-e", script]);
    expect(JSON.parse(r.stdout)).to.deep.equal({ fd: -1, t_errno: "TSYSERR", errno: "ELIBACC" });
    expect(r.stderr).to.contain("t_open:");
  });

  it("without an IPv6 loopback, the conformance run reports tcp6 and udp6 as unavailable, with the reason (a network namespace)", async function () {
    requireRoot(this);
    const r = await run("unshare", [
      "-n",
      "sh",
      "-c",
      `ip link set lo up && sysctl -qw net.ipv6.conf.lo.disable_ipv6=1 && exec ${process.execPath} --import tsx conformance/cli.ts -q -p tcp6 -p udp6 -p tcp -c D2`,
    ]);
    expect(r.code, r.stderr).to.equal(3);
    expect(r.stdout).to.match(/tcp6\s+\/dev\/tcp6\s+skipped: cannot bind the inet6 loopback address \(EADDRNOTAVAIL\)/);
    expect(r.stdout).to.match(/udp6\s+\/dev\/udp6\s+skipped: cannot bind the inet6 loopback address \(EADDRNOTAVAIL\)/);
    // -c D2: D2.refused and D2.refused-reason, both for /dev/tcp (its reasons are errno values).
    expect(r.stdout).to.match(/tcp\s+\/dev\/tcp\s+2\s+0\s+0/);
  });
});
