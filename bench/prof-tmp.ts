import { vethUp, vethDown, STACK_IP, STACK_MAC, kernelPeer, checkPeer, peerPort } from "./harness/veth.js";
import { openStackHost, stackTransfer } from "./workloads/stack.js";
const dir = (process.argv[2] ?? "download") as "download" | "upload";
const mb = Number(process.argv[3] ?? 100);
vethUp();
try {
  const host = await openStackHost(STACK_IP, STACK_MAC);
  for (let i = 0; i < Number(process.env.RUNS ?? 3); i++) {
    const port = peerPort();
    const bytes = mb * 1024 * 1024;
    const peer = await kernelPeer(port, dir, bytes);
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    await stackTransfer(host, port, dir, bytes);
    const s = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(c0);
    await checkPeer(peer, dir, bytes);
    console.log(`${dir} ${(bytes / s / 1e6).toFixed(1)} MB/s, cpu ${((cpu.user + cpu.system) / 1e6 / s * 100).toFixed(0)}% of wall, ${((cpu.user + cpu.system) / 1e6 / (bytes / 2 ** 30)).toFixed(2)} s/GiB`);
  }
  console.log(JSON.stringify(host.device.stats()));
  await host.close();
} finally { vethDown(); }
