/**
 * netdir(3NSL): transport-independent name-to-address translation, as SVR4 programs use it next
 * to TLI and XTI: netdir_getbyname turns a host and service into addresses of a transport (a
 * struct netconfig from getnetconfigent), ready for t_bind or t_connect; netdir_getbyaddr goes
 * back; taddr2uaddr / uaddr2taddr convert to and from universal addresses; netdir_options does
 * transport-specific setup.
 *
 * Which translation a transport gets follows its netconfig entry: the Internet families (inet,
 * inet6) without name-to-address libraries use the system's resolver (nametoaddr/inet.ts); a
 * loopback transport, or one listing straddr.so, uses the string addresses of
 * nametoaddr/loopback.ts; tcpip.so and switch.so mean the Internet translation too.
 *
 * What a C porter should expect:
 * - netdir_getbyname, netdir_getbyaddr and netdir_options return a Promise (a name lookup may
 *   wait on DNS; ND_SET_RESERVEDPORT binds): `await` them. They never reject.
 * - Out-parameters (`struct nd_addrlist **`) are `{ value }` objects, as `int *` is elsewhere.
 * - `_nderror` is a live binding read after a failure, as in C; netdir_perror and
 *   netdir_sperror describe it. No argument makes these functions throw.
 * - netdir_free only empties the structure (memory is garbage collected).
 *
 * ```ts
 * const nc = getnetconfigent("tcp");
 * const fd = t_open(nc.nc_device, O_RDWR, null);
 * const addrs = { value: null as nd_addrlist | null };
 * if (await netdir_getbyname(nc, { h_host: "localhost", h_serv: "daytime" }, addrs) !== 0) netdir_perror("daytime");
 * const call = t_alloc(fd, T_CALL, T_ADDR);
 * call.addr = addrs.value.n_addrs[0];
 * await t_connect(fd, call, null);
 * ```
 *
 * @module
 */
import { EINVAL, strerror } from "./errno.js";
import { errno, setErrno } from "./errstate.js";
import {
  ND_ACCESS,
  ND_ADDR,
  ND_ADDRLIST,
  ND_BADARG,
  ND_FAILCTRL,
  ND_HOSTSERV,
  ND_HOSTSERVLIST,
  ND_NO_DATA,
  ND_NO_RECOVERY,
  ND_NOCTRL,
  ND_NOHOST,
  ND_NOMEM,
  ND_NOSERV,
  ND_NOSYM,
  ND_OK,
  ND_OPEN,
  ND_SYSTEM,
  ND_TRY_AGAIN,
  ND_UKNWN,
  NetdirFailure,
  ndFail,
  type nd_addrlist,
  type nd_hostserv,
  type nd_hostservlist,
  type Transport,
  type Translator,
} from "./nametoaddr/constants.js";
import { inetTranslator } from "./nametoaddr/inet.js";
import { loopbackTranslator } from "./nametoaddr/loopback.js";
import type { netconfig } from "./netconfig.js";
import { isBytes, isInstance, messageOf, show } from "./show.js";
import type { netbuf, Ref } from "./structs.js";

export {
  HOST_ANY,
  HOST_BROADCAST,
  HOST_SELF,
  HOST_SELF_BIND,
  HOST_SELF_CONNECT,
  ND_ACCESS,
  ND_ADDR,
  ND_ADDRLIST,
  ND_BADARG,
  ND_CHECK_RESERVEDPORT,
  ND_FAILCTRL,
  ND_HOSTSERV,
  ND_HOSTSERVLIST,
  ND_MERGEADDR,
  ND_NO_ADDRESS,
  ND_NO_DATA,
  ND_NO_RECOVERY,
  ND_NOCTRL,
  ND_NOHOST,
  ND_NOMEM,
  ND_NOSERV,
  ND_NOSYM,
  ND_OK,
  ND_OPEN,
  ND_SET_BROADCAST,
  ND_SET_RESERVEDPORT,
  ND_SYSTEM,
  ND_TRY_AGAIN,
  ND_UKNWN,
  type nd_addrlist,
  type nd_hostserv,
  type nd_hostservlist,
  type nd_mergearg,
} from "./nametoaddr/constants.js";

/** The netdir error of the last failing netdir call in this thread (live binding, as C's _nderror). */
export let _nderror = ND_OK;
/** What the last failure was about, for netdir_sperror. */
let ndDetail = "";

/** The name-to-address libraries xti has, by the names netconfig files give them. */
const LIBRARIES: Readonly<Record<string, Translator>> = {
  "straddr.so": loopbackTranslator,
  "tcpip.so": inetTranslator,
  "switch.so": inetTranslator,
};

