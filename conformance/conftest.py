"""The pytest layer: every scenario file under conformance/scenarios/ is
collected as items "ID[impl]" (and "ID~variant[impl]"). Kept thin: the work
is in runner/ (case, judge, spec, execute, reports, expectations).

  /usr/bin/python3 -m pytest conformance/scenarios --impl httpref,curl -n auto
"""
import datetime
import json
import os
import shutil
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "server-fixtures"))

from runner import expectations, impls, reports, shard  # noqa: E402
from runner.case import run_case  # noqa: E402
from runner.judge import RANK  # noqa: E402
from runner.serve import POOL  # noqa: E402
from server_fixtures import ScenarioError, load_scenario  # noqa: E402


def pytest_addoption(parser):
    g = parser.getgroup("httpref", "httpref conformance")
    g.addoption("--impl", default=None, help="comma list of implementations (bundled names or name=command); "
                                              "default: every bundled one (implementations.toml). One that is "
                                              "required and cannot answer --describe stops the run (exit 2); "
                                              "an optional peer not installed is skipped_dependency")
    g.addoption("--scenario", default=None, help="comma list of scenario id prefixes (FR,CH-0)")
    g.addoption("--dry-run", action="store_true", help="list the cases, run nothing")
    g.addoption("--strict-levels", action="store_true",
                help="grade SHOULDs like MUSTs: no credit for lenient outcomes (h2spec --strict)")
    g.addoption("--rfc", default="9112", choices=["9112", "2616"], help="grade by RFC 9110/9112 or by RFC 2616")
    g.addoption("--no-variants", action="store_true", help="skip the bytewise/split/reset fault variants")
    g.addoption("--variants-for", default="all", help="comma list of implementations whose runs include the "
                                                      "fault variants (default: all)")
    g.addoption("--report-dir", default=None, help="where results.json and the pages go "
                                                    "(default reports/<UTC timestamp>, and reports/latest)")
    g.addoption("--expect", default=None, help="regression mode: 'auto' (conformance/expectations/<impl>.toml) "
                                               "or a file; fails only on results worse than expected")
    g.addoption("--update-expectations", action="store_true", help="rewrite conformance/expectations/*.toml")
    g.addoption("--fail-on", default=None, choices=["must", "should", "any"],
                help="exit 1 when a case of that level fails (fail or adapter_failure; lenient is not a failure) "
                     "for the implementations run: must = MUST/MUST NOT scenarios, should = those and SHOULD/SHOULD "
                     "NOT, any = every level. Default: scores never fail the run (only --expect and harness "
                     "failures do)")
    g.addoption("--shard", default=None, metavar="K/N",
                help="run slice K of N (1-based): a stable partition of the cases balanced by the durations "
                     "file; for a CI job matrix, each job one K, then tools/merge-reports. A shard's report "
                     "does not move reports/latest")
    g.addoption("--shard-durations", default=None, metavar="FILE",
                help="results.json whose case durations weight --shard and put the slowest cases first "
                     "(default reports/latest/results.json "
                     "when it exists, else every case weighs the same); every shard must see the same file")
    g.addoption("--keep-partials", action="store_true",
                help="keep <report dir>/partials/ (each worker's results) after they are merged into results.json")
    g.addoption("--keep-runs", type=int, default=5, metavar="N",
                help="reports/ keeps the newest N run folders (default 5; 0 keeps all); the one reports/latest "
                     "points at is never deleted. Only for the default report folder")
    g.addoption("--adapter-mode", default=os.environ.get("HTTPREF_ADAPTER_MODE", "auto"), choices=["auto", "oneshot"],
                help="auto: an adapter that declares `serve` stays up, one process per worker, a fresh client per "
                     "spec; oneshot: one adapter process per case for every adapter (memcheck and sanitizer "
                     "runs, the bench's comparison). Default $HTTPREF_ADAPTER_MODE or auto")


def pytest_xdist_auto_num_workers(config):
    """-n auto: twice the cores, as tools/conformance and tools/test use. A case
    mostly waits on sockets and on the scenarios' own deliberate silences, so one
    worker per core leaves the cores half idle (HTTPREF_WORKERS overrides)."""
    return int(os.environ.get("HTTPREF_WORKERS") or 2 * (os.cpu_count() or 1))


