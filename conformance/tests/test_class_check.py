"""Rejection and error class are graded apart (docs/ARCHITECTURE.md, Error classes): a
client that refuses what a MUST forbids but names the wrong class keeps the MUST and is
told about the class; one that accepts, or only waits, fails."""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "server-fixtures"))

from runner.case import run_case  # noqa: E402
from runner.judge import judge_full  # noqa: E402
from runner.reports import write_all  # noqa: E402
from server_fixtures import load_scenario  # noqa: E402

SC = load_scenario(os.path.join(HERE, "data", "SELF-02.toml"))
BAD = os.path.join(HERE, "bad_adapters", "bad.py")
CAPS = ["generic-form", "timeouts"]


class _T:
    violations, harness_errors = [], []

    def connections(self, s):
        return []

    def requests(self, s):
        return []


def _err(cls):
    return {"outcome": "error", "error": {"class": cls, "message": "m"}}


def test_wrong_class_keeps_the_must_and_fails_the_class_check():
    v, why, cc = judge_full(SC, _err("unclassified"), _T(), {})
    assert v == "pass" and cc == {"got": "unclassified", "expected": ["protocol"]}
    assert "refused as required" in why and "error class unclassified, not protocol" in why
    assert judge_full(SC, _err("protocol"), _T(), {}) == ("pass", "", None)


def test_waiting_or_not_connecting_is_no_refusal():
    for cls in ("timeout", "connect", "dns"):
        v, why, cc = judge_full(SC, _err(cls), _T(), {})
        assert v == "fail" and cc is None, cls
    v, _, _ = judge_full(SC, {"outcome": "response", "status": 200, "body": "aGVsbG8="}, _T(), {})
    assert v == "fail"  # accepting what the MUST forbids


def test_the_class_check_reaches_results_scores_matrix_and_findings(tmp_path):
    r = run_case(SC, None, "bad-wrong-class", [sys.executable, BAD, "wrong-class"], CAPS)
    assert r["verdict"] == "pass", r.get("reason")
    assert r["class_check"] == {"verdict": "fail", "got": "unclassified", "expected": ["protocol"]}
    out = tmp_path / "run"
    scen = {"SELF-02": {"title": SC.title, "group": "self", "refs": SC.refs, "file": SC.path}}
    write_all(str(out), {"harness_commit": "test", "date": "now", "rfc": "9112"}, scen, {"impl": "1"},
              {"impl": {"SELF-02": r}})
    scores = json.load(open(out / "scores.json"))
    assert scores["impl"]["class_mismatch"] == 1
    assert scores["impl"]["by_level"]["MUST"]["pass"] == 1  # the MUST is kept
    assert ">*pass<" in open(out / "index.html").read()
    findings = open(out / "findings.md").read()
    assert "error class only" in findings and "error class protocol" in findings
