import { expect } from "chai";
import { execFileSync } from "node:child_process";
import { libc } from "../../../providers/native/ffi/libc.js";
import { MSG_DONTWAIT, POLLIN } from "../../../providers/native/ffi/linux.js";
import { errnoName, OsError } from "../../../providers/native/ffi/os-error.js";
import { closeFd, createEventFd, signalEventFd } from "../../../providers/native/ffi/eventfd.js";
import { interfaceHardwareAddress, interfaceIndex, interfaceMtu } from "../../../providers/native/ffi/packet-socket.js";
import { PollSet } from "../../../providers/native/ffi/poll.js";
import { htons, ifreq, sockaddrLl } from "../../../providers/native/ffi/structs.js";

const AF_INET = 2;
const SOCK_DGRAM = 2;

describe("packet/io: ffi (no privileges needed)", () => {
  it("does not load koffi when the packet modules are imported, only when they are used", function () {
    this.timeout(10_000);
    const modules = ["packet/link/afpacket.js", "packet/link/pcap.js", "native/ffi/packet-socket.js"].map((m) =>
      JSON.stringify(new URL(`../../../providers/${m}`, import.meta.url).href),
    );
    const script = [
      `const { createRequire } = await import("node:module");`,
      `const loaded = () => Object.keys(createRequire(import.meta.url).cache).some((k) => k.includes("/koffi/"));`,
      ...modules.map((m) => `await import(${m});`),
      `const afterImport = loaded();`,
      `(await import(${modules[2]})).interfaceIndex("lo");`,
      `console.log(JSON.stringify({ afterImport, afterUse: loaded() }));`,
    ].join("\n");
    const out = execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { encoding: "utf8" });
    expect(JSON.parse(out)).to.deep.equal({ afterImport: false, afterUse: true });
  });

  it("names errno values and builds errors that carry them", () => {
    expect(errnoName(19)).to.equal("ENODEV");
    expect(errnoName(1)).to.equal("EPERM");
    expect(errnoName(99_999)).to.equal("E99999");
    const err = new OsError("bind", 19, "No such device", "interface 'x'");
    expect(err).to.include({ code: "ENODEV", errno: 19, syscall: "bind", name: "OsError" });
    expect(err.message).to.equal("interface 'x': bind failed: ENODEV (No such device)");
    expect(libc().strerror(2)).to.equal("No such file or directory");
  });

  it("lays out sockaddr_ll and ifreq as the kernel expects", () => {
    expect(htons(0x0003)).to.equal(0x0300);
    expect(Array.from(sockaddrLl(7, 0x0003))).to.deep.equal([17, 0, 0x00, 0x03, 7, 0, 0, 0, ...new Array<number>(12).fill(0)]);
    const req = ifreq("xtiu");
    expect(req.length).to.equal(40);
    expect(Array.from(req.subarray(0, 5))).to.deep.equal([0x78, 0x74, 0x69, 0x75, 0]);
    expect(() => ifreq("a-name-too-long!")).to.throw(RangeError);
  });

  it("queries an interface through if_nametoindex and the variadic ioctl", () => {
    expect(interfaceIndex("lo")).to.equal(1);
    const c = libc();
    const fd = c.socket(AF_INET, SOCK_DGRAM, 0);
    expect(fd).to.be.at.least(0);
    try {
      expect(interfaceMtu(fd, "lo")).to.equal(65536);
      expect(Array.from(interfaceHardwareAddress(fd, "lo"))).to.deep.equal([0, 0, 0, 0, 0, 0]);
    } finally {
      closeFd(fd);
    }
  });

  it("sends with sendto and reports EAGAIN through errno on an empty non-blocking recv", () => {
    const c = libc();
    const fd = c.socket(AF_INET, SOCK_DGRAM, 0);
    try {
      const to = new Uint8Array(16); // sockaddr_in 127.0.0.1:9 (discard)
      to.set([AF_INET, 0, 0, 9, 127, 0, 0, 1]);
      expect(c.sendto(fd, Uint8Array.of(1, 2, 3, 4, 5), 5, 0, to, to.length)).to.equal(5);
      expect(c.recv(fd, new Uint8Array(16), 16, MSG_DONTWAIT)).to.equal(-1);
      expect(errnoName(c.errno())).to.equal("EAGAIN");
    } finally {
      closeFd(fd);
    }
  });

  it("fails with ENODEV for an unknown interface", () => {
    expect(() => interfaceIndex("xtinope0"))
      .to.throw(OsError)
      .that.includes({ code: "ENODEV", syscall: "if_nametoindex" });
  });

  it("wakes poll() through an eventfd, which is how the receive worker is stopped", () => {
    const efd = createEventFd();
    try {
      const set = new PollSet([efd], POLLIN);
      expect(set.wait(0), "nothing signalled yet").to.equal(0);
      signalEventFd(efd);
      signalEventFd(efd);
      expect(set.wait(1000)).to.equal(1);
      expect(set.revents(0) & POLLIN).to.equal(POLLIN);
      const counter = new BigUint64Array(1);
      expect(libc().read(efd, new Uint8Array(counter.buffer), 8)).to.equal(8);
      expect(counter[0], "the eventfd counter sums the signals").to.equal(2n);
      expect(set.wait(0), "reading reset it").to.equal(0);
    } finally {
      closeFd(efd);
    }
  });
});
