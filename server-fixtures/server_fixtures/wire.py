"""Strict HTTP/1.1 request parsing for expect_request (RFC 9112 §3, §5, §6, §7).

The fixture judges what the client sent, so it must be stricter than any
server: a bare LF, obs-fold, a missing Host or both Content-Length and
Transfer-Encoding are wire violations (the client's fault), never repaired.
"""
import re

TOKEN = re.compile(rb"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
MAX_HEAD = 1 << 20
MAX_BODY = 64 << 20


class WireError(Exception):
    pass


class Request:
    def __init__(self, method, target, version, fields, body, chunked, raw, trailers=()):
        self.method, self.target, self.version = method, target, version
        self.fields = fields          # [(name, value)] as sent, str (latin-1)
        self.body = body              # decoded body bytes
        self.chunked = chunked
        self.raw = raw                # exact bytes of the whole request
        self.trailers = list(trailers)

    def get_all(self, name):
        return [v for n, v in self.fields if n.lower() == name.lower()]

    def get(self, name):
        vals = self.get_all(name)
        return vals[0] if vals else None

    @property
    def target_form(self):
        if self.target == "*":
            return "asterisk"
        if self.target.startswith("/"):
            return "origin"
        if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", self.target):
            return "absolute"
        return "authority"

    def to_json(self):
        return {"method": self.method, "target": self.target, "version": self.version,
                "fields": [[n, v] for n, v in self.fields], "body_len": len(self.body), "chunked": self.chunked}


def _lines(head):
    """Split a head on CRLF; a bare LF or bare CR is a violation."""
    parts = head.split(b"\r\n")
    for i, p in enumerate(parts):
        if b"\n" in p:
            raise WireError(f"bare LF in the request head (line {i + 1}; RFC 9112 §2.2)")
        if b"\r" in p:
            raise WireError(f"bare CR in the request head (line {i + 1}; RFC 9112 §2.2)")
    return parts


def parse_request(buf):
    """(Request, consumed) for a complete request at the start of buf, None when
    more bytes are needed; WireError for a malformed one."""
    end = buf.find(b"\r\n\r\n")
    if end < 0:
        if len(buf) > MAX_HEAD:
            raise WireError("request head larger than 1 MiB")
        if b"\n\n" in buf:
            raise WireError("request head ends with bare LF (RFC 9112 §2.2)")
        return None
    if buf.startswith(b"\r\n"):
        raise WireError("CRLF before the request line (RFC 9112 §2.2: a client MUST NOT)")
    lines = _lines(buf[:end])
    m = re.match(rb"^([^ ]+) ([^ ]+) (HTTP/\d\.\d)$", lines[0])
    if not m:
        raise WireError(f"malformed request line {lines[0][:80]!r} (RFC 9112 §3)")
    method, target, version = (g.decode("latin-1") for g in m.groups())
    if not TOKEN.match(m.group(1)):
        raise WireError(f"method {method!r} is not a token")
    if any(b < 0x21 or b == 0x7f for b in m.group(2)):
        raise WireError("whitespace or control byte in the request-target (RFC 9112 §3.2)")
    if any(b >= 0x80 for b in m.group(2)):
        raise WireError("raw non-ASCII byte in the request-target (RFC 3986 §2.1)")
    fields = []
    for line in lines[1:]:
        if line[:1] in (b" ", b"\t"):
            raise WireError("obs-fold in a request (RFC 9112 §5.2: a sender MUST NOT)")
        name, sep, value = line.partition(b":")
        if not sep or not TOKEN.match(name):
            raise WireError(f"malformed field line {line[:60]!r} (RFC 9112 §5)")
        value = value.strip(b" \t")
        if any(b < 0x20 and b != 9 or b == 0x7f for b in value):
            raise WireError(f"control byte in the value of {name.decode('latin-1')}")
        fields.append((name.decode("latin-1"), value.decode("latin-1")))
    pos = end + 4
    cl = [v for n, v in fields if n.lower() == "content-length"]
    te = [v for n, v in fields if n.lower() == "transfer-encoding"]
    if cl and te:
        raise WireError("both Content-Length and Transfer-Encoding (RFC 9112 §6.2: MUST NOT)")
    body, chunked, trailers = b"", False, []
    if te:
        if [t.strip().lower() for t in ",".join(te).split(",")] != ["chunked"]:
            raise WireError(f"request Transfer-Encoding {te!r} is not just chunked")
        chunked = True
        out = bytearray()
        while True:
            le = buf.find(b"\r\n", pos)
            if le < 0:
                return None
            size_line = buf[pos:le]
            sm = re.match(rb"^([0-9A-Fa-f]{1,16})(;.*)?$", size_line)
            if not sm:
                raise WireError(f"malformed chunk size line {size_line[:40]!r}")
            size = int(sm.group(1), 16)
            pos = le + 2
            if size == 0:
                te_end = buf.find(b"\r\n\r\n", pos - 2)
                if te_end < 0:
                    return None
                trailer_block = buf[pos:te_end]
                trailers = [ln.decode("latin-1") for ln in trailer_block.split(b"\r\n") if ln]
                pos = te_end + 4
                break
            if len(out) + size > MAX_BODY:
                raise WireError("request body larger than 64 MiB")
            if len(buf) < pos + size + 2:
                return None
            out += buf[pos:pos + size]
            if buf[pos + size:pos + size + 2] != b"\r\n":
                raise WireError("chunk data not followed by CRLF")
            pos += size + 2
        body = bytes(out)
    elif cl:
        if len(set(cl)) != 1 or not re.match(r"^\d{1,18}$", cl[0]):
            raise WireError(f"request Content-Length {cl!r} is not one 1*DIGIT value")
        n = int(cl[0])
        if n > MAX_BODY:
            raise WireError("request body larger than 64 MiB")
        if len(buf) < pos + n:
            return None
        body = buf[pos:pos + n]
        pos += n
    return Request(method, target, version, fields, body, chunked, bytes(buf[:pos]), trailers), pos
