"""Peers for the kernel-provider tests, written with Python's socket module (not with xti).

  inet_peer.py serve                       commands on stdin, one JSON object per line; each gets one
                                           JSON reply line on stdout (see Peer below)
  inet_peer.py echo-server FAMILY          listen on loopback, print {"port": P}, echo one connection
                                           until its end of file, then print {"received": N, "sha256": H}
  inet_peer.py bulk-client FAMILY PORT N SEED
                                           connect to loopback PORT, send N pattern bytes while reading
                                           everything that comes back, shut down writing, read to end of
                                           file; print {"sent_sha256", "received", "received_sha256"}

FAMILY is inet or inet6. Byte strings travel as hex. Errors are {"error": "ECONNRESET"} (errno names).
"""
import errno, fcntl, hashlib, json, random, socket, struct, sys, threading, time

SIOCATMARK = 0x8905
LOOPBACK = {"inet": "127.0.0.1", "inet6": "::1"}
FAMILY = {"inet": socket.AF_INET, "inet6": socket.AF_INET6}


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def errno_name(exc):
    return errno.errorcode.get(exc.errno, str(exc.errno)) if exc.errno else type(exc).__name__


def pattern(n, seed):
    return random.Random(seed).randbytes(n)


def at_mark(sock):
    return struct.unpack("i", fcntl.ioctl(sock, SIOCATMARK, b"\0\0\0\0"))[0] == 1


class Peer:
    """One listening socket, one connection and one datagram socket, driven by commands."""

    def __init__(self):
        self.listener = self.conn = self.udp = None
        self.extra = []  # further client connections (callers beyond the first)

    def family(self, cmd):
        return cmd.get("family", "inet")

    def op_listen(self, cmd):
        """With "rcvbuf", the accepted connections get that receive buffer (a window that fills soon)."""
        f = self.family(cmd)
        self.listener = socket.socket(FAMILY[f], socket.SOCK_STREAM)
        if "rcvbuf" in cmd:
            self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, cmd["rcvbuf"])
        self.listener.bind((LOOPBACK[f], cmd.get("port", 0)))
        if cmd.get("listen", True):
            self.listener.listen(cmd.get("backlog", 8))
        return {"port": self.listener.getsockname()[1]}

    def op_accept(self, cmd):
        self.conn, addr = self.listener.accept()
        if cmd.get("oobinline"):
            self.conn.setsockopt(socket.SOL_SOCKET, socket.SO_OOBINLINE, 1)
        return {"peer_port": addr[1]}

    def op_connect(self, cmd):
        f = self.family(cmd)
        s = socket.socket(FAMILY[f], socket.SOCK_STREAM)
        if cmd.get("oobinline"):
            s.setsockopt(socket.SOL_SOCKET, socket.SO_OOBINLINE, 1)
        if "rcvbuf" in cmd:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, cmd["rcvbuf"])
        s.connect((cmd.get("host", LOOPBACK[f]), cmd["port"]))
        if cmd.get("extra"):
            self.extra.append(s)
        else:
            self.conn = s
        return {"local_port": s.getsockname()[1]}

    def op_send(self, cmd):
        conn = self.extra[cmd["extra"]] if "extra" in cmd else self.conn
        data = bytes.fromhex(cmd["data"])
        if cmd.get("oob"):
            return {"sent": conn.send(data, socket.MSG_OOB)}
        conn.sendall(data)
        return {"sent": len(data)}

    def op_flood(self, cmd):
        """Send up to n pattern bytes without blocking, with a small send buffer, until the receiver
        stops taking them (no progress for about a second); report how many went and their hash."""
        conn = self.conn
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, cmd.get("sndbuf", 65536))
        conn.setblocking(False)
        data, sent, idle = memoryview(pattern(cmd["n"], cmd.get("seed", 1))), 0, 0
        while sent < len(data) and idle < 20:
            try:
                sent += conn.send(data[sent:sent + 65536])
                idle = 0
            except BlockingIOError:
                idle += 1
                time.sleep(0.05)
        conn.setblocking(True)
        return {"sent": sent, "sha256": hashlib.sha256(data[:sent]).hexdigest()}

    def op_cork(self, cmd):
        self.conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 1 if cmd["on"] else 0)
        return {}

    def op_recv(self, cmd):
        """Read up to n bytes (one recv), or exactly n with "exactly"."""
        conn = self.extra[cmd["extra"]] if "extra" in cmd else self.conn
        want, got = cmd.get("n", 65536), b""
        while True:
            part = conn.recv(want - len(got))
            got += part
            if not part or not cmd.get("exactly") or len(got) == want:
                break
        return {"data": got.hex(), "eof": len(got) == 0}

    def op_drain(self, cmd):
        """Read until end of file or an error: how much arrived, its hash, and how it ended."""
        digest, received, end = hashlib.sha256(), 0, "eof"
        try:
            while True:
                part = self.conn.recv(1 << 16)
                if not part:
                    break
                digest.update(part)
                received += len(part)
        except OSError as exc:
            end = errno_name(exc)
        return {"received": received, "sha256": digest.hexdigest(), "end": end}

    def op_piece(self, cmd):
        """With SO_OOBINLINE: the urgent byte alone when the read position is at the mark, else
        the normal bytes before the next mark (a read stops there)."""
        if at_mark(self.conn):
            return {"urgent": self.conn.recv(1).hex()}
        data = self.conn.recv(cmd.get("n", 65536))
        return {"data": data.hex(), "eof": len(data) == 0}

    def op_shutdown(self, cmd):
        self.conn.shutdown(socket.SHUT_WR)
        return {}

    def op_close(self, cmd):
        self.conn.close()
        return {}

    def op_reset(self, cmd):
        """Abortive close: SO_LINGER {1, 0} makes close() send a RST (after "delay" seconds)."""
        time.sleep(cmd.get("delay", 0))
        self.conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.conn.close()
        return {}

    def op_udp(self, cmd):
        f = self.family(cmd)
        self.udp = socket.socket(FAMILY[f], socket.SOCK_DGRAM)
        self.udp.bind((LOOPBACK[f], 0))
        self.udp_family = f
        return {"port": self.udp.getsockname()[1]}

    def op_sendto(self, cmd):
        """Send the datagram once, or "count" times back to back (with "pace": k, a millisecond's
        pause after every k, so that a receiver reading all the time is not overrun)."""
        data, to = bytes.fromhex(cmd["data"]), (LOOPBACK[self.udp_family], cmd["port"])
        pace = cmd.get("pace", 0)
        for i in range(cmd.get("count", 1)):
            n = self.udp.sendto(data, to)
            if pace and i % pace == pace - 1:
                time.sleep(0.001)
        return {"sent": n}

    def op_recvfrom(self, cmd):
        data, addr = self.udp.recvfrom(65536)
        return {"data": data.hex(), "port": addr[1]}

    def op_exit(self, cmd):
        return {}


