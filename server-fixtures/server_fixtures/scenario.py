"""Scenario files (SCHEMA.md): load, validate, and turn text into exact bytes.

Validation errors name the file, the field path and what was expected, so a
scenario author can fix the file without reading this code.
"""
import os
import re
import tomllib

LEVELS = {"MUST", "MUST NOT", "SHOULD", "SHOULD NOT", "MAY", "POLICY"}
CLASSES = {"dns", "connect", "timeout", "closed", "protocol", "too_many_redirects", "redirect_refused",
           "invalid_request", "limit", "tls", "unsupported", "other", "unclassified"}
ADDRESSES = {"origin": "127.0.0.1", "other": "127.0.0.2", "proxy": "127.0.0.3", "v6": "::1"}
STEP_KINDS = {"expect_request", "send", "send_head", "send_in_pieces", "send_repeat", "send_chunked_body", "pause",
              "shutdown_write", "close", "reset", "hang", "drain", "wait_close", "expect_silence", "tunnel", "branch",
              "violation"}
CERTS = ("good", "wrong-name", "untrusted")  # tls.py makes them
# checks on one request: expect_request's (a failed one is a violation) and a branch's `when` (a failed one
# only means "not this branch")
REQUEST_CHECKS = {"method", "target", "has", "lacks", "equals", "matches", "scheme"}
VARIANTS = {"bytewise", "split", "reset"}
REQUEST_KEYS = {"server", "path", "url", "userinfo", "method", "headers", "body", "body_repeat", "form", "redirect",
                "max_redirects", "proxy", "proxy_userinfo", "timeout_s", "capabilities", "then", "repeat"}
WIRE_KEYS = {"server", "request", "method", "target", "target_form", "version", "has", "lacks", "equals", "matches",
             "count", "body", "first_field", "raw_contains", "raw_lacks", "chunked", "if_sent"}
OUTCOME_KEYS = {"grade", "grade_2616", "note", "error", "status", "body", "body_len", "body_sha256", "headers",
                "headers_lack", "reason", "then"}


class ScenarioError(Exception):
    """A scenario file that does not follow SCHEMA.md."""

    def __init__(self, path, field, message):
        super().__init__(f"{path}: {field}: {message}")
        self.path, self.field, self.message = path, field, message


class Scenario:
    def __init__(self, path, data):
        self.path = path
        self.data = data
        self.id = data["id"]
        self.title = data["title"]
        self.description = data.get("description", "")
        self.refs = data["refs"]
        self.tags = data.get("tags", [])
        self.catalogue = data.get("catalogue", [])
        self.variants = data.get("variants", [])
        self.request = data.get("request", {})
        self.servers = data.get("servers", {})
        self.expect = data.get("expect", {})
        self.group = os.path.basename(os.path.dirname(path))

    @property
    def primary_ref(self):
        return self.refs[0]

    def __repr__(self):
        return f"<Scenario {self.id}>"


_ESC = re.compile(r"\{\{x:([0-9A-Fa-f]{2})\}\}")
_PH = re.compile(r"\{([a-z0-9_]+)\}")


def to_bytes(text, placeholders=None):
    """SCHEMA.md bytes: placeholders substituted, then UTF-8, then {{x:HH}} escapes."""
    if placeholders:
        text = _PH.sub(lambda m: str(placeholders.get(m.group(1), m.group(0))), text)
    parts = _ESC.split(text)
    out = bytearray()
    for i, p in enumerate(parts):
        out += bytes([int(p, 16)]) if i % 2 else p.encode("utf-8")
    return bytes(out)


def head_bytes(text, placeholders=None):
    """send_head: each LF of the head becomes CRLF and the empty line is added."""
    raw = to_bytes(text, placeholders)
    lines = raw.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    return b"".join(line.rstrip(b"\r") + b"\r\n" for line in lines) + b"\r\n"


