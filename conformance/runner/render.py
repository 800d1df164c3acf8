"""index.html from results.json: self-contained (no network), one page.

Top: score bars per implementation (MUST and SHOULD pass rates, never one
number). Then the overview (RFC sections down, implementations across,
sortable), the differential view (scenarios where implementations read the
same bytes differently, grouped by how), and the matrix; every cell opens
its reason, the adapter result and both sides' bytes. `index.html?open=ID:impl`
opens one cell (used by the browser test).
"""
import base64
import html
import json
import re

from .lean import shown_bytes

COLOURS = {"pass": "#2e9d4b", "lenient": "#b5cf3c", "fail": "#d9453b", "unsupported": "#b9b9b9",
           "adapter_failure": "#8e44ad", "harness_failure": "#333", "skipped_dependency": "#e0e0e0"}
LEVEL_OF = {"MUST": "MUST", "MUST NOT": "MUST", "SHOULD": "SHOULD", "SHOULD NOT": "SHOULD", "MAY": "MAY",
            "POLICY": "POLICY"}


def _e(s):
    return html.escape(str(s), quote=True)


def _bytes_view(side):
    if not side:
        return ""
    head, rest = shown_bytes(side)
    if head is not None:  # a lean side: its first and last bytes, its length and hash
        return (head.encode("unicode_escape").decode("ascii").replace("\\n", "\\n\n")
                + rest.encode("unicode_escape").decode("ascii").replace("\\n", "\\n\n"))
    if "text" in side:
        raw = side["text"]
    else:
        try:
            raw = base64.b64decode(side.get("base64", "")).decode("latin-1")
        except ValueError:
            raw = ""
    raw = raw[:1500] + (" ...[cut]" if len(raw) > 1500 else "")
    return raw.encode("unicode_escape").decode("ascii").replace("\\n", "\\n\n")  # one line per line end


def _sort_key(s):
    return [int(x) if x.isdigit() else x for x in re.findall(r"\d+|\D+", s)]


def _detail(key, impl, r):
    parts = [f"<h3>{_e(key)} — {_e(impl)}: <span class='v {_e(r['verdict'])}'>{_e(r['verdict'])}</span></h3>"]
    if r.get("timing_dependent"):
        parts.append(f"<p class='bad'>timing-dependent: this client's verdict on this scenario moves between "
                     f"runs; seen: {_e(', '.join(r['timing_dependent']))} (conformance/expectations/{_e(impl)}.toml)</p>")
    if r.get("reason"):
        parts.append(f"<p>{_e(r['reason'])}</p>")
    if r.get("class_check"):
        c = r["class_check"]
        parts.append(f"<p class='bad'>class check: error class {_e(c['got'])}, expected "
                     f"{_e('/'.join(c['expected']))}</p>")
    if r.get("got"):
        parts.append(f"<p>got: {_e(r['got'])}</p>")
    t = r.get("transcript") or {}
    for c in t.get("connections", [])[:4]:
        parts.append(f"<h4>{_e(c['server'])} connection {c['index']}: client sent</h4>"
                     f"<pre>{_e(_bytes_view(c.get('client_sent')))}</pre>"
                     f"<h4>server sent ({c.get('server_sent_len', 0)} bytes)</h4>"
                     f"<pre>{_e(_bytes_view(c.get('server_sent')))}</pre>")
    for v in (t.get("violations") or [])[:5]:
        parts.append(f"<p class='bad'>wire: {_e(v)}</p>")
    if r.get("proxy_flows"):
        parts.append(f"<h4>through mitmdump (both legs)</h4><pre>{_e(json.dumps(r['proxy_flows'], indent=1)[:3000])}"
                     f"</pre>")
    res = r.get("result")
    if res:
        shown = dict(res)
        if isinstance(shown.get("body"), str) and len(shown["body"]) > 400:
            shown["body"] = shown["body"][:400] + "..."
        parts.append(f"<h4>adapter result</h4><pre>{_e(json.dumps(shown, indent=1)[:4000])}</pre>")
    return "".join(parts)


