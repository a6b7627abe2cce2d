"""Kernel-side programs for the interop tests, run inside the peer namespace with Debian's python3.

Each subcommand prints JSON lines on stdout: {"ready": ...} once it listens or is about to act, then
one result line. Errors of the connection are reported as {"error": "ECONNRESET"} (errno names).

  tcp   (--listen PORT | --connect HOST PORT [--bind ADDR] [--congestion NAME]) [--send-bytes N --seed S]
        [--order duplex|send-first|recv-first] [--oob-at K] [--watch-oob] [--recv-file F] [--reset-after-bytes N]
        The result has "seconds": from the connection's start to the end of the transfer.
  udp-echo PORT COUNT          echo COUNT datagrams back to their sender
  udp-send HOST PORT COUNT     send COUNT numbered datagrams, expect each echoed back
  ping HOST COUNT              ICMP echo through a raw socket (ping(8) may be missing)
"""
import argparse, errno, hashlib, json, os, random, select, socket, struct, sys, threading, time


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def errno_name(exc):
    return errno.errorcode.get(exc.errno, str(exc.errno)) if isinstance(exc, OSError) and exc.errno else type(exc).__name__


def pattern(n, seed):
    return random.Random(seed).randbytes(n)


class Transfer:
    def __init__(self, sock, args):
        self.sock, self.args = sock, args
        self.sent_hash, self.recv_hash = hashlib.sha256(), hashlib.sha256()
        self.sent = self.received = 0
        self.oob = []  # [(byte, normal bytes received before it)]
        self.error = None
        self.recv_out = open(args.recv_file, "wb") if args.recv_file else None
        self.data = pattern(args.send_bytes, args.seed)  # made before the clock starts

    def send_all(self):
        data = self.data
        view, k = memoryview(data), self.args.oob_at
        try:
            if k is not None and 0 <= k < len(data):
                self._send(view[:k])
                self.sock.send(view[k:k + 1], socket.MSG_OOB)  # only the last byte of an OOB send is urgent
                self.sent_hash.update(view[k:k + 1]); self.sent += 1
                self._send(view[k + 1:])
            else:
                self._send(view)
            self.sock.shutdown(socket.SHUT_WR)
        except OSError as exc:
            self.error = self.error or errno_name(exc)

    def _send(self, view):
        step = 1 << 16
        for i in range(0, len(view), step):
            part = view[i:i + step]
            self.sock.sendall(part)
            self.sent_hash.update(part); self.sent += len(part)

    def receive_all(self):
        s, args = self.sock, self.args
        try:
            while True:
                if args.watch_oob:
                    r, _, x = select.select([s], [], [s], 5)
                    if x:
                        try:
                            self.oob.append((s.recv(1, socket.MSG_OOB)[0], self.received))
                        except (BlockingIOError, InterruptedError):
                            pass  # the urgent byte is announced but has not arrived yet
                        except OSError as exc:
                            if exc.errno not in (errno.EINVAL, errno.EAGAIN):
                                raise
                        continue
                    if not r:
                        continue
                b = s.recv(1 << 20)
                if not b:
                    return
                self.recv_hash.update(b); self.received += len(b)
                if self.recv_out:
                    self.recv_out.write(b)
                if args.reset_after_bytes is not None and self.received >= args.reset_after_bytes:
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    s.close()
                    self.error = "RESET_SENT"
                    return
        except OSError as exc:
            self.error = self.error or errno_name(exc)

    def result(self):
        if self.recv_out:
            self.recv_out.close()
        out = {"sent": self.sent, "sent_sha256": self.sent_hash.hexdigest(),
               "received": self.received, "received_sha256": self.recv_hash.hexdigest()}
        if self.oob:
            out["oob"] = [{"byte": b, "offset": o} for b, o in self.oob]
        if self.error:
            out["error"] = self.error
        return out


