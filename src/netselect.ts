/**
 * The network selection calls of SVR4 (getnetconfig(3NSL), getnetpath(3NSL)): walk the
 * transports of the netconfig database, look one up by netid, or walk the ones the NETPATH
 * environment variable names. The database is the file XTI_NETCONFIG names, or the built-in
 * default (netconfig.ts: the one parser), read afresh by setnetconfig, setnetpath and
 * getnetconfigent, so a changed file or NETPATH takes effect at the next of these calls.
 *
 * As in C, the calls return null (or -1) on failure and nc_perror / nc_sperror say why; no
 * argument makes them throw. They are synchronous.
 *
 * ```ts
 * const nc = getnetconfigent("ticotsord");
 * if (nc === null) { nc_perror("ticotsord"); process.exit(1); }
 * const fd = t_open(nc.nc_device, O_RDWR, null);
 * ```
 *
 * @module
 */
import { isInstance } from "./show.js";
import { type netconfig, type NetconfigEntry, NetconfigError, NC_VISIBLE, netconfigPath, readNetconfig } from "./netconfig.js";

/** The environment variable listing the netids getnetpath walks, colon-separated. */
export const NETPATH = "NETPATH";

// The nc_error values (libnsl's own; nc_perror and nc_sperror report them).
const NC_NOERROR = 0;
const NC_NOSET = 2;
const NC_OPENFAIL = 3;
const NC_BADLINE = 4;
const NC_NOTFOUND = 5;
const NC_NOMOREENTRIES = 6;

let ncError = NC_NOERROR;
/** The file or line the last error is about. */
let ncDetail = "";

function setError(code: number, detail: string): null {
  ncError = code;
  ncDetail = detail;
  return null;
}

/**
 * The handle setnetconfig and setnetpath return (C's `void *`, an NCONF_HANDLE): where a walk
 * over the transports stands. Opaque: pass it to getnetconfig / getnetpath and end it with
 * endnetconfig / endnetpath.
 */
export class NCONF_HANDLE {
  #entries: readonly netconfig[];
  #next = 0;
  #ended = false;
  readonly #source: string;

  /** @internal */
  constructor(entries: readonly netconfig[], source: string) {
    this.#entries = entries;
    this.#source = source;
  }

