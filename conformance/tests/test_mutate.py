"""tools/mutate_lib: where a mutant applies (exactly once, or stale), what a site
generates, and how a catalogue run is classified. Pure functions: no build."""
import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import mutate_lib as ml  # noqa: E402

SRC = {
    "client/src/a.c": "static int f(int x)\n{\n    if (x > 5)\n        return 1;\n    return 0;\n}\n"
                      "int g(int x)\n{\n    if (x > 5)\n        return 2;\n    /* } in a comment */\n"
                      "    return x == 3 ? '}' : 0;\n}\n",
    "client/src/b.h": "int f(int x);\n",
}


def mut(find, replace="X", function=""):
    return ml.Mutant(id="M", module="m", intent="i", requirement="r", find=find, replace=replace, function=function)


def test_a_pattern_must_match_exactly_once():
    with pytest.raises(ml.Stale, match="matches 2 times"):
        ml.locate(SRC, mut("if (x > 5)"))
    with pytest.raises(ml.Stale, match="matches 0 times"):
        ml.locate(SRC, mut("if (x > 6)"))
    s = ml.locate(SRC, mut("return 2;"))
    assert (s.path, s.text[s.start:s.end]) == ("client/src/a.c", "return 2;")


def test_whitespace_is_any_whitespace_and_the_function_narrows_the_search():
    s = ml.locate(SRC, mut("if (x > 5)   return 1;", function="f"))
    assert s.text[s.start:s.end] == "if (x > 5)\n        return 1;"
    s = ml.locate(SRC, mut("if (x > 5)", function="g"))
    assert ml.apply(s, "if (x >= 5)").count("if (x >= 5)") == 1
    # the body ends at its own brace, not at one in a comment or a char literal
    ml.locate(SRC, mut("return x == 3", function="g"))
    with pytest.raises(ml.Stale, match="function h is defined 0 times"):
        ml.locate(SRC, mut("return 1;", function="h"))


def test_a_function_defined_twice_is_stale():
    files = dict(SRC, **{"client/src/c.c": "int g(int y)\n{\n    return y;\n}\n"})
    with pytest.raises(ml.Stale, match="defined 2 times"):
        ml.locate(files, mut("return", function="g"))


def test_sites_generate_operator_flips_constants_and_dropped_checks():
    site = {"id": "S", "module": "m", "requirement": "r", "find": "if (n->len >= lim + 16 && c != 'x')",
            "ops": ["rel", "const", "drop"], "equivalent": {"const1-": "why"}}
    got = {m.id: m.replace for m in ml.generate(site, "t", "sites.toml")}
    assert got == {"S.rel1": "if (n->len > lim + 16 && c != 'x')",
                   "S.rel2": "if (n->len >= lim + 16 && c == 'x')",
                   "S.const1+": "if (n->len >= lim + 17 && c != 'x')",
                   "S.const1-": "if (n->len >= lim + 15 && c != 'x')",
                   "S.drop1": "if (0)"}
    assert [m.equivalent for m in ml.generate(site, "t", "sites.toml") if m.equivalent] == ["why"]
    with pytest.raises(ml.SetError, match="does not make"):
        ml.generate(dict(site, equivalent={"rel9": "x"}), "t", "sites.toml")


def test_constants_in_strings_and_hex_literals():
    site = {"id": "S", "module": "m", "requirement": "r", "find": 'f("%02x", 0x1f, 7u)', "ops": ["const"]}
    assert [m.replace for m in ml.generate(site, "t", "s")] == \
        ['f("%02x", 0x20, 7u)', 'f("%02x", 0x1e, 7u)', 'f("%02x", 0x1f, 8u)', 'f("%02x", 0x1f, 6u)']


def r(verdict, outcome="error", cls="protocol", got=""):
    res = {"outcome": outcome, "error": {"class": cls}} if outcome == "error" else {"outcome": "response"}
    return {"verdict": verdict, "result": res, "got": got, "reason": got}


def test_classify_strong_weak_survived():
    base = {"A": r("pass"), "B": r("pass"), "C": r("lenient")}
    exp = {"C": "lenient"}.get
    expected = lambda k: exp(k, "pass")  # noqa: E731
    assert ml.classify({"A": r("pass"), "B": r("pass"), "C": r("lenient")}, base, expected)[0] == "survived"
    cls, strong, weak = ml.classify({"A": r("fail"), "B": r("pass"), "C": r("lenient")}, base, expected)
    assert cls == "killed" and [k for k, _ in strong] == ["A"]
    # same passing verdict, other error class: killed, unless the cell is timing-dependent
    changed = {"A": r("pass", cls="closed"), "B": r("pass"), "C": r("lenient")}
    assert ml.classify(changed, base, expected)[0] == "killed"
    assert ml.classify(changed, base, expected, unstable={"A"})[0] == "survived"
    cls, strong, weak = ml.classify({"A": r("lenient"), "B": r("pass"), "C": r("lenient")}, base, expected)
    assert cls == "weak" and [k for k, _ in weak] == ["A"]
    # no baseline (the CI sample): the expectations alone decide
    assert ml.classify({"C": r("fail")}, {}, expected)[0] == "killed"
    assert ml.classify({"A": r("lenient")}, {}, expected)[0] == "weak"
    # ... and a refusal that passes with an error class the scenario does not name is a kill
    misclassed = dict(r("pass", cls="protocol"), class_check={"verdict": "fail", "got": "protocol", "expected": ["closed"]})
    cls, strong, _ = ml.classify({"A": misclassed}, {}, expected)
    assert cls == "killed" and "error class protocol, not closed" in strong[0][1]
    # a harness failure is never the mutant's
    assert ml.classify({"A": r("harness_failure")}, base, expected)[0] == "survived"


def test_unstable_cells_differ_between_baselines():
    a = {"A": r("pass"), "B": r("pass", cls="timeout")}
    b = {"A": r("pass"), "B": r("pass", cls="closed")}
    assert ml.unstable_cells(a, b) == {"B"}


def test_the_set_covers_every_module_with_enough_mutants():
    mutants = ml.load_set(os.path.join(ROOT, "conformance", "mutants"))
    hand = [m for m in mutants if m.origin == "hand"]
    assert len(hand) >= 60 and len(mutants) > len(hand)
    assert {"h1-head", "h1-framing", "h1-reader", "receive", "client", "request", "url", "transport",
            "lua-glue"} <= {m.module for m in mutants}


def test_the_ci_sample_names_ten_live_mutants_and_their_killers():
    sets = os.path.join(ROOT, "conformance", "mutants")
    sample = ml.load_sample(sets)
    by_id = {m.id: m for m in ml.load_set(sets)}
    assert len(sample) == 10 and len({i for i, _ in sample}) == 10
    located = ml.check_all(ml.scope_files(ROOT), [by_id[i] for i, _ in sample])
    assert not [i for i, s in located.items() if isinstance(s, ml.Stale)], "a CI sample mutant is stale"
    ids = {os.path.splitext(f)[0] for _, _, fs in os.walk(os.path.join(ROOT, "conformance", "scenarios"))
           for f in fs if f.endswith(".toml")}
    for mid, killers in sample:
        assert killers and set(killers) <= ids, f"{mid}: killed_by names no scenario or an unknown one"
