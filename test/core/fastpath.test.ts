/**
 * What the core's fast path (calls that complete at once, without waiting) must not change: a
 * provider's t_info is read again where the SPI lets it change, caller buffers are copied at the
 * call, a zero-length unit held off by flow control is still sent, and a send issued while a
 * state change is in flight sees the new state.
 */
import { expect } from "chai";
import {
  T_CALL,
  T_COTS,
  T_CURRENT,
  T_MORE,
  T_UDATA,
  TBADDATA,
  TOUTSTATE,
  XTI_GENERIC,
  XTI_RCVBUF,
  encodeOptions,
  registerProvider,
  t_alloc,
  t_bind,
  t_connect,
  t_getinfo,
  t_optmgmt,
  t_optmgmt_of,
  t_rcv,
  t_rcvudata,
  t_snd,
  t_snddis,
  t_sndrel,
  t_sndudata,
  t_unitdata_of,
  unregisterProvider,
} from "../../src/index.js";
import { ScriptedProvider } from "../helpers/scripted.js";
import { callTo, cleanup, connectedPair, expectFail, listener, loopback, ok, open, settle, text } from "../helpers/xti.js";

const NONE = new Uint8Array(0);

describe("the core's fast path", () => {
  afterEach(cleanup);

  it("sees a provider's t_info change after a bind, after a connection, after t_optmgmt, and at every t_getinfo", async () => {
    const sp = new ScriptedProvider("/dev/test-scripted-info", { connect: 8, discon: 4 });
    registerProvider(sp);
    try {
      const fd = open(sp.name);
      const sep = sp.last;
      expect(t_alloc(fd, T_CALL, T_UDATA)?.udata.maxlen).to.equal(8);
      sep.infoChange = { connect: 16 }; // the provider negotiates a larger connect size when bound
      await ok(t_bind(fd, null, null));
      expect(t_alloc(fd, T_CALL, T_UDATA)?.udata.maxlen, "after t_bind").to.equal(16);

      const connecting = t_connect(fd, callTo(text("peer")), null);
      await settle();
      sep.infoChange = { connect: 16, tsdu: 8 }; // and a TSDU size once the connection is up
      sep.user.connCon({ addr: text("peer"), opt: NONE, udata: NONE });
      await ok(connecting);
      expectFail(await t_snd(fd, new Uint8Array(12), 12, 0), TBADDATA);
      expect(await t_snd(fd, new Uint8Array(8), 8, 0), "a TSDU of exactly the new size").to.equal(8);

      sep.infoChange = { connect: 16, tsdu: 4 }; // an option changes it too
      await ok(t_optmgmt(fd, t_optmgmt_of(encodeOptions([{ level: XTI_GENERIC, name: XTI_RCVBUF }]), T_CURRENT), t_optmgmt_of(256)));
      expectFail(await t_snd(fd, new Uint8Array(6), 6, 0), TBADDATA);

      sep.infoChange = { connect: 16, tsdu: 4, etsdu: 3 };
      const info = { addr: 0, options: 0, tsdu: 0, etsdu: 0, connect: 0, discon: 0, servtype: 0, flags: 0 };
      await ok(t_getinfo(fd, info));
      expect(info.etsdu, "t_getinfo asks the provider").to.equal(3);
    } finally {
      unregisterProvider(sp.name);
    }
  });

  it("copies a Buffer given to t_snd and t_sndudata: changing it after the call changes nothing the peer reads", async () => {
    const { client, server } = await connectedPair("/dev/ticots");
    const data = Buffer.from("original");
    await ok(t_snd(client, data, data.length, 0));
    data.write("CHANGED!");
    const buf = new Uint8Array(16);
    const n = await ok(t_rcv(server, buf, buf.length, { value: 0 }));
    expect(Buffer.from(buf.subarray(0, n)).toString()).to.equal("original");

    const a = await listener("/dev/ticlts", 0);
    const b = open("/dev/ticlts");
    await ok(t_bind(b, null, null));
    const datagram = Buffer.from("datagram");
    await ok(t_sndudata(b, t_unitdata_of({ addr: a.addr, udata: datagram })));
    datagram.write("XXXXXXXX");
    const ud = t_unitdata_of({ addr: 64, udata: 16 });
    await ok(t_rcvudata(a.fd, ud, { value: 0 }));
    expect(Buffer.from(ud.udata.buf.subarray(0, ud.udata.len)).toString()).to.equal("datagram");
  });

  it("sends a zero-length TSDU that flow control held off once the receiver reads (blocking mode)", async () => {
    const dev = loopback({ servtype: T_COTS, rcvbuf: 4 });
    const { client, server } = await connectedPair(dev);
    await ok(t_snd(client, text("full"), 4, 0)); // the receiver is at its high-water mark
    let sent: number | null = null;
    const empty = t_snd(client, NONE, 0, 0).then((r) => (sent = r));
    await settle();
    expect(sent, "held off by flow control").to.equal(null);
    const flags = { value: 0 };
    expect(await t_rcv(server, new Uint8Array(8), 8, flags)).to.equal(4);
    await empty;
    expect(sent).to.equal(0);
    expect(await t_rcv(server, new Uint8Array(8), 8, flags), "the zero-length unit").to.equal(0);
    expect(flags.value & T_MORE).to.equal(0);
  });

  it("makes a t_snd or t_sndrel issued while t_snddis is in flight wait for it, then fail TOUTSTATE as after t_snddis", async () => {
    const { client } = await connectedPair("/dev/ticotsord");
    const disconnecting = t_snddis(client, null);
    const sending = t_snd(client, text("late"), 4, 0);
    const releasing = t_sndrel(client);
    await ok(disconnecting);
    expectFail(await sending, TOUTSTATE);
    expectFail(await releasing, TOUTSTATE);
  });
});