  /** A handle of ours, told by its private field (no proxy trap runs). */
  static #isHandle(value: unknown): value is NCONF_HANDLE {
    return typeof value === "object" && value !== null && #ended in value;
  }

  /** @internal The next entry, or null (with nc_error set). */
  static next(handle: unknown): netconfig | null {
    if (!NCONF_HANDLE.#isHandle(handle) || handle.#ended) return setError(NC_NOSET, "");
    const entry = handle.#entries[handle.#next];
    if (entry === undefined) return setError(NC_NOMOREENTRIES, handle.#source);
    handle.#next++;
    ncError = NC_NOERROR;
    return copy(entry);
  }

  /** @internal End the walk: 0, or -1 (nc_error NC_NOSET) for no handle or one already ended. */
  static end(handle: unknown): number {
    if (!NCONF_HANDLE.#isHandle(handle) || handle.#ended) {
      setError(NC_NOSET, "");
      return -1;
    }
    handle.#ended = true;
    handle.#entries = [];
    ncError = NC_NOERROR;
    return 0;
  }
}

/** struct netconfig alone (no file position), a fresh object the caller may keep or change. */
function copy(e: netconfig): netconfig {
  return {
    nc_netid: e.nc_netid,
    nc_semantics: e.nc_semantics,
    nc_flag: e.nc_flag,
    nc_protofmly: e.nc_protofmly,
    nc_proto: e.nc_proto,
    nc_device: e.nc_device,
    nc_nlookups: e.nc_nlookups,
    nc_lookups: [...e.nc_lookups],
  };
}

/** The database's transports, or null with nc_error set (NC_OPENFAIL, NC_BADLINE, NC_NOTFOUND). */
function database(): { entries: NetconfigEntry[]; source: string } | null {
  try {
    const nc = readNetconfig(netconfigPath());
    if (nc.entries.length === 0) return setError(NC_NOTFOUND, `${nc.source} lists no transports`);
    return { entries: nc.entries, source: nc.source };
  } catch (e) {
    if (isInstance(e, NetconfigError)) return setError(e.line > 0 ? NC_BADLINE : NC_OPENFAIL, e.message);
    return setError(NC_OPENFAIL, String(e));
  }
}

/** setnetconfig(3NSL): start a walk over every transport of the database (null on failure). */
export function setnetconfig(): NCONF_HANDLE | null {
  const db = database();
  if (db === null) return null;
  ncError = NC_NOERROR;
  return new NCONF_HANDLE(db.entries, db.source);
}

/** getnetconfig(3NSL): the next transport of the walk, or null at the end (or for a bad handle). */
export function getnetconfig(handle: NCONF_HANDLE | null): netconfig | null {
  return NCONF_HANDLE.next(handle);
}

/** endnetconfig(3NSL): end the walk. 0, or -1 for a handle that is not a live one. */
export function endnetconfig(handle: NCONF_HANDLE | null): number {
  return NCONF_HANDLE.end(handle);
}

/** getnetconfigent(3NSL): the transport `netid`, or null (nc_error NC_NOTFOUND when there is none). */
export function getnetconfigent(netid: string): netconfig | null {
  const db = database();
  if (db === null) return null;
  const entry = typeof netid === "string" ? db.entries.find((e) => e.nc_netid === netid) : undefined;
  if (entry === undefined) return setError(NC_NOTFOUND, db.source);
  ncError = NC_NOERROR;
  return copy(entry);
}

/** freenetconfigent(3NSL): release an entry from getnetconfigent (nothing to do here; kept for ports). */
export function freenetconfigent(_nc: netconfig | null): void {}

/**
 * setnetpath(3NSL): start a walk over the transports NETPATH names, in its order (netids that
 * are not in the database are skipped, repeated ones come twice); with NETPATH unset, over the
 * visible (NC_VISIBLE) transports in database order.
 */
export function setnetpath(): NCONF_HANDLE | null {
  const db = database();
  if (db === null) return null;
  const netpath = process.env[NETPATH];
  const chosen =
    netpath === undefined
      ? db.entries.filter((e) => (e.nc_flag & NC_VISIBLE) !== 0)
      : netpath.split(":").flatMap((id) => db.entries.filter((e) => id !== "" && e.nc_netid === id).slice(0, 1));
  ncError = NC_NOERROR;
  return new NCONF_HANDLE(chosen, netpath === undefined ? db.source : `NETPATH (${netpath})`);
}

/** getnetpath(3NSL): the next transport of the NETPATH walk, or null at the end. */
export function getnetpath(handle: NCONF_HANDLE | null): netconfig | null {
  return NCONF_HANDLE.next(handle);
}

/** endnetpath(3NSL): end the walk. 0, or -1 for a handle that is not a live one. */
export function endnetpath(handle: NCONF_HANDLE | null): number {
  return NCONF_HANDLE.end(handle);
}

/** nc_sperror(3NSL): why the last netconfig call failed. */
export function nc_sperror(): string {
  switch (ncError) {
    case NC_NOERROR:
      return "no error";
    case NC_NOSET:
      return "no walk is going on: call setnetconfig() or setnetpath() first (and not after its end)";
    case NC_OPENFAIL:
      return `cannot open the netconfig database: ${ncDetail}`;
    case NC_BADLINE:
      return `error in the netconfig database: ${ncDetail}`;
    case NC_NOTFOUND:
      return ncDetail.endsWith("lists no transports") ? ncDetail : `netid not found in ${ncDetail}`;
    case NC_NOMOREENTRIES:
      return `no more entries in ${ncDetail}`;
    default:
      return "unknown error";
  }
}

/** nc_perror(3NSL): print `msg: <nc_sperror()>` on stderr (just the reason when `msg` is null). */
export function nc_perror(msg: string | null): void {
  process.stderr.write(typeof msg === "string" ? `${msg}: ${nc_sperror()}\n` : `${nc_sperror()}\n`);
}
