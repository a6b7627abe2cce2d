"""Urgent data from and to the Linux kernel for the /dev/rawtcp tests, run in the peer namespace.

  send (--listen PORT | --connect HOST PORT) [--gap S]
      sends "123", "4" with MSG_OOB, "56", "7" with MSG_OOB, "89", S seconds apart, then
      shuts down its side and reads until the end; prints {"sent": true}
  receive (--listen PORT | --connect HOST PORT)
      reads until the end, the urgent bytes with recv(MSG_OOB) when the read position reaches
      their mark (SIOCATMARK); prints {"events": [["data", "123"], ["urgent", "4"], ..., ["eof"]]}

Prints {"ready": ...} first. Errors are {"error": "ECONNRESET"} (errno names).
"""
import argparse, errno, fcntl, json, select, socket, struct, sys, time

SIOCATMARK = 0x8905


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def open_socket(args):
    if args.listen is not None:
        srv = socket.socket()
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        srv.bind(("0.0.0.0", args.listen))
        srv.listen(1)
        emit({"ready": "listening"})
        srv.settimeout(args.timeout)
        s, _ = srv.accept()
        srv.close()
    else:
        emit({"ready": "connecting"})
        s = socket.create_connection((args.connect[0], int(args.connect[1])), timeout=args.timeout)
    s.settimeout(args.timeout)
    return s


def at_mark(s):
    return struct.unpack("i", fcntl.ioctl(s.fileno(), SIOCATMARK, b"\0\0\0\0"))[0] == 1


def send(args):
    s = open_socket(args)
    for text, oob in (("123", False), ("4", True), ("56", False), ("7", True), ("89", False)):
        s.send(text.encode(), socket.MSG_OOB if oob else 0)
        time.sleep(args.gap)
    s.shutdown(socket.SHUT_WR)
    while s.recv(65536):
        pass
    s.close()
    emit({"sent": True})


def receive(args):
    s = open_socket(args)
    # select() does the waiting. A socket with a timeout would make CPython poll for POLLIN
    # before recv(MSG_OOB), and a lone urgent byte at the mark is not POLLIN: the call would sit
    # there until later data came, by when a newer urgent pointer may have replaced this one.
    s.setblocking(False)
    events = []

    def add(kind, text):
        if kind == "data" and events and events[-1][0] == "data":
            events[-1][1] += text
        else:
            events.append([kind, text])

    while True:
        readable, _, exceptional = select.select([s], [], [s], args.timeout)
        if not readable and not exceptional:
            raise TimeoutError("nothing arrived")
        # An urgent byte is read only once everything before its mark is: then it is in place.
        # Checked after select() and right before reading, since a read that starts at the mark
        # skips the urgent byte (Linux, without SO_OOBINLINE) and would lose its place.
        if at_mark(s):
            try:
                add("urgent", s.recv(1, socket.MSG_OOB).decode())
                continue
            except OSError as exc:
                if exc.errno not in (errno.EINVAL, errno.EAGAIN):
                    raise
        if not readable:
            time.sleep(0.001)  # the urgent byte is announced ahead of the data before it
            continue
        b = s.recv(65536)
        if not b:
            events.append(["eof"])
            break
        add("data", b.decode())
    s.close()
    emit({"events": events})


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--timeout", type=float, default=20)
    sub = p.add_subparsers(dest="cmd", required=True)
    for name in ("send", "receive"):
        c = sub.add_parser(name)
        g = c.add_mutually_exclusive_group(required=True)
        g.add_argument("--listen", type=int)
        g.add_argument("--connect", nargs=2)
        if name == "send":
            c.add_argument("--gap", type=float, default=1.0)
    args = p.parse_args()
    try:
        (send if args.cmd == "send" else receive)(args)
    except OSError as exc:
        emit({"error": errno.errorcode.get(exc.errno, str(exc)) if exc.errno else type(exc).__name__})


main()
