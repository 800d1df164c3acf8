"""The routes lua/tests/test-luasocket.lua needs: LuaSocket's own test tree.

LuaSocket's test/httptest.lua runs against Apache on localhost with its test/
folder aliased as /luasocket-test (index.html, auth/ behind Basic auth) and its
shell CGIs as /luasocket-test-cgi (cat, cat-index-html, query-string,
redirect-loop, request-uri), plus httpbin.org for redirects. These routes answer
what those would, over loopback, in plain bytes:

  /luasocket-test                  301 to /luasocket-test/, as mod_dir does
  /luasocket-test/, .../index.html INDEX
  /luasocket-test/auth/index.html  INDEX for Basic luasocket:password, else 401
  /luasocket-test-cgi/request-uri  the request-target, a newline after it
  /luasocket-test-cgi/query-string the query, a newline after it
  /luasocket-test-cgi/cat          the request body (de-chunked)
  /luasocket-test-cgi/cat-index-html  INDEX, chunked
  /luasocket-test-cgi/redirect-loop   302 to itself, absolute (Location: http://$HTTP_HOST$REQUEST_URI)
  /redirect-to?url=U               302 to U, percent-decoded (httpbin's)
  /base64/V                        V base64-decoded (httpbin's)

and the pages the examples of LuaSocket's manual (docs/http.html) fetch, for
test-compat.lua: /~diego/professional/luasocket/http.html (MANUAL), /~diego
(a HEAD of 15652 bytes) and /private/index.html (Basic fulano:silva, else 401).

A request that carries X-Case (test-luasocket.lua's URL cases) gets, the first
time that X-Case value is seen, a 302 to its X-Location (if any); every other
time, 200 with the request-target as the body and its Authorization (if any)
in X-Authorization. So the client's resolution of a relative Location, and
what it makes of a URL, are read off what it asks for next.

Through a proxy (absolute-form target), /luasocket-test paths are served as
the origin would, with the target in X-Proxy-Target and the Host field the
client sent in X-Host.
"""
import base64
import threading
import urllib.parse

LINE = b"This document can contain anything, as long as it is long enough! <br>\n"
# test-luasocket.lua builds the same bytes: "<html>\n<body>\n", 1500 LINEs, "</body>\n</html>\n"
INDEX = b"<html>\n<body>\n" + LINE * 1500 + b"</body>\n</html>\n"
AUTH = b"Basic " + base64.b64encode(b"luasocket:password")
MANUAL = b"<html><title>LuaSocket: HTTP support</title></html>\n"
PRIVATE = b"<html>private index</html>\n"
MANUAL_AUTH = b"Basic " + base64.b64encode(b"fulano:silva")

_seen = set()
_seen_lock = threading.Lock()


def _first_time(case):
    with _seen_lock:
        if case in _seen:
            return False
        _seen.add(case)
        return True


def _chunked(body, extra=()):
    out = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n"
    for name, value in extra:
        out += name + b": " + value + b"\r\n"
    out += b"Connection: close\r\n\r\n"
    for i in range(0, len(body), 7000):
        piece = body[i:i + 7000]
        out += b"%x\r\n" % len(piece) + piece + b"\r\n"
    return out + b"0\r\n\r\n"


def _case(target, hmap, resp):
    case = hmap[b"x-case"][0]
    if b"x-location" in hmap and _first_time(case):
        return resp(302, b"resolve me", [(b"Location", hmap[b"x-location"][0])])
    extra = [(b"Content-Type", b"text/plain")]
    if b"authorization" in hmap:
        extra.append((b"X-Authorization", hmap[b"authorization"][0]))
    return resp(200, target, extra)


def route(conn, method, target, hmap, resp, host, port):
    """The bytes to send for a LuaSocket-test route, or None when it is not one."""
    extra = []
    origin = b"%s:%d" % (host.encode(), port)
    if target.startswith(b"http://"):
        u = urllib.parse.urlsplit(target)
        if not u.path.startswith(b"/luasocket-test"):
            return None
        extra = [(b"X-Proxy-Target", target), (b"X-Host", b", ".join(hmap.get(b"host", [])))]
        origin = u.netloc.rsplit(b"@", 1)[-1]
        target = u.path + (b"?" + u.query if u.query else b"")
    elif b"x-case" in hmap:
        return _case(target, hmap, resp)
    path, _, query = target.partition(b"?")
    text = [(b"Content-Type", b"text/plain")] + extra
    html = [(b"Content-Type", b"text/html")] + extra
    if path == b"/luasocket-test":
        return resp(301, b"<html>moved</html>", [(b"Location", b"http://" + origin + b"/luasocket-test/")] + extra)
    if path in (b"/luasocket-test/", b"/luasocket-test/index.html"):
        return resp(200, INDEX, html)
    if path == b"/luasocket-test/auth/index.html":
        if hmap.get(b"authorization", [b""])[0] == AUTH:
            return resp(200, INDEX, html)
        return resp(401, b"<html>401 Authorization Required</html>",
                    [(b"WWW-Authenticate", b'Basic realm="test-auth"')] + html)
    if path == b"/luasocket-test-cgi/request-uri":
        return resp(200, target + b"\n", text)
    if path == b"/luasocket-test-cgi/query-string":
        return resp(200, query + b"\n", text)
    if path == b"/luasocket-test-cgi/cat":
        return resp(200, conn.body, text)
    if path == b"/luasocket-test-cgi/cat-index-html":
        return _chunked(INDEX, extra) if method != b"HEAD" else resp(200, INDEX, text)
    if path == b"/luasocket-test-cgi/redirect-loop":
        return resp(302, b"", [(b"Location", b"http://" + origin + target)] + extra)
    if path == b"/~diego/professional/luasocket/http.html":
        return resp(200, MANUAL, html)
    if path == b"/~diego":
        return resp(200, b"d" * 15652, html)
    if path == b"/private/index.html":
        if hmap.get(b"authorization", [b""])[0] == MANUAL_AUTH:
            return resp(200, PRIVATE, html)
        return resp(401, b"<html>401 Authorization Required</html>",
                    [(b"WWW-Authenticate", b'Basic realm="private"')] + html)
    if path == b"/redirect-to":
        to = urllib.parse.parse_qs(query.decode("latin-1")).get("url", [""])[0]
        return resp(302, b"", [(b"Location", to.encode("latin-1"))])
    if path.startswith(b"/base64/"):
        try:
            return resp(200, base64.b64decode(urllib.parse.unquote_to_bytes(path[8:])), text)
        except ValueError:
            return resp(400, b"bad base64", text)
    return None
