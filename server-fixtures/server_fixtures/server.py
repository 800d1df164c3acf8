"""Scripted raw-socket servers: serve(scenario) binds every server, replays
its connection scripts byte for byte, and records everything both sides sent.

Synchronisation is by events and bounded waits only. A failure inside a
server thread is never lost: client faults become `violations`, fixture
faults `harness_errors`, and Run.check() raises the latter.
"""
import base64
import contextlib
import random
import re
import selectors
import socket
import ssl
import struct
import threading
import time
import zlib

from . import tls
from .scenario import ADDRESSES, head_bytes, to_bytes
from .wire import WireError, parse_request

SEND_TIMEOUT_S = 10  # a client that stops reading blocks a send this long at most
HANDSHAKE_S = 5      # a TLS client that stalls its handshake
TUNNEL_S = 30        # a CONNECT tunnel relays this long at most


class HarnessError(Exception):
    """The fixture or the scenario script broke: never the client's fault."""


class Connection:
    def __init__(self, server, index, peer):
        self.server, self.index, self.peer = server, index, peer
        self.sent = bytearray()       # what the client sent
        self.received = bytearray()   # what the server sent
        self.requests = []
        self.events = []              # (seconds since start, kind, detail)
        self.client_closed = False
        self.client_half_closed = False
        self.client_reset = False
        self.tls = None               # TLS servers: {"version", "sni", "alpn"} or {"error"}
        self.branches = []            # names of the branches the script took
        self.tunnelled = None         # a tunnel step: bytes relayed each way
        self.t0 = time.monotonic()
        self.lock = threading.Lock()

    def event(self, kind, detail=""):
        with self.lock:
            self.events.append((round(time.monotonic() - self.t0, 4), kind, detail))

    def to_json(self):
        def enc(b):
            b = bytes(b)
            try:
                s = b.decode("ascii")
                if all(c.isprintable() or c in "\r\n\t" for c in s):
                    return {"text": s}
            except UnicodeDecodeError:
                pass
            return {"base64": base64.b64encode(b).decode()}
        return {"server": self.server, "index": self.index, "client_sent": enc(self.sent),
                "server_sent": enc(self.received[:1 << 16]), "server_sent_len": len(self.received),
                "requests": [r.to_json() for r in self.requests], "events": self.events,
                "client_closed": self.client_closed, "client_reset": self.client_reset,
                **({"tls": self.tls} if self.tls else {}), **({"branches": self.branches} if self.branches else {}),
                **({"tunnelled": self.tunnelled} if self.tunnelled else {})}


class Transcript:
    def __init__(self, run):
        self._conns = run.conns
        self.violations = list(run.violations)
        self.harness_errors = list(run.harness_errors)

    def connections(self, server):
        return [c for c in self._conns if c.server == server]

    def requests(self, server):
        return [r for c in self.connections(server) for r in c.requests]

    def to_json(self):
        return {"connections": [c.to_json() for c in self._conns], "violations": self.violations,
                "harness_errors": self.harness_errors}


def _split_point(sid, n):
    return random.Random(zlib.crc32(sid.encode())).randint(1, max(1, n - 1)) if n > 1 else n


def apply_variant(scenario, script, variant, where=""):
    """The fault variants of SCHEMA.md, applied to one connection script (and the
    steps of its branches; only a top-level close becomes a reset)."""
    if not variant:
        return script
    out = []
    for si, step in enumerate(script):
        if variant in ("bytewise", "split") and ("send" in step or "send_head" in step):
            if variant == "bytewise":
                out.append({"_pieces": step, "size": 1})
            else:
                out.append({"_split": step, "seed": f"{scenario.id}{where}{si}"})
        elif variant in ("bytewise", "split") and "branch" in step:
            out.append({"branch": [b if isinstance(b.get("steps"), str)  # a named script: varied when run
                                   else dict(b, steps=apply_variant(scenario, b.get("steps", []), variant,
                                                                    f"{where}{si}.{bi}."))
                                   for bi, b in enumerate(step["branch"])]})
        else:
            out.append(step)
    if variant == "reset" and not where:
        for i in range(len(out) - 1, -1, -1):
            if "close" in out[i]:
                out[i] = {"reset": True}
                break
    return out


