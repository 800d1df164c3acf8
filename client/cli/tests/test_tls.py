"""https in the httpref CLI against loopback TLS servers written here (Python's ssl), with a
throw-away CA made by the openssl CLI in a temporary directory: nothing committed, every wait
bounded. Also the CONNECT tunnel through a small recording proxy, and --anyauth (Digest) over plain http."""
import os
import socket
import ssl
import subprocess
import threading

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
BIN = os.environ.get("HTTPREF_BIN", os.path.join(ROOT, "build", "bin", "httpref"))


def _has_tls():
    out = subprocess.run([BIN, "--version"], capture_output=True, text=True, timeout=10).stdout
    return "TLS (OpenSSL)" in out


pytestmark = pytest.mark.skipif(not _has_tls(), reason="httpref built without TLS (HTTPREF_TLS=OFF)")


def _openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    """ca.pem (trusted), srv.pem (localhost + 127.0.0.1), wrong.pem (other.example), self.pem (no CA)."""
    d = tmp_path_factory.mktemp("pki")
    ca = ["-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign"]
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
             "-subj", "/CN=httpref throw-away CA", *ca, cwd=d)
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "srv.key", "-out", "srv.csr", "-subj",
             "/CN=localhost", cwd=d)
    for name, san in (("srv", "DNS:localhost,IP:127.0.0.1"), ("wrong", "DNS:other.example")):
        (d / f"{name}.ext").write_text(f"subjectAltName={san}\n")
        _openssl("x509", "-req", "-in", "srv.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out",
                 f"{name}.pem", "-days", "2", "-extfile", f"{name}.ext", cwd=d)
    _openssl("req", "-x509", "-key", "srv.key", "-out", "self.pem", "-days", "2", "-subj", "/CN=localhost",
             "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", cwd=d)
    return d


def _read_head(c):
    data = b""
    while b"\r\n\r\n" not in data:
        d = c.recv(65536)
        if not d:
            break
        data += d
    return data


class TlsServer:
    """One reply per connection over TLS. end: "notify" (close_notify, then close) or "bare" (TCP close)."""

    def __init__(self, pki, replies, cert="srv.pem", end="notify"):
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.load_cert_chain(str(pki / cert), str(pki / "srv.key"))
        self.replies, self.end, self.requests, self.errors = list(replies), end, [], []
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.t = threading.Thread(target=self._run, daemon=True)
        self.t.start()

    def _run(self):
        self.sock.settimeout(10)
        for reply in self.replies:
            try:
                raw, _ = self.sock.accept()
            except OSError:
                return
            raw.settimeout(5)
            try:
                c = self.ctx.wrap_socket(raw, server_side=True)
                self.requests.append(_read_head(c))
                c.sendall(reply)
                if self.end == "notify":
                    c.unwrap()
                else:
                    c.shutdown(socket.SHUT_RDWR)
                c.close()
            except (OSError, ssl.SSLError) as e:
                self.errors.append(str(e))
                raw.close()


class ConnectProxy:
    """Answers CONNECT with `reply` and, for a 2xx, relays bytes both ways to the origin; records heads."""

    def __init__(self, origin_port, reply=b"HTTP/1.1 200 Connection established\r\n\r\n"):
        self.origin_port, self.reply, self.heads = origin_port, reply, []
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        self.sock.settimeout(10)
        try:
            c, _ = self.sock.accept()
        except OSError:
            return
        c.settimeout(5)
        self.heads.append(_read_head(c))
        c.sendall(self.reply)
        if self.reply.endswith(b"garbage"):  # hold the line open: only those bytes can end the handshake
            try:
                c.recv(65536)
            except OSError:
                pass
        if not self.reply.startswith((b"HTTP/1.1 2", b"HTTP/1.0 2")) or self.reply.endswith(b"garbage"):
            c.close()
            return
        o = socket.create_connection(("127.0.0.1", self.origin_port), timeout=5)

        def pump(a, b):
            try:
                while True:
                    d = a.recv(65536)
                    if not d:
                        break
                    b.sendall(d)
                b.shutdown(socket.SHUT_WR)
            except OSError:
                pass

        t = threading.Thread(target=pump, args=(o, c), daemon=True)
        t.start()
        pump(c, o)
        t.join(10)
        c.close()
        o.close()


def run(*args):
    return subprocess.run([BIN, *args], capture_output=True, timeout=60)


OK = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"


