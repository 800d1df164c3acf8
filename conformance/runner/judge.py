"""Judging one run: wire checks on what the fixture recorded, then graded
outcomes on what the adapter returned. Every verdict but pass carries a
one-line reason in "got X, expected Y" form.

Verdicts (DESIGN.md): pass, lenient, fail, unsupported, adapter_failure,
harness_failure, skipped_dependency.
"""
import base64
import hashlib
import re

from server_fixtures import to_bytes

VERDICTS = ["pass", "lenient", "fail", "unsupported", "adapter_failure", "harness_failure", "skipped_dependency"]
# for regression runs: how good a verdict is (higher is better)
RANK = {"pass": 5, "lenient": 4, "unsupported": 3, "skipped_dependency": 3, "fail": 1, "adapter_failure": 0,
        "harness_failure": -1}


def _b(text, ph):
    return to_bytes(str(text), ph)


def _s(text, ph):
    return to_bytes(str(text), ph).decode("utf-8", "replace")


def body_of(result):
    try:
        return base64.b64decode(result.get("body") or "")
    except (ValueError, TypeError):
        return b""


def describe_result(r):
    if not isinstance(r, dict):
        return "nothing"
    if r.get("outcome") == "error":
        e = r.get("error") or {}
        return f"error {e.get('class')} ({str(e.get('message', ''))[:90]})"
    b = body_of(r)
    shown = b[:24].decode("latin-1").encode("unicode_escape").decode()
    return f"response {r.get('status')} with {len(b)}-byte body \"{shown}{'...' if len(b) > 24 else ''}\""


def describe_outcome(o):
    if "error" in o:
        errs = o["error"] if isinstance(o["error"], list) else [o["error"]]
        return "error " + "/".join(errs)
    parts = [f"response {o.get('status', '?')}"]
    if "body" in o:
        parts.append(f"body \"{str(o['body'])[:24]}\"")
    if "body_len" in o:
        parts.append(f"{o['body_len']}-byte body")
    return " ".join(parts)


def header_values(result, name):
    return [v for n, v in result.get("headers") or [] if str(n).lower() == name.lower()]


def match_outcome(o, r, ph):
    """None when r matches outcome o, else the first mismatch in words."""
    if not isinstance(r, dict):
        return "no result"
    if "error" in o:
        errs = o["error"] if isinstance(o["error"], list) else [o["error"]]
        if r.get("outcome") != "error":
            return f"a response, not an error {'/'.join(errs)}"
        cls = (r.get("error") or {}).get("class")
        return None if cls in errs else f"error class {cls}, not {'/'.join(errs)}"
    if "status" in o:
        if r.get("outcome") != "response":
            return "an error, not a response"
        if r.get("status") != o["status"]:
            return f"status {r.get('status')}, not {o['status']}"
        body = body_of(r)
        if "body" in o and body != _b(o["body"], ph):
            return f"body {body[:40]!r}, not {_b(o['body'], ph)[:40]!r}"
        if "body_len" in o and len(body) != o["body_len"]:
            return f"body of {len(body)} bytes, not {o['body_len']}"
        if "body_sha256" in o and hashlib.sha256(body).hexdigest() != o["body_sha256"]:
            return "body digest differs"
        # an adapter leaves "reason" out when its client's API has none to give
        # (fasthttp, java.net.http): nothing to check then, not a wrong phrase
        if "reason" in o and "reason" in r and r["reason"] != o["reason"]:
            return f"reason {r.get('reason')!r}, not {o['reason']!r}"
        for name, want in (o.get("headers") or {}).items():
            vals = [str(v).strip() for v in header_values(r, name)]
            want = _s(want, ph)
            if want not in vals and ", ".join(vals) != want:
                return f"field {name} is {vals!r}, not {want!r}"
        for name in o.get("headers_lack") or []:
            if header_values(r, name):
                return f"field {name} present"
    subs = o.get("then") or []
    got = r.get("then") or []
    for i, so in enumerate(subs):
        if i >= len(got):
            return f"no result for follow-up {i + 1}"
        why = match_outcome(so, got[i], ph)
        if why:
            return f"follow-up {i + 1}: {why}"
    return None


def wire_problems(expect, transcript, ph):
    """Failed wire checks (the client's fault), in words."""
    out = [f"wire: {srv} connection {idx}: {msg}" for srv, idx, msg in transcript.violations]
    for srv, n in (expect.get("connections") or {}).items():
        got = len(transcript.connections(srv))
        if got != n:
            out.append(f"wire: {got} connection(s) to {srv}, expected {n}")
    for srv, n in (expect.get("requests") or {}).items():
        got = len(transcript.requests(srv))
        if got != n:
            out.append(f"wire: {got} request(s) to {srv}, expected {n}")
    for w in expect.get("wire") or []:
        srv = w.get("server", "origin")
        reqs = transcript.requests(srv)
        idx = w.get("request", 0)
        chosen = reqs if idx == "all" else reqs[idx:idx + 1] if isinstance(idx, int) else []
        if not chosen:
            if w.get("if_sent"):  # the request is checked only if it was sent: an outcome may refuse to send it
                continue
            out.append(f"wire: no request {idx} on {srv} (it got {len(reqs)})")
            continue
        for q in chosen:
            out += [f"wire: {srv} request: {m}" for m in _check_request(w, q, ph)]
    return out


