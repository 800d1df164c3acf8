#!/usr/bin/python3
"""A deliberately quadratic client for the harness self-tests (and CH-30): right
answers, and the classic planted bug, a response gathered with `raw += sock.recv(4096)`, so
every read copies all that came before (N*N/8192 bytes copied, and as many fresh pages
faulted in). Everything else is linear at C speed, so the growth check (runner/timing.py)
sees the quadratic part and must fail it; a wall-clock limit with a margin let it pass."""
import base64
import json
import socket
import sys
import urllib.parse

if "--describe" in sys.argv:
    print(json.dumps({"name": "quadratic", "version": "0", "capabilities": ["timeouts"]}))
    sys.exit(0)
spec = json.load(sys.stdin)
impl = {"name": "quadratic", "version": "0"}


def fetch_raw(url, timeout):
    u = urllib.parse.urlsplit(url)
    s = socket.create_connection((u.hostname, u.port), timeout=timeout)
    s.sendall(f"GET {u.path or '/'} HTTP/1.1\r\nHost: {u.netloc}\r\nConnection: close\r\n\r\n".encode())
    raw = b""
    while True:
        d = s.recv(READ)
        if not d:
            return raw
        raw += d  # the planted bug: the whole response copied again on every read


READ = 4096  # bytes per read: CH-30's 6 MB in about 1500 reads


def dechunk(data):
    """Chunks split at CRLF (this fixture serves CH-30, whose chunk data has none):
    linear, at C speed, so only the reads above grow faster than the body."""
    parts = data.split(b"\r\n")
    sizes, chunks = parts[0::2], parts[1::2]
    return b"".join(chunks[:sizes.index(b"0")])  # up to the last-chunk (a ValueError without one)


try:
    raw = fetch_raw(spec["url"], spec.get("timeout_s", 10))
    head, rest = raw.split(b"\r\n\r\n", 1)
    chunked = b"transfer-encoding: chunked" in head.lower()
    body = dechunk(rest) if chunked else rest
    print(json.dumps({"outcome": "response", "status": int(head[9:12]), "headers": [],
                      "body": base64.b64encode(body).decode(), "implementation": impl}))
except (OSError, ValueError) as e:
    print(json.dumps({"outcome": "error", "error": {"class": "protocol", "message": str(e)}, "implementation": impl}))