def serve():
    peer = Peer()
    for line in sys.stdin:
        cmd = json.loads(line)
        try:
            reply = getattr(peer, "op_" + cmd["op"])(cmd)
        except OSError as exc:
            reply = {"error": errno_name(exc)}
        emit(reply)
        if cmd["op"] == "exit":
            return


def echo_server(family):
    listener = socket.socket(FAMILY[family], socket.SOCK_STREAM)
    listener.bind((LOOPBACK[family], 0))
    listener.listen(1)
    emit({"port": listener.getsockname()[1]})
    conn, _ = listener.accept()
    digest, received = hashlib.sha256(), 0
    while True:
        data = conn.recv(1 << 16)
        if not data:
            break
        digest.update(data)
        received += len(data)
        conn.sendall(data)
    conn.shutdown(socket.SHUT_WR)
    conn.close()
    emit({"received": received, "sha256": digest.hexdigest()})


def bulk_client(family, port, n, seed):
    s = socket.socket(FAMILY[family], socket.SOCK_STREAM)
    s.connect((LOOPBACK[family], port))
    data = pattern(n, seed)
    digest, received = hashlib.sha256(), [0]

    def reader():
        while True:
            part = s.recv(1 << 16)
            if not part:
                return
            digest.update(part)
            received[0] += len(part)

    t = threading.Thread(target=reader)
    t.start()
    s.sendall(data)
    s.shutdown(socket.SHUT_WR)
    t.join()
    s.close()
    emit({"sent_sha256": hashlib.sha256(data).hexdigest(), "received": received[0], "received_sha256": digest.hexdigest()})


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "serve":
        serve()
    elif mode == "echo-server":
        echo_server(sys.argv[2])
    elif mode == "bulk-client":
        bulk_client(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
    else:
        sys.exit("unknown mode " + mode)