class _V:
    """Field-path aware checks."""

    def __init__(self, path):
        self.path = path

    def fail(self, field, msg):
        raise ScenarioError(self.path, field, msg)

    def typ(self, value, types, field, what):
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in _as_tuple(types)):
            self.fail(field, f"expected {what}, got {type(value).__name__} {value!r:.60}")

    def keys(self, table, allowed, field):
        for k in table:
            if k not in allowed:
                self.fail(f"{field}.{k}" if field else k, f"unknown key (expected one of {', '.join(sorted(allowed))})")


def _as_tuple(t):
    return t if isinstance(t, tuple) else (t,)


def _check_step(v, step, field, servers=(), scripts=None):
    v.typ(step, dict, field, "a step table like { send = \"...\" }")
    kinds = [k for k in step if k in STEP_KINDS]
    if len(kinds) != 1:
        v.fail(field, f"a step has exactly one kind of {sorted(STEP_KINDS)}, got {sorted(step)}")
    kind = kinds[0]
    val = step[kind]
    f = f"{field}.{kind}"
    extra = {"send_head": {"body"}, "send_in_pieces": {"size", "delay_ms"}, "send_repeat": {"count"},
             "close": {"close_notify"}}.get(kind, set())
    v.keys(step, {kind} | extra, field)
    if kind in ("send", "send_head", "send_in_pieces", "send_repeat"):
        v.typ(val, str, f, "a string of bytes")
    if kind == "send_in_pieces":
        v.typ(step.get("size", 1), int, f"{field}.size", "an integer >= 1")
        if step.get("size", 1) < 1:
            v.fail(f"{field}.size", "expected an integer >= 1")
        v.typ(step.get("delay_ms", 0), (int, float), f"{field}.delay_ms", "a number of milliseconds")
    if kind == "send_repeat":
        v.typ(step.get("count"), int, f"{field}.count", "an integer count")
    if kind == "send_chunked_body":
        v.typ(val, dict, f, "a table { size = N, chunk = C, pattern = \"x\" }")
        v.keys(val, {"size", "chunk", "pattern"}, f)
        v.typ(val.get("size"), int, f"{f}.size", "an integer")
    if kind in ("pause", "hang", "drain", "wait_close", "expect_silence"):
        v.typ(val, (int, float), f, "a number of seconds")
        if val < 0 or val > 120:
            v.fail(f, "expected 0..120 seconds (every wait is bounded)")
    if kind in ("shutdown_write", "close", "reset"):
        v.typ(val, bool, f, "true")
    if "close_notify" in step:
        v.typ(step["close_notify"], bool, f"{field}.close_notify", "true or false")
    if kind == "expect_request":
        v.typ(val, dict, f, "a table of checks")
        v.keys(val, REQUEST_CHECKS | {"timeout_s", "optional"}, f)
    if kind in ("tunnel", "violation"):
        v.typ(val, str, f, "a server name" if kind == "tunnel" else "the client fault, in words")
        if kind == "tunnel" and val not in servers:
            v.fail(f, f"names no server in [servers] ({', '.join(sorted(servers))})")
    if kind == "branch":
        _check_branch(v, val, f, servers, scripts or {})


def _check_branch(v, branches, f, servers, scripts):
    v.typ(branches, list, f, "a list of { when = {...}, steps = [...] } tables")
    if not branches:
        v.fail(f, "a branch needs at least one choice")
    for bi, b in enumerate(branches):
        bf = f"{f}[{bi}]"
        v.typ(b, dict, bf, "a table { when = {...}, name = \"...\", steps = [...] }")
        v.keys(b, {"when", "name", "steps"}, bf)
        if "when" in b:
            v.typ(b["when"], dict, f"{bf}.when", "a table of request checks")
            v.keys(b["when"], REQUEST_CHECKS, f"{bf}.when")
        elif bi != len(branches) - 1:
            v.fail(bf, "only the last choice may omit `when` (it is the default)")
        steps = b.get("steps", [])
        if isinstance(steps, str):  # the name of one of the server's `scripts` (TOML inline tables are one line)
            if steps not in scripts:
                v.fail(f"{bf}.steps", f"names no script in this server's scripts ({', '.join(sorted(scripts))})")
            continue
        v.typ(steps, list, f"{bf}.steps", "a list of steps or the name of a script")
        for si, step in enumerate(steps):
            _check_step(v, step, f"{bf}.steps[{si}]", servers, scripts)


