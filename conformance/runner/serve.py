"""Persistent adapters (DESIGN.md "Adapter protocol", serve mode).

An adapter that declares `serve` is started once per (process, implementation)
as `ADAPTER --serve`, in its own process group, and gets one spec per line on
stdin; it answers each with one result line on stdout carrying the spec's
`serve_seq`. One spec is in flight at a time. Any break of that contract (the
case's time limit, EOF on stdout, a line that is not one JSON object, a wrong
or missing serve_seq, a second answer, more than MAX_OUTPUT) kills the whole
group and fails only the case it broke on; the next case gets a fresh process.

A process is started before the case's fixtures are up (Pool.start, from
runner/case.py), so its start-up is no case's time. An adapter that declares
`serve-ready` first writes one line {"ready": true} when it can serve (a
browser or a VM started); the runner waits up to READY_S for it, outside every
case's time limit. Silence past READY_S, an exit or any other line first fails
the case about to be served, and the next case starts a fresh process.

Under pytest-xdist every worker is its own process, so the module-level POOL
is per worker. Output that arrives while no spec is in flight (a late second
answer, an answer to nothing) is blamed on the case served last: the pool
records it as a late failure, and the conftest rewrites that case's verdict.
"""
import atexit
import json
import os
import selectors
import signal
import subprocess
import time

from .execute import MAX_OUTPUT, AdapterFailure, AdapterTimeout

STDERR_CAP = 1 << 20  # stderr kept per case; older bytes are dropped
READ = 1 << 20
READY_S = 90  # bound on a `serve-ready` adapter's start (a browser under a load of 40 takes 11-18 s)


