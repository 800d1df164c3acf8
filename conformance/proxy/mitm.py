"""Start and stop a real mitmdump forward proxy on a free loopback port.

    with Mitmdump(proxyauth="pu:pp") as m:
        m.url            -> "http://127.0.0.1:PORT"
        m.flows()        -> both legs of each exchange (JSON lines of mitm_addon.py)
        m.log_text()     -> mitmdump's own output, kept for the report

Readiness is probed by connecting, never by sleeping. Each instance has its
own port and log file, so pytest-xdist workers each start their own. The
process runs in its own session; stop() (also at exit and on SIGTERM/SIGINT
through atexit) kills the whole group, so an interrupted run leaves none.
"""
import atexit
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

ADDON = os.path.join(os.path.dirname(os.path.abspath(__file__)), "mitm_addon.py")
_live = set()


class MitmError(RuntimeError):
    """mitmdump is missing or did not come up: a harness failure, never the client's."""


def free_port(host="127.0.0.1"):
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def toml_bytes(data):
    """Bytes as a SCHEMA.md string body (without the quotes): TOML escapes for
    CR/LF/TAB/quote/backslash, {{x:HH}} for other non-printables and for '{'
    (so recorded bytes never read as a placeholder)."""
    out = []
    for b in data:
        c = chr(b)
        if c == "\r":
            out.append("\\r")
        elif c == "\n":
            out.append("\\n")
        elif c == "\t":
            out.append("\\t")
        elif c == '"':
            out.append('\\"')
        elif c == "\\":
            out.append("\\\\")
        elif c == "{" or b < 0x20 or b >= 0x7F:
            out.append("{{x:%02X}}" % b)
        else:
            out.append(c)
    return "".join(out)


def _confdir():
    # mitmproxy writes a CA on first start (about a second); keep it per user
    d = os.path.join(tempfile.gettempdir(), f"httpref-mitm-{os.getuid()}")
    os.makedirs(d, exist_ok=True)
    return d


class Mitmdump:
    def __init__(self, proxyauth=None, extra_args=(), startup_timeout=20.0, record_path=None):
        self.exe = shutil.which("mitmdump")
        if not self.exe:
            raise MitmError("mitmdump not found (Debian package mitmproxy; tools/setup installs it)")
        self.proxyauth = proxyauth
        self.extra_args = list(extra_args)
        self.startup_timeout = startup_timeout
        self.record_path = record_path
        self.dir = tempfile.mkdtemp(prefix="httpref-mitm-")
        self.flow_log = os.path.join(self.dir, "flows.jsonl")
        self.out_log = os.path.join(self.dir, "mitmdump.log")
        self.proc = None
        self.port = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        for _ in range(5):  # a port taken between free_port() and bind: try another
            self.port = free_port()
            cmd = [self.exe, "--listen-host", "127.0.0.1", "-p", str(self.port), "--set", f"confdir={_confdir()}",
                   "-s", ADDON, "--set", f"httpref_log={self.flow_log}", "--set", "stream_large_bodies=10m",
                   "--set", "connection_strategy=lazy", "--set", "termlog_verbosity=warn"]
            if self.proxyauth:
                cmd += ["--proxyauth", self.proxyauth]
            if self.record_path:
                cmd += ["--set", f"httpref_record={self.record_path}"]
            cmd += self.extra_args
            log = open(self.out_log, "ab")
            self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                         start_new_session=True)
            log.close()
            _live.add(self)
            if self._wait_ready():
                return self
            self.stop()
        raise MitmError(f"mitmdump did not start: {self.log_text()[-2000:]}")

    def _wait_ready(self):
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return True
            except OSError:
                time.sleep(0.02)
        return False

    def stop(self):
        if self.proc and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=5)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(timeout=5)
        _live.discard(self)

    def flows(self):
        if not os.path.exists(self.flow_log):
            return []
        with open(self.flow_log) as f:
            return [json.loads(line) for line in f if line.strip()]

    def log_text(self):
        try:
            with open(self.out_log, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


@atexit.register
def _stop_all():
    for m in list(_live):
        m.stop()
