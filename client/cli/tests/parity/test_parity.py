"""curl parity (issue 22): each line of TABLE runs through curl and through httpref against
the same fixture (fixture.py), each in a fresh directory, and compares stdout, the files
written and the exit status class. A line marked SAME must match on all three; any other
mark names what differs and why, and must still differ (a fixed difference updates the
table). The summary is printed at the end (pytest -s, or ctest -V)."""
import os
import shutil
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture import Fixture  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
HTTPREF = os.environ.get("HTTPREF_BIN", os.path.join(ROOT, "build", "bin", "httpref"))
CURL = shutil.which("curl")
SAME = "same"

# exit status classes: curl's number and httpref's (its error number, 100 for -f, 101 usage)
CLASSES = {"curl": {0: "ok", 22: "http_error", 47: "redirects"},
           "httpref": {0: "ok", 100: "http_error", 49: "redirects", 50: "redirects"}}

# (id, arguments ({u} = the fixture's base URL, {p} = its port), files to compare, verdict)
TABLE = [
    ("get", ["{u}/text"], [], SAME),
    ("get-silent", ["-s", "{u}/text"], [], SAME),
    ("include", ["-i", "{u}/text"], [], SAME),
    ("head", ["-I", "{u}/text"], [], SAME),
    ("output", ["-o", "out", "{u}/text"], ["out"], SAME),
    ("remote-name", ["-O", "{u}/file.txt"], ["file.txt"], SAME),
    ("remote-name-dir", ["-s", "-O", "{u}/dir/"], [], SAME),
    ("dump-header", ["-D", "h", "-o", "b", "{u}/text"], ["h", "b"], SAME),
    ("dump-header-follow", ["-L", "-D", "h", "{u}/redir/2", "{u}/text"], ["h"], SAME),
    ("dump-header-stdout", ["-D", "-", "-o", "b", "{u}/text"], ["b"], SAME),
    ("empty-body-file", ["-o", "e", "{u}/empty"], ["e"], SAME),
    ("big", ["{u}/big"], [], SAME),
    ("chunked", ["{u}/chunked"], [], SAME),
    ("two-urls", ["{u}/text", "{u}/empty", "{u}/text"], [], SAME),
    ("no-follow", ["{u}/redir/1"], [], SAME),
    ("no-follow-include", ["-i", "{u}/redir/2"], [], SAME),
    ("follow", ["-L", "{u}/redir/3"], [], SAME),
    ("follow-limit", ["-s", "-L", "--max-redirs", "1", "{u}/redir/3"], [], SAME),
    ("follow-limit-0", ["-s", "-L", "--max-redirs", "0", "{u}/redir/1"], [], SAME),
    ("follow-include", ["-i", "-L", "{u}/redir/1"], [], SAME),
    ("follow-head", ["-I", "-L", "{u}/redir/1"], [], SAME),
    ("follow-307-post", ["-L", "-d", "x=1", "{u}/code/307/echo"], [], SAME),
    ("follow-302-post", ["-L", "-d", "x=1", "{u}/code/302/echo"], [], SAME),
    ("follow-303-put", ["-L", "-X", "PUT", "-d", "x=1", "{u}/code/303/echo"], [],
     "stdout: curl's -X sets the method of every hop (its man page warns), so it PUTs after a 303; "
     "httpref follows RFC 9110 §15.4.4: a 303 is answered with GET"),
    ("post", ["-d", "a=1", "{u}/echo"], [], SAME),
    ("post-joined", ["-d", "a=1", "-d", "b=2", "{u}/echo"], [], SAME),
    ("post-file", ["-d", "@data.txt", "{u}/echo"], [], SAME),
    ("data-binary-file", ["--data-binary", "@data.txt", "{u}/echo"], [], SAME),
    ("urlencode", ["--data-urlencode", "q=a b&c", "--data-urlencode", "=é", "{u}/echo"], [], SAME),
    ("get-query", ["-G", "-d", "a=1", "--data-urlencode", "b=x y", "{u}/echo?k=v"], [], SAME),
    ("json", ["--json", '{"a":1}', "{u}/echo"], [], SAME),
    ("method-delete", ["-X", "DELETE", "{u}/echo"], [], SAME),
    ("method-patch", ["-X", "PATCH", "-d", "p", "{u}/echo"], [], SAME),
    ("header", ["-H", "X-A: 1", "-H", "Accept: text/plain", "{u}/echo"], [], SAME),
    ("user-agent", ["-A", "parity/1", "{u}/echo"], [], SAME),
    ("basic", ["-u", "user:pass", "{u}/auth"], [], SAME),
    ("basic-missing", ["{u}/auth"], [], SAME),
    ("range", ["-r", "0-4", "{u}/text"], [], SAME),
    ("resume", ["-C", "-", "-o", "part", "{u}/text"], ["part"], SAME),
    ("resume-offset", ["-C", "6", "{u}/text"], [], SAME),
    ("resume-complete", ["-s", "-C", "-", "-o", "full", "{u}/text"], ["full"], SAME),
    ("upload", ["-T", "data.txt", "{u}/echo"], [], SAME),
    ("form", ["-F", "a=1", "-F", "f=@data.txt", "-F", "g=<data.txt", "{u}/echo"], [], SAME),
    ("form-type", ["-F", "f=@data.txt;type=text/x-custom;filename=other.bin", "-F", 'q"uote=v', "{u}/echo"], [],
     SAME),
    ("upload-dir-url", ["-T", "data.txt", "{u}/put/"], [], SAME),
    ("status-404", ["{u}/status/404"], [], SAME),
    ("fail", ["-f", "{u}/status/404"], [], SAME),
    ("fail-silent", ["-s", "-f", "{u}/status/500"], [], SAME),
    ("fail-file", ["-s", "-f", "-o", "f", "{u}/status/404"], ["f"], SAME),
    ("fail-include", ["-s", "-f", "-i", "{u}/status/404"], [], SAME),
    ("fail-with-body", ["-s", "--fail-with-body", "{u}/status/404"], [], SAME),
    ("write-out-code", ["-s", "-o", "/dev/null", "-w", r"%{http_code}\n", "{u}/text"], [], SAME),
    ("write-out-sizes", ["-s", "-L", "-o", "/dev/null", "-w",
                         r"%{size_download} %{num_redirects} %{content_type} %{url_effective}\n", "{u}/redir/2"],
     [], SAME),
    ("write-out-header", ["-s", "-o", "/dev/null", "-w", r"%header{x-fixture}|%{response_code}\n", "{u}/text"],
     [], SAME),
    ("write-out-exitcode", ["-s", "-f", "-o", "/dev/null", "-w", "%{exitcode}", "{u}/status/404"], [],
     "stdout: -f's exit status is 100, curl's 22 (httpref's exit status is its error number; 22 is BAD_VERSION)"),
    ("compressed-gzip", ["--compressed", "{u}/gzip"], [], SAME),
    ("compressed-deflate", ["--compressed", "{u}/deflate"], [], SAME),
    ("gzip-raw", ["{u}/gzip"], [], SAME),
    ("compressed-truncated", ["-s", "--compressed", "{u}/gzip-truncated"], [],
     "class: curl 7.88 exits 0 on a gzip stream cut in half (a short success); httpref writes the same bytes "
     "and exits 102: a truncated coded body is an error"),
    ("output-dir", ["--create-dirs", "--output-dir", "od", "-o", "x/y", "{u}/text"], ["od/x/y"], SAME),
    ("output-dir-missing", ["-s", "--output-dir", "none", "-o", "x", "{u}/text"], [], SAME),
    ("resolve", ["--resolve", "fixture.test:{p}:127.0.0.1", "http://fixture.test:{p}/echo"], [], SAME),
    ("http1.0", ["--http1.0", "{u}/echo"], [], SAME),
    ("timeout", ["-s", "-m", "1", "{u}/slow"], [], SAME),
    ("cookie-literal", ["-b", "a=1; b=2", "{u}/echo"], [], SAME),
    ("cookie-file", ["-b", "jar0", "{u}/echo/x"], [],
     "stdout: curl 7.88 sends a Secure cookie to 127.0.0.1 over http (it counts loopback as secure); httpref "
     "sends a Secure cookie only over https (RFC 6265 §5.4 step 1)"),
    ("cookie-jar", ["-c", "jar", "{u}/setcookie"], ["jar"], SAME),
    ("cookie-jar-next-url", ["-b", "", "-c", "jar", "{u}/setcookie", "{u}/echo"], ["jar"],
     "stdout: two cookies of equal path length go earliest-created first in httpref (RFC 6265 §5.4 step 2), "
     "newest first in curl 7.88"),
    ("retry", ["-s", "--retry", "2", "{u}/flaky/1/a"], [], SAME),
    ("retry-exhausted", ["-s", "-f", "--retry", "1", "{u}/flaky/3/b"], [], SAME),
    ("retry-file", ["-s", "--retry", "1", "-o", "r", "{u}/flaky/1/c"], ["r"], SAME),
    ("refused", ["-s", "http://127.0.0.1:1/"], [], SAME),
]


