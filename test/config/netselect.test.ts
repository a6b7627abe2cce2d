/**
 * The network selection calls over the netconfig database: walking it (setnetconfig,
 * getnetconfig, endnetconfig), looking a netid up (getnetconfigent), walking NETPATH, and the
 * reasons nc_sperror gives, on the built-in default and on files named by XTI_NETCONFIG.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import {
  NC_INET,
  NC_LOOPBACK,
  NC_TPI_COTS_ORD,
  NC_VISIBLE,
  NETCONFIG_ENV,
  NETPATH,
  O_RDWR,
  endnetconfig,
  endnetpath,
  freenetconfigent,
  getnetconfig,
  getnetconfigent,
  getnetpath,
  nc_perror,
  nc_sperror,
  setnetconfig,
  setnetpath,
  t_close,
  type netconfig,
} from "../../src/index.js";
import * as tli from "../../src/tli.js";

/** Run `fn` with the environment variables set as given (undefined: unset), then restore them. */
function withEnv(vars: Record<string, string | undefined>, fn: () => void): void {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const apply = (v: Record<string, string | undefined>): void => {
    for (const [k, value] of Object.entries(v)) {
      if (value === undefined) delete process.env[k];
      else process.env[k] = value;
    }
  };
  apply(vars);
  try {
    fn();
  } finally {
    apply(saved);
  }
}

function walk(next: () => netconfig | null): string[] {
  const ids: string[] = [];
  for (let nc = next(); nc !== null; nc = next()) ids.push(nc.nc_netid);
  return ids;
}

const ALL = ["udp6", "tcp6", "udp", "tcp", "ticlts", "ticotsord", "ticots", "rawtcp", "rawudp"];
const VISIBLE = ["udp6", "tcp6", "udp", "tcp", "ticlts", "ticotsord", "ticots"];

