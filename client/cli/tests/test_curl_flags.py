"""The curl user's flags (issues 22 and 26): each with curl's meaning, over loopback servers."""
import subprocess

import pytest

from test_cli import BIN, OK, Server, run


def redirect_to(url, status=302):
    return f"HTTP/1.1 {status} Found\r\nLocation: {url}\r\nContent-Length: 5\r\n\r\nmoved".encode()


def test_no_follow_without_L_shows_the_3xx():
    s = Server(redirect_to("/next"))
    p = run("-i", s.url())
    assert p.returncode == 0 and p.stdout.startswith(b"HTTP/1.1 302") and p.stdout.endswith(b"moved")
    assert len(s.requests) == 1


def test_L_follows_every_method_as_rfc_9110_says():
    s = Server(redirect_to("/a", 307), OK, redirect_to("/b", 303), OK)
    p = run("-L", "-X", "PUT", "-d", "x=1", s.url(), s.url("/again"))
    assert p.returncode == 0 and p.stdout == b"hellohello"
    assert s.requests[1].startswith(b"PUT /a ") and s.requests[1].endswith(b"x=1")  # 307 keeps method and body
    assert s.requests[3].startswith(b"GET /b ")  # 303 becomes GET, without the body's fields (§15.4 item 5)
    assert b"Content-Type" not in s.requests[3] and b"x=1" not in s.requests[3]


def test_max_redirs_as_curl():
    s = Server(redirect_to("/a"))
    assert run("-L", "--max-redirs", "0", s.url()).returncode == 49
    s = Server(redirect_to("/a"), redirect_to("/b"), OK)
    assert run("-L", "--max-redirs", "-1", s.url()).stdout == b"hello"


@pytest.mark.parametrize("args,code,named", [
    (["-A", "ua\r\nX: y"], 7, b"-A refused"),
    (["-u", "a\r\nb:c"], 8, b"-u refused"),
    (["-u", "a:b\x7f"], 8, b"-u refused"),
])
def test_a_refused_value_is_the_error_it_names_never_dropped(args, code, named):
    p = run(*args, "http://127.0.0.1:1/")
    assert p.returncode == code and named in p.stderr


def test_default_fields_are_curls_accept_and_no_te():
    s = Server(OK, OK)
    run(s.url())
    assert b"Accept: */*\r\n" in s.requests[0] and b"TE:" not in s.requests[0]
    run("-H", "Accept: text/plain", "-H", "TE: trailers", s.url())
    assert b"Accept: text/plain\r\n" in s.requests[1] and b"Accept: */*" not in s.requests[1]
    assert b"TE: trailers\r\n" in s.requests[1]


def test_remote_name_on_a_directory_url_says_why(tmp_path):
    p = subprocess.run([BIN, "-O", "http://127.0.0.1:1/dir/"], cwd=tmp_path, capture_output=True, timeout=30)
    assert p.returncode == 101 and b"names no file" in p.stderr and b"-o FILE" in p.stderr


def test_upload_file_puts_it_and_names_a_directory_url(tmp_path):
    f = tmp_path / "up.txt"
    f.write_bytes(b"payload")
    s = Server(OK, OK)
    assert run("-T", str(f), s.url("/dir/")).returncode == 0
    assert s.requests[0].startswith(b"PUT /dir/up.txt ") and b"Content-Length: 7" in s.requests[0]
    assert s.requests[0].endswith(b"payload")
    run("-T", "-", s.url("/x"), stdin=b"abc")
    assert s.requests[1].startswith(b"PUT /x ")


def test_range_sends_bytes_and_refuses_garbage():
    s = Server(b"HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 0-1/5\r\nContent-Length: 2\r\n\r\nhe")
    assert run("-r", "0-1", s.url()).stdout == b"he"
    assert b"Range: bytes=0-1\r\n" in s.requests[0]
    assert run("-r", "abc", "http://127.0.0.1:1/").returncode == 101


NOT_FOUND = b"HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\nContent-Length: 9\r\n\r\nerror page"[:-1]


def test_fail_writes_no_error_body_and_no_file(tmp_path):
    s = Server(NOT_FOUND, NOT_FOUND, NOT_FOUND)
    p = run("-s", "-f", s.url())
    assert p.returncode == 100 and p.stdout == b""
    p = run("-s", "-f", "-o", str(tmp_path / "out"), s.url())
    assert p.returncode == 100 and not (tmp_path / "out").exists()
    p = run("-s", "--fail-with-body", "-o", str(tmp_path / "out"), s.url())
    assert p.returncode == 100 and (tmp_path / "out").read_bytes() == b"error pag"


