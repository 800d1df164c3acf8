"""Run one adapter on one request spec: bounded in time and output, and no
process survives it (the whole process group is killed, forked children
included). Anything but exit 0 with one JSON object is an adapter failure."""
import json
import os
import signal
import subprocess
import threading
import time

MAX_OUTPUT = 160 << 20  # a 64 MiB body is ~86 MiB of base64 JSON


class AdapterFailure(Exception):
    pass


class AdapterTimeout(AdapterFailure):
    """Killed for running past the case's time: the client's fault where the
    scenario's requirement is its own time bound (runner/timing.py)."""


def _reader(stream, sink, cap, over):
    total = 0
    while True:
        chunk = stream.read(65536)
        if not chunk:
            break
        total += len(chunk)
        if total > cap:
            over.set()
            break
        sink.append(chunk)


def _kill_group(p):
    try:
        os.killpg(p.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def run_adapter(command, spec, timeout, env=None, cwd=None):
    """(result dict, stderr text, seconds); raises AdapterFailure with a reason."""
    t0 = time.monotonic()
    try:
        p = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             start_new_session=True, env=env, cwd=cwd)
    except OSError as e:
        raise AdapterFailure(f"cannot start adapter {command[0]}: {e}") from None
    out, err, over = [], [], threading.Event()
    threads = [threading.Thread(target=_reader, args=(p.stdout, out, MAX_OUTPUT, over), daemon=True),
               threading.Thread(target=_reader, args=(p.stderr, err, 1 << 20, threading.Event()), daemon=True)]
    for t in threads:
        t.start()
    try:
        p.stdin.write(json.dumps(spec).encode())
        p.stdin.close()
    except (BrokenPipeError, OSError):
        pass
    deadline = t0 + timeout
    status = None
    try:
        while time.monotonic() < deadline and not over.is_set():
            status = p.poll()
            if status is not None:
                break
            time.sleep(0.005)
    except BaseException:  # Ctrl-C: the adapter runs in its own session, so only we can end it
        _kill_group(p)
        raise
    timed_out = status is None and not over.is_set()
    _kill_group(p)  # also any child the adapter forked and left behind
    try:
        p.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass
    for t in threads:
        t.join(timeout=2)
    for s in (p.stdout, p.stderr):
        try:
            s.close()
        except OSError:
            pass
    elapsed = time.monotonic() - t0
    stderr = b"".join(err).decode("utf-8", "replace")[-2000:]
    if over.is_set():
        raise AdapterFailure(f"adapter wrote more than {MAX_OUTPUT >> 20} MiB; killed")
    if timed_out:
        raise AdapterTimeout(f"adapter did not finish within {timeout:.0f} s; killed")
    if status != 0:
        raise AdapterFailure(f"adapter exited with status {status}: {stderr.strip()[-300:]}")
    text = b"".join(out).decode("utf-8", "replace").strip()
    try:
        result = json.loads(text)
    except ValueError:
        raise AdapterFailure(f"adapter output is not JSON: {text[:120]!r}") from None
    if not isinstance(result, dict) or result.get("outcome") not in ("response", "error"):
        raise AdapterFailure(f"adapter result has no outcome \"response\" or \"error\": {text[:120]!r}")
    return result, stderr, elapsed


NOT_INSTALLED = 4  # --describe's exit status when the client itself is not installed


def describe_status(command, timeout=15, cwd=None):
    """(the adapter's --describe answer or None, problem or None). A problem is
    {"exit": status, "message": what stderr said, "not_installed": bool}: exit 4
    (or a missing interpreter, 127) means the client is not installed here,
    anything else that the adapter is broken or not built (exit 3 by convention)."""
    try:
        p = subprocess.run(command + ["--describe"], capture_output=True, timeout=timeout, cwd=cwd,
                           start_new_session=True)
    except FileNotFoundError as e:
        return None, {"exit": 127, "message": f"{e.filename or command[0]}: not found", "not_installed": True}
    except (OSError, subprocess.SubprocessError) as e:
        return None, {"exit": None, "message": str(e), "not_installed": False}
    message = p.stderr.decode("utf-8", "replace").strip()[-500:]
    if p.returncode != 0:
        return None, {"exit": p.returncode, "message": message or f"exit status {p.returncode}, nothing on stderr",
                      "not_installed": p.returncode in (NOT_INSTALLED, 127)}
    try:
        d = json.loads(p.stdout.decode())
    except ValueError:
        d = None
    if not isinstance(d, dict) or "name" not in d:
        return None, {"exit": 0, "message": f"--describe printed no JSON object with a name: {p.stdout[:120]!r}",
                      "not_installed": False}
    return d, None


def describe(command, timeout=15, cwd=None):
    """The adapter's --describe answer, or None when it cannot run here."""
    return describe_status(command, timeout, cwd)[0]