def cmd_tcp(args):
    if args.listen is not None:
        srv = socket.socket()
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        srv.bind(("0.0.0.0", args.listen))
        srv.listen(1)
        emit({"ready": "listening", "port": args.listen})
        srv.settimeout(args.timeout)
        sock, _ = srv.accept()
        sock.settimeout(None)
        srv.close()
    else:
        sock = socket.socket()
        if args.congestion:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, args.congestion.encode())
        if args.bind:
            sock.bind((args.bind, 0))
        emit({"ready": "connecting"})
        try:
            sock.connect((args.connect[0], int(args.connect[1])))
        except OSError as exc:
            emit({"error": errno_name(exc)})
            return
    t = Transfer(sock, args)
    started = time.monotonic()
    if args.order == "duplex":
        sender = threading.Thread(target=t.send_all)
        sender.start()
        t.receive_all()
        sender.join()
    elif args.order == "send-first":
        t.send_all()
        t.receive_all()
    else:
        t.receive_all()
        t.send_all()
    if t.error != "RESET_SENT":
        sock.close()
    result = t.result()
    result["seconds"] = time.monotonic() - started
    emit(result)


def cmd_udp_echo(args):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", args.port))
    emit({"ready": "bound", "port": args.port})
    s.settimeout(args.timeout)
    seen = []
    for _ in range(args.count):
        data, peer = s.recvfrom(65535)
        seen.append(data.hex())
        s.sendto(data, peer)
    emit({"echoed": seen})


def cmd_udp_send(args):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(args.timeout)
    s.connect((args.host, args.port))  # connected, so that an ICMP error is reported to us
    emit({"ready": "sending"})
    replies = []
    for i in range(args.count):
        payload = ("datagram %d from the kernel" % i).encode()
        s.send(payload)
        try:
            data = s.recv(65535)
            replies.append({"data": data.decode(errors="replace")})
        except socket.timeout:
            replies.append(None)
        except OSError as exc:
            replies.append({"error": errno_name(exc)})
    emit({"replies": replies})


def checksum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def cmd_ping(args):
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    ident = os.getpid() & 0xFFFF
    emit({"ready": "pinging"})
    replies = 0
    for seq in range(1, args.count + 1):
        body = struct.pack("!BBHHH", 8, 0, 0, ident, seq) + b"xti-interop-ping"
        body = body[:2] + struct.pack("!H", checksum(body)) + body[4:]
        s.sendto(body, (args.host, 0))
        deadline = time.time() + args.timeout
        while time.time() < deadline:
            if not select.select([s], [], [], max(0, deadline - time.time()))[0]:
                break
            packet = s.recv(2048)
            icmp = packet[(packet[0] & 15) * 4:]
            if icmp[0] == 0 and struct.unpack("!HH", icmp[4:8]) == (ident, seq) and icmp[8:] == b"xti-interop-ping":
                replies += 1
                break
    emit({"sent": args.count, "replies": replies})


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--timeout", type=float, default=30)
    sub = p.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("tcp")
    g = t.add_mutually_exclusive_group(required=True)
    g.add_argument("--listen", type=int)
    g.add_argument("--connect", nargs=2)
    t.add_argument("--bind", help="local address to connect from")
    t.add_argument("--congestion", help="TCP_CONGESTION of the connecting socket (reno, cubic, bbr...)")
    t.add_argument("--send-bytes", type=int, default=0)
    t.add_argument("--seed", type=int, default=7)
    t.add_argument("--order", choices=["duplex", "send-first", "recv-first"], default="duplex")
    t.add_argument("--oob-at", type=int)
    t.add_argument("--watch-oob", action="store_true")
    t.add_argument("--recv-file")
    t.add_argument("--reset-after-bytes", type=int)
    e = sub.add_parser("udp-echo")
    e.add_argument("port", type=int)
    e.add_argument("count", type=int)
    u = sub.add_parser("udp-send")
    u.add_argument("host")
    u.add_argument("port", type=int)
    u.add_argument("count", type=int)
    g2 = sub.add_parser("ping")
    g2.add_argument("host")
    g2.add_argument("count", type=int)
    args = p.parse_args()
    {"tcp": cmd_tcp, "udp-echo": cmd_udp_echo, "udp-send": cmd_udp_send, "ping": cmd_ping}[args.cmd](args)


if __name__ == "__main__":
    main()