/** The fields of `config` the translation needs, read once; ND_BADARG when it is no netconfig. */
function transport(config: unknown): { nc: Transport; translator: Translator } {
  if (typeof config !== "object" || config === null) ndFail(ND_BADARG, `the netconfig argument is ${show(config)}`);
  const { nc_netid, nc_protofmly, nc_proto, nc_lookups } = config as Partial<netconfig>;
  if (typeof nc_protofmly !== "string" || typeof nc_proto !== "string") ndFail(ND_BADARG, "the netconfig has no nc_protofmly or nc_proto");
  const libs = Array.isArray(nc_lookups) ? nc_lookups : [];
  const nc = { netid: typeof nc_netid === "string" ? nc_netid : "", family: nc_protofmly, proto: nc_proto };
  for (const lib of libs) {
    const t = typeof lib === "string" && Object.hasOwn(LIBRARIES, lib) ? LIBRARIES[lib] : undefined;
    if (t !== undefined) return { nc, translator: t };
  }
  if (libs.length > 0) ndFail(ND_OPEN, `no name-to-address library ${libs.map(show).join(", ")} (xti has ${Object.keys(LIBRARIES).join(", ")})`);
  if (nc_protofmly === "inet" || nc_protofmly === "inet6") return { nc, translator: inetTranslator };
  if (nc_protofmly === "loopback") return { nc, translator: loopbackTranslator };
  ndFail(ND_OPEN, `no name-to-address translation for the protocol family ${show(nc_protofmly)}`);
}

/** The bytes of a netbuf argument, or ND_BADARG. */
function netbufBytes(nb: unknown, what: string): Uint8Array {
  const { buf, len } = (typeof nb === "object" && nb !== null ? nb : {}) as Partial<netbuf>;
  if (!isBytes(buf) || typeof len !== "number" || !Number.isInteger(len) || len < 0 || len > buf.length) ndFail(ND_BADARG, `${what} is not a netbuf`);
  return buf.slice(0, len);
}

function optionalString(v: unknown, what: string): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v !== "string") ndFail(ND_BADARG, `${what} is ${show(v)}, not a string`);
  return v;
}

function outRef<T>(ref: unknown, what: string): Ref<T> {
  if (typeof ref !== "object" || ref === null) ndFail(ND_BADARG, `${what} is not a { value } object`);
  return ref as Ref<T>;
}

/** Record a failure (anything thrown that is not a NetdirFailure came from a bad argument). */
function failed(e: unknown): number {
  const f = isInstance(e, NetdirFailure) ? e : new NetdirFailure(ND_BADARG, messageOf(e));
  _nderror = f.code;
  ndDetail = f.detail;
  if (f.code === ND_SYSTEM) setErrno(f.errno === 0 ? EINVAL : f.errno);
  return f.code;
}

function succeeded(): 0 {
  _nderror = ND_OK;
  ndDetail = "";
  return 0;
}

const asNetbuf = (bytes: Uint8Array): netbuf => ({ maxlen: bytes.length, len: bytes.length, buf: bytes });

/**
 * netdir_getbyname(3NSL): the addresses of `service.h_host` and `service.h_serv` on the transport
 * `config`, into `addrs.value`. Resolves to 0, or to the _nderror code (ND_NOHOST, ND_NOSERV,
 * ND_BADARG, ...). Host names go through the system's resolver; HOST_SELF, HOST_SELF_CONNECT,
 * HOST_ANY and HOST_BROADCAST name special addresses (see nametoaddr/constants.ts).
 */
export async function netdir_getbyname(config: netconfig, service: nd_hostserv, addrs: Ref<nd_addrlist | null>): Promise<number> {
  try {
    const { nc, translator } = transport(config);
    if (typeof service !== "object" || service === null) ndFail(ND_BADARG, "service is not an nd_hostserv");
    const host = optionalString(service.h_host, "h_host");
    const serv = optionalString(service.h_serv, "h_serv");
    const out = outRef<nd_addrlist | null>(addrs, "addrs");
    const found = await translator.getbyname(nc, host, serv);
    out.value = { n_cnt: found.length, n_addrs: found.map(asNetbuf) };
    return succeeded();
  } catch (e) {
    return failed(e);
  }
}

/**
 * netdir_getbyaddr(3NSL): the host and service names of the address in `netaddr`, into
 * `service.value` (the preferred pair first). Resolves to 0, or to the _nderror code.
 */
export async function netdir_getbyaddr(config: netconfig, service: Ref<nd_hostservlist | null>, netaddr: netbuf): Promise<number> {
  try {
    const { nc, translator } = transport(config);
    const out = outRef<nd_hostservlist | null>(service, "service");
    const found = await translator.getbyaddr(nc, netbufBytes(netaddr, "netaddr"));
    out.value = { h_cnt: found.length, h_hostservs: found };
    return succeeded();
  } catch (e) {
    return failed(e);
  }
}

