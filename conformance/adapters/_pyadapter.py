"""Shared plumbing for the Python adapters (DESIGN.md "Adapter protocol").

An adapter module defines NAME, VERSION, CAPABILITIES and a `Client` class
whose `request(spec) -> Response` performs one request spec; a Client
instance lives for the whole spec so `then` follow-ups use the same client
(connection reuse where the library offers it). `main()` does the rest:
--describe, JSON in/out, base64, the `then` list, and mapping the library's
exceptions to the shared error classes. Every adapter writes exactly one
JSON object and exits 0; only a bug in the adapter itself exits non-zero.

`--serve` (capability `serve`, added to every Python adapter here): one spec
per line on stdin, one result line per spec on stdout, echoing `serve_seq`,
until EOF. The interpreter and the library are loaded once; each spec still
gets a new Client, so nothing (pool, cookie jar, credentials, proxy) survives
from one spec to the next. `main(..., serve_start=fn)` adds `serve-ready`: in
--serve, fn() runs first (a browser started) and {"ready": true} is written
before any spec is read, so the runner does not count the start against a case.
"""

import base64
import errno
import http.client
import importlib
import json
import socket
import ssl
import sys
import traceback


NOT_INSTALLED = 4  # the exit status that tells the runner the client is not installed here


def need(module, package):
    """Import the library under test, or exit 4 naming its Debian package: the runner
    then scores an optional peer skipped_dependency (and stops for a required one)."""
    try:
        return importlib.import_module(module)
    except ImportError as e:
        print(f"{module} is not installed here (Debian package {package}; tools/setup --all installs it): {e}",
              file=sys.stderr)
        sys.exit(NOT_INSTALLED)


def need_program(program, package):
    """The same for a command-line client: its path, or exit 4."""
    import shutil
    path = shutil.which(program)
    if not path:
        print(f"{program} is not installed here (Debian package {package}; tools/setup --all installs it)",
              file=sys.stderr)
        sys.exit(NOT_INSTALLED)
    return path


class Response:
    def __init__(self, status, reason, version, headers, body, trailers=None):
        self.status = status
        self.reason = reason
        self.version = version
        self.headers = headers  # ordered [[name, value], ...] as the library exposes them
        self.body = body  # bytes
        self.trailers = trailers


class ClassifiedError(Exception):
    """Raised by an adapter that already knows the class of its failure."""

    def __init__(self, cls, message):
        super().__init__(message)
        self.cls = cls


def spec_body(spec):
    """The request body bytes (or None) and the method, honouring form=simple."""
    body = base64.b64decode(spec["body"]) if spec.get("body") is not None else None
    method = spec.get("method")
    if not method:
        method = "POST" if (spec.get("form") == "simple" and body is not None) else "GET"
    return method, body


def ssl_context(spec):
    """The SSLContext a client verifies https servers with: the spec's ca_file
    (TEMPLATE.md) when it has one, else None (the library's default trust)."""
    return ssl.create_default_context(cafile=spec["ca_file"]) if spec.get("ca_file") else None


def spec_headers(spec):
    """Caller headers as an ordered list; form=simple adds the form content type."""
    headers = [list(h) for h in spec.get("headers") or []]
    if spec.get("form") == "simple" and spec.get("body") is not None:
        if not any(n.lower() == "content-type" for n, _ in headers):
            headers.append(["Content-Type", "application/x-www-form-urlencoded"])
    return headers


def _chain(exc):
    """The exception, its causes, contexts and exception-valued args, once each."""
    seen, todo = [], [exc]
    while todo:
        e = todo.pop(0)
        if e is None or any(e is s for s in seen) or len(seen) > 20:
            continue
        seen.append(e)
        todo += [e.__cause__, e.__context__]
        todo += [a for a in getattr(e, "args", ()) if isinstance(a, BaseException)]
        todo += [getattr(e, "reason", None)] if isinstance(getattr(e, "reason", None), BaseException) else []
    return seen


