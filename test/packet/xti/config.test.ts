/**
 * Configuring /dev/rawtcp and /dev/rawudp without code: the netconfig file XTI_NETCONFIG names,
 * whose @host line serves the devices. Every way the configuration or the system can fail makes
 * t_open fail with TSYSERR, the real errno and a t_errdetail naming the file and line, never a
 * crash: no file, a missing file, a bad line, a host without a link, an interface that does not
 * exist (ENODEV), no CAP_NET_RAW (EPERM). A good file opens the host, in process and in code.
 */
import { expect } from "chai";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  Errno,
  O_RDWR,
  TSYSERR,
  errno,
  registerRawHost,
  XTIError,
  t_close,
  t_errdetail,
  t_errno,
  t_open,
  unregisterProvider,
} from "../../../src/index.js";
import { NETCONFIG_ENV } from "../../../src/netconfig.js";
import { bound, memoryHosts } from "./helpers.js";
import { cleanup } from "../../helpers/xti.js";

const OPEN_CHILD = fileURLToPath(new URL("./fixtures/open-child.ts", import.meta.url));

describe("packet/xti: configuring /dev/rawtcp and /dev/rawudp", function () {
  this.timeout(20_000);
  let dir = "";
  let saved: string | undefined;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "xti-raw-config-"));
    saved = process.env[NETCONFIG_ENV];
  });

  afterEach(async () => {
    await cleanup();
    if (saved === undefined) delete process.env[NETCONFIG_ENV];
    else process.env[NETCONFIG_ENV] = saved;
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  /** Write `text` as a netconfig file and name it in XTI_NETCONFIG; returns its path. */
  function netconfig(name: string, text: string): string {
    const path = join(dir, name);
    writeFileSync(path, text);
    process.env[NETCONFIG_ENV] = path;
    return path;
  }

  function openFails(device: string): { errno: number; detail: string } {
    const fd = t_open(device, O_RDWR, null);
    expect(fd, `t_open ${device} should fail`).to.equal(-1);
    expect(t_errno).to.equal(TSYSERR);
    return { errno, detail: t_errdetail };
  }

  it("with no file, says no host serves the device (ENXIO) and how to configure one", () => {
    delete process.env[NETCONFIG_ENV];
    const f = openFails("/dev/rawtcp");
    expect(f.errno).to.equal(Errno.ENXIO);
    expect(f.detail).to.contain("/dev/rawtcp: no host serves it").and.contain(NETCONFIG_ENV).and.contain("@host NAME devices=/dev/rawtcp");
  });

  it("with a file that does not exist, fails with its errno (ENOENT) and names it", () => {
    process.env[NETCONFIG_ENV] = join(dir, "missing");
    const f = openFails("/dev/rawudp");
    expect(f.errno).to.equal(Errno.ENOENT);
    expect(f.detail).to.contain(join(dir, "missing")).and.contain("ENOENT");
  });

  it("with a bad line, fails EINVAL naming the file and the line", () => {
    const path = netconfig("bad-line", "# a comment\nrawtcp tpi_cots_ord - inet tcp /dev/rawtcp\n");
    const f = openFails("/dev/rawtcp");
    expect(f.errno).to.equal(Errno.EINVAL);
    expect(f.detail).to.contain(`${path} line 2: a transport line has 7 columns`);
  });

  it("with a host that names no link, or a bad value, fails EINVAL naming the line and what is wrong", () => {
    const path = netconfig("no-link", "\n\n@host lab devices=/dev/rawtcp,/dev/rawudp address=198.18.7.2/24\n");
    const f = openFails("/dev/rawudp");
    expect(f.errno).to.equal(Errno.EINVAL);
    expect(f.detail).to.equal(`${path} line 3: host lab: give exactly one of interface=IFNAME (a network interface) and hub=NAME (an in-memory hub)`);
    netconfig("bad-address", "@host lab devices=/dev/rawtcp interface=xtirnone address=198.18.7.2\n");
    expect(openFails("/dev/rawtcp").detail).to.match(/line 1: host lab: address=198\.18\.7\.2 is not A\.B\.C\.D\/PREFIX/);
    netconfig("bad-key", "@host lab devices=/dev/rawtcp interface=xtirnone address=198.18.7.2/24 speed=fast\n");
    expect(openFails("/dev/rawtcp").detail).to.match(/line 1: host lab: unknown key 'speed'/);
    netconfig("no-host", "@host lab devices=/dev/rawudp hub=h address=198.18.7.2/24\n");
    expect(openFails("/dev/rawtcp").detail).to.match(/has no @host line listing it/);
  });

  it("with an interface that does not exist, fails ENODEV naming the host's line", () => {
    const path = netconfig("no-interface", "rawtcp tpi_cots_ord - inet tcp /dev/rawtcp -\n@host lab devices=/dev/rawtcp interface=xtirnone0 address=198.18.7.2/24\n");
    const f = openFails("/dev/rawtcp");
    expect(f.errno).to.equal(Errno.ENODEV);
    expect(f.detail).to.contain(`host lab (${path} line 2): cannot open interface xtirnone0`).and.contain("ENODEV");
  });

  it("without CAP_NET_RAW, fails EPERM (in a child process without the capability)", function () {
    const path = netconfig("loopback", "@host lo devices=/dev/rawtcp,/dev/rawudp interface=lo address=198.18.7.2/24\n");
    const env = { ...process.env, [NETCONFIG_ENV]: path };
    const args = [process.execPath, "--import", "tsx", OPEN_CHILD, "/dev/rawtcp"];
    // As root, drop the capability from the child; otherwise this process lacks it already.
    const output = process.getuid?.() === 0 ? execFileSync("setpriv", ["--bounding-set", "-net_raw", ...args], { env, encoding: "utf8" }) : execFileSync(args[0]!, args.slice(1), { env, encoding: "utf8" });
    const result = JSON.parse(output) as Record<string, unknown>;
    expect(result).to.include({ t_errno: "TSYSERR", errno: "EPERM" });
    expect(result["detail"]).to.contain(`host lo (${path} line 1): cannot open interface lo`).and.contain("CAP_NET_RAW");
  });

  it("a good file serves both devices from one host on an in-memory hub", async function () {
    netconfig("hub", "@host lab devices=/dev/rawtcp,/dev/rawudp hub=config-test address=198.18.8.1/24\n");
    const tcp = await bound("/dev/rawtcp", "198.18.8.1", 1);
    const udp = await bound("/dev/rawudp", "198.18.8.1");
    expect(tcp.port).to.be.greaterThan(0);
    expect(udp.port).to.be.greaterThan(0);
    await t_close(tcp.fd);
    await t_close(udp.fd);
  });

  it("a second description of a host already open on the same link and address fails EBUSY", async function () {
    netconfig("first", "@host lab devices=/dev/rawtcp,/dev/rawudp hub=config-busy address=198.18.8.1/24\n");
    const tcp = await bound("/dev/rawtcp", "198.18.8.1");
    netconfig("second", "@host lab devices=/dev/rawtcp,/dev/rawudp hub=config-busy address=198.18.8.1/24 mac=02:00:00:00:00:99\n");
    const f = openFails("/dev/rawudp");
    expect(f.errno).to.equal(Errno.EBUSY);
    expect(f.detail).to.contain("hub config-busy 198.18.8.1 is already served by host lab");
    await t_close(tcp.fd);
  });

  it("in code, registerRawHost refuses a bad description at once and registers the devices of a good one", async function () {
    // From "xti", a bad description is an XTIError (TSYSERR/EINVAL) naming the key at fault.
    expect(() => registerRawHost({ hub: "x", address: "198.18.9.1/40", tcpDevice: "/dev/test-code-tcp" })).to.throw(XTIError, /EINVAL.*address=198\.18\.9\.1\/40/);
    const hosts = memoryHosts("code");
    try {
      const fd = t_open(hosts.a.tcp, O_RDWR, null);
      expect(fd).to.be.at.least(0);
      await t_close(fd);
    } finally {
      await hosts.remove();
    }
    unregisterProvider("/dev/test-code-tcp");
  });
});
