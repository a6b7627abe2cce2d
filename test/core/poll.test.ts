/**
 * poll() over transport endpoints: which condition sets which bit, waiting without a busy loop,
 * the timeout, bad arguments (-1 with errno), and that a returned poll leaves no watch, timer or
 * blocked-caller hint behind.
 */
import { expect } from "chai";
import {
  O_NONBLOCK,
  O_RDWR,
  POLLERR,
  POLLHUP,
  POLLIN,
  POLLNVAL,
  POLLOUT,
  POLLPRI,
  POLLRDBAND,
  POLLRDNORM,
  POLLWRBAND,
  POLLWRNORM,
  F_SETFL,
  T_COTS_ORD,
  T_EXPEDITED,
  TFLOW,
  errno,
  fcntl,
  poll,
  registerProvider,
  t_accept,
  t_bind,
  t_call_of,
  t_close,
  t_connect,
  t_errno,
  t_listen,
  t_look,
  t_open,
  t_rcv,
  t_rcvconnect,
  t_rcvdis,
  t_snd,
  t_snddis,
  t_sndudata,
  t_unitdata_of,
  unregisterProvider,
  type pollfd,
} from "../../src/index.js";
import * as tli from "../../src/tli.js";
import { endpointOf } from "../../src/core/endpoint.js";
import { EFAULT, EINVAL } from "../../src/errno.js";
import { pollTimersPending } from "../../src/poll.js";
import { ScriptedProvider } from "../helpers/scripted.js";
import { callTo, cleanup, connectedPair, listener, loopback, ok, open, settle, text } from "../helpers/xti.js";

const entry = (fd: number, events: number): pollfd => ({ fd, events, revents: 0 });

/** Watches left on the endpoints of `fds` (0 once every poll on them has returned). */
function watches(...fds: number[]): number {
  return fds.reduce((n, fd) => n + endpointOf(fd).waiting, 0);
}

