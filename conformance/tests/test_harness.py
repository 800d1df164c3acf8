"""The harness tests itself: wrong adapters and a broken fixture must be
caught and classified correctly, within the time limit, leaving nothing
running; the judge and the reports are checked on hand-made data; the HTML
report is opened in a real headless browser."""
import json
import os
import shutil
import subprocess
import sys
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "server-fixtures"))

from runner.case import run_case  # noqa: E402
from runner.judge import judge, match_outcome  # noqa: E402
from runner.reports import write_all  # noqa: E402
from server_fixtures import Scenario, load_scenario  # noqa: E402

BAD = os.path.join(HERE, "bad_adapters", "bad.py")
SC = load_scenario(os.path.join(HERE, "data", "SELF-01.toml"))
CAPS = ["generic-form", "timeouts"]
HTTPREF = os.environ.get("HTTPREF_BIN", os.path.join(ROOT, "build", "bin", "httpref"))


def bad(mode):
    return [sys.executable, BAD, mode]


@pytest.mark.parametrize("mode,verdict,within", [
    ("wrong-body", "fail", 15),
    ("raw-chunked", "fail", 15),
    ("hang", "adapter_failure", 20),
    ("crash", "adapter_failure", 15),
    ("garbage", "adapter_failure", 15),
    ("flood", "adapter_failure", 30),
])
def test_wrong_adapter_gets_its_verdict(mode, verdict, within):
    t0 = time.monotonic()
    r = run_case(SC, None, f"bad-{mode}", bad(mode), CAPS)
    assert r["verdict"] == verdict, r.get("reason")
    assert r.get("reason"), "every non-pass carries a reason"
    assert time.monotonic() - t0 < within


def test_forked_child_is_killed():
    r = run_case(SC, None, "bad-forker", bad("forker"), CAPS)
    assert r["verdict"] == "fail"  # body "ok", not "hello"
    time.sleep(0.3)
    left = subprocess.run(["pgrep", "-f", f"{BAD} forker"], capture_output=True, text=True).stdout.split()
    assert not left, f"the adapter's child survived: {left}"


def test_broken_fixture_is_a_harness_failure_never_fail():
    data = dict(SC.data)
    data["servers"] = {"origin": {"connections": [[{"expect_request": {}}, {"no_such_step": True}]]}}
    broken = Scenario(SC.path, data)
    r = run_case(broken, None, "httpref", [HTTPREF, "--adapter"], ["generic-form", "timeouts"])
    assert r["verdict"] == "harness_failure", r


def test_missing_capability_is_unsupported():
    data = dict(SC.data)
    data["request"] = dict(SC.request, proxy="origin")
    r = run_case(Scenario(SC.path, data), None, "bad-wrong-body", bad("wrong-body"), CAPS)
    assert r["verdict"] == "unsupported" and "proxy" in r["reason"]


@pytest.mark.skipif(not os.path.exists(HTTPREF), reason="build/bin/httpref not built")
def test_reference_client_passes_and_runs_are_identical():
    verdicts = [run_case(SC, v, "httpref", [HTTPREF, "--adapter"], ["generic-form", "timeouts"])["verdict"]
                for v in (None, "bytewise", "split", None, "bytewise", "split")]
    assert verdicts == ["pass"] * 6


def test_judge_outcome_matching():
    ok = {"outcome": "response", "status": 200, "body": "aGVsbG8=", "headers": [["X-A", "1"], ["x-a", "2"]]}
    assert match_outcome({"status": 200, "body": "hello"}, ok, {}) is None
    assert match_outcome({"status": 200, "headers": {"x-a": "1, 2"}}, ok, {}) is None
    assert "status 200, not 404" in match_outcome({"status": 404}, ok, {})
    assert match_outcome({"error": ["protocol", "closed"]}, {"outcome": "error", "error": {"class": "closed"}}, {}) is None
    assert "a response" in match_outcome({"error": "protocol"}, ok, {})
    assert match_outcome({"status": 200, "reason": "OK"}, ok, {}) is None  # the client exposes no reason
    assert "reason 'Okay'" in match_outcome({"status": 200, "reason": "OK"}, dict(ok, reason="Okay"), {})


class _T:
    def __init__(self, violations=(), harness=()):
        self.violations, self.harness_errors = list(violations), list(harness)

    def connections(self, s):
        return []

    def requests(self, s):
        return []


def test_judge_classifies():
    ok = {"outcome": "response", "status": 200, "body": "aGVsbG8="}
    assert judge(SC, ok, _T(), {}) == ("pass", "")
    v, why = judge(SC, ok, _T(violations=[("origin", 0, "bare LF in the request head")]), {})
    assert v == "fail" and "bare LF" in why
    v, why = judge(SC, ok, _T(harness=["boom"]), {})
    assert v == "harness_failure"
    v, why = judge(SC, {"outcome": "error", "error": {"class": "protocol"}}, _T(), {})
    assert v == "fail" and why.startswith("got error protocol") and "expected response 200" in why


