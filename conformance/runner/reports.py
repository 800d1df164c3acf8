"""Reports, generated from results.json only (never edited by hand):
results.json, scores.json, junit-<impl>.xml, index.html, and reports/latest."""
import glob
import html
import json
import os
import re
import shutil
from xml.sax.saxutils import escape, quoteattr

from . import findings
from .render import render_html

LEVEL_OF = {"MUST": "MUST", "MUST NOT": "MUST", "SHOULD": "SHOULD", "SHOULD NOT": "SHOULD", "MAY": "MAY",
            "POLICY": "POLICY"}


def merge_partials(partial_dir):
    merged = {}
    for p in sorted(glob.glob(os.path.join(partial_dir, "*.json"))):
        with open(p) as f:
            for impl, results in json.load(f).items():
                merged.setdefault(impl, {}).update(results)
    return merged


RUN_NAME = re.compile(r"^\d{8}T\d{6}Z$")


def prune_runs(root, keep):
    """Delete all but the newest `keep` run folders (reports/<UTC stamp>) under root,
    never the one `latest` points at; returns the paths removed."""
    latest = os.path.realpath(os.path.join(root, "latest"))
    runs = sorted(d for d in os.listdir(root) if RUN_NAME.match(d) and os.path.isdir(os.path.join(root, d)))
    gone = []
    for d in runs[:-keep] if keep > 0 else []:
        path = os.path.join(root, d)
        if os.path.realpath(path) != latest:
            shutil.rmtree(path, ignore_errors=True)
            gone.append(path)
    return gone


def section_of(ref):
    return f"RFC {ref['rfc']} §{ref['section']}"


def scores(scenarios, impls):
    """Per implementation: counts, and pass rates per level and per RFC section."""
    out = {}
    for impl, data in impls.items():
        res = data["results"]
        counts = {}
        by_level, by_section = {}, {}
        mismatched = 0
        for key, r in res.items():
            v = r["verdict"]
            counts[v] = counts.get(v, 0) + 1
            mismatched += bool(r.get("class_check"))
            sc = scenarios.get(key.split("~")[0])
            if not sc or v in ("unsupported", "skipped_dependency", "harness_failure"):
                continue
            ref = sc["refs"][0]
            for bucket, name in ((by_level, LEVEL_OF.get(ref["level"], ref["level"])), (by_section, section_of(ref))):
                b = bucket.setdefault(name, {"pass": 0, "lenient": 0, "total": 0})
                b["total"] += 1
                if v in ("pass", "lenient"):
                    b[v] += 1
        for bucket in (by_level, by_section):
            for b in bucket.values():
                b["pass_rate"] = round(b["pass"] / b["total"], 4) if b["total"] else None
        # refusals credited whose error class differs: the class check, its own column
        out[impl] = {"version": data.get("version"), "counts": counts, "class_mismatch": mismatched,
                     "by_level": by_level,
                     "by_section": dict(sorted(by_section.items(), key=lambda kv: _section_key(kv[0])))}
    return out


def _section_key(s):
    return [int(x) if x.isdigit() else x for x in re.findall(r"\d+|\D+", s)]


def junit(path, impl, data, scenarios):
    res = data["results"]
    fails = sum(1 for r in res.values() if r["verdict"] in ("fail", "adapter_failure"))
    errors = sum(1 for r in res.values() if r["verdict"] == "harness_failure")
    skipped = sum(1 for r in res.values() if r["verdict"] in ("unsupported", "skipped_dependency"))
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             f'<testsuite name={quoteattr("httpref-" + impl)} tests="{len(res)}" failures="{fails}" '
             f'errors="{errors}" skipped="{skipped}">']
    for key in sorted(res):
        r = res[key]
        sc = scenarios.get(key.split("~")[0], {})
        name = quoteattr(f"{key} {sc.get('title', '')}")
        cls = quoteattr(f"{impl}.{sc.get('group', 'scenario')}")
        lines.append(f"  <testcase classname={cls} name={name} time=\"{r.get('duration_s', 0):.3f}\">")
        v = r["verdict"]
        reason = quoteattr(f"{v}: {r.get('reason', '')}")
        if v in ("fail", "adapter_failure"):
            lines.append(f"    <failure message={reason}/>")
        elif v == "harness_failure":
            lines.append(f"    <error message={reason}/>")
        elif v in ("unsupported", "skipped_dependency"):
            lines.append(f"    <skipped message={reason}/>")
        elif v == "lenient":
            lines.append(f"    <system-out>{escape(r.get('reason', ''))}</system-out>")
        lines.append("  </testcase>")
    lines.append("</testsuite>")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def summary_lines(sc_scores):
    lines = [f"{'implementation':<14} {'pass':>5} {'len.':>5} {'fail':>5} {'uns.':>5} {'adpt':>5} {'harn':>5} "
             f"{'skip':>5}   MUST     SHOULD   MAY      POLICY"]
    for impl, s in sc_scores.items():
        c = s["counts"]

        def rate(level):
            b = s["by_level"].get(level)
            return f"{b['pass']:>3}/{b['total']:<4}" if b else "  -     "
        lines.append(f"{impl:<14} {c.get('pass', 0):>5} {c.get('lenient', 0):>5} {c.get('fail', 0):>5} "
                     f"{c.get('unsupported', 0):>5} {c.get('adapter_failure', 0):>5} "
                     f"{c.get('harness_failure', 0):>5} {c.get('skipped_dependency', 0):>5}   "
                     f"{rate('MUST')} {rate('SHOULD')} {rate('MAY')} {rate('POLICY')}")
    return lines


