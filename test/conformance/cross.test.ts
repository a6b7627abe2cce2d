/**
 * Cases across two providers: a target whose peerDevice is another provider sharing its address
 * space runs the connection cases with the caller on the peer device.
 */
import { expect } from "chai";
import { T_COTS_ORD, createLoopbackProvider, registerProvider, unregisterProvider, netbuf, t_getprotaddr } from "../../src/index.js";
import { endpointOf, openDescriptors } from "../../src/core/endpoint.js";
import { runTarget } from "../../conformance/runner.js";
import { CaseContext } from "../../conformance/context.js";

describe("conformance across providers", function () {
  this.timeout(60000);

  it("passes with the callers on a second provider that shares the address space", async () => {
    const a = createLoopbackProvider({ name: "/dev/test-cross-a", servtype: T_COTS_ORD });
    const b = createLoopbackProvider({ name: "/dev/test-cross-b", servtype: T_COTS_ORD, addressSpaceOf: a });
    registerProvider(a);
    registerProvider(b);
    try {
      const report = await runTarget({ name: "a<-b", device: a.name, peerDevice: b.name, features: { boundedQueue: true, refusesUnknownAddress: true } });
      expect(report.results.filter((r) => r.outcome === "fail").map((r) => `${r.id}: ${r.reason}`)).to.deep.equal([]);
      expect(report.results.filter((r) => r.outcome === "pass").length).to.be.above(40);
      expect(openDescriptors(), "every case closes its endpoints").to.deep.equal([]);
    } finally {
      unregisterProvider(a.name);
      unregisterProvider(b.name);
    }
  });

  it("really connects endpoints of the two providers", async () => {
    const a = createLoopbackProvider({ name: "/dev/test-cross-c", servtype: T_COTS_ORD });
    const b = createLoopbackProvider({ name: "/dev/test-cross-d", servtype: T_COTS_ORD, addressSpaceOf: a });
    registerProvider(a);
    registerProvider(b);
    try {
      const ctx = new CaseContext({ name: "x", device: a.name, peerDevice: b.name }, { addr: 0, options: 0, tsdu: -1, etsdu: -1, connect: -1, discon: -1, servtype: T_COTS_ORD, flags: 1 }, 2000);
      const { client, server } = await ctx.pair();
      expect(endpointOf(client).provider).to.equal(b);
      expect(endpointOf(server).provider).to.equal(a);
      const peer = { addr: netbuf(64), qlen: 0 };
      expect(t_getprotaddr(client, null, peer)).to.equal(0);
      expect(peer.addr.len).to.be.above(0);
      await ctx.close();
    } finally {
      unregisterProvider(a.name);
      unregisterProvider(b.name);
    }
  });
});
