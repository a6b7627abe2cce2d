/**
 * netdir: name-to-address translation for the Internet transports (checked on the addresses it
 * returns, with the system's resolver and services file replaced by fixed ones) and for the
 * loopback transports (checked end to end: a server and a client that find each other by name,
 * as an SVR4 program does). Also netdir_options, universal addresses and the errors.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import * as xti from "../../src/index.js";
import { EISCONN } from "../../src/errno.js";
import * as tli from "../../src/tli.js";
const { T_ALL } = tli;
import {
  HOST_ANY,
  HOST_BROADCAST,
  HOST_SELF,
  HOST_SELF_CONNECT,
  ND_ADDR,
  ND_ADDRLIST,
  ND_BADARG,
  ND_CHECK_RESERVEDPORT,
  ND_FAILCTRL,
  ND_MERGEADDR,
  ND_NOCTRL,
  ND_NOHOST,
  ND_NOSERV,
  ND_OK,
  ND_OPEN,
  ND_SET_BROADCAST,
  ND_SET_RESERVEDPORT,
  ND_SYSTEM,
  ND_TRY_AGAIN,
  ND_UKNWN,
  NC_TPI_COTS_ORD,
  O_RDWR,
  T_ADDR,
  T_BIND,
  T_CALL,
  T_COTS_ORD,
  errno,
  getnetconfigent,
  netdir_free,
  netdir_getbyaddr,
  netdir_getbyname,
  netdir_options,
  netdir_perror,
  netdir_sperror,
  netbuf,
  parseSockaddrIn,
  parseSockaddrIn6,
  sockaddr_in,
  sockaddr_in6,
  t_bind_of,
  t_open,
  taddr2uaddr,
  uaddr2taddr,
  type nd_addrlist,
  type nd_hostservlist,
  type nd_mergearg,
  type netconfig,
} from "../../src/index.js";
import { nameSystem, useNameSystem } from "../../src/nametoaddr/system.js";
import { cleanup, loopback, ok, text, str } from "../helpers/xti.js";

function inetConfig(netid: string, family: "inet" | "inet6", proto: string, device = `/dev/${netid}`): netconfig {
  return { nc_netid: netid, nc_semantics: NC_TPI_COTS_ORD, nc_flag: 0, nc_protofmly: family, nc_proto: proto, nc_device: device, nc_nlookups: 0, nc_lookups: [] };
}
const TCP = inetConfig("tcp", "inet", "tcp");
const UDP6 = inetConfig("udp6", "inet6", "udp");

/** The addresses netdir_getbyname found, as "address:port", or the _nderror code. */
async function lookup(nc: netconfig, h_host: string | null, h_serv: string | null): Promise<string[] | number> {
  const addrs: { value: nd_addrlist | null } = { value: null };
  const r = await netdir_getbyname(nc, { h_host, h_serv }, addrs);
  if (r !== 0) return r;
  const list = addrs.value as nd_addrlist;
  expect(list.n_cnt).to.equal(list.n_addrs.length);
  return list.n_addrs.map((nb) => {
    const bytes = nb.buf.subarray(0, nb.len);
    expect(nb.maxlen).to.equal(nb.len);
    const a = parseSockaddrIn(bytes) ?? parseSockaddrIn6(bytes);
    if (a === null) return `bytes:${str(bytes)}`;
    return a.address.includes(":") ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
  });
}