describe("netconfig: setnetconfig, getnetconfig, getnetconfigent, NETPATH", () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), "xti-netselect-"))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("walks every transport of the built-in database, then says there are no more", () => {
    withEnv({ [NETCONFIG_ENV]: undefined }, () => {
      const h = setnetconfig();
      expect(h).to.not.equal(null);
      expect(walk(() => getnetconfig(h))).to.deep.equal(ALL);
      expect(nc_sperror()).to.equal("no more entries in <built-in>");
      expect(endnetconfig(h)).to.equal(0);
      expect(endnetconfig(h)).to.equal(-1);
      expect(getnetconfig(h)).to.equal(null);
      expect(nc_sperror()).to.match(/^no walk is going on/);
    });
  });

  it("looks a netid up, with the seven columns of its line, in a fresh copy each time", () => {
    withEnv({ [NETCONFIG_ENV]: undefined }, () => {
      const nc = getnetconfigent("ticotsord");
      expect(nc).to.deep.equal({
        nc_netid: "ticotsord",
        nc_semantics: NC_TPI_COTS_ORD,
        nc_flag: NC_VISIBLE,
        nc_protofmly: NC_LOOPBACK,
        nc_proto: "-",
        nc_device: "/dev/ticotsord",
        nc_nlookups: 1,
        nc_lookups: ["straddr.so"],
      });
      (nc as netconfig).nc_device = "/dev/changed";
      freenetconfigent(nc);
      expect(getnetconfigent("ticotsord")?.nc_device).to.equal("/dev/ticotsord");
      expect(getnetconfigent("tcp")?.nc_protofmly).to.equal(NC_INET);
      expect(getnetconfigent("nosuch")).to.equal(null);
      expect(nc_sperror()).to.equal("netid not found in <built-in>");
      expect(getnetconfigent(42 as unknown as string)).to.equal(null);
    });
  });

  it("ports the typical SVR4 opening: getnetconfigent, then t_open of its device", async () => {
    const nc = getnetconfigent("ticotsord");
    if (nc === null) throw new Error(nc_sperror());
    const info = { addr: 0, options: 0, tsdu: 0, etsdu: 0, connect: 0, discon: 0, servtype: 0 };
    const fd = tli.t_open(nc.nc_device, O_RDWR, info);
    expect(fd).to.be.at.least(3);
    expect(info.servtype).to.equal(2); // T_COTS_ORD, as nc_semantics tpi_cots_ord says
    await t_close(fd);
  });

  it("walks NETPATH: the visible transports when it is unset, else its netids in order (unknown ones skipped, repeated ones twice)", () => {
    withEnv({ [NETCONFIG_ENV]: undefined, [NETPATH]: undefined }, () => {
      const h = setnetpath();
      expect(walk(() => getnetpath(h))).to.deep.equal(VISIBLE);
      expect(endnetpath(h)).to.equal(0);
    });
    withEnv({ [NETCONFIG_ENV]: undefined, [NETPATH]: "ticots:nope::tcp:ticots" }, () => {
      const h = setnetpath();
      expect(walk(() => getnetpath(h))).to.deep.equal(["ticots", "tcp", "ticots"]);
      expect(endnetpath(h)).to.equal(0);
      expect(endnetpath(h)).to.equal(-1);
    });
    withEnv({ [NETCONFIG_ENV]: undefined, [NETPATH]: "" }, () => {
      expect(getnetpath(setnetpath())).to.equal(null);
    });
  });

  it("reads the file XTI_NETCONFIG names, and reports a bad line or a missing file through nc_sperror", () => {
    const good = join(dir, "good");
    writeFileSync(good, "# mine\nlocal tpi_cots_ord v loopback - /dev/ticotsord straddr.so\nhidden tpi_clts - loopback - /dev/ticlts straddr.so\n");
    withEnv({ [NETCONFIG_ENV]: good, [NETPATH]: undefined }, () => {
      const all = setnetconfig();
      expect(walk(() => getnetconfig(all))).to.deep.equal(["local", "hidden"]);
      const path = setnetpath();
      expect(walk(() => getnetpath(path))).to.deep.equal(["local"]);
      expect(getnetconfigent("tcp")).to.equal(null);
      expect(nc_sperror()).to.equal(`netid not found in ${good}`);
    });
    const bad = join(dir, "bad");
    writeFileSync(bad, "x tpi_cots_ord v loopback - /dev/x\n");
    withEnv({ [NETCONFIG_ENV]: bad }, () => {
      expect(setnetconfig()).to.equal(null);
      expect(nc_sperror()).to.match(new RegExp(`^error in the netconfig database: ${bad} line 1: a transport line has 7 columns`));
      expect(getnetconfigent("x")).to.equal(null);
      expect(setnetpath()).to.equal(null);
    });
    withEnv({ [NETCONFIG_ENV]: join(dir, "missing") }, () => {
      expect(setnetconfig()).to.equal(null);
      expect(nc_sperror()).to.match(/^cannot open the netconfig database: .*missing: cannot read the file named by XTI_NETCONFIG \(ENOENT\)$/);
    });
    const empty = join(dir, "empty");
    writeFileSync(empty, "# nothing\n");
    withEnv({ [NETCONFIG_ENV]: empty }, () => {
      expect(setnetconfig()).to.equal(null);
      expect(nc_sperror()).to.equal(`${empty} lists no transports`);
    });
  });

  it("nc_perror prints the reason after the caller's words on stderr", () => {
    const written: string[] = [];
    const original = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => {
      written.push(chunk);
      return true;
    });
    try {
      getnetconfigent("nosuch");
      nc_perror("lookup");
      nc_perror(null);
    } finally {
      process.stderr.write = original;
    }
    expect(written).to.deep.equal(["lookup: netid not found in <built-in>\n", "netid not found in <built-in>\n"]);
  });

  it("takes any value without throwing: a foreign handle is no walk", () => {
    const foreign = [undefined, null, 0, "h", {}, Symbol("s")] as unknown as Parameters<typeof getnetconfig>[0][];
    for (const h of foreign) {
      expect(getnetconfig(h)).to.equal(null);
      expect(getnetpath(h)).to.equal(null);
      expect(endnetconfig(h)).to.equal(-1);
      expect(endnetpath(h)).to.equal(-1);
    }
  });
});
