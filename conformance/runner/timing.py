"""Measured criteria for scenarios whose requirement is about time, never only a
wall-clock limit with a generous margin (the kill at timeout_s + MARGIN_S).

[expect.growth] (SCHEMA.md): "MUST NOT degrade quadratically", floods. When the
case took longer than floor_s, the scenario is run again one-shot at full size and
`repeats` times with every send_repeat count scaled by `fraction`, and the ratio of
the adapter's CPU time full / small is judged against linear (1 / fraction) times
`slack`. Minimums over repeats (load only ever adds time); the full size re-run once
before a fail; a full run under floor_s of CPU is not judged. A quadratic client shows ratio 1 / fraction**2 (16 at
the default 1/4, against a bound of 8); a linear one 4 or less, since the fixed
cost of a run only lowers the ratio.

[expect.deadline] (slow servers, endless bodies): the client's own time bound
(the spec's timeout_s) is the requirement, so an answer later than
factor * timeout_s + floor_s, or none before the kill, is the client's fail, not
an adapter failure.
"""
import copy

from server_fixtures import Scenario

GROWTH = {"fraction": 0.25, "slack": 2.0, "floor_s": 1.0, "repeats": 3}
DEADLINE = {"factor": 2.0, "floor_s": 1.0}


def growth_params(sc):
    g = sc.expect.get("growth")
    return None if g is None else {**GROWTH, **g}


def deadline_params(sc):
    d = sc.expect.get("deadline")
    return None if d is None else {**DEADLINE, **d}


def scaled(sc, fraction):
    """The scenario with every send_repeat count times fraction (at least 1)."""
    data = copy.deepcopy(sc.data)
    for srv in data.get("servers", {}).values():
        for conn in srv.get("connections", []):
            for step in conn:
                if "send_repeat" in step:
                    step["count"] = max(1, int(step["count"] * fraction))
    return Scenario(sc.path, data)


def check_growth(sc, wall_s, killed, run_small, run_full):
    """(fail reason or None, measurements). wall_s: the case's own adapter time (when
    killed, the kill time). run_small() / run_full(): (CPU seconds, finished) of one more
    one-shot run at that size, the adapter and the children it waited for, or None when
    it could not be measured. CPU, not wall time: on 2 shared cores at a load of 40 a
    linear client's wall-time ratio reached 10.7; its CPU does not wait for the others."""
    g = growth_params(sc)
    info = {"wall_s": round(wall_s, 3), "fraction": g["fraction"]}
    if not killed and wall_s < g["floor_s"]:
        info["judged"] = f"below the {g['floor_s']} s floor"
        return None, info
    full = run_full()
    if full is None:
        info["judged"] = "the full size could not be measured"
        return None, info
    full_cpu, done = full
    if done and full_cpu < g["floor_s"]:  # slow by the wall clock, not by its own work
        info.update(full_cpu_s=round(full_cpu, 3), judged=f"below the {g['floor_s']} s floor in CPU time")
        return None, info
    smalls = [c for c, ok in filter(None, (run_small() for _ in range(g["repeats"]))) if ok]
    if not smalls:
        info["judged"] = "no small-size run finished"
        return None, info
    small = max(min(smalls), 1e-3)
    bound = g["slack"] / g["fraction"]
    if done and full_cpu / small > bound:  # one more full run before blaming the client
        again = run_full()
        if again and again[1]:
            full_cpu = min(full_cpu, again[0])
    ratio = full_cpu / small
    info.update(small_cpu_s=round(small, 3), full_cpu_s=round(full_cpu, 3), ratio=round(ratio, 1), bound=bound)
    if ratio <= bound:
        info["judged"] = "linear"
        return None, info
    info["judged"] = "superlinear"
    at_least = "" if done else "at least "
    return (f"CPU time grows superlinearly: {at_least}{full_cpu:.2f} s at full size, {small:.2f} s at "
            f"{g['fraction']:g} of it, ratio {at_least}{ratio:.1f} (linear {1 / g['fraction']:g}, bound {bound:g})"), info


def deadline_limit(sc):
    """Seconds after which an answer fails the deadline criterion (None: the scenario has none)."""
    d = deadline_params(sc)
    return None if d is None else float(sc.request.get("timeout_s", 10)) * d["factor"] + d["floor_s"]


def check_deadline(sc, elapsed, killed):
    """A fail reason when the client's own time bound did not end the case in time, else None."""
    d = deadline_params(sc)
    limit = deadline_limit(sc)
    if killed:
        return f"no answer within {elapsed:.0f} s: the client's time bound (timeout_s {sc.request.get('timeout_s', 10)}) " \
               f"did not end the transfer"
    if elapsed > limit:
        return f"answered after {elapsed:.1f} s, past {limit:g} s ({d['factor']:g} x timeout_s + {d['floor_s']:g} s)"
    return None
