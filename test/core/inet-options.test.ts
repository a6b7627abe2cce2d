import { expect } from "chai";
import { T_CLTS, T_COTS_ORD, T_FAILURE, T_GARBAGE, T_INVALID, T_NO, T_PARTSUCCESS, T_SUCCESS, T_UNSPEC, T_YES } from "../../src/constants.js";
import { byteAtLeastRule, internetInfo, keepaliveRule, yesNoRule, yesNoValue } from "../../src/options/inet.js";
import { readScalar, scalarsValue, scalarValue } from "../../src/options/opthdr.js";

const kp = (onoff: number, minutes: number): Uint8Array => scalarsValue(onoff, minutes);
const judged = (j: { status: number; value: Uint8Array }): [number, number, number] => [j.status, readScalar(j.value, 0), readScalar(j.value, 1)];

describe("the XTI Internet appendix's shared rules (xti/spi)", () => {
  it("gives the t_info of a TCP and a UDP endpoint", () => {
    const tcp = internetInfo({ transport: "tcp", addr: 16, family: "inet", options: 512, tcpTidu: 65536 });
    expect(tcp).to.deep.include({ addr: 16, tsdu: 0, etsdu: 1, connect: T_INVALID, discon: T_INVALID, servtype: T_COTS_ORD, sendZero: false, expInline: true, tidu: 65536 });
    const udp6 = internetInfo({ transport: "udp", addr: 28, family: "inet6", options: 512, tcpTidu: 65536 });
    expect(udp6).to.deep.include({ addr: 28, tsdu: 65527, etsdu: T_INVALID, servtype: T_CLTS, sendZero: true, expInline: false, tidu: 65527 });
    expect(internetInfo({ transport: "udp", addr: 16, family: "inet", options: 0, tcpTidu: 1 }).tsdu).to.equal(65507);
  });

  it("judges T_YES/T_NO flags and unsigned-char IP fields", () => {
    expect(yesNoRule(yesNoValue(true)).status).to.equal(T_SUCCESS);
    expect(yesNoRule(yesNoValue(false)).status).to.equal(T_SUCCESS);
    expect(yesNoRule(scalarValue(7)).status).to.equal(T_FAILURE);
    expect(byteAtLeastRule(1)(Uint8Array.of(0)).status).to.equal(T_FAILURE);
    expect(byteAtLeastRule(1)(Uint8Array.of(64)).status).to.equal(T_SUCCESS);
  });

  it("judges t_kpalive: bad values fail, no garbage octet and a longest interval are partial successes, T_UNSPEC may be named", () => {
    const linux = keepaliveRule(546, 120);
    expect(judged(linux(kp(T_YES, 30)))).to.deep.equal([T_SUCCESS, T_YES, 30]);
    expect(judged(linux(kp(T_YES, T_UNSPEC)))).to.deep.equal([T_SUCCESS, T_YES, 120]);
    expect(judged(linux(kp(T_YES | T_GARBAGE, 30)))).to.deep.equal([T_PARTSUCCESS, T_YES, 30]);
    expect(judged(linux(kp(T_NO, 9999)))).to.deep.equal([T_PARTSUCCESS, T_NO, 546]);
    expect(linux(kp(5, 30)).status).to.equal(T_FAILURE);
    expect(linux(kp(T_YES, 0)).status).to.equal(T_FAILURE);
    const plain = keepaliveRule(35791);
    expect(judged(plain(kp(T_YES, T_UNSPEC)))).to.deep.equal([T_SUCCESS, T_YES, T_UNSPEC]);
  });
});
