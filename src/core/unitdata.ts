/**
 * Connectionless data transfer: t_sndudata, t_sndvudata, t_rcvudata, t_rcvvudata, t_rcvuderr.
 * t_rcvudata returns a datagram larger than the buffer in pieces: the buffer is filled and T_MORE
 * set, and later calls return the rest with addr.len = opt.len = 0.
 */
import { T_GODATA, T_MORE, TBADDATA, TBUFOVFLW, TLOOK, TNODATA, TNOUDERR, TSYSERR } from "../constants.js";
import { EFAULT } from "../errno.js";
import { callSemantics, type SemanticsProfile } from "../profile.js";
import type { IntRef, t_iovec, t_uderr, t_unitdata } from "../structs.js";
import { checkIovcount, checkOutputNetbuf, dataBuffer, flagsRef, gather, inputNetbuf, iovecViews, ReceiveBuffers, scatter } from "./args.js";
import { copyOut, requireConnectionless, requireState, setEmpty } from "./common.js";
import { type CoreEndpoint, endpointOf } from "./endpoint.js";
import { fail } from "./failure.js";

function unitdataArg(ud: unknown, what: string): t_unitdata {
  if (typeof ud !== "object" || ud === null) fail(TSYSERR, EFAULT, `${what} is not a t_unitdata`);
  return ud as t_unitdata;
}


async function sendDatagram(ep: CoreEndpoint, profile: SemanticsProfile, ud: t_unitdata, data: Uint8Array): Promise<number> {
  requireState(ep, "t_sndudata", profile);
  const addr = inputNetbuf(ud.addr, "unitdata.addr");
  const opt = inputNetbuf(ud.opt, "unitdata.opt");
  const info = ep.info();
  const limit = info.tsdu > 0 ? info.tsdu : info.tidu;
  if (limit > 0 && data.length > limit) {
    const o = profile.oversize;
    fail(o.t_errno, o.errno, `a datagram of more than ${limit} bytes`);
  }
  if (data.length === 0 && !info.sendZero) fail(TBADDATA, 0, "the provider does not support zero-length datagrams");
  return ep.serializeSend(async () => {
    for (;;) {
      ep.checkUsable();
      requireState(ep, "t_sndudata", profile); // a t_unbind from another flow ends the wait
      if (ep.rq.find("uderr") !== undefined) fail(TLOOK, 0, "a unit data error is pending");
      if (ep.pep.unitdata({ addr, opt, udata: data })) {
        ep.checkUsable(); // a protocol error raised by the request (TLI out of state)
        break;
      }
      await ep.waitForFlow("normal", "the datagram cannot be sent now");
    }
    ep.goEvents &= ~T_GODATA;
    return 0;
  });
}

export async function t_sndudata(fd: unknown, unitdata: t_unitdata): Promise<number> {
  const ep = endpointOf(fd);
  ep.checkUsable();
  requireConnectionless(ep, "t_sndudata");
  const ud = unitdataArg(unitdata, "unitdata");
  return sendDatagram(ep, ep.profile, ud, inputNetbuf(ud.udata, "unitdata.udata"));
}

export async function t_sndvudata(fd: unknown, unitdata: t_unitdata, iov: t_iovec[], iovcount: number): Promise<number> {
  const ep = endpointOf(fd);
  ep.checkUsable();
  requireConnectionless(ep, "t_sndvudata");
  const ud = unitdataArg(unitdata, "unitdata");
  return sendDatagram(ep, callSemantics(ep.profile, "t_sndvudata"), ud, gather(iovecViews(iov, checkIovcount(iovcount, "t_sndvudata"), "t_sndvudata")));
}

/**
 * Return (the next part of) the datagram at the head of the queue. `views` null means the caller
 * gave udata.maxlen 0: the data is not wanted and the whole datagram is consumed.
 */
