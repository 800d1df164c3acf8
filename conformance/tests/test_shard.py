"""A CI matrix's pieces: --shard K/N slices merge (tools/merge-reports) into the
report an unsharded run writes; a bad set of shards is refused; --fail-on gates
the exit status on the verdicts; every run ends with one line per implementation."""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.dirname(HERE))

from runner.shard import durations, heaviest_first, partition  # noqa: E402

SCEN = "SEED,RD-0,CH-0"
MERGE = os.path.join(ROOT, "tools", "merge-reports")
BAD = os.path.join(HERE, "bad_adapters", "bad_serve.py")


def runner(*args):
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           os.path.join(ROOT, "conformance", "scenarios"), "--no-variants", *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)


def cells(path):
    d = json.load(open(os.path.join(path, "results.json")))
    return d["scenarios"], {(i, k): (r["verdict"], r.get("reason"), r.get("got"))
                            for i, x in d["implementations"].items() for k, r in x["results"].items()}


def test_partition_is_stable_balanced_and_complete():
    ids = [f"impl/X-{i:02d}" for i in range(50)]
    w = {c: (10.0 if c.endswith("7") else 0.1) for c in ids}
    parts = partition(ids, 3, w)
    assert parts == partition(list(reversed(ids)), 3, w), "the order of collection must not matter"
    assert set().union(*parts) == set(ids) and sum(map(len, parts)) == len(ids)
    loads = [sum(w[c] for c in p) for p in parts]
    assert max(loads) - min(loads) <= 10.0


def test_the_slowest_cases_go_first_and_the_rest_keep_their_order(tmp_path):
    items = ["a", "b", "c", "d", "file"]
    ids = ["i/A", "i/B", "i/C", "i/D", None]  # None: not a scenario case (a broken file's item)
    # A is unknown: it weighs the median of the known ones (0.5, 1, 9 -> 1)
    assert heaviest_first(items, ids, {"i/B": 9.0, "i/C": 0.5, "i/D": 1.0}) == ["b", "a", "d", "c", "file"]
    # durations.json, written beside results.json, is what a run reads
    (tmp_path / "results.json").write_text('{"implementations": {"i": {"results": {"A": {"duration_s": 1}}}}}')
    assert durations(str(tmp_path / "results.json"))[0] == {"i/A": 1.0}
    (tmp_path / "durations.json").write_text('{"i/A": 2}')
    assert durations(str(tmp_path / "results.json"))[0] == {"i/A": 2.0}


def test_shards_merge_into_the_unsharded_report(tmp_path):
    whole, s1, s2, merged = (tmp_path / n for n in ("whole", "s1", "s2", "merged"))
    assert runner("--scenario", SCEN, "--impl", "httpref,curl", "-n", "2", "--report-dir", str(whole)).returncode == 0
    durations = str(whole / "results.json")
    for k, out in ((1, s1), (2, s2)):
        p = runner("--scenario", SCEN, "--impl", "httpref,curl", "-n", "2", "--shard", f"{k}/2",
                   "--shard-durations", durations, "--report-dir", str(out))
        assert p.returncode == 0, p.stdout[-2000:]
        run = json.load(open(out / "results.json"))["run"]
        assert run["shard"]["k"] == k and run["shard"]["n"] == 2 and run["shard"]["durations"]
    n1, n2 = (len(cells(s)[1]) for s in (s1, s2))
    assert n1 and n2 and n1 + n2 == len(cells(whole)[1])
    p = subprocess.run([MERGE, "-o", str(merged), str(s1), str(s2)], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert cells(merged) == cells(whole)
    assert "httpref: " in p.stdout and "; MUST " in p.stdout
    # one shard missing, or given twice: refused
    p = subprocess.run([MERGE, "-o", str(tmp_path / "x"), str(s1)], capture_output=True, text=True, timeout=60)
    assert p.returncode == 2 and "shard(s) [2] of 2 missing" in p.stderr
    p = subprocess.run([MERGE, "-o", str(tmp_path / "x"), str(s1), str(s1), str(s2)], capture_output=True, text=True,
                       timeout=60)
    assert p.returncode == 2 and "given twice" in p.stderr


def test_fail_on_sets_the_exit_status(tmp_path):
    marker = tmp_path / "broke"  # absent: the first case crashes (adapter_failure on a MUST scenario)
    impl = f"bad={sys.executable} {BAD} crash {marker}"
    p = runner("--scenario", "SEED-01", "--impl", impl, "-n", "0", "--report-dir", str(tmp_path / "a"))
    assert p.returncode == 0 and "bad: 0 pass, 0 lenient, 0 fail, 1 adapter_failure; MUST 0 %" in p.stdout, p.stdout
    marker.unlink()
    p = runner("--scenario", "SEED-01", "--impl", impl, "-n", "0", "--fail-on", "must", "--report-dir",
               str(tmp_path / "b"))
    assert p.returncode == 1 and "exit 1 (--fail-on must): 1 case(s)" in p.stdout and "bad SEED-01" in p.stdout
    p = subprocess.run([MERGE, "-o", str(tmp_path / "c"), "--fail-on", "any", str(tmp_path / "b")],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 1 and "bad SEED-01: adapter_failure (MUST)" in p.stdout
