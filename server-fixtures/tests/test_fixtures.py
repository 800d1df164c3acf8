"""Self-tests of the fixture servers, driven by raw sockets and http.client."""
import http.client
import os
import socket
import subprocess
import sys
import threading
import time

import pytest

from server_fixtures import HarnessError, Scenario, ScenarioError, load_scenario, serve
from server_fixtures.scenario import validate

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def make(servers, request=None, sid="T-1"):
    data = {"id": sid, "title": "t", "refs": [{"rfc": "9112", "section": "1", "level": "MUST", "quote": "q"}],
            "request": request or {"path": "/"}, "servers": servers,
            "expect": {"outcomes": [{"grade": "pass", "status": 200}]}}
    validate(f"/x/{sid}.toml", data)
    return Scenario(f"/x/{sid}.toml", data)


def raw_get(url_base, path="/", extra=b"", read=True, timeout=5):
    host, port = url_base.split("//")[1].rsplit(":", 1)
    s = socket.create_connection((host.strip("[]"), int(port)), timeout=timeout)
    s.sendall(b"GET " + path.encode() + b" HTTP/1.1\r\nHost: x\r\n\r\n" + extra)
    if not read:
        return s
    out = b""
    try:
        while True:
            d = s.recv(65536)
            if not d:
                break
            out += d
    finally:
        s.close()
    return out


def one(steps):
    return {"origin": {"connections": [[{"expect_request": {"method": "GET"}}] + steps]}}


def test_send_and_record_byte_exact():
    sc = make(one([{"send": "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"}, {"close": True}]))
    with serve(sc) as run:
        got = raw_get(run.base("origin"), "/a?b")
        run.wait()
    t = run.transcript()
    assert got == b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
    c = t.connections("origin")[0]
    assert bytes(c.sent) == b"GET /a?b HTTP/1.1\r\nHost: x\r\n\r\n"
    assert t.requests("origin")[0].target == "/a?b" and not t.violations and not t.harness_errors


def test_send_head_and_escapes():
    sc = make(one([{"send_head": "HTTP/1.1 200 OK\nX-A: {{x:41}}\n", "body": "{{x:00}}z"}, {"close": True}]))
    with serve(sc) as run:
        assert raw_get(run.base("origin")) == b"HTTP/1.1 200 OK\r\nX-A: A\r\n\r\n\x00z"


def test_pieces_arrive_one_byte_at_a_time():
    sc = make(one([{"send_in_pieces": "abcdef", "size": 1, "delay_ms": 20}, {"close": True}]))
    with serve(sc) as run:
        s = raw_get(run.base("origin"), read=False)
        first = s.recv(100)
        s.close()
    assert first == b"a"


def test_repeat_and_generated_chunked():
    sc = make(one([{"send_repeat": "ab", "count": 50000}, {"send_chunked_body": {"size": 100000, "chunk": 4096}},
                   {"close": True}]))
    with serve(sc) as run:
        got = raw_get(run.base("origin"))
    assert got.startswith(b"ab" * 50000) and got.endswith(b"0\r\n\r\n") and got.count(b"x") == 100000


def test_reset_close_and_half_close_as_seen_by_the_client():
    for step, expect in (({"reset": True}, "reset"), ({"close": True}, "eof"), ({"shutdown_write": True}, "eof")):
        sc = make(one([{"send": "x"}, step, {"pause": 0.3}]))
        with serve(sc) as run:
            s = raw_get(run.base("origin"), read=False)
            time.sleep(0.1)
            try:
                data = s.recv(10)
                while data and data != b"":
                    more = s.recv(10)
                    if not more:
                        break
                seen = "eof"
            except ConnectionResetError:
                seen = "reset"
            s.close()
        assert seen == expect, step


def test_hang_and_drain_record_what_the_client_sends():
    sc = make(one([{"drain": 0.5}]))
    with serve(sc) as run:
        s = raw_get(run.base("origin"), read=False)
        s.sendall(b"extra bytes")
        time.sleep(0.2)
        s.close()
        run.wait()
    c = run.transcript().connections("origin")[0]
    assert bytes(c.sent).endswith(b"extra bytes") and c.client_closed


def test_placeholder_points_across_servers():
    sc = make({"origin": {"connections": [[{"expect_request": {}}, {"send": "HTTP/1.1 302 F\r\nLocation: {other}/y\r\n"
                                                                      "Content-Length: 0\r\n\r\n"}, {"close": True}]]},
               "other": {"connections": []}})
    with serve(sc) as run:
        got = raw_get(run.base("origin"))
        assert f"Location: {run.base('other')}/y".encode() in got and run.base("other").startswith("http://127.0.0.2:")


