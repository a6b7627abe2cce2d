/**
 * Name-to-address translation for the loopback transports (family "loopback", SVR4's
 * straddr.so): an address is a string "host.service". The host part is always "localhost",
 * named as HOST_SELF, HOST_SELF_CONNECT, HOST_ANY, "localhost" or this machine's node name; the
 * service part is the service name itself ("rpcbind" is "rpc"). SVR4 maps service names through
 * /etc/net/<netid>/services; xti has no such file and uses the name as given, so two programs
 * agree on an address by agreeing on a service name.
 *
 * The universal form of an address is its bytes as text, with "\" doubled and a byte that is
 * not printable ASCII (or a newline) written as "\ooo", three octal digits.
 */
import { HOST_ANY, HOST_BROADCAST, HOST_SELF, HOST_SELF_CONNECT, ND_BADARG, ND_MERGEADDR, ND_NOCTRL, ND_NOHOST, ND_NOSERV, ndFail, type nd_hostserv, type nd_mergearg, type Translator } from "./constants.js";
import { nameSystem } from "./system.js";

const LOCALHOST = "localhost";

function isLocal(host: string): boolean {
  return host === HOST_SELF || host === HOST_SELF_CONNECT || host === HOST_ANY || host === LOCALHOST || host === nameSystem.nodename();
}

const latin1 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");

export const loopbackTranslator: Translator = {
  async getbyname(_nc, host, serv) {
    if (host === null || host === HOST_BROADCAST || !isLocal(host)) ndFail(ND_NOHOST, host === null ? "no host name" : `${host} is not this host`);
    const service = serv === "rpcbind" ? "rpc" : serv;
    const text = service === null || service === "" ? LOCALHOST : `${LOCALHOST}.${service}`;
    return [new Uint8Array(Buffer.from(text, "latin1"))];
  },

  async getbyaddr(_nc, addr) {
    const text = latin1(addr);
    const dot = text.indexOf(".");
    const host = dot < 0 ? text : text.slice(0, dot);
    if (host === "" || !isLocal(host)) ndFail(ND_NOHOST, "the address names no host of this machine");
    if (dot < 0 || dot === text.length - 1) ndFail(ND_NOSERV, "the address has no service part");
    return [{ h_host: LOCALHOST, h_serv: text.slice(dot + 1) } satisfies nd_hostserv];
  },

  taddr2uaddr(_nc, addr) {
    let out = "";
    for (const b of addr) {
      if (b === 0x5c) out += "\\\\";
      else if (b < 0x20 || b > 0x7e) out += `\\${b.toString(8).padStart(3, "0")}`;
      else out += String.fromCharCode(b);
    }
    return out;
  },

  uaddr2taddr(_nc, uaddr) {
    const out: number[] = [];
    for (let i = 0; i < uaddr.length; ) {
      const c = uaddr.charCodeAt(i);
      if (c > 0xff) ndFail(ND_BADARG, "a universal address of this transport is 8-bit text");
      if (c !== 0x5c) {
        out.push(c);
        i++;
      } else if (uaddr[i + 1] === "\\") {
        out.push(0x5c);
        i += 2;
      } else {
        const digits = uaddr.slice(i + 1, i + 4);
        if (!/^[0-3][0-7]{2}$/.test(digits)) ndFail(ND_BADARG, `"\\${digits}" is not an escape (\\\\ or \\ooo)`);
        out.push(parseInt(digits, 8));
        i += 4;
      }
    }
    return new Uint8Array(out);
  },

  async options(_nc, option, _fd, par) {
    if (option !== ND_MERGEADDR) ndFail(ND_NOCTRL, "the loopback transports know only ND_MERGEADDR");
    const m = par as nd_mergearg;
    if (typeof par !== "object" || par === null || typeof m.s_uaddr !== "string") ndFail(ND_BADARG, "ND_MERGEADDR needs an nd_mergearg");
    m.m_uaddr = m.s_uaddr; // one host: the server's address is already the one to call
    return 0;
  },
};
