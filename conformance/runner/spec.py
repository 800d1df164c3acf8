"""The adapter request spec (DESIGN.md "Adapter protocol") built from a
scenario's [request] table and the live fixture URLs."""
import base64

from server_fixtures import to_bytes


def _text(value, ph):
    # strings reach adapters as JSON text; bytes that are not UTF-8 are replaced
    return to_bytes(str(value), ph).decode("utf-8", "replace")


def _with_userinfo(base, userinfo):
    scheme, rest = base.split("://", 1)
    return f"{scheme}://{userinfo}@{rest}"


def build_spec(sc, req, run, mitm_url=None):
    ph = run.placeholders
    if "url" in req:
        url = _text(req["url"], ph)
    else:
        base = run.base(req.get("server", "origin"))
        if "userinfo" in req:
            base = _with_userinfo(base, _text(req["userinfo"], ph))
        url = base + _text(req.get("path", "/"), ph)
    spec = {"url": url, "timeout_s": req.get("timeout_s", 10)}
    if run.ca_file:  # some server speaks TLS: the per-run CA every client must verify against
        spec["ca_file"] = run.ca_file
    if "method" in req:
        spec["method"] = _text(req["method"], ph)
    if "headers" in req:
        spec["headers"] = [[_text(n, ph), _text(v, ph)] for n, v in req["headers"]]
    if "body" in req:
        spec["body"] = base64.b64encode(to_bytes(req["body"], ph)).decode()
    elif "body_repeat" in req:
        r = req["body_repeat"]
        spec["body"] = base64.b64encode(to_bytes(r.get("pattern", "a"), ph) * int(r.get("count", 1))).decode()
    for k in ("form", "redirect", "max_redirects"):
        if k in req:
            spec[k] = req[k]
    if "proxy" in req:
        if req["proxy"] == "mitmproxy":
            base = mitm_url
        elif req["proxy"] == "closed":  # a proxy nobody listens on: connection refused
            base = f"http://127.0.0.1:{ph['closed_port']}"
        else:
            base = run.base(req["proxy"])
        if "proxy_userinfo" in req:
            base = _with_userinfo(base, _text(req["proxy_userinfo"], ph))
        spec["proxy"] = base
    caps = list(req.get("capabilities", []))
    if caps:
        spec["capabilities_required"] = caps
    if "then" in req:
        inherit = {k: v for k, v in req.items() if k in ("server", "proxy", "proxy_userinfo", "timeout_s")}
        spec["then"] = [build_spec(sc, dict(inherit, **t), run, mitm_url) for t in req["then"]]
    return spec


def required_capabilities(sc):
    req = sc.request
    caps = set(req.get("capabilities", []))
    if req.get("then"):
        caps.add("sequence")
    if req.get("proxy"):
        caps.add("proxy")
    if req.get("form") == "simple":
        caps.add("simple-form")
    if "body" in req or "body_repeat" in req:
        caps.add("request-body")
    servers = sc.data.get("servers", {})
    if any(srv.get("tls") for srv in servers.values()):
        caps.add("tls")
        target = servers.get(req.get("server", "origin"), {})
        if req.get("proxy") and req["proxy"] != "closed" and target.get("tls"):
            caps.add("connect")  # https through a proxy: a CONNECT tunnel
    if "max_redirects" in req:
        caps.add("max-redirects")
    if "redirect" in req:
        caps.add("redirect-control")
    return caps
