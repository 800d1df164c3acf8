"""tools/mutate's report: mutants.json (the source of truth), table.md and
index.html rendered from it, and the summary printed at the end."""
import html
import json
import os

import mutate_lib as ml

LABEL = {"killed": "killed", "weak": "weak", "survived": "survived", "did_not_build": "no build",
         "equivalent": "equivalent", "stale": "stale"}


def _table_lines(table, total):
    head = "| module | " + " | ".join(LABEL[c] for c in ml.CLASSES) + " | strongly killed |"
    lines = [head, "|" + "---|" * (len(ml.CLASSES) + 2)]
    for mod, t in list(table.items()) + [("**all**", total)]:
        rate = ml.kill_rate(t)
        scored = t["killed"] + t["weak"] + t["survived"]
        lines.append(f"| {mod} | " + " | ".join(str(t[c]) for c in ml.CLASSES) +
                     f" | {t['killed']}/{scored} ({100 * rate:.0f} %) |")
    return lines


def _killers(r, n=6):
    ks = [k for k, _ in r.get("killed_by", [])]
    return ", ".join(ks[:n]) + (f" (+{len(ks) - n})" if len(ks) > n else "")


def _mutant_lines(rows):
    lines = ["| mutant | module | class | killed by | intent |", "|---|---|---|---|---|"]
    for r in rows:
        extra = r.get("equivalent") or r.get("note") or ""
        if r["class"] == "weak":
            extra = "; ".join(k for k, _ in r.get("weak", [])[:4]) + (f" {extra}" if extra else "")
        lines.append(f"| {r['id']}{' (sec)' if r.get('security') else ''} | {r['module']} | {LABEL[r['class']]} | "
                     f"{_killers(r)} | {r['intent']}{' — ' + extra[:200] if extra else ''} |".replace("\n", " "))
    return lines


def write(out, run, rows):
    """Write the three files; return the summary text."""
    table, total = ml.summarize(rows)
    sec_left = [r["id"] for r in rows if r.get("security") and r["class"] in ("survived", "weak")]
    doc = {"run": run, "summary": table, "total": total, "strong_kill_rate": round(ml.kill_rate(total), 4),
           "security_not_strongly_killed": sec_left, "mutants": rows}
    with open(os.path.join(out, "mutants.json"), "w") as f:
        json.dump(doc, f, indent=1)
    load = f"load average {run['load_start'][0]:.2f} at start, {run['load_end'][0]:.2f} at end, {run['cpus']} CPUs"
    head = [f"# Mutants: {run['date']} (commit {run['commit']})", "",
            f"{len(rows)} mutants in {run['wall_s']:.0f} s ({load}, {run['workers']} catalogue workers).",
            f"Strongly killed: {100 * ml.kill_rate(total):.1f} % of the mutants that built and are not equivalent.",
            f"Security-relevant mutants not strongly killed: {', '.join(sec_left) or 'none'}.", ""]
    md = head + _table_lines(table, total) + ["", "## Every mutant", ""] + _mutant_lines(rows)
    with open(os.path.join(out, "table.md"), "w") as f:
        f.write("\n".join(md) + "\n")
    with open(os.path.join(out, "index.html"), "w") as f:
        f.write(_html(head, table, total, rows))
    return "\n".join(head[2:5] + _table_lines(table, total))


def _html(head, table, total, rows):
    e = html.escape
    cells = "".join(f"<th>{e(LABEL[c])}</th>" for c in ml.CLASSES)
    trs = []
    for mod, t in list(table.items()) + [("all", total)]:
        scored = t["killed"] + t["weak"] + t["survived"]
        trs.append(f"<tr><th>{e(mod)}</th>" + "".join(f"<td>{t[c]}</td>" for c in ml.CLASSES) +
                   f"<td>{t['killed']}/{scored}</td></tr>")
    mrows = []
    for r in rows:
        killers = "<br>".join(f"<b>{e(k)}</b> {e(w[:140])}" for k, w in r.get("killed_by", [])[:5])
        weak = "<br>".join(f"{e(k)} {e(w[:140])}" for k, w in r.get("weak", [])[:3])
        mrows.append(f"<tr class='{r['class']}'><td>{e(r['id'])}{' &#9888;' if r.get('security') else ''}</td>"
                     f"<td>{e(r['module'])}</td><td>{e(LABEL[r['class']])}</td><td>{e(r['intent'])}<br>"
                     f"<small>{e(r['requirement'])}</small></td><td>{killers or weak}"
                     f"<br><small>{e(r.get('equivalent') or r.get('note') or '')[:400]}</small></td></tr>")
    return ("<!doctype html><meta charset=utf-8><title>httpref mutants</title><style>"
            "body{font:14px sans-serif;margin:1em}table{border-collapse:collapse}td,th{border:1px solid #ccc;"
            "padding:3px 6px;vertical-align:top}.killed td:nth-child(3){background:#cfc}.weak td:nth-child(3)"
            "{background:#ffc}.survived td:nth-child(3){background:#fcc}.stale td:nth-child(3){background:#ddd}"
            "</style>" + "".join(f"<p>{e(h.lstrip('# '))}</p>" for h in head if h) +
            f"<table><tr><th>module</th>{cells}<th>strongly killed</th></tr>{''.join(trs)}</table>"
            "<h2>Every mutant</h2><table><tr><th>mutant</th><th>module</th><th>class</th><th>intent / requirement"
            f"</th><th>killed by (first 5) / weak / note</th></tr>{''.join(mrows)}</table>")