class _Xdist:
    """Hand the controller's report folder and implementation list to each worker,
    and deal the cases out a few at a time."""

    def pytest_configure_node(self, node):
        node.workerinput["httpref_report_dir"] = node.config._httpref_report_dir
        # the controller asked every adapter --describe once; the workers reuse its answers
        node.workerinput["httpref_impls"] = [list(x) for x in _resolved(node.config)]

    def pytest_xdist_make_scheduler(self, config, log):
        if config.getoption("dist") != "load":
            return None
        from xdist.scheduler import LoadScheduling

        class FewAtATime(LoadScheduling):
            """xdist hands each worker a quarter of its share up front and then large
            consecutive chunks, and never takes them back: with cases of seconds (a slow
            server, CH-30) one worker sat on 7 % of a main job for six minutes while
            three idled. Two at a time, the slowest first (_heaviest_first), keeps
            every worker busy to the end; the round trip is nothing next to a case."""

            def _send_tests(self, node, num):
                super()._send_tests(node, min(num, 2))

        return FewAtATime(config, log)


def _git_commit():
    try:
        return subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, timeout=5).stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def pytest_configure(config):
    worker = getattr(config, "workerinput", None)
    if worker:
        config._httpref_report_dir = worker["httpref_report_dir"]
    else:
        stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        config._httpref_report_dir = config.getoption("--report-dir") or os.path.join(ROOT, "reports", stamp)
        # a reused --report-dir must not merge the partials of an earlier run into this one
        shutil.rmtree(os.path.join(config._httpref_report_dir, "partials"), ignore_errors=True)
        if config.pluginmanager.hasplugin("xdist"):
            config.pluginmanager.register(_Xdist())
    config._httpref_results = {}
    config._httpref_impls = None


def _resolved(config):
    """[(name, command, description, problem, optional)], asked once per run."""
    if config._httpref_impls is None:
        worker = getattr(config, "workerinput", None)
        if worker and "httpref_impls" in worker:
            config._httpref_impls = [tuple(x) for x in worker["httpref_impls"]]
        else:
            config._httpref_impls = impls.resolve(config.getoption("--impl"))
    return config._httpref_impls


def _impls(config):
    """[(name, command, description or None)]: every implementation chosen; one
    that cannot run here has no description and its cases say why."""
    return [(n, c, d) for n, c, d, _, _ in _resolved(config)]


def _unavailable(config, name):
    """The verdict and reason of every case of an implementation without a description."""
    for n, _, _, problem, _ in _resolved(config):
        if n == name and problem:
            if problem["not_installed"]:
                return "skipped_dependency", f"{name} is not installed here: {problem['message']}"
            return "adapter_failure", f"{name} adapter --describe failed (exit {problem['exit']}): {problem['message']}"
    return "skipped_dependency", f"{name} adapter is not available here"


def pytest_sessionstart(session):
    """A required implementation (bundled and not `optional`, or named as name=command)
    that cannot answer --describe is an error of the run, before any case runs."""
    cfg = session.config
    if getattr(cfg, "workerinput", None) or cfg.getoption("--dry-run") or cfg.getoption("--collect-only"):
        return
    broken = [(n, p) for n, _, d, p, optional in _resolved(cfg) if p and not optional]
    if broken:
        lines = [f"{n}: adapter --describe failed (exit {p['exit']}): {p['message']}" for n, p in broken]
        hint = "install what is missing with tools/setup --all, build with cmake --build build, or leave it out " \
               "with --impl"
        pytest.exit("cannot score a required implementation:\n  " + "\n  ".join(lines) + f"\n({hint})", returncode=2)


def _shard(config):
    """(K, N, durations, durations hash) for --shard, or None; a bad K/N is a usage error."""
    if not config.getoption("--shard"):
        return None
    if getattr(config, "_httpref_shard", None) is None:
        try:
            k, n = shard.parse(config.getoption("--shard"))
        except ValueError as e:
            raise pytest.UsageError(str(e)) from None
        path = config.getoption("--shard-durations") or os.path.join(ROOT, "reports", "latest", "results.json")
        if config.getoption("--shard-durations") and not os.path.exists(path):
            raise pytest.UsageError(f"--shard-durations: no such file {path}")
        weights, digest = shard.durations(path)
        config._httpref_shard = (k, n, weights, digest)
    return config._httpref_shard


def pytest_collection_modifyitems(session, config, items):
    s = _shard(config)
    if not s:
        _heaviest_first(config, items)
        return
    k, n, weights, _ = s
    ids = {f"{it.impl}/{it.key}": it for it in items if isinstance(it, ScenarioItem)}
    mine = shard.partition(list(ids), n, weights)[k - 1]
    # a broken scenario file is reported by shard 1 only
    keep = [it for it in items if (f"{it.impl}/{it.key}" in mine if isinstance(it, ScenarioItem) else k == 1)]
    config.hook.pytest_deselected(items=[it for it in items if it not in keep])
    items[:] = keep