def classify(exc, extra=None):
    """Map an exception to a shared error class; `extra(e)` may decide first."""
    chain = _chain(exc)
    for e in chain:
        if isinstance(e, ClassifiedError):
            return e.cls
    # the root cause wins over library wrappers (urllib3's NewConnectionError
    # subclasses ConnectTimeoutError even when DNS failed)
    for e in chain:
        if isinstance(e, socket.gaierror):
            return "dns"
    for e in chain:
        if isinstance(e, ConnectionRefusedError) or getattr(e, "errno", None) == errno.ECONNREFUSED:
            return "connect"
    if extra:
        for e in chain:
            cls = extra(e)
            if cls:
                return cls
    text = " ".join(f"{type(e).__name__}: {e}" for e in chain).lower()
    for e in chain:
        if isinstance(e, (socket.timeout, TimeoutError)):
            return "timeout"
    for e in chain:  # an EOF without close_notify is a cut stream; any other TLS failure is the handshake's
        if isinstance(e, ssl.SSLEOFError) or isinstance(e, ssl.SSLError) and "UNEXPECTED_EOF" in str(e):
            return "closed"
        if isinstance(e, ssl.SSLError):
            return "tls"
    for e in chain:
        if isinstance(e, http.client.LineTooLong):
            return "limit"
        if isinstance(e, (http.client.IncompleteRead, http.client.RemoteDisconnected,
                          ConnectionResetError, BrokenPipeError, ConnectionAbortedError)):
            return "closed"
        if isinstance(e, http.client.HTTPException):
            return "protocol"
    if "name or service not known" in text or "nodename nor servname" in text or "name resolution" in text:
        return "dns"
    if "connection refused" in text or "tunnel connection failed" in text:
        return "connect"  # http.client's words for a non-2xx answer to CONNECT
    if "timed out" in text or "timeout" in text:
        return "timeout"
    if "too many redirects" in text or "exceeded" in text and "redirect" in text:
        return "too_many_redirects"
    if "got more than" in text or "too long" in text or "too many headers" in text or "too large" in text:
        return "limit"
    if "certificate verify failed" in text or "hostname mismatch" in text or "sslerror" in text:
        return "tls"
    if "incomplete" in text or "connection closed" in text or "remotedisconnected" in text or "reset by peer" in text:
        return "closed"
    if isinstance(exc, (ValueError, TypeError)) and not isinstance(exc, ssl.SSLError):
        return "invalid_request"
    return "unclassified"  # TEMPLATE.md: what nothing recognises is named so, never guessed


def _result(impl, fn):
    try:
        r = fn()
    except Exception as exc:  # the library's failure is the adapter's data
        message = " <- ".join(f"{type(e).__name__}: {e}" for e in _chain(exc))[:2000]
        return {"outcome": "error", "error": {"class": classify(exc, impl.get("classify")), "message": message},
                "implementation": impl["id"]}
    out = {"outcome": "response", "status": r.status, "reason": r.reason, "version": r.version,
           "headers": r.headers, "body": base64.b64encode(r.body or b"").decode("ascii"),
           "implementation": impl["id"]}
    if r.trailers is not None:
        out["trailers"] = r.trailers
    return out


def _check_spec(spec):
    if not isinstance(spec, dict) or not isinstance(spec.get("url"), str):
        raise ValueError("spec must be an object with a string url")
    return spec


def _serve_one(impl, client_factory, spec):
    """One spec on a new Client: its result, `then` results included."""
    client = client_factory()
    result = _result(impl, lambda: client.request(spec))
    follow = []
    for sub in spec.get("then") or []:
        merged = dict(sub)
        merged.setdefault("timeout_s", spec.get("timeout_s"))
        follow.append(_result(impl, lambda s=merged: client.request(s)))
    if spec.get("then"):
        result["then"] = follow
    close = getattr(client, "close", None)
    if close:
        try:
            close()
        except Exception:
            pass
    return result


def _serve(impl, client_factory, serve_start=None):
    """--serve: a spec per line until EOF. stdout carries answers only: anything
    a library prints goes to stderr. A line that is no spec gets an error answer
    (class other) and serving goes on; a bug in the adapter itself exits 3, and
    the runner fails the case in flight and starts a fresh process. With
    serve_start, it runs first and {"ready": true} is the first line (exit 3 if it fails)."""
    out = sys.stdout
    sys.stdout = sys.stderr
    if serve_start:
        try:
            serve_start()
        except Exception:
            traceback.print_exc()
            return 3
        out.write(json.dumps({"ready": True}) + "\n")
        out.flush()
    for line in sys.stdin.buffer:
        if not line.strip():
            continue
        seq = None
        try:
            spec = json.loads(line)
            seq = spec.get("serve_seq") if isinstance(spec, dict) else None
            _check_spec(spec)
        except Exception as exc:
            result = {"outcome": "error", "error": {"class": "other", "message": f"bad request spec: {exc}"[:500]},
                      "implementation": impl["id"]}
        else:
            try:
                result = _serve_one(impl, client_factory, spec)
            except Exception:
                traceback.print_exc()
                return 3
        if seq is not None:
            result["serve_seq"] = seq
        out.write(json.dumps(result) + "\n")
        out.flush()
    return 0


def main(name, version, capabilities, client_factory, classify_extra=None, serve_start=None):
    impl = {"id": {"name": name, "version": version}, "classify": classify_extra}
    if "--describe" in sys.argv[1:]:
        caps = list(capabilities) + (["serve"] if "serve" not in capabilities else [])
        if serve_start and "serve-ready" not in caps:
            caps.append("serve-ready")
        json.dump({"name": name, "version": version, "capabilities": caps}, sys.stdout)
        sys.stdout.write("\n")
        return 0
    if "--serve" in sys.argv[1:]:
        return _serve(impl, client_factory, serve_start)
    try:
        spec = _check_spec(json.load(sys.stdin))
    except Exception as exc:
        print(f"{name} adapter: bad request spec: {exc}", file=sys.stderr)
        return 2
    try:
        result = _serve_one(impl, client_factory, spec)
    except Exception:
        traceback.print_exc()
        return 3
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    return 0