def test_empty_body_still_makes_its_file(tmp_path):
    s = Server(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
    assert run("-o", str(tmp_path / "e"), s.url()).returncode == 0 and (tmp_path / "e").read_bytes() == b""


def test_write_out_variables_escapes_and_file(tmp_path):
    s = Server(OK, NOT_FOUND, OK)
    p = run("-s", "-o", "/dev/null", "-w", r"%{http_code} %{size_download} %{num_redirects} %{url_effective}\n"
            r"%header{x-a}|%{content_type}|%{exitcode}|%%\t.", s.url("/p"))
    assert p.stdout == f"200 5 0 {s.url('/p')}\n1||0|%\t.".encode()
    (tmp_path / "fmt").write_text("%{response_code} %{errormsg}")
    p = run("-s", "-f", "-w", f"@{tmp_path / 'fmt'}", s.url())
    assert p.stdout == b"404 the server answered 404 (-f)"
    p = run("-s", "-o", "/dev/null", "-w", "%{json}|%{header_json}", s.url())
    js, hj = p.stdout.split(b"|")
    import json
    d = json.loads(js)
    assert d["http_code"] == 200 and d["size_header"] > 0 and d["time_total"] >= d["time_connect"] >= 0
    assert json.loads(hj) == {"content-length": ["5"], "x-a": ["1"]}


def test_write_out_on_a_failure_has_code_000_and_the_message():
    p = run("-s", "-w", "%{http_code} %{exitcode}", "http://127.0.0.1:1/")
    assert p.returncode == 13 and p.stdout == b"000 13"


def test_get_data_urlencode_and_json():
    s = Server(OK, OK, OK, OK)
    run("-G", "-d", "a=1", "--data-urlencode", "q=x y&z", s.url("/s?k=v"))
    assert s.requests[0].startswith(b"GET /s?k=v&a=1&q=x+y%26z HTTP/1.1")  # curl encodes a space as +
    run("-d", "a=1", "-d", "b=2", "--data-urlencode", "=é", s.url())
    assert s.requests[1].startswith(b"POST ") and s.requests[1].endswith(b"a=1&b=2&%C3%A9")
    run("--json", '{"k":1}', s.url())
    r = s.requests[2]
    assert b"Content-Type: application/json\r\n" in r and b"Accept: application/json\r\n" in r
    assert b"Accept: */*" not in r and r.endswith(b'{"k":1}')
    run("-G", "-I", "-d", "x", s.url())
    assert s.requests[3].startswith(b"HEAD /?x HTTP/1.1")


def test_data_at_file_drops_newlines(tmp_path):
    (tmp_path / "d").write_bytes(b"a=1\r\nb=2\n")
    s = Server(OK)
    run("-d", f"@{tmp_path / 'd'}", s.url())
    assert s.requests[0].endswith(b"a=1b=2")


def test_output_dir_and_create_dirs(tmp_path):
    s = Server(OK, OK)
    assert run("--output-dir", str(tmp_path / "no"), "-o", "x", s.url()).returncode == 53
    assert run("--create-dirs", "--output-dir", str(tmp_path / "d"), "-o", "a/b/x", s.url()).returncode == 0
    assert (tmp_path / "d" / "a" / "b" / "x").read_bytes() == b"hello"


def test_resolve_connects_elsewhere_and_keeps_the_host(tmp_path):
    s = Server(OK)
    p = run("--resolve", f"example.test:{s.port}:127.0.0.1", f"http://example.test:{s.port}/r")
    assert p.stdout == b"hello" and f"Host: example.test:{s.port}\r\n".encode() in s.requests[0]
    assert run("--resolve", "nonsense", "http://x/").returncode == 101


def test_http10_request_line_and_close():
    s = Server(OK)
    run("--http1.0", s.url())
    assert s.requests[0].startswith(b"GET / HTTP/1.0\r\n") and b"Connection: close\r\n" in s.requests[0]
    assert run("-0", "-T", "-", "http://127.0.0.1:1/", stdin=b"x").returncode == 11


def test_trace_ascii_has_the_bytes_each_way(tmp_path):
    s = Server(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
    assert run("--trace-ascii", str(tmp_path / "t"), s.url()).stdout == b"hello"
    t = (tmp_path / "t").read_text()
    assert "=> Send data, " in t and "0000: GET / HTTP/1.1\n" in t and "<= Recv data, " in t
    assert "\n0000: HTTP/1.1 200 OK\n" in t and ": 5\n" in t  # the chunk framing is there, raw


def coded(status_body, coding):
    return (b"HTTP/1.1 200 OK\r\nContent-Encoding: %s\r\nContent-Length: %d\r\n\r\n" % (coding, len(status_body))
            + status_body)


def test_compressed_gzip_deflate_and_raw_deflate():
    import gzip
    import zlib
    body = b"0123456789" * 50000
    raw = zlib.compressobj(9, zlib.DEFLATED, -15)
    raw_deflate = raw.compress(body) + raw.flush()
    s = Server(coded(gzip.compress(body), b"gzip"), coded(zlib.compress(body), b"deflate"),
               coded(raw_deflate, b"deflate"), coded(b"plain", b"br"))
    for _ in range(3):
        p = run("--compressed", s.url())
        assert p.returncode == 0 and p.stdout == body
    assert b"Accept-Encoding: gzip, deflate\r\n" in s.requests[0]
    assert run("--compressed", s.url()).stdout == b"plain"  # a coding it does not know: as received


@pytest.mark.parametrize("mangle,why", [
    (lambda g: g[:len(g) // 2], b"truncated"),
    (lambda g: g[:20] + bytes(200) + g[220:], b"corrupt"),
    (lambda g: g + b"junk", b"after the end"),
])
def test_compressed_corrupt_or_truncated_is_an_error_never_a_short_success(mangle, why):
    import gzip
    s = Server(coded(mangle(gzip.compress(bytes(range(256)) * 400)), b"gzip"))
    p = run("--compressed", "-o", "/dev/null", s.url())
    assert p.returncode == 102 and why in p.stderr and b"--compressed" in p.stderr


def test_without_compressed_the_coded_bytes_are_the_body():
    import gzip
    g = gzip.compress(b"hi")
    s = Server(coded(g, b"gzip"))
    assert run(s.url()).stdout == g


UNAVAILABLE = b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 0\r\nContent-Length: 5\r\n\r\nbusy\n"


def test_retry_transient_answers_with_retry_after(tmp_path):
    s = Server(UNAVAILABLE, UNAVAILABLE, OK)
    p = run("--retry", "3", "-o", str(tmp_path / "o"), "-w", "%{http_code}", s.url())
    assert p.returncode == 0 and len(s.requests) == 3 and p.stdout == b"200"
    assert (tmp_path / "o").read_bytes() == b"hello"  # -o starts over at each attempt
    assert p.stderr.count(b"retrying in 0 s") == 2


def test_retry_gives_up_after_n_and_keeps_404_and_stdin_alone():
    s = Server(UNAVAILABLE, UNAVAILABLE)
    p = run("-s", "-f", "--retry", "1", s.url())
    assert p.returncode == 100 and len(s.requests) == 2
    s = Server(NOT_FOUND, OK)
    assert run("--retry", "3", s.url()).returncode == 0 and len(s.requests) == 1
    s = Server(UNAVAILABLE, OK)
    run("--retry", "3", "-T", "-", s.url(), stdin=b"once")
    assert len(s.requests) == 1


def test_retry_delay_and_max_time():
    import time
    slow = b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n"
    s = Server(slow, slow, OK)
    t = time.monotonic()
    assert run("--retry", "5", "--retry-delay", "0.3", s.url()).stdout == b"hello"
    assert 0.5 < time.monotonic() - t < 5
    s = Server(slow, OK)
    assert run("--retry", "5", "--retry-delay", "3", "--retry-max-time", "1", s.url()).returncode == 0
    assert len(s.requests) == 1


def test_retry_connrefused_only_when_asked():
    import socket
    with socket.socket() as c:
        c.bind(("127.0.0.1", 0))
        port = c.getsockname()[1]
    p = run("--retry", "1", "--retry-delay", "0.1", f"http://127.0.0.1:{port}/")
    assert p.returncode == 13 and b"retrying" not in p.stderr
    p = run("--retry", "1", "--retry-delay", "0.1", "--retry-connrefused", f"http://127.0.0.1:{port}/")
    assert p.returncode == 13 and b"retrying" in p.stderr


def partial(first, body, total):
    return (b"HTTP/1.1 206 Partial Content\r\nContent-Range: bytes %d-%d/%d\r\nContent-Length: %d\r\n\r\n"
            % (first, first + len(body) - 1, total, len(body)) + body)


def test_continue_at_appends_a_206_and_checks_its_range(tmp_path):
    f = tmp_path / "f"
    f.write_bytes(b"hel")
    s = Server(partial(3, b"lo", 5), partial(2, b"llo", 5))
    assert run("-C", "-", "-o", str(f), s.url()).returncode == 0
    assert f.read_bytes() == b"hello" and b"Range: bytes=3-\r\n" in s.requests[0]
    p = run("-C", "3", "-o", str(tmp_path / "g"), s.url())
    assert p.returncode == 103 and b"starts at 2" in p.stderr


def test_continue_at_a_200_rewrites_and_a_416_on_a_complete_file_succeeds(tmp_path):
    f = tmp_path / "f"
    f.write_bytes(b"old bytes")
    s = Server(OK, b"HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */5\r\nContent-Length: 3\r\n\r\nno\n")
    assert run("-C", "-", "-o", str(f), s.url()).returncode == 0 and f.read_bytes() == b"hello"
    p = run("-f", "-C", "-", "-o", str(f), s.url())
    assert p.returncode == 0 and f.read_bytes() == b"hello"


def test_continue_at_without_a_file_starts_at_zero(tmp_path):
    s = Server(OK)
    assert run("-C", "-", "-o", str(tmp_path / "new"), s.url()).returncode == 0
    assert b"Range:" not in s.requests[0] and (tmp_path / "new").read_bytes() == b"hello"


def test_form_multipart_on_the_wire(tmp_path):
    (tmp_path / "p.png").write_bytes(b"\x89PNG")
    s = Server(OK)
    assert run("-F", "a=1", "-F", f"img=@{tmp_path / 'p.png'}", s.url()).returncode == 0
    r = s.requests[0]
    head, _, body = r.partition(b"\r\n\r\n")
    b = head.split(b"boundary=")[1].split(b"\r\n")[0]
    assert r.startswith(b"POST / ") and b"Content-Length: %d\r\n" % len(body) in head + b"\r\n"
    assert body == (b"--" + b + b'\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--' + b +
                    b'\r\nContent-Disposition: form-data; name="img"; filename="p.png"\r\nContent-Type: image/png'
                    b"\r\n\r\n\x89PNG\r\n--" + b + b"--\r\n")


def test_form_refuses_a_second_body_and_a_missing_file():
    assert run("-F", "a=1", "-d", "x", "http://127.0.0.1:1/").returncode == 101
    p = run("-F", "a=@/nonexistent/file", "http://127.0.0.1:1/")
    assert p.returncode == 101 and b"cannot read /nonexistent/file" in p.stderr


def set_cookie_reply(*cookies):
    return (b"HTTP/1.1 200 OK\r\n" + b"".join(b"Set-Cookie: %s\r\n" % c for c in cookies) +
            b"Content-Length: 5\r\n\r\nhello")


def test_cookie_literal_and_jar_round_trip(tmp_path):
    jar = tmp_path / "jar"
    s = Server(set_cookie_reply(b"a=1; Path=/", b"b=2; Path=/sub; HttpOnly", b"gone=x; Max-Age=0",
                                b"evil=1; Domain=other.test", b"keep=3; Max-Age=3600"), OK, OK)
    assert run("-b", "lit=0", "-c", str(jar), s.url("/sub/page"), s.url("/sub/x")).returncode == 0
    assert b"Cookie: lit=0\r\n" in s.requests[0]
    assert b"Cookie: lit=0; b=2; keep=3; a=1\r\n" in s.requests[1]  # longer path first (RFC 6265 §5.4)
    text = jar.read_text()
    assert text.startswith("# Netscape HTTP Cookie File") and "#HttpOnly_127.0.0.1\tFALSE\t/sub\tFALSE\t0\tb\t2" in text
    assert "gone" not in text and "evil" not in text and "\tkeep\t3" in text
    run("-b", str(jar), s.url("/other"))
    assert b"Cookie: a=1\r\n" in s.requests[2]  # b and keep (default path /sub) do not match /other


def test_cookie_never_follows_a_redirect_to_another_host(tmp_path):
    other = Server(OK)
    s = Server(b"HTTP/1.1 302 Found\r\nLocation: " + other.url("/x").replace("127.0.0.1", "localhost").encode() +
               b"\r\nContent-Length: 0\r\n\r\n")
    assert run("-L", "-b", "secret=1", s.url()).returncode == 0
    assert b"Cookie: secret=1" in s.requests[0] and b"Cookie" not in other.requests[0]


def test_secure_and_expired_cookies_stay_home(tmp_path):
    jar = tmp_path / "jar"
    jar.write_text("127.0.0.1\tFALSE\t/\tTRUE\t0\tsec\t1\n127.0.0.1\tFALSE\t/\tFALSE\t1\told\t1\n"
                   ".0.0.1\tTRUE\t/\tFALSE\t0\tip\t1\n127.0.0.1\tFALSE\t/\tFALSE\t0\tok\t1\n")
    s = Server(OK)
    run("-b", str(jar), s.url())
    assert b"Cookie: ok=1\r\n" in s.requests[0]
