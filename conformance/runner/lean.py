"""What a case stores: lean. The judge sees whole bodies; results.json, the
partials and the pages keep a body of more than LEAN_OVER bytes as

    {"length": N, "sha256": "...", "head": base64 of the first 256 bytes, "tail": ... the last 256}

so a 20 MiB body costs a few hundred bytes, not 28 MB of base64 per
implementation. Smaller bodies stay whole. This applies to the adapter's
result (and its `then` and repeated results), the request spec's body, and
the bytes a client sent as the fixture recorded them (CN-14 uploads 16 MiB);
what the server sent is already kept to its first 64 KiB.
"""
import base64
import hashlib

LEAN_OVER = 64 << 10
EDGE = 256


def lean_bytes(data):
    """bytes -> the stored form's dict (callers check the size first)."""
    return {"length": len(data), "sha256": hashlib.sha256(data).hexdigest(),
            "head": base64.b64encode(data[:EDGE]).decode(), "tail": base64.b64encode(data[-EDGE:]).decode()}


def is_lean(value):
    return isinstance(value, dict) and "sha256" in value and "length" in value


def _lean_b64(value):
    """A base64 string over LEAN_OVER decoded bytes becomes the lean dict."""
    if not isinstance(value, str) or len(value) <= LEAN_OVER * 4 // 3 + 4:
        return value
    try:
        return lean_bytes(base64.b64decode(value))
    except ValueError:
        return value


def _lean_body_holder(d):
    if isinstance(d, dict):
        if "body" in d:
            d["body"] = _lean_b64(d["body"])
        for sub in d.get("then") or []:
            _lean_body_holder(sub)


def _lean_side(side):
    """A transcript side, {"text": ...} or {"base64": ...}, over LEAN_OVER bytes."""
    if not isinstance(side, dict):
        return side
    if isinstance(side.get("text"), str) and len(side["text"]) > LEAN_OVER:
        return lean_bytes(side["text"].encode("latin-1", "replace"))
    if "base64" in side:
        small = _lean_b64(side["base64"])
        return small if is_lean(small) else side
    return side


def lean_case(out):
    """Make one case's stored dict lean, in place; returns it."""
    _lean_body_holder(out.get("result"))
    for r in out.get("repeats") or []:
        _lean_body_holder(r)
    _lean_body_holder(out.get("spec"))
    for c in (out.get("transcript") or {}).get("connections", []):
        c["client_sent"] = _lean_side(c.get("client_sent"))
    return out


def shown_bytes(side):
    """(text shown for a stored side or body, note) for the pages."""
    if is_lean(side):
        head = base64.b64decode(side["head"]).decode("latin-1")
        tail = base64.b64decode(side["tail"]).decode("latin-1")
        return head, f" ...[{side['length']} bytes in all, sha256 {side['sha256'][:16]}..., last {EDGE}:] " + tail
    return None, None
