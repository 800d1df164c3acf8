"""One scenario x one implementation (x one variant): serve, drive, judge."""
import os
import time

from server_fixtures import HarnessError, serve

from .execute import AdapterFailure, run_adapter
from .judge import RANK, describe_result, judge
from .lean import lean_case
from .serve import POOL
from .spec import build_spec, required_capabilities

MARGIN_S = 10  # the adapter gets the scenario's own timeout plus this before it is killed


def _drive(impl, command, spec, timeout, env, caps, persistent, token):
    """One spec through the adapter: its serve process when it has one and the case
    needs no environment of its own (coverage's GCOV_PREFIX), else a process of its own."""
    if persistent and "serve" in (caps or ()) and "GCOV_PREFIX" not in env:
        return POOL.run(impl, command, spec, timeout, token=token, env=dict(os.environ, HTTPREF_IMPL=impl))
    return run_adapter(command, spec, timeout, env=env)


def _judge_all(sc, results, t, ph, strict, rfc):
    """The worst verdict over a repeated spec's results. Sent again, the same spec
    must meet a fresh client; a scenario that repeats exists to check that, so
    failing it is the adapter breaking the protocol's isolation, not the client."""
    verdict, reason = judge(sc, results[0], t, ph, strict=strict, rfc=rfc)
    for i, again in enumerate(results[1:], 2):
        v, why = judge(sc, again, t, ph, strict=strict, rfc=rfc)
        if RANK[v] < RANK[verdict]:
            verdict, reason = v, f"the spec sent a {i}. time: {why}"
    if len(results) > 1 and verdict == "fail":
        verdict, reason = "adapter_failure", f"isolation broken (state of one spec reached the next): {reason}"
    return verdict, reason


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
            stderr, results = "", []
            try:
                for _ in range(sc.request.get("repeat", 1)):  # each time a spec of its own: a fresh client
                    result, stderr, _ = _drive(impl, command, spec, timeout, env, caps, persistent, key)
                    results.append(result)
            except AdapterFailure as e:
                run.wait(timeout=1)
                t = run.transcript()
                if t.harness_errors:
                    return {"verdict": "harness_failure", "reason": t.harness_errors[0][:200],
                            "transcript": t.to_json(), "duration_s": time.monotonic() - t0}
                return {"verdict": "adapter_failure", "reason": str(e), "transcript": t.to_json(),
                        "spec": spec, "duration_s": time.monotonic() - t0}
            run.wait(timeout=3)
        t = run.transcript()
        result = results[0]
        verdict, reason = _judge_all(sc, results, t, run.placeholders, strict, rfc)
        out = {"verdict": verdict, "reason": reason, "result": result, "spec": spec, "transcript": t.to_json(),
               "got": describe_result(result), "duration_s": round(time.monotonic() - t0, 3)}
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
