"""findings.html and findings.md: what a client's maintainer can act on.

For each implementation, its MUST and SHOULD failures, most severe first
(message framing and smuggling, then credential leaks, then other hostile-server
cases, then the rest), grouped by RFC section. Each finding quotes the
requirement, shows what the server sent in short form, what the client did and
what it should have done, who else fails the same scenario, and two commands
that reproduce it: through the runner, and the fixture alone.

A refusal graded pass whose error class is not the scenario's (result
"class_check") is listed last, as a SHOULD-level finding of its own.

Generated from results.json and the scenario files only; never edited.
"""
import html
import os
import re
import tomllib

from .judge import describe_outcome

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LEVELS = {"MUST": "MUST", "MUST NOT": "MUST", "SHOULD": "SHOULD", "SHOULD NOT": "SHOULD"}
SEVERITY = ["message framing / request smuggling", "credential leak", "hostile server (resources, limits)",
            "other", "error class only (refused as required; the class, a SHOULD-level check, differs)"]
CLASS_ONLY = len(SEVERITY) - 1
SHORT_SEND = 160   # characters of server bytes shown per connection


def _e(s):
    return html.escape(str(s), quote=True)


def severity(sc):
    """Index into SEVERITY: framing errors let a response be read two ways (smuggling,
    cache poisoning), credential leaks hand secrets to another origin; both come first."""
    tags = set(sc.get("tags") or [])
    text = " ".join([sc.get("title", "")] + [r.get("quote", "") for r in sc.get("refs", [])]).lower()
    if sc.get("group") in ("framing", "chunked") or "framing" in tags or "smuggl" in text:
        return 0
    if re.search(r"credential|authorization|userinfo|cookie|password", text) and (
            sc.get("group") in ("auth", "redirect", "proxy") or "security" in tags):
        return 1
    if tags & {"security", "hostile", "large"}:
        return 2
    return 3


def _load(path):
    try:
        with open(os.path.join(ROOT, path), "rb") as f:
            return tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError):
        return {}


def _printable(s):
    return s.encode("unicode_escape").decode("ascii")


def server_short(doc):
    """The scripted server side, one line per connection: raw bytes escaped, repeats as 'X' x N."""
    lines = []
    for name, srv in (doc.get("servers") or {}).items():
        for i, conn in enumerate(srv.get("connections") or []):
            parts = []
            for step in conn:
                if "send" in step:
                    parts.append(_printable(str(step["send"])))
                elif "send_head" in step:
                    head = str(step["send_head"]).replace("\n", "\r\n") + "\r\n"
                    parts.append(_printable(head + str(step.get("body", ""))))
                elif "send_in_pieces" in step:
                    parts.append(_printable(str(step["send_in_pieces"])))
                elif "send_repeat" in step:
                    parts.append(f"[{_printable(str(step['send_repeat']))!r} x {step.get('count', 1)}]")
                elif "send_chunked_body" in step:
                    parts.append(f"[chunked body of {step['send_chunked_body'].get('size')} bytes]")
                elif step.keys() & {"close", "reset", "pause", "shutdown_write", "hang"}:
                    k = next(iter(step.keys() & {"close", "reset", "pause", "shutdown_write", "hang"}))
                    parts.append(f"<{k}>" if step[k] is True else f"<{k} {step[k]}>")
            text = "".join(parts)
            if len(text) > SHORT_SEND:
                text = text[:SHORT_SEND] + "..."
            lines.append(f"{name}#{i}: {text}" if text else f"{name}#{i}: (sends nothing)")
    return lines


def should_have(doc):
    outs = (doc.get("expect") or {}).get("outcomes") or []
    good = [describe_outcome(o) for o in outs if o.get("grade", "pass") == "pass"]
    lenient = [describe_outcome(o) for o in outs if o.get("grade") == "lenient"]
    text = " or ".join(good) if good else "see the wire checks"
    return text + (f" (tolerated: {' or '.join(lenient)})" if lenient else "")


def collect(results):
    """{impl: [finding dict]}, each impl's list sorted by severity, level, section, id."""
    scen = results["scenarios"]
    impls = results["implementations"]
    fails_of = {}
    for name, d in impls.items():
        for key, r in d["results"].items():
            if r["verdict"] == "fail" and "~" not in key:
                fails_of.setdefault(key, []).append(name)
    docs = {}
    out = {}
    for name, d in impls.items():
        found = []
        for key, r in d["results"].items():
            cc = r.get("class_check")
            if (r["verdict"] != "fail" and not cc) or "~" in key:   # variants repeat their base scenario
                continue
            sc = scen.get(key, {})
            ref = (sc.get("refs") or [{}])[0]
            level = "SHOULD" if cc and r["verdict"] != "fail" else LEVELS.get(ref.get("level"))
            if not level:
                continue
            if sc.get("file") not in docs:
                docs[sc.get("file")] = _load(sc.get("file") or "")
            doc = docs[sc.get("file")]
            found.append({
                "id": key, "title": sc.get("title", ""), "level": level, "sev": severity(sc),
                "section": f"RFC {ref.get('rfc')} §{ref.get('section')}", "quote": ref.get("quote", ""),
                "server": server_short(doc), "did": r.get("got") or r.get("reason", ""),
                "reason": r.get("reason", ""), "should": should_have(doc),
                **({"sev": CLASS_ONLY, "title": f"error class: {sc.get('title', '')}",
                    "should": f"error class {'/'.join(cc['expected'])}"} if level == "SHOULD" and cc else {}),
                "others": sorted(n for n in fails_of.get(key, []) if n != name),
                "file": sc.get("file", ""),
            })
        found.sort(key=lambda f: (f["sev"], _section_key(f["section"]), f["level"] != "MUST", _section_key(f["id"])))
        out[name] = found
    return out