def render_html(results, sc_scores):
    scen = results["scenarios"]
    impls = results["implementations"]
    names = list(impls)
    cell_css = "".join(f"td.c.{v}{{background:{c}}}" for v, c in COLOURS.items())
    out = [PAGE_HEAD.replace("%(cellcolours)s", cell_css), f"<h1>httpref conformance</h1><p class='meta'>harness {_e(results['run'].get('harness_commit'))}"
           f", {_e(results['run'].get('date'))}, graded by RFC {_e(results['run'].get('rfc'))}. "
           f"{len(scen)} scenarios x {len(names)} implementations.</p>"]
    # score bars
    out.append("<h2>Scores</h2><table class='bars'><tr><th>implementation</th><th>version</th><th>MUST</th>"
               "<th>SHOULD</th><th>MAY / POLICY</th><th title='refusals graded pass whose error class is not the "
               "scenario&#39;s (marked * in the matrix)'>error class</th><th>counts</th></tr>")
    for n in names:
        s = sc_scores.get(n, {})
        cells = []
        for lv in ("MUST", "SHOULD"):
            b = s.get("by_level", {}).get(lv)
            rate = b["pass_rate"] if b and b["pass_rate"] is not None else 0
            cells.append(f"<td><div class='bar'><div style='width:{rate * 100:.0f}%'></div></div>"
                         f"{b['pass'] if b else 0}/{b['total'] if b else 0}</td>")
        other = [s.get("by_level", {}).get(lv) for lv in ("MAY", "POLICY")]
        op = sum(b["pass"] for b in other if b)
        ot = sum(b["total"] for b in other if b)
        counts = ", ".join(f"{k} {v}" for k, v in sorted(s.get("counts", {}).items()))
        out.append(f"<tr><td>{_e(n)}</td><td>{_e(impls[n].get('version'))}</td>{''.join(cells)}"
                   f"<td>{op}/{ot}</td><td>{s.get('class_mismatch', 0)} wrong</td>"
                   f"<td class='small'>{_e(counts)}</td></tr>")
    out.append("</table>")
    # overview by RFC section
    sections = sorted({k for s in sc_scores.values() for k in s.get("by_section", {})}, key=_sort_key)
    out.append("<h2>Overview by RFC section</h2><p class='small'>pass rate of MUST+SHOULD+MAY+POLICY scenarios "
               "whose primary reference is that section; click a header to sort.</p><table id='overview' "
               "class='sortable'><thead><tr><th>section</th>" + "".join(f"<th>{_e(n)}</th>" for n in names)
               + "</tr></thead><tbody>")
    for sec in sections:
        row = [f"<td>{_e(sec)}</td>"]
        for n in names:
            b = sc_scores.get(n, {}).get("by_section", {}).get(sec)
            if b and b["total"]:
                r = b["pass"] / b["total"]
                row.append(f"<td data-v='{r:.3f}' style='background:hsl({int(r * 120)},60%,80%)'>"
                           f"{b['pass']}/{b['total']}</td>")
            else:
                row.append("<td data-v='-1'>-</td>")
        out.append("<tr>" + "".join(row) + "</tr>")
    out.append("</tbody></table>")
    # differential view
    groups = {}
    for key in sorted({k for d in impls.values() for k in d["results"]}, key=_sort_key):
        got = {}
        for n in names:
            r = impls[n]["results"].get(key)
            if r and r.get("got") and r["verdict"] not in ("unsupported", "skipped_dependency"):
                g = re.sub(r"\(.*\)", "", r["got"]).strip()
                g = re.sub(r" with \d+-byte body .*", "", g) if g.startswith("response") else g
                got.setdefault(g, []).append(n)
        if len(got) > 1:
            sig = " | ".join(sorted(got))
            groups.setdefault(sig, []).append((key, got))
    out.append(f"<h2>Where implementations disagree</h2><p class='small'>{sum(len(v) for v in groups.values())} "
               "scenarios where the same bytes got different outcomes, grouped by the kinds of reading.</p>")
    for sig, items in sorted(groups.items(), key=lambda kv: -len(kv[1]))[:40]:
        out.append(f"<details><summary>{len(items)} scenarios: {_e(sig)}</summary><ul>")
        for key, got in items:
            title = scen.get(key.split("~")[0], {}).get("title", "")
            out.append(f"<li><a href='#row-{_e(key)}'>{_e(key)}</a> {_e(title)}: "
                       + "; ".join(f"<b>{_e(g)}</b>: {_e(', '.join(ns))}" for g, ns in sorted(got.items())) + "</li>")
        out.append("</ul></details>")
    # matrix
    by_section = {}
    keys = sorted({k for d in impls.values() for k in d["results"]}, key=_sort_key)
    for key in keys:
        sc = scen.get(key.split("~")[0], {"refs": [{"rfc": "?", "section": "?"}], "title": ""})
        ref = sc["refs"][0]
        by_section.setdefault(f"RFC {ref['rfc']} §{ref['section']}", []).append((key, sc))
    cols = ("<colgroup><col style='width:30em'><col style='width:5em'><col style='width:11em'>"
            + "<col style='width:4.2em'>" * len(names) + "</colgroup>")
    width = f" style='--mxw:{46 + 4.2 * len(names):.1f}em'"
    out.append("<h2>Matrix</h2><p class='small'>Each implementation's MUST and SHOULD failures, most severe first, "
               "with the commands that reproduce them: <a href='findings.html'>findings</a>. <i>who fails</i>: "
               "the implementations failing a scenario. A dotted cell marked ~ is timing-dependent: that client's "
               "verdict moves between runs, and its title names every verdict seen. A cell marked * refused as the "
               "requirement asks with an error class other than the scenario's: the refusal passes, the class "
               "check (SHOULD level) does not.</p><div id='matrix'" + width + "><table class='mx'>" + cols
               + "<thead><tr><th>scenario</th><th>level</th><th>who fails</th>"
               + "".join(f"<th>{_e(n)}</th>" for n in names) + "</tr></thead></table>")
    details = {}
    for sec in sorted(by_section, key=_sort_key):
        # one table per RFC section with fixed column widths (they line up under the
        # header), each skipped by layout until scrolled near: a single 5000-cell table
        # took most of the main job's page load (1-3 s)
        out.append(f"<div class='mxs' style='contain-intrinsic-size:auto {22 * (len(by_section[sec]) + 1)}px'>"
                   f"<table class='mx'>{cols}<tr class='sec'><td colspan='{len(names) + 3}'>{_e(sec)}</td></tr>")
        for key, sc in by_section[sec]:
            level = LEVEL_OF.get(sc["refs"][0].get("level"), "")
            proxy = " <span class='tag'>proxy</span>" if sc.get("proxy") else ""
            row = [f"<td id='row-{_e(key)}' data-key='{_e(key)}'><b>{_e(key)}</b>{proxy} <span class='small'>{_e(sc['title'])}</span>"
                   f"</td><td>{_e(level)}</td>"]
            failing = [n for n in names if (impls[n]["results"].get(key) or {}).get("verdict") == "fail"]
            row.append(f"<td class='small' title='{_e(', '.join(failing))}'>{len(failing)}/{len(names)}"
                       f"{': ' + _e(', '.join(failing[:3])) + (' ...' if len(failing) > 3 else '') if failing else ''}"
                       "</td>")
            for n in names:
                r = impls[n]["results"].get(key)
                if not r:
                    row.append("<td></td>")
                    continue
                cid = f"{key}:{n}"
                # the least markup per cell (5000 of them): the colour from the class, the
                # id from the row and column (PAGE_SCRIPT), a title only with a reason
                why = r.get("reason", "")[:200]
                seen = r.get("timing_dependent")
                if seen:
                    why = f"timing-dependent, seen: {', '.join(seen)}. {why}"
                title = f" title='{_e(why)}'" if why else ""
                td = " td" if seen else ""
                mark = "~" if seen else ""
                if r.get("class_check"):  # refused as required, with another error class
                    mark += "*"
                row.append(f"<td class='c {_e(r['verdict'])}{td}'{title}>{mark}{_e(r['verdict'][:4])}</td>")
                details[cid] = _detail(key, n, r)
            out.append("<tr>" + "".join(row) + "</tr>")
        out.append("</table></div>")
    # each cell's detail is HTML inside one JSON script block, parsed on the first click:
    # as hidden divs, the main job's 5000 of them were 5 MB of DOM built at every load
    out.append("</div><div id='panel'><button onclick='closePanel()'>close</button>"
               "<div id='panelbody'></div></div><script type='application/json' id='details'>"
               + json.dumps(details).replace("</", "<\\/") + "</script>")
    out.append(PAGE_SCRIPT.replace("%(names)s", json.dumps(names).replace("</", "<\\/")))
    return "\n".join(out)