class Run:
    def __init__(self, scenario, variant=None):
        self.sc = scenario
        self.variant = variant
        self.listeners = {}
        self.conns = []
        self.violations = []
        self.harness_errors = []
        self.placeholders = {}
        self.threads = []
        self.stop_event = threading.Event()
        self.lock = threading.Lock()
        self.socks = []
        self.ca_file = None  # the per-run CA's file when a server speaks TLS (the spec's ca_file)

    # -- setup -------------------------------------------------------------
    def start(self):
        for name, spec in self.sc.servers.items():
            addr = spec.get("address", ADDRESSES.get(name))
            fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
            try:
                s = socket.socket(fam, socket.SOCK_STREAM)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind((addr, 0))
                s.listen(64)
            except OSError as e:
                raise HarnessError(f"{self.sc.id}: cannot bind server {name} on {addr}: {e}") from None
            port = s.getsockname()[1]
            host = f"[{addr}]" if fam == socket.AF_INET6 else addr
            self.listeners[name] = (s, spec, port)
            scheme = "http"
            if spec.get("tls"):
                scheme, self.ca_file = "https", tls.ca_file()
            self.placeholders[name] = f"{scheme}://{host}:{port}"
            self.placeholders[f"{name}_authority"] = f"{host}:{port}"
            self.placeholders[f"{name}_port"] = port
        with socket.socket() as c:
            c.bind(("127.0.0.1", 0))
            self.placeholders["closed_port"] = c.getsockname()[1]
        for name in self.listeners:
            t = threading.Thread(target=self._accept_loop, args=(name,), daemon=True, name=f"fixture-{name}")
            t.start()
            self.threads.append(t)
        return self

    def url(self, server, path="/"):
        return self.placeholders[server] + path

    def base(self, server):
        return self.placeholders[server]

    # -- serving -----------------------------------------------------------
    def _accept_loop(self, name):
        lsock, spec, port = self.listeners[name]
        scripts = spec.get("connections", [])
        ctx = None
        if spec.get("tls"):
            ctx = tls.server_context(spec.get("cert", "good"))
            ctx.sni_callback = _note_sni
        lsock.settimeout(0.05)
        index = 0
        handlers = []
        while not self.stop_event.is_set():
            try:
                sock, peer = lsock.accept()
            except socket.timeout:
                continue
            except OSError:
                break
            conn = Connection(name, index, peer[:2])
            with self.lock:
                self.conns.append(conn)
                self.socks.append(sock)
            if index < len(scripts):
                script = apply_variant(self.sc, scripts[index], self.variant)
            else:
                script = [{"drain": 0.2}]
                if spec.get("extra_connections", "fail") == "fail":
                    self.violations.append((name, index, f"unexpected connection #{index + 1} (the scenario "
                                                          f"scripts {len(scripts)})"))
            t = threading.Thread(target=self._handle, args=(sock, conn, script, port, ctx), daemon=True)
            t.start()
            handlers.append(t)
            index += 1
        for t in handlers:
            t.join(timeout=30)

    def _handle(self, sock, conn, script, port, ctx=None):
        ph = dict(self.placeholders, port=port)
        state = {"buf": bytearray(), "closed": False}
        conn.event("open")
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if ctx is not None:
                sock = ctx.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
                with self.lock:
                    self.socks.append(sock)
                if not self._handshake(sock, conn):
                    return
            self._run_steps(sock, conn, script, ph, state)
            if not state["closed"]:
                self._graceful_close(sock, conn)
        except ssl.SSLError as e:  # the client's TLS layer gave up or sent garbage: its behaviour, recorded
            conn.event("tls-error", str(e))
        except (BrokenPipeError, ConnectionResetError) as e:
            conn.client_reset = True
            conn.event("client-reset", str(e))
        except socket.timeout:
            # the client stopped reading what the script sends: its behaviour, not a fixture fault
            conn.event("client-stopped-reading")
        except OSError as e:
            if not self.stop_event.is_set():  # after stop() it is our own close
                self.harness_errors.append(f"{self.sc.id}: server {conn.server} connection {conn.index}: {e}")
        except Exception as e:  # a fixture fault: recorded, never silent
            self.harness_errors.append(f"{self.sc.id}: server {conn.server} connection {conn.index}: "
                                       f"{type(e).__name__}: {e}")
        finally:
            with contextlib.suppress(OSError):
                sock.close()
            conn.event("closed")

    def _handshake(self, sock, conn):
        """The server side of the TLS handshake; a client that refuses the
        certificate ends here, and that is recorded, not a fixture fault."""
        sock.settimeout(HANDSHAKE_S)
        try:
            sock.do_handshake()
        except (ssl.SSLError, OSError) as e:  # socket.timeout is an OSError
            conn.tls = {"error": str(e)[:300]}
            conn.event("tls-failed", str(e)[:300])
            return False
        conn.tls = {"version": sock.version(), "sni": getattr(sock, "fixture_sni", None),
                    "alpn": sock.selected_alpn_protocol()}
        conn.event("tls", f"{conn.tls['version']} sni={conn.tls['sni']}")
        return True

    def _run_steps(self, sock, conn, steps, ph, state):
        for si, step in enumerate(steps):
            if self.stop_event.is_set() and not state["closed"]:
                break
            self._step(sock, conn, step, ph, state, si)
            if state["closed"]:
                break

    def _send(self, sock, conn, data, piece=None, delay=0.0):
        sock.settimeout(SEND_TIMEOUT_S)  # not the short timeout of the last receive
        if piece:
            for i in range(0, len(data), piece):
                sock.sendall(data[i:i + piece])
                conn.received += data[i:i + piece]
                if delay:
                    time.sleep(delay)
        else:
            sock.sendall(data)
            conn.received += data
        conn.event("sent", str(len(data)))

    def _recv(self, sock, conn, state, timeout):
        sock.settimeout(max(0.001, timeout))
        try:
            d = sock.recv(65536)
        except socket.timeout:
            return None
        except ConnectionResetError:
            conn.client_reset = True
            conn.event("client-reset")
            return b""
        except ssl.SSLError as e:  # an alert or a broken record ends what the client says
            conn.client_closed = True
            conn.event("tls-error", str(e)[:300])
            return b""
        if d:
            conn.sent += d
            state["buf"] += d
        else:
            conn.client_closed = True
            conn.event("client-closed")
        return d

    def _bytes_of(self, step, ph):
        if "send" in step:
            return to_bytes(step["send"], ph)
        if "send_head" in step:
            return head_bytes(step["send_head"], ph) + to_bytes(step.get("body", ""), ph)
        return b""

    def _step(self, sock, conn, step, ph, state, si):
        if "_pieces" in step:
            return self._send(sock, conn, self._bytes_of(step["_pieces"], ph), piece=1)
        if "_split" in step:
            data = self._bytes_of(step["_split"], ph)
            at = _split_point(step["seed"], len(data))
            self._send(sock, conn, data[:at])
            time.sleep(0.005)
            return self._send(sock, conn, data[at:])
        if "send" in step or "send_head" in step:
            return self._send(sock, conn, self._bytes_of(step, ph))
        if "send_in_pieces" in step:
            return self._send(sock, conn, to_bytes(step["send_in_pieces"], ph), piece=step.get("size", 1),
                              delay=step.get("delay_ms", 0) / 1000.0)
        if "send_repeat" in step:
            sock.settimeout(SEND_TIMEOUT_S)
            pat = to_bytes(step["send_repeat"], ph)
            block = pat * max(1, 65536 // max(1, len(pat)))
            left = len(pat) * step["count"]
            while left > 0:
                chunk = block[:left]
                sock.sendall(chunk)
                left -= len(chunk)
            conn.received += b"(repeat %d)" % (len(pat) * step["count"])
            return conn.event("sent", f"repeat {len(pat) * step['count']}")
        if "send_chunked_body" in step:
            sock.settimeout(SEND_TIMEOUT_S)
            spec = step["send_chunked_body"]
            size, chunk = spec["size"], spec.get("chunk", 16384)
            pat = to_bytes(spec.get("pattern", "x"))
            data = (pat * (chunk // max(1, len(pat)) + 1))[:chunk]
            left = size
            while left > 0:
                k = min(chunk, left)
                sock.sendall(b"%x\r\n" % k + data[:k] + b"\r\n")
                left -= k
            sock.sendall(b"0\r\n\r\n")
            conn.received += b"(chunked body %d)" % size
            return conn.event("sent", f"chunked {size}")
        if "pause" in step:
            return self.stop_event.wait(step["pause"])
        if "shutdown_write" in step:
            self._shutdown_write(sock, conn, step.get("close_notify", True))
            return conn.event("half-close")
        if "close" in step:
            self._graceful_close(sock, conn, step.get("close_notify", True))
            state["closed"] = True
            return None
        if "expect_silence" in step:
            return self._silence(sock, conn, step["expect_silence"], state)
        if "violation" in step:
            return self.violations.append((conn.server, conn.index, to_bytes(step["violation"], ph).decode()))
        if "branch" in step:
            return self._branch(sock, conn, step["branch"], ph, state)
        if "tunnel" in step:
            return self._tunnel(sock, conn, step["tunnel"], state)
        if "reset" in step:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.close()
            conn.event("reset")
            state["closed"] = True
            return None
        if "hang" in step or "drain" in step or "wait_close" in step:
            limit = step.get("hang", step.get("drain", step.get("wait_close")))
            deadline = time.monotonic() + limit
            while time.monotonic() < deadline and not self.stop_event.is_set():
                d = self._recv(sock, conn, state, min(0.05, deadline - time.monotonic()))
                if d == b"":
                    break
            return None
        if "expect_request" in step:
            return self._expect(sock, conn, step["expect_request"], ph, state)
        raise HarnessError(f"unknown step {step}")

    def _expect(self, sock, conn, checks, ph, state):
        deadline = time.monotonic() + checks.get("timeout_s", 5)
        while True:
            try:
                parsed = parse_request(bytes(state["buf"]))
            except WireError as e:
                self.violations.append((conn.server, conn.index, f"malformed request: {e}"))
                state["buf"].clear()
                return None
            if parsed:
                req, used = parsed
                del state["buf"][:used]
                conn.requests.append(req)
                conn.event("request", f"{req.method} {req.target}")
                self._check(conn, req, checks, ph)
                return None
            left = deadline - time.monotonic()
            if left <= 0 or self.stop_event.is_set():
                if checks.get("optional") and not state["buf"]:
                    conn.event("no-request")  # a request the client may send elsewhere, or not at all
                    state["closed"] = True
                    return None
                self.violations.append((conn.server, conn.index, "client sent no complete request in time"))
                return None
            d = self._recv(sock, conn, state, min(left, 0.1))
            if d == b"":
                if state["buf"]:
                    self.violations.append((conn.server, conn.index, "client closed in the middle of a request"))
                else:
                    conn.event("no-request")
                state["closed"] = True
                return None

    def _check(self, conn, req, checks, ph):
        where = f"request {len(conn.requests)} on {conn.server}"
        for problem in request_problems(req, checks, ph):
            self.violations.append((conn.server, conn.index, f"{where}: {problem}"))

    def _branch(self, sock, conn, choices, ph, state):
        """Go on with the first choice whose `when` holds for the connection's last
        request (a choice without `when` always does); none = a client fault."""
        req = conn.requests[-1] if conn.requests else None
        for bi, b in enumerate(choices):
            if "when" in b and (req is None or request_problems(req, b["when"], ph)):
                continue
            name = b.get("name", f"choice {bi + 1}")
            conn.branches.append(name)
            conn.event("branch", name)
            steps = b.get("steps", [])
            if isinstance(steps, str):  # a named script of this server, with the run's variant applied
                steps = apply_variant(self.sc, self.listeners[conn.server][1]["scripts"][steps], self.variant,
                                      f"{steps}.")
            return self._run_steps(sock, conn, steps, ph, state)
        what = f"{req.method} {req.target}" if req else "no request"
        self.violations.append((conn.server, conn.index, f"the client's request ({what}) matches none of the "
                                                         f"requests the script accepts here"))
        return None

    def _silence(self, sock, conn, limit, state):
        """Nothing more may come from the client for `limit` s (or until it closes)."""
        deadline = time.monotonic() + limit
        while not state["buf"] and time.monotonic() < deadline and not self.stop_event.is_set():
            if self._recv(sock, conn, state, min(0.05, deadline - time.monotonic())) == b"":
                break
        if state["buf"]:
            self.violations.append((conn.server, conn.index, f"the client sent {len(state['buf'])} byte(s) where "
                                                             f"it should send none: {bytes(state['buf'][:40])!r}"))
            state["buf"].clear()

    def _tunnel(self, sock, conn, name, state):
        """A CONNECT tunnel: relay bytes both ways between the client and server
        `name` (which does its own TLS) until both sides are done; a FIN or an RST
        on one side is passed on to the other, so truncation reaches the client
        as the origin made it."""
        _, spec, port = self.listeners[name]
        up = socket.create_connection((spec.get("address", ADDRESSES.get(name)), port), timeout=5)
        conn.event("tunnel", name)
        conn.tunnelled = {"to": name, "client_to_server": len(state["buf"]), "server_to_client": 0}
        try:
            up.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            for s in (sock, up):
                s.settimeout(SEND_TIMEOUT_S)
            if state["buf"]:  # the client spoke before the 2xx arrived: those bytes belong to the tunnel
                up.sendall(bytes(state["buf"]))
                state["buf"].clear()
            self._relay(sock, up, conn)
        finally:
            with contextlib.suppress(OSError):
                up.close()
        with contextlib.suppress(OSError):
            sock.close()
        state["closed"] = True

    def _relay(self, client, up, conn):
        other = {client: up, up: client}
        key = {client: "client_to_server", up: "server_to_client"}
        sel = selectors.DefaultSelector()
        for s in other:
            sel.register(s, selectors.EVENT_READ)
        deadline = time.monotonic() + TUNNEL_S
        live = set(other)
        try:
            while live and time.monotonic() < deadline and not self.stop_event.is_set():
                for k, _ in sel.select(0.05):
                    src = k.fileobj
                    try:
                        d = src.recv(65536)
                    except ConnectionResetError:
                        conn.event("tunnel-reset", key[src])
                        other[src].setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                        return
                    if d:
                        other[src].sendall(d)
                        conn.tunnelled[key[src]] += len(d)
                        continue
                    sel.unregister(src)
                    live.discard(src)
                    with contextlib.suppress(OSError):
                        other[src].shutdown(socket.SHUT_WR)
                    conn.event("tunnel-fin", key[src])
        finally:
            sel.close()

    def _shutdown_write(self, sock, conn, notify=True):
        """FIN; over TLS after a close_notify unless told not to (a truncation). The
        socket's base shutdown keeps the TLS layer, so what follows is still read."""
        if isinstance(sock, ssl.SSLSocket):
            if notify:
                sock.settimeout(0)
                with contextlib.suppress(ssl.SSLError, OSError, ValueError):
                    sock.unwrap()  # sends close_notify; the client's own is not waited for
                conn.event("close-notify")
            socket.socket.shutdown(sock, socket.SHUT_WR)
        else:
            sock.shutdown(socket.SHUT_WR)

    def _graceful_close(self, sock, conn, notify=True):
        # FIN first, then read what is in flight briefly, so the close is not an RST
        with contextlib.suppress(OSError):
            self._shutdown_write(sock, conn, notify)
            conn.event("close")
            sock.settimeout(0.05)
            end = time.monotonic() + 0.05
            while time.monotonic() < end:
                d = sock.recv(65536)
                if not d:
                    conn.client_closed = True
                    break
                conn.sent += d
        with contextlib.suppress(OSError):
            sock.close()

    # -- teardown ----------------------------------------------------------
    def wait(self, timeout=5.0):
        """Wait (bounded) until every scripted connection's handler has finished."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            done = all(any(e[1] == "closed" for e in c.events) for c in list(self.conns))
            expected = sum(len(s.get("connections", [])) for _, s, _ in self.listeners.values())
            if done and len(self.conns) >= min(expected, len(self.conns)):
                return True
            time.sleep(0.005)
        return False

    def stop(self):
        self.stop_event.set()
        for s, _, _ in self.listeners.values():
            # shutdown wakes an accept() blocked in the accept loop at once; close alone
            # would leave it to its 50 ms poll, which was most of a short case's time
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                s.close()
        with self.lock:
            for s in self.socks:
                with contextlib.suppress(OSError):
                    s.close()
        for t in self.threads:
            t.join(timeout=5)

    def check(self):
        if self.harness_errors:
            raise HarnessError("; ".join(self.harness_errors))

    def transcript(self):
        return Transcript(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def serve(scenario, variant=None):
    """Start every server of the scenario; use as a context manager."""
    return Run(scenario, variant).start()


def _note_sni(sslsock, server_name, _ctx):
    """sni_callback: keep the name the client asked for, for the transcript."""
    with contextlib.suppress(AttributeError):
        sslsock.fixture_sni = server_name


def request_problems(req, checks, ph):
    """What in request `req` fails `checks` (expect_request's or a branch's `when`), in words."""
    out = []
    if "method" in checks and req.method != checks["method"]:
        out.append(f"method {req.method!r}, expected {checks['method']!r}")
    if "target" in checks:
        want = to_bytes(checks["target"], ph).decode("latin-1")
        if req.target != want:
            out.append(f"target {req.target!r}, expected {want!r}")
    out += [f"no {n} field" for n in checks.get("has", []) if req.get(n) is None]
    out += [f"has {n}: {req.get(n)!r}" for n in checks.get("lacks", []) if req.get(n) is not None]
    for name, value in checks.get("equals", {}).items():
        want = to_bytes(str(value), ph).decode("latin-1")
        if req.get(name) != want:
            out.append(f"{name} is {req.get(name)!r}, expected {want!r}")
    for name, rx in checks.get("matches", {}).items():
        if req.get(name) is None or not re.search(rx, req.get(name)):
            out.append(f"{name} is {req.get(name)!r}, expected to match /{rx}/")
    for name, scheme in checks.get("scheme", {}).items():
        got = (req.get(name) or "").split(" ", 1)[0]
        if got.lower() != scheme.lower():  # auth-scheme is a case-insensitive token (RFC 9110 §11.1)
            out.append(f"{name} scheme is {got!r}, expected {scheme!r}")
    return out