def summary_markdown(results, sc_scores):
    """summary.md: the table readable without a browser (generated, never edited)."""
    impls = results["implementations"]
    lines = ["# httpref conformance summary", "",
             f"Generated from results.json: harness {results['run'].get('harness_commit')}, "
             f"{results['run'].get('date', '')[:19]}, graded by RFC {results['run'].get('rfc')}; "
             f"{len(results['scenarios'])} scenarios.", "",
             "| implementation | version | MUST | SHOULD | MAY | POLICY | lenient | unsupported | adapter failures |",
             "|---|---|---|---|---|---|---|---|---|"]

    def cell(s, level):
        b = s["by_level"].get(level)
        return f"{b['pass']}/{b['total']} ({100 * b['pass'] / b['total']:.0f} %)" if b and b["total"] else "-"
    for name in sorted(sc_scores, key=lambda n: -(sc_scores[n]["by_level"].get("MUST", {}).get("pass_rate") or 0)):
        s = sc_scores[name]
        c = s["counts"]
        lines.append(f"| {name} | {impls[name].get('version')} | {cell(s, 'MUST')} | {cell(s, 'SHOULD')} | "
                     f"{cell(s, 'MAY')} | {cell(s, 'POLICY')} | {c.get('lenient', 0)} | {c.get('unsupported', 0)} | "
                     f"{c.get('adapter_failure', 0)} |")
    # where implementations disagree most: scenarios with the most distinct outcomes
    spread = []
    for key in results["scenarios"]:
        got = {}
        for name, d in impls.items():
            r = d["results"].get(key)
            if r and r.get("got") and r["verdict"] not in ("unsupported", "skipped_dependency"):
                got.setdefault(re.sub(r"\(.*\)| with .*", "", r["got"]).strip(), []).append(name)
        if len(got) > 1:
            spread.append((len(got), key, got))
    lines += ["", f"## Where implementations disagree ({len(spread)} scenarios; the widest first)", ""]
    for n, key, got in sorted(spread, key=lambda t: (-t[0], t[1]))[:15]:
        title = results["scenarios"][key].get("title", "")
        lines.append(f"- **{key}** {title}: " + "; ".join(f"{g}: {', '.join(sorted(ns))}" for g, ns in sorted(got.items())))
    return "\n".join(lines) + "\n"


FAILING = ("fail", "adapter_failure")
FAIL_ON = {"must": {"MUST"}, "should": {"MUST", "SHOULD"}, "any": None}


def failing(scenarios, merged, level):
    """[(impl, key, verdict, level)] of the failed cases at --fail-on `level` or stricter."""
    levels = FAIL_ON[level]
    out = []
    for impl, results in merged.items():
        for key in sorted(results, key=_section_key):
            r = results[key]
            sc = scenarios.get(key.split("~")[0]) or {}
            lv = LEVEL_OF.get((sc.get("refs") or [{}])[0].get("level"), "?")
            if r["verdict"] in FAILING and (levels is None or lv in levels):
                out.append((impl, key, r["verdict"], lv))
    return out


def closing_lines(sc_scores):
    """One line per implementation, whatever the mode:
    'httpref: 794 pass, 7 lenient, 0 fail; MUST 100 %' (MUST: the share not failed)."""
    lines = []
    for impl, s in sc_scores.items():
        c = s["counts"]
        extra = "".join(f", {c[v]} {v}" for v in ("adapter_failure", "unsupported", "skipped_dependency",
                                                   "harness_failure") if c.get(v))
        b = s["by_level"].get("MUST")
        must = "-" if not b or not b["total"] else f"{100 * (b['pass'] + b['lenient']) / b['total']:.1f}".rstrip("0").rstrip(".") + " %"
        lines.append(f"{impl}: {c.get('pass', 0)} pass, {c.get('lenient', 0)} lenient, {c.get('fail', 0)} fail"
                     f"{extra}; MUST {must}")
    return lines


def write_all(out, run, scenarios, versions, merged, update_latest=True):
    os.makedirs(out, exist_ok=True)
    impls = {name: {"version": versions.get(name, "unknown"), "results": res} for name, res in merged.items()}
    results = {"format": 1, "run": run, "scenarios": scenarios, "implementations": impls}
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump(results, f)
    sc_scores = scores(scenarios, impls)
    with open(os.path.join(out, "scores.json"), "w") as f:
        json.dump(sc_scores, f, indent=1)
    with open(os.path.join(out, "durations.json"), "w") as f:  # the next run's order and shards (runner/shard.py)
        json.dump({f"{impl}/{key}": r["duration_s"] for impl, d in impls.items() for key, r in d["results"].items()
                   if isinstance(r.get("duration_s"), (int, float))}, f)
    for impl, data in impls.items():
        junit(os.path.join(out, f"junit-{impl}.xml"), impl, data, scenarios)
    with open(os.path.join(out, "index.html"), "w") as f:
        f.write(render_html(results, sc_scores))
    with open(os.path.join(out, "summary.md"), "w") as f:
        f.write(summary_markdown(results, sc_scores))
    findings.write(out, results)
    reports_root = os.path.dirname(os.path.abspath(out))
    latest = os.path.join(reports_root, "latest")
    if update_latest and os.path.basename(reports_root) == "reports":
        try:
            if os.path.islink(latest) or os.path.exists(latest):
                os.unlink(latest)
            os.symlink(os.path.basename(out), latest)
        except OSError:
            pass
    lines = summary_lines(sc_scores) + [""] + closing_lines(sc_scores)
    lines.append(f"report: {os.path.relpath(os.path.join(out, 'index.html'))}")
    return lines


__all__ = ["merge_partials", "write_all", "scores", "html"]
