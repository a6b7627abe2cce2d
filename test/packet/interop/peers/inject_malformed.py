"""Malformed and hostile frames aimed at a live TCP connection of the user-space stack.

Run in the kernel peer's namespace while a transfer runs:
  inject_malformed.py IFACE KERNEL_PORT ROUNDS
It sniffs a pure ACK of the connection (kernel -> stack, source port KERNEL_PORT) to learn the
MACs, addresses, ports and sequence numbers, then sends ROUNDS rounds of bad frames, each built
from the latest pure ACK, while they keep coming. While the kernel only acknowledges (the stack is
sending), its sequence number is exactly the stack's RCV.NXT, so "in the window" and "out of the
window" are certain. Prints {"ready": ...} when it starts sniffing, then the number of frames of
each kind sent.
"""
import json, struct, sys, threading, time

from scapy.all import AsyncSniffer, Ether, IP, Raw, conf

conf.verb = 0


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


def tcp_bytes(src, dst, sport, dport, seq, ack, flags, window, options=b"", payload=b"", bad_checksum=False, data_offset=None):
    """A TCP header (+ payload) built by hand, so that every field can be wrong on purpose."""
    header_len = 20 + len(options)
    offset = (header_len // 4) if data_offset is None else data_offset
    header = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, offset << 4, flags, window, 0, 0) + options
    segment = header + payload
    pseudo = struct.pack("!4s4sBBH", bytes(map(int, src.split("."))), bytes(map(int, dst.split("."))), 0, 6, len(segment))
    check = csum(pseudo + segment)
    if bad_checksum:
        check ^= 0x5A5A
    return segment[:16] + struct.pack("!H", check) + segment[18:]


FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10
# The IPv4 identification of every frame we inject: the sniffer also sees what we send, and must
# not take one of our own pure ACKs for the kernel's.
INJECTED_ID = 0x5EED


def round_of_frames(seg):
    eth, ip, tcp = seg[Ether], seg[IP], seg["TCP"]
    src, dst, sport, dport = ip.src, ip.dst, tcp.sport, tcp.dport
    seq, ack, win = tcp.seq, tcp.ack, tcp.window
    length = len(bytes(tcp.payload))
    nxt = seq + length
    garbage = bytes([0xEE]) * 512
    l2 = Ether(src=eth.src, dst=eth.dst)

    def ip_tcp(segment, **ip_fields):
        return l2 / IP(src=src, dst=dst, proto=6, id=INJECTED_ID, **ip_fields) / Raw(segment)

    def good(seq_, ack_, flags, options=b"", payload=b""):
        return tcp_bytes(src, dst, sport, dport, seq_, ack_, flags, win, options, payload)

    frames = {
        # Network layer (a frame shorter than an Ethernet header never gets past the device's BPF filter)
        "ipv4_truncated_header": bytes(l2 / IP(src=src, dst=dst, proto=6, id=INJECTED_ID))[:14 + 12],
        "ipv4_bad_header_checksum": ip_tcp(good(seq, ack, ACK | PSH, payload=garbage), chksum=0x1234),
        "ipv4_total_length_too_big": ip_tcp(good(seq, ack, ACK | PSH, payload=garbage), len=1400),
        # TCP headers that cannot be decoded (the payload would overwrite stream bytes if accepted)
        "tcp_truncated_header": ip_tcp(good(seq, ack, ACK)[:12]),
        "tcp_data_offset_past_end": ip_tcp(tcp_bytes(src, dst, sport, dport, seq, ack, ACK, win, data_offset=15)),
        "tcp_bad_checksum": ip_tcp(tcp_bytes(src, dst, sport, dport, seq, ack, ACK | PSH, win, payload=garbage, bad_checksum=True)),
        # Bogus options on pure ACKs: zero length (a naive parser loops), length past the header,
        # an unknown kind, a window scale and an MSS outside a SYN.
        "tcp_option_zero_length": ip_tcp(good(nxt, ack, ACK, options=b"\x08\x00\x00\x00")),
        "tcp_option_past_header": ip_tcp(good(nxt, ack, ACK, options=b"\x01\x01\x05\x28")),
        "tcp_option_unknown_and_misplaced": ip_tcp(good(nxt, ack, ACK, options=b"\xfe\x04\xab\xcd\x03\x03\x0e\x01\x02\x04\x00\x10\x00\x00\x00\x00")),
        "tcp_sack_block_bogus": ip_tcp(good(nxt, ack, ACK, options=b"\x01\x01\x05\x0a" + struct.pack("!II", (ack + 0x40000000) & 0xFFFFFFFF, (ack + 0x40001000) & 0xFFFFFFFF))),
        # Segments outside the receive window, with garbage that must never reach the stream
        "tcp_data_far_ahead": ip_tcp(good(seq + 0x40000000, ack, ACK | PSH, payload=garbage)),
        "tcp_data_long_ago": ip_tcp(good(seq - 0x20000000, ack, ACK | PSH, payload=garbage)),
        "tcp_ack_of_unsent_data": ip_tcp(good(nxt, ack + 0x30000000, ACK)),
        # Resets that must not kill the connection (RFC 5961): far off, and in the window but not exact
        "rst_far_out_of_window": ip_tcp(good(seq + 0x7FFFFFFF, 0, RST)),
        "rst_in_window_not_exact": ip_tcp(good(nxt + 64 * 1024 + 7, 0, RST)),
        # A SYN on the live 4-tuple (RFC 5961 §4: challenge ACK, the connection goes on)
        "syn_into_connection": ip_tcp(good(seq + 12345, 0, SYN, options=b"\x02\x04\x05\xb4")),
    }
    return {name: (f if isinstance(f, bytes) else bytes(f)) for name, f in frames.items()}


def main():
    iface, kernel_port, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    bpf = "tcp and src port %d and tcp[tcpflags] & (tcp-syn|tcp-fin|tcp-rst) == 0" % kernel_port
    sent = {}
    out = conf.L2socket(iface=iface)
    # A sniffer runs all along and keeps the latest pure ACK: each round is built from a fresh one
    # (its numbers current), and a round is sent only while the kernel still acknowledges our
    # upload, without a sniffer's start-up per round (which a fast upload could outlast).
    latest, fresh = [None], threading.Event()

    def keep(p):
        latest[0] = p
        fresh.set()

    def kernels_pure_ack(p):
        return IP in p and p[IP].id != INJECTED_ID and "TCP" in p and len(bytes(p["TCP"].payload)) == 0

    sniffer = AsyncSniffer(iface=iface, filter=bpf, lfilter=kernels_pure_ack, prn=keep, store=False)
    sniffer.start()
    emit({"ready": "sniffing"})
    try:
        for i in range(rounds):
            if not fresh.wait(20 if i == 0 else 1):
                break  # the upload is over: no pure ACK came since the last round
            fresh.clear()
            for name, frame in round_of_frames(latest[0]).items():
                out.send(Raw(frame))
                sent[name] = sent.get(name, 0) + 1
            time.sleep(0.01)
    finally:
        sniffer.stop()
    out.close()
    emit({"sent": sent})


if __name__ == "__main__":
    main()