def _check_request(w, q, ph):
    bad = []
    if "method" in w and q.method != w["method"]:
        bad.append(f"method {q.method}, expected {w['method']}")
    if "target" in w and q.target != _s(w["target"], ph):
        bad.append(f"target {q.target!r}, expected {_s(w['target'], ph)!r}")
    if "target_form" in w and q.target_form != w["target_form"]:
        bad.append(f"{q.target_form}-form target {q.target!r}, expected {w['target_form']}-form")
    if "version" in w and q.version != w["version"]:
        bad.append(f"version {q.version}, expected {w['version']}")
    for n in w.get("has", []):
        if q.get(n) is None:
            bad.append(f"no {n} field")
    for n in w.get("lacks", []):
        if q.get(n) is not None:
            bad.append(f"{n}: {q.get(n)!r} was sent, expected none")
    for n, v in (w.get("equals") or {}).items():
        if q.get(n) != _s(v, ph):
            bad.append(f"{n} is {q.get(n)!r}, expected {_s(v, ph)!r}")
    for n, rx in (w.get("matches") or {}).items():
        if q.get(n) is None or not re.search(rx, q.get(n)):
            bad.append(f"{n} is {q.get(n)!r}, expected to match /{rx}/")
    for n, c in (w.get("count") or {}).items():
        if len(q.get_all(n)) != c:
            bad.append(f"{len(q.get_all(n))} {n} field(s), expected {c}")
    if "body" in w and q.body != _b(w["body"], ph):
        bad.append(f"body {q.body[:40]!r}, expected {_b(w['body'], ph)[:40]!r}")
    if "first_field" in w and (not q.fields or q.fields[0][0].lower() != w["first_field"].lower()):
        bad.append(f"first field {q.fields[0][0] if q.fields else None!r}, expected {w['first_field']}")
    for s in w.get("raw_contains", []):
        if _b(s, ph) not in q.raw:
            bad.append(f"raw request lacks {s!r}")
    for s in w.get("raw_lacks", []):
        if _b(s, ph) in q.raw:
            bad.append(f"raw request contains {s!r}")
    if "chunked" in w and q.chunked != w["chunked"]:
        bad.append(f"body {'was' if q.chunked else 'was not'} chunked")
    return bad


def grade(sc, o, strict=False, rfc="9112"):
    g = o.get("grade", "pass")
    if rfc == "2616" and "grade_2616" in o:
        g = o["grade_2616"]
    if strict and g == "lenient" and sc.primary_ref["level"] in ("MUST", "MUST NOT", "SHOULD", "SHOULD NOT"):
        g = "fail"  # --strict: SHOULDs graded like MUSTs, no leniency credit
    return g


# error classes that are no refusal of what the server sent: the client never reached
# the server, or waited (a timeout where a rejection is asked is what CH-16 forbids)
NOT_A_REFUSAL = {"dns", "connect", "timeout", "unsupported"}


def judge(sc, result, transcript, ph, strict=False, rfc="9112"):
    """(verdict, reason) for one finished run."""
    return judge_full(sc, result, transcript, ph, strict, rfc)[:2]


def _refusal(sc, result, strict, rfc):
    """(grade, expected classes) when result is an error of another class where the
    scenario accepts an error: refusing is what such a MUST asks, and the class is a
    second, lower-level check (SHOULD). None when it is no refusal."""
    cls = (result.get("error") or {}).get("class") if result.get("outcome") == "error" else None
    if cls is None or cls in NOT_A_REFUSAL:
        return None
    errs = [o for o in sc.expect.get("outcomes", []) if "error" in o and not o.get("then")]
    if not errs:
        return None
    grades = [grade(sc, o, strict, rfc) for o in errs]
    best = max(grades, key=lambda g: RANK.get(g, 0))
    wanted = sorted({e for o in errs for e in (o["error"] if isinstance(o["error"], list) else [o["error"]])})
    return best, wanted


def judge_full(sc, result, transcript, ph, strict=False, rfc="9112"):
    """(verdict, reason, class_check): class_check is None, or {"got", "expected"} when
    the verdict credits a refusal whose error class is not one the scenario names."""
    if transcript.harness_errors:
        return "harness_failure", "fixture: " + transcript.harness_errors[0][:200], None
    if result.get("outcome") == "error" and (result.get("error") or {}).get("class") == "unsupported":
        return "unsupported", "adapter: " + str((result.get("error") or {}).get("message", ""))[:160], None
    problems = wire_problems(sc.expect, transcript, ph)
    if problems:
        return "fail", f"{problems[0]}" + (f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""), None
    mismatches = []
    for o in sc.expect.get("outcomes", []):
        why = match_outcome(o, result, ph)
        if why is None:
            g = grade(sc, o, strict, rfc)
            if g == "pass":
                return "pass", "", None
            note = o.get("note", "")
            return g, f"got {describe_result(result)}: {note or 'allowed, not strict'}", None
        mismatches.append(why)
    refused = _refusal(sc, result, strict, rfc)
    if refused:
        g, wanted = refused
        got = result["error"]["class"]
        return g, (f"refused as required, but error class {got}, not {'/'.join(wanted)} (the class check, "
                   f"SHOULD level, fails; the refusal passes)"), {"got": got, "expected": wanted}
    wanted = " or ".join(describe_outcome(o) for o in sc.expect.get("outcomes", []))
    return "fail", f"got {describe_result(result)}, expected {wanted}", None