describe("netdir: name-to-address translation", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "xti-netdir-"));
    const services = join(dir, "services");
    writeFileSync(services, "# test services\ndaytime\t13/tcp\ndaytime\t13/udp\nsmtp\t25/tcp\tmail\nsyslog\t514/udp\n");
    useNameSystem({
      servicesFile: services,
      async addresses(host, family) {
        const table: Record<string, string[]> = { alpha: ["198.18.0.1", "198.18.0.2"], beta: ["198.18.0.3"] };
        if (host === "busy") throw Object.assign(new Error("no answer"), { code: "EAI_AGAIN" });
        const found = table[host];
        if (found === undefined) throw Object.assign(new Error("not found"), { code: "ENOTFOUND" });
        return family === 4 ? found : found.map((a) => `::ffff:${a}`);
      },
      async hostName(address) {
        if (address === "198.18.0.1") return "alpha";
        throw Object.assign(new Error("not found"), { code: "ENOTFOUND" });
      },
      interfaces: () => [
        { address: "127.0.0.1", netmask: "255.0.0.0", family: 4, internal: true },
        { address: "198.18.0.1", netmask: "255.255.255.0", family: 4, internal: false },
        { address: "198.19.4.1", netmask: "255.255.0.0", family: 4, internal: false },
        { address: "::1", netmask: "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", family: 6, internal: true },
        { address: "2001:db8::1", netmask: "ffff:ffff:ffff:ffff::", family: 6, internal: false },
      ],
      nodename: () => "testnode",
    });
  });
  after(() => {
    useNameSystem(null);
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(cleanup);

  describe("Internet transports", () => {
    it("resolves host names through the resolver and service names through the services file for the transport's protocol", async () => {
      expect(await lookup(TCP, "alpha", "daytime")).to.deep.equal(["198.18.0.1:13", "198.18.0.2:13"]);
      expect(await lookup(TCP, "beta", "mail")).to.deep.equal(["198.18.0.3:25"]);
      expect(await lookup(TCP, "beta", "syslog")).to.equal(ND_NOSERV); // syslog is udp only
      expect(await lookup(inetConfig("udp", "inet", "udp"), "beta", "syslog")).to.deep.equal(["198.18.0.3:514"]);
      expect(await lookup(TCP, "gamma", "daytime")).to.equal(ND_NOHOST);
      expect(netdir_sperror()).to.equal("n2a: host name not found (gamma is not known)");
      expect(await lookup(TCP, "busy", "daytime")).to.equal(ND_TRY_AGAIN);
    });

    it("takes numeric hosts and ports as they are, rpcbind as 111 and no service as port 0", async () => {
      expect(await lookup(TCP, "198.18.7.7", "8080")).to.deep.equal(["198.18.7.7:8080"]);
      expect(await lookup(TCP, "198.18.7.7", null)).to.deep.equal(["198.18.7.7:0"]);
      expect(await lookup(TCP, "198.18.7.7", "rpcbind")).to.deep.equal(["198.18.7.7:111"]);
      expect(await lookup(TCP, "198.18.7.7", "70000")).to.equal(ND_NOSERV);
      expect(await lookup(TCP, null, "13")).to.equal(ND_NOHOST);
    });

    it("resolves the special hosts as illumos does", async () => {
      expect(await lookup(TCP, HOST_SELF, "13")).to.deep.equal(["0.0.0.0:13"]);
      expect(await lookup(TCP, HOST_SELF_CONNECT, "13")).to.deep.equal(["127.0.0.1:13"]);
      expect(await lookup(TCP, "localhost", "13")).to.deep.equal(["127.0.0.1:13"]);
      expect(await lookup(TCP, HOST_ANY, "13")).to.equal(ND_NOHOST);
      expect(await lookup(TCP, HOST_BROADCAST, "13")).to.deep.equal(["198.18.0.255:13", "198.19.255.255:13"]);
      expect(await lookup(UDP6, HOST_BROADCAST, "13")).to.equal(ND_NOHOST);
      expect(HOST_SELF).to.equal("\\1");
    });

    it("gives inet6 transports IPv6 addresses: literals, the special hosts, and IPv4 hosts v4-mapped", async () => {
      expect(await lookup(UDP6, HOST_SELF, "daytime")).to.deep.equal(["[::]:13"]);
      expect(await lookup(UDP6, HOST_SELF_CONNECT, "daytime")).to.deep.equal(["[::1]:13"]);
      expect(await lookup(UDP6, "2001:DB8::7", "9")).to.deep.equal(["[2001:db8::7]:9"]);
      expect(await lookup(UDP6, "beta", "9")).to.deep.equal(["[::ffff:c612:3]:9"]);
      expect(await lookup(UDP6, "198.18.0.3", "9")).to.deep.equal(["[::ffff:c612:3]:9"]); // a literal too, not the resolver's IPv4 answer
      expect(await lookup(TCP, "2001:db8::7", "9")).to.equal(ND_NOHOST);
    });

    it("turns an address back into host and service names (the port number when the service has no name)", async () => {
      const out: { value: nd_hostservlist | null } = { value: null };
      expect(await netdir_getbyaddr(TCP, out, netbuf(sockaddr_in("198.18.0.1", 13)))).to.equal(0);
      expect(out.value).to.deep.equal({ h_cnt: 1, h_hostservs: [{ h_host: "alpha", h_serv: "daytime" }] });
      expect(await netdir_getbyaddr(TCP, out, netbuf(sockaddr_in("198.18.0.1", 4711)))).to.equal(0);
      expect(out.value?.h_hostservs[0]?.h_serv).to.equal("4711");
      expect(await netdir_getbyaddr(TCP, out, netbuf(sockaddr_in("198.18.0.9", 13)))).to.equal(ND_NOHOST);
      expect(await netdir_getbyaddr(TCP, out, netbuf(sockaddr_in6("::1", 13)))).to.equal(ND_BADARG);
    });

    it("converts between addresses and universal addresses, taking the transport as C does", () => {
      expect(taddr2uaddr(TCP, netbuf(sockaddr_in("192.11.109.89", 268)))).to.equal("192.11.109.89.1.12");
      expect(taddr2uaddr(UDP6, netbuf(sockaddr_in6("2001:db8::1", 268)))).to.equal("2001:db8::1.1.12");
      expect(taddr2uaddr(TCP, netbuf(sockaddr_in6("::1", 1)))).to.equal(null);
      expect(xti._nderror).to.equal(ND_BADARG);
      expect(uaddr2taddr(TCP, "0.0.0.0.1.12")?.buf).to.deep.equal(sockaddr_in("0.0.0.0", 268));
      expect(uaddr2taddr(UDP6, "::1.1.12")?.buf).to.deep.equal(sockaddr_in6("::1", 268));
      expect(uaddr2taddr(UDP6, "198.18.0.1.0.7")?.buf).to.deep.equal(sockaddr_in6("::ffff:198.18.0.1", 7));
      expect(uaddr2taddr(TCP, "::1.1.12")).to.equal(null);
      expect(uaddr2taddr(TCP, "1.2.3.4.5")).to.equal(null);
      const nb = uaddr2taddr(TCP, "198.18.0.1.0.13");
      expect(nb).to.deep.include({ maxlen: 16, len: 16 });
    });

    it("netdir_options: ND_CHECK_RESERVEDPORT, ND_MERGEADDR and an unknown option", async () => {
      expect(await netdir_options(TCP, ND_CHECK_RESERVEDPORT, -1, netbuf(sockaddr_in("198.18.0.1", 1023)))).to.equal(0);
      expect(await netdir_options(TCP, ND_CHECK_RESERVEDPORT, -1, netbuf(sockaddr_in("198.18.0.1", 1024)))).to.equal(1);
      expect(await netdir_options(TCP, ND_CHECK_RESERVEDPORT, -1, null)).to.equal(-1);
      expect(xti._nderror).to.equal(ND_FAILCTRL);
      const wildcard: nd_mergearg = { s_uaddr: "0.0.0.0.1.12", c_uaddr: "0.0.0.0.4.1", m_uaddr: null };
      expect(await netdir_options(TCP, ND_MERGEADDR, -1, wildcard)).to.equal(0);
      expect(wildcard.m_uaddr).to.equal("0.0.0.0.1.12");
      const remote: nd_mergearg = { s_uaddr: "0.0.0.0.1.12", c_uaddr: "198.19.200.9.4.1", m_uaddr: null };
      expect(await netdir_options(TCP, ND_MERGEADDR, -1, remote)).to.equal(0);
      expect(remote.m_uaddr).to.equal("198.19.4.1.1.12");
      const six: nd_mergearg = { s_uaddr: "::.0.111", c_uaddr: "2001:db8::99.4.1", m_uaddr: null };
      expect(await netdir_options(UDP6, ND_MERGEADDR, -1, six)).to.equal(0);
      expect(six.m_uaddr).to.equal("2001:db8::1.0.111");
      expect(await netdir_options(TCP, 99, -1, null)).to.equal(-1);
      expect(xti._nderror).to.equal(ND_NOCTRL);
    });

    it("netdir_options ND_SET_RESERVEDPORT binds the highest free reserved port, on an unbound endpoint only", async () => {
      // A transport named inet in its netconfig entry, over a loopback provider: addresses are
      // the bytes netdir hands it, so it serves as an Internet transport for this test.
      const dev = loopback({ servtype: T_COTS_ORD });
      const nc = inetConfig("faketcp", "inet", "tcp", dev);
      const a = t_open(nc.nc_device, O_RDWR);
      const b = t_open(nc.nc_device, O_RDWR);
      expect(await netdir_options(nc, ND_SET_RESERVEDPORT, a, null)).to.equal(0);
      expect(await netdir_options(nc, ND_SET_RESERVEDPORT, b, netbuf(sockaddr_in("0.0.0.0", 5000)))).to.equal(0);
      const bound = (fd: number): string => {
        const ret = t_bind_of(64);
        expect(xti.t_getprotaddr(fd, ret, null)).to.equal(0);
        const p = parseSockaddrIn(ret.addr.buf.subarray(0, ret.addr.len));
        return `${p?.address}:${p?.port}`;
      };
      expect([bound(a), bound(b)]).to.deep.equal(["0.0.0.0:1023", "0.0.0.0:1022"]);
      expect(await netdir_options(nc, ND_SET_RESERVEDPORT, a, null)).to.equal(-1);
      expect([xti._nderror, errno]).to.deep.equal([ND_SYSTEM, EISCONN]);
      expect(netdir_sperror()).to.equal("n2a: system error: Transport endpoint is already connected (the endpoint is already bound)");
      expect(await netdir_options(nc, ND_SET_BROADCAST, a, null)).to.equal(0); // no T_IP_BROADCAST here: nothing to ask for
    });
  });

  describe("loopback transports (straddr)", () => {
    it("ports the SVR4 pattern line by line: getnetconfigent, t_open, netdir_getbyname, t_bind / t_connect (TLI)", async () => {
      const nc = getnetconfigent("ticotsord");
      if (nc === null) throw new Error("no ticotsord");
      const server = tli.t_open(nc.nc_device, O_RDWR);
      const here: { value: nd_addrlist | null } = { value: null };
      expect(await tli.netdir_getbyname(nc, { h_host: HOST_SELF, h_serv: "daytime" }, here)).to.equal(0);
      const req = tli.t_alloc(server, T_BIND, T_ALL);
      if (req === null) throw new Error("t_alloc");
      req.addr = (here.value as nd_addrlist).n_addrs[0] as xti.netbuf;
      req.qlen = 1;
      await ok(tli.t_bind(server, req, null));

      const client = tli.t_open(nc.nc_device, O_RDWR);
      await ok(tli.t_bind(client, null, null));
      const there: { value: nd_addrlist | null } = { value: null };
      expect(await tli.netdir_getbyname(nc, { h_host: HOST_SELF_CONNECT, h_serv: "daytime" }, there)).to.equal(0);
      const sndcall = tli.t_alloc(client, T_CALL, T_ADDR);
      if (sndcall === null) throw new Error("t_alloc");
      sndcall.addr = (there.value as nd_addrlist).n_addrs[0] as xti.netbuf;
      const call = tli.t_alloc(server, T_CALL, T_ALL);
      if (call === null) throw new Error("t_alloc");
      const served = (async () => {
        await ok(tli.t_listen(server, call));
        await ok(tli.t_accept(server, server, call));
        await ok(tli.t_snd(server, text("Tue Nov 22 2026"), 15, 0));
      })();
      await ok(tli.t_connect(client, sndcall, null));
      await served;
      const buf = new Uint8Array(64);
      const n = await tli.t_rcv(client, buf, buf.length, { value: 0 });
      expect(str(buf.subarray(0, n))).to.equal("Tue Nov 22 2026");
      expect(str(sndcall.addr.buf.subarray(0, sndcall.addr.len))).to.equal("localhost.daytime");
      expect(tli.taddr2uaddr(nc, sndcall.addr)).to.equal("localhost.daytime");
      await tli.t_close(client);
      await tli.t_close(server);
    });

    it("names this host HOST_SELF, HOST_SELF_CONNECT, HOST_ANY, localhost or the node name, and nothing else", async () => {
      const nc = getnetconfigent("ticlts") as netconfig;
      for (const host of [HOST_SELF, HOST_SELF_CONNECT, HOST_ANY, "localhost", nameSystem.nodename()]) {
        expect(await lookup(nc, host, "echo"), host).to.deep.equal(["bytes:localhost.echo"]);
      }
      expect(await lookup(nc, HOST_SELF, "rpcbind")).to.deep.equal(["bytes:localhost.rpc"]);
      expect(await lookup(nc, HOST_SELF, null)).to.deep.equal(["bytes:localhost"]);
      expect(await lookup(nc, HOST_BROADCAST, "echo")).to.equal(ND_NOHOST);
      expect(await lookup(nc, "elsewhere", "echo")).to.equal(ND_NOHOST);
      const out: { value: nd_hostservlist | null } = { value: null };
      expect(await netdir_getbyaddr(nc, out, netbuf(text("localhost.echo")))).to.equal(0);
      expect(out.value?.h_hostservs).to.deep.equal([{ h_host: "localhost", h_serv: "echo" }]);
      expect(await netdir_getbyaddr(nc, out, netbuf(text("localhost")))).to.equal(ND_NOSERV);
      expect(await netdir_getbyaddr(nc, out, netbuf(new Uint8Array([0, 16, 0, 0])))).to.equal(ND_NOHOST);
    });

    it("writes any address as a universal address (non-printable bytes as \\ooo) and reads it back", () => {
      const nc = getnetconfigent("ticots") as netconfig;
      const raw = new Uint8Array([0x00, 0x10, 0x41, 0x5c, 0x0a, 0x7e, 0xff]);
      const uaddr = taddr2uaddr(nc, netbuf(raw));
      expect(uaddr).to.equal("\\000\\020A\\\\\\012~\\377");
      expect(uaddr2taddr(nc, uaddr as string)?.buf).to.deep.equal(raw);
      expect(uaddr2taddr(nc, "bad\\9")).to.equal(null);
      expect(xti._nderror).to.equal(ND_BADARG);
    });

    it("netdir_options: ND_MERGEADDR keeps the server's address; the others are unknown here", async () => {
      const nc = getnetconfigent("ticotsord") as netconfig;
      const m: nd_mergearg = { s_uaddr: "localhost.daytime", c_uaddr: "localhost.x", m_uaddr: null };
      expect(await netdir_options(nc, ND_MERGEADDR, -1, m)).to.equal(0);
      expect(m.m_uaddr).to.equal("localhost.daytime");
      expect(await netdir_options(nc, ND_SET_RESERVEDPORT, -1, null)).to.equal(-1);
      expect(xti._nderror).to.equal(ND_NOCTRL);
    });
  });

  describe("errors", () => {
    it("fails ND_BADARG for anything that is not a netconfig or an nd_hostserv, ND_OPEN for an unknown library, never throwing", async () => {
      const addrs: { value: nd_addrlist | null } = { value: null };
      const untyped = netdir_getbyname as unknown as (...a: unknown[]) => Promise<number>;
      for (const args of [[null, { h_host: "a", h_serv: "b" }, addrs], [TCP, null, addrs], [TCP, { h_host: 7, h_serv: null }, addrs], [TCP, { h_host: "alpha", h_serv: null }, null], [{}, {}, addrs]]) {
        expect(await untyped(...args)).to.equal(ND_BADARG);
      }
      const odd = { ...TCP, nc_nlookups: 1, nc_lookups: ["odd.so"] };
      expect(await lookup(odd, "alpha", "13")).to.equal(ND_OPEN);
      expect(netdir_sperror()).to.match(/^n2a: cannot open a name-to-address library \(no name-to-address library "odd.so"/);
      expect(await lookup(TCP, "alpha", "13")).to.deep.equal(["198.18.0.1:13", "198.18.0.2:13"]);
      expect(xti._nderror).to.equal(ND_OK);
    });

    it("netdir_free empties the structure it is given, and reports an unknown type as ND_UKNWN", async () => {
      const addrs: { value: nd_addrlist | null } = { value: null };
      await netdir_getbyname(TCP, { h_host: "alpha", h_serv: "13" }, addrs);
      const list = addrs.value as nd_addrlist;
      const first = list.n_addrs[0] as xti.netbuf;
      netdir_free(first, ND_ADDR);
      expect(first).to.deep.equal({ maxlen: 0, len: 0, buf: new Uint8Array(0) });
      netdir_free(list, ND_ADDRLIST);
      expect(list).to.deep.equal({ n_cnt: 0, n_addrs: [] });
      netdir_free(list, 42);
      expect(xti._nderror).to.equal(ND_UKNWN);
      netdir_free(null, ND_ADDR);
    });

    it("netdir_perror prints the reason after the caller's words", async () => {
      const written: string[] = [];
      const original = process.stderr.write.bind(process.stderr);
      await lookup(TCP, "alpha", "nosuch");
      process.stderr.write = ((chunk: string) => {
        written.push(chunk);
        return true;
      });
      try {
        netdir_perror("daytime");
      } finally {
        process.stderr.write = original;
      }
      expect(written).to.deep.equal([`daytime: n2a: service name not found (no service nosuch/tcp in ${join(dir, "services")})\n`]);
    });
  });
});
