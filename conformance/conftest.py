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

from runner import expectations, impls, reports  # noqa: E402
from runner.case import run_case  # noqa: E402
from runner.judge import RANK  # noqa: E402
from runner.serve import POOL  # noqa: E402
from server_fixtures import ScenarioError, load_scenario  # noqa: E402


def pytest_addoption(parser):
    g = parser.getgroup("httpref", "httpref conformance")
    g.addoption("--impl", default=None, help="comma list of implementations (bundled names or name=command); "
                                              "default: every bundled adapter that answers --describe")
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
    """Hand the controller's report folder and implementation list to each worker."""

    def pytest_configure_node(self, node):
        node.workerinput["httpref_report_dir"] = node.config._httpref_report_dir


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


def _impls(config):
    if config._httpref_impls is None:
        chosen = impls.resolve(config.getoption("--impl"))
        explicit = bool(config.getoption("--impl"))
        config._httpref_impls = [(n, c, d) for n, c, d in chosen if d or explicit]
    return config._httpref_impls


def pytest_report_header(config):
    lines = [f"httpref harness {_git_commit()}, grading by RFC {config.getoption('--rfc')}"
             + (", strict levels" if config.getoption("--strict-levels") else "")]
    for name, _, d in _impls(config):
        lines.append(f"  {name}: {d['version'] if d else 'UNAVAILABLE (adapter --describe failed)'}")
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

    def runtest(self):
        cfg = self.config
        if cfg.getoption("--dry-run"):
            pytest.skip("dry run")
        key = self.sc.id + (f"~{self.variant}" if self.variant else "")
        persistent = cfg.getoption("--adapter-mode") != "oneshot"
        if not self.desc:
            r = {"verdict": "skipped_dependency", "reason": f"{self.impl} adapter is not available here"}
        else:
            r = run_case(self.sc, self.variant, self.impl, self.command, self.desc.get("capabilities", []),
                         strict=cfg.getoption("--strict-levels"), rfc=cfg.getoption("--rfc"), persistent=persistent)
            _apply_late_failures(cfg)
        r["group"] = self.sc.group
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
    cfg._httpref_summary = reports.write_all(out, run, scenarios, versions, merged)
    if not cfg.getoption("--report-dir") and cfg.getoption("--keep-runs") > 0:
        for gone in reports.prune_runs(os.path.dirname(out), cfg.getoption("--keep-runs")):
            cfg._httpref_summary.append(f"removed the old run {os.path.relpath(gone)} (--keep-runs)")
    if cfg.getoption("--update-expectations"):
        for impl, results in merged.items():
            expectations.write(impl, results)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    s = getattr(config, "_httpref_summary", None)
    if s:
        terminalreporter.write_sep("=", "httpref conformance")
        for line in s:
            terminalreporter.write_line(line)