def test_https_with_the_ca_verifies_name_and_ip(pki):
    s = TlsServer(pki, [OK, OK])
    for host in ("127.0.0.1", "localhost"):
        p = run("--cacert", str(pki / "ca.pem"), f"https://{host}:{s.port}/x")
        assert p.returncode == 0 and p.stdout == b"hello", p.stderr
    assert s.requests[0].startswith(b"GET /x HTTP/1.1\r\nHost: 127.0.0.1:")


def test_untrusted_certificate_is_refused_with_tls_verify(pki):
    s = TlsServer(pki, [OK], cert="self.pem")
    p = run(f"https://127.0.0.1:{s.port}/")
    assert p.returncode == 60 and b"not trusted" in p.stderr and p.stdout == b""


def test_wrong_name_is_refused_with_tls_verify(pki):
    s = TlsServer(pki, [OK, OK], cert="wrong.pem")
    for host in ("localhost", "127.0.0.1"):
        p = run("--cacert", str(pki / "ca.pem"), f"https://{host}:{s.port}/")
        assert p.returncode == 60 and b"does not name it" in p.stderr, p.stderr


def test_insecure_skips_the_checks_and_warns(pki):
    s = TlsServer(pki, [OK], cert="self.pem")
    p = run("-k", f"https://127.0.0.1:{s.port}/")
    assert p.returncode == 0 and p.stdout == b"hello" and b"warning: --insecure" in p.stderr


def test_body_until_close_needs_close_notify(pki):
    """FR-36: read-until-close over TLS ends at close_notify; a bare FIN is a truncation error (61)."""
    until_close = b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nhello"
    s = TlsServer(pki, [until_close])
    p = run("--cacert", str(pki / "ca.pem"), f"https://127.0.0.1:{s.port}/")
    assert p.returncode == 0 and p.stdout == b"hello"
    s = TlsServer(pki, [until_close], end="bare")
    p = run("--cacert", str(pki / "ca.pem"), f"https://127.0.0.1:{s.port}/")
    assert p.returncode == 61 and b"close_notify" in p.stderr


def test_verbose_shows_the_tls_session(pki):
    s = TlsServer(pki, [OK])
    p = run("-v", "--cacert", str(pki / "ca.pem"), f"https://localhost:{s.port}/")
    assert p.returncode == 0 and b"* TLS with localhost: TLSv1." in p.stderr and b"verified" in p.stderr


def test_unreadable_ca_file_is_tls_setup(pki):
    p = run("--cacert", str(pki / "missing.pem"), "https://127.0.0.1:9/")
    assert p.returncode == 62 and b"cannot load the CA" in p.stderr


class PlainServer:
    """One reply per connection over plain TCP; records requests."""

    def __init__(self, replies):
        self.replies, self.requests = list(replies), []
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        self.sock.settimeout(10)
        for reply in self.replies:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            c.settimeout(5)
            try:
                self.requests.append(_read_head(c))
                c.sendall(reply)
            except OSError:
                pass
            c.close()


def _redirect(to):
    return f"HTTP/1.1 302 Found\r\nLocation: {to}\r\nContent-Length: 0\r\n\r\n".encode()


def test_https_to_http_redirect_is_refused_unless_allowed_and_then_without_credentials(pki):
    """SEC-11, AU-23: https -> http is refused (51); allowed by --redirect-downgrade, it carries no credentials."""
    plain = PlainServer([OK])
    s = TlsServer(pki, [_redirect(f"http://127.0.0.1:{plain.port}/p")] * 2)
    ca = str(pki / "ca.pem")
    p = run("--cacert", ca, "-u", "u:pw", "-L", f"https://127.0.0.1:{s.port}/")
    assert p.returncode == 51 and b"in clear" in p.stderr and plain.requests == []
    p = run("--cacert", ca, "-u", "u:pw", "-L", "--redirect-downgrade", "-H", "Cookie: a=1",
            "-H", "Referer: https://x/", f"https://127.0.0.1:{s.port}/")
    assert p.returncode == 0 and p.stdout == b"hello", p.stderr
    assert b"authorization" in s.requests[1].lower()
    got = plain.requests[0].lower()
    assert b"authorization" not in got and b"cookie" not in got and b"referer" not in got