describe("poll over transport endpoints", () => {
  afterEach(cleanup);

  it("has the Linux values of the poll bits", () => {
    expect({ POLLIN, POLLPRI, POLLOUT, POLLERR, POLLHUP, POLLNVAL, POLLRDNORM, POLLRDBAND, POLLWRNORM, POLLWRBAND }).to.deep.equal({
      POLLIN: 0x1,
      POLLPRI: 0x2,
      POLLOUT: 0x4,
      POLLERR: 0x8,
      POLLHUP: 0x10,
      POLLNVAL: 0x20,
      POLLRDNORM: 0x40,
      POLLRDBAND: 0x80,
      POLLWRNORM: 0x100,
      POLLWRBAND: 0x200,
    });
  });

  it("waits for data on any of several endpoints and reports which one has it (POLLIN | POLLRDNORM)", async () => {
    const a = await connectedPair("/dev/ticotsord");
    const b = await connectedPair("/dev/ticotsord");
    const fds = [entry(a.server, POLLIN | POLLRDNORM), entry(b.server, POLLIN | POLLRDNORM)];
    const waiting = poll(fds, 2, -1);
    await settle();
    expect(watches(a.server, b.server)).to.equal(2);
    await ok(t_snd(b.client, text("hi"), 2, 0));
    expect(await waiting).to.equal(1);
    expect(fds.map((f) => f.revents)).to.deep.equal([0, POLLIN | POLLRDNORM]);
    expect(watches(a.server, b.server)).to.equal(0);
    expect(pollTimersPending()).to.equal(0);
  });

  it("reports connect indications on a listener and the confirmation of a non-blocking connect as POLLIN", async () => {
    const l = await listener("/dev/ticotsord");
    const client = open("/dev/ticotsord", true);
    await ok(t_bind(client, null, null));
    expect(await t_connect(client, callTo(l.addr), null)).to.equal(-1);
    const onListener = [entry(l.fd, POLLIN)];
    expect(await poll(onListener, 1, -1)).to.equal(1);
    expect(onListener[0]?.revents).to.equal(POLLIN);
    const call = t_call_of({ addr: 64 });
    await ok(t_listen(l.fd, call));
    const server = open("/dev/ticotsord");
    await ok(t_accept(l.fd, server, call));
    const onClient = [entry(client, POLLIN)];
    expect(await poll(onClient, 1, -1)).to.equal(1);
    await ok(t_rcvconnect(client, null));
  });

  it("reports expedited data as POLLRDBAND | POLLPRI, and only what was asked for", async () => {
    const { client, server } = await connectedPair("/dev/ticotsord");
    await ok(t_snd(client, text("!"), 1, T_EXPEDITED));
    const fds = [entry(server, POLLIN | POLLRDBAND | POLLPRI)];
    expect(await poll(fds, 1, 0)).to.equal(1);
    expect(fds[0]?.revents).to.equal(POLLRDBAND | POLLPRI);
    const normalOnly = [entry(server, POLLIN)];
    expect(await poll(normalOnly, 1, 0)).to.equal(0);
    expect(normalOnly[0]?.revents).to.equal(0);
  });

  it("reports POLLOUT | POLLWRNORM (and POLLWRBAND with an expedited service) until flow control refuses a send, and again when it lifts", async () => {
    const dev = loopback({ servtype: T_COTS_ORD, rcvbuf: 8 });
    const { client, server } = await connectedPair(dev);
    const out = POLLOUT | POLLWRNORM | POLLWRBAND;
    const before = [entry(client, out)];
    expect(await poll(before, 1, 0)).to.equal(1);
    expect(before[0]?.revents).to.equal(out);
    let sent = 0;
    expect(fcntl(client, F_SETFL, O_NONBLOCK)).to.equal(0);
    while ((await t_snd(client, text("12345678"), 8, 0)) > 0) sent++;
    expect(t_errno).to.equal(TFLOW);
    expect(sent).to.be.greaterThan(0);
    const blocked = [entry(client, POLLOUT | POLLWRNORM)];
    expect(await poll(blocked, 1, 0)).to.equal(0);
    const waiting = poll(blocked, 1, -1);
    await settle();
    const buf = new Uint8Array(64);
    await ok(t_rcv(server, buf, buf.length, { value: 0 }));
    expect(await waiting).to.equal(1);
    expect(blocked[0]?.revents).to.equal(POLLOUT | POLLWRNORM);
  });

  it("has no POLLWRBAND on a provider without expedited data", async () => {
    const fd = open("/dev/ticlts");
    const fds = [entry(fd, POLLOUT | POLLWRBAND)];
    expect(await poll(fds, 1, 0)).to.equal(1);
    expect(fds[0]?.revents).to.equal(POLLOUT);
  });

  it("reports POLLHUP (without POLLOUT) once the connection is disconnected, until t_rcvdis takes it", async () => {
    const { client, server } = await connectedPair("/dev/ticotsord");
    const fds = [entry(server, POLLIN | POLLOUT)];
    const waiting = poll([entry(server, POLLIN)], 1, -1);
    await ok(t_snddis(client, null));
    expect(await waiting).to.equal(1);
    expect(await poll(fds, 1, 0)).to.equal(1);
    expect(fds[0]?.revents).to.equal(POLLIN | POLLHUP);
    await ok(t_rcvdis(server, null));
    expect(await poll(fds, 1, 0)).to.equal(1);
    expect(fds[0]?.revents).to.equal(POLLOUT);
  });

  it("reports POLLERR after the provider's fatal error, asked for or not", async () => {
    const fd = tli.t_open("/dev/ticotsord", O_RDWR);
    expect(await tli.t_snd(fd, text("x"), 1, 0)).to.equal(-1); // TLI t_snd in T_UNBND: the provider's EPROTO
    const fds = [entry(fd, POLLIN)];
    expect(await poll(fds, 1, -1)).to.equal(1);
    expect(fds[0]?.revents).to.equal(POLLERR);
  });

  it("reports POLLNVAL for a descriptor that is not open, ignores a negative one, and wakes a poll whose endpoint is closed", async () => {
    const fd = open("/dev/ticotsord");
    const fds = [entry(4242, 0), entry(-1, POLLIN), entry(fd, POLLIN)];
    expect(await poll(fds, 3, 0)).to.equal(1);
    expect(fds.map((f) => f.revents)).to.deep.equal([POLLNVAL, 0, 0]);
    const waiting = poll([entry(fd, POLLIN)], 1, -1);
    await settle();
    await t_close(fd);
    const closed = [entry(fd, POLLIN)];
    expect(await waiting).to.equal(1);
    expect(await poll(closed, 1, 0)).to.equal(1);
    expect(closed[0]?.revents).to.equal(POLLNVAL);
  });

  it("returns 0 when the timeout passes, and at once with timeout 0, leaving no timer", async () => {
    const fd = open("/dev/ticotsord");
    const fds = [entry(fd, POLLIN)];
    expect(await poll(fds, 1, 0)).to.equal(0);
    const waiting = poll(fds, 1, 200);
    expect(pollTimersPending(), "the timer is armed within the call").to.equal(1); // before a slow turn of the loop can fire it
    await settle();
    expect(await waiting).to.equal(0);
    expect(fds[0]?.revents).to.equal(0);
    expect(pollTimersPending()).to.equal(0);
    expect(watches(fd)).to.equal(0);
    expect(await poll([], 0, 0)).to.equal(0);
  });

  it("fails -1 with errno EFAULT or EINVAL for bad arguments, without throwing", async () => {
    const fd = open("/dev/ticotsord");
    const cases: Array<[unknown[], number]> = [
      [[[entry(fd, POLLIN)], 2, 0], EFAULT],
      [["not an array", 1, 0], EFAULT],
      [[[null], 1, 0], EFAULT],
      [[[Object.defineProperty({}, "fd", { get: () => { throw new Error("boom"); } })], 1, 0], EFAULT],
      [[[Object.freeze(entry(4242, POLLIN))], 1, 0], EFAULT],
      [[[entry(fd, POLLIN)], 1, Number.NaN], EINVAL],
      [[[entry(fd, POLLIN)], -1, 0], EINVAL],
      [[[entry(fd, POLLIN)], 1.5, 0], EINVAL],
      [[[{ fd: "3", events: POLLIN, revents: 0 }], 1, 0], EINVAL],
    ];
    const untyped = poll as unknown as (...args: unknown[]) => Promise<number>;
    for (const [args, expected] of cases) {
      expect(await untyped(...args)).to.equal(-1);
      expect(errno).to.equal(expected);
    }
  });

  it("tells the provider a caller is blocked while poll waits, and that none is once it returns", async () => {
    const sp = new ScriptedProvider("/dev/test-poll-scripted");
    registerProvider(sp);
    try {
      const fd = t_open(sp.name, O_RDWR);
      const hints = (): boolean[] => sp.last.requests.flatMap((r) => (r.kind === "userBlocked" ? [r.blocked] : []));
      const waiting = poll([entry(fd, POLLIN)], 1, -1);
      await settle();
      expect(hints()).to.deep.equal([true]);
      sp.last.user.dataInd(text("x"), false);
      expect(await waiting).to.equal(1);
      await settle();
      expect(hints()).to.deep.equal([true, false]);
      await t_close(fd);
    } finally {
      unregisterProvider(sp.name);
    }
  });

  it("serves several clients from one non-blocking loop: every poll returns something to do", async () => {
    const l = await listener("/dev/ticotsord", 4);
    const clients: number[] = [];
    for (let i = 0; i < 3; i++) {
      const c = open("/dev/ticotsord", true);
      await ok(t_bind(c, null, null));
      await t_connect(c, callTo(l.addr), null);
      clients.push(c);
    }
    const conns: number[] = [];
    const echoed: string[] = [];
    const buf = new Uint8Array(64);
    let polls = 0;
    const server = (async () => {
      while (echoed.length < 3) {
        const fds = [entry(l.fd, POLLIN), ...conns.map((fd) => entry(fd, POLLIN))];
        const n = await poll(fds, fds.length, -1);
        polls++;
        expect(n).to.be.greaterThan(0);
        if ((fds[0]?.revents ?? 0) & POLLIN) {
          const call = t_call_of({ addr: 64 });
          await ok(t_listen(l.fd, call));
          const fd = open("/dev/ticotsord", true);
          await ok(t_accept(l.fd, fd, call));
          conns.push(fd);
        }
        for (const f of fds.slice(1)) {
          if (f.revents & POLLIN) {
            const flags = { value: 0 };
            const got = await t_rcv(f.fd, buf, buf.length, flags);
            echoed.push(new TextDecoder().decode(buf.subarray(0, got)));
          }
        }
      }
    })();
    for (const [i, c] of clients.entries()) {
      const p = [entry(c, POLLIN)];
      expect(await poll(p, 1, -1)).to.equal(1); // the connection confirmation
      await ok(t_rcvconnect(c, null));
      await ok(t_snd(c, text(`client ${i}`), 8, 0));
    }
    await server;
    expect(echoed.sort()).to.deep.equal(["client 0", "client 1", "client 2"]);
    expect(polls).to.be.at.most(6);
    expect(t_look(l.fd)).to.equal(0);
  });

  it("works on connectionless endpoints: a datagram makes the receiver readable", async () => {
    const rx = open("/dev/ticlts");
    const bound = { addr: { maxlen: 64, len: 0, buf: new Uint8Array(64) }, qlen: 0 };
    await ok(t_bind(rx, null, bound));
    const tx = open("/dev/ticlts");
    await ok(t_bind(tx, null, null));
    const fds = [entry(rx, POLLIN)];
    const waiting = poll(fds, 1, -1);
    await ok(t_sndudata(tx, t_unitdata_of({ addr: bound.addr.buf.slice(0, bound.addr.len), udata: text("dgram") })));
    expect(await waiting).to.equal(1);
    expect(fds[0]?.revents).to.equal(POLLIN);
  });
});
