"""The httpref CLI over real loopback servers (small raw-socket servers
written here, replaying canned bytes and recording what the client sent)."""
import base64
import json
import os
import pty
import select
import socket
import subprocess
import threading

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
BIN = os.environ.get("HTTPREF_BIN", os.path.join(ROOT, "build", "bin", "httpref"))


class Server:
    """Serves `replies` (bytes, or a callable writing to the socket) one per connection; records requests."""

    def __init__(self, *replies):
        self.replies = list(replies)
        self.requests = []
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.t = threading.Thread(target=self._run, daemon=True)
        self.t.start()

    def url(self, path="/"):
        return f"http://127.0.0.1:{self.port}{path}"

    def _run(self):
        self.sock.settimeout(10)
        for reply in self.replies:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            c.settimeout(5)
            data = b""
            while b"\r\n\r\n" not in data:
                d = c.recv(65536)
                if not d:
                    break
                data += d
            head, _, rest = data.partition(b"\r\n\r\n")
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    n = int(line.split(b":")[1])
                    while len(rest) < n:
                        rest += c.recv(65536)
            self.requests.append(head + b"\r\n\r\n" + rest)
            try:
                reply(c) if callable(reply) else c.sendall(reply)
                c.shutdown(socket.SHUT_WR)
                c.recv(1000)
            except OSError:
                pass
            c.close()


def run(*args, stdin=None):
    return subprocess.run([BIN, *args], capture_output=True, input=stdin, timeout=60)


OK = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: 1\r\n\r\nhello"


def test_get_prints_the_body():
    s = Server(OK)
    p = run(s.url("/p?q=1"))
    assert p.returncode == 0 and p.stdout == b"hello"
    assert s.requests[0].startswith(b"GET /p?q=1 HTTP/1.1\r\nHost: 127.0.0.1:")


def test_verbose_trace_on_stderr():
    s = Server(OK)
    p = run("-v", s.url())
    err = p.stderr.decode()
    assert "> GET / HTTP/1.1" in err and "< HTTP/1.1 200 OK" in err and "< X-A: 1" in err