def test_http_to_https_on_the_same_host_drops_url_credentials(pki):
    """The origin includes the scheme: credentials do not follow an upgrade either (RFC 9110 §4.3.1)."""
    s = TlsServer(pki, [OK])
    plain = PlainServer([_redirect(f"https://127.0.0.1:{s.port}/")])
    p = run("--cacert", str(pki / "ca.pem"), "-L", f"http://u:pw@127.0.0.1:{plain.port}/")
    assert p.returncode == 0 and p.stdout == b"hello", p.stderr
    assert b"authorization: basic" in plain.requests[0].lower()
    assert b"authorization" not in s.requests[0].lower()


def test_https_through_a_proxy_tunnels_with_credentials_on_the_connect_only(pki):
    """PX-02, PX-07: CONNECT host:port with Host and Basic Proxy-Authorization; origin-form inside, no proxy field."""
    s = TlsServer(pki, [OK])
    px = ConnectProxy(s.port)
    p = run("-v", "--cacert", str(pki / "ca.pem"), "-x", f"http://pu:pp@127.0.0.1:{px.port}",
            f"https://localhost:{s.port}/in")
    assert p.returncode == 0 and p.stdout == b"hello", p.stderr
    head = px.heads[0]
    assert head.startswith(f"CONNECT localhost:{s.port} HTTP/1.1\r\nHost: localhost:{s.port}\r\n".encode())
    assert b"Proxy-Authorization: Basic cHU6cHA=\r\n" in head
    assert s.requests[0].startswith(b"GET /in HTTP/1.1\r\n") and b"proxy-authorization" not in s.requests[0].lower()


def test_a_refused_connect_is_the_proxy_s_response(pki):
    """PX-04, PX-10: a non-2xx CONNECT reply is read by its framing and handed back; nothing goes to the origin."""
    px = ConnectProxy(9, reply=b"HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 4\r\n\r\nauth")
    p = run("-i", "-x", f"http://127.0.0.1:{px.port}", "https://localhost:9/")
    assert p.returncode == 0 and p.stdout.startswith(b"HTTP/1.1 407") and p.stdout.endswith(b"auth"), p


def test_adapter_takes_the_ca_from_the_spec_and_declares_tls(pki):
    import base64
    import json
    d = json.loads(run("--adapter", "--describe").stdout)
    assert "tls" in d["capabilities"]
    s = TlsServer(pki, [OK, OK])
    spec = {"url": f"https://127.0.0.1:{s.port}/", "ca_file": str(pki / "ca.pem")}
    p = subprocess.run([BIN, "--adapter"], input=json.dumps(spec).encode(), capture_output=True, timeout=60)
    r = json.loads(p.stdout)
    assert r["outcome"] == "response" and base64.b64decode(r["body"]) == b"hello"
    del spec["ca_file"]
    p = subprocess.run([BIN, "--adapter"], input=json.dumps(spec).encode(), capture_output=True, timeout=60)
    r = json.loads(p.stdout)
    assert r["outcome"] == "error" and r["error"]["name"] == "TLS_VERIFY" and r["error"]["class"] == "tls"


def test_a_connect_2xx_has_no_content_and_what_follows_is_tunnel_data(pki):
    """PX-03: a 2xx to CONNECT with Content-Length has no content (RFC 9112 §6.3 rule 2): TLS starts at once.
    PX-06: bytes right after the 2xx head belong to the tunnel: here not TLS, so the handshake fails (59)."""
    s = TlsServer(pki, [OK])
    px = ConnectProxy(s.port, reply=b"HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\n")
    p = run("--cacert", str(pki / "ca.pem"), "-x", f"http://127.0.0.1:{px.port}", f"https://localhost:{s.port}/")
    assert p.returncode == 0 and p.stdout == b"hello", p.stderr
    px = ConnectProxy(9, reply=b"HTTP/1.1 200 Connection established\r\n\r\ngarbage")
    p = run("-m", "4", "-x", f"http://127.0.0.1:{px.port}", "https://localhost:9/")
    assert p.returncode == 59 and b"TLS handshake with localhost failed" in p.stderr, p.stderr


def test_a_silent_handshake_is_bounded_by_the_connect_and_total_deadlines():
    """The TCP connect succeeds, the server never answers the ClientHello: the handshake ends at the
    connect timeout (14, CONNECT_TIMEOUT) or the total deadline (16, DEADLINE), not at the 60 s default."""
    import time
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(4)
    port = ls.getsockname()[1]
    try:
        for flags, code in ((["--connect-timeout", "0.5"], 14), (["-m", "0.5"], 16)):
            t0 = time.monotonic()
            p = run(*flags, f"https://127.0.0.1:{port}/")
            took = time.monotonic() - t0
            assert p.returncode == code and took < 5, (p, took)
    finally:
        ls.close()