def content(path):
    """A written file's bytes; a cookie jar without its comment lines (they name the program that wrote it)"""
    if not path.exists():
        return None
    data = path.read_bytes()
    if path.name.startswith("jar"):
        data = b"".join(line for line in data.splitlines(True) if not line.startswith(b"# ") and line.strip())
    return data


def exit_class(tool, rc):
    return CLASSES[tool].get(rc, "error")


def run(tool, argv, tmp, port, url):
    d = tmp / tool
    d.mkdir()
    (d / "data.txt").write_bytes(b"k=v\r\nline two\n")
    (d / "part").write_bytes(b"hello")
    (d / "jar0").write_text("127.0.0.1\tFALSE\t/\tFALSE\t0\tx\t1\n127.0.0.1\tFALSE\t/echo\tFALSE\t0\ty\t2\n"
                            "127.0.0.1\tFALSE\t/\tTRUE\t0\tsecure\t3\n127.0.0.1\tFALSE\t/nope\tFALSE\t0\tz\t4\n")
    (d / "full").write_bytes(b"hello parity\n")
    args = [a.replace("{u}", url).replace("{p}", str(port)) for a in argv]
    exe = CURL if tool == "curl" else HTTPREF
    p = subprocess.run([exe, *args], cwd=d, capture_output=True, timeout=30)
    return d, p