PAGE_HEAD = """<!doctype html><html><head><meta charset="utf-8"><title>httpref conformance</title><style>
body{font:14px system-ui,sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:2px 6px;text-align:left}
th{background:#f3f3f3;cursor:pointer}.small{font-size:12px;color:#555}.meta{color:#555}
.bar{display:inline-block;width:120px;height:10px;background:#eee;margin-right:6px}.bar div{height:10px;background:#2e9d4b}
#matrix td.c{cursor:pointer;color:#fff;font-size:11px;text-align:center}
#matrix td.c.td{outline:2px dotted #000;outline-offset:-3px}
%(cellcolours)s
table.mx{table-layout:fixed;margin:0;width:var(--mxw)}.mx td{overflow:hidden}.mx th{overflow-wrap:anywhere;font-size:12px}
.mxs{content-visibility:auto}
tr.sec td{background:#e8eef7;font-weight:bold}.tag{background:#36c;color:#fff;border-radius:3px;padding:0 3px;font-size:10px}
#panel{display:none;position:fixed;right:0;top:0;width:48%;height:100%;overflow:auto;background:#fff;
border-left:2px solid #888;padding:1em;box-shadow:-4px 0 12px #0003}#panel.open{display:block}
pre{background:#f7f7f7;padding:.5em;white-space:pre-wrap;word-break:break-all;font-size:12px}.bad{color:#b00}
.v{padding:0 4px;color:#fff;border-radius:3px}.v.pass{background:#2e9d4b}.v.fail{background:#d9453b}
.v.lenient{background:#b5cf3c}.v.unsupported{background:#999}.v.adapter_failure{background:#8e44ad}
</style></head><body>"""

