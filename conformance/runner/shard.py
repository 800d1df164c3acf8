"""--shard K/N: a stable, balanced slice of the cases, for a CI job matrix.

Every shard computes the same partition on its own: the cases are ordered by
weight (the case's duration in the durations file, else the median of the
known ones, else 1), heaviest first and then by case id, and each goes to the
shard with the least weight so far (lowest number on a tie). The same case
list and the same durations file give the same partition on every machine, so
the shards never overlap and together cover every case; tools/merge-reports
checks that (each shard's results.json records K, N, its case count and the
durations file's hash).
"""
import hashlib
import json
import os
import re
import statistics


def parse(text):
    """'K/N' -> (K, N), 1 <= K <= N; ValueError otherwise."""
    m = re.fullmatch(r"(\d+)/(\d+)", text or "")
    if not m or not 1 <= int(m.group(1)) <= int(m.group(2)):
        raise ValueError(f"--shard wants K/N with 1 <= K <= N, not {text!r}")
    return int(m.group(1)), int(m.group(2))


def durations(path):
    """({"impl/ID~variant": seconds}, sha256 prefix of the file) from a results.json, or ({}, None).
    The run's durations.json beside it is read instead when it is there: the same numbers,
    without parsing tens of megabytes in every worker."""
    if not path or not os.path.exists(path):
        return {}, None
    side = os.path.join(os.path.dirname(path), "durations.json")
    if os.path.basename(path) == "results.json" and os.path.exists(side):
        with open(side, "rb") as f:
            raw = f.read()
        return {k: float(v) for k, v in json.loads(raw).items()}, hashlib.sha256(raw).hexdigest()[:12]
    with open(path, "rb") as f:
        raw = f.read()
    data = json.loads(raw)
    out = {}
    for impl, d in data.get("implementations", {}).items():
        for key, r in d.get("results", {}).items():
            if isinstance(r.get("duration_s"), (int, float)):
                out[f"{impl}/{key}"] = float(r["duration_s"])
    return out, hashlib.sha256(raw).hexdigest()[:12]


def _weigh(case_ids, weights):
    """{case id: weight}; a case the durations do not know weighs their median (1 without any)."""
    known = [weights[c] for c in case_ids if c in weights]
    default = statistics.median(known) if known else 1.0
    return {c: weights.get(c, default) for c in case_ids}


def partition(case_ids, n, weights):
    """[set of case ids] * n, balanced by weight."""
    w = _weigh(case_ids, weights)
    shards, load = [set() for _ in range(n)], [0.0] * n
    for c in sorted(case_ids, key=lambda c: (-w[c], c)):
        i = min(range(n), key=lambda j: (load[j], j))
        shards[i].add(c)
        load[i] += w[c] + 1e-3  # a case costs something even when the last run says 0
    return shards


def heaviest_first(items, case_ids, weights):
    """items reordered by the weight of their case id, heaviest first; a stable sort, so
    equal weights (and items without an id, weight 0) keep their order; an unknown case
    weighs the median of the known ones."""
    w = _weigh([c for c in case_ids if c is not None], weights)
    order = sorted(range(len(items)), key=lambda i: -w.get(case_ids[i], 0.0))
    return [items[i] for i in order]
