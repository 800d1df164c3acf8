"""One scenario x one implementation (x one variant): serve, drive, judge."""
import os
import resource
import time

from server_fixtures import HarnessError, serve

from . import timing
from .execute import AdapterFailure, AdapterTimeout, run_adapter
from .judge import RANK, describe_result, judge_full
from .lean import lean_case
from .serve import POOL
from .spec import build_spec, required_capabilities

MARGIN_S = 10  # the adapter gets the scenario's own timeout plus this before it is killed
DEADLINE_GRACE_S = 1  # ... or, under [expect.deadline], its limit plus this (a slow server's fail costs 8 s, not 13)


def _serves(caps, persistent):
    """The case goes to the implementation's serve process: it has one, and the case
    needs no environment of its own (a coverage run gives each case its GCOV_PREFIX)."""
    return persistent and "serve" in (caps or ()) and not os.environ.get("HTTPREF_COVERAGE_ROOT")


def _drive(impl, command, spec, timeout, env, caps, persistent, token):
    """One spec through the adapter: its serve process (_serves), else a process of its own."""
    if _serves(caps, persistent):
        return POOL.run(impl, command, spec, timeout, token=token, env=dict(os.environ, HTTPREF_IMPL=impl),
                        ready="serve-ready" in caps)
    return run_adapter(command, spec, timeout, env=env)


def _start_serving(impl, command, caps, persistent):
    """Start the serve process before the fixtures are up, so its start-up (an
    interpreter, a JVM, a browser) is no case's time; a `serve-ready` adapter is waited
    for until it says ready (runner/serve.py, READY_S). (seconds, or None when one
    was up already; an AdapterFailure when it cannot start)."""
    if not _serves(caps, persistent):
        return None
    return POOL.start(impl, command, env=dict(os.environ, HTTPREF_IMPL=impl), ready="serve-ready" in caps)


def _children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


class _Timer:
    """The timing criteria of runner/timing.py for one case: judge() returns the
    fields of the case's record it changes (verdict, reason, timing)."""

    def __init__(self, sc, variant, impl, command, caps, persistent, env, key, timeout):
        self.sc, self.variant, self.args = sc, variant, (impl, command, caps, persistent, env, key, timeout)

    def run_once(self, sc):
        """(CPU seconds of a one-shot adapter run on sc and the children it waited for,
        finished); a kill still counts, as a lower bound. None when the run broke."""
        impl, command, caps, _, env, key, timeout = self.args
        before = _children_cpu()
        try:
            with serve(sc, self.variant) as run:
                spec = build_spec(sc, sc.request, run, None)
                _drive(impl, command, spec, timeout, env, caps, False, key)
                return _children_cpu() - before, True
        except AdapterTimeout:
            return _children_cpu() - before, False
        except (AdapterFailure, HarnessError):
            return None

    def judge(self, verdict, reason, elapsed, killed):
        sc, out = self.sc, {}
        if timing.deadline_params(sc) and verdict in ("pass", "lenient", "adapter_failure"):
            why = timing.check_deadline(sc, elapsed, killed)
            out["timing"] = {"adapter_s": round(elapsed, 3), "deadline": why or "met"}
            if why:
                return {**out, "verdict": "fail", "reason": why}
        if timing.growth_params(sc) and self.variant is None and verdict in ("pass", "lenient", "adapter_failure"):
            small = timing.scaled(sc, timing.growth_params(sc)["fraction"])
            why, info = timing.check_growth(sc, elapsed, killed, lambda: self.run_once(small),
                                            lambda: self.run_once(sc))
            out["timing"] = {"adapter_s": round(elapsed, 3), "growth": info}
            if why:
                return {**out, "verdict": "fail", "reason": why}
        return out


def _judge_all(sc, results, t, ph, strict, rfc):
    """The worst verdict over a repeated spec's results. Sent again, the same spec
    must meet a fresh client; a scenario that repeats exists to check that, so
    failing it is the adapter breaking the protocol's isolation, not the client."""
    verdict, reason, cls = judge_full(sc, results[0], t, ph, strict=strict, rfc=rfc)
    for i, again in enumerate(results[1:], 2):
        v, why, c = judge_full(sc, again, t, ph, strict=strict, rfc=rfc)
        if RANK[v] < RANK[verdict]:
            verdict, reason, cls = v, f"the spec sent a {i}. time: {why}", c
    if len(results) > 1 and verdict == "fail":
        verdict, reason = "adapter_failure", f"isolation broken (state of one spec reached the next): {reason}"
    return verdict, reason, cls