def _heaviest_first(config, items):
    """The cases the last run found slowest (a client on CH-30, a slow server run to
    its deadline) go first, so they overlap the many short ones instead of trailing
    the run on one worker. Every xdist worker computes the same order from the same
    file, as xdist requires; without durations the order stays the files'."""
    path = config.getoption("--shard-durations") or os.path.join(ROOT, "reports", "latest", "results.json")
    weights, _ = shard.durations(path)
    if weights:
        items[:] = shard.heaviest_first(items, [f"{it.impl}/{it.key}" if isinstance(it, ScenarioItem) else None
                                                for it in items], weights)


def pytest_report_header(config):
    lines = [f"httpref harness {_git_commit()}, grading by RFC {config.getoption('--rfc')}"
             + (", strict levels" if config.getoption("--strict-levels") else "")]
    s = _shard(config)
    if s:
        lines.append(f"  shard {s[0]}/{s[1]}, weighted by " + (f"durations {s[3]}" if s[3] else "nothing (equal weights)"))
    for name, _, d in _impls(config):
        lines.append(f"  {name}: {d['version'] if d else 'UNAVAILABLE: ' + _unavailable(config, name)[1]}")
    return lines


def pytest_collect_file(file_path, parent):
    if file_path.suffix == ".toml" and "scenarios" in file_path.parts and file_path.is_relative_to(HERE):
        return ScenarioFile.from_parent(parent, path=file_path)
    return None


class ScenarioFile(pytest.File):
    def collect(self):
        try:
            sc = load_scenario(str(self.path))
        except ScenarioError as e:
            yield BrokenScenario.from_parent(self, name=self.path.stem, error=e)
            return
        prefixes = self.config.getoption("--scenario")
        if prefixes and not any(sc.id.startswith(p.strip()) for p in prefixes.split(",")):
            return
        variants = [None] + ([] if self.config.getoption("--no-variants") else list(sc.variants))
        which = self.config.getoption("--variants-for")
        with_variants = None if which == "all" else {x.strip() for x in which.split(",")}
        for name, command, d in _impls(self.config):
            for v in variants if with_variants is None or name in with_variants else [None]:
                yield ScenarioItem.from_parent(self, name=f"{sc.id}{'~' + v if v else ''}[{name}]", sc=sc,
                                               variant=v, impl=name, command=command, desc=d)


class BrokenScenario(pytest.Item):
    def __init__(self, *, error, **kw):
        super().__init__(**kw)
        self.error = error

    def runtest(self):
        raise ScenarioError(self.error.path, self.error.field, self.error.message)

    def repr_failure(self, excinfo):
        return f"broken scenario file (a harness failure): {self.error}"


class RegressionFailure(Exception):
    pass


class ScenarioItem(pytest.Item):
    def __init__(self, *, sc, variant, impl, command, desc, **kw):
        super().__init__(**kw)
        self.sc, self.variant, self.impl, self.command, self.desc = sc, variant, impl, command, desc
        self.key = sc.id + (f"~{variant}" if variant else "")

    def runtest(self):
        cfg = self.config
        if cfg.getoption("--dry-run"):
            pytest.skip("dry run")
        key = self.sc.id + (f"~{self.variant}" if self.variant else "")
        persistent = cfg.getoption("--adapter-mode") != "oneshot"
        if not self.desc:
            verdict, reason = _unavailable(cfg, self.impl)
            r = {"verdict": verdict, "reason": reason}
        else:
            r = run_case(self.sc, self.variant, self.impl, self.command, self.desc.get("capabilities", []),
                         strict=cfg.getoption("--strict-levels"), rfc=cfg.getoption("--rfc"), persistent=persistent)
            _apply_late_failures(cfg)
        r["group"] = self.sc.group
        seen = expectations.timing_seen(self.impl, key, r["verdict"])
        if seen:
            r["timing_dependent"] = seen
        # the scenario's metadata travels with its result: under xdist the
        # controller never collects items, it only merges the workers' results
        r["scenario"] = {"title": self.sc.title, "group": self.sc.group, "refs": self.sc.refs,
                         "file": os.path.relpath(self.sc.path, ROOT), "tags": self.sc.tags,
                         "proxy": self.sc.request.get("proxy")}
        cfg._httpref_results.setdefault(self.impl, {})[key] = r
        self.user_properties.append(("verdict", r["verdict"]))
        if r["verdict"] == "harness_failure":
            raise RegressionFailure(f"harness failure (the fixture or runner broke, not {self.impl}): {r['reason']}")
        exp = cfg.getoption("--expect")
        if exp:
            expected = expectations.expected(exp, self.impl, key)
            if RANK[r["verdict"]] < RANK[expected["verdict"]] and self.desc:
                # one retry before calling it a regression; a pass on retry is kept visible as flaky
                again = run_case(self.sc, self.variant, self.impl, self.command, self.desc.get("capabilities", []),
                                 strict=cfg.getoption("--strict-levels"), rfc=cfg.getoption("--rfc"),
                                 persistent=persistent)
                if RANK[again["verdict"]] >= RANK[expected["verdict"]]:
                    again["reason"] = f"flaky: first run {r['verdict']} ({r.get('reason', '')[:120]}); " \
                                      f"{again.get('reason', '')}"
                    again["group"], again["scenario"] = r["group"], r["scenario"]
                    cfg._httpref_results[self.impl][key] = r = again
            if RANK[r["verdict"]] < RANK[expected["verdict"]]:
                raise RegressionFailure(f"{r['verdict']} is worse than the expected {expected['verdict']}: "
                                        f"{r.get('reason', '')}")

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, RegressionFailure):
            return f"{self.name}: {excinfo.value}"
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, None, self.name