async function receiveDatagram(
  ep: CoreEndpoint,
  profile: SemanticsProfile,
  ud: t_unitdata,
  views: Uint8Array[] | null,
  setLen: ((n: number) => void) | null,
  flags: IntRef,
): Promise<number> {
  requireState(ep, "t_rcvudata", profile);
  checkOutputNetbuf(ud.addr, "unitdata.addr");
  checkOutputNetbuf(ud.opt, "unitdata.opt");
  const buffers = views === null ? null : new ReceiveBuffers(views);
  for (;;) {
    ep.checkUsable();
    requireState(ep, "t_rcvudata", profile); // a t_unbind from another flow ends the wait
    const head = ep.rq.head();
    if (head !== undefined && head.kind === "uderr") fail(TLOOK, 0, "a unit data error is pending");
    if (head !== undefined && head.kind === "unitdata") {
      if (head.off === 0) {
        const a = copyOut(profile, ud.addr, head.addr);
        const o = copyOut(profile, ud.opt, head.opt);
        if (a || o) {
          ep.rq.shift();
          ep.datagramReleased(head.udata.length);
          fail(TBUFOVFLW, 0, "unitdata.addr or unitdata.opt is too small; the datagram was discarded");
        }
      } else {
        setEmpty(ud.addr);
        setEmpty(ud.opt);
      }
      const rest = head.udata.subarray(head.off);
      const n = buffers === null ? rest.length : scatter(buffers.check("t_rcvudata"), 0, rest);
      if (views !== null) setLen?.(n);
      head.off += n;
      if (head.off < head.udata.length) {
        flags.value = T_MORE;
      } else {
        ep.rq.shift();
        ep.datagramReleased(head.udata.length);
        flags.value = 0;
      }
      return 0;
    }
    if (ep.nonblock) fail(TNODATA, 0, "no datagram is available");
    await ep.changed();
  }
}

export async function t_rcvudata(fd: unknown, unitdata: t_unitdata, flags: IntRef): Promise<number> {
  const ep = endpointOf(fd);
  ep.checkUsable();
  requireConnectionless(ep, "t_rcvudata");
  const ud = unitdataArg(unitdata, "unitdata");
  const out = flagsRef(flags, "t_rcvudata");
  const nb = checkOutputNetbuf(ud.udata, "unitdata.udata");
  const views = nb.maxlen === 0 ? null : [dataBuffer(nb.buf, nb.maxlen, "unitdata.udata")];
  return receiveDatagram(ep, ep.profile, ud, views, (n) => (nb.len = n), out);
}

export async function t_rcvvudata(fd: unknown, unitdata: t_unitdata, iov: t_iovec[], iovcount: number, flags: IntRef): Promise<number> {
  const ep = endpointOf(fd);
  ep.checkUsable();
  requireConnectionless(ep, "t_rcvvudata");
  const ud = unitdataArg(unitdata, "unitdata");
  const out = flagsRef(flags, "t_rcvvudata");
  const views = iovecViews(iov, checkIovcount(iovcount, "t_rcvvudata"), "t_rcvvudata");
  // The return value is the byte count here (t_rcvvudata returns it; t_rcvudata returns 0).
  let got = 0;
  await receiveDatagram(ep, callSemantics(ep.profile, "t_rcvvudata"), ud, views, (n) => (got = n), out);
  return got;
}

export async function t_rcvuderr(fd: unknown, uderr: t_uderr | null | undefined): Promise<number> {
  const ep = endpointOf(fd);
  ep.checkUsable();
  requireConnectionless(ep, "t_rcvuderr");
  requireState(ep, "t_rcvuderr");
  const wanted = uderr !== null && uderr !== undefined;
  if (wanted) {
    checkOutputNetbuf(uderr.addr, "uderr.addr");
    checkOutputNetbuf(uderr.opt, "uderr.opt");
  }
  const e = ep.rq.find("uderr");
  if (e === undefined) fail(TNOUDERR, 0, "no unit data error indication is pending");
  ep.rq.remove(e);
  if (wanted) {
    uderr.error = e.error;
    const a = copyOut(ep.profile, uderr.addr, e.addr);
    const o = copyOut(ep.profile, uderr.opt, e.opt);
    if (a || o) fail(TBUFOVFLW, 0, "uderr.addr or uderr.opt is too small; the error was discarded");
  }
  return 0;
}