def run_case(sc, variant, impl, command, caps, strict=False, rfc="9112", persistent=True):
    """dict(verdict, reason, result, transcript, duration_s, stderr). persistent=False
    runs even a serve-capable adapter once per case (tools/valgrind, the bench). The
    judge sees whole bodies; what comes back, to be stored, is lean (runner/lean.py)."""
    return lean_case(_run_case(sc, variant, impl, command, caps, strict, rfc, persistent))


def _run_case(sc, variant, impl, command, caps, strict, rfc, persistent):
    t0 = time.monotonic()
    missing = required_capabilities(sc) - set(caps or ())
    if missing:
        return {"verdict": "unsupported", "reason": f"needs {', '.join(sorted(missing))}, which {impl} "
                                                    f"does not declare", "duration_s": 0.0}
    try:
        started = _start_serving(impl, command, caps, persistent)
    except AdapterFailure as e:
        return {"verdict": "adapter_failure", "reason": str(e), "duration_s": time.monotonic() - t0}
    mitm = None
    if sc.request.get("proxy") == "mitmproxy":
        try:
            from proxy import Mitmdump, MitmError  # conformance/proxy
            auth = sc.data.get("mitmproxy", {}).get("proxyauth")
            mitm = Mitmdump(proxyauth=auth).start()
        except Exception as e:  # mitmdump missing or not starting: not the client's fault
            return {"verdict": "skipped_dependency", "reason": f"mitmdump: {e}", "duration_s": 0.0}
    try:
        with serve(sc, variant) as run:
            spec = build_spec(sc, sc.request, run, mitm.url if mitm else None)
            key = sc.id + (f"~{variant}" if variant else "")
            env = dict(os.environ, HTTPREF_SCENARIO_ID=key, HTTPREF_IMPL=impl)
            root = os.environ.get("HTTPREF_COVERAGE_ROOT")
            if root:  # per-scenario gcov counters (tools/coverage)
                env["GCOV_PREFIX"] = os.path.join(root, impl, env["HTTPREF_SCENARIO_ID"])
            timeout = float(sc.request.get("timeout_s", 10)) * (1 + len(sc.request.get("then", []))) + MARGIN_S
            limit = timing.deadline_limit(sc)
            if limit is not None:  # past that limit any answer fails: waiting longer only costs
                timeout = min(timeout, limit + DEADLINE_GRACE_S)
            stderr, results, elapsed = "", [], 0.0
            timer = _Timer(sc, variant, impl, command, caps, persistent, env, key, timeout)
            try:
                for _ in range(sc.request.get("repeat", 1)):  # each time a spec of its own: a fresh client
                    result, stderr, elapsed = _drive(impl, command, spec, timeout, env, caps, persistent, key)
                    results.append(result)
            except AdapterFailure as e:
                run.wait(timeout=1)
                t = run.transcript()
                if t.harness_errors:
                    return {"verdict": "harness_failure", "reason": t.harness_errors[0][:200],
                            "transcript": t.to_json(), "duration_s": time.monotonic() - t0}
                killed = {"verdict": "adapter_failure", "reason": str(e), "transcript": t.to_json(),
                          "spec": spec, "duration_s": time.monotonic() - t0}
                timed_out = isinstance(e, AdapterTimeout)
            else:
                killed = None
            run.wait(timeout=3)
        if killed:  # outside the fixture: a timing judgement may serve the scenario again
            if started is not None:
                killed["serve_start_s"] = round(started, 3)
            if timed_out:
                killed.update(timer.judge("adapter_failure", killed["reason"], timeout, True))
            return killed
        t = run.transcript()
        result = results[0]
        verdict, reason, cls = _judge_all(sc, results, t, run.placeholders, strict, rfc)
        out = {"verdict": verdict, "reason": reason, "result": result, "spec": spec, "transcript": t.to_json(),
               "got": describe_result(result)}
        if cls:  # the refusal passed; the error class, a check of its own, did not
            out["class_check"] = {"verdict": "fail", **cls}
        out.update(timer.judge(verdict, reason, elapsed, False))
        out["duration_s"] = round(time.monotonic() - t0, 3)
        if started is not None:  # this case started the serve process: that much of its time was the start
            out["serve_start_s"] = round(started, 3)
        if len(results) > 1:
            out["repeats"] = results[1:]
        if stderr and verdict != "pass":
            out["stderr"] = stderr[-500:]
        if mitm:
            out["proxy_flows"] = mitm.flows()
            if verdict != "pass":
                out["proxy_log"] = mitm.log_text()[-2000:]
        return out
    except HarnessError as e:
        return {"verdict": "harness_failure", "reason": str(e)[:200], "duration_s": time.monotonic() - t0}
    finally:
        if mitm:
            mitm.cleanup()
