"""tools/record round trip: record real exchanges from local fixtures through a real
mitmdump, replay the written scenario, and the reference client's result is identical."""
import os
import shutil
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "server-fixtures"))

from server_fixtures import Scenario, load_scenario, serve  # noqa: E402
from server_fixtures.scenario import validate  # noqa: E402

HTTPREF = os.environ.get("HTTPREF_BIN", os.path.join(ROOT, "build", "bin", "httpref"))
REPLIES = {
    "chunked": "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
    "redirect": "HTTP/1.1 302 Found\r\nLocation: /elsewhere\r\nContent-Length: 0\r\n\r\n",
    "auth": "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"api\"\r\nContent-Length: 6\r\n\r\ndenied",
}


@pytest.mark.skipif(not shutil.which("mitmdump") or not os.path.exists(HTTPREF), reason="needs mitmdump and httpref")
@pytest.mark.parametrize("kind", sorted(REPLIES))
def test_record_then_replay_is_identical(kind, tmp_path):
    data = {"id": "LIVE", "title": "t", "refs": [{"rfc": "9112", "section": "6", "level": "MUST", "quote": "q"}],
            "request": {"path": "/"}, "servers": {"origin": {"connections": [[{"expect_request": {}},
                                                                              {"send": REPLIES[kind]}, {"close": True}]]}},
            "expect": {"outcomes": [{"grade": "pass", "status": 200}]}}
    validate("/x/LIVE.toml", data)
    out = tmp_path / f"REC-{kind}.toml"
    with serve(Scenario("/x/LIVE.toml", data)) as run:
        p = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "record"), run.url("origin", "/page"),
                            "-o", str(out)], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "replayed again: identical" in p.stdout
    sc = load_scenario(str(out))  # a valid scenario file
    assert sc.request["path"] == "/page"