def _check_outcome(v, o, field, top=True):
    v.typ(o, dict, field, "an outcome table")
    v.keys(o, OUTCOME_KEYS, field)
    if top:
        if o.get("grade") not in ("pass", "lenient"):
            v.fail(f"{field}.grade", "expected \"pass\" or \"lenient\"")
        if "grade_2616" in o and o["grade_2616"] not in ("pass", "lenient", "fail"):
            v.fail(f"{field}.grade_2616", "expected \"pass\", \"lenient\" or \"fail\"")
    if "error" in o:
        errs = o["error"] if isinstance(o["error"], list) else [o["error"]]
        for e in errs:
            if e not in CLASSES:
                v.fail(f"{field}.error", f"unknown error class {e!r} (expected one of {', '.join(sorted(CLASSES))})")
        if "status" in o or "body" in o:
            v.fail(field, "an outcome is either an error or a response, not both")
    elif "status" not in o and not o.get("then"):
        v.fail(field, "an outcome needs error = \"class\" or status = N")
    for i, t in enumerate(o.get("then", [])):
        _check_outcome(v, t, f"{field}.then[{i}]", top=False)


def validate(path, d):
    v = _V(path)
    v.keys(d, {"id", "title", "description", "tags", "catalogue", "variants", "refs", "request", "servers", "expect",
                "mitmproxy"}, "")
    for k in ("id", "title"):
        if k not in d:
            v.fail(k, "required")
        v.typ(d[k], str, k, "a string")
    stem = os.path.splitext(os.path.basename(path))[0]
    if d["id"] != stem:
        v.fail("id", f"must equal the file name {stem!r}")
    refs = d.get("refs")
    if not refs:
        v.fail("refs", "at least one [[refs]] table is required")
    for i, r in enumerate(refs):
        v.keys(r, {"rfc", "section", "level", "quote"}, f"refs[{i}]")
        for k in ("rfc", "section", "level", "quote"):
            if k not in r:
                v.fail(f"refs[{i}].{k}", "required")
        if r["level"] not in LEVELS:
            v.fail(f"refs[{i}].level", f"expected one of {sorted(LEVELS)}")
    for x in d.get("variants", []):
        if x not in VARIANTS:
            v.fail("variants", f"unknown variant {x!r} (expected {sorted(VARIANTS)})")
    req = d.get("request", {})
    v.keys(req, REQUEST_KEYS, "request")
    for i, t in enumerate(req.get("then", [])):
        v.keys(t, REQUEST_KEYS - {"then", "repeat"}, f"request.then[{i}]")
    if "repeat" in req and (type(req["repeat"]) is not int or not 1 <= req["repeat"] <= 5):
        v.fail("request.repeat", "expected an integer from 1 to 5")
    for name, srv in d.get("servers", {}).items():
        f = f"servers.{name}"
        v.keys(srv, {"address", "connections", "extra_connections", "tls", "cert", "scripts"}, f)
        scripts = srv.get("scripts", {})
        v.typ(scripts, dict, f"{f}.scripts", "a table of named step lists")
        for sname, steps in scripts.items():
            v.typ(steps, list, f"{f}.scripts.{sname}", "a list of steps")
            for si, step in enumerate(steps):
                _check_step(v, step, f"{f}.scripts.{sname}[{si}]", d.get("servers", {}), scripts)
        v.typ(srv.get("tls", False), bool, f"{f}.tls", "true or false")
        if "cert" in srv and (srv["cert"] not in CERTS or not srv.get("tls")):
            v.fail(f"{f}.cert", f"expected one of {', '.join(CERTS)} on a server with tls = true")
        if name not in ADDRESSES and "address" not in srv:
            v.fail(f, f"unknown server name (origin, other, proxy, v6) and no address given")
        addr = srv.get("address", ADDRESSES.get(name))
        if not (addr.startswith("127.") or addr == "::1"):
            v.fail(f"{f}.address", "servers bind loopback only (127.0.0.0/8 or ::1)")
        conns = srv.get("connections", [])
        v.typ(conns, list, f"{f}.connections", "a list of connection scripts")
        for ci, script in enumerate(conns):
            v.typ(script, list, f"{f}.connections[{ci}]", "a list of steps")
            for si, step in enumerate(script):
                _check_step(v, step, f"{f}.connections[{ci}][{si}]", d.get("servers", {}), scripts)
        if srv.get("extra_connections", "fail") not in ("fail", "allow"):
            v.fail(f"{f}.extra_connections", "expected \"fail\" or \"allow\"")
    exp = d.get("expect", {})
    v.keys(exp, {"connections", "requests", "wire", "outcomes", "growth", "deadline"}, "expect")
    _check_timing(v, exp, d)
    for i, w in enumerate(exp.get("wire", [])):
        v.keys(w, WIRE_KEYS, f"expect.wire[{i}]")
    outs = exp.get("outcomes")
    if not outs:
        v.fail("expect.outcomes", "at least one [[expect.outcomes]] is required")
    for i, o in enumerate(outs):
        _check_outcome(v, o, f"expect.outcomes[{i}]")
    proxy = req.get("proxy")
    if proxy and proxy not in ("mitmproxy", "closed") and proxy not in d.get("servers", {}):
        v.fail("request.proxy", f"names no server in [servers] (and is not \"mitmproxy\" or \"closed\")")
    mitm = d.get("mitmproxy")
    if mitm is not None:
        v.keys(mitm, {"proxyauth"}, "mitmproxy")
        if proxy != "mitmproxy":
            v.fail("mitmproxy", "a [mitmproxy] table needs request.proxy = \"mitmproxy\"")
    srv = req.get("server", "origin")
    if "url" not in req and srv not in d.get("servers", {}):
        v.fail("request.server", f"server {srv!r} is not defined in [servers]")