class KeepAliveTlsServer(TlsServer):
    """Every request on one TLS connection gets OK; counts connections and requests."""

    def _run(self):
        self.sock.settimeout(10)
        self.conns = 0
        while True:
            try:
                raw, _ = self.sock.accept()
            except OSError:
                return
            self.conns += 1
            raw.settimeout(5)
            try:
                c = self.ctx.wrap_socket(raw, server_side=True)
                while True:
                    head = _read_head(c)
                    if not head:
                        break
                    self.requests.append(head)
                    c.sendall(OK)
            except (OSError, ssl.SSLError):
                pass
            raw.close()


def test_a_then_sequence_reuses_the_tls_connection(pki):
    import json
    s = KeepAliveTlsServer(pki, [])
    url = f"https://127.0.0.1:{s.port}/"
    spec = {"url": url, "ca_file": str(pki / "ca.pem"), "then": [{"url": url, "ca_file": str(pki / "ca.pem")}]}
    p = subprocess.run([BIN, "--adapter"], input=json.dumps(spec).encode(), capture_output=True, timeout=60)
    r = json.loads(p.stdout)
    assert r["outcome"] == "response" and r["then"][0]["outcome"] == "response", r
    assert r["then"][0]["reused_connection"] is True and s.conns == 1 and len(s.requests) == 2


def test_anyauth_answers_a_digest_challenge_and_never_sends_basic_first():
    """--anyauth: no credentials on the first request; the 401's Digest SHA-256 challenge (preferred over MD5
    and Basic) is answered once (RFC 7616), with the request-target as uri and the response the server can check."""
    import hashlib
    import re
    chal = (b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"r\"\r\n"
            b"WWW-Authenticate: Digest realm=\"r\", nonce=\"abc\", qop=\"auth\", algorithm=MD5\r\n"
            b"WWW-Authenticate: Digest realm=\"r\", nonce=\"xyz\", qop=\"auth\", algorithm=SHA-256, opaque=\"o\"\r\n"
            b"Content-Length: 0\r\n\r\n")
    s = PlainServer([chal, OK])
    p = run("--anyauth", "-u", "us er:p@ss", f"http://127.0.0.1:{s.port}/d?x=1")
    assert p.returncode == 0 and p.stdout == b"hello", p.stderr
    assert b"authorization" not in s.requests[0].lower()
    line = re.search(rb"\r\nAuthorization: (Digest [^\r\n]*)", s.requests[1]).group(1).decode()
    f = dict(re.findall(r'(\w+)="?([^",]*)"?', line[7:]))
    assert f["username"] == "us er" and f["uri"] == "/d?x=1" and f["algorithm"] == "SHA-256" and f["opaque"] == "o"

    def h(x):
        return hashlib.sha256(x.encode()).hexdigest()
    want = h(f"{h('us er:r:p@ss')}:xyz:{f['nc']}:{f['cnonce']}:auth:{h('GET:/d?x=1')}")
    assert f["response"] == want and "Basic" not in s.requests[1].decode()


def test_a_reset_under_the_auth_retry_on_a_kept_connection_is_retried_on_a_new_one():
    """The 401 keeps the connection; the server reads the answer and resets it (RST, no byte).
    That is an empty reply on a reused connection, resent once on a new one (RFC 9112 §9.3.1),
    even though the previous hop's 401 is still the stored response (the race CI once hit)."""
    import struct
    chal = b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"r\"\r\nContent-Length: 0\r\n\r\n"
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(4)
    srv.settimeout(10)
    got = []

    def serve():
        c, _ = srv.accept()
        c.settimeout(5)
        got.append(_read_head(c))
        c.sendall(chal)
        got.append(_read_head(c))
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        c.close()  # RST
        c, _ = srv.accept()
        c.settimeout(5)
        got.append(_read_head(c))
        c.sendall(OK)
        c.close()
    t = threading.Thread(target=serve, daemon=True)
    t.start()
    p = run("--anyauth", "-u", "u:pw", f"http://127.0.0.1:{srv.getsockname()[1]}/r")
    t.join(10)
    assert p.returncode == 0 and p.stdout == b"hello", p.stderr
    assert len(got) == 3 and b"authorization: basic" in got[2].lower()
