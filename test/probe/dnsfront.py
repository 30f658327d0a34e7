#!/usr/bin/env python3
# test/probe/dnsfront.py MODE PORT UPSTREAM READY: a hostile or flaky DNS server
# in front of the test deployment's dnsmasq (t20-probe.sh).  It listens on
# 127.0.0.1:PORT (UDP) and forwards every question to 127.0.0.1:UPSTREAM,
# (READY is created once it listens), except:
#   lose-first  the first question is dropped unanswered (one lost packet)
#   short       MX example.test gets a record without data before the good
#               one; SRV _imaps._tcp.example.test a record of 2 bytes
#   refuse      every question is answered REFUSED (rcode 5)
import socket
import struct
import sys

mode, port, upstream = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", port))
up = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
up.settimeout(3)
open(sys.argv[4], "w").close()


def question(q):
    """the name (lower case, no final dot), type and end of the question"""
    i, labels = 12, []
    while q[i] != 0:
        labels.append(q[i + 1:i + 1 + q[i]].decode("ascii", "replace"))
        i += 1 + q[i]
    qtype = struct.unpack("!H", q[i + 1:i + 3])[0]
    return ".".join(labels).lower(), qtype, i + 5


def answer(q, end, rrs, rcode=0):
    """a reply to q with these (type, rdata) records at the question's name"""
    hdr = q[:2] + struct.pack("!HHHHH", 0x8180 | rcode, 1, len(rrs), 0, 0)
    out = hdr + q[12:end]
    for t, rd in rrs:
        out += struct.pack("!HHHIH", 0xc00c, t, 1, 60, len(rd)) + rd
    return out


def dname(n):
    return b"".join(bytes([len(l)]) + l.encode() for l in n.split(".")) + b"\0"


first = True
while True:
    q, peer = s.recvfrom(4096)
    if mode == "lose-first" and first:
        first = False
        continue
    try:
        name, qtype, end = question(q)
    except (IndexError, struct.error):
        continue
    if mode == "refuse":
        s.sendto(answer(q, end, [], 5), peer)
        continue
    if mode == "short" and qtype == 15 and name == "example.test":
        s.sendto(answer(q, end, [(15, b""), (15, struct.pack("!H", 10) +
            dname("mx.mail.hoster.test"))]), peer)
        continue
    if mode == "short" and qtype == 33 and name == "_imaps._tcp.example.test":
        s.sendto(answer(q, end, [(33, b"\0\0")]), peer)
        continue
    up.sendto(q, ("127.0.0.1", upstream))
    try:
        s.sendto(up.recv(4096), peer)
    except socket.timeout:
        pass
