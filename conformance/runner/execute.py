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
        raise AdapterFailure(f"adapter did not finish within {timeout:.0f} s; killed")
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


def describe(command, timeout=15, cwd=None):
    """The adapter's --describe answer, or None when it cannot run here."""
    try:
        p = subprocess.run(command + ["--describe"], capture_output=True, timeout=timeout, cwd=cwd,
                           start_new_session=True)
        if p.returncode != 0:
            return None
        d = json.loads(p.stdout.decode())
        return d if isinstance(d, dict) and "name" in d else None
    except (OSError, subprocess.SubprocessError, ValueError):
        return None
