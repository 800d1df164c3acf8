"""Scripted raw-socket servers: serve(scenario) binds every server, replays
its connection scripts byte for byte, and records everything both sides sent.

Synchronisation is by events and bounded waits only. A failure inside a
server thread is never lost: client faults become `violations`, fixture
faults `harness_errors`, and Run.check() raises the latter.
"""
import base64
import contextlib
import random
import socket
import struct
import threading
import time
import zlib

from .scenario import ADDRESSES, head_bytes, to_bytes
from .wire import WireError, parse_request

SEND_TIMEOUT_S = 10  # a client that stops reading blocks a send this long at most


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
                "client_closed": self.client_closed, "client_reset": self.client_reset}


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


def apply_variant(scenario, script, variant):
    """The fault variants of SCHEMA.md, applied to one connection script."""
    if not variant:
        return script
    out = []
    for step in script:
        if variant in ("bytewise", "split") and ("send" in step or "send_head" in step):
            if variant == "bytewise":
                out.append({"_pieces": step, "size": 1})
            else:
                out.append({"_split": step, "at_seed": scenario.id})
        else:
            out.append(step)
    if variant == "reset":
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
            self.placeholders[name] = f"http://{host}:{port}"
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
            t = threading.Thread(target=self._handle, args=(sock, conn, script, port), daemon=True)
            t.start()
            handlers.append(t)
            index += 1
        for t in handlers:
            t.join(timeout=30)

    def _handle(self, sock, conn, script, port):
        ph = dict(self.placeholders, port=port)
        state = {"buf": bytearray(), "closed": False}
        conn.event("open")
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            for si, step in enumerate(script):
                if self.stop_event.is_set() and not state["closed"]:
                    break
                self._step(sock, conn, step, ph, state, si)
                if state["closed"]:
                    break
            if not state["closed"]:
                self._graceful_close(sock, conn)
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
            at = _split_point(step["at_seed"] + str(si), len(data))
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
            sock.shutdown(socket.SHUT_WR)
            return conn.event("half-close")
        if "close" in step:
            self._graceful_close(sock, conn)
            state["closed"] = True
            return None
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
        if "method" in checks and req.method != checks["method"]:
            self.violations.append((conn.server, conn.index, f"{where}: method {req.method!r}, expected "
                                                             f"{checks['method']!r}"))
        if "target" in checks:
            want = to_bytes(checks["target"], ph).decode("latin-1")
            if req.target != want:
                self.violations.append((conn.server, conn.index, f"{where}: target {req.target!r}, expected {want!r}"))
        for name in checks.get("has", []):
            if req.get(name) is None:
                self.violations.append((conn.server, conn.index, f"{where}: no {name} field"))
        for name in checks.get("lacks", []):
            if req.get(name) is not None:
                self.violations.append((conn.server, conn.index, f"{where}: has {name}: {req.get(name)!r}"))
        for name, value in checks.get("equals", {}).items():
            want = to_bytes(str(value), ph).decode("latin-1")
            if req.get(name) != want:
                self.violations.append((conn.server, conn.index, f"{where}: {name} is {req.get(name)!r}, "
                                                                 f"expected {want!r}"))

    def _graceful_close(self, sock, conn):
        # FIN first, then read what is in flight briefly, so the close is not an RST
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_WR)
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
