#!/usr/bin/python3
"""Deliberately wrong adapters for the harness self-tests; the mode is argv[1].
Each mimics a real way an adapter or client breaks."""
import base64
import json
import os
import socket
import sys
import time
import urllib.parse

mode = sys.argv[1]
if "--describe" in sys.argv:
    print(json.dumps({"name": f"bad-{mode}", "version": "0", "capabilities": ["generic-form", "timeouts"]}))
    sys.exit(0)
spec = json.load(sys.stdin)
impl = {"name": f"bad-{mode}", "version": "0"}


def fetch_raw(url):
    """send a GET and return every byte the server sent (no HTTP parsing at all)"""
    u = urllib.parse.urlsplit(url)
    s = socket.create_connection((u.hostname, u.port), timeout=5)
    s.sendall(f"GET {u.path or '/'} HTTP/1.1\r\nHost: {u.netloc}\r\nConnection: close\r\n\r\n".encode())
    out = b""
    while True:
        d = s.recv(65536)
        if not d:
            return out
        out += d


if mode == "wrong-body":
    fetch_raw(spec["url"])
    print(json.dumps({"outcome": "response", "status": 200, "headers": [], "body": base64.b64encode(b"wrong").decode(),
                      "implementation": impl}))
elif mode == "raw-chunked":  # takes everything after the head as the body: ignores chunked framing
    raw = fetch_raw(spec["url"])
    body = raw.split(b"\r\n\r\n", 1)[1]
    print(json.dumps({"outcome": "response", "status": int(raw[9:12]), "headers": [],
                      "body": base64.b64encode(body).decode(), "implementation": impl}))
elif mode == "wrong-class":  # refuses what it reads, as required, but cannot name the class
    fetch_raw(spec["url"])
    print(json.dumps({"outcome": "error", "error": {"class": "unclassified", "message": "ValueError: bad chunk"},
                      "implementation": impl}))
elif mode == "hang":
    time.sleep(3600)
elif mode == "crash":
    sys.exit(3)
elif mode == "garbage":
    print("this is not JSON")
elif mode == "flood":
    chunk = b"x" * (1 << 20)
    for _ in range(200):
        sys.stdout.buffer.write(chunk)
elif mode == "forker":  # leaves a child behind that would keep ports and pipes open
    if os.fork() == 0:
        os.setsid() if False else None
        time.sleep(3600)
        sys.exit(0)
    fetch_raw(spec["url"])
    print(json.dumps({"outcome": "response", "status": 200, "headers": [], "body": base64.b64encode(b"ok").decode(),
                      "implementation": impl}))
