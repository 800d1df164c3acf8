"""What a run stores stays small: big bodies become length + sha256 + the
first and last bytes (the judge saw them whole), partials are removed once
merged, and reports/ keeps its newest runs only."""
import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "server-fixtures"))

from runner.lean import LEAN_OVER, lean_case  # noqa: E402
from runner.render import _bytes_view  # noqa: E402
from runner.reports import prune_runs  # noqa: E402


def test_a_big_body_is_stored_as_length_hash_head_and_tail():
    big = bytes(range(256)) * (LEAN_OVER // 256 + 1)
    small = b"x" * LEAN_OVER
    case = {"result": {"outcome": "response", "body": base64.b64encode(big).decode(),
                       "then": [{"outcome": "response", "body": base64.b64encode(small).decode()}]},
            "spec": {"url": "http://x/", "body": base64.b64encode(big).decode()},
            "transcript": {"connections": [{"client_sent": {"text": "POST / HTTP/1.1\r\n\r\n" + "a" * LEAN_OVER},
                                            "server_sent": {"text": "HTTP/1.1 200 OK\r\n"}}]}}
    lean_case(case)
    body = case["result"]["body"]
    assert body["length"] == len(big) and body["sha256"] == hashlib.sha256(big).hexdigest()
    assert base64.b64decode(body["head"]) == big[:256] and base64.b64decode(body["tail"]) == big[-256:]
    assert case["result"]["then"][0]["body"] == base64.b64encode(small).decode()  # 64 KiB exactly stays whole
    assert case["spec"]["body"]["length"] == len(big)
    sent = case["transcript"]["connections"][0]["client_sent"]
    assert sent["length"] == LEAN_OVER + 19 and "POST / HTTP/1.1" in _bytes_view(sent)
    del case["result"]["then"]
    assert len(json.dumps(case)) < 3000


def test_old_runs_are_pruned_but_never_latest(tmp_path):
    runs = [f"2026010{i}T000000Z" for i in range(1, 8)]
    for r in runs:
        (tmp_path / r).mkdir()
    (tmp_path / "latest").symlink_to(runs[0])  # latest may point at an old run (a re-render)
    (tmp_path / "mine").mkdir()                # not a run folder: never touched
    gone = prune_runs(str(tmp_path), 3)
    assert sorted(os.path.basename(g) for g in gone) == runs[1:4]
    assert sorted(os.listdir(tmp_path)) == sorted([runs[0], *runs[4:], "latest", "mine"])


def test_partials_are_removed_after_the_merge_unless_kept(tmp_path):
    base = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", os.path.join(ROOT, "conformance", "scenarios"),
            "--scenario", "SEED-01", "--no-variants"]
    for keep, out in ((False, tmp_path / "a"), (True, tmp_path / "b")):
        subprocess.run(base + ["--impl", "httpref", "-n", "2", "--report-dir", str(out)]
                       + (["--keep-partials"] if keep else []), cwd=ROOT, capture_output=True, timeout=120, check=True)
        assert (out / "results.json").exists()
        assert (out / "partials").exists() == keep
    # a reused folder does not merge the partials an earlier run kept
    subprocess.run(base + ["--impl", "curl", "-n", "0", "--report-dir", str(tmp_path / "b")],
                   cwd=ROOT, capture_output=True, timeout=120, check=True)
    assert list(json.load(open(tmp_path / "b" / "results.json"))["implementations"]) == ["curl"]


def _main_job_sized_report(out):
    """A report shaped like the main job's: every catalogue scenario for 13
    implementations, the first with three variants each, a transcript per cell."""
    from runner.reports import write_all
    from server_fixtures import find_scenarios, load_scenario
    scen = {}
    for path in find_scenarios(os.path.join(ROOT, "conformance", "scenarios")):
        sc = load_scenario(path)
        scen[sc.id] = {"title": sc.title, "group": sc.group, "refs": sc.refs, "file": path, "tags": sc.tags}
    verdicts = ["pass"] * 6 + ["lenient", "fail", "unsupported", "adapter_failure"]
    sent = {"text": "GET / HTTP/1.1\r\nHost: 127.0.0.1:40000\r\nUser-Agent: x/1.0\r\nAccept: */*\r\n\r\n"}
    got = {"text": "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello" * 8}
    merged = {}
    for i in range(13):
        res = merged[f"impl-{i:02d}"] = {}
        for j, key in enumerate(sorted(scen)):
            for v in ([""] + (["~bytewise", "~split"] if i == 0 else [])):
                res[key + v] = {"verdict": verdicts[(i + j) % len(verdicts)], "reason": "got response 200, expected "
                                "error protocol" * 2, "got": "response 200 with 5-byte body \"hello\"",
                                "result": {"outcome": "response", "status": 200, "headers": [["a", "b"]] * 5,
                                           "body": "aGVsbG8="}, "duration_s": 0.01,
                                "transcript": {"connections": [{"server": "origin", "index": 0, "client_sent": sent,
                                                                "server_sent": got, "server_sent_len": 300}]}}
    write_all(str(out), {"harness_commit": "test", "date": "now", "rfc": "9112"}, scen,
              {n: "1" for n in merged}, merged)
    return sum(len(r) for r in merged.values())


@pytest.mark.skipif(not shutil.which("chromium"), reason="Debian's chromium is not installed")
def test_a_main_job_page_loads_in_a_real_browser(tmp_path):
    """The page of a main job's size loads in headless Chromium and opens a cell named in
    the URL. How fast is printed, not asserted: on a shared 2-core machine a timed test
    fails for the machine's load, not for the page (10.8 s and 2.9 s were seen here)."""
    cells = _main_job_sized_report(tmp_path)
    assert cells > 5000
    page = tmp_path / "index.html"
    times = []
    for _ in range(3):  # the best of three: the machine is shared
        p = subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom",
                            f"file://{page}?open=SEED-01:impl-05"], capture_output=True, text=True, timeout=120)
        m = re.search(r'data-load-ms="(\d+)"', p.stdout)
        assert m and 'data-open="SEED-01:impl-05"' in p.stdout, p.stdout[-500:]
        times.append(int(m.group(1)))
    print(f"index.html, {cells} cells, {page.stat().st_size / 1e6:.1f} MB: loaded in {times} ms")
