"""Regression baselines: conformance/expectations/<impl>.toml lists the
verdict expected for each scenario that does not pass, with a reason. A
regression run fails only on worse results; better ones are reported.

A client that is really timing-dependent on a scenario (its verdict moves between runs
on the same machine for reasons of its own, not the fixture's) carries `seen`, every
verdict observed: `verdict` is then the worst of them, the report marks the cell
timing-dependent with both verdicts named, and tools/compare-runs lists such a cell
apart from the unexplained differences. `seen` is written by a person, never inferred."""
import json
import os
import tomllib

HERE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "expectations")
_cache = {}


def _load(path):
    if path not in _cache:
        if os.path.exists(path):
            with open(path, "rb") as f:
                _cache[path] = tomllib.load(f)
        else:
            _cache[path] = {}
    return _cache[path]


def path_for(option, impl):
    return os.path.join(HERE, f"{impl}.toml") if option == "auto" else option


def expected(option, impl, key):
    data = _load(path_for(option, impl))
    e = data.get(key)
    return e if isinstance(e, dict) and "verdict" in e else {"verdict": "pass", "reason": ""}


def timing_seen(impl, key, verdict):
    """The verdicts a timing-dependent cell is known to take, when this run's is one of
    them; None otherwise (a verdict outside `seen` is news, not timing)."""
    seen = expected("auto", impl, key).get("seen")
    return list(seen) if isinstance(seen, list) and verdict in seen else None


def _q(s):
    # JSON string escapes are valid TOML basic-string escapes, control characters included
    return json.dumps(str(s)[:300], ensure_ascii=False)


def write(impl, results):
    """Record this run's verdicts; entries of cases the run did not include
    (a --scenario or --no-variants subset) are kept as they were."""
    os.makedirs(HERE, exist_ok=True)
    path = os.path.join(HERE, f"{impl}.toml")
    _cache.pop(path, None)
    old = _load(path)
    merged = {k: v for k, v in old.items() if isinstance(v, dict) and k not in results}
    merged.update(results)
    for key, was in old.items():
        # a timing-dependent entry stays as its author wrote it while the run's verdict
        # is one of those seen; any other verdict replaces it, and `seen` with it
        if isinstance(was, dict) and "seen" in was and merged[key]["verdict"] in was["seen"]:
            merged[key] = was
    _cache.pop(path, None)
    lines = [f"# Expected non-pass verdicts of {impl}; written by --update-expectations.",
             "# A regression run (--expect auto) fails on anything worse than listed here.", ""]
    for key in sorted(merged):
        r = merged[key]
        if r["verdict"] != "pass" or "seen" in r:
            lines.append(f"[{_q(key)}]")
            lines.append(f"verdict = {_q(r['verdict'])}")
            if "seen" in r:
                lines.append("seen = [" + ", ".join(_q(v) for v in r["seen"]) + "]")
            lines.append(f"reason = {_q(r.get('reason', ''))}")
            lines.append("")
    with open(path, "w") as f:
        f.write("\n".join(lines))
