"""Self-tests of the TLS fixtures, the CONNECT tunnel step and branching scripts,
driven by Python's ssl and raw sockets."""
import socket
import ssl
import time

import pytest

from server_fixtures import serve, tls
from server_fixtures.scenario import ScenarioError

from test_fixtures import make

OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"


def _addr(base):
    host, port = base.split("//")[1].rsplit(":", 1)
    return host.strip("[]"), int(port)


def tls_get(base, ctx=None, server_hostname=None, path="/"):
    """GET over TLS; returns (bytes read, how the stream ended: 'notify' or 'eof')."""
    host, port = _addr(base)
    ctx = ctx or tls.client_context()
    ctx.options &= ~ssl.OP_IGNORE_UNEXPECTED_EOF  # Python's default hides a missing close_notify
    raw = socket.create_connection((host, port), timeout=5)
    s = ctx.wrap_socket(raw, server_hostname=server_hostname or host, suppress_ragged_eofs=False)
    s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    out, end = b"", None
    try:
        while True:
            d = s.recv(65536)
            if not d:
                end = "notify"  # a clean TLS EOF: the peer's close_notify
                break
            out += d
    except ssl.SSLError as e:  # OpenSSL 3 says UNEXPECTED_EOF_WHILE_READING: TCP FIN without close_notify
        if "EOF" not in str(e):
            raise
        end = "eof"
    finally:
        s.close()
    return out, end


def test_tls_server_uses_https_and_a_per_run_ca():
    sc = make({"origin": {"tls": True, "connections": [[{"expect_request": {"method": "GET"}}, {"send": OK},
                                                        {"close": True}]]}})
    with serve(sc) as run:
        assert run.base("origin").startswith("https://127.0.0.1:")
        got, end = tls_get(run.base("origin"), server_hostname="localhost")
        run.wait()
    assert got == OK.encode() and end == "notify"
    c = run.transcript().connections("origin")[0]
    assert c.tls["version"].startswith("TLSv1.") and c.tls["sni"] == "localhost"
    assert run.ca_file == tls.ca_file() and open(run.ca_file).read().startswith("-----BEGIN CERTIFICATE-----")
    assert not run.transcript().violations


def test_close_without_close_notify_is_a_truncation():
    sc = make({"origin": {"tls": True, "connections": [[{"expect_request": {}}, {"send": OK},
                                                        {"close": True, "close_notify": False}]]}})
    with serve(sc) as run:
        got, end = tls_get(run.base("origin"))
    assert got == OK.encode() and end == "eof"


@pytest.mark.parametrize("cert,why", [("wrong-name", "match"), ("untrusted", "verify failed")])
def test_bad_certificates_fail_verification_and_are_recorded(cert, why):
    sc = make({"origin": {"tls": True, "cert": cert, "connections": [[{"expect_request": {}}, {"send": OK}]]}})
    with serve(sc) as run:
        with pytest.raises(ssl.SSLCertVerificationError, match=why):
            tls_get(run.base("origin"))
        run.wait()
    c = run.transcript().connections("origin")[0]
    assert "error" in c.tls and not c.requests


def test_tls_and_cert_keys_are_validated():
    with pytest.raises(ScenarioError, match="cert"):
        make({"origin": {"cert": "good", "connections": []}})
    with pytest.raises(ScenarioError, match="cert"):
        make({"origin": {"tls": True, "cert": "self-signed", "connections": []}})


def _branching(steps_after=()):
    return {"origin": {"connections": [[{"expect_request": {"method": "GET"}}, {"branch": [
        {"name": "pre-emptive", "when": {"scheme": {"authorization": "basic"}}, "steps": [{"send": OK}]},
        {"name": "challenge-first", "when": {"lacks": ["authorization"]},
         "steps": [{"send": "HTTP/1.1 401 A\r\nWWW-Authenticate: Basic realm=\"r\"\r\nContent-Length: 0\r\n\r\n"}]},
    ]}, *steps_after, {"close": True}]]}}


@pytest.mark.parametrize("extra,branch,status", [(b"", "challenge-first", b"401"),
                                                 (b"Authorization: BASIC dTpw\r\n", "pre-emptive", b"200")])