TIMING_KEYS = {"growth": {"fraction", "slack", "floor_s", "repeats"}, "deadline": {"factor", "floor_s"}}


def _check_timing(v, exp, d):
    """[expect.growth] and [expect.deadline] (conformance/runner/timing.py): numbers only;
    growth needs a send_repeat to scale."""
    for name, keys in TIMING_KEYS.items():
        if name not in exp:
            continue
        v.typ(exp[name], dict, f"expect.{name}", "a table")
        v.keys(exp[name], keys, f"expect.{name}")
        for k, val in exp[name].items():
            v.typ(val, (int, float), f"expect.{name}.{k}", "a number")
            if val <= 0 or (k == "fraction" and val >= 1):
                v.fail(f"expect.{name}.{k}", "expected a positive number" + (" below 1" if k == "fraction" else ""))
    steps = [st for srv in d.get("servers", {}).values() for c in srv.get("connections", []) for st in c]
    if "growth" in exp and not any("send_repeat" in st for st in steps):
        v.fail("expect.growth", "needs a send_repeat step: its count is what the growth check scales")


def load_scenario(path):
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except tomllib.TOMLDecodeError as e:
        raise ScenarioError(path, "(toml)", str(e)) from None
    except OSError as e:
        raise ScenarioError(path, "(file)", str(e)) from None
    validate(path, data)
    return Scenario(path, data)


def find_scenarios(root):
    out = []
    for dp, _, files in os.walk(root):
        out += [os.path.join(dp, f) for f in files if f.endswith(".toml")]
    return sorted(out)
