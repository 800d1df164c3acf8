"""Regression baselines: conformance/expectations/<impl>.toml lists the
verdict expected for each scenario that does not pass, with a reason. A
regression run fails only on worse results; better ones are reported."""
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


def _q(s):
    # JSON string escapes are valid TOML basic-string escapes, control characters included
    return json.dumps(str(s)[:300], ensure_ascii=False)


def write(impl, results):
    """Record this run's verdicts; entries of cases the run did not include
    (a --scenario or --no-variants subset) are kept as they were."""
    os.makedirs(HERE, exist_ok=True)
    path = os.path.join(HERE, f"{impl}.toml")
    _cache.pop(path, None)
    merged = {k: v for k, v in _load(path).items() if isinstance(v, dict) and k not in results}
    merged.update(results)
    _cache.pop(path, None)
    lines = [f"# Expected non-pass verdicts of {impl}; written by --update-expectations.",
             "# A regression run (--expect auto) fails on anything worse than listed here.", ""]
    for key in sorted(merged):
        r = merged[key]
        if r["verdict"] != "pass":
            lines.append(f"[{_q(key)}]")
            lines.append(f"verdict = {_q(r['verdict'])}")
            lines.append(f"reason = {_q(r.get('reason', ''))}")
            lines.append("")
    with open(path, "w") as f:
        f.write("\n".join(lines))