def test_wire_check_if_sent_applies_only_to_a_sent_request():
    from runner.judge import wire_problems
    lacks = {"server": "plain", "lacks": ["referer"]}
    assert wire_problems({"wire": [lacks]}, _T(), {}) == ["wire: no request 0 on plain (it got 0)"]
    assert wire_problems({"wire": [dict(lacks, if_sent=True)]}, _T(), {}) == []  # refused: never sent

    class Sent(_T):
        def requests(self, s):
            return [type("Q", (), {"get": lambda self, n: "https://o/page" if n == "referer" else None})()]
    assert wire_problems({"wire": [dict(lacks, if_sent=True)]}, Sent(), {}) == [
        "wire: plain request: referer: 'https://o/page' was sent, expected none"]


def test_expectations_round_trip_any_reason(tmp_path, monkeypatch):
    from runner import expectations
    monkeypatch.setattr(expectations, "HERE", str(tmp_path))
    expectations._cache.clear()
    expectations.write("x", {"A-1": {"verdict": "fail", "reason": 'curl: (56) bad\r\n"quoted" \\ \x01 é'},
                             "A-2": {"verdict": "pass"}})
    got = expectations.expected("auto", "x", "A-1")
    assert got["verdict"] == "fail" and got["reason"].startswith("curl: (56) bad\r\n")
    assert expectations.expected("auto", "x", "A-2")["verdict"] == "pass"  # passes are not listed: the default


def _report(tmp_path):
    res = {"verdict": "fail", "reason": "got X, expected Y", "got": "response 200",
           "transcript": {"connections": [{"server": "origin", "index": 0, "client_sent": {"text": "GET / HTTP/1.1\r\n"},
                                           "server_sent": {"text": "HTTP/1.1 200 OK\r\n"}, "server_sent_len": 17}]}}
    scen = {"SELF-01": {"title": SC.title, "group": "self", "refs": SC.refs}}
    out = tmp_path / "run"
    write_all(str(out), {"harness_commit": "test", "date": "now", "rfc": "9112"}, scen, {"impl": "1"},
              {"impl": {"SELF-01": res}})
    return out


def test_reports_are_generated_from_results(tmp_path):
    out = _report(tmp_path)
    data = json.load(open(out / "results.json"))
    assert data["implementations"]["impl"]["results"]["SELF-01"]["verdict"] == "fail"
    scores = json.load(open(out / "scores.json"))
    assert scores["impl"]["by_level"]["MUST"] == {"pass": 0, "lenient": 0, "total": 1, "pass_rate": 0.0}
    assert "<failure" in open(out / "junit-impl.xml").read()


@pytest.mark.skipif(not shutil.which("chromium"), reason="Debian's chromium is not installed")
def test_html_matrix_opens_a_cell_in_a_real_browser(tmp_path):
    out = _report(tmp_path)
    url = f"file://{out}/index.html?open=SELF-01:impl"
    p = subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=3000",
                        "--dump-dom", url], capture_output=True, text=True, timeout=60)
    assert 'id="matrix"' in p.stdout
    assert 'data-open="SELF-01:impl"' in p.stdout, "clicking the cell open failed"
    assert "got X, expected Y" in p.stdout.split('id="panelbody"')[1][:4000]


def test_ctrl_c_leaves_no_mitmdump_or_adapter_behind(tmp_path):
    """A run interrupted by Ctrl-C (SIGINT to pytest) while a real mitmdump and
    a hanging adapter are up must stop both: they run in their own sessions, so
    only the harness's own cleanup can end them."""
    if not shutil.which("mitmdump"):
        pytest.skip("mitmdump not installed")
    adapter = tmp_path / "hang-adapter.py"  # its path marks its processes
    adapter.write_text("import json, sys, time\n"
                       "if '--describe' in sys.argv:\n"
                       "    print(json.dumps({'name': 'hang', 'version': '0', 'capabilities': ['proxy']}))\n"
                       "    sys.exit(0)\n"
                       "time.sleep(120)\n")
    env = dict(os.environ, TMPDIR=str(tmp_path))  # mitmdump's work folder, and so its command line
    p = subprocess.Popen([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          os.path.join(ROOT, "conformance", "scenarios"), "--scenario", "PX-30,PX-32",
                          "--no-variants", "-n", "0", "--report-dir", str(tmp_path / "report"),
                          "--impl", f"hang={sys.executable} {adapter}"],
                         cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)

    def ours():
        out = subprocess.run(["pgrep", "-f", str(tmp_path)], capture_output=True, text=True).stdout.split()
        return [pid for pid in out if int(pid) != p.pid]

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and len(ours()) < 2:  # mitmdump and the adapter are both up
        time.sleep(0.2)
    assert len(ours()) >= 2, "mitmdump and the hanging adapter never both ran"
    p.send_signal(2)  # SIGINT, as Ctrl-C sends it
    p.communicate(timeout=30)
    time.sleep(0.5)
    assert not ours(), f"left running after Ctrl-C: {ours()}"