def test_branch_picks_the_reply_by_the_request(extra, branch, status):
    with serve(make(_branching())) as run:
        s = socket.create_connection(_addr(run.base("origin")), timeout=5)
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n" + extra + b"\r\n")
        got = s.recv(4096)
        s.close()
        run.wait()
    c = run.transcript().connections("origin")[0]
    assert got.split(b" ")[1] == status and c.branches == [branch] and not run.transcript().violations


def test_no_matching_branch_is_a_violation():
    with serve(make(_branching())) as run:
        s = socket.create_connection(_addr(run.base("origin")), timeout=5)
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nAuthorization: Digest x\r\n\r\n")
        time.sleep(0.2)
        s.close()
        run.wait()
    assert any("matches none" in m for _, _, m in run.transcript().violations)


def test_branch_default_choice_must_be_last():
    with pytest.raises(ScenarioError, match="only the last"):
        make({"origin": {"connections": [[{"expect_request": {}}, {"branch": [{"steps": []},
                                                                             {"when": {}, "steps": []}]}]]}})


def _connect_scenario(origin_tls, after_2xx=""):
    return make({
        "proxy": {"connections": [[{"expect_request": {"method": "CONNECT", "target": "{origin_authority}"}},
                                   {"send": "HTTP/1.1 200 Connection established\r\n\r\n" + after_2xx},
                                   {"tunnel": "origin"}]]},
        "origin": {"tls": origin_tls, "connections": [[{"expect_request": {"method": "GET", "target": "/t"}},
                                                       {"send": OK}, {"close": True}]]}})


def _connect(run):
    s = socket.create_connection(_addr(run.base("proxy")), timeout=5)
    auth = run.placeholders["origin_authority"]
    s.sendall(f"CONNECT {auth} HTTP/1.1\r\nHost: {auth}\r\n\r\n".encode())
    head = b""
    while b"\r\n\r\n" not in head:
        head += s.recv(1)
    return s, head


def test_connect_tunnels_tls_to_the_named_origin():
    with serve(_connect_scenario(True)) as run:
        s, head = _connect(run)
        assert head.startswith(b"HTTP/1.1 200")
        t = tls.client_context().wrap_socket(s, server_hostname="127.0.0.1")
        t.sendall(b"GET /t HTTP/1.1\r\nHost: x\r\n\r\n")
        got = b""
        while True:
            d = t.recv(4096)
            if not d:
                break
            got += d
        t.close()
        run.wait()
    tr = run.transcript()
    p = tr.connections("proxy")[0]
    assert got == OK.encode() and not tr.violations
    assert p.tunnelled["to"] == "origin" and p.tunnelled["server_to_client"] > len(OK)
    assert tr.requests("origin")[0].target == "/t"


def test_bytes_after_the_2xx_reach_the_client_before_the_tunnel():
    with serve(_connect_scenario(False, after_2xx="junk")) as run:
        s, head = _connect(run)
        s.sendall(b"GET /t HTTP/1.1\r\nHost: x\r\n\r\n")
        got = b""
        while True:
            d = s.recv(4096)
            if not d:
                break
            got += d
        s.close()
        run.wait()
    assert got == b"junk" + OK.encode()


def test_tunnel_must_name_a_server():
    with pytest.raises(ScenarioError, match="names no server"):
        make({"proxy": {"connections": [[{"expect_request": {}}, {"tunnel": "nowhere"}]]}})


def test_branch_to_a_named_script():
    sc = make({"origin": {"scripts": {"ok": [{"send": OK}]}, "connections": [[
        {"expect_request": {}}, {"branch": [{"when": {"method": "GET"}, "steps": "ok"}]}, {"close": True}]]}})
    with serve(sc, "bytewise") as run:
        s = socket.create_connection(_addr(run.base("origin")), timeout=5)
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        got = b""
        while True:
            d = s.recv(4096)
            if not d:
                break
            got += d
        s.close()
        run.wait()
    assert got == OK.encode() and not run.transcript().violations
    with pytest.raises(ScenarioError, match="names no script"):
        make({"origin": {"connections": [[{"expect_request": {}}, {"branch": [{"steps": "nope"}]}]]}})