def test_failed_expectation_is_a_violation_not_an_exception():
    sc = {"origin": {"connections": [[{"expect_request": {"method": "POST", "has": ["authorization"]}}, {"close": True}]]}}
    with serve(make(sc)) as run:
        raw_get(run.base("origin"))
        run.wait()
    v = run.transcript().violations
    assert any("method 'GET'" in m for _, _, m in v) and any("no authorization" in m for _, _, m in v)


def test_malformed_request_is_a_violation():
    with serve(make(one([{"send": "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"}]))) as run:
        host, port = run.base("origin")[7:].split(":")
        s = socket.create_connection((host, int(port)))
        s.sendall(b"GET / HTTP/1.1\nHost: x\n\n")
        time.sleep(0.2)
        s.close()
        run.wait()
    assert any("bare LF" in m for _, _, m in run.transcript().violations)


def test_unexpected_connection_is_recorded():
    with serve(make(one([{"send": "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"}, {"close": True}]))) as run:
        raw_get(run.base("origin"))
        raw_get(run.base("origin"))
        run.wait()
    assert any("unexpected connection" in m for _, _, m in run.transcript().violations)


def test_fixture_exception_is_a_harness_error_raised_by_check():
    data = make(one([{"close": True}])).data
    data["servers"]["origin"]["connections"][0].insert(1, {"bogus": 1})  # bypasses validation on purpose
    with serve(Scenario("/x/T-1.toml", data)) as run:
        raw_get(run.base("origin"))
        run.wait()
        with pytest.raises(HarnessError, match="T-1"):
            run.check()


def test_validation_errors_name_file_field_and_expectation(tmp_path):
    p = tmp_path / "BAD-1.toml"
    p.write_text('id = "BAD-1"\ntitle = "t"\n[[refs]]\nrfc = "9112"\nsection = "1"\nlevel = "MUST"\nquote = "q"\n'
                 '[servers.origin]\nconnections = [[ { send_in_pieces = "x", size = 0 } ]]\n'
                 '[[expect.outcomes]]\ngrade = "pass"\nstatus = 200\n')
    with pytest.raises(ScenarioError) as e:
        load_scenario(str(p))
    assert "BAD-1.toml" in str(e.value) and "servers.origin.connections[0][0].size" in str(e.value)
    assert ">= 1" in str(e.value)


def test_variants_split_and_bytewise_deliver_the_same_bytes():
    sc = make(one([{"send": "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"}, {"close": True}]), sid="VAR-1")
    outs = []
    for v in (None, "bytewise", "split"):
        with serve(sc, v) as run:
            outs.append(raw_get(run.base("origin")))
    assert outs[0] == outs[1] == outs[2]


def test_against_stdlib_http_client():
    sc = make(one([{"send": "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"},
                   {"close": True}]))
    with serve(sc) as run:
        host, port = run.base("origin")[7:].split(":")
        c = http.client.HTTPConnection(host, int(port), timeout=5)
        c.request("GET", "/std")
        r = c.getresponse()
        assert r.status == 200 and r.read() == b"hello"
        c.close()
        run.wait()
    req = run.transcript().requests("origin")[0]
    assert req.target == "/std" and req.get("Host")


def test_200_runs_in_parallel_without_port_clash():
    sc = make(one([{"send": "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"}, {"close": True}]))
    errors = []

    def worker():
        try:
            with serve(sc) as run:
                if raw_get(run.base("origin")) != b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok":
                    errors.append("bad reply")
        except Exception as e:  # collected and asserted below
            errors.append(repr(e))
    threads = [threading.Thread(target=worker) for _ in range(200)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors[:3]


def test_standalone_cli_serves_and_reports(tmp_path):
    p = subprocess.Popen([sys.executable, "-m", "server_fixtures", "serve", os.path.join(HERE, "data", "basic.toml")],
                         cwd=ROOT, stdout=subprocess.PIPE, text=True)
    line = p.stdout.readline().split()
    assert line[0] == "origin" and line[1].startswith("http://127.0.0.1:")
    p.stdout.readline()  # the "other" server
    got = raw_get(line[1], "/x")
    out, _ = p.communicate(timeout=20)
    assert p.returncode == 0 and b"ok" in got and "GET /x HTTP/1.1" in out


def test_cli_validate_reports_bad_files(tmp_path):
    (tmp_path / "X-1.toml").write_text('id = "Y"\n')
    p = subprocess.run([sys.executable, "-m", "server_fixtures", "validate", str(tmp_path)], cwd=ROOT,
                       capture_output=True, text=True)
    assert p.returncode == 1 and "X-1.toml" in p.stderr
