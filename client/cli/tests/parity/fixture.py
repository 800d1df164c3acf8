"""The parity fixture: one deterministic HTTP/1.1 origin (stdlib, loopback) that curl and
httpref both talk to. Routes answer the same bytes to both (no Date, no Server field), so
stdout and written files can be compared byte for byte. /echo answers what the request
carried, leaving out the fields where the two clients differ by design (User-Agent's
default value, Connection, TE, Host)."""
import gzip
import http.server
import json
import threading
import time
import zlib

TEXT = b"hello parity\n"
BIG = b"".join(b"line %05d of the fixture body\n" % i for i in range(4000))
LOCK = threading.Lock()
COUNTS = {}
SKIP = {"host", "connection", "te", "content-length", "transfer-encoding", "expect"}


def multipart(ctype, body):
    """The parts of a multipart/form-data body as JSON: headers and content of each, in order."""
    boundary = ctype.split("boundary=")[1].encode()
    chunks = body.split(b"--" + boundary)
    if chunks[-1] != b"--\r\n" or chunks[0] != b"":
        return b"malformed multipart: " + body[:200]
    parts = []
    for c in chunks[1:-1]:
        head, _, content = c[2:-2].partition(b"\r\n\r\n")
        parts.append({"head": head.decode("latin-1").split("\r\n"), "content": content.decode("latin-1")})
    return json.dumps(parts).encode()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def handle(self):
        try:
            super().handle()
        except (BrokenPipeError, ConnectionResetError):
            pass  # a client that stopped reading (-f, -m): nothing to answer

    def reply(self, status, body=b"", fields=(), reason=None, chunked=False):
        self.send_response_only(status, reason)
        self.send_header("X-Fixture", "parity")
        for k, v in fields:
            self.send_header(k, v)
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command == "HEAD":
            return
        if chunked:
            for i in range(0, len(body), 1000):
                part = body[i:i + 1000]
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.wfile.write(body)

    def body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                n = int(self.rfile.readline().split(b";")[0], 16)
                if n == 0:
                    self.rfile.readline()
                    return data
                data += self.rfile.read(n)
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length", 0)))

    def echo(self):
        fields = {}
        for k, v in self.headers.items():
            k = k.lower()
            if k in SKIP or (k == "user-agent" and v.startswith(("curl/", "httpref/"))):
                continue
            fields.setdefault(k, []).append(v)
        body = self.body()
        ctype = self.headers.get("Content-Type", "")
        if ctype.startswith("multipart/form-data"):  # the boundary is random: compare the parts
            body = multipart(ctype, body)
            fields["content-type"] = ["multipart/form-data"]
        d = {"method": self.command, "target": self.path, "version": self.request_version,
             "fields": dict(sorted(fields.items())), "body": body.decode("latin-1")}
        self.reply(200, json.dumps(d, sort_keys=True).encode() + b"\n", [("Content-Type", "application/json")])

    def route(self):
        p = self.path.split("?")[0]
        if not p.startswith(("/echo", "/put/")):
            self.body()  # read, so a kept connection stays in step
        if p == "/text" or p.endswith(".txt"):
            rng = self.headers.get("Range")
            if rng and rng.startswith("bytes=") and "," not in rng:
                a, b = rng[6:].split("-")
                a, b = int(a), min(int(b or len(TEXT) - 1), len(TEXT) - 1)
                if a >= len(TEXT):
                    return self.reply(416, b"", [("Content-Range", f"bytes */{len(TEXT)}")])
                return self.reply(206, TEXT[a:b + 1], [("Content-Type", "text/plain"),
                                                        ("Content-Range", f"bytes {a}-{b}/{len(TEXT)}")])
            return self.reply(200, TEXT, [("Content-Type", "text/plain")])
        if p == "/empty":
            return self.reply(200)
        if p == "/big":
            return self.reply(200, BIG, [("Content-Type", "text/plain")])
        if p == "/chunked":
            return self.reply(200, BIG, [("Content-Type", "text/plain")], chunked=True)
        if p.startswith("/echo") or p.startswith("/put/"):
            return self.echo()
        if p.startswith("/status/"):
            st = int(p.split("/")[2])
            return self.reply(st, b"the error page for %d\n" % st, [("Content-Type", "text/plain")])
        if p.startswith("/redir/"):
            n = int(p.split("/")[2])
            to = f"/redir/{n - 1}" if n > 1 else "/text"
            return self.reply(302, b"moved\n", [("Location", to)])
        if p.startswith("/code/"):  # /code/307/echo: that status, Location the rest
            parts = p.split("/")
            return self.reply(int(parts[2]), b"moved\n", [("Location", "/" + "/".join(parts[3:]))])
        if p == "/gzip":
            return self.reply(200, gzip.compress(BIG, mtime=0), [("Content-Encoding", "gzip")])
        if p == "/deflate":
            return self.reply(200, zlib.compress(BIG), [("Content-Encoding", "deflate")])
        if p == "/gzip-truncated":
            g = gzip.compress(BIG, mtime=0)
            return self.reply(200, g[:len(g) // 2], [("Content-Encoding", "gzip")])
        if p.startswith("/flaky/"):  # /flaky/N/KEY: 503 (Retry-After: 1) N times per client, then 200
            n, key = int(p.split("/")[2]), (p, self.headers.get("User-Agent", "").split("/")[0])
            with LOCK:
                seen = COUNTS[key] = COUNTS.get(key, 0) + 1
            if seen <= n:
                return self.reply(503, b"busy\n", [("Retry-After", "1")])
            return self.reply(200, TEXT)
        if p == "/setcookie":
            return self.reply(200, b"cookies set\n", [("Set-Cookie", "a=1; Path=/"), ("Set-Cookie", "b=2; HttpOnly"),
                                                     ("Set-Cookie", "c=3; Path=/echo; Expires=Wed, 01 Jan 2031 00:00:00 GMT"),
                                                     ("Set-Cookie", "d=4; Domain=elsewhere.test")])
        if p == "/slow":
            time.sleep(3)
            return self.reply(200, TEXT)
        if p == "/auth":
            if self.headers.get("Authorization") == "Basic dXNlcjpwYXNz":
                return self.reply(200, b"welcome\n")
            return self.reply(401, b"who are you\n", [("WWW-Authenticate", 'Basic realm="parity"')])
        return self.reply(404, b"no such route\n")

    def do_GET(self):
        self.route()

    do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = do_GET


class Fixture:
    def __init__(self):
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.t = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
        self.t.start()

    def url(self, path=""):
        return f"http://127.0.0.1:{self.port}{path}"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