def _kill_group(p):
    try:
        os.killpg(p.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


class ServeProcess:
    """One `ADAPTER --serve` process and the bytes it has written so far."""

    def __init__(self, command, env=None, cwd=None):
        try:
            self.p = subprocess.Popen(command + ["--serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, start_new_session=True, env=env, cwd=cwd, bufsize=0)
        except OSError as e:
            raise AdapterFailure(f"cannot start adapter {command[0]} --serve: {e}") from None
        for f in (self.p.stdin, self.p.stdout, self.p.stderr):
            os.set_blocking(f.fileno(), False)
        self.seq = 0
        self.out = bytearray()  # stdout not yet consumed as an answer
        self.err = bytearray()  # stderr since the current case began (bounded)
        self.eof = False
        self.served = 0
        self.start_s = None  # seconds until {"ready": true}, for a `serve-ready` adapter

    # -- reading ----------------------------------------------------------
    def _read(self, f):
        """Move what the pipe holds into our buffers; False at EOF."""
        try:
            data = os.read(f.fileno(), READ)
        except BlockingIOError:
            return True
        except OSError:
            data = b""
        if f is self.p.stderr:
            self.err += data
            if len(self.err) > STDERR_CAP:
                del self.err[:len(self.err) - STDERR_CAP]
            return bool(data)
        if not data:
            self.eof = True
            return False
        self.out += data
        return True

    def pending(self):
        """Whatever stdout holds right now without waiting (bytes, or b'' and EOF)."""
        sel = selectors.DefaultSelector()
        sel.register(self.p.stdout, selectors.EVENT_READ)
        while not self.eof and sel.select(0):
            if not self._read(self.p.stdout):
                break
        sel.close()
        return bytes(self.out)

    def stderr_text(self):
        return self.err.decode("utf-8", "replace")[-2000:]

    def wait_ready(self, timeout=None):
        """Wait for the one {"ready": true} line a `serve-ready` adapter writes before
        it reads a spec; AdapterFailure when it exits, writes anything else or is silent."""
        timeout = READY_S if timeout is None else timeout
        t0 = time.monotonic()
        sel = selectors.DefaultSelector()
        sel.register(self.p.stdout, selectors.EVENT_READ)
        sel.register(self.p.stderr, selectors.EVENT_READ)
        try:
            while b"\n" not in self.out:
                if self.eof:
                    raise AdapterFailure(self._exit_reason("before it was ready"))
                left = t0 + timeout - time.monotonic()
                if left <= 0:
                    raise AdapterFailure(f"adapter (serve) did not say ready within {timeout:.0f} s; killed: "
                                         f"{self.stderr_text().strip()[-300:]}")
                for key, _ in sel.select(min(left, 1.0)):
                    if not self._read(key.fileobj):
                        sel.unregister(key.fileobj)
        finally:
            sel.close()
        nl = self.out.find(b"\n")
        text = self.out[:nl].decode("utf-8", "replace")
        del self.out[:nl + 1]
        try:
            ok = json.loads(text) == {"ready": True}
        except ValueError:
            ok = False
        if not ok:
            raise AdapterFailure(f"adapter (serve) declares serve-ready but first wrote {text[:120]!r}, "
                                 "not {\"ready\": true}")
        self.start_s = time.monotonic() - t0
        return self.start_s

    # -- one exchange -----------------------------------------------------
    def request(self, spec, timeout):
        """(result, stderr, seconds) for one spec; AdapterFailure on any break."""
        t0 = time.monotonic()
        deadline = t0 + timeout
        self.seq += 1
        self.err.clear()
        line = memoryview(json.dumps(dict(spec, serve_seq=self.seq)).encode() + b"\n")
        sel = selectors.DefaultSelector()
        sel.register(self.p.stdout, selectors.EVENT_READ)
        sel.register(self.p.stderr, selectors.EVENT_READ)
        sel.register(self.p.stdin, selectors.EVENT_WRITE)
        scanned = 0
        try:
            while True:
                nl = self.out.find(b"\n", scanned)
                if nl >= 0:
                    break
                scanned = len(self.out)
                if scanned > MAX_OUTPUT:
                    raise AdapterFailure(f"adapter wrote more than {MAX_OUTPUT >> 20} MiB; killed")
                if self.eof:
                    raise AdapterFailure(self._exit_reason())
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AdapterTimeout(f"adapter did not finish within {timeout:.0f} s; killed")
                for key, _ in sel.select(min(left, 1.0)):
                    if key.fileobj is self.p.stdin:
                        n = self._write(line)
                        if n < 0 or n == len(line):  # all sent, or the adapter is gone (EOF tells)
                            sel.unregister(self.p.stdin)
                        line = line[max(n, 0):]
                    elif not self._read(key.fileobj):
                        sel.unregister(key.fileobj)
        finally:
            sel.close()
        # as in one-shot: bytes that are not UTF-8 (a Lua string passed through) are replaced
        text = self.out[:nl].decode("utf-8", "replace")
        del self.out[:nl + 1]
        if self.pending().strip():
            raise AdapterFailure(f"adapter wrote a second answer to serve_seq {self.seq}: "
                                 f"{bytes(self.out[:120])!r}")
        self.out.clear()  # blank lines are tolerated
        result = self._parse(text)
        self.served += 1
        return result, self.stderr_text(), time.monotonic() - t0

    def _write(self, line):
        """Bytes written (0 while the pipe is full, -1 once it is closed)."""
        try:
            return os.write(self.p.stdin.fileno(), line)
        except BlockingIOError:
            return 0
        except OSError:
            return -1

    def _parse(self, text):
        try:
            result = json.loads(text)
        except ValueError:
            raise AdapterFailure(f"adapter answer is not one JSON line: {text[:120]!r}") from None
        if not isinstance(result, dict):
            raise AdapterFailure(f"adapter answer is not a JSON object: {text[:120]!r}")
        seq = result.pop("serve_seq", None)
        if seq != self.seq:
            got = "no serve_seq" if seq is None else f"serve_seq {seq!r}"
            raise AdapterFailure(f"adapter answered with {got} to the spec with serve_seq {self.seq}")
        if result.get("outcome") not in ("response", "error"):
            raise AdapterFailure(f"adapter result has no outcome \"response\" or \"error\": {text[:120]!r}")
        return result

    def _exit_reason(self, when="before answering"):
        try:
            status = self.p.wait(timeout=2)
        except subprocess.TimeoutExpired:
            status = None
        self._drain_stderr()
        what = "closed its stdout" if status is None else f"exited with status {status}"
        return f"adapter (serve) {what} {when}: {self.stderr_text().strip()[-300:]}"

    def _drain_stderr(self):
        sel = selectors.DefaultSelector()
        sel.register(self.p.stderr, selectors.EVENT_READ)
        end = time.monotonic() + 0.5
        while time.monotonic() < end and sel.select(0.05) and self._read(self.p.stderr):
            pass
        sel.close()

    # -- ending -----------------------------------------------------------
    def kill(self):
        _kill_group(self.p)
        try:
            self.p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        for f in (self.p.stdin, self.p.stdout, self.p.stderr):
            try:
                f.close()
            except OSError:
                pass

    def close(self, grace=5.0):
        """EOF on stdin, then the adapter should exit; anything it still writes on
        stdout answered no spec (the reason is returned). The group is killed either way."""
        stray = None
        try:
            self.p.stdin.close()
        except OSError:
            pass
        end = time.monotonic() + grace
        while self.p.poll() is None and time.monotonic() < end:
            if self.pending().strip():
                break
            time.sleep(0.01)
        if self.pending().strip():
            stray = f"adapter wrote after its last answer: {bytes(self.out[:120])!r}"
        self.kill()
        return stray


class Pool:
    """The serve processes of this (worker) process, by implementation."""

    def __init__(self):
        self.procs = {}
        self.last = {}  # key -> the token of the case it served last
        self.late = []  # (impl, token, reason): output that arrived after a case ended

    def start(self, impl, command, env=None, cwd=None, ready=False):
        """The live serve process of (impl, command), started now if there is none (and,
        for a `serve-ready` adapter, waited for until it says ready). Seconds spent
        starting it, or None when one was already up; AdapterFailure when it cannot start."""
        key = (impl, tuple(command))
        proc = self.procs.get(key)
        if proc is not None and (proc.pending().strip() or proc.eof):
            self._retire(key, proc)
            proc = None
        if proc is not None:
            return None
        t0 = time.monotonic()
        proc = ServeProcess(command, env=env, cwd=cwd)
        if ready:
            try:
                proc.wait_ready()
            except BaseException:
                proc.kill()
                raise
        self.procs[key] = proc
        return time.monotonic() - t0

    def run(self, impl, command, spec, timeout, token=None, env=None, cwd=None, ready=False):
        key = (impl, tuple(command))
        self.start(impl, command, env=env, cwd=cwd, ready=ready)
        proc = self.procs[key]
        self.last[key] = token
        try:
            return proc.request(spec, timeout)
        except BaseException:  # a break, or Ctrl-C: this process serves nobody any more
            self.procs.pop(key, None)
            proc.kill()
            raise

    def _retire(self, key, proc):
        """Between specs the adapter wrote, or exited: the case it served last is to blame
        (unless it only exited cleanly, which broke no answer)."""
        if proc.out.strip():
            reason = f"adapter wrote when no spec was in flight (a late or second answer): {bytes(proc.out[:120])!r}"
        else:
            try:
                status = proc.p.wait(timeout=2)
            except subprocess.TimeoutExpired:
                status = "none (stdout closed, still running)"
            reason = None if status == 0 else f"adapter (serve) exited with status {status} after answering"
        if reason:
            self.late.append((key[0], self.last.get(key), reason))
        self.procs.pop(key, None)
        proc.kill()

    def take_late(self):
        out, self.late = self.late, []
        return out

    def close_all(self):
        for key, proc in list(self.procs.items()):
            stray = proc.close()
            if stray:
                self.late.append((key[0], self.last.get(key), stray))
        self.procs.clear()

    def pids(self):
        return [p.p.pid for p in self.procs.values()]


POOL = Pool()
atexit.register(POOL.close_all)