def test_findings_put_framing_first_and_say_how_to_reproduce(tmp_path):
    from runner import findings
    fail = {"verdict": "fail", "reason": "got response 200, expected error protocol", "got": "response 200"}
    scen = {}
    for sid in ("FR-13", "SL-01", "CH-48"):
        f = next(os.path.join(d, f"{sid}.toml") for d, _, fs in os.walk(os.path.join(ROOT, "conformance", "scenarios"))
                 if f"{sid}.toml" in fs)
        sc = load_scenario(f)
        scen[sid] = {"title": sc.title, "group": sc.group, "refs": sc.refs, "tags": sc.tags,
                     "file": os.path.relpath(f, ROOT)}
    results = {"run": {"harness_commit": "test", "rfc": "9112"}, "scenarios": scen,
               "implementations": {"a": {"version": "1", "results": {k: dict(fail) for k in scen}},
                                   "b": {"version": "2", "results": {"FR-13": dict(fail), "SL-01": {"verdict": "pass"}}}}}
    found = findings.write(str(tmp_path), results)
    ids = [f["id"] for f in found["a"]]
    assert ids.index("FR-13") < ids.index("SL-01") and ids.index("CH-48") < ids.index("SL-01"), ids
    fr = next(f for f in found["a"] if f["id"] == "FR-13")
    assert fr["others"] == ["b"] and fr["should"].startswith("error protocol")
    assert "Content-Length: +5" in fr["server"][0]
    md = open(tmp_path / "findings.md").read()
    assert "tools/conformance --impl a --scenario FR-13" in md and "server_fixtures serve conformance/scenarios/" in md
    assert "findings" in open(tmp_path / "findings.html").read()


def test_compare_runs_lists_every_differing_cell(tmp_path):
    def run(verdicts):
        return {"implementations": {"x": {"results": {k: {"verdict": v, "reason": k} for k, v in verdicts.items()}}}}
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text(json.dumps(run({"FR-1": "pass", "FR-2": "fail", "FR-3": "pass"})))
    b.write_text(json.dumps(run({"FR-1": "pass", "FR-2": "pass", "FR-3": "pass"})))
    tool = os.path.join(ROOT, "tools", "compare-runs")
    p = subprocess.run([sys.executable, tool, str(a), str(b)], capture_output=True, text=True, timeout=30)
    assert p.returncode == 1 and "x FR-2: fail -> pass" in p.stdout and "2/3 cells = 66.67 %" in p.stdout
    p = subprocess.run([sys.executable, tool, str(a), str(a)], capture_output=True, text=True, timeout=30)
    assert p.returncode == 0 and "100.00 %" in p.stdout


def test_compare_runs_sets_known_timing_cells_apart(tmp_path):
    def run(v):
        return {"implementations": {"x": {"results": {
            "CN-14": {"verdict": v, "reason": "", "timing_dependent": ["pass", "lenient"]},
            "FR-2": {"verdict": v, "reason": ""}}}}}
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text(json.dumps(run("pass")))
    b.write_text(json.dumps(run("lenient")))
    tool = os.path.join(ROOT, "tools", "compare-runs")
    p = subprocess.run([sys.executable, tool, str(a), str(b), "--min", "0"], capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, p.stderr
    assert "x CN-14: pass -> lenient  (known timing-dependent)" in p.stdout
    assert "x FR-2: pass -> lenient\n" in p.stdout and "2 differ, 1 of them known" in p.stdout


def test_expectations_keep_a_timing_dependent_entry(tmp_path, monkeypatch):
    from runner import expectations
    monkeypatch.setattr(expectations, "HERE", str(tmp_path))
    expectations._cache.clear()
    (tmp_path / "x.toml").write_text('["CN-14"]\nverdict = "lenient"\nseen = ["pass", "lenient"]\nreason = "why"\n')
    assert expectations.timing_seen("x", "CN-14", "pass") == ["pass", "lenient"]
    assert expectations.timing_seen("x", "CN-14", "fail") is None
    expectations.write("x", {"CN-14": {"verdict": "pass", "reason": "ok"}})
    text = (tmp_path / "x.toml").read_text()
    assert 'seen = ["pass", "lenient"]' in text and 'reason = "why"' in text
    expectations.write("x", {"CN-14": {"verdict": "fail", "reason": "new"}})
    text = (tmp_path / "x.toml").read_text()
    assert "seen" not in text and 'verdict = "fail"' in text
    expectations._cache.clear()
