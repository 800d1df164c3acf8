"""Which implementations a run scores: a required one that cannot run stops
the run before any case (a missing build is not a green run); an optional peer
that is not installed is skipped_dependency, naming its package."""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def runner(*args, env=None):
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           os.path.join(ROOT, "conformance", "scenarios"), "--no-variants", "--scenario", "SEED-01",
                           "-n", "0", *args], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, **(env or {})))


def test_a_required_implementation_that_is_not_built_stops_the_run(tmp_path):
    p = runner("--impl", "httpref,curl", "--report-dir", str(tmp_path / "r"),
               env={"HTTPREF_BIN": str(tmp_path / "no-such-httpref")})
    assert p.returncode == 2, p.stdout + p.stderr
    out = p.stdout + p.stderr
    assert "cannot score a required implementation" in out and "httpref: adapter --describe failed (exit 3)" in out
    assert "not built" in out and not (tmp_path / "r" / "results.json").exists()


def test_a_user_adapter_that_cannot_describe_stops_the_run(tmp_path):
    p = runner("--impl", f"mine={tmp_path}/missing-adapter", "--report-dir", str(tmp_path / "r"))
    assert p.returncode == 2 and "mine: adapter --describe failed (exit 127)" in p.stdout + p.stderr


def test_an_optional_peer_not_installed_is_skipped_with_its_package(tmp_path):
    hide = tmp_path / "hide"
    hide.mkdir()
    (hide / "requests.py").write_text("raise ImportError('hidden by the test')\n")
    p = runner("--impl", "requests,httpref", "--report-dir", str(tmp_path / "r"), env={"PYTHONPATH": str(hide)})
    assert p.returncode == 0, p.stdout + p.stderr
    res = json.load(open(tmp_path / "r" / "results.json"))["implementations"]
    r = res["requests"]["results"]["SEED-01"]
    assert r["verdict"] == "skipped_dependency" and "python3-requests" in r["reason"], r
    assert res["httpref"]["results"]["SEED-01"]["verdict"] == "pass"
    assert "requests: 0 pass, 0 lenient, 0 fail, 1 skipped_dependency; MUST -" in p.stdout


def test_an_opt_in_peer_runs_only_when_named(monkeypatch):
    sys.path.insert(0, os.path.join(ROOT, "conformance"))
    from runner import impls
    table = {"a": {"command": ["adapters/a"]}, "b": {"command": ["adapters/b"], "optional": True, "opt_in": True}}
    monkeypatch.setattr(impls, "bundled", lambda: table)
    monkeypatch.setattr(impls, "describe_status", lambda cmd: ({"name": cmd[0]}, None))
    assert [r[0] for r in impls.resolve(None)] == ["a"]
    assert [r[0] for r in impls.resolve("a,b")] == ["a", "b"]
