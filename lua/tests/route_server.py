#!/usr/bin/python3
"""Raw-bytes HTTP/1.1 route server for lua/tests/test-api.lua.

Stdlib only (socket, threading): every response below is written as literal
bytes so the Lua API suite sees exactly the same wire data whichever client
(socket.http or httpref) it drives. Binds 127.0.0.1:0, prints "PORT <n>",
serves until stdin reaches EOF (so a dead parent never leaves it behind).
Every socket wait has a timeout; nothing here can block forever.
"""
import socket
import sys
import threading
import time

import luasocket_routes

IO_TIMEOUT = 10.0          # per recv/send; a stuck client never pins a thread
MAX_REQUEST = 1 << 20      # head + body, bounded so a runaway source cannot eat memory
BIG = b"0123456789" * 30000  # /big: 300000 bytes, the test rebuilds the same pattern

STATUS_TEXT = {
    200: b"OK", 201: b"Created", 204: b"No Content", 301: b"Moved Permanently",
    302: b"Found", 303: b"See Other", 304: b"Not Modified", 307: b"Temporary Redirect",
    308: b"Permanent Redirect", 400: b"Bad Request", 401: b"Unauthorized",
    404: b"Not Found", 413: b"Content Too Large", 418: b"I'm a teapot",
    500: b"Internal Server Error", 503: b"Service Unavailable",
}


class BadRequest(Exception):
    pass


class KeepAlive(bytes):
    """A response after which the connection stays open for the next request."""


class Conn:
    """Buffered reader over one accepted socket; keeps every byte it read."""
    count = 0
    count_lock = threading.Lock()

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""
        self.raw = b""  # exact request bytes, for /echo
        self.body = b""  # the request body, de-chunked
        self.requests = 0
        with Conn.count_lock:
            Conn.count += 1
            self.id = Conn.count

    def _fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise BadRequest("peer closed mid-request")
        self.buf += data
        self.raw += data
        if len(self.raw) > MAX_REQUEST:
            raise BadRequest("request over 1 MiB")

    def read_until(self, delim):
        while delim not in self.buf:
            self._fill()
        i = self.buf.index(delim) + len(delim)
        out, self.buf = self.buf[:i], self.buf[i:]
        return out

    def read_exact(self, n):
        while len(self.buf) < n:
            self._fill()
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def unread_tail(self):
        # bytes read past the message end are not part of the request: drop them
        # from the echo so the echo is exactly head + body
        if self.buf:
            self.raw = self.raw[: len(self.raw) - len(self.buf)]
            self.buf = b""


def read_request(conn):
    head = conn.read_until(b"\r\n\r\n")
    lines = head[:-4].split(b"\r\n")
    parts = lines[0].split(b" ")
    if len(parts) != 3:
        raise BadRequest("bad request line")
    method, target, _version = parts
    headers = []
    for line in lines[1:]:
        name, sep, value = line.partition(b":")
        if not sep:
            raise BadRequest("field line without colon")
        headers.append((name.strip().lower(), value.strip()))
    hmap = {}
    for k, v in headers:
        hmap.setdefault(k, []).append(v)
    te = b",".join(hmap.get(b"transfer-encoding", [])).lower()
    if b"chunked" in te:
        # chunked request body (a source without content-length): read to the last chunk
        while True:
            size_line = conn.read_until(b"\r\n")
            size = int(size_line.split(b";")[0].strip() or b"x", 16)
            if size == 0:
                while conn.read_until(b"\r\n") != b"\r\n":  # trailers
                    pass
                break
            conn.body += conn.read_exact(size + 2)[:-2]
    elif b"content-length" in hmap:
        conn.body = conn.read_exact(int(hmap[b"content-length"][0]))
    conn.unread_tail()
    return method, target, hmap


def response(code, body=b"", headers=(), head_only=False, keep=False):
    out = b"HTTP/1.1 %d %s\r\n" % (code, STATUS_TEXT.get(code, b"Status"))
    for name, value in headers:
        out += name + b": " + value + b"\r\n"
    no_body = code in (204, 304) or 100 <= code < 200
    if not no_body:
        out += b"Content-Length: %d\r\n" % len(body)
    out += b"\r\n" if keep else b"Connection: close\r\n\r\n"
    if not no_body and not head_only:
        out += body
    return out


