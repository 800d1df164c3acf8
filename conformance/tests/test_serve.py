"""Serve mode tests itself: every way a persistent adapter can break the
protocol fails exactly the case in flight (or, for output after a case was
judged, exactly that case), the next case passes on a fresh process, and no
process outlives the pool. The isolation scenario ISO-01 catches an adapter
that keeps a connection or a cookie jar from one spec to the next."""
import json
import os
import subprocess
import sys
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "server-fixtures"))

from runner.case import run_case  # noqa: E402
from runner.serve import POOL  # noqa: E402
from server_fixtures import load_scenario  # noqa: E402

BAD = os.path.join(HERE, "bad_adapters", "bad_serve.py")
SC = load_scenario(os.path.join(HERE, "data", "SELF-01.toml"))
ISO = load_scenario(os.path.join(ROOT, "conformance", "scenarios", "isolation", "ISO-01.toml"))
CAPS = ["generic-form", "timeouts", "serve"]


def ours(marker):
    out = subprocess.run(["pgrep", "-f", str(marker)], capture_output=True, text=True).stdout.split()
    return [p for p in out if int(p) != os.getpid()]


@pytest.fixture
def marker(tmp_path):
    m = tmp_path / "broke"
    yield m
    POOL.close_all()
    POOL.take_late()
    time.sleep(0.2)
    assert not ours(m), f"left running: {ours(m)}"


@pytest.mark.parametrize("mode,why,within", [
    ("wrong-seq", "serve_seq 2 to the spec with serve_seq 1", 15),
    ("no-seq", "no serve_seq", 15),
    ("two-answers", "second answer", 15),
    ("not-object", "not a JSON object", 15),
    ("not-json", "not one JSON line", 15),
    ("crash", "exited with status 3", 15),
    ("hang", "did not finish within 13 s", 20),
    ("flood", "more than 160 MiB", 40),
])
def test_a_break_fails_only_the_case_in_flight(mode, why, within, marker):
    cmd = [sys.executable, BAD, mode, str(marker)]
    t0 = time.monotonic()
    r = run_case(SC, None, f"bad-serve-{mode}", cmd, CAPS)
    assert r["verdict"] == "adapter_failure" and why in r["reason"], r.get("reason")
    assert time.monotonic() - t0 < within
    broken_pid = int(marker.read_text())
    assert not ours(marker), "the broken process group was not killed"
    for _ in range(2):  # the next cases pass, on one fresh process
        r = run_case(SC, None, f"bad-serve-{mode}", cmd, CAPS)
        assert r["verdict"] == "pass", r.get("reason")
        assert r["result"]["adapter_pid"] != broken_pid
    assert POOL.take_late() == []


@pytest.mark.parametrize("mode", ["late-answer", "unasked"])
def test_output_after_the_answer_fails_the_case_it_followed(mode, marker):
    cmd = [sys.executable, BAD, mode, str(marker)]
    first = run_case(SC, None, f"bad-serve-{mode}", cmd, CAPS)
    assert first["verdict"] == "pass"  # judged before the stray line arrived
    time.sleep(0.5)
    nxt = run_case(SC, "bytewise", f"bad-serve-{mode}", cmd, CAPS)
    assert nxt["verdict"] == "pass" and nxt["result"]["adapter_pid"] != int(marker.read_text())
    late = POOL.take_late()
    assert [(impl, key) for impl, key, _ in late] == [(f"bad-serve-{mode}", "SELF-01")], late
    assert "no spec was in flight" in late[0][2]


def test_a_serve_ready_adapter_starts_before_the_case_and_outside_its_time(marker):
    """The start (2 s here) happens before the fixtures are up and is reported as
    serve_start_s; the next case reuses the process and starts nothing."""
    cmd = [sys.executable, BAD, "ready-slow", str(marker)]
    caps = CAPS + ["serve-ready"]
    first = run_case(SC, None, "bad-serve-ready-slow", cmd, caps)
    assert first["verdict"] == "pass", first.get("reason")
    assert first["serve_start_s"] >= 2
    second = run_case(SC, None, "bad-serve-ready-slow", cmd, caps)
    assert second["verdict"] == "pass" and "serve_start_s" not in second
    assert second["result"]["adapter_pid"] == first["result"]["adapter_pid"]


@pytest.mark.parametrize("mode,why", [("ready-never", "did not say ready within 3 s"),
                                      ("ready-wrong", "not {\"ready\": true}")])
def test_a_serve_ready_adapter_that_does_not_get_ready_fails_the_case(mode, why, marker, monkeypatch):
    from runner import serve
    monkeypatch.setattr(serve, "READY_S", 3)
    cmd = [sys.executable, BAD, mode, str(marker)]
    t0 = time.monotonic()
    r = run_case(SC, None, f"bad-serve-{mode}", cmd, CAPS + ["serve-ready"])
    assert r["verdict"] == "adapter_failure" and why in r["reason"], r.get("reason")
    assert time.monotonic() - t0 < 10
    assert not ours(marker) and not POOL.pids(), "a process that never got ready was kept"


def test_a_serve_process_serves_many_cases_and_ends_with_the_pool(marker):
    cmd = [sys.executable, BAD, "leaky", str(marker)]  # leaky keeps state, but SELF-01 cannot see it
    pids = {run_case(SC, v, "bad-serve-one", cmd, CAPS)["result"]["adapter_pid"] for v in (None, "split", None)}
    assert len(pids) == 1 and ours(marker)
    POOL.close_all()
    time.sleep(0.2)
    assert not ours(marker)


@pytest.mark.parametrize("mode,why", [("leaky", "1 connection(s) to origin"), ("leaky-conn", "1 connection(s) to origin"),
                                      ("leaky-cookies", "has cookie")])
def test_isolation_scenario_catches_a_kept_connection_or_cookie_jar(mode, why, marker):
    r = run_case(ISO, None, f"bad-serve-{mode}", [sys.executable, BAD, mode, str(marker)], CAPS)
    assert r["verdict"] == "adapter_failure" and r["reason"].startswith("isolation broken"), r.get("reason")
    assert why in r["reason"], r["reason"]


def test_isolation_scenario_passes_a_fresh_client_per_spec(marker):
    # the same client, a fresh instance per spec (the `wrong-seq` adapter behaves once its marker exists)
    marker.write_text("0")
    r = run_case(ISO, None, "bad-serve-fresh", [sys.executable, BAD, "wrong-seq", str(marker)], CAPS)
    assert r["verdict"] == "pass", r.get("reason")
    assert len(r["repeats"]) == 1


def test_a_stray_line_after_the_last_case_fails_it_in_the_report(tmp_path):
    """End to end through the conftest: the session's close finds the late line and
    rewrites that case's verdict in results.json."""
    marker = tmp_path / "broke"
    out = tmp_path / "report"
    p = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                        os.path.join(ROOT, "conformance", "scenarios"), "--scenario", "SEED-01", "--no-variants",
                        "-n", "0", "--report-dir", str(out),
                        "--impl", f"late={sys.executable} {BAD} late-answer {marker}"],
                       cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert p.returncode in (0, 1), p.stdout + p.stderr
    r = json.load(open(out / "results.json"))["implementations"]["late"]["results"]["SEED-01"]
    assert r["verdict"] == "adapter_failure" and "after its last answer" in r["reason"], r
    assert not ours(marker)
