/**
 * The socket poller (providers/native/poller.ts) on its own: readiness reported once per arming,
 * EPOLLERR without asking, in arrival order, and a clean stop.
 */
import { expect } from "chai";
import { AF_INET, EPOLLERR, EPOLLIN, IP_RECVERR, IPPROTO_IP, SOCK_DGRAM } from "../../providers/native/ffi/linux.js";
import { Poller } from "../../providers/native/poller.js";
import { KernelSocket } from "../../providers/native/socket.js";
import { sockaddr_in } from "../../src/index.js";

describe("native: the socket poller", function () {
  this.timeout(20_000);
  let poller: Poller;
  const sockets: KernelSocket[] = [];
  const udp = (): KernelSocket => {
    const s = KernelSocket.create(AF_INET, SOCK_DGRAM);
    expect(s.bind(sockaddr_in("127.0.0.1", 0))).to.equal(0);
    sockets.push(s);
    return s;
  };
  const send = (from: KernelSocket, to: KernelSocket): void => {
    expect(from.sendTo(Uint8Array.of(1), 1, 0, to.localAddress()!)).to.equal(1);
  };

  beforeEach(() => {
    poller = new Poller();
  });

  afterEach(async () => {
    await poller.close();
    for (const s of sockets.splice(0)) s.close();
  });

  it("reports a descriptor once per arming, in the order descriptors became ready", async () => {
    const [a, b, sender] = [udp(), udp(), udp()];
    const seen: string[] = [];
    let next: (() => void) | undefined;
    const handler = (name: string) => (events: number) => {
      seen.push(`${name}:${events & EPOLLIN ? "in" : events}`);
      next?.();
    };
    const ha = poller.watch(a.fd, handler("a"));
    const hb = poller.watch(b.fd, handler("b"));
    send(sender, a);
    send(sender, a); // still readable after the first report: one-shot keeps it quiet until re-armed
    ha.arm(EPOLLIN);
    await new Promise<void>((r) => (next = r));
    send(sender, b);
    hb.arm(EPOLLIN);
    await new Promise<void>((r) => (next = r));
    expect(seen, "a was not reported again while disarmed").to.deep.equal(["a:in", "b:in"]);
    ha.arm(EPOLLIN);
    await new Promise<void>((r) => (next = r));
    expect(seen).to.deep.equal(["a:in", "b:in", "a:in"]);
    expect(poller.stats()).to.include({ dispatched: 3, watched: 2 });
  });

  it("reports EPOLLERR without being asked for it (an ICMP error queued by IP_RECVERR)", async () => {
    const s = udp();
    expect(s.setInt(IPPROTO_IP, IP_RECVERR, 1)).to.equal(0);
    const gone = udp();
    const dead = gone.localAddress()!;
    gone.close();
    const reported = new Promise<number>((resolve) => poller.watch(s.fd, resolve));
    expect(s.sendTo(Uint8Array.of(1), 1, 0, dead)).to.equal(1);
    expect((await reported) & EPOLLERR).to.equal(EPOLLERR);
  });

  it("drops what a forgotten descriptor had pending", async () => {
    const [a, b, sender] = [udp(), udp(), udp()];
    let aCalls = 0;
    const ha = poller.watch(a.fd, () => aCalls++);
    send(sender, a);
    ha.arm(EPOLLIN);
    ha.close();
    const bReported = new Promise<void>((resolve) => poller.watch(b.fd, () => resolve()).arm(EPOLLIN));
    send(sender, b);
    await bReported;
    expect(aCalls).to.equal(0);
  });
});
