/** TLI t_getname: the local (LOCALNAME) or remote (REMOTENAME) address of an endpoint. */
import { T_DATAXFER, T_INREL, T_OUTREL, TBUFOVFLW, TSYSERR } from "../constants.js";
import { EINVAL, ENOTCONN } from "../errno.js";
import type { netbuf } from "../structs.js";
import { checkOutputNetbuf, integer } from "./args.js";
import { copyOut } from "./common.js";
import type { CoreEndpoint } from "./endpoint.js";
import { fail } from "./failure.js";

export const LOCALNAME = 0;
export const REMOTENAME = 1;

export function t_getname(ep: CoreEndpoint, name: netbuf, type: unknown): number {
  ep.checkUsable();
  const which = integer(type, "type");
  if (which !== LOCALNAME && which !== REMOTENAME) fail(TSYSERR, EINVAL, "type must be LOCALNAME or REMOTENAME");
  const nb = checkOutputNetbuf(name, "name");
  const { local, remote } = ep.pep.addresses();
  let addr: Uint8Array | null;
  if (which === LOCALNAME) addr = local;
  else {
    const connected = ep.state === T_DATAXFER || ep.state === T_OUTREL || ep.state === T_INREL;
    if (!connected || remote === null) fail(TSYSERR, ENOTCONN, "the endpoint is not connected");
    addr = remote;
  }
  if (addr === null) {
    nb.len = 0;
    return 0;
  }
  if (copyOut(ep.profile, nb, addr)) fail(TBUFOVFLW, 0, "name is too small for the address");
  return 0;
}