def _apply_late_failures(cfg):
    """A serve adapter that wrote after a case had its answer (a second answer, an
    answer to no spec, a crash after answering) broke that case: it, and only it,
    becomes an adapter_failure, whatever it was judged before."""
    for impl, key, reason in POOL.take_late():
        r = cfg._httpref_results.get(impl, {}).get(key)
        if r is None:
            continue
        r.update(verdict="adapter_failure", reason=f"{reason} (seen after the case was judged "
                                                   f"{r['verdict']}: {r.get('reason', '')[:120]})")
        r.pop("got", None)


def pytest_sessionfinish(session, exitstatus):
    cfg = session.config
    POOL.close_all()  # every serve process ends with the session; what it wrote last is judged here
    _apply_late_failures(cfg)
    out = cfg._httpref_report_dir
    if cfg.getoption("--dry-run") or cfg.getoption("--collect-only"):
        return
    partial_dir = os.path.join(out, "partials")
    worker = getattr(cfg, "workerinput", None)
    if cfg._httpref_results:  # only runs that scored something leave a report folder
        os.makedirs(partial_dir, exist_ok=True)
        name = worker["workerid"] if worker else "main"
        with open(os.path.join(partial_dir, f"{name}.json"), "w") as f:
            json.dump(cfg._httpref_results, f)
    if worker or not os.path.isdir(partial_dir):
        return
    merged = reports.merge_partials(partial_dir)
    if not cfg.getoption("--keep-partials"):
        shutil.rmtree(partial_dir, ignore_errors=True)
    if not any(merged.values()):
        return
    scenarios = {}
    for results in merged.values():
        for key, r in results.items():
            if "scenario" in r:
                scenarios[key.split("~")[0]] = r.pop("scenario")
    versions = {n: (d or {}).get("version", "unavailable") for n, _, d in _impls(cfg)}
    run = {"harness_commit": _git_commit(), "date": datetime.datetime.now(datetime.timezone.utc).isoformat(),
           "rfc": cfg.getoption("--rfc"), "strict_levels": cfg.getoption("--strict-levels"),
           "python": sys.version.split()[0]}
    s = _shard(cfg)
    if s:
        run["shard"] = {"k": s[0], "n": s[1], "durations": s[3]}
    cfg._httpref_summary = reports.write_all(out, run, scenarios, versions, merged, update_latest=not s)
    _gate(session, cfg, scenarios, merged)
    if not cfg.getoption("--report-dir") and cfg.getoption("--keep-runs") > 0:
        for gone in reports.prune_runs(os.path.dirname(out), cfg.getoption("--keep-runs")):
            cfg._httpref_summary.append(f"removed the old run {os.path.relpath(gone)} (--keep-runs)")
    if cfg.getoption("--update-expectations"):
        for impl, results in merged.items():
            expectations.write(impl, results)


def _gate(session, cfg, scenarios, merged):
    """--fail-on, and --expect over the merged results (a late adapter failure can
    change a case after its item passed): exit 1, naming the cases."""
    bad = []
    level = cfg.getoption("--fail-on")
    if level:
        bad += [f"{impl} {key}: {v} ({lv})" for impl, key, v, lv in reports.failing(scenarios, merged, level)]
    exp = cfg.getoption("--expect")
    if exp:
        for impl, results in merged.items():
            for key, r in results.items():
                want = expectations.expected(exp, impl, key)["verdict"]
                if RANK[r["verdict"]] < RANK[want] and "after the case was judged" in r.get("reason", ""):
                    bad.append(f"{impl} {key}: {r['verdict']}, worse than the expected {want}")
    if bad:
        session.exitstatus = 1
        why = f"--fail-on {level}" if level else "--expect"
        cfg._httpref_summary += [f"exit 1 ({why}): {len(bad)} case(s)"] + [f"  {b}" for b in bad[:30]] + \
            ([f"  ... and {len(bad) - 30} more (results.json)"] if len(bad) > 30 else [])


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    s = getattr(config, "_httpref_summary", None)
    if s:
        terminalreporter.write_sep("=", "httpref conformance")
        for line in s:
            terminalreporter.write_line(line)