def _section_key(s):
    return [int(x) if x.isdigit() else x for x in re.findall(r"\d+|\D+", s)]


def _repro(impl, f):
    return (f"tools/conformance --impl {impl} --scenario {f['id']} --no-variants",
            f"PYTHONPATH=server-fixtures /usr/bin/python3 -m server_fixtures serve {f['file']}")


def render_md(results, found):
    lines = ["# Findings", "",
             "Each implementation's MUST and SHOULD failures, most severe first. Generated from "
             f"results.json (harness {results['run'].get('harness_commit')}, graded by RFC "
             f"{results['run'].get('rfc')}).", ""]
    for impl, items in found.items():
        must = sum(1 for f in items if f["level"] == "MUST")
        lines += [f"## {impl} {results['implementations'][impl].get('version', '')}", "",
                  f"{must} MUST and {len(items) - must} SHOULD failures." if items else "No MUST or SHOULD failure.", ""]
        current = None
        for f in items:
            head = f"{SEVERITY[f['sev']]}: {f['section']}"
            if head != current:
                lines += [f"### {head}", ""]
                current = head
            run, fixture = _repro(impl, f)
            lines += [f"- **{f['id']}** ({f['level']}) {f['title']}",
                      f"  - requirement: \"{f['quote']}\"",
                      *[f"  - server sent: `{s}`" for s in f["server"][:3]],
                      f"  - {impl} did: {f['did']}",
                      f"  - it should have: {f['should']}",
                      f"  - also failing: {', '.join(f['others']) or 'no other implementation'}",
                      f"  - reproduce: `{run}`; fixture alone: `{fixture}`", ""]
        lines.append("")
    return "\n".join(lines) + "\n"


def render_html(results, found):
    out = [FINDINGS_HEAD, "<h1>Findings</h1><p class='meta'>Each implementation's MUST and SHOULD failures, most "
           f"severe first; harness {_e(results['run'].get('harness_commit'))}, graded by RFC "
           f"{_e(results['run'].get('rfc'))}. <a href='index.html'>the matrix</a></p><ul>"]
    for impl, items in found.items():
        out.append(f"<li><a href='#impl-{_e(impl)}'>{_e(impl)}</a>: {len(items)}</li>")
    out.append("</ul>")
    for impl, items in found.items():
        out.append(f"<h2 id='impl-{_e(impl)}'>{_e(impl)} <span class='meta'>"
                   f"{_e(results['implementations'][impl].get('version', ''))}</span></h2>")
        if not items:
            out.append("<p>No MUST or SHOULD failure.</p>")
        current = None
        for f in items:
            head = f"{SEVERITY[f['sev']]}: {f['section']}"
            if head != current:
                out.append(f"<h3 class='sev{f['sev']}'>{_e(head)}</h3>")
                current = head
            run, fixture = _repro(impl, f)
            others = ", ".join(f"<a href='#impl-{_e(o)}'>{_e(o)}</a>" for o in f["others"]) or "no other implementation"
            out.append(
                f"<div class='f'><b><a href='index.html?open={_e(f['id'])}:{_e(impl)}'>{_e(f['id'])}</a></b> "
                f"<span class='lv'>{_e(f['level'])}</span> {_e(f['title'])}"
                f"<blockquote>{_e(f['quote'])}</blockquote><table>"
                f"<tr><th>server sent</th><td><code>{'<br>'.join(_e(s) for s in f['server'][:3])}</code></td></tr>"
                f"<tr><th>{_e(impl)} did</th><td>{_e(f['did'])}</td></tr>"
                f"<tr><th>should have</th><td>{_e(f['should'])}</td></tr>"
                f"<tr><th>also failing</th><td>{others}</td></tr>"
                f"<tr><th>reproduce</th><td><code>{_e(run)}</code><br><code>{_e(fixture)}</code></td></tr>"
                "</table></div>")
    out.append("</body></html>")
    return "\n".join(out)


def write(out_dir, results):
    found = collect(results)
    with open(os.path.join(out_dir, "findings.md"), "w") as f:
        f.write(render_md(results, found))
    with open(os.path.join(out_dir, "findings.html"), "w") as f:
        f.write(render_html(results, found))
    return found


FINDINGS_HEAD = """<!doctype html><html><head><meta charset="utf-8"><title>httpref findings</title><style>
body{font:14px system-ui,sans-serif;margin:1.5em;color:#222;max-width:70em}.meta{color:#555;font-weight:normal}
.f{border-left:3px solid #d9453b;padding:.2em .8em;margin:.8em 0}blockquote{color:#444;margin:.3em 1em;font-style:italic}
table{border-collapse:collapse}th{text-align:left;padding-right:1em;vertical-align:top;color:#555;font-weight:normal}
code{font-size:12px;word-break:break-all}.lv{background:#d9453b;color:#fff;border-radius:3px;padding:0 4px;font-size:11px}
h3.sev0{color:#a00}h3.sev1{color:#b40}
</style></head><body>"""
