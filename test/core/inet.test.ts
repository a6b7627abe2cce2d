import { expect } from "chai";
import { XTIError } from "../../src/xtierror.js";
import { AF_INET6, formatIpv6, parseIpv6, parseSockaddrIn, parseSockaddrIn6, sockaddr_in, sockaddr_in6, sockaddrToUaddr, uaddrToSockaddr } from "../../src/inet.js";

describe("inet addresses: sockaddr_in, sockaddr_in6 and universal addresses", () => {
  it("lays out a sockaddr_in6 as Linux does (28 bytes, family in host order, port/flowinfo/address in network order)", () => {
    const sa = sockaddr_in6("2001:db8::1", 0x1234, 7, 0x000abcde);
    expect(sa.length).to.equal(28);
    const v = new DataView(sa.buffer);
    expect(v.getUint16(0, true)).to.equal(AF_INET6);
    expect([sa[2], sa[3]]).to.deep.equal([0x12, 0x34]);
    expect(v.getUint32(4, false)).to.equal(0xabcde);
    expect([...sa.subarray(8, 12)]).to.deep.equal([0x20, 0x01, 0x0d, 0xb8]);
    expect(sa[23]).to.equal(1);
    expect(v.getUint32(24, true)).to.equal(7);
    expect(parseSockaddrIn6(sa)).to.deep.equal({ address: "2001:db8::1", port: 0x1234, flowinfo: 0xabcde, scopeId: 7 });
    expect(parseSockaddrIn(sa)).to.equal(null);
    expect(parseSockaddrIn6(sockaddr_in("127.0.0.1", 1))).to.equal(null);
  });

  it("parses and prints IPv6 text per RFC 4291 and RFC 5952", () => {
    const cases: Array<[string, string]> = [
      ["::", "::"],
      ["::1", "::1"],
      ["2001:DB8:0:0:0:0:2:1", "2001:db8::2:1"],
      ["2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"],
      ["2001:0:0:1:0:0:0:1", "2001:0:0:1::1"],
      ["::ffff:198.18.0.1", "::ffff:c612:1"],
      ["fe80::", "fe80::"],
    ];
    for (const [text, canonical] of cases) expect(formatIpv6(parseIpv6(text) as Uint8Array), text).to.equal(canonical);
    for (const bad of ["", ":::", "1::2::3", "12345::", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "::g", "::1.2.3", "1.2.3.4"]) expect(parseIpv6(bad), bad).to.equal(null);
    expect(() => sockaddr_in6("nope", 1)).to.throw(XTIError, /TBADADDR/);
    expect(() => sockaddr_in6("::1", 65536)).to.throw(XTIError, /TSYSERR.*EINVAL/);
  });

  it("turns both families into universal addresses and back", () => {
    expect(sockaddrToUaddr(sockaddr_in("192.11.109.89", 268))).to.equal("192.11.109.89.1.12");
    expect(sockaddrToUaddr(sockaddr_in6("::1", 268))).to.equal("::1.1.12");
    expect(uaddrToSockaddr("::1.1.12")).to.deep.equal(sockaddr_in6("::1", 268));
    expect(uaddrToSockaddr("0.0.0.0.1.12")).to.deep.equal(sockaddr_in("0.0.0.0", 268));
    for (const bad of ["1.2.3.4.5", "1.2.3.4.256.0", "::1.1", "x.1.2", "::1:1.1.2.3"]) expect(uaddrToSockaddr(bad), bad).to.equal(null);
  });
});
