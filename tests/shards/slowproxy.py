#!/usr/bin/env python3
# slowproxy.py: a TCP proxy in front of a xapian-tcpsrv that makes its
# matches slow, for tests/shards/remote.sh. It reads the messages of
# Xapian 1.4's remote protocol the client sends (a type byte, then the
# length: one byte below 255, else 255 and 7-bit groups, the last with its
# high bit set) and holds each MSG_GETMSET (type 26: "send me the hits")
# DELAY seconds before passing it on, as a shard busy with a costly match
# would answer late. Everything else passes at once.
#   slowproxy.py UPSTREAM_PORT DELAY PORT_FILE
# Listens on 127.0.0.1, a port the kernel picks, written to PORT_FILE.
import socket
import sys
import threading
import time

MSG_GETMSET = 26


def pipe_back(src, dst):
    try:
        while True:
            b = src.recv(65536)
            if not b:
                break
            dst.sendall(b)
    except OSError:
        pass
    for s in (src, dst):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def message_end(buf):
    """The length of the first whole message in buf, or 0."""
    if len(buf) < 2:
        return 0
    n, i = buf[1], 2
    if n == 255:
        n, shift = 0, 0
        while True:
            if i >= len(buf):
                return 0
            b = buf[i]
            i += 1
            n |= (b & 0x7F) << shift
            shift += 7
            if b & 0x80:
                break
        n += 255
    return i + n if len(buf) >= i + n else 0


def pipe_forth(src, dst, delay):
    buf = b""
    try:
        while True:
            b = src.recv(65536)
            if not b:
                break
            buf += b
            while True:
                end = message_end(buf)
                if not end:
                    break
                if buf[0] == MSG_GETMSET:
                    time.sleep(delay)
                dst.sendall(buf[:end])
                buf = buf[end:]
    except OSError:
        pass
    for s in (src, dst):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def main():
    upstream, delay, port_file = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", 0))
    ls.listen(16)
    with open(port_file + ".tmp", "w") as f:
        f.write("%d\n" % ls.getsockname()[1])
    import os
    os.rename(port_file + ".tmp", port_file)
    while True:
        c, _ = ls.accept()
        u = socket.create_connection(("127.0.0.1", upstream))
        for s in (c, u):
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        threading.Thread(target=pipe_forth, args=(c, u, delay), daemon=True).start()
        threading.Thread(target=pipe_back, args=(u, c), daemon=True).start()


main()
