"""The measured time criteria (runner/timing.py): a quadratic client fails CH-30,
a client whose own time bound does not end a slow server's case fails it, and
load alone (noise on a fast client) fails no one."""
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "server-fixtures"))

from runner import timing  # noqa: E402
from runner.case import run_case  # noqa: E402
from server_fixtures import load_scenario  # noqa: E402

SCEN = os.path.join(ROOT, "conformance", "scenarios")
CH30 = load_scenario(os.path.join(SCEN, "chunked", "CH-30.toml"))
CN12 = load_scenario(os.path.join(SCEN, "connection", "CN-12.toml"))
QUADRATIC = [sys.executable, os.path.join(HERE, "bad_adapters", "quadratic.py")]
BAD = os.path.join(HERE, "bad_adapters", "bad.py")
HTTPREF = os.path.join(ROOT, "conformance", "adapters", "httpref")


def _runs(*times):
    it = iter(times)
    return lambda: next(it)


def _cpu(*times):
    return _runs(*[(t, True) for t in times])


def test_growth_judges_the_cpu_ratio_against_linear():
    why, info = timing.check_growth(CH30, 16.0, False, _cpu(1.2, 1.0, 1.1), _cpu(16.0, 15.0))
    assert why and "superlinearly" in why and info["ratio"] == 15.0, info
    why, info = timing.check_growth(CH30, 4.4, False, _cpu(1.2, 1.0, 1.1), _cpu(4.0))
    assert why is None and info["judged"] == "linear", info
    # killed at full size: its CPU until the kill is a lower bound, still judged
    why, info = timing.check_growth(CH30, 40.0, True, _cpu(1.0, 1.1, 1.2), _runs((30.0, False)))
    assert why and "at least" in why, info


def test_growth_spares_a_client_slowed_by_load():
    why, info = timing.check_growth(CH30, 0.4, False, _runs(), _runs())
    assert why is None and "floor" in info["judged"]
    # 2 s by the wall clock on a loaded machine, 0.2 s of its own CPU: not judged
    why, info = timing.check_growth(CH30, 2.0, False, _cpu(0.03), _cpu(0.2))
    assert why is None and "CPU" in info["judged"], info


def test_growth_scales_every_repeat_count():
    small = timing.scaled(CH30, 0.25)
    counts = [s["count"] for c in small.servers["origin"]["connections"] for s in c if "send_repeat" in s]
    assert counts == [250000]
    assert CH30.servers["origin"]["connections"][0][2]["count"] == 1000000  # the original is untouched


def test_deadline_counts_late_answers_and_kills():
    assert timing.check_deadline(CN12, 4.0, False) is None  # 3 s timeout: 2 x 3 + 1
    assert "past 7 s" in timing.check_deadline(CN12, 8.5, False)
    assert "did not end the transfer" in timing.check_deadline(CN12, 13.0, True)


def test_quadratic_client_fails_ch30():
    """The issue's client: right answer, quadratic time (3.3 s of CPU here against 0.24 s at
    a quarter of the size, well within CH-30's 30 s); a wall-clock limit let it pass."""
    r = run_case(CH30, None, "quadratic", QUADRATIC, ["timeouts"], persistent=False)
    assert r["verdict"] == "fail", (r.get("reason"), r.get("timing"))
    assert "superlinearly" in r["reason"]


def test_client_ignoring_its_time_bound_fails_a_slow_server():
    r = run_case(CN12, None, "bad-hang", [sys.executable, BAD, "hang"], ["generic-form", "timeouts"])
    assert r["verdict"] == "fail", r.get("reason")
    assert "time bound" in r["reason"]


@pytest.mark.skipif(not os.path.exists(os.path.join(os.environ.get("HTTPREF_BUILD_DIR", os.path.join(ROOT, "build")),
                                                    "bin", "httpref")), reason="httpref not built")
def test_reference_client_passes_ch30():
    r = run_case(CH30, None, "httpref", [HTTPREF], ["timeouts"], persistent=False)
    assert r["verdict"] == "pass", (r.get("reason"), r.get("timing"))
