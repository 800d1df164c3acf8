#!/usr/bin/python3
"""A deliberately quadratic client for the harness self-tests (and CH-30): correct
HTTP/1.1 chunked decoding whose body grows with `bytes +=`, so every 64 chunks copy all
that came before (N*N/128 bytes copied). Every answer is right; only the time is wrong. The growth check
(runner/timing.py) must fail it; a wall-clock limit with a margin let it pass."""
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
    parts = []  # the raw bytes are gathered linearly: only the body below is quadratic
    while True:
        d = s.recv(65536)
        if not d:
            return b"".join(parts)
        parts.append(d)


EVERY = 64  # chunks per copy: N*N/128 bytes, CPU-bound; at 256 a quiet machine spent 0.46 s, under the 1 s floor


def dechunk(data):
    """Chunks split at CRLF (this fixture serves CH-30, whose chunk data has none),
    so the linear part costs little and the quadratic copy is what the clock sees."""
    parts = data.split(b"\r\n")
    body, pending = b"", []
    for line, chunk in zip(parts[0::2], parts[1::2]):
        if int(line.split(b";")[0], 16) == 0:
            break
        pending.append(chunk)
        if len(pending) == EVERY:
            body += b"".join(pending)  # the planted bug: the whole body copied again and again
            pending = []
    return body + b"".join(pending)


try:
    raw = fetch_raw(spec["url"], spec.get("timeout_s", 10))
    head, rest = raw.split(b"\r\n\r\n", 1)
    chunked = b"transfer-encoding: chunked" in head.lower()
    body = dechunk(rest) if chunked else rest
    print(json.dumps({"outcome": "response", "status": int(head[9:12]), "headers": [],
                      "body": base64.b64encode(body).decode(), "implementation": impl}))
except (OSError, ValueError) as e:
    print(json.dumps({"outcome": "error", "error": {"class": "protocol", "message": str(e)}, "implementation": impl}))