def route(conn, method, target, hmap):
    """Returns the bytes to send, or a callable(sock) for routes that pace output."""
    head_only = method == b"HEAD"
    host, port = conn.sock.getsockname()[:2]

    def resp(code, body=b"", headers=()):
        return response(code, body, headers, head_only)

    if target.startswith(b"http://") or target.startswith(b"https://"):
        # absolute-form: we act as the forward proxy and name what we were asked for,
        # or, for LuaSocket's test tree, as the proxy of a virtual origin
        proxied = luasocket_routes.route(conn, method, target, hmap, resp, host, port)
        if proxied is not None:
            return proxied
        return resp(200, b"proxied " + target, [(b"Content-Type", b"text/plain")])
    path = target.split(b"?", 1)[0]
    ours = luasocket_routes.route(conn, method, target, hmap, resp, host, port)
    if ours is not None:
        return ours
    if path == b"/hello":
        return resp(200, b"hello world", [(b"Content-Type", b"text/plain"),
                                          (b"X-Dup", b"a"), (b"X-Dup", b"b")])
    if path == b"/keepalive":
        # names the connection and its request number; the connection stays open
        return KeepAlive(response(200, b"connection %d request %d" % (conn.id, conn.requests),
                                  [(b"Content-Type", b"text/plain")], head_only, keep=True))
    if path == b"/echo":
        return resp(200, conn.raw, [(b"Content-Type", b"application/octet-stream")])
    if path == b"/chunked":
        if head_only:
            return (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                    b"Connection: close\r\n\r\n")
        return (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                b"3\r\nhel\r\n4\r\nlo w\r\n4\r\norld\r\n0\r\n\r\n")
    if path == b"/big":
        return resp(200, BIG, [(b"Content-Type", b"application/octet-stream")])
    if path.startswith(b"/redirect/"):
        n = path[len(b"/redirect/"):]
        if n.isdigit() and int(n) > 0:
            return resp(302, b"moving", [(b"Location", b"/redirect/%d" % (int(n) - 1))])
        if n == b"0":
            return resp(200, b"landed", [(b"Content-Type", b"text/plain")])
    if path == b"/to-method":
        return resp(302, b"see /method", [(b"Location", b"/method")])
    if path == b"/method":
        return resp(200, b"method " + method, [(b"X-Method", method)])
    if path == b"/loop":
        return resp(302, b"round again", [(b"Location", b"/loop")])
    if path == b"/redirect-abs":
        loc = b"http://%s:%d/hello" % (host.encode(), port)
        return resp(301, b"moved", [(b"Location", loc)])
    if path == b"/redirect308":
        return resp(308, b"permanent", [(b"Location", b"/hello")])
    if path == b"/auth":
        # user:pass, RFC 7617 Basic
        if hmap.get(b"authorization", [b""])[0] == b"Basic dXNlcjpwYXNz":
            return resp(200, b"welcome", [(b"Content-Type", b"text/plain")])
        return resp(401, b"<html><body>401 Unauthorized</body></html>",
                    [(b"WWW-Authenticate", b'Basic realm="x"'),
                     (b"Content-Type", b"text/html")])
    if path.startswith(b"/status/") and path[8:].isdigit() and len(path[8:]) == 3:
        code = int(path[8:])
        return resp(code, b"status %d" % code, [(b"Content-Type", b"text/plain")])
    if path == b"/slow":
        def slow(sock):
            sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n"
                         b"Connection: close\r\n\r\n")
            time.sleep(3)  # the client under test has TIMEOUT = 1
            sock.sendall(b"slow")
        return slow
    if path == b"/close-early":
        return (b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n"
                b"Connection: close\r\n\r\n12345")
    if path == b"/bad-header":
        return (b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nNo colon here\r\n"
                b"Connection: close\r\n\r\nok")
    if path == b"/bad-chunk":
        return (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                b"Connection: close\r\n\r\nzz\r\nhello\r\n0\r\n\r\n")
    return resp(404, b"not found", [(b"Content-Type", b"text/plain")])


def handle(sock):
    sock.settimeout(IO_TIMEOUT)
    conn = Conn(sock)
    try:
        while True:
            conn.requests += 1
            try:
                method, target, hmap = read_request(conn)
                out = route(conn, method, target, hmap)
            except BadRequest:
                if conn.requests > 1 and not conn.buf:
                    break  # a kept-alive connection the client closed: not a bad request
                out = response(400, b"bad request")
            except (ValueError, IndexError):
                out = response(400, b"bad request")
            if callable(out):
                out(sock)
            else:
                sock.sendall(out)
            if not isinstance(out, KeepAlive):
                break
            conn.raw = conn.body = b""
        try:
            sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass
    except OSError:
        pass  # client gave up (timeout tests, refused bodies): nothing to report
    finally:
        sock.close()


def main():
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(64)
    srv.settimeout(0.2)  # so the accept loop notices stdin EOF promptly
    stop = threading.Event()

    def watch_stdin():
        try:
            while sys.stdin.buffer.read(4096):
                pass
        finally:
            stop.set()

    threading.Thread(target=watch_stdin, daemon=True).start()
    sys.stdout.write("PORT %d\n" % srv.getsockname()[1])
    sys.stdout.flush()
    while not stop.is_set():
        try:
            sock, _addr = srv.accept()
        except socket.timeout:
            continue
        except OSError:
            break
        threading.Thread(target=handle, args=(sock,), daemon=True).start()
    srv.close()


if __name__ == "__main__":
    main()
