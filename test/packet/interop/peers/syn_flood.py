"""SYN floods and martian SYNs aimed at the user-space stack, from the kernel peer's namespace.

  syn_flood.py flood IFACE DST_MAC DST_IP DST_PORT COUNT CLIENT_AFTER SEED
      COUNT SYNs from random sources in 198.19.0.0/16, random ports and ISNs. Those sources are
      off-link for the stack, whose answers go to its gateway, this kernel, which does not forward
      them: they never answer. After CLIENT_AFTER SYNs a genuine client connects from this
      namespace's own address while the flood goes on, sends 64 KiB, half-closes and reads to the
      end. Prints {"ready": ...} once the frames are built, then
      {"sent": N, "flood_seconds": S, "client": {"connect_ms": ..., "error": ..., "sent_sha256": ...}}.
  syn_flood.py martians IFACE DST_MAC DST_IP DST_PORT REPEAT SRC [SRC ...]
      REPEAT SYNs from each source address; from the destination's own address the source port is
      the destination port (a "land" SYN). Prints {"ready": ...}, then {"sent": N}.

The first frame of each kind is built by scapy; the others are that template with addresses, ports
and sequence numbers patched in and both checksums recomputed (building 30,000 frames with scapy
takes longer than the flood itself).
"""
import hashlib, json, random, socket, struct, sys, threading, time

from scapy.all import Ether, IP, TCP, conf, get_if_hwaddr

conf.verb = 0
ETH, IP_LEN = 14, 20


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def syn_template(iface, dst_mac, dst_ip, dst_port):
    frame = Ether(dst=dst_mac, src=get_if_hwaddr(iface)) / IP(src="198.19.0.1", dst=dst_ip) / TCP(sport=1024, dport=dst_port, flags="S", options=[("MSS", 1460)])
    return bytearray(bytes(frame))


def syn_from(template, src_ip, sport, seq):
    f = bytearray(template)
    f[ETH + 12:ETH + 16] = socket.inet_aton(src_ip)
    f[ETH + 10:ETH + 12] = b"\0\0"
    f[ETH + 10:ETH + 12] = struct.pack("!H", csum(bytes(f[ETH:ETH + IP_LEN])))
    t = ETH + IP_LEN
    struct.pack_into("!H", f, t, sport)
    struct.pack_into("!I", f, t + 4, seq)
    f[t + 16:t + 18] = b"\0\0"
    segment = bytes(f[t:])
    pseudo = f[ETH + 12:ETH + 20] + struct.pack("!BBH", 0, 6, len(segment))
    struct.pack_into("!H", f, t + 16, csum(bytes(pseudo) + segment))
    return bytes(f)


def raw_socket(iface):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    return s


def genuine_client(dst_ip, dst_port, out):
    data = random.Random(99).randbytes(65536)
    sock = socket.socket()
    sock.settimeout(30)
    started = time.monotonic()
    try:
        sock.connect((dst_ip, dst_port))
        out["connect_ms"] = round((time.monotonic() - started) * 1000, 1)
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)
        while sock.recv(65536):
            pass
        out["sent_sha256"] = hashlib.sha256(data).hexdigest()
        out["sent"] = len(data)
    except OSError as exc:
        out["error"] = type(exc).__name__ + ": " + str(exc)
    finally:
        sock.close()


def cmd_flood(iface, dst_mac, dst_ip, dst_port, count, client_after, seed):
    r = random.Random(seed)
    template = syn_template(iface, dst_mac, dst_ip, dst_port)
    frames = [syn_from(template, "198.19.%d.%d" % (r.randrange(256), r.randrange(1, 255)), r.randrange(1024, 65536), r.getrandbits(32)) for _ in range(count)]
    out = raw_socket(iface)
    emit({"ready": "built", "frames": len(frames)})
    client = {}
    thread = threading.Thread(target=genuine_client, args=(dst_ip, dst_port, client))
    started = time.monotonic()
    for i, f in enumerate(frames):
        if i == client_after:
            thread.start()
        out.send(f)
    flood_seconds = time.monotonic() - started
    if not thread.is_alive() and client_after >= len(frames):
        thread.start()
    thread.join()
    emit({"sent": len(frames), "flood_seconds": round(flood_seconds, 3), "client": client})


def cmd_martians(iface, dst_mac, dst_ip, dst_port, repeat, sources):
    template = syn_template(iface, dst_mac, dst_ip, dst_port)
    out = raw_socket(iface)
    frames = [syn_from(template, src, dst_port if src == dst_ip else 40000 + i, 1000 + i) for i, src in enumerate(sources)]
    emit({"ready": "built", "frames": len(frames)})
    for _ in range(repeat):
        for f in frames:
            out.send(f)
    emit({"sent": repeat * len(frames)})


def main():
    cmd, iface, dst_mac, dst_ip, dst_port = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
    if cmd == "flood":
        cmd_flood(iface, dst_mac, dst_ip, dst_port, int(sys.argv[6]), int(sys.argv[7]), int(sys.argv[8]))
    elif cmd == "martians":
        cmd_martians(iface, dst_mac, dst_ip, dst_port, int(sys.argv[6]), sys.argv[7:])
    else:
        sys.exit("usage: syn_flood.py flood|martians ...")


if __name__ == "__main__":
    main()
