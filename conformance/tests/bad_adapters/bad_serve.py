#!/usr/bin/python3
"""Deliberately wrong serve-mode adapters for the harness self-tests:
  bad_serve.py MODE MARKER [--describe | --serve]
Each mode breaks the serve protocol once, on the first spec served while the
file MARKER does not exist (it then writes its pid there), and serves
correctly otherwise, so a test can tell the broken case from the next one and
the fresh process from the killed one. `leaky`, `leaky-conn` and
`leaky-cookies` instead break isolation on every spec: one connection and/or
one cookie jar for the process's whole life. The `ready-*` modes declare
`serve-ready`: `ready-slow` says ready after 2 s and then serves correctly,
`ready-never` never says it, `ready-wrong` first writes another line.
"""
import http.client
import base64
import json
import os
import sys
import time
import urllib.parse

mode, marker = sys.argv[1], sys.argv[2]
impl = {"name": f"bad-serve-{mode}", "version": "0"}
if "--describe" in sys.argv:
    caps = ["simple-form", "generic-form", "timeouts", "serve"] + (["serve-ready"] if mode.startswith("ready") else [])
    print(json.dumps({"name": impl["name"], "version": "0", "capabilities": caps}))
    sys.exit(0)
if mode == "ready-slow":
    time.sleep(2)
    sys.stdout.write('{"ready": true}\n')
elif mode == "ready-never":
    time.sleep(3600)
elif mode == "ready-wrong":
    sys.stdout.write('{"ready": false}\n')
sys.stdout.flush()
CONNS, COOKIES = {}, []  # used by `leaky` only


KEEP_CONN = mode in ("leaky", "leaky-conn")
KEEP_COOKIES = mode in ("leaky", "leaky-cookies")


def fetch(spec):
    """GET the URL with http.client: a new connection and no cookies per spec,
    unless this mode leaks them."""
    u = urllib.parse.urlsplit(spec["url"])
    key = (u.hostname, u.port)
    c = CONNS.get(key) if KEEP_CONN else None
    if c is None:
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=spec.get("timeout_s") or 5)
        if KEEP_CONN:
            CONNS[key] = c
    headers = {"Cookie": "; ".join(COOKIES)} if KEEP_COOKIES and COOKIES else {}
    c.request(spec.get("method") or "GET", u.path or "/", headers=headers)
    r = c.getresponse()
    body = r.read()
    if KEEP_COOKIES:
        COOKIES.extend(v.split(";")[0] for n, v in r.getheaders() if n.lower() == "set-cookie")
    if not KEEP_CONN:
        c.close()
    return {"outcome": "response", "status": r.status, "reason": r.reason, "headers": [list(h) for h in r.getheaders()],
            "body": base64.b64encode(body).decode(), "implementation": impl, "adapter_pid": os.getpid()}


def break_now():
    """True once across processes: the first spec after MARKER was removed."""
    if mode.startswith(("leaky", "ready")) or os.path.exists(marker):
        return False
    with open(marker, "w") as f:
        f.write(str(os.getpid()))
    return True


def answer(result):
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()


for line in sys.stdin:
    spec = json.loads(line)
    seq = spec["serve_seq"]
    try:
        result = dict(fetch(spec), serve_seq=seq)
    except OSError as e:  # http.client's errors are OSErrors or HTTPExceptions
        result = {"outcome": "error", "error": {"class": "closed", "message": repr(e)}, "implementation": impl,
                  "serve_seq": seq}
    except http.client.HTTPException as e:
        result = {"outcome": "error", "error": {"class": "protocol", "message": repr(e)}, "implementation": impl,
                  "serve_seq": seq}
    if not break_now():
        answer(result)
    elif mode == "wrong-seq":
        answer(dict(result, serve_seq=seq + 1))
    elif mode == "no-seq":
        answer({k: v for k, v in result.items() if k != "serve_seq"})
    elif mode == "two-answers":  # both in one write: caught at once
        sys.stdout.write(json.dumps(result) + "\n" + json.dumps(result) + "\n")
        sys.stdout.flush()
    elif mode == "not-object":
        answer([result])
    elif mode == "not-json":
        sys.stdout.write("this is not JSON\n")
        sys.stdout.flush()
    elif mode == "crash":
        os._exit(3)
    elif mode == "hang":
        time.sleep(3600)
    elif mode == "flood":  # one endless line
        chunk = "x" * (1 << 20)
        for _ in range(200):
            sys.stdout.write(chunk)
    elif mode == "late-answer":  # a second answer to the same spec, after the case was judged
        answer(result)
        time.sleep(0.3)
        answer(result)
    elif mode == "unasked":  # an answer to no spec at all
        answer(result)
        time.sleep(0.3)
        answer(dict(result, serve_seq=seq + 1000))
