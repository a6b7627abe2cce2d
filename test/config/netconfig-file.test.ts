import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { DEFAULT_NETCONFIG, NC_BROADCAST, NC_TPI_CLTS, NC_TPI_COTS_ORD, NC_VISIBLE, NETCONFIG_ENV, NetconfigError, parseNetconfig, readNetconfig } from "../../src/netconfig.js";

function failure(text: string): NetconfigError {
  try {
    parseNetconfig(text, "test.conf");
  } catch (e) {
    if (e instanceof NetconfigError) return e;
    throw e;
  }
  throw new Error("parsed without error");
}

describe("netconfig file: one format for transports and provider hosts", () => {
  it("reads the seven columns of a transport line into struct netconfig fields", () => {
    const nc = parseNetconfig("# comment\n\ntcp tpi_cots_ord v inet tcp /dev/tcp -\nudp tpi_clts vb inet udp /dev/udp a.so,b.so # trailing\n", "f");
    expect(nc.entries.map((e) => [e.nc_netid, e.nc_semantics, e.nc_flag, e.nc_protofmly, e.nc_proto, e.nc_device, e.nc_nlookups, e.nc_lookups, e.line])).to.deep.equal([
      ["tcp", NC_TPI_COTS_ORD, NC_VISIBLE, "inet", "tcp", "/dev/tcp", 0, [], 3],
      ["udp", NC_TPI_CLTS, NC_VISIBLE | NC_BROADCAST, "inet", "udp", "/dev/udp", 2, ["a.so", "b.so"], 4],
    ]);
  });

  it("reads @host lines as named parameters for the devices they list", () => {
    const nc = parseNetconfig("@host lab devices=/dev/rawtcp,/dev/rawudp interface=xtiA address=198.18.0.2/24\n", "f");
    const host = nc.hosts[0];
    expect(host?.name).to.equal("lab");
    expect(host?.devices).to.deep.equal(["/dev/rawtcp", "/dev/rawudp"]);
    expect([...(host?.params ?? [])]).to.deep.equal([["interface", "xtiA"], ["address", "198.18.0.2/24"]]);
    expect(host?.line).to.equal(1);
  });

  it("names the file and line of a bad line, and says what is wrong", () => {
    expect(failure("tcp tpi_cots_ord v inet tcp /dev/tcp\n").message).to.equal("test.conf line 1: a transport line has 7 columns (netid semantics flags protofmly protoname device nametoaddr_libs), this one has 6");
    expect(failure("\nx tpi_stream v inet tcp /dev/x -").message).to.match(/^test.conf line 2: unknown semantics 'tpi_stream'/);
    expect(failure("x tpi_clts q inet udp /dev/x -").reason).to.match(/unknown flag 'q'/);
    expect(failure("x tpi_clts v inet udp dev/x -").reason).to.match(/not an absolute path/);
    expect(failure("x tpi_clts v inet udp /dev/x -\nx tpi_clts v inet udp /dev/y -").reason).to.match(/already defined on line 1/);
    expect(failure("@host a interface=x").reason).to.match(/lists no devices/);
    expect(failure("@host a devices=/dev/r\n@host b devices=/dev/r").reason).to.match(/repeats a name or a device of host a \(line 1\)/);
    expect(failure("@host a devices=/dev/r mtu").reason).to.match(/'mtu' is not key=value/);
    expect(failure("@route x").reason).to.match(/unknown directive/);
    expect(failure("x toString v inet udp /dev/x -").reason).to.match(/unknown semantics/);
  });

  it("uses the file XTI_NETCONFIG names, or the built-in default", () => {
    const dir = mkdtempSync(join(tmpdir(), "xti-netconfig-"));
    const saved = process.env[NETCONFIG_ENV];
    try {
      delete process.env[NETCONFIG_ENV];
      expect(readNetconfig().source).to.equal("<built-in>");
      expect(readNetconfig().entries.map((e) => e.nc_netid)).to.include.members(["tcp", "udp", "ticots", "ticotsord", "ticlts"]);
      const file = join(dir, "netconfig");
      writeFileSync(file, "only tpi_cots v loopback - /dev/ticots -\n");
      process.env[NETCONFIG_ENV] = file;
      expect(readNetconfig().entries.map((e) => e.nc_netid)).to.deep.equal(["only"]);
      process.env[NETCONFIG_ENV] = join(dir, "missing");
      expect(() => readNetconfig()).to.throw(NetconfigError, /missing: cannot read the file named by XTI_NETCONFIG \(ENOENT\)/);
    } finally {
      if (saved === undefined) delete process.env[NETCONFIG_ENV];
      else process.env[NETCONFIG_ENV] = saved;
      rmSync(dir, { recursive: true, force: true });
    }
    expect(parseNetconfig(DEFAULT_NETCONFIG, "d").entries.length).to.equal(9);
  });
});