def test_include_and_head_and_dump_header(tmp_path):
    s = Server(OK, b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", OK)
    assert run("-i", s.url()).stdout.startswith(b"HTTP/1.1 200 OK\r\n")
    p = run("-I", s.url())
    assert p.returncode == 0 and b"Content-Length: 5" in p.stdout and s.requests[1].startswith(b"HEAD /")
    p = run("-D", str(tmp_path / "h"), s.url())
    assert (tmp_path / "h").read_bytes().startswith(b"HTTP/1.1 200 OK")


def test_post_data_uses_the_form_content_type():
    s = Server(OK)
    run("-d", "a=1&b=2", s.url())
    r = s.requests[0]
    assert r.startswith(b"POST / ") and b"Content-Type: application/x-www-form-urlencoded" in r
    assert b"Content-Length: 7" in r and r.endswith(b"a=1&b=2")


def test_header_user_agent_and_basic_auth():
    s = Server(OK)
    run("-H", "X-Custom: yes", "-A", "probe/1", "-u", "fulano:silva", s.url())
    r = s.requests[0]
    assert b"X-Custom: yes" in r and b"User-Agent: probe/1" in r and b"Authorization: Basic ZnVsYW5vOnNpbHZh" in r


def test_output_file_and_remote_name(tmp_path):
    s = Server(OK, OK)
    assert run("-o", str(tmp_path / "out"), s.url()).returncode == 0
    assert (tmp_path / "out").read_bytes() == b"hello"
    p = subprocess.run([BIN, "-O", s.url("/file.txt")], cwd=tmp_path, capture_output=True, timeout=30)
    assert p.returncode == 0 and (tmp_path / "file.txt").read_bytes() == b"hello"


def test_follow_redirect_and_fail_flag():
    target = Server(b"HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nno")
    s = Server(f"HTTP/1.1 302 Found\r\nLocation: {target.url('/x')}\r\nContent-Length: 0\r\n\r\n".encode())
    p = run("-L", "-f", s.url())
    assert p.returncode == 100 and b"404" in p.stderr


@pytest.mark.parametrize("reply,code,cls", [
    (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n", 36, "protocol"),
    (b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello", 20, "closed"),
    (b"", 19, "closed"),
    (b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello", 32, "protocol"),
])
def test_exit_status_is_the_error_number(reply, code, cls):
    s = Server(reply)
    p = run(s.url())
    assert p.returncode == code and f"{cls} error".encode() in p.stderr and b"at byte" in p.stderr or reply == b""


def test_exit_codes_for_dns_connect_timeout_and_invalid_request():
    assert run("http://nonexistent.invalid/").returncode == 12
    with socket.socket() as c:
        c.bind(("127.0.0.1", 0))
        port = c.getsockname()[1]
    assert run(f"http://127.0.0.1:{port}/").returncode == 13
    s = Server(lambda c: __import__("time").sleep(3))
    assert run("-m", "1", s.url()).returncode == 16
    assert run("-H", "X-A: a\rb", "http://127.0.0.1:1/").returncode == 7
    assert run("-X", "G ET", "http://127.0.0.1:1/").returncode == 5


@pytest.mark.parametrize("flag,value", [("--max-redirs", "ten"), ("--max-redirs", "-2"), ("--max-redirs", "5x"),
                                        ("--max-time", "0"), ("--max-time", "soon"), ("--connect-timeout", "-2"),
                                        ("--recv-spin", "100001"), ("--recv-spin", "")])
def test_bad_numeric_flag_is_a_usage_error_not_a_default(flag, value):
    p = run(flag, value, "http://127.0.0.1:1/")
    assert p.returncode == 101
    assert flag in p.stderr.decode() and "not" in p.stderr.decode()


def test_recv_spin_off_and_on_give_the_same_body():
    body = bytes(range(256)) * 4096
    reply = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body
    for spin in ("0", "100000"):
        s = Server(reply)
        p = run("-s", "--recv-spin", spin, s.url())
        assert p.returncode == 0 and p.stdout == body


def test_lenient_flag_relaxes_only_its_rule():
    s = Server(b"HTTP/1.1 200 OK\nContent-Length: 2\n\nok", b"HTTP/1.1 200 OK\nContent-Length: 2\n\nok")
    p = run(s.url())
    assert p.returncode == 29 and b"--lenient-bare-lf" in p.stderr
    assert run("--lenient-bare-lf", s.url()).stdout == b"ok"


def test_exit_codes_table_is_generated_from_the_enum():
    out = run("--exit-codes").stdout.decode()
    assert " 36  BAD_CHUNK_SIZE" in out and "100  HTTP_ERROR" in out


def test_adapter_round_trip_response_and_error():
    s = Server(OK)
    spec = {"url": s.url("/a"), "headers": [["X-Q", "1"]], "timeout_s": 5, "then": [{"url": "http://nonexistent.invalid/"}]}
    r = json.loads(run("--adapter", stdin=json.dumps(spec).encode()).stdout)
    assert r["outcome"] == "response" and base64.b64decode(r["body"]) == b"hello" and ["X-A", "1"] in r["headers"]
    assert r["then"][0]["outcome"] == "error" and r["then"][0]["error"]["class"] == "dns"
    assert r["implementation"]["name"] == "httpref"


def test_adapter_malformed_spec_is_a_clear_error_not_a_crash():
    for bad in (b"", b"{", b"[1,2]", b'{"url": 5}', b"\xff\xfe", b"{" * 100 + b"}" * 100):
        p = run("--adapter", stdin=bad)
        assert p.returncode != 0 or b'"error"' in p.stdout
        assert p.returncode in (0, 2) and (p.returncode == 0 or b"malformed request spec" in p.stderr)


def test_describe_lists_capabilities():
    d = json.loads(run("--adapter", "--describe").stdout)
    assert d["name"] == "httpref" and "sequence" in d["capabilities"] and "serve" in d["capabilities"]


def test_adapter_serve_answers_each_line_in_order_on_a_fresh_handle():
    """--serve: one answer line per spec line, serve_seq echoed, a bad line answered
    (class other) without ending the process, blank lines skipped, exit 0 at EOF.
    Keep-alive is on within a spec, yet the second spec opens its own connection."""
    s = Server(OK, OK)
    lines = [json.dumps({"url": s.url("/1"), "timeout_s": 5, "serve_seq": 1}), "", "not json",
             json.dumps({"serve_seq": 3}), json.dumps({"url": s.url("/2"), "timeout_s": 5, "serve_seq": 4})]
    p = run("--adapter", "--serve", stdin=("\n".join(lines) + "\n").encode())
    assert p.returncode == 0, p.stderr
    out = [json.loads(x) for x in p.stdout.decode().splitlines()]
    assert [r.get("serve_seq") for r in out] == [1, None, 3, 4]
    assert out[0]["outcome"] == out[3]["outcome"] == "response"
    assert out[1]["error"]["class"] == out[2]["error"]["class"] == "other"
    assert len(s.requests) == 2 and out[3]["reused_connection"] is False


def test_big_download_streams_in_constant_memory():
    size = 256 << 20

    def big(c):
        c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % size)
        block = b"z" * (1 << 20)
        for _ in range(size >> 20):
            c.sendall(block)
    s = Server(big)
    # /usr/bin/time measures the exec'd client, not the forked Python it started as
    p = subprocess.run(["/usr/bin/time", "-f", "%M", BIN, "-s", "-o", "/dev/null", s.url()], capture_output=True,
                       timeout=60)
    assert p.returncode == 0
    rss = int(p.stderr.decode().strip().splitlines()[-1])
    assert rss < 8 * 1024, f"peak RSS {rss} KiB for a {size >> 20} MiB body"


def _progress_output(tty):
    def slow(c):
        c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % (8 << 20))
        for _ in range(8):
            c.sendall(b"p" * (1 << 20))
            __import__("time").sleep(0.15)
    s = Server(slow)
    if not tty:
        return subprocess.run([BIN, "-o", "/dev/null", s.url()], capture_output=True, timeout=30).stderr
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(BIN, [BIN, "-o", "/dev/null", s.url()])
    out = b""
    while True:
        r, _, _ = select.select([fd], [], [], 10)
        if not r:
            break
        try:
            d = os.read(fd, 4096)
        except OSError:
            break
        if not d:
            break
        out += d
    os.waitpid(pid, 0)
    return out


def test_progress_bar_only_on_a_terminal():
    assert b"%" in _progress_output(True) and b"ETA" in _progress_output(True)
    assert _progress_output(False) == b""