PAGE_SCRIPT = """<script>
var DETAILS=null;
function openCell(id){if(!DETAILS)DETAILS=JSON.parse(document.getElementById('details').textContent);
var h=DETAILS[id];if(h===undefined)return false;
document.getElementById('panelbody').innerHTML=h;document.getElementById('panel').className='open';
document.body.setAttribute('data-open',id);return true}
function closePanel(){document.getElementById('panel').className='';document.body.removeAttribute('data-open')}
var NAMES=%(names)s;
document.getElementById('matrix').addEventListener('click',function(e){var c=e.target.closest('td.c');
if(c)openCell(c.parentNode.cells[0].getAttribute('data-key')+':'+NAMES[c.cellIndex-3])});
document.querySelectorAll('table.sortable th').forEach(function(th,i){th.addEventListener('click',function(){
var tb=th.closest('table').tBodies[0],rows=[].slice.call(tb.rows),asc=th.getAttribute('data-asc')!=='1';
rows.sort(function(a,b){var x=a.cells[i].getAttribute('data-v')||a.cells[i].textContent,
y=b.cells[i].getAttribute('data-v')||b.cells[i].textContent;var nx=parseFloat(x),ny=parseFloat(y);
if(!isNaN(nx)&&!isNaN(ny))return asc?nx-ny:ny-nx;return asc?x.localeCompare(y):y.localeCompare(x)});
rows.forEach(function(r){tb.appendChild(r)});th.setAttribute('data-asc',asc?'1':'0')})});
var m=location.search.match(/[?&]open=([^&]+)/);if(m)openCell(decodeURIComponent(m[1]));
// the load time, for the browser self-test's bound on a main job's page
window.addEventListener('load',function(){document.body.setAttribute('data-load-ms',Math.round(performance.now()))});
</script></body></html>"""