/**
 * netdir_free(3NSL): release a structure the netdir calls returned (`struct_type` ND_ADDR,
 * ND_ADDRLIST, ND_HOSTSERV or ND_HOSTSERVLIST). Memory is garbage collected: the structure is
 * only emptied. An unknown type sets _nderror to ND_UKNWN.
 */
export function netdir_free(ptr: unknown, struct_type: number): void {
  if (struct_type !== ND_ADDR && struct_type !== ND_ADDRLIST && struct_type !== ND_HOSTSERV && struct_type !== ND_HOSTSERVLIST) {
    _nderror = ND_UKNWN;
    ndDetail = `structure type ${show(struct_type)}`;
    return;
  }
  if (typeof ptr !== "object" || ptr === null) return;
  try {
    const o = ptr as Record<string, unknown>;
    if (struct_type === ND_ADDR) Object.assign(o, { maxlen: 0, len: 0, buf: new Uint8Array(0) });
    else if (struct_type === ND_ADDRLIST) Object.assign(o, { n_cnt: 0, n_addrs: [] });
    else if (struct_type === ND_HOSTSERV) Object.assign(o, { h_host: null, h_serv: null });
    else Object.assign(o, { h_cnt: 0, h_hostservs: [] });
  } catch {
    // a frozen or exotic object: nothing to release anyway
  }
}

/**
 * netdir_options(3NSL): transport-specific setup on the endpoint `fd`: ND_SET_BROADCAST,
 * ND_SET_RESERVEDPORT (`par`: null or a netbuf with the address to bind on), ND_CHECK_RESERVEDPORT
 * (`par`: a netbuf; resolves to 0 if its port is reserved, 1 if not), ND_MERGEADDR (`par`: an
 * nd_mergearg, whose m_uaddr it sets). Resolves to 0 on success, -1 on failure (_nderror says
 * why; ND_NOCTRL for an option the transport does not have).
 */
export async function netdir_options(config: netconfig, option: number, fd: number, par: unknown): Promise<number> {
  try {
    const { nc, translator } = transport(config);
    const r = await translator.options(nc, option, fd, par);
    succeeded();
    return r;
  } catch (e) {
    failed(e);
    return -1;
  }
}

/** taddr2uaddr(3NSL): the universal address of the address in `addr` on transport `config`, or null (_nderror says why). */
export function taddr2uaddr(config: netconfig, addr: netbuf): string | null {
  try {
    const { nc, translator } = transport(config);
    const uaddr = translator.taddr2uaddr(nc, netbufBytes(addr, "addr"));
    succeeded();
    return uaddr;
  } catch (e) {
    failed(e);
    return null;
  }
}

/** uaddr2taddr(3NSL): the address (a netbuf) of universal address `uaddr` on transport `config`, or null. */
export function uaddr2taddr(config: netconfig, uaddr: string): netbuf | null {
  try {
    const { nc, translator } = transport(config);
    if (typeof uaddr !== "string") ndFail(ND_BADARG, `uaddr is ${show(uaddr)}, not a string`);
    const nb = asNetbuf(translator.uaddr2taddr(nc, uaddr));
    succeeded();
    return nb;
  } catch (e) {
    failed(e);
    return null;
  }
}

const MESSAGES: Readonly<Record<number, string>> = {
  [ND_TRY_AGAIN]: "the name server did not answer; try again",
  [ND_NO_RECOVERY]: "the name server failed",
  [ND_NO_DATA]: "the name has no address of this kind",
  [ND_BADARG]: "bad argument",
  [ND_NOMEM]: "out of memory",
  [ND_OK]: "no error",
  [ND_NOHOST]: "host name not found",
  [ND_NOSERV]: "service name not found",
  [ND_NOSYM]: "a name-to-address library lacks a routine",
  [ND_OPEN]: "cannot open a name-to-address library",
  [ND_ACCESS]: "access denied",
  [ND_UKNWN]: "unknown structure to free",
  [ND_NOCTRL]: "unknown option for this transport",
  [ND_FAILCTRL]: "the option failed",
};

/** netdir_sperror(3NSL): why the last netdir call failed ("n2a: ..."). */
export function netdir_sperror(): string {
  const base = _nderror === ND_SYSTEM ? `system error: ${strerror(errno)}` : (MESSAGES[_nderror] ?? `unknown error ${_nderror}`);
  return `n2a: ${base}${ndDetail !== "" ? ` (${ndDetail})` : ""}`;
}

/** netdir_perror(3NSL): print `s: <netdir_sperror()>` on stderr. */
export function netdir_perror(s: string): void {
  process.stderr.write(typeof s === "string" ? `${s}: ${netdir_sperror()}\n` : `${netdir_sperror()}\n`);
}