@pytest.fixture(scope="module")
def fixture():
    f = Fixture()
    yield f
    f.close()


RESULTS = []


@pytest.mark.skipif(not CURL, reason="curl is not installed (tools/setup installs it)")
@pytest.mark.parametrize("row", TABLE, ids=[r[0] for r in TABLE])
def test_parity(row, fixture, tmp_path):
    name, argv, files, verdict = row
    dc, c = run("curl", argv, tmp_path, fixture.port, fixture.url())
    dh, h = run("httpref", argv, tmp_path, fixture.port, fixture.url())
    diffs = []
    if c.stdout != h.stdout:
        diffs.append("stdout")
    for f in files:
        if content(dc / f) != content(dh / f):
            diffs.append(f"file {f}")
    if exit_class("curl", c.returncode) != exit_class("httpref", h.returncode):
        diffs.append(f"class curl {c.returncode} httpref {h.returncode}")
    RESULTS.append((name, verdict, diffs))
    detail = (f"{name}: differs in {diffs}\ncurl rc={c.returncode} stdout={c.stdout[:300]!r}\n"
              f"httpref rc={h.returncode} stdout={h.stdout[:300]!r} stderr={h.stderr[:300]!r}")
    if verdict == SAME:
        assert not diffs, detail
    else:
        assert diffs, f"{name}: marked as differing ({verdict}) but curl and httpref now agree: mark it SAME"


def teardown_module(module):
    if RESULTS:
        same = sum(1 for r in RESULTS if r[1] == SAME and not r[2])
        print(f"\nparity: {len(RESULTS)} lines, {same} identical, {len(RESULTS) - same} differing:")
        for name, verdict, diffs in RESULTS:
            if verdict != SAME or diffs:
                print(f"  {name}: {', '.join(diffs) or 'none'} -- {verdict}")
